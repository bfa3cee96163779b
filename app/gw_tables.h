/* SPDX-License-Identifier: MIT */
/*
 * The tables workers read without locks and only the control lcore
 * writes: AllowedIPs (IPv4 as two rte_fib DIR-24-8 tables, IPv6 as two
 * rte_lpm6 tables, each pair flipped by one pointer store), the
 * receiver-index table (lock-free rte_hash), and the peer array.
 *
 * Why rte_fib and not rte_lpm for IPv4: rte_lpm keeps its rules in one
 * array per prefix length and scans it linearly on every add, so 1,000,000
 * prefixes take minutes to load (quadratic); rte_fib keeps them in a tree
 * (rte_rib), loads 1,000,000 in well under a second, and has the same
 * DIR-24-8 lookup with a bulk call. It has no RCU integration in 22.11,
 * hence the two copies: a change goes to the copy no worker reads, one
 * pointer store publishes it, and after a QSBR grace period the same
 * change goes to the other copy. gw_tables_routes_apply() does that for a
 * whole batch with a single grace period. Memory that a worker may still be
 * reading is handed to gw_tables_retire() and freed after a QSBR grace
 * period (workers report quiescence once per poll loop).
 */
#ifndef GW_TABLES_H
#define GW_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_fib.h>
#include <rte_hash.h>
#include <rte_lpm6.h>
#include <rte_rcu_qsbr.h>

#include "gw_ctx.h"
#include "gw_device.h"
#include "wg_addr.h"
#include "wg_messages.h"

struct gw_peer;

/* Prefixes per family: at least this many, or interface.max_peers (one
 * per peer) when that is more. Each one costs ~800 bytes of heap over
 * the two copies, so they are not sized for a worst case.
 *
 * Groups of 256 next-level entries (1 KiB each, per copy) for prefixes
 * longer than the first 24 bits. IPv4 (DIR-24-8): one per /24 that holds
 * a longer prefix, so a /32 per peer needs at most max_peers of them.
 * IPv6 (rte_lpm6, 8 bits per level after the first 24): a prefix needs
 * one group per level it crosses that no other prefix shares, up to 13
 * for a /128; so that one scattered /128 per peer fits at max_peers,
 * there are 13 per peer (at most rte_lpm6's 2^21, i.e. the guarantee
 * holds up to 161,319 peers). */
enum gw_tables_limits {
	GW_MAX_ROUTES4 = 65536,
	GW_MAX_ROUTES6 = 65536,
	GW_MIN_TBL8S4 = 1 << 12,
	GW_MIN_TBL8S6 = 1 << 14,
	GW_TBL8S6_PER_PEER = 13,     /* (128 - 24) / 8 */
	GW_MAX_TBL8S6 = 1 << 21,     /* RTE_LPM6_TBL8_MAX_NUM_GROUPS */
	GW_INDICES_PER_PEER = 4, /* 3 keypairs + 1 handshake */
	GW_MIN_INDICES = 64,     /* rte_hash wants a few buckets */
};

/* What a worker's route lookup returns when no prefix matches (the FIB's
 * default next hop; above any peer slot). */
#define GW_NO_PEER ((uint32_t)0x7fffffff)

/* Capacities; gw_tables_create() sizes them from interface.max_peers
 * (WG_DEFAULT_MAX_PEERS without a config). */
struct gw_tables_size {
	uint32_t peers;     /* slots in peers[] (0: WG_DEFAULT_MAX_PEERS) */
	uint32_t routes4;   /* IPv4 prefixes */
	uint32_t routes6;   /* IPv6 prefixes (0: GW_MAX_ROUTES6) */
	uint32_t tbl8s4;    /* IPv4 groups for prefixes longer than /24 */
	uint32_t tbl8s6;    /* IPv6 groups (0: GW_MIN_TBL8S6) */
	uint32_t indices;   /* receiver indices */
};

/* What gw_tables_retire() frees after the grace period. */
enum gw_retire_kind {
	GW_RETIRE_FREE = 0,     /* rte_free */
	GW_RETIRE_WIPE_FREE,    /* wipe size bytes, then rte_free */
	GW_RETIRE_ACL,          /* gw_acl_free (compiled access rules) */
};

/* Entries of the receiver-index table: a keypair (workers use those), or
 * a peer's in-flight handshake (tagged with the low bit; control only). */
#define GW_INDEX_HANDSHAKE ((uintptr_t)1)

struct gw_tables {
	/* fib4_active, lpm6_active and the peers[] slots are atomic: only
	 * ever accessed with the __atomic builtins. Plain pointers, not
	 * _Atomic: clang (the fuzz build) refuses those builtins on _Atomic
	 * objects, gcc accepts both. */
	struct rte_fib *fib4[2];
	struct rte_fib *fib4_active;
	struct rte_lpm6 *lpm6[2];
	struct rte_lpm6 *lpm6_active;
	struct rte_hash *index;
	struct rte_rcu_qsbr_dq *retire_dq;
	struct rte_rcu_qsbr *qsbr;
	uint32_t max_peers;
	struct gw_peer **peers;          /* max_peers slots */
	uint32_t max_routes4;            /* prefixes each table takes */
	uint32_t max_routes6;
	uint32_t tbl8s4, tbl8s6;         /* groups each copy has */
	uint64_t commits;                /* route batches published (each
					  * one grace period) */
	/* tests: called by gw_tables_routes_commit() once the staged
	 * copies are published, before the other copies change */
	void (*commit_hook)(struct gw_tables *t);
};

int gw_tables_create(struct gw_ctx *ctx);
int gw_tables_create_sized(struct gw_ctx *ctx, const struct gw_tables_size *sz);
void gw_tables_free(struct gw_ctx *ctx);
/* the same minus the route tables: the process is about to exit */
void gw_tables_free_at_exit(struct gw_ctx *ctx);

/*
 * AllowedIPs changes as a batch that is applied whole or not at all. One
 * change moves a prefix from the peer slot old_id to new_id; GW_NO_PEER
 * on either side is "not routed" (an addition, a deletion). Both copies
 * of each table always hold the same prefixes between batches.
 *
 * gw_tables_routes_stage() applies a batch to the copies no worker reads,
 * deletions first (they give room back). If any change fails (a table
 * out of prefixes or tbl8 groups: -ENOSPC; rte_fib's tree out of
 * memory), every change already made there is undone and the error is
 * returned: nothing a worker can see changed, both copies are as
 * before. gw_tables_routes_commit() then publishes the staged copies
 * (one pointer store per family, ONE grace period for the whole batch)
 * and applies the same batch to the other copies. Between the two the
 * caller may do whatever cannot fail; no other route change may come in
 * between.
 */
struct gw_route_op {
	struct wg_prefix p;
	uint32_t old_id;
	uint32_t new_id;
};

int gw_tables_routes_stage(struct gw_tables *t, const struct gw_route_op *op,
			   uint32_t n);
void gw_tables_routes_commit(struct gw_tables *t, const struct gw_route_op *op,
			     uint32_t n);

/* AllowedIPs. peer_id is the peer's slot in peers[]. */
int gw_tables_route_add(struct gw_tables *t, const struct wg_prefix *p,
			uint32_t peer_id);
int gw_tables_route_del(struct gw_tables *t, const struct wg_prefix *p);
/* A batch of IPv4/IPv6 additions (del false) or deletions (del true),
 * staged and committed as above: one grace period, all or nothing.
 * peer_ids[i] is ignored for deletions. Returns 0 or the error of the
 * change that failed (nothing changed then); -ENOMEM when the batch
 * cannot be described. */
int gw_tables_routes_apply(struct gw_tables *t, const struct wg_prefix *p,
			   const uint32_t *peer_ids, uint32_t n, bool del);
/* The peer owning exactly this prefix in the published tables, if any. */
bool gw_tables_route_owner(struct gw_tables *t, const struct wg_prefix *p,
			   uint32_t *peer_id);

/* Receiver indices: a fresh random index not in use, and add/del. */
int gw_tables_index_add(struct gw_tables *t, uint32_t index, uintptr_t data);
void gw_tables_index_del(struct gw_tables *t, uint32_t index);
uint32_t gw_tables_index_new(struct gw_tables *t);
/* Control-side lookup (handshake responses, cookie replies). */
uintptr_t gw_tables_index_get(struct gw_tables *t, uint32_t index);

/* Free ptr after every worker has passed a quiescent state. */
void gw_tables_retire(struct gw_tables *t, void *ptr, enum gw_retire_kind kind,
		      uint32_t size);
/* Free what is due; called from the control loop. */
void gw_tables_reclaim(struct gw_tables *t);

/* ---- worker-side lookups: lock-free, no allocation */

static inline struct gw_peer *gw_tables_peer(struct gw_tables *t,
					     uint32_t id)
{
	if (id >= t->max_peers)
		return NULL;
	return __atomic_load_n(&t->peers[id], __ATOMIC_ACQUIRE);
}

/* n (<= 64) IPv4 addresses in host order to peer slots (GW_NO_PEER when
 * nothing matches): one bulk DIR-24-8 lookup. */
static inline void gw_route4_bulk(struct gw_tables *t, uint32_t *ip_host,
				  uint64_t *peer_id, unsigned int n)
{
	struct rte_fib *f = __atomic_load_n(&t->fib4_active, __ATOMIC_ACQUIRE);

	rte_fib_lookup_bulk(f, ip_host, peer_id, (int)n);
}

/* ip in network order */
static inline struct gw_peer *gw_route4(struct gw_tables *t, uint32_t ip)
{
	uint32_t h = rte_be_to_cpu_32(ip);
	uint64_t nh;

	gw_route4_bulk(t, &h, &nh, 1);
	return gw_tables_peer(t, (uint32_t)nh);
}

static inline struct gw_peer *gw_route6(struct gw_tables *t,
					const uint8_t ip[16])
{
	const struct rte_lpm6 *l =
		__atomic_load_n(&t->lpm6_active, __ATOMIC_ACQUIRE);
	uint32_t nh;

	if (rte_lpm6_lookup(l, ip, &nh) != 0)
		return NULL;
	return gw_tables_peer(t, nh);
}

static inline uintptr_t gw_index_lookup(struct gw_tables *t, uint32_t index)
{
	void *data;

	if (rte_hash_lookup_data(t->index, &index, &data) < 0)
		return 0;
	return (uintptr_t)data;
}

/* Whether the receiver index (little-endian, at le) is one of our
 * initiations waiting for its answer. */
static inline bool gw_index_pending(struct gw_tables *t, const uint8_t *le)
{
	uintptr_t e = gw_index_lookup(t, wg_get_le32(le));

	return (e & GW_INDEX_HANDSHAKE) && (e & ~GW_INDEX_HANDSHAKE);
}

/* n (<= RTE_HASH_LOOKUP_BULK_MAX) receiver indices to entries, 0 for a
 * miss: one bulk lookup. keys[i] points at a uint32_t in host order. */
static inline void gw_index_lookup_bulk(struct gw_tables *t,
					const void **keys, unsigned int n,
					uintptr_t *out)
{
	uint64_t hits = 0;
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned int i;

	rte_hash_lookup_bulk_data(t->index, keys, n, &hits, data);
	for (i = 0; i < n; i++)
		out[i] = (hits >> i) & 1 ? (uintptr_t)data[i] : 0;
}

#endif /* GW_TABLES_H */
