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
	uint32_t want = (max_entries + WG_RATELIMIT_BUCKET_SLOTS - 1) /
			WG_RATELIMIT_BUCKET_SLOTS;
	uint32_t n = 1;

	while (n < want && n < (UINT32_C(1) << 24))
		n <<= 1;
	memset(rl, 0, sizeof(*rl));
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

static bool idle(const struct wg_ratelimit_entry *e, uint64_t now_ns)
{
	return e->family == 0 ||
	       (now_ns >= e->last_ns &&
		now_ns - e->last_ns >= WG_RATELIMIT_IDLE_NS);
}

bool wg_ratelimit_allow(struct wg_ratelimit *rl, uint8_t family,
			const uint8_t *addr, uint64_t now_ns)
{
	uint8_t key[9] = { 0 }, h[crypto_shorthash_siphash24_BYTES];
	struct wg_ratelimit_entry *bucket, *free_slot = NULL;
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
			if (idle(e, now_ns)) {
				/* as good as new: a full bucket */
				e->tokens = WG_RATELIMIT_TOKEN_MAX;
			} else {
				elapsed = now_ns > e->last_ns ?
						  now_ns - e->last_ns : 0;
				e->tokens = elapsed >= WG_RATELIMIT_TOKEN_MAX -
							       e->tokens ?
						    WG_RATELIMIT_TOKEN_MAX :
						    e->tokens + elapsed;
			}
			if (now_ns > e->last_ns)
				e->last_ns = now_ns;
			if (e->tokens < WG_RATELIMIT_COST_NS)
				return false;
			e->tokens -= WG_RATELIMIT_COST_NS;
			return true;
		}
		if (!free_slot && idle(e, now_ns))
			free_slot = e;
	}
	if (!free_slot) {
		rl->n_refused_full++;
		return false;
	}
	/* a new source starts with a full burst, this message paid */
	free_slot->family = family;
	memcpy(free_slot->key, key, 8);
	free_slot->last_ns = now_ns;
	free_slot->tokens = WG_RATELIMIT_TOKEN_MAX - WG_RATELIMIT_COST_NS;
	return true;
}
