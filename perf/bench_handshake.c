/* SPDX-License-Identifier: MIT */
/*
 * bench_handshake: responder handshakes per second through the real
 * control-lcore code (issue 11, "Handshakes"), against what the same
 * cores do of the X25519 operations one responder handshake needs,
 * measured in the same run.
 *
 * A responder handshake in lib/wg_noise.c does five X25519 operations:
 * wg_noise_consume_initiation computes DH(s_r, e_i) and DH(s_r, s_i) (the
 * static-static DH is not taken from the peer's precomputed one: the
 * initiator's key is only known after the first DH), and
 * wg_noise_create_response makes the ephemeral key pair (one fixed-base
 * scalar multiplication) and computes DH(e_r, e_i) and DH(e_r, s_i). So
 *
 *   x25519_bound = N / (4 / dh_per_s + 1 / base_per_s)
 *
 * with dh_per_s and base_per_s libsodium's crypto_scalarmult_curve25519
 * and _base rates on one lcore (N = 2: both lcores at once, summed),
 * measured just before the case and again just after it (the mean).
 *
 * Each case builds a world (perf/hs_world.h: gw_control_create, peers by
 * gw_peer_add, the WAN frames caught in a ring), pre-makes valid
 * initiation frames from distinct peers, and times from the first one
 * put on the handshake ring to the last response the control lcore sent;
 * the ring is kept below the fill that means "under load" (a responder
 * answering, not a cookie storm). The driving loop is gw_control_poll, the
 * control lcore's own turn. cores=1: no handshake lane, the control lcore
 * does everything (as without `handshakes`); cores=2: one lane on lcore
 * 1, and the control lcore answers inline what does not fit in it. Cases
 * are interleaved (1, 2, 1, 2, ...) and the medians printed; every
 * response of the last round is checked by its initiator. max_turn_us is
 * the longest single gw_control_poll of a case: the longest that timers,
 * ARP and the UAPI (served between turns) wait behind handshakes.
 *
 * Usage: bench_handshake [EAL options --] [--peers N] [--rounds R]
 *        [--repeat K] [--cores 1,2]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <sodium.h>

#include "gw_control.h"
#include "gw_hs_backlog.h"
#include "gw_hs_lane.h"
#include "hs_world.h"
#include "perf_eal.h"
#include "wg_crypto.h"

enum { X25519_PER_HANDSHAKE = 5, FEED_BELOW = 96 /* of 1024: 1/8 loads */ };

struct opts {
	uint32_t peers, rounds, repeat;
	unsigned int cores[4], n_cores;
};

struct x_job {
	bool base;
	double seconds, per_s;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int x_job_main(void *arg)
{
	struct x_job *j = arg;
	uint8_t s[32], p[32], out[32];
	double t0 = now_s(), t;
	uint64_t n = 0;

	randombytes_buf(s, sizeof(s));
	crypto_scalarmult_curve25519_base(p, s);
	do {
		for (int i = 0; i < 64; i++, n++) {
			if (j->base)
				crypto_scalarmult_curve25519_base(out, s);
			else if (crypto_scalarmult_curve25519(out, s, p) != 0)
				abort();
			s[0] ^= out[1]; /* no loop-invariant call */
		}
		t = now_s() - t0;
	} while (t < j->seconds);
	j->per_s = (double)n / t;
	return 0;
}

/* X25519 operations per second on n lcores at once (summed). */
static double x25519_rate(unsigned int n, bool base, double seconds)
{
	struct x_job mine = { base, seconds, 0 }, other = mine;
	unsigned int l1 = rte_get_next_lcore(-1, 1, 0);
	bool two = n > 1 && l1 < RTE_MAX_LCORE &&
		   rte_eal_remote_launch(x_job_main, &other, l1) == 0;

	x_job_main(&mine);
	if (two)
		rte_eal_wait_lcore(l1);
	return mine.per_s + (two ? other.per_s : 0);
}

struct case_out {
	double hs_per_s, bound;
	double max_turn_s;   /* the longest gw_control_poll: what timers,
			      * ARP and the UAPI can wait behind */
	uint32_t valid, invalid, cookies, lane_answers;
	unsigned int leaked;
};

static int run_case(const struct opts *o, unsigned int cores,
		    unsigned int seq, struct case_out *r)
{
	uint16_t lane_lcores[1] = { (uint16_t)rte_get_next_lcore(-1, 1, 0) };
	uint32_t total = o->peers * o->rounds, fed = 0, answered = 0, p, k;
	struct rte_mbuf **frames = calloc(total, sizeof(*frames));
	uint8_t (*last)[sizeof(struct wg_msg_response)] =
		calloc(o->peers, sizeof(*last));
	bool *has_last = calloc(o->peers, sizeof(*has_last));
	struct rte_mbuf *out[64];
	struct hs_world w;
	struct rte_ring *hs_ring;
	uint64_t base_unix = (uint64_t)time(NULL) * 1000000000ull;
	double t0, t1, dh, bs;
	char name[32];
	int ret;

	memset(r, 0, sizeof(*r));
	/* the bound on the cores the case uses, before the case and again
	 * after it (the mean: a shared machine's load drifts) */
	dh = x25519_rate(cores, false, 0.2);
	bs = x25519_rate(cores, true, 0.2);
	r->bound = 0.5 / (4.0 / dh + 1.0 / bs);
	snprintf(name, sizeof(name), "bhs%u", seq);
	ret = hs_world_build(&w, name, o->peers, lane_lcores,
			     cores > 1 ? 1 : 0, true);
	if (ret < 0 || !frames || !last || !has_last) {
		fprintf(stderr, "bench_handshake: world: %s\n", strerror(-ret));
		return -1;
	}
	/* round k's initiations are one second newer than round k-1's */
	for (k = 0; k < o->rounds; k++)
		for (p = 0; p < o->peers; p++) {
			frames[k * o->peers + p] = hs_client_initiation(
				&w, p, base_unix + k * 1000000000ull);
			if (!frames[k * o->peers + p]) {
				fprintf(stderr, "bench_handshake: out of mbufs\n");
				return -1;
			}
		}
	hs_ring = w.ctx->ctrl_ring[GW_CTRL_HANDSHAKE];
	t0 = t1 = now_s();
	while (answered + r->cookies < total && now_s() - t1 < 10) {
		unsigned int n, i;

		while (fed < total &&
		       rte_ring_count(hs_ring) +
				       gw_hs_backlog_count(w.ctx) <
			       FEED_BELOW &&
		       rte_ring_enqueue(hs_ring, frames[fed]) == 0)
			fed++;
		double ts = now_s();

		if (gw_control_poll(w.ctx)) {
			t1 = now_s();
			if (t1 - ts > r->max_turn_s)
				r->max_turn_s = t1 - ts;
		}
		n = rte_ring_dequeue_burst(w.wan_tx, (void **)out,
					   RTE_DIM(out), NULL);
		for (i = 0; i < n; i++) {
			const uint8_t *msg;
			uint32_t len, q;
			int type = hs_frame_client(&w, out[i], &q, &msg, &len);

			if (type == WG_MSG_RESPONSE) {
				answered++;
				/* checked after the clock stops: the
				 * initiator's DH must not slow the control
				 * lcore it shares the thread with */
				if (hs_client_is_current(&w, q, msg, len)) {
					memcpy(last[q], msg, len);
					has_last[q] = true;
				}
			} else if (type == WG_MSG_COOKIE_REPLY) {
				r->cookies++;
			}
			rte_pktmbuf_free(out[i]);
		}
		if (n)
			t1 = now_s();
	}
	t1 = now_s();
	r->hs_per_s = (double)answered / (t1 - t0);
	for (p = 0; p < o->peers; p++) {
		if (has_last[p] &&
		    hs_client_response(&w, p, last[p], sizeof(last[p])) ==
			    WG_NOISE_OK)
			r->valid++;
		else
			r->invalid++;
	}
	r->lane_answers = (uint32_t)gw_hs_lanes_answered(w.ctx);
	/* every frame went to the control lcore, every response was freed */
	r->leaked = rte_mempool_in_use_count(w.pool);
	hs_world_free(&w); /* its lane stops: the cores are free again */
	dh = x25519_rate(cores, false, 0.2);
	bs = x25519_rate(cores, true, 0.2);
	r->bound += 0.5 / (4.0 / dh + 1.0 / bs);
	free(frames);
	free(last);
	free(has_last);
	if (answered < total)
		fprintf(stderr, "bench_handshake: %u of %u initiations answered\n",
			answered, total);
	return answered == total ? 0 : -1;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	o->peers = 1024;
	o->rounds = 3;
	o->repeat = 3;
	o->cores[0] = 1;
	o->cores[1] = 2;
	o->n_cores = 2;
	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return -1;
		if (!strcmp(argv[i], "--peers"))
			o->peers = (uint32_t)atoi(v);
		else if (!strcmp(argv[i], "--rounds"))
			o->rounds = (uint32_t)atoi(v);
		else if (!strcmp(argv[i], "--repeat"))
			o->repeat = (uint32_t)atoi(v);
		else if (!strcmp(argv[i], "--cores")) {
			char *s = strdup(v), *save = NULL, *t;

			o->n_cores = 0;
			for (t = strtok_r(s, ",", &save); t && o->n_cores < 4;
			     t = strtok_r(NULL, ",", &save))
				o->cores[o->n_cores++] = (unsigned int)atoi(t);
			free(s);
		} else
			return -1;
		i++;
	}
	/* every frame of a case is in the pool at once (hs_world.c: 8191) */
	if (!o->peers || !o->rounds || !o->repeat || !o->n_cores ||
	    (uint64_t)o->peers * o->rounds > 6144)
		return -1;
	for (unsigned int c = 0; c < o->n_cores; c++)
		if (o->cores[c] < 1 || o->cores[c] > 2)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	char prefix[64];
	char *def_eal[] = { argv[0], "-l", "0-1", "--no-huge", "-m", "1024",
			    "--no-pci", "--file-prefix", prefix,
			    "--log-level", "*:error" };
	double hs[4][16], bound[4][16], turn[4][16];
	struct case_out r;
	struct opts o;
	int sep, status = 0;
	unsigned int c, k;

	snprintf(prefix, sizeof(prefix), "bench_hs_%d", (int)getpid());
	sep = perf_eal_init(argc, argv, def_eal, (int)RTE_DIM(def_eal));
	if (sep < 0)
		return 1;
	if (parse_opts(&o, argc - sep, argv + sep) < 0 || o.repeat > 16) {
		fprintf(stderr,
			"usage: %s [EAL options --] [--peers N] [--rounds R] [--repeat K<=16] [--cores 1,2]\n"
			"       (peers x rounds <= 6144)\n",
			argv[0]);
		return 2;
	}
	printf("# responder handshakes through gw_control_poll: %u peers x %u rounds per case, %u repeats, interleaved\n",
	       o.peers, o.rounds, o.repeat);
	printf("# x25519_bound = cores / (4 / DH_per_s + 1 / base_per_s): %d X25519 operations per responder handshake\n",
	       X25519_PER_HANDSHAKE);
	printf("%-6s %-4s %12s %12s %7s %7s %8s %7s %7s %9s\n", "cores", "rep",
	       "hs/s", "bound/s", "ratio", "valid", "invalid", "lane", "leaked",
	       "turn_us");
	for (k = 0; k < o.repeat; k++)
		for (c = 0; c < o.n_cores; c++) {
			if (run_case(&o, o.cores[c], k * 4 + c, &r) < 0 ||
			    r.invalid || r.leaked || r.cookies)
				status = 1;
			hs[c][k] = r.hs_per_s;
			turn[c][k] = r.max_turn_s * 1e6;
			bound[c][k] = r.bound;
			printf("%-6u %-4u %12.0f %12.0f %7.3f %7u %8u %7u %7u %9.0f\n",
			       o.cores[c], k, r.hs_per_s, r.bound,
			       r.hs_per_s / r.bound, r.valid, r.invalid,
			       r.lane_answers, r.leaked, turn[c][k]);
		}
	for (c = 0; c < o.n_cores; c++) {
		double h, b, ratios[16];

		for (k = 0; k < o.repeat; k++)
			ratios[k] = hs[c][k] / bound[c][k];
		h = median(hs[c], o.repeat);
		b = median(bound[c], o.repeat);
		printf("{\"bench\": \"handshake\", \"cores\": %u, \"handshakes_per_s\": %.0f, \"x25519_bound\": %.0f, \"ratio\": %.3f, \"x25519_per_handshake\": %d, \"lanes\": %u, \"peers\": %u, \"repeats\": %u, \"max_turn_us\": %.0f}\n",
		       o.cores[c], h, b, median(ratios, o.repeat),
		       X25519_PER_HANDSHAKE, o.cores[c] > 1 ? 1u : 0u,
		       o.peers, o.repeat, median(turn[c], o.repeat));
	}
	if (o.n_cores == 2)
		printf("# cores=%u / cores=%u handshakes per second: %.2f\n",
		       o.cores[1], o.cores[0],
		       median(hs[1], o.repeat) / median(hs[0], o.repeat));
	perf_eal_cleanup();
	return status;
}
