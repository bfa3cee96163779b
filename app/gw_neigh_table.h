/* SPDX-License-Identifier: MIT */
/*
 * The neighbour table: entries, their states and timers, aging and garbage
 * collection, and the frames held for entries that are not resolved yet.
 * No packets are built here: the table asks for solicitations through a
 * callback (gw_neighbour.c sends ARP / neighbour solicitations) and every
 * function takes the time as an argument, so tests drive it with a fake
 * clock.
 *
 * States, after RFC 4861 7.3.2 and Linux's neighbour code:
 *
 *   INCOMPLETE  no MAC yet; a broadcast ARP request / multicast NS every
 *               GW_NEIGH_RETRY_MS, GW_NEIGH_RETRIES in all, then FAILED
 *   REACHABLE   MAC confirmed by a reply; for a random 0.5..1.5 times
 *               GW_NEIGH_REACHABLE_MS (RFC 4861's ReachableTime), then
 *   STALE       MAC still used as it is; when a worker uses it, PROBE;
 *               an unused one is garbage (see the thresholds below)
 *   PROBE       MAC still used; a unicast solicitation every
 *               GW_NEIGH_RETRY_MS, GW_NEIGH_PROBES in all, then FAILED
 *   FAILED      not kept: its held frames are dropped and counted
 *               (drop_neighbour_unresolved), the entry is removed
 *
 * There is no DELAY state (Linux waits 5 s for an upper layer to confirm
 * a stale entry before probing): nothing above us confirms reachability.
 *
 * Garbage collection, after Linux's gc_thresh1/2/3 (counts of entries):
 *
 *   below GW_NEIGH_GC_THRESH1   nothing is collected
 *   from GW_NEIGH_GC_THRESH1    STALE entries unused for GW_NEIGH_GC_STALE_S
 *   from GW_NEIGH_GC_THRESH2    every STALE entry unused since it went stale
 *   at GW_NEIGH_MAX (thresh3)   a new entry replaces the least recently
 *                               used one that nothing references: not the
 *                               port's gateway (pinned), not one with
 *                               frames held; INCOMPLETE and STALE ones go
 *                               before REACHABLE and PROBE ones
 *
 * At most held_max frames are held over all entries (GW_NEIGH_HELD_MAX in
 * gw_neighbour.h), GW_NEIGH_HOLD per entry. held_max is well below
 * GW_NEIGH_MAX, so a full table always has entries that may go.
 *
 * Readers (workers, gw_neigh_lookup in gw_neighbour.h) find an entry with
 * a lock-free hash lookup and read its MAC with one atomic load. Removal
 * clears the MAC's VALID bit first, then deletes the key; the hash key
 * slot and the entry's slot are given back only after an RCU QSBR grace
 * period (our own defer queue), so a reader never reads another IP's MAC
 * through a stale slot index. Readers set `used` when they use a MAC;
 * the tick turns that into the entry's last-use time and LRU position.
 *
 * Single writer: the control lcore.
 */
#ifndef GW_NEIGH_TABLE_H
#define GW_NEIGH_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "gw_stats.h"

enum gw_neigh_table_limits {
	GW_NEIGH_MAX = 1024,          /* entries at once: gc_thresh3 */
	GW_NEIGH_GC_THRESH1 = 128,    /* below: nothing collected */
	GW_NEIGH_GC_THRESH2 = 512,    /* from here: unused stale ones go */
	/* slots beyond GW_NEIGH_MAX for removed entries that wait for a
	 * grace period, so that a full table can replace entries without
	 * waiting for the workers */
	GW_NEIGH_LIMBO = 256,
	GW_NEIGH_SLOTS = GW_NEIGH_MAX + GW_NEIGH_LIMBO,
	GW_NEIGH_HOLD = 8,            /* frames held per unresolved entry */
	GW_NEIGH_RETRIES = 5,         /* broadcast solicitations */
	GW_NEIGH_PROBES = 3,          /* unicast probes of a stale entry */
	GW_NEIGH_RETRY_MS = 1000,     /* RFC 4861 RetransTimer */
	GW_NEIGH_REACHABLE_MS = 30000, /* RFC 4861 BaseReachableTime */
	GW_NEIGH_GC_STALE_S = 60,     /* Linux gc_stale_time */
};

enum gw_neigh_state {
	GW_NEIGH_FREE = 0,            /* slot not in the table */
	GW_NEIGH_INCOMPLETE,
	GW_NEIGH_REACHABLE,
	GW_NEIGH_STALE,
	GW_NEIGH_PROBE,
	GW_NEIGH_N_STATES,
};

/* How an ARP / ND message speaks of an address (gw_neigh_table_update). */
enum gw_neigh_update_flags {
	/* an answer to our solicitation: the neighbour is reachable */
	GW_NEIGH_CONFIRMED = 1,
	/* the message may replace a MAC we already have (ARP, or ND with
	 * the override flag) */
	GW_NEIGH_OVERRIDE = 2,
};

/* 4-byte aligned: the hash function reads it by words */
struct gw_neigh_key {
	uint8_t role;
	uint8_t family;
	uint8_t pad[2];
	uint8_t ip[16];
} __rte_aligned(4);

#define GW_NEIGH_VALID (UINT64_C(1) << 63)
#define GW_NEIGH_NONE UINT16_MAX

struct gw_neigh_entry {
	uint64_t mac;                 /* atomic: VALID | 48-bit MAC */
	struct gw_neigh_key key;
	uint8_t used;                 /* atomic: set by readers */
	uint8_t state;                /* enum gw_neigh_state */
	uint8_t tries;                /* solicitations sent in this state */
	uint8_t n_held;
	bool pinned;                  /* the port's gateway: never replaced */
	uint16_t lru_prev, lru_next;  /* slot indexes, GW_NEIGH_NONE ends */
	uint64_t timer_ns;            /* next solicitation, or end of REACHABLE */
	uint64_t used_ns;             /* last use seen by the tick */
	uint64_t state_ns;            /* when it entered its state */
	struct rte_mbuf *held[GW_NEIGH_HOLD];
} __rte_cache_aligned;

/* Ask for a solicitation of e's address: unicast to e's MAC (a probe of
 * a stale entry) or broadcast / solicited-node multicast. */
typedef void gw_neigh_solicit_fn(void *arg, const struct gw_neigh_entry *e,
				 bool unicast);

struct gw_neigh_counts {
	unsigned int entries;
	unsigned int incomplete;
	unsigned int reachable;
	unsigned int stale;
	unsigned int probe;
	unsigned int held;            /* frames held over all entries */
};

struct gw_neigh_table {
	struct rte_hash *hash;        /* key -> slot index */
	struct rte_rcu_qsbr *qsbr;
	struct rte_rcu_qsbr_dq *dq;   /* removed slots until a grace period */
	struct gw_neigh_entry *e;     /* GW_NEIGH_SLOTS */
	uint16_t free[GW_NEIGH_SLOTS];
	unsigned int n_free;
	uint16_t lru_head, lru_tail;  /* head: least recently used */
	unsigned int n_live;          /* entries in the hash */
	unsigned int n_state[GW_NEIGH_N_STATES];
	unsigned int n_held, held_max;
	gw_neigh_solicit_fn *solicit;
	void *solicit_arg;
	struct gw_lcore_stats *stats; /* the control lcore's counters */
};

/* name: unique among the process's hashes and defer queues. Returns 0 or
 * -ENOMEM. */
int gw_neigh_table_init(struct gw_neigh_table *t, const char *name,
			struct rte_rcu_qsbr *qsbr, unsigned int held_max,
			gw_neigh_solicit_fn *solicit, void *solicit_arg,
			struct gw_lcore_stats *stats);
/* Frees held frames (not counted: the process stops) and everything
 * else; readers must be gone. */
void gw_neigh_table_fini(struct gw_neigh_table *t);

/* Reader side (any lcore that reports quiescence to t->qsbr, or the
 * control lcore): the MAC of key, when it has one. */
static inline bool gw_neigh_table_lookup(struct gw_neigh_table *t,
					 const struct gw_neigh_key *k,
					 struct rte_ether_addr *mac)
{
	struct gw_neigh_entry *e;
	void *data;
	uint64_t v;

	if (rte_hash_lookup_data(t->hash, k, &data) < 0)
		return false;
	e = &t->e[(uintptr_t)data];
	v = __atomic_load_n(&e->mac, __ATOMIC_ACQUIRE);
	if (!(v & GW_NEIGH_VALID))
		return false;
	/* read before written: the line stays shared while it is set */
	if (!__atomic_load_n(&e->used, __ATOMIC_RELAXED))
		__atomic_store_n(&e->used, 1, __ATOMIC_RELAXED);
	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
	return true;
}

/* Control side. */
struct gw_neigh_entry *gw_neigh_table_find(struct gw_neigh_table *t,
					   const struct gw_neigh_key *k);
/* The entry of k; a new one is INCOMPLETE, and solicited at once when
 * ask (not when the caller is about to update it with a MAC it heard).
 * NULL when the table is full of entries that may not go. */
struct gw_neigh_entry *gw_neigh_table_get(struct gw_neigh_table *t,
					  const struct gw_neigh_key *k,
					  bool pinned, bool ask, uint64_t now);
/* What a neighbour said about its MAC (flags: gw_neigh_update_flags).
 * True when e has a MAC afterwards: send what it holds. */
bool gw_neigh_table_update(struct gw_neigh_table *t,
			   struct gw_neigh_entry *e,
			   const struct rte_ether_addr *mac, unsigned int flags,
			   uint64_t now);
/* Hold a whole frame until e resolves; over a bound the frame is dropped
 * and counted (drop_neighbour_unresolved per entry,
 * drop_neighbour_hold_full over all). Consumes m. */
void gw_neigh_table_hold(struct gw_neigh_table *t, struct gw_neigh_entry *e,
			 struct rte_mbuf *m);
/* Move e's held frames to out (room for GW_NEIGH_HOLD); returns how many. */
unsigned int gw_neigh_table_take_held(struct gw_neigh_table *t,
				      struct gw_neigh_entry *e,
				      struct rte_mbuf **out);
/* Retries, aging, garbage collection; call every few milliseconds. */
void gw_neigh_table_tick(struct gw_neigh_table *t, uint64_t now);
void gw_neigh_table_counts(const struct gw_neigh_table *t,
			   struct gw_neigh_counts *c);

#endif /* GW_NEIGH_TABLE_H */
