/* SPDX-License-Identifier: MIT */
/*
 * bench_dataplane: the gateway's real worker code (app/gw_worker.c:
 * gw_lan_burst, gw_wan_burst, gw_assist, gw_wan_collect) on pre-built
 * mbufs, without a NIC, on one and two cores, against the raw ipsec-mb
 * AEAD measured in the same process (perf_aead.h).
 *
 *   bench_dataplane [EAL options --] [--quick] [--seconds S] [--pairs N]
 *                   [--sizes 64,1420,imix] [--peers 1,100000]
 *                   [--workers 1,2] [--path encrypt|decrypt|both] [--cold]
 *                   [--policy none,rate,acl]
 *
 * Without EAL options: -l 0-1 --no-huge -m 3072 --no-pci (the 100,000-peer
 * tables need about 700 MB).
 *
 * Encrypt: LAN frames (Ethernet + IPv4 + UDP, the given inner IP size)
 * toward addresses inside the peers' AllowedIPs go through gw_lan_burst;
 * the WireGuard frames it queues for WAN TX are the output. Decrypt: WAN
 * frames pre-encrypted with each peer's keys (counters increasing per
 * peer) go through gw_wan_burst; the inner frames queued for LAN TX are
 * the output, checked for arrival order (the inner IP id carries the
 * sequence). Each round restores 1024 frames from pristine copies (and,
 * once per pass over the set, every replay window the set touches) outside
 * the timed section, then times 32 bursts of 32 through the worker,
 * including the final drain of the reorder buffer. mpps = packets per
 * second of timed section; with two workers the sum over the workers
 * (encrypt: each has its own frames; decrypt, one tunnel: worker 0 owns
 * the RX queue and spreads to worker 1). cycles_per_packet = TSC cycles
 * on all workers per packet. aead_mpps = raw AEAD Mpps of the same
 * direction and sizes (the better of ipsec-mb's job and burst APIs), run
 * on every worker lcore at once and summed, so ratio = mpps / aead_mpps
 * is per core. Each case
 * alternates AEAD runs and bench runs (--pairs) and reports medians.
 *
 * The 100,000-peer case: 1,000,000 IPv4 prefixes (dp_world.c); packets
 * go to pseudo-random peers and prefixes (dp_frames.c). Nothing is sent
 * anywhere.
 *
 * Files: bench_dataplane.h lists them; this one parses the options, runs
 * every case and prints the table and the JSON lines.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "bench_dataplane.h"
#include "gw_crypto.h"
#include "gw_worker.h"
#include "perf_aead.h"
#include "wg_crypto.h"

enum {
	MAX_SIZES = 8,
	MAX_PEERS_CASES = 4,
};

struct opts {
	double seconds;
	unsigned int pairs;
	struct size_case sizes[MAX_SIZES];
	unsigned int n_sizes;
	uint32_t peers[MAX_PEERS_CASES];
	unsigned int n_peers;
	unsigned int workers[2];
	unsigned int n_workers;
	bool enc, dec;
	bool no_aead;              /* profiling: skip the reference */
	bool cold_payload;         /* --cold (struct wset) */
	enum policy_mode policies[POLICY_MODES]; /* --policy (dp_policy.c) */
	unsigned int n_policies;
};

/* ------------------------------------------------------------ options */

static int parse_sizes(struct opts *o, char *arg)
{
	char *tok, *save = NULL;

	o->n_sizes = 0;
	for (tok = strtok_r(arg, ",", &save); tok && o->n_sizes < MAX_SIZES;
	     tok = strtok_r(NULL, ",", &save)) {
		struct size_case *sc = &o->sizes[o->n_sizes++];
		unsigned int i;

		memset(sc, 0, sizeof(*sc));
		snprintf(sc->name, sizeof(sc->name), "%s", tok);
		if (strcmp(tok, "imix") == 0) {
			for (i = 0; i < perf_aead_imix.n_sizes && i < 16; i++)
				sc->sizes[i] = perf_aead_imix.sizes[i];
			sc->n_sizes = i;
		} else {
			sc->sizes[0] = (uint32_t)atoi(tok);
			sc->n_sizes = 1;
			if (sc->sizes[0] < 28 || sc->sizes[0] > MTU)
				return -1;
		}
		sc->avg = 0;
		for (i = 0; i < sc->n_sizes; i++)
			sc->avg += sc->sizes[i];
		sc->avg /= sc->n_sizes;
	}
	return 0;
}

static void parse_list(uint32_t *v, unsigned int *n, unsigned int max,
		       char *arg)
{
	char *tok, *save = NULL;

	*n = 0;
	for (tok = strtok_r(arg, ",", &save); tok && *n < max;
	     tok = strtok_r(NULL, ",", &save))
		v[(*n)++] = (uint32_t)atoi(tok);
}

/* --policy none,rate,acl */
static int parse_policies(struct opts *o, char *arg)
{
	char *tok, *save = NULL;

	o->n_policies = 0;
	for (tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->n_policies == POLICY_MODES ||
		    policy_parse(tok, &o->policies[o->n_policies]) < 0)
			return -1;
		o->n_policies++;
	}
	return o->n_policies ? 0 : -1;
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	char sizes[] = "64,128,256,512,1024,1420,imix";
	char peers[] = "1,100000";
	uint32_t wk[2] = { 1, 2 };
	int i;

	memset(o, 0, sizeof(*o));
	o->seconds = 0.3;
	o->pairs = 3;
	o->enc = o->dec = true;
	parse_sizes(o, sizes);
	parse_list(o->peers, &o->n_peers, MAX_PEERS_CASES, peers);
	o->workers[0] = wk[0];
	o->workers[1] = wk[1];
	o->n_workers = 2;
	o->policies[0] = POLICY_NONE;
	o->n_policies = 1;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--quick") == 0) {
			o->seconds = 0.1;
			o->pairs = 1;
		} else if (strcmp(a, "--no-aead") == 0) {
			o->no_aead = true;
		} else if (strcmp(a, "--cold") == 0) {
			o->cold_payload = true;
		} else if (strcmp(a, "--seconds") == 0 && v) {
			o->seconds = atof(v);
			i++;
		} else if (strcmp(a, "--pairs") == 0 && v) {
			o->pairs = (unsigned int)atoi(v);
			i++;
		} else if (strcmp(a, "--sizes") == 0 && v) {
			if (parse_sizes(o, v) < 0)
				return -1;
			i++;
		} else if (strcmp(a, "--peers") == 0 && v) {
			parse_list(o->peers, &o->n_peers, MAX_PEERS_CASES, v);
			i++;
		} else if (strcmp(a, "--workers") == 0 && v) {
			parse_list(o->workers, &o->n_workers, 2, v);
			i++;
		} else if (strcmp(a, "--policy") == 0 && v) {
			if (parse_policies(o, v) < 0)
				return -1;
			i++;
		} else if (strcmp(a, "--path") == 0 && v) {
			o->enc = strcmp(v, "decrypt") != 0;
			o->dec = strcmp(v, "encrypt") != 0;
			i++;
		} else {
			return -1;
		}
	}
	if (o->pairs < 1 || o->pairs > 15 || !o->n_sizes || !o->n_peers)
		return -1;
	return 0;
}

/* Every path, size and worker count of one world under one policy mode;
 * prints a table row and a JSON line per case. */
static int run_cases(const struct opts *o, struct world *w,
		     unsigned int n_lcores, enum policy_mode pm)
{
	struct gw_ctx *ctx = w->ctx;
	double one_wk[2][MAX_SIZES] = { { 0 } };
	int si, wi, di;

	for (di = 0; di < 2; di++) {
		bool decrypt = di == 1;

		if ((decrypt && !o->dec) || (!decrypt && !o->enc))
			continue;
		for (si = 0; si < (int)o->n_sizes; si++) {
			for (wi = 0; wi < (int)o->n_workers; wi++) {
				unsigned int nw = o->workers[wi], k;
				struct wset sets[2];
				double mp[16], gb[16], cp[16], ra[16], ae[16];
				double mw[16], sh[16], pc[16], pa[16], ps[16], pr[16];
				struct case_result r = { 0 };
				uint64_t oerr = 0, drops = 0;
				double m, x1;
				/* one tunnel: worker 0 owns its RX
				 * queue, worker 1 only helps */
				bool spread = decrypt && nw == 2 &&
					      w->n_peers == 1;

				if (nw < 1 || nw > 2 ||
				    (nw == 2 && n_lcores < 2))
					continue;
				memset(sets, 0, sizeof(sets));
				ctx->n_workers = nw;
				/* spreading only for the one tunnel: two
				 * workers with their own queues (RSS over
				 * many peers) are both saturated, and a
				 * bench worker between rounds (restores,
				 * window resets) is not polling for work as
				 * a gateway worker always is */
				if (spread && gw_spread_setup(ctx) != 0)
					return 1;
				for (k = 0; k < nw; k++) {
					if (spread && k == 1)
						continue;
					if (set_build(w, &sets[k],
						      &o->sizes[si],
						      decrypt,
						      o->cold_payload,
						      spread ? 0 : k,
						      spread ? 1 : nw) != 0) {
						fprintf(stderr, "set build failed\n");
						return 1;
					}
				}
				for (k = 0; k < o->pairs; k++) {
					ae[k] = o->no_aead ? 1e-9 :
						aead_ref_workers(
							&o->sizes[si],
							decrypt,
							o->seconds, nw);
					if (bench_run(w, sets, decrypt,
						      nw, o->seconds,
						      &r) != 0) {
						fprintf(stderr, "run failed\n");
						return 1;
					}
					mp[k] = r.mpps;
					mw[k] = r.mpps_wall;
					sh[k] = r.cpu_share;
					gb[k] = r.gbps;
					cp[k] = r.cpp;
					pc[k] = r.cpp_concurrent;
					pa[k] = r.cpp_alone;
					ps[k] = r.concurrent_share;
					pr[k] = r.cpp_round_p10;
					ra[k] = r.mpps / ae[k];
					oerr += r.order_errors;
					drops += r.drops;
				}
				for (k = 0; k < nw; k++)
					if (sets[k].pristine)
						set_free(&sets[k]);
				if (nw == 2)
					gw_spread_free(ctx);
				m = median(mp, o->pairs);
				if (nw == 1)
					one_wk[di][si] = m;
				x1 = one_wk[di][si] > 0 ?
					     m / one_wk[di][si] : 0;
				printf("%-8s %-5s %7u %3u %-6s %9.3f %8.3f %9.1f %9.3f %7.3f %7.2f %6s %5.0f%%%s\n",
				       decrypt ? "decrypt" : "encrypt",
				       o->sizes[si].name, w->n_peers,
				       nw, policy_name(pm), m,
				       median(gb, o->pairs),
				       median(cp, o->pairs),
				       median(ae, o->pairs),
				       median(ra, o->pairs), x1,
				       oerr ? "BAD" : "ok",
				       100 * median(sh, o->pairs),
				       drops ? "  (drops!)" : "");
				printf("{\"bench\": \"dataplane\", \"path\": \"%s\", \"size\": %s%s%s, \"peers\": %u, \"workers\": %u, \"policy\": \"%s\", \"mpps\": %.4f, \"gbps\": %.4f, \"cycles_per_packet\": %.1f, \"aead_mpps\": %.4f, \"ratio\": %.3f, \"avg_payload\": %.2f, \"scaling_vs_1_worker\": %.3f, \"mpps_wall\": %.4f, \"cpu_share\": %.3f, \"order_errors\": %" PRIu64 ", \"drops\": %" PRIu64 ", \"pairs\": %u, \"payload\": \"%s\", \"hugepages\": %s, \"cycles_per_packet_concurrent\": %.1f, \"cycles_per_packet_alone\": %.1f, \"concurrent_share\": %.3f, \"cycles_per_packet_round_p10\": %.1f}\n",
				       decrypt ? "decrypt" : "encrypt",
				       o->sizes[si].n_sizes > 1 ? "\"" : "",
				       o->sizes[si].name,
				       o->sizes[si].n_sizes > 1 ? "\"" : "",
				       w->n_peers, nw, policy_name(pm), m,
				       median(gb, o->pairs),
				       median(cp, o->pairs),
				       median(ae, o->pairs),
				       median(ra, o->pairs),
				       o->sizes[si].avg, x1,
				       median(mw, o->pairs),
				       median(sh, o->pairs), oerr, drops,
				       o->pairs,
				       o->cold_payload ? "cold" : "warm",
				       rte_eal_has_hugepages() ? "true" :
								 "false",
				       median(pc, o->pairs),
				       median(pa, o->pairs),
				       median(ps, o->pairs),
				       median(pr, o->pairs));
				fflush(stdout);
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	char prefix[64];
	char *def_eal[] = { argv[0], "-l", "0-1", "--no-huge", "-m", "3072",
			    "--no-pci", "--file-prefix", prefix,
			    "--log-level", "*:error" };
	int sep, eal_argc, pi, qi;
	char **eal_argv;
	struct opts o;
	struct world w;
	unsigned int n_lcores;

	snprintf(prefix, sizeof(prefix), "bench_dp_%d", (int)getpid());
	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	if (sep < argc) {
		eal_argc = sep;
		eal_argv = argv;
		sep++;
	} else {
		eal_argc = (int)RTE_DIM(def_eal);
		eal_argv = def_eal;
		sep = 1;
	}
	if (parse_opts(&o, argc - sep, argv + sep) < 0) {
		fprintf(stderr,
			"usage: %s [EAL options --] [--quick] [--seconds S] [--pairs N]\n"
			"       [--sizes 64,...,imix] [--peers 1,100000] [--workers 1,2]\n"
			"       [--path encrypt|decrypt|both] [--policy none,rate,acl]\n",
			argv[0]);
		return 2;
	}
	if (wg_crypto_init() != 0)
		return 1;
	gw_log_init();
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "bench_dataplane: EAL init failed\n");
		return 1;
	}
	gw_log_init();
	n_lcores = rte_lcore_count();
	memset(&w, 0, sizeof(w));
	w.pool = rte_pktmbuf_pool_create("bench_pool", 2 * SET + 1024, 256, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE,
					 (int)rte_socket_id());
	if (!w.pool) {
		fprintf(stderr, "bench_dataplane: mbuf pool\n");
		return 1;
	}

	{
		IMB_MGR *mb = gw_crypto_mgr_create();

		printf("# bench_dataplane: app/gw_worker.c on pre-built mbufs, no NIC; ipsec-mb %s (%s)\n",
		       imb_get_version_str(),
		       mb ? gw_crypto_arch_name(mb) : "?");
		gw_crypto_mgr_free(mb);
	}
	printf("# %u lcores on %ld CPUs; 2 workers = main lcore + lcore 1 (nothing else runs: no control lcore)\n",
	       n_lcores, sysconf(_SC_NPROCESSORS_ONLN));
	printf("# rounds of %u frames (32 bursts of 32) restored outside the timed section (%s); median of %u pairs (AEAD run, bench run) of %.2f s\n",
	       ROUND,
	       o.cold_payload ? "--cold: encryption payload left in memory" :
			      "whole frames, as a copying PMD leaves them",
	       o.pairs, o.seconds);
	printf("# aead = raw ipsec-mb Mpps (better of job/burst API), on both lcores at once for 2 workers, summed; ratio = mpps / aead\n");
	printf("# 2-worker decrypt = one tunnel: worker 0 owns the RX queue, spreads to worker 1, per-queue order restored\n\n");
	printf("%-8s %-5s %7s %3s %-6s %9s %8s %9s %9s %7s %7s %6s %6s\n", "path",
	       "size", "peers", "wk", "policy", "Mpps", "Gbit/s", "cyc/pkt", "aead",
	       "ratio", "x1wk", "order", "cpu");

	for (pi = 0; pi < (int)o.n_peers; pi++) {
		if (world_build(&w, o.peers[pi]) != 0) {
			fprintf(stderr, "bench_dataplane: building %u peers failed\n",
				o.peers[pi]);
			return 1;
		}
		for (qi = 0; qi < (int)o.n_policies; qi++)
			if (policy_apply(&w, o.policies[qi]) != 0 ||
			    run_cases(&o, &w, n_lcores, o.policies[qi]) != 0)
				return 1;
		world_free(&w);
	}
	rte_eal_cleanup();
	return 0;
}
