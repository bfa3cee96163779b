/* SPDX-License-Identifier: MIT */
/*
 * The control lcore under a restart storm (perf/storm.sh in small, EAL
 * --no-huge --no-pci, no port; the control side of perf/hs_world.h with
 * more peers than the reference rate-limit table holds):
 *
 *  - under load, every one of STORM_SOURCES peers coming back within one
 *    second from a source of its own, each with a valid cookie (mac2),
 *    gets its DH work: the per-source limit must not refuse a legitimate
 *    source because the table of sources seen in the last second is full
 *    (with the reference 8,192 entries, more than half of them were
 *    counted drop_handshake_ratelimited);
 *  - a turn takes no more handshake messages off the ring than the control
 *    lcore's TX ring has room for their cookie replies: the rest wait in
 *    the ring (with a fixed intake of 256, a turn with room for 100 made
 *    256 cookie replies and the TX ring dropped 156 of them, counted
 *    drop_control_tx_ring_full); no mbuf is left out at the end;
 *  - the timer tick visits a bounded share of STORM_SOURCES ticking peers
 *    (1,024 a tick, a pass within 50 ticks: a fixed 8,192 a tick cost a
 *    storm's control lcore up to half of each second once peers had
 *    sessions), and a pass reaches every one of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "gw_control.h"
#include "gw_ctrl_rings.h"
#include "gw_hs_respond.h"
#include "gw_peer.h"
#include "hs_world.h"
#include "wg_cookie.h"
#include "wg_crypto.h"

#define CHECK(cond, ...) do { if (!(cond)) fail_msg(__VA_ARGS__); } while (0)

enum {
	STORM_SOURCES = 20000,
	/* a source whose bucket of the table is full is refused (fail
	 * closed, as Linux): rare with the table sized for the peers */
	REFUSED_MAX = STORM_SOURCES / 500,
	WAVE = 1000,      /* initiations without a cookie in the ring */
	TX_ROOM = 100,    /* cookie replies the TX ring has room for */
};

static struct hs_world w;

/* Peer p's address: 2001:db8:(1 + p / 65536):(p % 65536)::1, a /64 of
 * its own (the limit keys IPv6 sources by /64), port 40000. */
static void source(uint32_t p, struct gw_hs_src *src)
{
	static const uint8_t prefix[4] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint16_t port = 40000;

	memset(src, 0, sizeof(*src));
	src->ep.family = WG_FAMILY_V6;
	memcpy(src->ep.addr, prefix, 4);
	src->ep.addr[4] = (uint8_t)((1 + (p >> 16)) >> 8);
	src->ep.addr[5] = (uint8_t)(1 + (p >> 16));
	src->ep.addr[6] = (uint8_t)(p >> 8);
	src->ep.addr[7] = (uint8_t)p;
	src->ep.addr[15] = 1;
	src->ep.port = port;
	memcpy(src->bytes, src->ep.addr, 16);
	src->bytes[16] = (uint8_t)(port >> 8);
	src->bytes[17] = (uint8_t)port;
	src->len = 18;
}

/* An initiation-sized message from src with mac1 and the mac2 of the
 * cookie the gateway's checker gives src (as a cookie reply would). */
static void with_cookie(const struct gw_hs_src *src, uint8_t *msg,
			uint64_t now)
{
	struct gw_control *c = w.ctx->control;
	struct wg_cookie_maker mk;
	struct wg_msg_cookie_reply reply;

	memset(msg, 0, WG_MSG_INITIATION_LEN);
	msg[0] = WG_MSG_INITIATION;
	wg_random(msg + 4, WG_MSG_INITIATION_LEN - 4 - 2 * WG_MAC_LEN);
	wg_cookie_maker_init(&mk, w.gw_id.public_key);
	wg_cookie_add_macs(&mk, msg, WG_MSG_INITIATION_LEN, now);
	wg_cookie_create_reply(&c->checker, &reply, msg,
			       WG_MSG_INITIATION_LEN, src->bytes, src->len,
			       now, NULL);
	CHECK(wg_cookie_consume_reply(&mk, &reply, now),
	      "the checker's cookie reply was refused");
	wg_cookie_add_macs(&mk, msg, WG_MSG_INITIATION_LEN, now);
	wg_cookie_maker_wipe(&mk);
}

static void test_every_source_with_a_cookie(void **state __rte_unused)
{
	struct gw_control *c = w.ctx->control;
	uint64_t now = gw_now_ns(w.ctx);
	uint64_t limited0 = gw_stats_sum(w.ctx->stats,
					 GW_CTR_DROP_HANDSHAKE_RATELIMITED);
	uint8_t msg[WG_MSG_INITIATION_LEN];
	struct gw_hs_src src;
	unsigned int passed = 0, p;
	uint64_t limited;

	for (p = 0; p < STORM_SOURCES; p++) {
		/* under load: cookies are asked for and checked */
		c->load.has_been_under_load = true;
		c->load.last_under_load_ns = now;
		source(p, &src);
		with_cookie(&src, msg, now);
		passed += gw_hs_check_macs(w.ctx, msg, sizeof(msg), &src, now);
	}
	limited = gw_stats_sum(w.ctx->stats,
			       GW_CTR_DROP_HANDSHAKE_RATELIMITED) - limited0;
	CHECK(passed + limited == STORM_SOURCES,
	      "%u passed, %lu rate-limited: %u lost uncounted", passed,
	      (unsigned long)limited, STORM_SOURCES - passed - (unsigned int)limited);
	CHECK(limited <= REFUSED_MAX,
	      "%lu of %d sources with a valid cookie refused by the per-source limit (at most %d)",
	      (unsigned long)limited, STORM_SOURCES, REFUSED_MAX);
}

static uint64_t counter(enum gw_counter k)
{
	return gw_stats_sum(w.ctx->stats, k);
}

static void drain_tx(void)
{
	struct rte_mbuf *m;

	while (rte_ring_dequeue(w.wan_tx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

static void test_intake_within_tx_room(void **state __rte_unused)
{
	struct rte_ring *hs = w.ctx->ctrl_ring[GW_CTRL_HANDSHAKE];
	uint64_t unix_now = (uint64_t)time(NULL) * 1000000000ull;
	uint64_t tx_full0 = counter(GW_CTR_DROP_CONTROL_TX_RING_FULL);
	uint64_t cookies0 = counter(GW_CTR_COOKIE_REPLIES_SENT);
	unsigned int p, guard = 0;
	struct rte_mbuf *m;

	/* the worker that sends for the control lcore is behind: its ring
	 * has room for TX_ROOM frames beyond what the turn keeps back */
	while (rte_ring_free_count(w.wan_tx) > TX_ROOM + GW_HANDSHAKE_TX_RESERVE) {
		m = rte_pktmbuf_alloc(w.pool);
		CHECK(m && rte_ring_enqueue(w.wan_tx, m) == 0,
		      "could not fill the TX ring");
	}
	for (p = 0; p < WAVE; p++) {
		m = hs_client_initiation(&w, p, unix_now);
		CHECK(m && rte_ring_enqueue(hs, m) == 0,
		      "initiation %u not queued", p);
	}
	gw_control_poll(w.ctx);
	CHECK(counter(GW_CTR_DROP_CONTROL_TX_RING_FULL) == tx_full0,
	      "%lu cookie replies dropped by a full TX ring",
	      (unsigned long)(counter(GW_CTR_DROP_CONTROL_TX_RING_FULL) -
			      tx_full0));
	CHECK(counter(GW_CTR_COOKIE_REPLIES_SENT) - cookies0 == TX_ROOM,
	      "%lu cookie replies in a turn with room for %d",
	      (unsigned long)(counter(GW_CTR_COOKIE_REPLIES_SENT) - cookies0),
	      TX_ROOM);
	CHECK(rte_ring_count(hs) == WAVE - TX_ROOM,
	      "%u left in the handshake ring, want %d", rte_ring_count(hs),
	      WAVE - TX_ROOM);
	/* the worker catches up: the rest are answered, nothing lost */
	while (rte_ring_count(hs) && ++guard < 1000) {
		drain_tx();
		gw_control_poll(w.ctx);
	}
	drain_tx();
	CHECK(counter(GW_CTR_COOKIE_REPLIES_SENT) - cookies0 == WAVE,
	      "%lu cookie replies for %d initiations",
	      (unsigned long)(counter(GW_CTR_COOKIE_REPLIES_SENT) - cookies0),
	      WAVE);
	CHECK(counter(GW_CTR_DROP_CONTROL_TX_RING_FULL) == tx_full0,
	      "cookie replies dropped by the TX ring");
}

static void test_tick_bounded(void **state __rte_unused)
{
	struct gw_control *c = w.ctx->control;
	uint64_t now = gw_now_ns(w.ctx);
	unsigned int p, n, total = 0, ticks = 0;

	for (p = 0; p < STORM_SOURCES; p++)
		gw_peer_wake(w.ctx, gw_peer_find(w.ctx, w.cl[p].id.public_key));
	CHECK(c->n_ticking == STORM_SOURCES, "%u ticking", c->n_ticking);
	c->tick_cursor = NULL;
	do {
		n = gw_control_tick_peers(w.ctx, now);
		CHECK(n <= 1024, "one tick visited %u of %d peers", n,
		      STORM_SOURCES);
		total += n;
		ticks++;
	} while (c->tick_cursor && ticks < 100);
	CHECK(total == STORM_SOURCES && ticks <= 50,
	      "a pass visited %u of %d peers in %u ticks", total,
	      STORM_SOURCES, ticks);
}

static void test_no_mbuf_left(void **state __rte_unused)
{
	drain_tx();
	CHECK(rte_mempool_in_use_count(w.pool) == 0, "%u mbufs not back",
	      rte_mempool_in_use_count(w.pool));
}

int main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "--lcores", "0@0", "--no-huge", "-m", "512",
			"--no-pci", "--no-shconf", "--file-prefix", prefix,
			"--log-level", "*:error" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intake_within_tx_room),
		cmocka_unit_test(test_every_source_with_a_cookie),
		cmocka_unit_test(test_tick_bounded),
		cmocka_unit_test(test_no_mbuf_left),
	};
	int ret;

	(void)argc;
	snprintf(prefix, sizeof(prefix), "t_hs_storm_%d", (int)getpid());
	if (wg_crypto_init() != 0 ||
	    rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (hs_world_build(&w, "ths", STORM_SOURCES, NULL, 0, false) < 0) {
		fprintf(stderr, "world setup failed\n");
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	hs_world_free(&w);
	rte_eal_cleanup();
	return ret;
}
