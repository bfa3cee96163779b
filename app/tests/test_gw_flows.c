/* SPDX-License-Identifier: MIT */
/*
 * Reflexive entries (EAL --no-huge, no NIC): a noted flow is found until
 * its protocol's timeout and not after; another peer, port, address or
 * protocol is not; a full bucket gives up its least lasting entry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_memory.h>
#include <sodium.h>

#include "gw_flows.h"

#define TICK (UINT64_C(1) << GW_FLOW_TICK_SHIFT)

static struct gw_flow flow(uint32_t peer, uint8_t proto, uint16_t lan_port)
{
	struct gw_flow f;

	memset(&f, 0, sizeof(f));
	f.peer_id = peer;
	f.family = 4;
	f.proto = proto;
	f.lan_port = lan_port;
	f.remote_port = 443;
	memcpy(f.lan_addr, "\xc0\x00\x02\x02", 4);
	memcpy(f.remote_addr, "\xcb\x00\x71\x05", 4);
	return f;
}

/* One flow through the burst lookup. */
static bool seen(const struct gw_flows *fl, const struct gw_flow *f,
		 uint64_t now)
{
	bool found = false;

	gw_flows_lookup(fl, f, 1, now, &found);
	return found;
}

static void test_note_and_expire(void **state)
{
	struct gw_flows *fl = gw_flows_create(1024, SOCKET_ID_ANY);
	struct gw_flow f = flow(3, 6, 40000), g;
	uint64_t t0 = 1000 * TICK;

	(void)state;
	assert_non_null(fl);
	assert_false(seen(fl, &f, t0));
	gw_flows_note(fl, &f, 1, t0);
	assert_true(seen(fl, &f, t0));
	assert_true(seen(fl, &f, t0 + (GW_FLOW_TCP_TICKS - 1) * TICK));
	assert_false(seen(fl, &f, t0 + (GW_FLOW_TCP_TICKS + 1) * TICK));
	/* every field counts */
	g = f, g.peer_id = 4;
	assert_false(seen(fl, &g, t0));
	g = f, g.lan_port = 40001;
	assert_false(seen(fl, &g, t0));
	g = f, g.remote_port = 80;
	assert_false(seen(fl, &g, t0));
	g = f, g.remote_addr[3] = 6;
	assert_false(seen(fl, &g, t0));
	g = f, g.proto = 17;
	assert_false(seen(fl, &g, t0));
	/* UDP lasts two minutes, ICMP half a minute */
	g = flow(3, 17, 5353);
	gw_flows_note(fl, &g, 1, t0);
	assert_true(seen(fl, &g, t0 + (GW_FLOW_UDP_TICKS - 1) * TICK));
	assert_false(seen(fl, &g, t0 + (GW_FLOW_UDP_TICKS + 1) * TICK));
	g = flow(3, 1, 77);
	gw_flows_note(fl, &g, 1, t0);
	assert_false(seen(fl, &g, t0 + (GW_FLOW_ICMP_TICKS + 1) * TICK));
	/* a note refreshes */
	gw_flows_note(fl, &f, 1, t0 + 5000 * TICK);
	assert_true(seen(fl, &f, t0 + 9000 * TICK));
	gw_flows_free(fl);
}

static void test_full_table_keeps_working(void **state)
{
	struct gw_flows *fl = gw_flows_create(64, SOCKET_ID_ANY);
	uint64_t t0 = 10 * TICK;
	unsigned int found = 0;

	(void)state;
	assert_non_null(fl);
	assert_int_equal(gw_flows_capacity(fl), 64);
	/* a flood of 10,000 flows: the table holds at most its capacity,
	 * the newest flow is always there */
	for (unsigned int i = 0; i < 10000; i++) {
		struct gw_flow f = flow(1, 17, (uint16_t)i);

		gw_flows_note(fl, &f, 1, t0);
		assert_true(seen(fl, &f, t0));
	}
	for (unsigned int i = 0; i < 10000; i++) {
		struct gw_flow f = flow(1, 17, (uint16_t)i);

		found += seen(fl, &f, t0);
	}
	assert_true(found <= 64);
	assert_true(found >= 32);
	/* once the flood has expired, a TCP flow outlasts a new flood of
	 * UDP: a bucket gives up its least lasting entry */
	{
		uint64_t t1 = t0 + (GW_FLOW_UDP_TICKS + 1) * TICK;
		struct gw_flow tcp = flow(1, 6, 22);

		gw_flows_note(fl, &tcp, 1, t1);
		for (unsigned int i = 0; i < 200; i++) {
			struct gw_flow f = flow(1, 17, (uint16_t)(20000 + i));

			gw_flows_note(fl, &f, 1, t1);
		}
		assert_true(seen(fl, &tcp, t1));
	}
	gw_flows_free(fl);
}

/* A full burst noted in one call is found in one call, flow by flow,
 * also with the same flow twice in it; what was not noted is not found
 * at the positions between. */
static void test_bursts(void **state)
{
	enum { N = GW_FLOWS_BURST };
	struct gw_flows *fl = gw_flows_create(4096, SOCKET_ID_ANY);
	struct gw_flow f[2 * N];
	bool found[2 * N];
	uint64_t t0 = 50 * TICK;

	(void)state;
	assert_non_null(fl);
	for (unsigned int i = 0; i < 2 * N; i++)
		f[i] = flow(i % 5, 6, (uint16_t)(1000 + i));
	f[N - 1] = f[N - 2];
	gw_flows_note(fl, f, N, t0);
	memset(found, 0, sizeof(found));
	/* interleave noted and never-noted flows in one lookup */
	{
		struct gw_flow q[2 * N];

		for (unsigned int i = 0; i < N; i++) {
			q[2 * i] = f[i];
			q[2 * i + 1] = f[N + i];
		}
		gw_flows_lookup(fl, q, N, t0, found);
		gw_flows_lookup(fl, q + N, N, t0, found + N);
	}
	for (unsigned int i = 0; i < N; i++) {
		assert_true(found[2 * i]);
		assert_false(found[2 * i + 1]);
	}
	gw_flows_free(fl);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_note_and_expire),
		cmocka_unit_test(test_full_table_keeps_working),
		cmocka_unit_test(test_bursts),
	};
	char prefix[64];
	char *eal[] = { argv[0], "-l", "0", "--no-huge", "-m", "128",
			"--no-pci", "--no-shconf", "--file-prefix", prefix,
			"--log-level", "*:error" };

	(void)argc;
	snprintf(prefix, sizeof(prefix), "test_gw_flows_%d", (int)getpid());
	if (sodium_init() < 0 || rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "init failed\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL) | rte_eal_cleanup();
}
