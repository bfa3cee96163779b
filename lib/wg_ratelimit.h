/* SPDX-License-Identifier: MIT */
/*
 * Per-source rate limit for handshake messages that get real work (DH)
 * while we are under load: a token bucket per source, as the reference
 * implementations do (Linux ratelimiter.c, wireguard-go ratelimiter.go):
 *
 *   WG_RATELIMIT_PER_SECOND messages per second once the burst is spent,
 *   WG_RATELIMIT_BURST messages back to back from a fresh source,
 *   IPv4 sources by address, IPv6 sources by /64 (one host owns a /64).
 *
 * The table is bounded: max_entries slots in buckets of
 * WG_RATELIMIT_BUCKET_SLOTS, chosen by a keyed hash (SipHash-2-4, random
 * key) so that nobody can aim many sources at one bucket. An entry idle for
 * WG_RATELIMIT_IDLE_NS has a full bucket again, so it is free for reuse;
 * nothing needs collecting. When every slot of a bucket belongs to a
 * source seen in the last WG_RATELIMIT_IDLE_NS, a new source in that
 * bucket is refused (fail closed, as Linux does when its table is full),
 * unless the table was made with evict_oldest: then the source seen least
 * recently in that bucket gives up its slot (fail open: for a limiter in
 * front of a cookie check, which must never refuse a legitimate source
 * because a spoofed flood filled its bucket).
 *
 * Other rates than the reference ones: wg_ratelimit_init_params.
 *
 * Times are monotonic ns passed in; not thread-safe (one owner: the
 * control lcore, or one worker for its own table).
 */
#ifndef WG_RATELIMIT_H
#define WG_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

enum wg_ratelimit_constants {
	WG_RATELIMIT_PER_SECOND = 20,
	WG_RATELIMIT_BURST = 5,
	WG_RATELIMIT_BUCKET_SLOTS = 8,
	WG_RATELIMIT_HASH_KEY_LEN = 16,
	WG_RATELIMIT_DEFAULT_ENTRIES = 8192,
};

#define WG_RATELIMIT_COST_NS  (UINT64_C(1000000000) / WG_RATELIMIT_PER_SECOND)
#define WG_RATELIMIT_TOKEN_MAX (WG_RATELIMIT_COST_NS * WG_RATELIMIT_BURST)
#define WG_RATELIMIT_IDLE_NS  UINT64_C(1000000000)

struct wg_ratelimit_entry {
	uint64_t last_ns;  /* last time this source was seen */
	uint64_t tokens;   /* ns worth of credit, <= WG_RATELIMIT_TOKEN_MAX */
	uint8_t key[8];    /* IPv4 address, or the first 64 bits of IPv6 */
	uint8_t family;    /* WG_FAMILY_V4 / WG_FAMILY_V6, 0: never used */
};

struct wg_ratelimit_params {
	uint32_t per_second; /* messages a second once the burst is spent */
	uint32_t burst;      /* messages back to back from a fresh source */
	bool evict_oldest;   /* full bucket: reuse its oldest slot */
};

struct wg_ratelimit {
	struct wg_ratelimit_entry *e;
	uint32_t n_buckets;  /* a power of two */
	uint64_t cost_ns;    /* one message */
	uint64_t token_max;  /* burst * cost_ns */
	uint64_t idle_ns;    /* an entry this idle has a full bucket */
	bool evict_oldest;
	uint8_t hash_key[WG_RATELIMIT_HASH_KEY_LEN];
	uint64_t n_refused_full; /* new sources refused for want of a slot */
	uint64_t n_evicted;      /* slots taken over (evict_oldest) */
};

/*
 * max_entries is rounded up to a power-of-two number of buckets (at least
 * one). hash_key may be NULL (random); tests pass one to be reproducible.
 * Returns 0, or -1 when out of memory.
 */
int wg_ratelimit_init(struct wg_ratelimit *rl, uint32_t max_entries,
		      const uint8_t *hash_key);
/* The same with other numbers: per_second and burst at least 1, else -1. */
int wg_ratelimit_init_params(struct wg_ratelimit *rl, uint32_t max_entries,
			     const struct wg_ratelimit_params *p,
			     const uint8_t *hash_key);
void wg_ratelimit_free(struct wg_ratelimit *rl);

/* Forget every source (e.g. our identity changed). */
void wg_ratelimit_reset(struct wg_ratelimit *rl);

/*
 * May one more message from this source get DH work now? family is
 * WG_FAMILY_V4 (addr: 4 bytes) or WG_FAMILY_V6 (addr: 16 bytes); anything
 * else is refused. Takes a token when it says yes.
 */
bool wg_ratelimit_allow(struct wg_ratelimit *rl, uint8_t family,
			const uint8_t *addr, uint64_t now_ns);

#endif /* WG_RATELIMIT_H */
