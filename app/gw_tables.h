/* SPDX-License-Identifier: MIT */
/*
 * The tables workers read without locks and only the control lcore
 * writes: AllowedIPs (IPv4 rte_lpm with RCU, IPv6 as two rte_lpm6 tables
 * flipped by one pointer store), the receiver-index table (lock-free
 * rte_hash), and the peer array. Memory that a worker may still be
 * reading is handed to gw_tables_retire() and freed after a QSBR grace
 * period (workers report quiescence once per poll loop).
 */
#ifndef GW_TABLES_H
#define GW_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_hash.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_rcu_qsbr.h>

#include "gw_ctx.h"
#include "gw_device.h"
#include "wg_addr.h"

struct gw_peer;

enum gw_tables_limits {
	GW_MAX_ROUTES4 = 65536,
	GW_MAX_ROUTES6 = 65536,
	GW_MAX_INDICES = 4 * GW_MAX_PEERS, /* 3 keypairs + 1 handshake */
	GW_RETIRE_QUEUE = 4 * GW_MAX_INDICES,
};

/* What gw_tables_retire() frees after the grace period. */
enum gw_retire_kind {
	GW_RETIRE_FREE = 0,     /* rte_free */
	GW_RETIRE_WIPE_FREE,    /* wipe size bytes, then rte_free */
};

/* Entries of the receiver-index table: a keypair (workers use those), or
 * a peer's in-flight handshake (tagged with the low bit; control only). */
#define GW_INDEX_HANDSHAKE ((uintptr_t)1)

struct gw_tables {
	struct rte_lpm *lpm4;
	struct rte_lpm6 *lpm6[2];
	struct rte_lpm6 *_Atomic lpm6_active;
	struct rte_hash *index;
	struct rte_rcu_qsbr_dq *retire_dq;
	struct rte_rcu_qsbr *qsbr;
	struct gw_peer *_Atomic peers[GW_MAX_PEERS];
};

int gw_tables_create(struct gw_ctx *ctx);
void gw_tables_free(struct gw_ctx *ctx);

/* AllowedIPs. peer_id is the peer's slot in peers[]. */
int gw_tables_route_add(struct gw_tables *t, const struct wg_prefix *p,
			uint32_t peer_id);
int gw_tables_route_del(struct gw_tables *t, const struct wg_prefix *p);
/* The peer owning exactly this prefix, if any. */
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
	if (id >= GW_MAX_PEERS)
		return NULL;
	return __atomic_load_n(&t->peers[id], __ATOMIC_ACQUIRE);
}

/* ip in network order */
static inline struct gw_peer *gw_route4(struct gw_tables *t, uint32_t ip)
{
	uint32_t nh;

	if (rte_lpm_lookup(t->lpm4, rte_be_to_cpu_32(ip), &nh) != 0)
		return NULL;
	return gw_tables_peer(t, nh);
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

#endif /* GW_TABLES_H */
