/* SPDX-License-Identifier: MIT */
/*
 * Where keypairs come from: a pool on the control lcore, grown in chunks
 * of DPDK memory as sessions appear, instead of one allocation per
 * handshake. Memory follows the sessions that were live at once (the
 * high-water mark), never three keypairs per configured peer.
 *
 * Workers read keypairs lock-free (docs/architecture.md), so a keypair a
 * peer lets go of is not free at once: gw_kp_pool_retire() queues it on
 * the pool's own QSBR defer queue, and only after every worker passed a
 * quiescent state is it wiped (sodium_memzero) and put back on the free
 * list. Only the control lcore calls these functions.
 *
 * The bound, and why no peer starves another: the pool holds at most
 * 2 * max_peers + GW_KP_POOL_SLACK keypairs. After any install or
 * confirmation a peer holds at most two (gw_peer.c: current and previous,
 * or current and next); whatever else it held is retired in the same
 * step. In steady state it holds one: the previous keypair is retired a
 * few seconds after the peer switched (gw_peer_tick_previous). The pool
 * keeps its high-water mark, though: chunks are never given back. So beyond the keypairs waiting out a grace period, every peer
 * there can be has its two, however often some peer handshakes; the slack
 * covers those in grace. When get finds nothing free it reclaims, then
 * waits out one grace period (microseconds: workers pass a quiescent
 * state every loop) and reclaims again; only if the pool is still empty
 * does it fail, counting GW_CTR_DROP_HANDSHAKE_KEYPAIR_POOL_EMPTY: the handshake
 * that wanted the keypair is dropped (no response sent; the peer retries
 * after REKEY_TIMEOUT) and every existing session is untouched.
 */
#ifndef GW_KEYPAIR_POOL_H
#define GW_KEYPAIR_POOL_H

#include <stddef.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

struct gw_keypair;
struct gw_kp_pool;

enum {
	/* keypairs allocated at once when the free list is empty */
	GW_KP_POOL_CHUNK = 1024,
	/* room beyond two per peer: keypairs waiting out a grace period */
	GW_KP_POOL_SLACK = 4096,
};

/* A pool of up to cap keypairs (0: 2 * max_peers + GW_KP_POOL_SLACK);
 * nothing allocated until the first get. NULL without memory. */
struct gw_kp_pool *gw_kp_pool_create(struct rte_rcu_qsbr *qsbr,
				     uint32_t max_peers, uint32_t cap);
/* Waits out a grace period, wipes and frees everything; none may be in
 * use (every peer removed). NULL is a no-op. */
void gw_kp_pool_destroy(struct gw_kp_pool *pool);

/* A zeroed keypair, or NULL when the pool is at its bound with none free
 * (the caller counts GW_CTR_DROP_HANDSHAKE_KEYPAIR_POOL_EMPTY) or out of memory. */
struct gw_keypair *gw_kp_pool_get(struct gw_kp_pool *pool);
/* kp back to the pool once no worker can still see it; its secrets are
 * wiped then. A keypair the pool did not give (a test's own) is wiped and
 * rte_free'd instead. NULL is a no-op. */
void gw_kp_pool_retire(struct gw_kp_pool *pool, struct gw_keypair *kp);
/* Free what is due now (also done by get and retire as needed). */
void gw_kp_pool_reclaim(struct gw_kp_pool *pool);

/* The bound (for the start log). */
uint32_t gw_kp_pool_cap(const struct gw_kp_pool *pool);

struct gw_kp_pool_stats {
	uint32_t cap;       /* the bound */
	uint32_t allocated; /* keypairs in chunks so far (high-water mark) */
	uint32_t in_use;    /* handed out and not retired */
	uint32_t in_grace;  /* retired, waiting for the grace period */
	uint64_t empty;     /* gets that found the pool exhausted */
};
void gw_kp_pool_stats(const struct gw_kp_pool *pool,
		      struct gw_kp_pool_stats *st);

#endif /* GW_KEYPAIR_POOL_H */
