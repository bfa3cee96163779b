/* SPDX-License-Identifier: MIT */
/*
 * The control lcore (the main lcore): takes what workers hand over
 * (handshake messages, ARP/ND/ICMP, packets waiting for a session or a
 * neighbour, endpoint and keypair events), runs the Noise handshakes in
 * both roles with cookies under load, drives every peer's timers from the
 * activity workers stamp, and serves the UAPI socket. It sends on its own
 * TX queue of each port.
 */
#include "gw_control.h"
#include "gw_counters.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "gw_ctrl_rings.h"
#include "gw_ctrl_tx.h"
#include "gw_hs_backlog.h"
#include "gw_hs_lane.h"
#include "gw_hs_respond.h"
#include "gw_icmp.h"
#include "gw_neighbour.h"
#include "gw_port.h"
#include "gw_reload.h"
#include "gw_staging.h"
#include "gw_tables.h"
#include "gw_worker.h"
#include "wg_crypto.h"
#include "wg_timers.h"

#define TICK_NS (10 * WG_NSEC_PER_MSEC)
/* Peers visited per tick: every ticking peer each tick while there are
 * at most TICK_PEERS_MIN, else a pass over them all in TICK_PASS_TICKS
 * ticks (500 ms: timers counted in seconds, and the retries' own jitter
 * is 333 ms). A visit costs about half a microsecond (the peer's activity
 * slots and timers, out of cache): a fixed 8,192 a tick made passes of
 * 30,000 peers every 40 ms, and a restart storm's control lcore spent
 * 300-550 ms of each second on ticks once peers had sessions (storm.sh's
 * control_ms_ticks; 800,000 visits a second at 100,000), the time its
 * handshakes needed. Now 100,000 peers cost 200,000 visits a second. */
#define TICK_PEERS_MIN 1024
#define TICK_PASS_TICKS 50

static uint64_t unix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * WG_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* The per-source limit on DH work under load (gw_hs_check_macs) holds
 * every source seen in the last second, and refuses a new one when its
 * bucket is full (fail closed, as Linux): after a restart every peer
 * comes back within REKEY_TIMEOUT's jitter with a cookie that proves its
 * address, so the table must hold them all. The reference 8,192 entries
 * let at most that many of a 100,000-peer storm through each second, the
 * rest counted drop_handshake_ratelimited until their next retry. Four
 * times max_peers (32 B each) keeps a full bucket (8 slots, at most 2 in
 * use on average) about a millionth: with twice, 2 of a 10,000-peer
 * storm were refused and waited a retry period (5 s) for their session. */
static uint32_t ratelimit_entries(uint32_t max_peers)
{
	uint64_t want = 4 * (uint64_t)max_peers;

	return want > WG_RATELIMIT_DEFAULT_ENTRIES ? (uint32_t)want :
						     WG_RATELIMIT_DEFAULT_ENTRIES;
}

int gw_control_create(struct gw_ctx *ctx)
{
	struct gw_control *c = rte_zmalloc("gw_control", sizeof(*c), 0);

	if (!c)
		return -ENOMEM;
	if (wg_ratelimit_init(&c->rl,
			      ratelimit_entries(ctx->tables->max_peers),
			      NULL) < 0) {
		rte_free(c);
		return -ENOMEM;
	}
	c->dev.ctx = ctx;
	ctx->control = c;
	if (gw_peers_init(ctx) < 0 ||
	    gw_hs_backlog_create(ctx, ctx->tables->max_peers) < 0)
		return -ENOMEM;
	wg_timer_params_init(&c->timer_params);
	if (ctx->cfg) {
		const struct wg_testing_config *t = &ctx->cfg->testing;
		struct wg_timer_params *p = &c->timer_params;

		/* test-only shorter durations (wg_config.h) */
		if (t->rekey_after_time)
			p->rekey_after_time = t->rekey_after_time * WG_NSEC_PER_SEC;
		if (t->reject_after_time)
			p->reject_after_time = t->reject_after_time * WG_NSEC_PER_SEC;
		if (t->rekey_attempt_time)
			p->rekey_attempt_time = t->rekey_attempt_time * WG_NSEC_PER_SEC;
		if (t->rekey_timeout)
			p->rekey_timeout = t->rekey_timeout * WG_NSEC_PER_SEC;
		if (t->keepalive_timeout)
			p->keepalive_timeout = t->keepalive_timeout * WG_NSEC_PER_SEC;
		if (t->has_testing)
			GW_LOG(WARNING, "test-only timers: rekey %" PRIu64 " s, reject %" PRIu64 " s, attempts %" PRIu64 " s, retry %" PRIu64 " s, keepalive %" PRIu64 " s",
			       p->rekey_after_time / WG_NSEC_PER_SEC,
			       p->reject_after_time / WG_NSEC_PER_SEC,
			       p->rekey_attempt_time / WG_NSEC_PER_SEC,
			       p->rekey_timeout / WG_NSEC_PER_SEC,
			       p->keepalive_timeout / WG_NSEC_PER_SEC);
	}
	ctx->reject_after_ns = c->timer_params.reject_after_time;
	if (ctx->cfg && ctx->cfg->interface.mss_clamp) {
		ctx->mss4 = (uint16_t)(ctx->mtu - 40);
		ctx->mss6 = (uint16_t)(ctx->mtu - 60);
	}
	return 0;
}

void gw_control_free(struct gw_ctx *ctx)
{
	struct gw_control *c = ctx->control;

	if (!c)
		return;
	if (c->uapi)
		gw_uapi_close(c->uapi);
	c->uapi = NULL;
	gw_peers_free(ctx);
	gw_hs_backlog_free(ctx);
	/* every mbuf a peer held is back: what is still out is held for a
	 * neighbour, or leaked */
	if (ctx->pool)
		GW_LOG(INFO, "%-32s %u", "mbufs_in_use",
		       rte_mempool_in_use_count(ctx->pool));
	GW_LOG(INFO, "%-32s %u", "mbufs_held_for_neighbours",
	       gw_neigh_held(ctx));
	gw_neigh_log_counts(ctx);
	wg_identity_clear(&c->id);
	wg_cookie_checker_wipe(&c->checker);
	wg_ratelimit_free(&c->rl);
	rte_free(c);
	ctx->control = NULL;
}

/* ------------------------------------------------------ sending */

static void send_initiation(struct gw_ctx *ctx, struct gw_peer *peer,
			    bool is_retry);

static bool peer_can_send(struct gw_ctx *ctx, struct gw_peer *peer)
{
	struct gw_keypair *kp = peer->kp_current;

	return kp && peer->endpoint &&
	       !wg_keypair_expired(&ctx->control->timer_params, kp->birth_ns,
				   gw_now_ns(ctx),
				   __atomic_load_n(&kp->send_counter,
						   __ATOMIC_RELAXED));
}

static void send_keepalive(struct gw_ctx *ctx, struct gw_peer *peer)
{
	struct rte_mbuf *m;

	/* as the reference drivers: a keepalive with no session to carry
	 * it asks for one */
	if (!peer_can_send(ctx, peer)) {
		send_initiation(ctx, peer, false);
		return;
	}
	m = rte_pktmbuf_alloc(ctx->pool);
	if (!m) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_NO_MBUF, 1);
		return;
	}
	gw_encap_send(&ctx->ctrl_lc, peer, &m, 1);
}

/* Staged packets go out once a session is usable; true if it was. */
static bool flush_staged(struct gw_ctx *ctx, struct gw_peer *peer)
{
	if (!peer_can_send(ctx, peer))
		return false;
	if (peer->n_staged) {
		gw_encap_send(&ctx->ctrl_lc, peer, peer->staged,
			      peer->n_staged);
		gw_staging_handed_on(ctx, peer);
	}
	return true;
}

static void send_initiation(struct gw_ctx *ctx, struct gw_peer *peer,
			    bool is_retry)
{
	struct gw_control *c = ctx->control;
	struct wg_msg_initiation msg;
	uint64_t now = gw_now_ns(ctx);
	const struct wg_endpoint *ep = peer->endpoint;
	uint32_t idx;

	/* a lane is making the peer's response: that session is on its way */
	if (!ep || !c->id.has_private_key || gw_hs_lane_busy(ctx, peer))
		return;
	gw_peer_wake(ctx, peer);
	if (!wg_timers_want_handshake(&peer->timers, now, is_retry))
		return;
	if (peer->hs_index)
		gw_tables_index_del(ctx->tables, peer->hs_index);
	idx = gw_tables_index_new(ctx->tables);
	if (gw_tables_index_add(ctx->tables, idx,
				(uintptr_t)peer | GW_INDEX_HANDSHAKE) < 0) {
		peer->hs_index = 0;
		return;
	}
	peer->hs_index = idx;
	if (wg_noise_create_initiation(&peer->hs, &c->id, &msg, idx,
				       unix_now_ns(), NULL) != WG_NOISE_OK)
		return;
	wg_cookie_add_macs(&peer->cookie, (uint8_t *)&msg, sizeof(msg), now);
	gw_hs_send_udp(ctx, ep, &msg, sizeof(msg), true);
	gw_hs_count(ctx, peer, 0, sizeof(msg));
	wg_timers_any_authenticated_packet_traversal(&peer->timers, now);
	wg_timers_any_authenticated_packet_sent(&peer->timers);
	wg_timers_handshake_initiated(&peer->timers, now);
	wg_wipe(&msg, sizeof(msg));
}

/* ------------------------------------------------- handshake input */

static void handshake_done(struct gw_peer *peer, uint64_t now)
{
	peer->last_handshake_unix_ns = unix_now_ns();
	wg_timers_handshake_complete(&peer->timers, now);
}

static void on_response(struct gw_ctx *ctx, uint8_t *msg, uint32_t len,
			const struct gw_hs_src *src)
{
	struct gw_control *c = ctx->control;
	const struct wg_msg_response *r = (const void *)msg;
	uintptr_t e = gw_tables_index_get(ctx->tables,
					  wg_get_le32(r->receiver_index));
	struct gw_peer *peer = (struct gw_peer *)(e & ~GW_INDEX_HANDSHAKE);
	struct wg_keypair wkp;
	uint64_t now = gw_now_ns(ctx);

	if (!(e & GW_INDEX_HANDSHAKE) || !peer) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_UNKNOWN_RECEIVER_INDEX,
			 1);
		return;
	}
	if (!gw_hs_check_macs(ctx, msg, len, src, now))
		return;
	gw_hs_test_cost(ctx);
	if (wg_noise_consume_response(&peer->hs, &c->id, r) != WG_NOISE_OK ||
	    wg_noise_derive_keypair(&peer->hs, &wkp) != WG_NOISE_OK) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_HANDSHAKE_REJECTED, 1);
		return;
	}
	gw_peer_set_endpoint(ctx, peer, &src->ep);
	gw_hs_count(ctx, peer, len, 0);
	if (gw_peer_install_keypair(ctx, peer, &wkp) < 0) {
		wg_keypair_wipe(&wkp);
		return;
	}
	wg_keypair_wipe(&wkp);
	wg_timers_any_authenticated_packet_received(&peer->timers);
	wg_timers_any_authenticated_packet_traversal(&peer->timers, now);
	handshake_done(peer, now);
	wg_timers_session_derived(&peer->timers, now);
	GW_PEER_LOG(&c->peer_log, now, peer, "handshake complete (initiator)");
	/* confirm the session at once: staged data, else a keepalive */
	if (peer->n_staged)
		flush_staged(ctx, peer);
	else
		send_keepalive(ctx, peer);
}

static void on_cookie_reply(struct gw_ctx *ctx, uint8_t *msg)
{
	const struct wg_msg_cookie_reply *r = (const void *)msg;
	uintptr_t e = gw_tables_index_get(ctx->tables,
					  wg_get_le32(r->receiver_index));
	struct gw_peer *peer = (struct gw_peer *)(e & ~GW_INDEX_HANDSHAKE);

	if (!(e & GW_INDEX_HANDSHAKE) || !peer ||
	    !wg_cookie_consume_reply(&peer->cookie, r, gw_now_ns(ctx)))
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_COOKIE_REPLY_REJECTED,
			 1);
}

/* An initiation that earned DH work waits for it in the backlog, without
 * its mbuf (gw_hs_backlog.h). */
static void on_initiation(struct gw_ctx *ctx, uint8_t *msg, uint32_t len,
			  const struct gw_hs_src *src)
{
	if (gw_hs_check_macs(ctx, msg, len, src, gw_now_ns(ctx)))
		gw_hs_backlog_push(ctx, msg, len, src);
}

static void handshake_input(struct gw_ctx *ctx, struct rte_mbuf *m)
{
	struct gw_hs_src src;
	uint32_t len;
	uint8_t *msg = gw_hs_parse_udp(m, &src, &len);

	switch (wg_msg_type_word(msg)) {
	case WG_MSG_INITIATION:
		on_initiation(ctx, msg, len, &src);
		break;
	case WG_MSG_RESPONSE:
		on_response(ctx, msg, len, &src);
		break;
	case WG_MSG_COOKIE_REPLY:
		on_cookie_reply(ctx, msg);
		break;
	}
	rte_pktmbuf_free(m);
}

/* ----------------------------------------------- worker hand-overs */

static void stage(struct gw_ctx *ctx, struct rte_mbuf *m, uint32_t peer_id)
{
	struct gw_peer *peer = gw_tables_peer(ctx->tables, peer_id);

	if (!peer) { /* removed since the worker looked */
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_PEER_REMOVED, 1);
		rte_pktmbuf_free(m);
		return;
	}
	if (!gw_staging_hold(ctx, peer, m))
		return;
	gw_peer_wake(ctx, peer);
	if (!flush_staged(ctx, peer))
		send_initiation(ctx, peer, false);
}

static void ctrl_input(struct gw_ctx *ctx, struct rte_mbuf *m)
{
	uint32_t tag = m->hash.usr;

	switch (GW_CTRL_KIND(tag)) {
	case GW_CTRL_LOCAL:
	case GW_CTRL_ARP_ND:
		gw_neigh_input(ctx, GW_CTRL_ARG(tag), m);
		break;
	case GW_CTRL_HANDSHAKE:
		handshake_input(ctx, m);
		break;
	case GW_CTRL_STAGE:
		stage(ctx, m, GW_CTRL_ARG(tag));
		break;
	case GW_CTRL_NEIGH:
		gw_neigh_hold(ctx, GW_CTRL_ARG(tag), m);
		break;
	case GW_CTRL_TOO_BIG:
		gw_icmp_too_big(ctx, GW_CTRL_ARG(tag), m);
		break;
	case GW_CTRL_TTL:
		gw_icmp_time_exceeded(ctx, GW_CTRL_ARG(tag), m);
		break;
	default:
		gw_count(ctx->ctrl_lc.stats, GW_CTR_DROP_CONTROL_PATH, 1);
		rte_pktmbuf_free(m);
	}
}

/* The responder's next keypair carried its first packet. */
static void session_confirmed(struct gw_ctx *ctx, struct gw_peer *peer)
{
	uint64_t now = gw_now_ns(ctx);

	handshake_done(peer, now);
	GW_PEER_LOG(&ctx->control->peer_log, now, peer,
		    "handshake complete (responder)");
	flush_staged(ctx, peer);
}

static void event_input(struct gw_ctx *ctx, const struct gw_event *ev)
{
	struct gw_peer *peer = gw_tables_peer(ctx->tables, ev->peer_id);

	if (!peer)
		return;
	gw_peer_wake(ctx, peer);
	switch (ev->kind) {
	case GW_EV_ENDPOINT:
		gw_peer_set_endpoint(ctx, peer, &ev->ep);
		/* the next change may post again */
		__atomic_store_n(&peer->endpoint_pending, 0, __ATOMIC_RELEASE);
		break;
	case GW_EV_KEYPAIR_USED:
		if (gw_peer_confirm_next(ctx, peer, ev->local_index))
			session_confirmed(ctx, peer);
		break;
	}
}

/* ------------------------------------------------------- timers */

static uint64_t act_max(struct gw_ctx *ctx, struct gw_peer *peer,
			size_t off)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i <= ctx->n_workers; i++) {
		uint64_t x = __atomic_load_n(
			(uint64_t *)((uint8_t *)&peer->act[i] + off),
			__ATOMIC_RELAXED);

		if (x > v)
			v = x;
	}
	return v;
}

/* Turn what the lcores stamped since the last tick into timer events,
 * with the times they happened at, then fire what is due. */
static void peer_tick(struct gw_ctx *ctx, struct gw_peer *peer, uint64_t now)
{
	struct wg_timers *t = &peer->timers;
	uint64_t rx = act_max(ctx, peer, offsetof(struct gw_peer_act,
						  last_rx_ns));
	uint64_t rxd = act_max(ctx, peer, offsetof(struct gw_peer_act,
						   last_rx_data_ns));
	uint64_t tx = act_max(ctx, peer, offsetof(struct gw_peer_act,
						  last_tx_ns));
	uint64_t txd = act_max(ctx, peer, offsetof(struct gw_peer_act,
						   last_tx_data_ns));
	struct gw_keypair *kp;
	unsigned int act;

	/* a KEYPAIR_USED event that found the ring full */
	if (gw_peer_confirm_used_next(ctx, peer)) {
		gw_count(ctx->ctrl_lc.stats, GW_CTR_SESSIONS_CONFIRMED_BY_SWEEP,
			 1);
		session_confirmed(ctx, peer);
	}
	gw_peer_tick_previous(ctx, peer, now);
	kp = peer->kp_current;
	if (rxd > peer->seen_rx_data_ns) {
		wg_timers_data_received(t, rxd);
		if (kp && wg_keypair_needs_rekey_on_receive(
				  &ctx->control->timer_params, kp->birth_ns,
				  now, kp->we_are_initiator) &&
		    wg_timers_claim_lastminute_handshake(t))
			send_initiation(ctx, peer, false);
	}
	if (rx > peer->seen_rx_ns) {
		wg_timers_any_authenticated_packet_received(t);
		wg_timers_any_authenticated_packet_traversal(t, rx);
	}
	/* a send after the receive pays the keepalive owed for it */
	if (tx > peer->seen_tx_ns) {
		if (tx >= rxd)
			wg_timers_any_authenticated_packet_sent(t);
		wg_timers_any_authenticated_packet_traversal(t, tx);
	}
	if (txd > peer->seen_tx_data_ns) {
		wg_timers_data_sent(t, txd);
		if (kp && wg_keypair_needs_rekey_on_send(
				  &ctx->control->timer_params, kp->birth_ns,
				  now,
				  __atomic_load_n(&kp->send_counter,
						  __ATOMIC_RELAXED),
				  kp->we_are_initiator))
			send_initiation(ctx, peer, false);
	}
	peer->seen_rx_ns = rx;
	peer->seen_rx_data_ns = rxd;
	peer->seen_tx_ns = tx;
	peer->seen_tx_data_ns = txd;

	act = wg_timers_poll(t, now);
	if (!act)
		return;
	if (act & WG_TIMER_GIVE_UP) {
		GW_PEER_LOG(&ctx->control->peer_log, now, peer,
			    "handshake gave up, %u packets dropped",
			    peer->n_staged);
		gw_staging_drop(ctx, peer, GW_CTR_DROP_HANDSHAKE_GAVE_UP);
	}
	if (act & WG_TIMER_ZERO_KEYS) {
		GW_PEER_LOG(&ctx->control->peer_log, now, peer,
			    "session expired, keys zeroed");
		gw_peer_zero_keys(ctx, peer);
	}
	if (act & WG_TIMER_SEND_HANDSHAKE)
		send_initiation(ctx, peer, true);
	if (act & WG_TIMER_NEW_HANDSHAKE)
		send_initiation(ctx, peer, false);
	if (act & (WG_TIMER_SEND_KEEPALIVE | WG_TIMER_PERSISTENT_KEEPALIVE))
		send_keepalive(ctx, peer);
}

/* ------------------------------------------------------- loop */

/* Some of the ticking peers (TICK_PEERS_MIN), on from where the last
 * tick stopped (gw_peer_sleep moves the cursor off a peer that leaves). */
unsigned int gw_control_tick_peers(struct gw_ctx *ctx, uint64_t now)
{
	struct gw_control *c = ctx->control;
	struct gw_peer *peer = c->tick_cursor ? c->tick_cursor : c->tick_head;
	struct gw_peer *next;
	unsigned int n, max = RTE_MAX((unsigned int)TICK_PEERS_MIN,
				      c->n_ticking / TICK_PASS_TICKS + 1);

	for (n = 0; peer && n < max; n++, peer = next) {
		peer_tick(ctx, peer, now);
		/* peers woken meanwhile join at the tail */
		next = peer->tick_next;
		if (gw_peer_dormant(peer))
			gw_peer_sleep(ctx, peer);
	}
	c->tick_cursor = peer; /* NULL: the next tick starts a pass */
	return n;
}

/* testing.stats_interval: every counter, and the pool's mbufs in use, to
 * the log, so that a test can read them while the gateway runs. */
static void stats_dump(struct gw_ctx *ctx, uint64_t now)
{
	struct gw_control *c = ctx->control;
	uint32_t every = ctx->cfg ? ctx->cfg->testing.stats_interval : 0;

	if (!every || now - c->last_stats_ns < every * WG_NSEC_PER_SEC)
		return;
	c->last_stats_ns = now;
	GW_LOG(INFO, "stats %" PRIu64 " begin", ++c->stats_seq);
	gw_stats_log(ctx->stats);
	GW_LOG(INFO, "%-32s %u", "mbufs_in_use",
	       rte_mempool_in_use_count(ctx->pool));
	GW_LOG(INFO, "%-32s %u", "mbufs_held_for_neighbours",
	       gw_neigh_held(ctx));
	gw_neigh_log_counts(ctx);
	GW_LOG(INFO, "%-32s %u", "mbufs_staged", gw_staging_total(ctx));
	GW_LOG(INFO, "%-32s %u", "control_ring_depth",
	       gw_ctrl_rings_depth(ctx));
	GW_LOG(INFO, "%-32s %u", "handshake_ring_depth",
	       rte_ring_count(ctx->ctrl_ring[GW_CTRL_HANDSHAKE]));
	GW_LOG(INFO, "%-32s %u", "handshake_backlog",
	       gw_hs_backlog_count(ctx));
	GW_LOG(INFO, "%-32s %u", "peers_ticking", c->n_ticking);
	/* milliseconds of the control lcore since the last dump */
	GW_LOG(INFO, "%-32s %" PRIu64, "control_ms_ticks",
	       c->cycles_tick * 1000 / ctx->tsc_hz);
	GW_LOG(INFO, "%-32s %" PRIu64, "control_ms_handshakes",
	       c->cycles_hs * 1000 / ctx->tsc_hz);
	GW_LOG(INFO, "%-32s %" PRIu64, "control_ms_uapi",
	       c->cycles_uapi * 1000 / ctx->tsc_hz);
	c->cycles_tick = c->cycles_hs = c->cycles_uapi = 0;
	GW_LOG(INFO, "stats %" PRIu64 " end", c->stats_seq);
}

unsigned int gw_control_poll(struct gw_ctx *ctx)
{
	struct gw_event evs[GW_BURST];
	unsigned int n, i, work;

	uint64_t t0 = rte_rdtsc();

	/* every ring its budget, so no kind starves another */
	work = gw_ctrl_rings_serve(ctx, ctrl_input);
	/* what the handshake lanes finished, then the DH work of the turn,
	 * both bounded */
	work += gw_hs_lanes_collect(ctx);
	work += gw_hs_backlog_serve(ctx);
	ctx->control->cycles_hs += rte_rdtsc() - t0;
	n = rte_ring_sc_dequeue_burst_elem(ctx->event_ring, evs,
					   sizeof(evs[0]), GW_BURST, NULL);
	for (i = 0; i < n; i++)
		event_input(ctx, &evs[i]);
	work += n;
	/* a telemetry or metrics thread waiting for a snapshot */
	gw_counters_serve(ctx->counters);
	return work;
}

void gw_control_loop(struct gw_ctx *ctx)
{
	struct gw_control *c = ctx->control;

	c->uapi = gw_uapi_open(&c->dev, c->name);
	if (c->uapi) {
		/* the ports were started by gw_setup: now `wg` works too */
		gw_notify_ready(ctx, &c->notify);
	} else {
		GW_LOG(WARNING, "UAPI socket for %s: %s", c->name,
		       strerror(errno));
		gw_notify_not_ready(&c->notify, "no UAPI socket");
	}

	while (!__atomic_load_n(&ctx->quit, __ATOMIC_RELAXED)) {
		unsigned int work = gw_control_poll(ctx);
		uint64_t now = gw_now_ns(ctx);

		if (now - c->last_tick_ns >= TICK_NS) {
			uint64_t t0 = rte_rdtsc(), t1;

			c->last_tick_ns = now;
			gw_control_tick_peers(ctx, now);
			c->cycles_tick += rte_rdtsc() - t0;
			gw_neigh_tick(ctx, now);
			stats_dump(ctx, now);
			gw_tables_reclaim(ctx->tables);
			t1 = rte_rdtsc();
			if (c->uapi)
				gw_uapi_poll(c->uapi);
			c->cycles_uapi += rte_rdtsc() - t1;
			/* a reload waits for a sliced UAPI set to finish */
			if (!gw_uapi_busy(c->uapi) &&
			    __atomic_exchange_n(&ctx->reload_requested, false,
						__ATOMIC_RELAXED)) {
				GW_LOG(INFO, "SIGHUP: reload requested");
				gw_reload_request(ctx);
			}
			gw_notify_tick(ctx, &c->notify, now);
		}
		/* the control lcore is not a data path: when there is
		 * nothing to do, let the other threads of the box run */
		if (!work)
			usleep(100);
	}
}
