/* SPDX-License-Identifier: MIT */
/*
 * The neighbour table's entries, states, aging and garbage collection
 * (see gw_neigh_table.h). Only the control lcore calls these functions.
 */
#include "gw_neigh_table.h"

#include <errno.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_random.h>

/* NS_PER_S (an int) is rte_cycles.h's */
#define NS_PER_MS UINT64_C(1000000)

/* What waits in the defer queue: the hash's key slot and ours. */
struct slot_retire {
	int32_t key_pos;
	uint32_t slot;
};

static void slot_release(void *p, void *elems, unsigned int n)
{
	struct gw_neigh_table *t = p;
	struct slot_retire *r = elems;
	unsigned int i;

	for (i = 0; i < n; i++) {
		rte_hash_free_key_with_position(t->hash, r[i].key_pos);
		t->free[t->n_free++] = (uint16_t)r[i].slot;
	}
}

int gw_neigh_table_init(struct gw_neigh_table *t, const char *name,
			struct rte_rcu_qsbr *qsbr, unsigned int held_max,
			gw_neigh_solicit_fn *solicit, void *solicit_arg,
			struct gw_lcore_stats *stats)
{
	char hname[RTE_HASH_NAMESIZE], qname[32];
	struct rte_hash_parameters hp = {
		.name = hname,
		/* twice the slots: a cuckoo hash may refuse a key well
		 * before it is full, and removed keys keep their key slot
		 * until a grace period is over */
		.entries = 2 * GW_NEIGH_SLOTS,
		.key_len = sizeof(struct gw_neigh_key),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
		/* readers never block; deleting frees no key slot, we do
		 * that after a grace period (slot_release) */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_rcu_qsbr_dq_parameters dq = {
		.name = qname,
		.size = GW_NEIGH_SLOTS,
		.esize = sizeof(struct slot_retire),
		/* give slots back as we go; the tick reclaims the rest */
		.trigger_reclaim_limit = 32,
		.max_reclaim_size = GW_NEIGH_SLOTS,
		.free_fn = slot_release,
		.p = t,
		.v = qsbr,
	};
	unsigned int i;

	memset(t, 0, sizeof(*t));
	snprintf(hname, sizeof(hname), "%s", name);
	snprintf(qname, sizeof(qname), "%s_dq", name);
	t->qsbr = qsbr;
	t->held_max = held_max;
	t->solicit = solicit;
	t->solicit_arg = solicit_arg;
	t->stats = stats;
	t->lru_head = t->lru_tail = GW_NEIGH_NONE;
	t->e = rte_zmalloc("gw_neigh_entries",
			   GW_NEIGH_SLOTS * sizeof(*t->e), RTE_CACHE_LINE_SIZE);
	t->hash = rte_hash_create(&hp);
	if (t->hash)
		t->dq = rte_rcu_qsbr_dq_create(&dq);
	if (!t->e || !t->hash || !t->dq) {
		gw_neigh_table_fini(t);
		return -ENOMEM;
	}
	/* lowest slots first */
	for (i = 0; i < GW_NEIGH_SLOTS; i++)
		t->free[i] = (uint16_t)(GW_NEIGH_SLOTS - 1 - i);
	t->n_free = GW_NEIGH_SLOTS;
	return 0;
}

void gw_neigh_table_fini(struct gw_neigh_table *t)
{
	unsigned int i, j;

	if (t->e)
		for (i = 0; i < GW_NEIGH_SLOTS; i++)
			for (j = 0; j < t->e[i].n_held; j++)
				rte_pktmbuf_free(t->e[i].held[j]);
	/* readers are gone: the grace period is over at once */
	if (t->dq)
		rte_rcu_qsbr_dq_delete(t->dq);
	rte_hash_free(t->hash);
	rte_free(t->e);
	memset(t, 0, sizeof(*t));
}

static uint16_t slot_of(const struct gw_neigh_table *t,
			const struct gw_neigh_entry *e)
{
	return (uint16_t)(e - t->e);
}

/* --------------------------------------------------------------- LRU */

static void lru_unlink(struct gw_neigh_table *t, struct gw_neigh_entry *e)
{
	if (e->lru_prev != GW_NEIGH_NONE)
		t->e[e->lru_prev].lru_next = e->lru_next;
	else
		t->lru_head = e->lru_next;
	if (e->lru_next != GW_NEIGH_NONE)
		t->e[e->lru_next].lru_prev = e->lru_prev;
	else
		t->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = GW_NEIGH_NONE;
}

static void lru_append(struct gw_neigh_table *t, struct gw_neigh_entry *e)
{
	uint16_t s = slot_of(t, e);

	e->lru_prev = t->lru_tail;
	e->lru_next = GW_NEIGH_NONE;
	if (t->lru_tail != GW_NEIGH_NONE)
		t->e[t->lru_tail].lru_next = s;
	else
		t->lru_head = s;
	t->lru_tail = s;
}

static void touch(struct gw_neigh_table *t, struct gw_neigh_entry *e,
		  uint64_t now)
{
	e->used_ns = now;
	if (t->lru_tail != slot_of(t, e)) {
		lru_unlink(t, e);
		lru_append(t, e);
	}
}

/* ------------------------------------------------------------ states */

static void set_state(struct gw_neigh_table *t, struct gw_neigh_entry *e,
		      enum gw_neigh_state s, uint64_t now)
{
	t->n_state[e->state]--;
	t->n_state[s]++;
	e->state = (uint8_t)s;
	e->state_ns = now;
	e->tries = 0;
}

/* RFC 4861 6.3.2: ReachableTime is BaseReachableTime times a random
 * factor in [0.5, 1.5), so that neighbours do not all go stale (and get
 * probed) at once. */
static uint64_t reachable_ns(void)
{
	uint64_t base = GW_NEIGH_REACHABLE_MS * NS_PER_MS;

	return base / 2 + rte_rand_max(base);
}

static void solicit(struct gw_neigh_table *t, struct gw_neigh_entry *e,
		    bool unicast, uint64_t now)
{
	e->tries++;
	e->timer_ns = now + GW_NEIGH_RETRY_MS * NS_PER_MS;
	t->solicit(t->solicit_arg, e, unicast);
}

/* Take e out of the table: readers stop seeing its MAC at once, its
 * slots come back after a grace period. */
static void remove_entry(struct gw_neigh_table *t, struct gw_neigh_entry *e)
{
	struct slot_retire r = { .slot = slot_of(t, e) };

	__atomic_store_n(&e->mac, 0, __ATOMIC_RELEASE);
	r.key_pos = rte_hash_del_key(t->hash, &e->key);
	lru_unlink(t, e);
	t->n_state[e->state]--;
	e->state = GW_NEIGH_FREE;
	t->n_live--;
	if (r.key_pos < 0) {
		/* not in the hash (cannot happen): no reader has it */
		t->free[t->n_free++] = (uint16_t)r.slot;
		return;
	}
	if (rte_rcu_qsbr_dq_enqueue(t->dq, &r) != 0) {
		/* cannot happen either (the queue has a place for every
		 * slot): wait out the grace period here */
		rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
		slot_release(t, &r, 1);
	}
}

static void drop_held(struct gw_neigh_table *t, struct gw_neigh_entry *e)
{
	unsigned int i;

	for (i = 0; i < e->n_held; i++)
		rte_pktmbuf_free(e->held[i]);
	gw_count(t->stats, GW_CTR_DROP_NEIGHBOUR_UNRESOLVED, e->n_held);
	t->n_held -= e->n_held;
	e->n_held = 0;
}

/* FAILED: nobody answered. */
static void fail(struct gw_neigh_table *t, struct gw_neigh_entry *e)
{
	drop_held(t, e);
	gw_count(t->stats, GW_CTR_NEIGHBOUR_ENTRIES_FAILED, 1);
	remove_entry(t, e);
}

/* ---------------------------------------------------------- entries */

struct gw_neigh_entry *gw_neigh_table_find(struct gw_neigh_table *t,
					   const struct gw_neigh_key *k)
{
	void *data;

	if (rte_hash_lookup_data(t->hash, k, &data) < 0)
		return NULL;
	return &t->e[(uintptr_t)data];
}

/*
 * Room for one more at GW_NEIGH_MAX: the least recently used entry that
 * is neither pinned nor holding frames, an unresolved or stale one before
 * one in use. At most GW_NEIGH_MAX steps.
 */
static bool make_room(struct gw_neigh_table *t)
{
	struct gw_neigh_entry *any = NULL, *e;
	uint16_t s;

	for (s = t->lru_head; s != GW_NEIGH_NONE; s = e->lru_next) {
		e = &t->e[s];
		if (e->pinned || e->n_held)
			continue;
		if (e->state == GW_NEIGH_INCOMPLETE ||
		    e->state == GW_NEIGH_STALE) {
			any = e;
			break;
		}
		if (!any)
			any = e;
	}
	if (!any)
		return false;
	gw_count(t->stats, GW_CTR_NEIGHBOUR_ENTRIES_REPLACED, 1);
	remove_entry(t, any);
	return true;
}

static bool take_slot(struct gw_neigh_table *t, uint16_t *slot)
{
	unsigned int freed, pending, avail;

	if (!t->n_free)
		rte_rcu_qsbr_dq_reclaim(t->dq, GW_NEIGH_SLOTS, &freed, &pending,
					&avail);
	if (!t->n_free) {
		/* more removals than GW_NEIGH_LIMBO within one grace
		 * period: wait for the workers (they report once a loop) */
		rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
		rte_rcu_qsbr_dq_reclaim(t->dq, GW_NEIGH_SLOTS, &freed,
					&pending, &avail);
	}
	if (!t->n_free)
		return false;
	*slot = t->free[--t->n_free];
	return true;
}

struct gw_neigh_entry *gw_neigh_table_get(struct gw_neigh_table *t,
					  const struct gw_neigh_key *k,
					  bool pinned, bool ask, uint64_t now)
{
	struct gw_neigh_entry *e = gw_neigh_table_find(t, k);
	uint16_t s;

	if (e)
		return e;
	if (t->n_live >= GW_NEIGH_MAX && !make_room(t))
		return NULL;
	if (!take_slot(t, &s))
		return NULL;
	e = &t->e[s];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->pinned = pinned;
	e->state = GW_NEIGH_INCOMPLETE;
	e->state_ns = now;
	e->lru_prev = e->lru_next = GW_NEIGH_NONE;
	/* published by the add (the hash orders its stores) */
	if (rte_hash_add_key_data(t->hash, k, (void *)(uintptr_t)s) < 0) {
		e->state = GW_NEIGH_FREE;
		t->free[t->n_free++] = s;
		return NULL;
	}
	t->n_live++;
	t->n_state[GW_NEIGH_INCOMPLETE]++;
	lru_append(t, e);
	e->used_ns = now;
	if (ask)
		solicit(t, e, false, now);
	return e;
}

bool gw_neigh_table_update(struct gw_neigh_table *t,
			   struct gw_neigh_entry *e,
			   const struct rte_ether_addr *mac, unsigned int flags,
			   uint64_t now)
{
	uint64_t v = 0, old = __atomic_load_n(&e->mac, __ATOMIC_RELAXED);
	bool has_mac = old & GW_NEIGH_VALID, changed;

	memcpy(&v, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	v |= GW_NEIGH_VALID;
	changed = v != old;
	/* RFC 4861 7.2.5: without override, a different MAC is not taken
	 * over a known one */
	if (has_mac && changed && !(flags & GW_NEIGH_OVERRIDE))
		return true;
	if (changed)
		__atomic_store_n(&e->mac, v, __ATOMIC_RELEASE);
	if (flags & GW_NEIGH_CONFIRMED) {
		set_state(t, e, GW_NEIGH_REACHABLE, now);
		e->timer_ns = now + reachable_ns();
	} else if (!has_mac || changed) {
		/* told, not asked (an ARP request, a neighbour
		 * solicitation, an unsolicited advertisement): use it,
		 * but probe before trusting it for long (RFC 4861 7.2.3) */
		set_state(t, e, GW_NEIGH_STALE, now);
	}
	return true;
}

void gw_neigh_table_hold(struct gw_neigh_table *t, struct gw_neigh_entry *e,
			 struct rte_mbuf *m)
{
	if (e->n_held >= GW_NEIGH_HOLD) {
		gw_count(t->stats, GW_CTR_DROP_NEIGHBOUR_UNRESOLVED, 1);
		rte_pktmbuf_free(m);
		return;
	}
	if (t->n_held >= t->held_max) {
		gw_count(t->stats, GW_CTR_DROP_NEIGHBOUR_HOLD_FULL, 1);
		rte_pktmbuf_free(m);
		return;
	}
	e->held[e->n_held++] = m;
	t->n_held++;
}

unsigned int gw_neigh_table_take_held(struct gw_neigh_table *t,
				      struct gw_neigh_entry *e,
				      struct rte_mbuf **out)
{
	unsigned int n = e->n_held;

	memcpy(out, e->held, n * sizeof(*out));
	t->n_held -= n;
	e->n_held = 0;
	return n;
}

/* ------------------------------------------------------------- tick */

/* Whether an unused stale entry is garbage now (the thresholds in
 * gw_neigh_table.h). */
static bool stale_garbage(const struct gw_neigh_table *t,
			  const struct gw_neigh_entry *e, uint64_t now)
{
	if (t->n_live >= GW_NEIGH_GC_THRESH2)
		return true;
	return t->n_live >= GW_NEIGH_GC_THRESH1 &&
	       now - e->used_ns >= GW_NEIGH_GC_STALE_S * (uint64_t)NS_PER_S;
}

static void tick_entry(struct gw_neigh_table *t, struct gw_neigh_entry *e,
		       uint64_t now)
{
	bool probe;

	if (__atomic_load_n(&e->used, __ATOMIC_RELAXED)) {
		__atomic_store_n(&e->used, 0, __ATOMIC_RELAXED);
		touch(t, e, now);
	}
	switch (e->state) {
	case GW_NEIGH_INCOMPLETE:
	case GW_NEIGH_PROBE:
		/* broadcast while we know no MAC, unicast to the one we
		 * have while probing it */
		probe = e->state == GW_NEIGH_PROBE;
		if (now < e->timer_ns)
			break;
		if (e->tries >= (probe ? GW_NEIGH_PROBES : GW_NEIGH_RETRIES))
			fail(t, e);
		else
			solicit(t, e, probe, now);
		break;
	case GW_NEIGH_REACHABLE:
		if (now >= e->timer_ns)
			set_state(t, e, GW_NEIGH_STALE, now);
		break;
	case GW_NEIGH_STALE:
		if (e->used_ns > e->state_ns) {
			/* used while stale: make sure it is still there */
			set_state(t, e, GW_NEIGH_PROBE, now);
			solicit(t, e, true, now);
		} else if (stale_garbage(t, e, now)) {
			gw_count(t->stats, GW_CTR_NEIGHBOUR_ENTRIES_COLLECTED,
				 1);
			remove_entry(t, e);
		}
		break;
	default:
		break;
	}
}

void gw_neigh_table_tick(struct gw_neigh_table *t, uint64_t now)
{
	unsigned int freed, pending, avail;
	uint16_t s = t->lru_head, last = t->lru_tail;

	/* entries used meanwhile move behind `last`: each is seen once */
	while (s != GW_NEIGH_NONE) {
		struct gw_neigh_entry *e = &t->e[s];
		uint16_t next = e->lru_next;
		bool end = s == last;

		tick_entry(t, e, now);
		if (end)
			break;
		s = next;
	}
	rte_rcu_qsbr_dq_reclaim(t->dq, GW_NEIGH_SLOTS, &freed, &pending,
				&avail);
}

void gw_neigh_table_counts(const struct gw_neigh_table *t,
			   struct gw_neigh_counts *c)
{
	c->entries = t->n_live;
	c->incomplete = t->n_state[GW_NEIGH_INCOMPLETE];
	c->reachable = t->n_state[GW_NEIGH_REACHABLE];
	c->stale = t->n_state[GW_NEIGH_STALE];
	c->probe = t->n_state[GW_NEIGH_PROBE];
	c->held = t->n_held;
}
