/* SPDX-License-Identifier: MIT */
/*
 * The hand-over of responder handshakes to handshake lanes (EAL --no-huge
 * --no-pci, no port; the control side of perf/hs_world.h, its lanes
 * created on lcores 1 and 2 but driven by hand with gw_hs_lane_run_once,
 * so that the order of events is the test's):
 *
 *  - every initiation answered through a lane gets a response its
 *    initiator accepts, with the session installed on the peer under the
 *    response's sender index, and no mbuf left out of the pool;
 *  - one owner: while lane 0 makes peer 0's response, a newer initiation
 *    of peer 0 decrypted by lane 1 is refused (drop_handshake_rejected),
 *    the peer's own handshake stays empty, and the first response is
 *    still applied and valid;
 *  - a peer removed while its response is being made: the result is
 *    discarded, nothing is sent, the busy mark goes;
 *  - with every lane full, the control lcore answers inline, oldest
 *    first of those young enough to be answered in time, and drops the
 *    older ones;
 *  - one turn takes a whole GW_HANDSHAKE_INTAKE off the handshake ring,
 *    each message once and in order, and leaves the rest (the intake is
 *    larger than a burst: a turn that dequeued it into a GW_BURST array
 *    wrote past the array's end).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "gw_control.h"
#include "gw_ctrl_rings.h"
#include "gw_hs_backlog.h"
#include "gw_hs_lane.h"
#include "gw_hs_respond.h"
#include "gw_tables.h"
#include "hs_world.h"
#include "wg_crypto.h"

/* cmocka's check with the test's own message */
#define CHECK(cond, ...) do { if (!(cond)) fail_msg(__VA_ARGS__); } while (0)

/* 40 for the first tests, then more than every lane holds, twice */
enum {
	LANES_HOLD = 2 * GW_HS_LANE_ITEMS,
	AGED = 40 + LANES_HOLD + 4, /* test_backlog_age_and_order's */
	BEYOND = 20,                        /* waiting while the lanes are full */
	PEERS = AGED + LANES_HOLD + BEYOND,
};

static struct hs_world w;
static uint64_t unix_base;
static unsigned int n_sent[PEERS]; /* initiations made per client */

static struct gw_peer *peer_of(uint32_t p)
{
	return gw_peer_find(w.ctx, w.cl[p].id.public_key);
}

static uint64_t drops(void)
{
	return gw_stats_sum(w.ctx->stats, GW_CTR_DROP_HANDSHAKE_REJECTED);
}

/* Client p's next initiation onto the handshake ring (each one second
 * newer than its last). */
static void initiate(uint32_t p)
{
	struct rte_mbuf *m = hs_client_initiation(
		&w, p, unix_base + (uint64_t)++n_sent[p] * 1000000000ull);

	CHECK(m && rte_ring_enqueue(w.ctx->ctrl_ring[GW_CTRL_HANDSHAKE],
				    m) == 0,
	      "initiation of client %u not queued", p);
}

/* Control turns until the handshake ring is empty. */
static void poll_all(void)
{
	unsigned int guard = 0;

	do
		gw_control_poll(w.ctx);
	while (rte_ring_count(w.ctx->ctrl_ring[GW_CTRL_HANDSHAKE]) &&
	       ++guard < 1000);
	gw_control_poll(w.ctx);
}

/* What the control lcore sent: responses by client (the last one kept,
 * sender index in idx[]), other frames counted in *other. */
static unsigned int collect(uint8_t (*resp)[sizeof(struct wg_msg_response)],
			    bool *got, unsigned int *other)
{
	struct rte_mbuf *m = NULL;
	unsigned int n = 0;

	while (rte_ring_dequeue(w.wan_tx, (void **)&m) == 0) {
		const uint8_t *msg;
		uint32_t len, p;

		if (hs_frame_client(&w, m, &p, &msg, &len) ==
			    WG_MSG_RESPONSE &&
		    len == sizeof(resp[0])) {
			memcpy(resp[p], msg, len);
			got[p] = true;
			n++;
		} else {
			(*other)++;
		}
		rte_pktmbuf_free(m);
	}
	return n;
}

static uint8_t resp[PEERS][sizeof(struct wg_msg_response)];
static bool got[PEERS];

static void clear_got(void)
{
	memset(got, 0, sizeof(got));
}

/* The intake test's input: every mbuf in the order it came, freed. */
static struct rte_mbuf *taken[GW_HANDSHAKE_INTAKE + GW_BURST];
static unsigned int n_taken;

static void take(struct gw_ctx *ctx __rte_unused, struct rte_mbuf *m)
{
	if (n_taken < RTE_DIM(taken))
		taken[n_taken] = m;
	n_taken++;
	rte_pktmbuf_free(m);
}

static void test_intake_whole_budget(void **state __rte_unused)
{
	struct rte_ring *r = w.ctx->ctrl_ring[GW_CTRL_HANDSHAKE];
	struct rte_mbuf *queued[RTE_DIM(taken)];
	unsigned int i, n, in_order = 0;

	for (i = 0; i < RTE_DIM(queued); i++) {
		queued[i] = hs_client_initiation(&w, i % PEERS,
						 unix_base + i);
		CHECK(queued[i] && rte_ring_enqueue(r, queued[i]) == 0,
		      "frame %u not queued", i);
	}
	n_taken = 0;
	n = gw_ctrl_rings_serve(w.ctx, take);
	CHECK(n == GW_HANDSHAKE_INTAKE && n_taken == GW_HANDSHAKE_INTAKE,
	      "one turn took %u (input saw %u), the intake is %d", n, n_taken,
	      GW_HANDSHAKE_INTAKE);
	for (i = 0; i < n_taken && i < RTE_DIM(taken); i++)
		in_order += taken[i] == queued[i];
	CHECK(in_order == GW_HANDSHAKE_INTAKE, "%u of %d in ring order",
	      in_order, GW_HANDSHAKE_INTAKE);
	CHECK(rte_ring_count(r) == GW_BURST, "%u left on the ring, %d expected",
	      rte_ring_count(r), GW_BURST);
	n = gw_ctrl_rings_serve(w.ctx, take);
	CHECK(n == GW_BURST && rte_ring_count(r) == 0,
	      "second turn took %u, %u left", n, rte_ring_count(r));
}

static void test_all_through_lanes(void **state __rte_unused)
{
	unsigned int other = 0, n, p, ok = 0, installed = 0;

	clear_got();
	for (p = 0; p < 16; p++)
		initiate(p);
	poll_all();
	CHECK(gw_hs_lanes_in_flight(w.ctx) == 16,
	      "%u items out, 16 expected", gw_hs_lanes_in_flight(w.ctx));
	/* two trips: decrypt, then respond */
	for (int trip = 0; trip < 2; trip++) {
		for (int k = 0; k < 4; k++) {
			gw_hs_lane_run_once(w.ctx, 0);
			gw_hs_lane_run_once(w.ctx, 1);
		}
		gw_control_poll(w.ctx);
	}
	n = collect(resp, got, &other);
	CHECK(n == 16 && other == 0, "%u responses and %u other frames", n,
	      other);
	CHECK(gw_hs_lanes_answered(w.ctx) == 16, "lanes answered %lu",
	      (unsigned long)gw_hs_lanes_answered(w.ctx));
	CHECK(gw_hs_lanes_in_flight(w.ctx) == 0, "%u items still out",
	      gw_hs_lanes_in_flight(w.ctx));
	for (p = 0; p < 16; p++) {
		const struct wg_msg_response *r = (const void *)resp[p];
		struct gw_peer *peer = peer_of(p);
		struct gw_keypair *kp = peer ? peer->kp_next : NULL;

		if (got[p] && hs_client_response(&w, p, resp[p],
						 sizeof(resp[p])) ==
				      WG_NOISE_OK)
			ok++;
		if (kp && kp->local_index == wg_get_le32(r->sender_index))
			installed++;
	}
	CHECK(ok == 16, "%u of 16 responses valid", ok);
	CHECK(installed == 16, "%u of 16 sessions installed", installed);
}

/* Lanes are picked round robin and an item keeps its lane for both
 * trips: after test_all_through_lanes (16 items) the next is lane 0. */
static void test_one_owner(void **state __rte_unused)
{
	struct gw_peer *peer = peer_of(20);
	struct wg_handshake first;
	unsigned int other = 0, n;
	uint64_t d0 = drops();

	clear_got();
	initiate(20);                   /* to lane 0 */
	poll_all();
	gw_hs_lane_run_once(w.ctx, 0);  /* decrypted */
	gw_control_poll(w.ctx);         /* accepted: lane 0 makes the response */
	CHECK(gw_hs_lane_busy(w.ctx, peer), "peer 20 not marked busy");
	CHECK(peer->hs.state == WG_HS_ZEROED,
	      "peer 20's own handshake in state %d while a lane has it",
	      (int)peer->hs.state);
	first = w.cl[20].hs;
	usleep(30 * 1000); /* past the initiation flood limit (20 ms) */
	initiate(20);                   /* to lane 1 */
	poll_all();
	gw_hs_lane_run_once(w.ctx, 1);  /* decrypted while lane 0 has the peer */
	gw_control_poll(w.ctx);
	n = collect(resp, got, &other);
	CHECK(drops() == d0 + 1,
	      "second initiation while busy: %lu drops, 1 expected",
	      (unsigned long)(drops() - d0));
	CHECK(n == 0 && other == 0, "%u responses, %u other while busy", n,
	      other);
	CHECK(gw_hs_lane_busy(w.ctx, peer), "peer 20 no longer busy");
	gw_hs_lane_run_once(w.ctx, 0);  /* the first response */
	gw_control_poll(w.ctx);
	n = collect(resp, got, &other);
	CHECK(n == 1 && got[20], "%u responses once lane 0 is done", n);
	CHECK(!gw_hs_lane_busy(w.ctx, peer), "peer 20 still busy");
	w.cl[20].hs = first; /* the initiator state the response answers */
	CHECK(got[20] && hs_client_response(&w, 20, resp[20],
					     sizeof(resp[20])) == WG_NOISE_OK,
	      "first response of peer 20 not valid");
	CHECK(gw_hs_lanes_in_flight(w.ctx) == 0, "%u items still out",
	      gw_hs_lanes_in_flight(w.ctx));
	wg_wipe(&first, sizeof(first));
}

static void test_removed_in_flight(void **state __rte_unused)
{
	struct gw_peer *peer = peer_of(30);
	uint32_t id = peer->id;
	unsigned int other = 0, n;
	uint64_t d0 = drops();

	clear_got();
	initiate(30);
	poll_all();
	gw_hs_lane_run_once(w.ctx, 0);
	gw_hs_lane_run_once(w.ctx, 1);
	gw_control_poll(w.ctx);
	CHECK(gw_hs_lane_busy(w.ctx, peer), "peer 30 not busy");
	gw_peer_remove(w.ctx, peer);
	gw_hs_lane_run_once(w.ctx, 0);
	gw_hs_lane_run_once(w.ctx, 1);
	gw_control_poll(w.ctx);
	n = collect(resp, got, &other);
	CHECK(n == 0, "%u responses for a removed peer", n);
	CHECK(drops() == d0 + 1, "%lu drops, 1 expected",
	      (unsigned long)(drops() - d0));
	CHECK(gw_tables_peer(w.ctx->tables, id) == NULL, "slot not empty");
	CHECK(gw_hs_lanes_in_flight(w.ctx) == 0, "%u items still out",
	      gw_hs_lanes_in_flight(w.ctx));
}

static void test_inline_when_full(void **state __rte_unused)
{
	unsigned int other = 0, n, p, first = 40, ok = 0;
	unsigned int cap = 2 * GW_HS_LANE_ITEMS;

	clear_got();
	/* in chunks below the "under load" fill of the handshake ring */
	for (p = 0; p < cap + 4; p++) {
		initiate(first + p);
		if (p % 64 == 63)
			poll_all();
	}
	poll_all();
	n = collect(resp, got, &other);
	CHECK(n == 4 && other == 0,
	      "%u answered inline with the lanes full (4 expected), %u other",
	      n, other);
	CHECK(gw_hs_lanes_in_flight(w.ctx) == cap, "%u items out",
	      gw_hs_lanes_in_flight(w.ctx));
	for (int k = 0; k < 64; k++) {
		gw_hs_lane_run_once(w.ctx, 0);
		gw_hs_lane_run_once(w.ctx, 1);
		gw_control_poll(w.ctx);
	}
	n += collect(resp, got, &other);
	for (p = first; p < first + cap + 4; p++)
		ok += got[p] && hs_client_response(&w, p, resp[p],
						   sizeof(resp[p])) ==
				       WG_NOISE_OK;
	CHECK(ok == cap + 4, "%u of %u valid", ok, cap + 4);
}

/* Client p's next initiation straight into the backlog (as the intake
 * puts it there), its frame freed. */
static void wait_in_backlog(uint32_t p)
{
	struct rte_mbuf *m = hs_client_initiation(
		&w, p, unix_base + (uint64_t)++n_sent[p] * 1000000000ull);
	struct gw_hs_src src;
	uint32_t len;
	uint8_t *msg;

	CHECK(m, "no mbuf for client %u", p);
	msg = gw_hs_parse_udp(m, &src, &len);
	CHECK(gw_hs_backlog_push(w.ctx, msg, len, &src),
	      "client %u not taken into the backlog", p);
	rte_pktmbuf_free(m);
}

/* Lanes full: initiations older than the age limit are dropped unanswered,
 * and of the fresh ones a turn answers the oldest GW_HANDSHAKE_BUDGET
 * inline (newest first left the oldest to go stale; the limit at
 * REKEY_TIMEOUT itself answered initiators about to retry). */
static void test_backlog_age_and_order(void **state __rte_unused)
{
	struct wg_timer_params *tp = &w.ctx->control->timer_params;
	uint64_t saved = tp->rekey_timeout;
	uint64_t stale0 = gw_stats_sum(w.ctx->stats, GW_CTR_DROP_HANDSHAKE_STALE);
	unsigned int other = 0, n, p, ok = 0, first = AGED;
	unsigned int old = first + LANES_HOLD, fresh = old + BEYOND / 2;

	clear_got();
	for (p = 0; p < LANES_HOLD; p++) {
		initiate(first + p);
		if (p % 64 == 63)
			poll_all();
	}
	poll_all();
	CHECK(gw_hs_lanes_in_flight(w.ctx) == LANES_HOLD &&
		      collect(resp, got, &other) == 0,
	      "lanes not full (%u items out) or answers inline",
	      gw_hs_lanes_in_flight(w.ctx));
	/* retries every 250 ms: the limit is 200 ms */
	tp->rekey_timeout = 250 * WG_NSEC_PER_MSEC;
	for (p = old; p < fresh; p++)
		wait_in_backlog(p);
	usleep(300 * 1000);
	for (p = fresh; p < old + BEYOND; p++)
		wait_in_backlog(p);
	gw_control_poll(w.ctx);
	tp->rekey_timeout = saved;
	n = collect(resp, got, &other);
	CHECK(gw_stats_sum(w.ctx->stats, GW_CTR_DROP_HANDSHAKE_STALE) ==
		      stale0 + BEYOND / 2,
	      "%lu stale drops, %d expected",
	      (unsigned long)(gw_stats_sum(w.ctx->stats,
					   GW_CTR_DROP_HANDSHAKE_STALE) -
			      stale0),
	      BEYOND / 2);
	CHECK(n == GW_HANDSHAKE_BUDGET, "%u answered inline in one turn", n);
	for (p = fresh; p < fresh + GW_HANDSHAKE_BUDGET; p++)
		CHECK(got[p], "client %u (of the oldest fresh %d) not answered",
		      p, GW_HANDSHAKE_BUDGET);
	for (int k = 0; k < 64; k++) {
		gw_hs_lane_run_once(w.ctx, 0);
		gw_hs_lane_run_once(w.ctx, 1);
		gw_control_poll(w.ctx);
	}
	collect(resp, got, &other);
	for (p = first; p < old + BEYOND; p++)
		ok += got[p] && hs_client_response(&w, p, resp[p],
						   sizeof(resp[p])) ==
				       WG_NOISE_OK;
	CHECK(ok == LANES_HOLD + BEYOND / 2, "%u of %d valid", ok,
	      LANES_HOLD + BEYOND / 2);
}

static void test_no_mbuf_left(void **state __rte_unused)
{
	CHECK(rte_mempool_in_use_count(w.pool) == 0, "%u mbufs not back",
	      rte_mempool_in_use_count(w.pool));
}

int main(int argc, char **argv)
{
	char prefix[64];
	/* three lcores whatever the machine: lanes 1 and 2 never run as
	 * threads here, the test steps them */
	char *eal[] = { argv[0], "--lcores", "0@0,1@0,2@0", "--no-huge",
			"-m", "512", "--no-pci", "--no-shconf", "--file-prefix",
			prefix, "--log-level", "*:error" };
	uint16_t lanes[2] = { 1, 2 };
	/* in this order: each leaves the lanes empty for the next */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intake_whole_budget),
		cmocka_unit_test(test_all_through_lanes),
		cmocka_unit_test(test_one_owner),
		cmocka_unit_test(test_removed_in_flight),
		cmocka_unit_test(test_inline_when_full),
		cmocka_unit_test(test_backlog_age_and_order),
		cmocka_unit_test(test_no_mbuf_left),
	};
	int ret;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "t_hs_lane_%d", (int)getpid());
	if (wg_crypto_init() != 0 ||
	    rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	unix_base = (uint64_t)time(NULL) * 1000000000ull;
	if (hs_world_build(&w, "thl", PEERS, lanes, 2, false) < 0) {
		fprintf(stderr, "world setup failed\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	hs_world_free(&w);
	rte_eal_cleanup();
	return ret;
}
