/* SPDX-License-Identifier: MIT */
/*
 * Peers as the control lcore manages them: creation and removal, keys,
 * endpoint, AllowedIPs, and the three keypair slots. Every change a worker
 * can observe is one atomic pointer store (a keypair slot, an endpoint,
 * a peer slot, the receiver-index hash with RCU, or the route tables'
 * copies switched by gw_tables_routes_apply), and the old object is
 * retired for freeing after a grace period.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "gw_control.h"
#include "gw_neighbour.h"
#include "gw_keypair_pool.h"
#include "gw_policy.h"
#include "gw_staging.h"
#include "gw_tables.h"
#include "wg_crypto.h"

/* The keymap asks for the key of a slot it holds: a live peer's. */
static const uint8_t *peer_key(const void *arg, uint32_t id)
{
	const struct gw_tables *t = arg;

	return t->peers[id]->public_key;
}

/* act slots in each peer: set from the worker count by gw_peers_init();
 * until then (tests that build peers by hand) room for every worker. */
static unsigned int peer_act_slots = GW_MAX_WORKERS + 1;

int gw_peers_init(struct gw_ctx *ctx)
{
	struct gw_control *c = ctx->control;
	uint32_t i, max = ctx->tables->max_peers;

	peer_act_slots = ctx->n_workers + 1;

	/* libc, not the DPDK heap: nothing here is read by a worker */
	c->free_ids = calloc(max, sizeof(*c->free_ids));
	c->kp_pool = gw_kp_pool_create(ctx->tables->qsbr, max, 0);
	if (!c->free_ids || !c->kp_pool ||
	    wg_keymap_init(&c->by_key, max, peer_key, ctx->tables, NULL) < 0) {
		free(c->free_ids);
		c->free_ids = NULL;
		gw_kp_pool_destroy(c->kp_pool);
		c->kp_pool = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < max; i++)
		c->free_ids[i] = i;
	c->max_peers = max;
	c->free_head = 0;
	c->n_free = max;
	/* a session is one keypair in steady state; a second one only
	 * around a rekey (gw_peer_tick_previous, or a responder's next) */
	GW_LOG(INFO, "peer memory: up to %u peers: %zu bytes per peer with a session = peer %zu (%u activity slots of %zu) + 1 pooled keypair of %zu; %zu while it rekeys (a previous or next keypair, the previous one kept until REKEY_TIMEOUT (%d s) after the first packet on the new one); keypairs up to %u, allocated as sessions appear; the tables' share comes on top",
	       max, gw_peer_session_bytes(), gw_peer_size(), peer_act_slots,
	       sizeof(struct gw_peer_act), sizeof(struct gw_keypair),
	       gw_peer_rekeying_bytes(), (int)WG_REKEY_TIMEOUT,
	       gw_kp_pool_cap(c->kp_pool));
	return 0;
}

size_t gw_peer_session_bytes(void)
{
	return gw_peer_size() + sizeof(struct gw_keypair);
}

size_t gw_peer_rekeying_bytes(void)
{
	return gw_peer_size() + 2 * sizeof(struct gw_keypair);
}

void gw_peers_free(struct gw_ctx *ctx)
{
	struct gw_control *c = ctx->control;

	while (c->peers)
		gw_peer_remove(ctx, c->peers);
	wg_keymap_free(&c->by_key);
	free(c->free_ids);
	c->free_ids = NULL;
	c->n_free = 0;
	gw_kp_pool_destroy(c->kp_pool);
	c->kp_pool = NULL;
}

struct gw_peer *gw_peer_find(struct gw_ctx *ctx, const uint8_t pub[WG_KEY_LEN])
{
	uint32_t id = wg_keymap_find(&ctx->control->by_key, pub);

	return id == WG_KEYMAP_NONE ? NULL : ctx->tables->peers[id];
}

struct gw_peer *gw_peer_add_in(struct gw_ctx *ctx,
			       const uint8_t pub[WG_KEY_LEN],
			       struct gw_peer *peer)
{
	struct gw_control *c = ctx->control;
	struct gw_tables *t = ctx->tables;
	uint32_t id;

	if (!c->n_free)
		return NULL;
	/* Slots are handed out oldest-freed first: a packet or event a
	 * worker tagged with a removed peer's id just before the removal
	 * then finds an empty slot, not a new peer, unless max_peers other
	 * peers were removed in between. */
	id = c->free_ids[c->free_head];
	if (wg_keymap_add(&c->by_key, pub, id) < 0)
		return NULL;
	c->free_head = (c->free_head + 1) % c->max_peers;
	c->n_free--;
	peer->id = id;
	memcpy(peer->public_key, pub, WG_KEY_LEN);
	wg_handshake_init(&peer->hs, &c->id, pub, NULL);
	wg_cookie_maker_init(&peer->cookie, pub);
	wg_timers_init(&peer->timers, NULL, NULL);
	wg_timers_set_params(&peer->timers, &c->timer_params);

	peer->list_prev = c->peers_tail;
	if (c->peers_tail)
		c->peers_tail->list_next = peer;
	else
		c->peers = peer;
	c->peers_tail = peer;
	c->n_peers++;
	/* its policy before any worker can see it */
	gw_policy_peer_added(ctx, peer);
	__atomic_store_n(&t->peers[id], peer, __ATOMIC_RELEASE);
	gw_peer_wake(ctx, peer);
	return peer;
}

size_t gw_peer_size(void)
{
	return sizeof(struct gw_peer) +
	       peer_act_slots * sizeof(struct gw_peer_act);
}

struct gw_peer *gw_peer_alloc(void)
{
	return rte_zmalloc("gw_peer", gw_peer_size(), RTE_CACHE_LINE_SIZE);
}

uint32_t gw_peer_next_id(const struct gw_ctx *ctx, uint32_t k)
{
	const struct gw_control *c = ctx->control;

	return k < c->n_free ?
		       c->free_ids[(c->free_head + k) % c->max_peers] :
		       UINT32_MAX;
}

struct gw_peer *gw_peer_add(struct gw_ctx *ctx, const uint8_t pub[WG_KEY_LEN])
{
	struct gw_peer *peer, *mem;

	if (!ctx->control->n_free)
		return NULL;
	mem = gw_peer_alloc();
	if (!mem)
		return NULL;
	peer = gw_peer_add_in(ctx, pub, mem);
	if (!peer)
		rte_free(mem);
	return peer;
}

void gw_peer_wake(struct gw_ctx *ctx, struct gw_peer *peer)
{
	struct gw_control *c = ctx->control;

	if (peer->ticking)
		return;
	peer->ticking = true;
	peer->tick_next = NULL;
	peer->tick_prev = c->tick_tail;
	if (c->tick_tail)
		c->tick_tail->tick_next = peer;
	else
		c->tick_head = peer;
	c->tick_tail = peer;
	c->n_ticking++;
}

void gw_peer_sleep(struct gw_ctx *ctx, struct gw_peer *peer)
{
	struct gw_control *c = ctx->control;

	if (!peer->ticking)
		return;
	if (c->tick_cursor == peer)
		c->tick_cursor = peer->tick_next;
	if (peer->tick_prev)
		peer->tick_prev->tick_next = peer->tick_next;
	else
		c->tick_head = peer->tick_next;
	if (peer->tick_next)
		peer->tick_next->tick_prev = peer->tick_prev;
	else
		c->tick_tail = peer->tick_prev;
	peer->tick_next = peer->tick_prev = NULL;
	peer->ticking = false;
	c->n_ticking--;
}

/* A previous keypair keeps the peer ticking until it is retired. */
bool gw_peer_dormant(const struct gw_peer *peer)
{
	return !peer->kp_current && !peer->kp_previous && !peer->kp_next &&
	       !peer->hs_index && !peer->n_staged &&
	       wg_timers_next_deadline(&peer->timers) == WG_TIMER_OFF;
}

static void kp_retire(struct gw_ctx *ctx, struct gw_keypair *kp)
{
	if (!kp)
		return;
	gw_tables_index_del(ctx->tables, kp->local_index);
	gw_kp_pool_retire(ctx->control->kp_pool, kp);
}

void gw_peer_zero_keys(struct gw_ctx *ctx, struct gw_peer *peer)
{
	struct gw_keypair *cur = peer->kp_current, *prev = peer->kp_previous,
			  *next = peer->kp_next;

	gw_kp_store(&peer->kp_current, NULL);
	gw_kp_store(&peer->kp_previous, NULL);
	gw_kp_store(&peer->kp_next, NULL);
	peer->previous_until_ns = 0;
	kp_retire(ctx, cur);
	kp_retire(ctx, prev);
	kp_retire(ctx, next);
	if (peer->hs_index) {
		gw_tables_index_del(ctx->tables, peer->hs_index);
		peer->hs_index = 0;
	}
	wg_handshake_clear(&peer->hs);
}

void gw_peer_remove_unrouted(struct gw_ctx *ctx, struct gw_peer *peer)
{
	struct gw_control *c = ctx->control;

	/* first: the keymap reads keys through peers[] */
	wg_keymap_del(&c->by_key, peer->public_key);
	gw_peer_sleep(ctx, peer);
	free(peer->allowed_ips);
	peer->allowed_ips = NULL;
	peer->n_allowed_ips = 0;
	peer->cap_allowed_ips = 0;
	__atomic_store_n(&ctx->tables->peers[peer->id], NULL, __ATOMIC_RELEASE);
	gw_peer_zero_keys(ctx, peer);
	gw_staging_drop(ctx, peer, GW_CTR_DROP_PEER_REMOVED);
	gw_tables_retire(ctx->tables, peer->endpoint, GW_RETIRE_FREE, 0);
	wg_timers_stop(&peer->timers);
	wg_handshake_destroy(&peer->hs);
	wg_cookie_maker_wipe(&peer->cookie);
	wg_wipe(peer->preshared_key, sizeof(peer->preshared_key));

	if (peer->list_prev)
		peer->list_prev->list_next = peer->list_next;
	else
		c->peers = peer->list_next;
	if (peer->list_next)
		peer->list_next->list_prev = peer->list_prev;
	else
		c->peers_tail = peer->list_prev;
	c->n_peers--;
	c->free_ids[(c->free_head + c->n_free++) % c->max_peers] = peer->id;
	/* a worker may still be looking at it */
	gw_tables_retire(ctx->tables, peer, GW_RETIRE_WIPE_FREE,
			 gw_peer_size());
}

void gw_peer_remove(struct gw_ctx *ctx, struct gw_peer *peer)
{
	/* its prefixes in one batch (one grace period); deleting cannot
	 * run out of room, and if the batch cannot even be described the
	 * prefixes go one by one */
	if (peer->n_allowed_ips &&
	    gw_tables_routes_apply(ctx->tables, peer->allowed_ips, NULL,
				   peer->n_allowed_ips, true) < 0)
		for (uint32_t i = 0; i < peer->n_allowed_ips; i++)
			gw_tables_route_del(ctx->tables, &peer->allowed_ips[i]);
	gw_peer_remove_unrouted(ctx, peer);
}

void gw_peer_set_psk(struct gw_ctx *ctx, struct gw_peer *peer,
		     const uint8_t *psk)
{
	bool has = psk && !wg_is_zero(psk, WG_KEY_LEN);

	/* the same key again (wg syncconf) changes nothing: re-initialising
	 * the handshake would drop one in flight (constant time: a key) */
	if (has == peer->has_preshared_key &&
	    (!has || wg_equal(psk, peer->preshared_key, WG_KEY_LEN)))
		return;
	peer->has_preshared_key = has;
	if (peer->has_preshared_key)
		memcpy(peer->preshared_key, psk, WG_KEY_LEN);
	else
		wg_wipe(peer->preshared_key, WG_KEY_LEN);
	wg_handshake_init(&peer->hs, &ctx->control->id, peer->public_key,
			  peer->has_preshared_key ? peer->preshared_key : NULL);
}

void gw_peer_use_endpoint(struct gw_ctx *ctx, struct gw_peer *peer,
			  struct wg_endpoint *nep)
{
	struct wg_endpoint *old = peer->endpoint;
	uint8_t nh[16];

	if (nep && old && memcmp(old, nep, sizeof(*nep)) == 0) {
		rte_free(nep);
		return;
	}
	/* resolve the next hop before the first packet needs it */
	if (nep && gw_nexthop(&ctx->port[GW_WAN], nep->family, nep->addr, nh))
		gw_neigh_want(ctx, GW_WAN, nep->family, nh);
	/* a change (roaming, `wg set`), not the first endpoint a peer gets */
	if (old && nep) {
		char buf[WG_ENDPOINT_STR_LEN];

		GW_PEER_LOG(&ctx->control->peer_log, gw_now_ns(ctx), peer,
			    "endpoint changed to %s",
			    wg_endpoint_format(buf, nep));
	}
	__atomic_store_n(&peer->endpoint, nep, __ATOMIC_RELEASE);
	gw_tables_retire(ctx->tables, old, GW_RETIRE_FREE, 0);
	/* nowhere to send a handshake to: nothing held may wait for one */
	if (!nep)
		gw_staging_drop(ctx, peer, GW_CTR_DROP_PEER_WITHOUT_ENDPOINT);
	gw_peer_wake(ctx, peer);
}

struct wg_endpoint *gw_endpoint_new(const struct wg_endpoint *ep)
{
	struct wg_endpoint *nep = rte_malloc("gw_ep", sizeof(*nep), 0);

	if (nep)
		*nep = *ep;
	return nep;
}

void gw_peer_set_endpoint(struct gw_ctx *ctx, struct gw_peer *peer,
			  const struct wg_endpoint *ep)
{
	struct wg_endpoint *nep = NULL;

	if (ep && ep->family != WG_FAMILY_NONE) {
		if (peer->endpoint &&
		    memcmp(peer->endpoint, ep, sizeof(*ep)) == 0)
			return;
		nep = gw_endpoint_new(ep);
		if (!nep) {
			/* not silently: the peer keeps its old endpoint */
			GW_LOG(ERR, "peer %u: out of memory for a new endpoint, "
				    "keeping the old one", peer->id);
			return;
		}
	}
	gw_peer_use_endpoint(ctx, peer, nep);
}

void gw_peer_set_keepalive(struct gw_ctx *ctx, struct gw_peer *peer,
			   uint16_t seconds)
{
	(void)ctx;
	peer->persistent_keepalive = seconds;
	/* the caller sends the first keepalive when this returns true */
	wg_timers_persistent_keepalive_set(&peer->timers, seconds);
}

void gw_peer_use_allowed_ips(struct gw_peer *peer, struct wg_prefix *list,
			     uint32_t n, uint32_t cap)
{
	free(peer->allowed_ips);
	peer->allowed_ips = list;
	peer->n_allowed_ips = n;
	peer->cap_allowed_ips = cap;
}

int gw_peer_install_keypair(struct gw_ctx *ctx, struct gw_peer *peer,
			    const struct wg_keypair *wkp)
{
	struct gw_keypair *kp, *old_prev, *old_next, *old_cur;

	kp = gw_kp_pool_get(ctx->control->kp_pool);
	if (!kp) {
		if (ctx->ctrl_lc.stats) /* NULL in hand-built worlds */
			gw_count(ctx->ctrl_lc.stats,
				 GW_CTR_DROP_HANDSHAKE_KEYPAIR_POOL_EMPTY, 1);
		return -ENOMEM;
	}
	memcpy(kp->send_key, wkp->sending_key, WG_KEY_LEN);
	memcpy(kp->recv_key, wkp->receiving_key, WG_KEY_LEN);
	kp->local_index = wkp->local_index;
	kp->remote_index = wkp->remote_index;
	kp->we_are_initiator = wkp->we_are_initiator;
	gw_kp_born(kp, peer->id, gw_now_ns(ctx));
	wg_replay_init(&kp->replay);
	/* the handshake's entry becomes the keypair's: same index */
	if (gw_tables_index_add(ctx->tables, kp->local_index,
				(uintptr_t)kp) < 0) {
		gw_kp_pool_retire(ctx->control->kp_pool, kp);
		return -ENOSPC;
	}
	if (peer->hs_index == kp->local_index)
		peer->hs_index = 0;
	gw_peer_wake(ctx, peer);

	old_prev = peer->kp_previous;
	old_next = peer->kp_next;
	old_cur = peer->kp_current;
	/* whatever is previous now, its peer has not switched yet */
	peer->previous_until_ns = 0;
	if (kp->we_are_initiator) {
		/* as the Linux driver: an unconfirmed next becomes previous
		 * (the peer may still use it), else the current one does */
		if (old_next) {
			gw_kp_store(&peer->kp_next, NULL);
			gw_kp_store(&peer->kp_previous, old_next);
			gw_kp_store(&peer->kp_current, kp);
			kp_retire(ctx, old_cur);
		} else {
			gw_kp_store(&peer->kp_previous, old_cur);
			gw_kp_store(&peer->kp_current, kp);
		}
		kp_retire(ctx, old_prev);
	} else {
		/* the responder may only send once the initiator used it */
		gw_kp_store(&peer->kp_next, kp);
		gw_kp_store(&peer->kp_previous, NULL);
		kp_retire(ctx, old_next);
		kp_retire(ctx, old_prev);
	}
	return 0;
}

bool gw_peer_confirm_next(struct gw_ctx *ctx, struct gw_peer *peer,
			  uint32_t local_index)
{
	struct gw_keypair *next = peer->kp_next, *old_prev = peer->kp_previous;

	if (!next || next->local_index != local_index)
		return false;
	gw_kp_store(&peer->kp_previous, peer->kp_current);
	gw_kp_store(&peer->kp_current, next);
	gw_kp_store(&peer->kp_next, NULL);
	/* the next tick sees the confirming packet in the window */
	peer->previous_until_ns = 0;
	kp_retire(ctx, old_prev);
	return true;
}

/*
 * Why the previous keypair need not live as long as the session. The
 * Linux driver and wireguard-go keep it until the next handshake
 * replaces it (or the keys are zeroed after 3 x REJECT_AFTER_TIME): it
 * costs them a few hundred bytes. Here it is 1,536 bytes a peer, half
 * of a session. It serves only packets the peer sent before it switched
 * to the current keypair, and we know the peer has switched once the
 * current keypair authenticated a packet from it: an initiator peer
 * sends on the new keypair from its response on, a responder peer from
 * our first packet on it on (its confirmation), and neither goes back.
 * So the first packet on the current keypair (the replay window's top,
 * raised only after authentication) starts a countdown of rekey_timeout
 * (REKEY_TIMEOUT, 5 s): the time the protocol itself gives a message to
 * arrive before it counts it lost, far beyond any reordering. Until the
 * first packet, however long, nothing is retired (our response or first
 * packet may have been lost, and the peer is still on the old keypair;
 * the same when both sides initiated at once and the peer's current is
 * our previous). A previous keypair that expired decrypts nothing any
 * more and goes at once.
 */
void gw_peer_tick_previous(struct gw_ctx *ctx, struct gw_peer *peer,
			   uint64_t now)
{
	const struct wg_timer_params *tp = &ctx->control->timer_params;
	struct gw_keypair *prev = peer->kp_previous, *cur = peer->kp_current;

	if (!prev)
		return;
	if (!peer->previous_until_ns && cur &&
	    atomic_load_explicit(&cur->replay.top, memory_order_acquire))
		peer->previous_until_ns = now + tp->rekey_timeout;
	if ((!peer->previous_until_ns || now < peer->previous_until_ns) &&
	    !wg_keypair_expired(tp, prev->birth_ns, now, 0))
		return;
	gw_kp_store(&peer->kp_previous, NULL);
	peer->previous_until_ns = 0;
	kp_retire(ctx, prev);
}

bool gw_peer_confirm_used_next(struct gw_ctx *ctx, struct gw_peer *peer)
{
	struct gw_keypair *next = peer->kp_next;

	/* the worker sets the flag before it tries to post the event */
	if (!next || !__atomic_load_n(&next->used_reported, __ATOMIC_ACQUIRE))
		return false;
	return gw_peer_confirm_next(ctx, peer, next->local_index);
}

/* One field of the act slots, summed over the lcores that write them. */
static uint64_t act_sum(const struct gw_ctx *ctx, const struct gw_peer *peer,
			size_t off)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i <= ctx->n_workers; i++)
		sum += __atomic_load_n(
			(const uint64_t *)((const uint8_t *)&peer->act[i] + off),
			__ATOMIC_RELAXED);
	return sum;
}

void gw_peer_bytes(const struct gw_ctx *ctx, const struct gw_peer *peer,
		   uint64_t *rx, uint64_t *tx)
{
	*rx = act_sum(ctx, peer, offsetof(struct gw_peer_act, rx_bytes));
	*tx = act_sum(ctx, peer, offsetof(struct gw_peer_act, tx_bytes));
}

void gw_peer_packets(const struct gw_ctx *ctx, const struct gw_peer *peer,
		     uint64_t *rx, uint64_t *tx)
{
	*rx = act_sum(ctx, peer, offsetof(struct gw_peer_act, rx_packets));
	*tx = act_sum(ctx, peer, offsetof(struct gw_peer_act, tx_packets));
}

void gw_peer_drops(const struct gw_ctx *ctx, const struct gw_peer *peer,
		   uint64_t drops[GW_PDROP_MAX])
{
	unsigned int d;

	(void)ctx;
	for (d = 0; d < GW_PDROP_MAX; d++)
		drops[d] = __atomic_load_n(&peer->drops[d], __ATOMIC_RELAXED);
}
