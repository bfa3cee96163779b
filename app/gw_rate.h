/* SPDX-License-Identifier: MIT */
/*
 * Per-peer rate limits on the workers: a token bucket kept as GCRA's
 * theoretical arrival time (TAT) in one 64-bit word. A packet conforms
 * when, after its cost is added, the TAT is at most the bucket depth
 * ahead of now; then the TAT moves. Every worker carrying the peer's
 * packets updates the same word with compare-and-swap, so the limit holds
 * over all of them with no lock and no per-worker share to rebalance;
 * one CAS covers a whole run of a peer's packets in a burst.
 * rte_meter keeps a bucket per caller and is not safe to share across
 * lcores, which is why this is not rte_meter.
 *
 * Units: time in 1/16 ns (2^64 of them are 36 years of TSC time), the
 * cost of a byte in 1/65536 ns. Header only: the hot path inlines it.
 */
#ifndef GW_RATE_H
#define GW_RATE_H

#include <stdbool.h>
#include <stdint.h>

struct gw_rate {
	uint64_t tat;      /* atomic; 1/16 ns */
	uint64_t cost;     /* atomic; 1/65536 ns per byte, 0 = no limit */
	uint64_t depth;    /* atomic; 1/16 ns */
};

/* 1 Mbit/s = 125,000 bytes/s = 8,000 ns per byte */
#define GW_RATE_NS_PER_BYTE_AT_1MBIT 8000ULL

/* Set the limit (mbit 0: none) and the bucket depth. Control lcore; the
 * workers see the new values with their next packet, and the bucket's
 * state is kept. */
static inline void gw_rate_set(struct gw_rate *r, uint32_t mbit,
			       uint64_t depth_bytes)
{
	uint64_t cost = mbit ? (GW_RATE_NS_PER_BYTE_AT_1MBIT << 16) / mbit : 0;

	__atomic_store_n(&r->depth, (depth_bytes * cost) >> 12,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&r->cost, cost, __ATOMIC_RELAXED);
}

static inline bool gw_rate_limited(const struct gw_rate *r)
{
	return __atomic_load_n(&r->cost, __ATOMIC_RELAXED) != 0;
}

/* Decide a run of n packets of len[i] bytes at now_ns: pass[i] is set
 * for those within the limit, which are charged; returns how many
 * passed. Without a limit every packet passes. */
static inline unsigned int gw_rate_run(struct gw_rate *r, uint64_t now_ns,
				       const uint16_t *len, unsigned int n,
				       bool *pass)
{
	uint64_t cost = __atomic_load_n(&r->cost, __ATOMIC_RELAXED);
	uint64_t depth = __atomic_load_n(&r->depth, __ATOMIC_RELAXED);
	uint64_t now = now_ns << 4, old, tat;
	unsigned int i, passed;

	if (!cost) {
		for (i = 0; i < n; i++)
			pass[i] = true;
		return n;
	}
	old = __atomic_load_n(&r->tat, __ATOMIC_RELAXED);
	do {
		tat = old > now ? old : now;
		passed = 0;
		for (i = 0; i < n; i++) {
			uint64_t next = tat + ((len[i] * cost) >> 12);

			pass[i] = next - now <= depth;
			if (pass[i]) {
				tat = next;
				passed++;
			}
		}
		if (!passed)
			return 0;
	} while (!__atomic_compare_exchange_n(&r->tat, &old, tat, false,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return passed;
}

#endif /* GW_RATE_H */
