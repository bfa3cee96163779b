/* SPDX-License-Identifier: MIT */
/*
 * bench_peer_memory: the memory a peer with a session costs
 * (issue 11, "Many peers": <= 3 KB a peer with a session), measured, not
 * summed from struct sizes.
 *
 * One testbed (app/gw_testbed.h: the context gw_setup builds, no NIC) for
 * max_peers = N on EAL --no-huge. What is allocated (the DPDK heap's
 * bytes, malloc headers and padding included, and libc's) is read:
 *   empty     the gateway built, no peer yet (tables for N allocated);
 *   peers     N peers added as `wg set` adds them (an endpoint and one
 *             /128 each, one route batch per 10,000);
 *   sessions  a session installed for each (gw_peer_install_keypair as
 *             a finished handshake does: one keypair from the pool);
 *   rekeyed   every peer rekeyed at once (its old keypair previous);
 *   settled   every previous keypair retired (gw_peer_tick_previous at
 *             the time it would retire them, then the grace period) and
 *             every peer rekeyed once more: the pool reuses the keypairs
 *             it got back, so nothing grows, and nothing shrinks either:
 *             the pool keeps its high-water mark (all N rekeyed at once
 *             here, the worst case; peers that rekey at different times
 *             hold a second keypair only for seconds each).
 * Per peer: (stage - empty) / N; per session: (sessions - peers) / N.
 * The struct figure is what the start log says (gw_peer_session_bytes).
 * Prints figures and one JSON line {"bench": "peer_memory", ...}.
 *
 * Usage: bench_peer_memory [EAL options --] [--peers N] [--workers W]
 * (N 20,000 by default, in the default -m 4096; 100,000 need -m 12288:
 * the tables for max_peers come first)
 */
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_malloc.h>

#include "gw_control.h"
#include "gw_keypair_pool.h"
#include "gw_peer.h"
#include "gw_testbed.h"
#include "perf_eal.h"
#include "wg_crypto.h"

#define BATCH 10000u

/* Bytes allocated: the DPDK heap's (every socket; elements with their
 * headers and padding) and libc's (arena and mmap'd blocks). Not the
 * resident set: with --no-huge the EAL touches all of -m at start, so
 * the RSS does not move with rte_malloc. */
static uint64_t allocated_bytes(void)
{
	struct rte_malloc_socket_stats ms;
	struct mallinfo2 mi = mallinfo2();
	uint64_t sum = mi.uordblks + mi.hblkhd;
	unsigned int s;

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats((int)s, &ms) == 0)
			sum += ms.heap_allocsz_bytes;
	return sum;
}

/* Peers from..from+n-1: random keys, endpoint 203.0.113.x:port, one
 * /128 of 2001:db8:1::/64 each. */
static int add_peers(struct gw_testbed *tb, uint32_t from, uint32_t n)
{
	struct gw_testbed_peer *tp = calloc(n, sizeof(*tp));
	struct wg_prefix *pfx = calloc(n, sizeof(*pfx));
	uint32_t i;
	int rc = -1;

	if (tp && pfx) {
		for (i = 0; i < n; i++) {
			uint32_t k = from + i + 1;
			uint32_t a = rte_cpu_to_be_32(RTE_IPV4(203, 0, 113, 1));

			wg_random(tp[i].public_key, WG_KEY_LEN);
			tp[i].endpoint.family = WG_FAMILY_V4;
			tp[i].endpoint.port = (uint16_t)(1024 + k % 60000);
			memcpy(tp[i].endpoint.addr, &a, 4);
			pfx[i].family = WG_FAMILY_V6;
			pfx[i].cidr = 128;
			pfx[i].addr[0] = 0x20;
			pfx[i].addr[1] = 0x01;
			pfx[i].addr[2] = 0x0d;
			pfx[i].addr[3] = 0xb8;
			pfx[i].addr[5] = 0x01;
			pfx[i].addr[12] = (uint8_t)(k >> 24);
			pfx[i].addr[13] = (uint8_t)(k >> 16);
			pfx[i].addr[14] = (uint8_t)(k >> 8);
			pfx[i].addr[15] = (uint8_t)k;
			tp[i].allowed_ips = &pfx[i];
			tp[i].n_allowed_ips = 1;
		}
		rc = gw_testbed_add_peers(tb, tp, n);
	}
	free(tp);
	free(pfx);
	return rc;
}

/* A session for every peer (as initiator: current at once), receiver
 * indices from *next_index on. */
static int install_all(struct gw_testbed *tb, uint32_t *next_index)
{
	struct gw_peer *p;
	struct wg_keypair k;

	for (p = tb->ctx->control->peers; p; p = p->list_next) {
		memset(&k, 0, sizeof(k));
		k.local_index = (*next_index)++;
		k.remote_index = k.local_index;
		wg_random(k.sending_key, WG_KEY_LEN);
		wg_random(k.receiving_key, WG_KEY_LEN);
		if (!gw_testbed_session(tb, p, &k)) {
			wg_wipe(&k, sizeof(k));
			return -1;
		}
	}
	wg_wipe(&k, sizeof(k));
	return 0;
}

/* Every previous keypair retired, then the grace period (no worker is
 * registered: it is over at once) and the pool's reclaim. */
static void retire_all(struct gw_testbed *tb)
{
	struct gw_ctx *ctx = tb->ctx;
	uint64_t later = gw_now_ns(ctx) +
			 ctx->control->timer_params.reject_after_time;
	struct gw_peer *p;

	for (p = ctx->control->peers; p; p = p->list_next)
		gw_peer_tick_previous(ctx, p, later);
	gw_kp_pool_reclaim(ctx->control->kp_pool);
}

static double per(uint64_t a, uint64_t b, uint32_t n)
{
	return n ? ((double)a - (double)b) / n : 0;
}

int main(int argc, char **argv)
{
	char *def_eal[] = { argv[0], "-l", "0", "--no-huge", "-m", "4096",
			    "--no-pci", "--no-shconf", "--file-prefix",
			    "bench_peer_memory", "--log-level", "*:error" };
	uint32_t n = 20000, workers = 1, i, next_index = 1;
	uint64_t r_empty, r_peers, r_sess, r_rekeyed, r_settled;
	struct gw_testbed_opts o = { .lcores = 1, .workers = 1 };
	static const uint8_t priv[WG_KEY_LEN] = { 0x40, 0x03 };
	struct gw_kp_pool_stats st_rekeyed, st_settled;
	struct gw_testbed *tb;
	int sep, rc = 1;

	sep = perf_eal_init(argc, argv, def_eal, (int)RTE_DIM(def_eal));
	if (sep < 0)
		return 1;
	for (i = (uint32_t)sep; i + 1 < (uint32_t)argc; i += 2) {
		if (!strcmp(argv[i], "--peers"))
			n = (uint32_t)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--workers"))
			workers = (uint32_t)strtoul(argv[i + 1], NULL, 10);
	}
	o.lcores = o.workers = workers ? workers : 1;
	o.max_peers = n;
	o.private_key = priv;
	o.n_mbufs = 1024;
	tb = gw_testbed_create(&o);
	if (!tb) {
		fprintf(stderr, "bench_peer_memory: no testbed for %u peers\n",
			n);
		goto out;
	}
	r_empty = allocated_bytes();
	for (i = 0; i < n; i += BATCH)
		if (add_peers(tb, i, RTE_MIN(BATCH, n - i)) < 0) {
			fprintf(stderr, "bench_peer_memory: adding peers failed at %u\n",
				i);
			goto out;
		}
	r_peers = allocated_bytes();
	if (install_all(tb, &next_index) < 0)
		goto fail_session;
	r_sess = allocated_bytes();
	if (install_all(tb, &next_index) < 0)
		goto fail_session;
	r_rekeyed = allocated_bytes();
	gw_kp_pool_stats(tb->ctx->control->kp_pool, &st_rekeyed);
	retire_all(tb);
	if (install_all(tb, &next_index) < 0)
		goto fail_session;
	retire_all(tb);
	r_settled = allocated_bytes();
	gw_kp_pool_stats(tb->ctx->control->kp_pool, &st_settled);

	printf("peer_memory: %u peers, %u workers\n", n, o.workers);
	printf("  by struct sizes (the start log): %zu B a peer with a session, %zu B while it rekeys\n",
	       gw_peer_session_bytes(), gw_peer_rekeying_bytes());
	printf("  allocated (DPDK heap + libc), per peer over the empty gateway:\n");
	printf("    peers without a session  %8.0f B\n", per(r_peers, r_empty, n));
	printf("    with a session           %8.0f B (a session adds %.0f B)\n",
	       per(r_sess, r_empty, n), per(r_sess, r_peers, n));
	printf("    all rekeyed at once      %8.0f B (keypairs in use %u)\n",
	       per(r_rekeyed, r_empty, n), st_rekeyed.in_use);
	printf("    previous ones retired, rekeyed again %8.0f B (keypairs in use %u, allocated %u)\n",
	       per(r_settled, r_empty, n), st_settled.in_use,
	       st_settled.allocated);
	printf("{\"bench\": \"peer_memory\", \"peers\": %u, \"workers\": %u, "
	       "\"struct_bytes_session\": %zu, \"struct_bytes_rekeying\": %zu, "
	       "\"alloc_bytes_peer\": %.0f, \"alloc_bytes_peer_with_session\": %.0f, "
	       "\"alloc_bytes_session\": %.0f, \"alloc_bytes_all_rekeyed\": %.0f, "
	       "\"alloc_bytes_settled\": %.0f, \"keypairs_allocated\": %u}\n",
	       n, o.workers, gw_peer_session_bytes(), gw_peer_rekeying_bytes(),
	       per(r_peers, r_empty, n), per(r_sess, r_empty, n),
	       per(r_sess, r_peers, n), per(r_rekeyed, r_empty, n),
	       per(r_settled, r_empty, n), st_settled.allocated);
	rc = 0;
	goto out;
fail_session:
	fprintf(stderr, "bench_peer_memory: installing sessions failed\n");
out:
	if (tb)
		gw_testbed_free(tb);
	perf_eal_cleanup();
	return rc;
}
