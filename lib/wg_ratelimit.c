/* SPDX-License-Identifier: MIT */
/* Per-source token buckets for handshake work (see wg_ratelimit.h). */
#include "wg_ratelimit.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "wg_addr.h"
#include "wg_crypto.h"

int wg_ratelimit_init(struct wg_ratelimit *rl, uint32_t max_entries,
		      const uint8_t *hash_key)
{
	const struct wg_ratelimit_params ref = {
		.per_second = WG_RATELIMIT_PER_SECOND,
		.burst = WG_RATELIMIT_BURST,
	};

	return wg_ratelimit_init_params(rl, max_entries, &ref, hash_key);
}

int wg_ratelimit_init_params(struct wg_ratelimit *rl, uint32_t max_entries,
			     const struct wg_ratelimit_params *p,
			     const uint8_t *hash_key)
{
	uint32_t want = (max_entries + WG_RATELIMIT_BUCKET_SLOTS - 1) /
			WG_RATELIMIT_BUCKET_SLOTS;
	uint32_t n = 1;

	if (!p->per_second || !p->burst)
		return -1;
	while (n < want && n < (UINT32_C(1) << 24))
		n <<= 1;
	memset(rl, 0, sizeof(*rl));
	rl->cost_ns = UINT64_C(1000000000) / p->per_second;
	rl->token_max = rl->cost_ns * p->burst;
	/* reuse must not hand out more than the refill would have */
	rl->idle_ns = rl->token_max > WG_RATELIMIT_IDLE_NS ?
			      rl->token_max : WG_RATELIMIT_IDLE_NS;
	rl->evict_oldest = p->evict_oldest;
	rl->e = calloc((size_t)n * WG_RATELIMIT_BUCKET_SLOTS, sizeof(*rl->e));
	if (!rl->e)
		return -1;
	rl->n_buckets = n;
	if (hash_key)
		memcpy(rl->hash_key, hash_key, sizeof(rl->hash_key));
	else
		wg_random(rl->hash_key, sizeof(rl->hash_key));
	return 0;
}

void wg_ratelimit_free(struct wg_ratelimit *rl)
{
	free(rl->e);
	wg_wipe(rl, sizeof(*rl));
}

void wg_ratelimit_reset(struct wg_ratelimit *rl)
{
	memset(rl->e, 0, (size_t)rl->n_buckets * WG_RATELIMIT_BUCKET_SLOTS *
				 sizeof(*rl->e));
}

static bool idle(const struct wg_ratelimit *rl,
		 const struct wg_ratelimit_entry *e, uint64_t now_ns)
{
	return e->family == 0 ||
	       (now_ns >= e->last_ns && now_ns - e->last_ns >= rl->idle_ns);
}

bool wg_ratelimit_allow(struct wg_ratelimit *rl, uint8_t family,
			const uint8_t *addr, uint64_t now_ns)
{
	uint8_t key[9] = { 0 }, h[crypto_shorthash_siphash24_BYTES];
	struct wg_ratelimit_entry *bucket, *free_slot = NULL, *oldest = NULL;
	uint64_t hv, elapsed;
	unsigned int i;

	if (family == WG_FAMILY_V4)
		memcpy(key, addr, 4);
	else if (family == WG_FAMILY_V6)
		memcpy(key, addr, 8); /* the /64 */
	else
		return false;
	key[8] = family;
	crypto_shorthash_siphash24(h, key, sizeof(key), rl->hash_key);
	memcpy(&hv, h, sizeof(hv));
	bucket = &rl->e[(hv & (rl->n_buckets - 1)) * WG_RATELIMIT_BUCKET_SLOTS];

	for (i = 0; i < WG_RATELIMIT_BUCKET_SLOTS; i++) {
		struct wg_ratelimit_entry *e = &bucket[i];

		if (e->family == family && memcmp(e->key, key, 8) == 0) {
			if (idle(rl, e, now_ns)) {
				/* as good as new: a full bucket */
				e->tokens = rl->token_max;
			} else {
				elapsed = now_ns > e->last_ns ?
						  now_ns - e->last_ns : 0;
				e->tokens = elapsed >= rl->token_max -
							       e->tokens ?
						    rl->token_max :
						    e->tokens + elapsed;
			}
			if (now_ns > e->last_ns)
				e->last_ns = now_ns;
			if (e->tokens < rl->cost_ns)
				return false;
			e->tokens -= rl->cost_ns;
			return true;
		}
		if (!free_slot && idle(rl, e, now_ns))
			free_slot = e;
		if (!oldest || e->last_ns < oldest->last_ns)
			oldest = e;
	}
	if (!free_slot && rl->evict_oldest) {
		rl->n_evicted++;
		free_slot = oldest;
	}
	if (!free_slot) {
		rl->n_refused_full++;
		return false;
	}
	/* a new source starts with a full burst, this message paid */
	free_slot->family = family;
	memcpy(free_slot->key, key, 8);
	free_slot->last_ns = now_ns;
	free_slot->tokens = rl->token_max - rl->cost_ns;
	return true;
}
