/* SPDX-License-Identifier: MIT */
/*
 * The snapshot mailbox (see gw_counters.h). The slot goes
 * IDLE -> POSTED (requester) -> SERVING -> DONE (control lcore) -> IDLE
 * (requester). A requester that gives up takes its request back with a
 * compare-and-swap POSTED -> IDLE; if the control lcore took it first
 * (SERVING), the requester waits for DONE, which comes after one bounded
 * fill. So the control lcore only ever writes into a buffer whose owner
 * is still waiting for it.
 */
#include "gw_counters.h"

#include <stdio.h>

#include "gw_policy.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "gw_control.h"
#include "gw_ctrl_rings.h"
#include "gw_neighbour.h"
#include "gw_staging.h"
#include "gw_tables.h"
#include "gw_worker_priv.h"

enum mb_state { MB_IDLE, MB_POSTED, MB_SERVING, MB_DONE };
enum snap_kind { SNAP_TOTALS, SNAP_SLICE, SNAP_ONE };

struct gw_counters {
	struct gw_ctx *ctx;
	pthread_mutex_t lock;   /* requesters take turns; never the control lcore */
	uint32_t state;         /* enum mb_state, atomic */
	bool closed;            /* atomic */
	/* the request, written by its requester before POSTED */
	enum snap_kind kind;
	uint32_t cursor;        /* SNAP_SLICE: first slot; SNAP_ONE: id */
	bool by_key;
	uint8_t key[WG_KEY_LEN];
	void *out;
	int result;
};

struct gw_counters *gw_counters_create(struct gw_ctx *ctx)
{
	struct gw_counters *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->ctx = ctx;
	pthread_mutex_init(&k->lock, NULL);
	return k;
}

void gw_counters_close(struct gw_counters *k)
{
	if (k)
		__atomic_store_n(&k->closed, true, __ATOMIC_RELEASE);
}

void gw_counters_free(struct gw_counters *k)
{
	if (!k)
		return;
	pthread_mutex_destroy(&k->lock);
	free(k);
}

/* ------------------------------------------------ control lcore side */

static void snap_worker(struct gw_ctx *ctx, const struct gw_lcore *lc,
			struct gw_worker_snap *w)
{
	const struct gw_lcore_stats *s = &ctx->stats->lcore[lc->lcore_id];
	const struct gw_spread *sp = lc->spread;

	/* other lcores' counters: relaxed reads, as gw_stats_sum */
#define LD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
	w->lcore_id = lc->lcore_id;
	w->rx[GW_LAN] = LD(s->c[GW_CTR_RX_LAN]);
	w->rx[GW_WAN] = LD(s->c[GW_CTR_RX_WAN]);
	w->tx[GW_LAN] = LD(s->c[GW_CTR_TX_LAN]);
	w->tx[GW_WAN] = LD(s->c[GW_CTR_TX_WAN]);
	w->busy_cycles = LD(s->c[GW_CTR_POLL_BUSY_CYCLES]);
	w->idle_cycles = LD(s->c[GW_CTR_POLL_IDLE_CYCLES]);
	w->spreads = sp != NULL;
	if (sp) {
		w->spread_outstanding = LD(sp->head) - LD(sp->tail);
		w->spread_queued = rte_ring_count(sp->in);
	}
#undef LD
}

static void snap_totals(struct gw_ctx *ctx, struct gw_totals *t)
{
	struct gw_control *c = ctx->control;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < GW_CTR_MAX; i++)
		t->c[i] = gw_stats_sum(ctx->stats, i);
	t->mbufs_in_use = rte_mempool_in_use_count(ctx->pool);
	t->mbufs_staged = gw_staging_total(ctx);
	t->mbufs_neighbour = gw_neigh_held(ctx);
	t->mbufs_control_ring = gw_ctrl_rings_depth(ctx);
	t->events_queued = rte_ring_count(ctx->event_ring);
	t->n_peers = c->n_peers;
	t->max_peers = c->max_peers;
	t->tsc_hz = ctx->tsc_hz;
	memcpy(t->ifname, c->name, sizeof(t->ifname));
	t->n_workers = ctx->n_workers;
	for (i = 0; i < ctx->n_workers; i++)
		snap_worker(ctx, &ctx->workers[i], &t->w[i]);
}

static uint64_t kp_age(struct gw_keypair **slot, uint64_t now)
{
	const struct gw_keypair *kp = gw_kp_load(slot);

	return kp ? now - kp->birth_ns : GW_SNAP_NO_KEYPAIR;
}

/* Append peer to s; false (nothing appended) when its AllowedIPs would
 * not fit any more. */
static bool snap_peer(struct gw_ctx *ctx, struct gw_peer *p,
		      struct gw_peer_slice *s, uint64_t now)
{
	uint32_t np = RTE_MIN(p->n_allowed_ips, (uint32_t)GW_SNAP_PEER_PREFIXES);
	const struct wg_endpoint *ep = gw_peer_endpoint(p);
	struct gw_peer_snap *o;

	if (s->n >= GW_SNAP_SLICE || s->n_prefixes + np > GW_SNAP_PREFIXES)
		return false;
	o = &s->p[s->n++];
	memset(o, 0, sizeof(*o));
	o->id = p->id;
	memcpy(o->public_key, p->public_key, WG_KEY_LEN);
	if (ep)
		o->endpoint = *ep;
	gw_peer_bytes(ctx, p, &o->rx_bytes, &o->tx_bytes);
	gw_peer_packets(ctx, p, &o->rx_packets, &o->tx_packets);
	gw_peer_drops(ctx, p, o->drops);
	o->last_handshake_unix_ns = p->last_handshake_unix_ns;
	o->kp_age_ns[GW_KP_CURRENT] = kp_age(&p->kp_current, now);
	o->kp_age_ns[GW_KP_PREVIOUS] = kp_age(&p->kp_previous, now);
	o->kp_age_ns[GW_KP_NEXT] = kp_age(&p->kp_next, now);
	o->staged = p->n_staged;
	o->n_allowed_ips = p->n_allowed_ips;
	o->to_peer_mbit = p->policy.to_peer_mbit;
	o->from_peer_mbit = p->policy.from_peer_mbit;
	{
		const char *acl = gw_policy_acl_name(ctx, p->policy.acl);

		snprintf(o->acl, sizeof(o->acl), "%s", acl ? acl : "");
	}
	o->first_prefix = s->n_prefixes;
	o->n_prefixes = np;
	memcpy(&s->prefixes[s->n_prefixes], p->allowed_ips,
	       np * sizeof(struct wg_prefix));
	s->n_prefixes += np;
	return true;
}

static int snap_slice(struct gw_ctx *ctx, uint32_t cursor,
		      struct gw_peer_slice *s)
{
	struct gw_tables *t = ctx->tables;
	uint64_t now = gw_now_ns(ctx);
	uint32_t id, end;

	s->n = 0;
	s->n_prefixes = 0;
	end = cursor < t->max_peers ?
		      cursor + RTE_MIN(t->max_peers - cursor,
				       (uint32_t)GW_SNAP_SCAN) :
		      t->max_peers;
	for (id = cursor; id < end; id++) {
		struct gw_peer *p = t->peers[id];

		if (p && !snap_peer(ctx, p, s, now))
			break;
	}
	s->next = id;
	s->done = id >= t->max_peers;
	return 0;
}

static int snap_one(struct gw_counters *k, struct gw_peer_slice *s)
{
	struct gw_ctx *ctx = k->ctx;
	struct gw_peer *p;

	s->n = 0;
	s->n_prefixes = 0;
	s->done = true;
	if (k->by_key)
		p = gw_peer_find(ctx, k->key);
	else
		p = k->cursor < ctx->tables->max_peers ?
			    ctx->tables->peers[k->cursor] :
			    NULL;
	if (!p)
		return -ENOENT;
	snap_peer(ctx, p, s, gw_now_ns(ctx));
	return 0;
}

void gw_counters_serve(struct gw_counters *k)
{
	uint32_t expect = MB_POSTED;

	if (!k || __atomic_load_n(&k->state, __ATOMIC_RELAXED) != MB_POSTED)
		return;
	if (!__atomic_compare_exchange_n(&k->state, &expect, MB_SERVING, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	switch (k->kind) {
	case SNAP_TOTALS:
		snap_totals(k->ctx, k->out);
		k->result = 0;
		break;
	case SNAP_SLICE:
		k->result = snap_slice(k->ctx, k->cursor, k->out);
		break;
	case SNAP_ONE:
		k->result = snap_one(k, k->out);
		break;
	}
	__atomic_store_n(&k->state, MB_DONE, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------- requester side */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The request fields but state are set by the caller under k->lock. */
static int ask(struct gw_counters *k)
{
	const struct timespec nap = { .tv_nsec = 20000 };
	uint64_t deadline = mono_ms() + GW_SNAP_WAIT_MS;
	uint32_t st;

	k->result = -ETIMEDOUT;
	__atomic_store_n(&k->state, MB_POSTED, __ATOMIC_RELEASE);
	for (;;) {
		st = __atomic_load_n(&k->state, __ATOMIC_ACQUIRE);
		if (st == MB_DONE)
			break;
		if (st == MB_POSTED &&
		    (__atomic_load_n(&k->closed, __ATOMIC_ACQUIRE) ||
		     mono_ms() >= deadline)) {
			uint32_t expect = MB_POSTED;

			if (__atomic_compare_exchange_n(
				    &k->state, &expect, MB_IDLE, false,
				    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				return __atomic_load_n(&k->closed,
						       __ATOMIC_ACQUIRE) ?
					       -ESHUTDOWN :
					       -ETIMEDOUT;
			continue; /* taken meanwhile: DONE comes soon */
		}
		nanosleep(&nap, NULL);
	}
	__atomic_store_n(&k->state, MB_IDLE, __ATOMIC_RELAXED);
	return k->result;
}

static int request(struct gw_counters *k, enum snap_kind kind,
		   uint32_t cursor, const uint8_t *key, void *out)
{
	int ret;

	if (!k)
		return -ESHUTDOWN;
	pthread_mutex_lock(&k->lock);
	if (__atomic_load_n(&k->closed, __ATOMIC_ACQUIRE)) {
		ret = -ESHUTDOWN;
	} else {
		k->kind = kind;
		k->cursor = cursor;
		k->by_key = key != NULL;
		if (key)
			memcpy(k->key, key, WG_KEY_LEN);
		k->out = out;
		ret = ask(k);
	}
	pthread_mutex_unlock(&k->lock);
	return ret;
}

int gw_counters_totals(struct gw_counters *k, struct gw_totals *out)
{
	return request(k, SNAP_TOTALS, 0, NULL, out);
}

int gw_counters_peers(struct gw_counters *k, uint32_t cursor,
		      struct gw_peer_slice *out)
{
	return request(k, SNAP_SLICE, cursor, NULL, out);
}

int gw_counters_peer(struct gw_counters *k, const uint8_t *key, uint32_t id,
		     struct gw_peer_slice *out)
{
	return request(k, SNAP_ONE, id, key, out);
}
