/* SPDX-License-Identifier: MIT */
/*
 * One timed bench run of a case on one or two workers (lcores): the
 * gateway's real worker code (app/gw_worker.c: gw_lan_burst, gw_wan_burst,
 * gw_assist, gw_wan_collect) on the frames of dp_frames.c, without a NIC;
 * a sink stands in for TX. How a round is timed and what the figures
 * mean: the comment at the top of bench_dataplane.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>

#include "bench_dataplane.h"
#include "gw_worker.h"
#include "wg_replay.h"

/* One worker's part of a run: what it runs, and what it measured. */
struct job {
	struct world *w;
	struct gw_lcore *lc;
	struct wset *set;          /* NULL: helper only */
	bool decrypt;
	unsigned int rounds_max;
	uint64_t deadline;         /* TSC */
	/* results */
	uint64_t packets;
	uint64_t cycles;           /* TSC, timed sections */
	uint64_t cpu_ns;           /* thread CPU time, timed sections */
	uint64_t run_cpu_ns, run_wall_ns; /* whole run, for the CPU share */
	uint64_t bytes;            /* inner bytes */
	uint64_t order_errors;
	uint64_t fed, delivered;   /* frames into the worker, out of its TX */
	uint16_t *expect;          /* the next inner id due at TX */
	unsigned int idx;          /* 0 or 1: heartbeat[] slot */
	bool classify;             /* sort bursts by the other's heartbeat */
	uint32_t n_samples[2];     /* alone, concurrent */
	uint32_t n_rounds;         /* round_tsc[] samples */
	int err;
} __rte_cache_aligned; /* each worker writes its own per packet (sink):
			* no line shared with the other's */

/* owners that have finished their rounds; everybody keeps helping until
 * all owners are done (their last chunks may be with another worker) */
static unsigned int owners_done, owners_total;

/* One tunnel spread: both workers' TX sinks in the order of the transmit
 * turns. Only the worker holding the turn touches it (the turn passes
 * with release/acquire), so every inner id is checked against the one
 * before it, whichever worker sent either. */
static uint16_t turn_expect;

/* Each worker's TSC at the end of its last burst (a helper's: of its
 * last turn that did work), on a line of its own: a burst during which
 * the other's moved ran beside the other worker busy. (One more line
 * crosses cores per burst, the same for every case.) A spread owner's
 * concurrent bursts, waits for its helper included, give the tunnel's
 * rate on a machine where both workers always run. */
static struct {
	uint64_t tsc;
} __rte_cache_aligned heartbeat[2];

/* Each job's burst times (TSC), alone and concurrent: medians, since a
 * burst the machine descheduled takes a thousand times longer, and the
 * other worker is the likelier to have run during it. */
enum { SAMPLES = 1 << 16, ROUND_SAMPLES = 1 << 12 };
static uint32_t samples[2][2][SAMPLES];
/* Each job's timed rounds (TSC, restores excluded): their 10th
 * percentile is a round that neither worker lost its CPU during, on a
 * machine whose load deschedules either now and then (a spread owner
 * waits for its helper then). */
static uint32_t round_tsc[2][ROUND_SAMPLES];

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile of n samples, sorted in place. */
static uint32_t percentile(uint32_t *v, uint32_t n, unsigned int p)
{
	qsort(v, n, sizeof(uint32_t), cmp_u32);
	return v[(uint64_t)n * p / 100];
}

/* The median of job i's class c, per packet; 0 without samples. */
static double burst_median(unsigned int i, unsigned int c, uint32_t n)
{
	return n ? (double)percentile(samples[i][c], n, 50) / GW_BURST : 0;
}

/* TX stand-in: count, check the order of decrypted inner packets; then
 * the turn (if the worker holds one) passes on, as after a TX call. */
static void sink(struct job *jb, struct gw_txbuf *tx)
{
	uint16_t *expect = jb->expect;
	unsigned int i;

	jb->delivered += tx->n;
	for (i = 0; i < tx->n; i++) {
		struct rte_mbuf *m = tx->m[i];

		jb->bytes += m->pkt_len - RTE_ETHER_HDR_LEN;
		if (jb->decrypt) {
			const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
				m, const struct rte_ipv4_hdr *,
				RTE_ETHER_HDR_LEN);

			if (rte_be_to_cpu_16(ip->packet_id) != *expect)
				jb->order_errors++;
			*expect = (uint16_t)(rte_be_to_cpu_16(ip->packet_id) + 1);
		}
	}
	tx->n = 0;
	gw_wan_sent(jb->lc);
}

/* Thread CPU time or monotonic wall time, ns. */
static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* An lcore's run: warm-up round, then timed rounds until the deadline;
 * then it helps the other worker until every owner of frames is done. */
static int job_main(void *arg)
{
	struct job *jb = arg;
	struct gw_lcore *lc = jb->lc;
	struct gw_ctx *ctx = lc->ctx;
	struct wset *s = jb->set;
	struct gw_txbuf tx = { .n = 0 };
	unsigned int round, b, passes = SET / ROUND;

	uint16_t own_expect = 0;
	uint64_t run_cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	uint64_t run_wall0 = clock_ns(CLOCK_MONOTONIC);

	if (!jb->expect)
		jb->expect = &own_expect;
	rte_rcu_qsbr_thread_register(ctx->qsbr, lc->worker_idx);
	rte_rcu_qsbr_thread_online(ctx->qsbr, lc->worker_idx);
	if (!s)
		goto help;
	for (round = 0; round <= jb->rounds_max; round++) {
		unsigned int from = (round % passes) * ROUND;
		uint64_t t0, t1, c0, c1, excl, out0 = 0;

		/* round 0 is the warm-up: at least one timed round, even
		 * when a loaded machine made the warm-up outlast the run */
		if (round > 1 && rte_rdtsc() > jb->deadline)
			break;
		if (jb->decrypt && from == 0) {
			unsigned int i;

			for (i = 0; i < s->n_reset; i++)
				wg_replay_init(&s->reset[i]->replay);
		}
		(void)out0;
		/* nothing is outstanding between rounds: no turn is held */
		*jb->expect = 0;
		jb->fed += ROUND;

		excl = 0;
		c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		t0 = rte_rdtsc();
		for (b = 0; b < ROUND; b += GW_BURST) {
			uint64_t now, b0, o0, r0 = rte_rdtsc();

			/* what the PMD would have done: the frames of this
			 * burst as they arrive (not timed) */
			set_restore(s, from + b, GW_BURST, jb->decrypt);
			now = gw_now_ns(ctx);
			b0 = rte_rdtsc();
			excl += b0 - r0;
			o0 = __atomic_load_n(&heartbeat[!jb->idx].tsc,
					     __ATOMIC_RELAXED);

			if (!jb->decrypt) {
				gw_lan_burst(lc, s->m + from + b, GW_BURST,
					     &tx, now);
			} else {
				/* a full reorder buffer holds RX back */
				while (!gw_wan_room(lc)) {
					gw_wan_collect(lc, &tx);
					sink(jb, &tx);
					gw_assist(lc, now);
				}
				gw_wan_burst(lc, s->m + from + b, GW_BURST,
					     &tx, now);
				gw_wan_collect(lc, &tx);
				gw_assist(lc, now);
			}
			if (jb->classify && round > 0) {
				uint64_t b1 = rte_rdtsc();
				unsigned int c;

				__atomic_store_n(&heartbeat[jb->idx].tsc, b1,
						 __ATOMIC_RELAXED);
				c = __atomic_load_n(&heartbeat[!jb->idx].tsc,
						    __ATOMIC_RELAXED) != o0;
				if (jb->n_samples[c] < SAMPLES)
					samples[jb->idx][c]
					       [jb->n_samples[c]++] =
						(uint32_t)RTE_MIN(b1 - b0,
								  UINT32_MAX);
			}
			sink(jb, &tx);
			gw_worker_quiescent(lc);
		}
		/* the last chunks still with the helper */
		while (!gw_wan_idle(lc)) {
			gw_wan_collect(lc, &tx);
			sink(jb, &tx);
			gw_assist(lc, gw_now_ns(ctx));
		}
		gw_worker_quiescent(lc);
		t1 = rte_rdtsc();
		c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		if (round == 0)
			continue;   /* warm-up */
		jb->cycles += t1 - t0 - excl;
		if (jb->n_rounds < ROUND_SAMPLES)
			round_tsc[jb->idx][jb->n_rounds++] =
				(uint32_t)RTE_MIN(t1 - t0 - excl, UINT32_MAX);
		/* the restores' share of the round's CPU time: the same
		 * fraction as of its wall time (subtracting their wall time
		 * from CPU time goes negative when the thread was
		 * descheduled during a restore, as on a loaded machine) */
		jb->cpu_ns += (uint64_t)((double)(c1 - c0) *
					 (double)(t1 - t0 - excl) /
					 (double)(t1 - t0));
		jb->packets += ROUND;
	}
	__atomic_fetch_add(&owners_done, 1, __ATOMIC_RELEASE);
help:
	/* helping: decrypt what is handed over, transmit it in its turn */
	while (__atomic_load_n(&owners_done, __ATOMIC_ACQUIRE) < owners_total) {
		unsigned int did = gw_assist(lc, gw_now_ns(ctx));

		did += gw_wan_collect(lc, &tx);
		sink(jb, &tx);
		gw_worker_quiescent(lc);
		/* the owner's bursts during which this one worked count as
		 * concurrent ones */
		if (did)
			__atomic_store_n(&heartbeat[jb->idx].tsc, rte_rdtsc(),
					 __ATOMIC_RELAXED);
	}
	jb->run_cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - run_cpu0;
	jb->run_wall_ns = clock_ns(CLOCK_MONOTONIC) - run_wall0;
	rte_rcu_qsbr_thread_offline(ctx->qsbr, lc->worker_idx);
	rte_rcu_qsbr_thread_unregister(ctx->qsbr, lc->worker_idx);
	return 0;
}

/* Every frame the worker did not pass on, whatever the reason. */
static uint64_t drops_total(const struct gw_ctx *ctx)
{
	uint64_t n = 0;
	unsigned int c, l;

	for (l = 0; l < 2; l++)
		for (c = 0; c < GW_CTR_MAX; c++)
			if (strncmp(gw_counter_name(c), "drop_", 5) == 0 ||
			    c == GW_CTR_PACKETS_TO_CONTROL)
				n += ctx->stats->lcore[l].c[c];
	return n;
}

/* One timed bench run of a case: sets already built. */
int bench_run(struct world *w, struct wset *sets, bool decrypt,
		     unsigned int nw, double seconds, struct case_result *r)
{
	struct gw_ctx *ctx = w->ctx;
	struct job jobs[2];
	uint64_t hz = ctx->tsc_hz, deadline, drops0 = drops_total(ctx);
	unsigned int i, lcore1 = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	bool spread = decrypt && nw == 2 && w->n_peers == 1;
	double rate = 0, rate_wall = 0, share = 1;
	uint64_t cyc = 0, pk = 0, bytes = 0, fed = 0, delivered = 0;
	double pc = 0, pa = 0, p10 = 0;
	uint64_t nc = 0, na = 0;

	memset(jobs, 0, sizeof(jobs));
	deadline = rte_rdtsc() + (uint64_t)(seconds * (double)hz);
	for (i = 0; i < nw; i++) {
		jobs[i].w = w;
		jobs[i].lc = &ctx->workers[i];
		jobs[i].set = spread && i == 1 ? NULL : &sets[i];
		jobs[i].decrypt = decrypt;
		jobs[i].rounds_max = 1000000;
		jobs[i].deadline = deadline;
		jobs[i].expect = spread ? &turn_expect : NULL;
		jobs[i].idx = i;
		jobs[i].classify = nw == 2;
	}
	owners_done = 0;
	owners_total = spread ? 1 : nw;
	if (nw == 2 && rte_eal_remote_launch(job_main, &jobs[1], lcore1) != 0)
		return -EBUSY;
	job_main(&jobs[0]);
	if (nw == 2)
		rte_eal_wait_lcore(lcore1);
	memset(r, 0, sizeof(*r));
	for (i = 0; i < nw; i++) {
		double sh = (double)jobs[i].run_cpu_ns /
			    (double)jobs[i].run_wall_ns;

		if (sh < share)
			share = sh;
		fed += jobs[i].fed;
		delivered += jobs[i].delivered;
		bytes += jobs[i].bytes;   /* the average size out */
		/* the helper's sink checks the same sequence */
		r->order_errors += jobs[i].order_errors;
		if (!jobs[i].set)
			continue;
		/* each worker's rate over its own timed sections: per second
		 * of its CPU time (time the machine gave to other processes
		 * does not count, as in perf_aead), and per wall second */
		rate += (double)jobs[i].packets * 1e9 / (double)jobs[i].cpu_ns;
		rate_wall += (double)jobs[i].packets * (double)hz /
			     (double)jobs[i].cycles;
		pk += jobs[i].packets;
		cyc += jobs[i].cycles;
		/* weighted by each job's samples */
		pa += burst_median(i, 0, jobs[i].n_samples[0]) *
		      jobs[i].n_samples[0];
		pc += burst_median(i, 1, jobs[i].n_samples[1]) *
		      jobs[i].n_samples[1];
		na += jobs[i].n_samples[0];
		nc += jobs[i].n_samples[1];
		/* per packet of all the owners' rounds at once */
		if (jobs[i].n_rounds)
			p10 += (double)ROUND /
			       (double)percentile(round_tsc[i],
						  jobs[i].n_rounds, 10);
	}
	/* decrypt: every frame out of one TX sink or the other (none is
	 * dropped in this bench); a lost one counts as out of order */
	if (decrypt && delivered != fed)
		r->order_errors += delivered > fed ? delivered - fed :
						     fed - delivered;
	if (!pk)
		return -EIO;
	r->mpps = rate / 1e6;
	r->mpps_wall = rate_wall / 1e6;
	r->cpu_share = share;
	r->gbps = delivered ? r->mpps * 8.0 * (double)bytes /
				      (double)delivered / 1e3 : 0;
	r->cpp = (double)nw * (double)hz / rate;
	r->cpp_concurrent = nc ? pc / (double)nc : 0;
	r->cpp_alone = na ? pa / (double)na : 0;
	r->concurrent_share = nc + na ? (double)nc / (double)(nc + na) : 0;
	r->cpp_round_p10 = p10 > 0 ? 1.0 / p10 : 0;
	(void)cyc;
	r->drops = drops_total(ctx) - drops0;
	return 0;
}
