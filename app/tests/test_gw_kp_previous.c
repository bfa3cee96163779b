/* SPDX-License-Identifier: MIT */
/*
 * The previous keypair does not live as long as the session
 * (gw_peer_tick_previous, gw_peer.h), EAL --no-huge, one worker driven by
 * hand through gw_wan_burst, the peer's keepalives sealed by lib/'s
 * transport, the control tick's clock passed in:
 *
 *  - we rekey as initiator: the old keypair becomes previous and stays,
 *    however late the tick, while the new one has authenticated nothing
 *    (the peer has not switched): its packets still pass;
 *  - the first packet on the new keypair starts rekey_timeout: just
 *    before it the previous keypair still decrypts; at it the keypair
 *    goes back to the pool (in grace until the worker passes a quiescent
 *    state, then wiped), its packets are dropped and counted under
 *    drop_unknown_receiver_index, and the current keypair's pass;
 *  - the same as responder: the confirming packet on the next keypair
 *    starts the countdown of the previous one (the old current);
 *  - a previous keypair that expired goes without any countdown;
 *  - what the start log says a peer with a session costs is one peer and
 *    one keypair, and at most 3 KiB.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "gw_control.h"
#include "gw_keypair_pool.h"
#include "gw_peer.h"
#include "gw_spread.h"
#include "gw_testbed.h"
#include "gw_testbed_frames.h"
#include "gw_worker.h"
#include "wg_crypto.h"

#include "test_eal.h"

#define WAN_ADDR RTE_IPV4(198, 51, 100, 1)
#define PEER_EP RTE_IPV4(203, 0, 113, 7)
#define N 8

static const uint8_t wan_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t router_mac[6] = { 0x02, 0, 0, 0, 0, 0x04 };
static const uint8_t peer_pub[WG_KEY_LEN] = { 0x70, 0x72 };
static const uint8_t our_private[WG_KEY_LEN] = { 0x40, 0x02 };

static struct gw_testbed *tb;
static struct gw_ctx *ctx;
static struct gw_lcore *lc;
static struct gw_peer *peer;
static char *log_buf;
static size_t log_len;

/* One session: our keypair and what the peer sends with. */
struct session {
	struct gw_keypair *kp;
	struct wg_keypair side;
	uint64_t counter;
};

static uint64_t counter(enum gw_counter c)
{
	return gw_stats_sum(ctx->stats, c);
}

static uint64_t rekey_timeout(void)
{
	return ctx->control->timer_params.rekey_timeout;
}

/* A session with random keys and our receiver index idx, as initiator
 * (current at once) or responder (next until the peer uses it). */
static bool new_session(struct session *s, uint32_t idx, bool initiator)
{
	struct wg_keypair k = { .local_index = idx, .remote_index = ~idx };

	memset(s, 0, sizeof(*s));
	wg_random(k.sending_key, WG_KEY_LEN);
	wg_random(k.receiving_key, WG_KEY_LEN);
	gw_testbed_peer_side(&k, &s->side);
	s->kp = initiator ? gw_testbed_session(tb, peer, &k) :
			    gw_testbed_session_next(tb, peer, &k);
	wg_wipe(&k, sizeof(k));
	return s->kp != NULL;
}

/* n keepalives of session s from the peer through the worker; how many
 * authenticated (keepalives_received). */
static unsigned int peer_sends(struct session *s, unsigned int n)
{
	static uint8_t b[256];
	struct rte_mbuf *pkts[N];
	struct gw_txbuf tx = { .n = 0 };
	struct gw_tb_outer o;
	uint64_t ka0 = counter(GW_CTR_KEEPALIVES_RECEIVED);
	unsigned int i;

	gw_tb_outer4(&o, router_mac, wan_mac, PEER_EP, 40000, WAN_ADDR,
		     51820);
	for (i = 0; i < n && i < N; i++) {
		size_t len = gw_tb_seal_frame(b, &o, &s->side, s->counter++,
					      NULL, 0, ctx->mtu, 0);

		pkts[i] = gw_tb_mbuf(tb->pool, b, len);
	}
	gw_wan_burst(lc, pkts, i, &tx, gw_now_ns(ctx));
	for (i = 0; i < tx.n; i++)
		rte_pktmbuf_free(tx.m[i]);
	return (unsigned int)(counter(GW_CTR_KEEPALIVES_RECEIVED) - ka0);
}

static void pool_stats(struct gw_kp_pool_stats *st)
{
	gw_kp_pool_stats(ctx->control->kp_pool, st);
}

/* The worker passes a quiescent state; the pool takes back what is due. */
static void grace_over(void)
{
	rte_rcu_qsbr_quiescent(ctx->qsbr, lc->worker_idx);
	gw_kp_pool_reclaim(ctx->control->kp_pool);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/* After the countdown of previous (on its way to the pool): wiped after
 * the grace period, its packets unknown, cur's still passing. */
static void check_retired(struct session *prev, struct session *cur,
			  const char *what)
{
	struct gw_kp_pool_stats st0, st;
	uint64_t unk0 = counter(GW_CTR_DROP_UNKNOWN_RECEIVER_INDEX);
	unsigned int got;

	pool_stats(&st0);
	CHECK(peer->kp_previous == NULL, "%s: previous keypair still there",
	      what);
	CHECK(st0.in_grace >= 1, "%s: nothing in grace (%u)", what,
	      st0.in_grace);
	CHECK(!all_zero(prev->kp->recv_key, WG_KEY_LEN),
	      "%s: wiped before the worker passed a quiescent state", what);
	grace_over();
	pool_stats(&st);
	CHECK(st.in_grace == st0.in_grace - 1, "%s: in grace %u -> %u", what,
	      st0.in_grace, st.in_grace);
	CHECK(all_zero(prev->kp->recv_key, WG_KEY_LEN) &&
		      all_zero(&prev->kp->replay, sizeof(prev->kp->replay)),
	      "%s: the retired keypair was not wiped", what);
	got = peer_sends(prev, N);
	CHECK(got == 0, "%s: %u packets on the retired keypair passed", what,
	      got);
	CHECK(counter(GW_CTR_DROP_UNKNOWN_RECEIVER_INDEX) - unk0 == N,
	      "%s: drop_unknown_receiver_index +%" PRIu64 ", want %d", what,
	      counter(GW_CTR_DROP_UNKNOWN_RECEIVER_INDEX) - unk0, N);
	got = peer_sends(cur, N);
	CHECK(got == N, "%s: %u of %d on the current keypair passed", what,
	      got, N);
}

static void test_initiator(void)
{
	struct session a, b;
	struct gw_kp_pool_stats st0, st;
	uint64_t t0, t1;
	unsigned int got;

	if (!new_session(&a, 0x100, true) || !new_session(&b, 0x200, true)) {
		CHECK(0, "initiator sessions not installed");
		return;
	}
	pool_stats(&st0);
	CHECK(peer->kp_current == b.kp && peer->kp_previous == a.kp,
	      "rekeyed: current %p previous %p", (void *)peer->kp_current,
	      (void *)peer->kp_previous);
	/* the peer has not switched: however late, the previous stays */
	t0 = gw_now_ns(ctx);
	gw_peer_tick_previous(ctx, peer, t0 + 20 * rekey_timeout());
	CHECK(peer->kp_previous == a.kp,
	      "previous retired before the current keypair saw a packet");
	got = peer_sends(&a, N);
	CHECK(got == N, "peer not switched yet: %u of %d on the previous",
	      got, N);
	CHECK(!gw_peer_dormant(peer), "a peer with a previous keypair dormant");

	/* the peer switched: the countdown starts at the tick that sees it */
	got = peer_sends(&b, 1);
	CHECK(got == 1, "the first packet on the new keypair refused");
	t1 = gw_now_ns(ctx);
	gw_peer_tick_previous(ctx, peer, t1);
	gw_peer_tick_previous(ctx, peer, t1 + rekey_timeout() - 1);
	CHECK(peer->kp_previous == a.kp,
	      "previous retired before rekey_timeout");
	got = peer_sends(&a, N);
	CHECK(got == N, "in-flight packets on the previous: %u of %d passed",
	      got, N);
	pool_stats(&st);
	CHECK(st.in_use == st0.in_use, "in use %u -> %u before the retirement",
	      st0.in_use, st.in_use);
	gw_peer_tick_previous(ctx, peer, t1 + rekey_timeout());
	pool_stats(&st);
	CHECK(st.in_use == st0.in_use - 1, "in use %u -> %u: not retired",
	      st0.in_use, st.in_use);
	check_retired(&a, &b, "initiator");
}

static void test_responder(void)
{
	struct session c, cur = { .kp = peer->kp_current };
	struct gw_event ev;
	uint64_t t;
	bool confirmed = false;

	if (!new_session(&c, 0x300, false)) {
		CHECK(0, "responder session not installed");
		return;
	}
	CHECK(peer->kp_next == c.kp && peer->kp_previous == NULL,
	      "responder: next %p previous %p", (void *)peer->kp_next,
	      (void *)peer->kp_previous);
	/* the confirming packet, and what the control lcore does with its
	 * event */
	CHECK(peer_sends(&c, 1) == 1, "the confirming packet refused");
	while (rte_ring_dequeue_elem(ctx->event_ring, &ev, sizeof(ev)) == 0)
		if (ev.kind == GW_EV_KEYPAIR_USED)
			confirmed |= gw_peer_confirm_next(ctx, peer,
							  ev.local_index);
	CHECK(confirmed && peer->kp_current == c.kp &&
		      peer->kp_previous == cur.kp,
	      "not confirmed: current %p previous %p",
	      (void *)peer->kp_current, (void *)peer->kp_previous);
	t = gw_now_ns(ctx);
	gw_peer_tick_previous(ctx, peer, t);
	gw_peer_tick_previous(ctx, peer, t + rekey_timeout() - 1);
	CHECK(peer->kp_previous == cur.kp,
	      "responder: previous retired before rekey_timeout");
	gw_peer_tick_previous(ctx, peer, t + rekey_timeout());
	/* cur's sending side is gone with the test's copy: check only the
	 * slot, the wipe and the current keypair */
	CHECK(peer->kp_previous == NULL, "responder: previous not retired");
	grace_over();
	CHECK(all_zero(cur.kp->recv_key, WG_KEY_LEN),
	      "responder: the retired keypair was not wiped");
	CHECK(peer_sends(&c, N) == N, "responder: the current keypair refused");
}

static void test_expired(void)
{
	struct session d;
	struct gw_keypair *prev = peer->kp_current;
	uint64_t reject = ctx->control->timer_params.reject_after_time;

	if (!new_session(&d, 0x400, true)) {
		CHECK(0, "session not installed");
		return;
	}
	CHECK(peer->kp_previous == prev, "no previous keypair to expire");
	/* nothing on the current one, but the previous cannot decrypt */
	gw_peer_tick_previous(ctx, peer, prev->birth_ns + reject - 1);
	CHECK(peer->kp_previous == prev, "previous retired before it expired");
	gw_peer_tick_previous(ctx, peer, prev->birth_ns + reject);
	CHECK(peer->kp_previous == NULL, "an expired previous keypair kept");
	grace_over();
}

/* The start log's figure (gw_peers_init): a peer and one keypair, within
 * the 3 KiB a session may cost. */
static void test_logged_size(void)
{
	const char *at = log_buf ? strstr(log_buf, "peer memory:") : NULL;
	size_t want = sizeof(struct gw_peer) +
		      (ctx->n_workers + 1) * sizeof(struct gw_peer_act) +
		      sizeof(struct gw_keypair);
	unsigned long logged = 0, rekeying = 0;

	CHECK(at != NULL, "no \"peer memory:\" line in the start log");
	if (at)
		at = strstr(at, "peers: ");
	CHECK(at && sscanf(at, "peers: %lu bytes per peer with a session",
			   &logged) == 1,
	      "no per-peer figure in the start log");
	if (at)
		at = strstr(at, "; ");
	CHECK(at && sscanf(at, "; %lu while it rekeys", &rekeying) == 1,
	      "no rekeying figure in the start log");
	CHECK(logged == want && logged == gw_peer_session_bytes(),
	      "logged %lu bytes a session, the structs make %zu", logged, want);
	CHECK(logged <= 3 * 1024, "a session costs %lu bytes, over 3 KiB",
	      logged);
	CHECK(rekeying == want + sizeof(struct gw_keypair),
	      "logged %lu while rekeying, want %zu", rekeying,
	      want + sizeof(struct gw_keypair));
	printf("logged: %lu bytes per peer with a session, %lu rekeying\n",
	       logged, rekeying);
}

/* One worker registered with QSBR, a WAN port, one peer; the start log
 * caught in log_buf. */
static int setup(void)
{
	struct gw_testbed_peer tp = { 0 };
	struct gw_testbed_opts o = { .peers = &tp, .n_peers = 1,
				     .private_key = our_private,
				     .lcores = 1, .workers = 1,
				     .n_mbufs = 1024 };
	uint32_t be = rte_cpu_to_be_32(PEER_EP);
	FILE *log = open_memstream(&log_buf, &log_len);
	FILE *old = rte_log_get_stream();

	/* the defaults: MTU 1420, port 51820 */
	o.wan.addr4 = WAN_ADDR;
	o.wan.plen4 = 24;
	memcpy(o.wan.mac, wan_mac, 6);
	memcpy(tp.public_key, peer_pub, WG_KEY_LEN);
	tp.endpoint.family = WG_FAMILY_V4;
	tp.endpoint.port = 40000;
	memcpy(tp.endpoint.addr, &be, 4);
	if (log) {
		rte_openlog_stream(log);
		rte_log_set_level(gw_logtype, RTE_LOG_INFO);
	}
	tb = gw_testbed_create(&o);
	if (log) {
		rte_log_set_level(gw_logtype, RTE_LOG_ERR);
		rte_openlog_stream(old);
		fclose(log);
	}
	ctx = tb ? tb->ctx : NULL;
	peer = tb ? gw_testbed_peer(tb, peer_pub) : NULL;
	if (!peer) {
		fprintf(stderr, "setup failed\n");
		return -1;
	}
	lc = &ctx->workers[0];
	rte_rcu_qsbr_thread_register(ctx->qsbr, lc->worker_idx);
	rte_rcu_qsbr_thread_online(ctx->qsbr, lc->worker_idx);
	return 0;
}

int main(int argc, char **argv)
{
	(void)argc;
	if (check_eal_init(argv[0], "test_gw_kp_previous", false) != 0 ||
	    setup() != 0)
		return 1;
	test_logged_size();
	test_initiator();
	test_responder();
	test_expired();
	rte_rcu_qsbr_thread_offline(ctx->qsbr, lc->worker_idx);
	rte_rcu_qsbr_thread_unregister(ctx->qsbr, lc->worker_idx);
	gw_testbed_free(tb);
	free(log_buf);
	return check_verdict("test_gw_kp_previous");
}
