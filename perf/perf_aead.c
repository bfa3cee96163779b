/* SPDX-License-Identifier: MIT */
/* Raw intel-ipsec-mb ChaCha20-Poly1305 throughput (see perf_aead.h). */
#include "perf_aead.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>

#include "gw_aead_job.h"
#include "wg_crypto.h"
#include "wg_messages.h"

/* Packets live in mbuf-like slots: 128 bytes of headroom, then the outer
 * Ethernet + IPv4 + UDP + WireGuard transport header (14 + 20 + 8 + 16), so
 * the payload starts where a worker finds it: not aligned. */
#define SLOT_SIZE 2176
#define PAYLOAD_OFF (128 + 14 + 20 + 8 + 16)
#define MAX_PAYLOAD 1500
#define POOL_MIN 512           /* ~1.1 MB of packets: in L2 */
#define MAX_BURST IMB_MAX_BURST_SIZE
#define MAX_PEERS 64

static const uint32_t imix_sizes[] = {
	64, 576, 64, 64, 576, 64, 1420, 64, 576, 64, 64, 576,
};
const struct perf_aead_mix perf_aead_imix = {
	.name = "imix",
	.sizes = imix_sizes,
	.n_sizes = sizeof(imix_sizes) / sizeof(imix_sizes[0]),
};

struct op {
	uint8_t *data;           /* in place */
	uint32_t len;            /* without the tag */
	const uint8_t *key;
	uint64_t counter;
	const uint8_t *expect;   /* decrypt: the tag that must match */
	uint8_t nonce[12];
	uint8_t computed[WG_AEAD_TAG_LEN];
	bool ok;
};

IMB_MGR *perf_aead_mgr(enum perf_aead_arch arch)
{
	IMB_MGR *mb = alloc_mb_mgr(0);

	if (!mb) {
		fprintf(stderr, "perf_aead: alloc_mb_mgr failed\n");
		return NULL;
	}
	switch (arch) {
	case PERF_AEAD_ARCH_SSE:
		init_mb_mgr_sse(mb);
		break;
	case PERF_AEAD_ARCH_AVX2:
		init_mb_mgr_avx2(mb);
		break;
	case PERF_AEAD_ARCH_AVX512:
		init_mb_mgr_avx512(mb);
		break;
	case PERF_AEAD_ARCH_AUTO:
	default:
		init_mb_mgr_auto(mb, NULL);
		break;
	}
	if (imb_get_errno(mb) != 0) {
		fprintf(stderr, "perf_aead: init_mb_mgr: %s\n",
			imb_get_strerror(imb_get_errno(mb)));
		free_mb_mgr(mb);
		return NULL;
	}
	return mb;
}

const char *perf_aead_arch_name(const IMB_MGR *mb)
{
	return gw_aead_arch_name(mb);
}

const char *perf_aead_api_name(enum perf_aead_api api)
{
	return api == PERF_AEAD_API_BURST ? "burst" : "job";
}

static inline void fill_job(IMB_JOB *job, struct op *op, enum perf_aead_dir dir)
{
	bool dec = dir == PERF_AEAD_DECRYPT;

	memset(op->nonce, 0, 4);
	wg_put_le64(op->nonce + 4, op->counter);
	op->ok = false;

	gw_aead_job_fill(job, op->key, op->data, op->len, op->nonce,
			 dec ? op->computed : op->data + op->len, dec, op);
}

static inline void complete(const IMB_JOB *job, enum perf_aead_dir dir)
{
	struct op *op = job->user_data;

	if (job->status != IMB_STATUS_COMPLETED)
		return;
	/* constant time, as the worker must do it */
	op->ok = dir == PERF_AEAD_ENCRYPT ||
		 wg_equal(op->computed, op->expect, WG_AEAD_TAG_LEN);
}

/* Runs n ops (n <= MAX_BURST) to completion. Returns how many completed
 * (not how many authenticated: see op->ok). */
static inline unsigned int run_ops(IMB_MGR *mb, enum perf_aead_api api,
				   enum perf_aead_dir dir, struct op *ops,
				   unsigned int n)
{
	unsigned int i, done = 0;
	IMB_JOB *job;

	if (api == PERF_AEAD_API_JOB) {
		for (i = 0; i < n; i++) {
			job = IMB_GET_NEXT_JOB(mb);
			fill_job(job, &ops[i], dir);
			job = IMB_SUBMIT_JOB(mb);
			while (job) {
				complete(job, dir);
				done++;
				job = IMB_GET_COMPLETED_JOB(mb);
			}
		}
		while ((job = IMB_FLUSH_JOB(mb)) != NULL) {
			complete(job, dir);
			done++;
		}
		return done;
	}

	IMB_JOB *jobs[MAX_BURST];
	unsigned int got = IMB_GET_NEXT_BURST(mb, n, jobs);

	if (got < n) {
		/* the queue is empty between bursts, so this does not happen;
		 * stay correct anyway */
		IMB_FLUSH_BURST(mb, MAX_BURST, jobs);
		got = IMB_GET_NEXT_BURST(mb, n, jobs);
		if (got < n)
			return 0;
	}
	for (i = 0; i < n; i++)
		fill_job(jobs[i], &ops[i], dir);
	done = IMB_SUBMIT_BURST(mb, n, jobs);
	if (done == 0 && imb_get_errno(mb) != 0)
		return 0;
	for (i = 0; i < done; i++)
		complete(jobs[i], dir);
	if (done < n) {
		unsigned int more = IMB_FLUSH_BURST(mb, n - done, jobs);

		for (i = 0; i < more; i++)
			complete(jobs[i], dir);
		done += more;
	}
	return done;
}

/* ---- known-answer check against libsodium ---- */

int perf_aead_verify(IMB_MGR *mb, enum perf_aead_api api,
		     const struct perf_aead_mix *mix)
{
	static const uint32_t edges[] = { 0, 1, 15, 16, 17, 63, 65, 1419 };
	enum { N_MAX = 48 };
	uint32_t lens[N_MAX];
	unsigned int n = 0, i;
	struct op ops[N_MAX];
	uint8_t *pool;
	uint8_t *plain, *ref;
	uint8_t key[WG_KEY_LEN];
	int rc = -1;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		lens[n++] = edges[i];
	for (i = 0; i < mix->n_sizes && n < N_MAX; i++)
		lens[n++] = mix->sizes[i];

	pool = aligned_alloc(64, (size_t)n * SLOT_SIZE);
	plain = malloc((size_t)n * SLOT_SIZE);
	ref = malloc((size_t)n * SLOT_SIZE);
	if (!pool || !plain || !ref) {
		fprintf(stderr, "perf_aead: out of memory\n");
		goto out;
	}
	wg_random(key, sizeof(key));

	for (i = 0; i < n; i++) {
		uint8_t *p = plain + (size_t)i * SLOT_SIZE;
		uint8_t *r = ref + (size_t)i * SLOT_SIZE;

		if (lens[i] > MAX_PAYLOAD) {
			fprintf(stderr, "perf_aead: size %u > %u\n", lens[i],
				MAX_PAYLOAD);
			goto out;
		}
		wg_random(p, lens[i]);
		ops[i] = (struct op){
			.data = pool + (size_t)i * SLOT_SIZE + PAYLOAD_OFF,
			.len = lens[i],
			.key = key,
			/* high bytes set: the nonce byte order matters */
			.counter = 0x0102030405060708ULL + i,
		};
		memcpy(ops[i].data, p, lens[i]);
		wg_aead_encrypt(r, p, lens[i], NULL, 0, ops[i].counter, key);
	}

	/* all sizes in one burst, as a worker submits them */
	if (run_ops(mb, api, PERF_AEAD_ENCRYPT, ops, n) != n) {
		fprintf(stderr, "perf_aead: %s encrypt did not complete: %s\n",
			perf_aead_api_name(api),
			imb_get_strerror(imb_get_errno(mb)));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!ops[i].ok || memcmp(ops[i].data, ref + (size_t)i * SLOT_SIZE,
					 lens[i] + WG_AEAD_TAG_LEN) != 0) {
			fprintf(stderr,
				"perf_aead: MISMATCH: ipsec-mb (%s, %s) != libsodium "
				"for %u bytes\n", perf_aead_arch_name(mb),
				perf_aead_api_name(api), lens[i]);
			goto out;
		}
	}

	/* decrypt in place: the tag behind the data must authenticate */
	for (i = 0; i < n; i++)
		ops[i].expect = ops[i].data + lens[i];
	if (run_ops(mb, api, PERF_AEAD_DECRYPT, ops, n) != n) {
		fprintf(stderr, "perf_aead: %s decrypt did not complete\n",
			perf_aead_api_name(api));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!ops[i].ok ||
		    memcmp(ops[i].data, plain + (size_t)i * SLOT_SIZE, lens[i])) {
			fprintf(stderr,
				"perf_aead: decrypt of %u bytes did not restore "
				"the plaintext or refused a valid tag\n", lens[i]);
			goto out;
		}
	}

	/* re-encrypt, flip one tag bit: decryption must refuse it */
	run_ops(mb, api, PERF_AEAD_ENCRYPT, ops, n);
	for (i = 0; i < n; i++)
		ops[i].data[lens[i] + (i % WG_AEAD_TAG_LEN)] ^= 0x10;
	run_ops(mb, api, PERF_AEAD_DECRYPT, ops, n);
	for (i = 0; i < n; i++) {
		if (ops[i].ok) {
			fprintf(stderr, "perf_aead: forged tag accepted (%u bytes)\n",
				lens[i]);
			goto out;
		}
	}
	rc = 0;
out:
	wg_wipe(key, sizeof(key));
	free(pool);
	free(plain);
	free(ref);
	return rc;
}

/* ---- throughput ---- */

struct bench {
	IMB_MGR *mb;
	enum perf_aead_api api;
	enum perf_aead_dir dir;
	unsigned int burst;
	unsigned int pool_n;         /* multiple of burst */
	unsigned int next;           /* next slot */
	unsigned int parity;         /* decrypt: which tag the slots expect */
	uint64_t counter;            /* encrypt: sending nonce */
	uint64_t failures;
	uint8_t *pool;
	struct op *ops;
	uint8_t (*tags)[2][WG_AEAD_TAG_LEN];
	uint8_t keys[MAX_PEERS][WG_KEY_LEN];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned int lcm(unsigned int a, unsigned int b)
{
	unsigned int x = a, y = b;

	while (y) {
		unsigned int t = x % y;

		x = y;
		y = t;
	}
	return a / x * b;
}

static int bench_setup(struct bench *b, const struct perf_aead_cfg *cfg,
		       enum perf_aead_dir dir, const struct perf_aead_mix *mix)
{
	unsigned int peers = cfg->peers ? cfg->peers : 1;
	unsigned int i, unit;
	uint8_t *tmp;

	memset(b, 0, sizeof(*b));
	b->api = cfg->api;
	b->dir = dir;
	b->burst = cfg->burst ? cfg->burst : 32;
	if (b->burst > MAX_BURST)
		b->burst = MAX_BURST;
	if (peers > MAX_PEERS)
		peers = MAX_PEERS;
	/* whole bursts and whole mix patterns per pass over the pool */
	unit = lcm(b->burst, mix->n_sizes);
	if (unit > 4096)
		unit = b->burst;
	b->pool_n = (POOL_MIN + unit - 1) / unit * unit;
	b->counter = 1;

	b->mb = perf_aead_mgr(cfg->arch);
	b->pool = aligned_alloc(64, (size_t)b->pool_n * SLOT_SIZE);
	b->ops = aligned_alloc(64, (size_t)b->pool_n * sizeof(*b->ops));
	b->tags = malloc((size_t)b->pool_n * sizeof(*b->tags));
	tmp = malloc(SLOT_SIZE);
	if (!b->mb || !b->pool || !b->ops || !b->tags || !tmp) {
		free(tmp);
		return -1;
	}
	for (i = 0; i < peers; i++)
		wg_random(b->keys[i], WG_KEY_LEN);

	for (i = 0; i < b->pool_n; i++) {
		struct op *op = &b->ops[i];
		uint32_t len = mix->sizes[i % mix->n_sizes];

		if (len > MAX_PAYLOAD) {
			fprintf(stderr, "perf_aead: size %u > %u\n", len,
				MAX_PAYLOAD);
			free(tmp);
			return -1;
		}
		*op = (struct op){
			.data = b->pool + (size_t)i * SLOT_SIZE + PAYLOAD_OFF,
			.len = len,
			.key = b->keys[i % peers],
			.counter = 1000 + i,
		};
		wg_random(tmp, len);
		if (dir == PERF_AEAD_DECRYPT) {
			/* The slot alternates between two valid messages under
			 * the same key and nonce: C with tag T0, and P = C ^ ks
			 * with tag T1 (the tag of encrypting C). Decrypting C
			 * in place leaves P, decrypting P leaves C, and both
			 * authenticate, so every timed decryption verifies a
			 * real tag. */
			wg_aead_encrypt(op->data, tmp, len, NULL, 0, op->counter,
					op->key);
			memcpy(b->tags[i][0], op->data + len, WG_AEAD_TAG_LEN);
			wg_aead_encrypt(tmp, op->data, len, NULL, 0,
					op->counter, op->key);
			memcpy(b->tags[i][1], tmp + len, WG_AEAD_TAG_LEN);
		} else {
			memcpy(op->data, tmp, len);
		}
	}
	free(tmp);
	return 0;
}

static void bench_free(struct bench *b)
{
	if (b->mb)
		free_mb_mgr(b->mb);
	free(b->pool);
	free(b->ops);
	free(b->tags);
	wg_wipe(b->keys, sizeof(b->keys));
}

/* One burst; returns payload bytes processed. */
static inline uint64_t bench_burst(struct bench *b)
{
	struct op *ops = &b->ops[b->next];
	unsigned int n = b->burst, i, done;
	uint64_t bytes = 0;

	for (i = 0; i < n; i++) {
		if (b->dir == PERF_AEAD_ENCRYPT)
			ops[i].counter = b->counter++;
		else
			ops[i].expect = b->tags[b->next + i][b->parity];
		bytes += ops[i].len;
	}
	done = run_ops(b->mb, b->api, b->dir, ops, n);
	b->failures += n - done;
	for (i = 0; i < n; i++)
		b->failures += !ops[i].ok;

	b->next += n;
	if (b->next == b->pool_n) {
		b->next = 0;
		b->parity ^= 1;
	}
	return bytes;
}

struct run {
	double mpps, gbps, cpp, seconds, mpps_wall, cpu_share;
	uint64_t packets;
};

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Rates are per second of this thread's CPU time: on a shared machine the
 * thread is sometimes descheduled, and wall time would count that against
 * the AEAD. Cycles are TSC ticks scaled by the same CPU share. The wall
 * rate is kept for reference (cpu_share = CPU time / wall time).
 */
static void bench_run(struct bench *b, uint64_t max_packets,
		      double max_seconds, struct run *r)
{
	uint64_t packets = 0, bytes = 0, c0, c1;
	double t0, t1, u0, u1, deadline, wall, cpu;
	unsigned int k = 0;

	t0 = now_s();
	u0 = cpu_s();
	deadline = t0 + max_seconds;
	c0 = rte_rdtsc();
	while (packets < max_packets) {
		bytes += bench_burst(b);
		packets += b->burst;
		/* clock_gettime every 8 bursts: < 1% of a 64-byte burst */
		if ((++k & 7) == 0 && now_s() >= deadline)
			break;
	}
	c1 = rte_rdtsc();
	u1 = cpu_s();
	t1 = now_s();
	wall = t1 - t0;
	cpu = u1 - u0;
	if (cpu <= 0 || cpu > wall)
		cpu = wall;
	r->seconds = wall;
	r->packets = packets;
	r->cpu_share = cpu / wall;
	r->mpps = (double)packets / cpu / 1e6;
	r->mpps_wall = (double)packets / wall / 1e6;
	r->gbps = (double)bytes * 8 / cpu / 1e9;
	r->cpp = (double)(c1 - c0) * r->cpu_share / (double)packets;
}

static int cmp_run(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	return (x->mpps > y->mpps) - (x->mpps < y->mpps);
}

int perf_aead_measure(const struct perf_aead_cfg *cfg, enum perf_aead_dir dir,
		      const struct perf_aead_mix *mix,
		      struct perf_aead_result *res)
{
	enum { MAX_RUNS = 15 };
	uint64_t max_packets = cfg->max_packets ? cfg->max_packets : 20000000;
	double max_seconds = cfg->max_seconds > 0 ? cfg->max_seconds : 0.5;
	unsigned int runs = cfg->runs ? cfg->runs : 3;
	struct run r[MAX_RUNS], warm;
	struct bench b;
	double sum = 0;
	unsigned int i;
	int rc = -1;

	if (runs > MAX_RUNS)
		runs = MAX_RUNS;
	if (mix->n_sizes == 0)
		return -1;
	if (bench_setup(&b, cfg, dir, mix) != 0) {
		fprintf(stderr, "perf_aead: setup failed\n");
		goto out;
	}
	/* warm-up: caches, branch predictors, clock frequency */
	bench_run(&b, max_packets, max_seconds / 10, &warm);
	for (i = 0; i < runs; i++)
		bench_run(&b, max_packets, max_seconds, &r[i]);
	if (b.failures) {
		fprintf(stderr,
			"perf_aead: %llu %s operations failed (status or tag)\n",
			(unsigned long long)b.failures,
			dir == PERF_AEAD_DECRYPT ? "decrypt" : "encrypt");
		goto out;
	}
	qsort(r, runs, sizeof(r[0]), cmp_run);

	const struct run *med = &r[runs / 2];

	for (i = 0; i < mix->n_sizes; i++)
		sum += mix->sizes[i];
	*res = (struct perf_aead_result){
		.mpps = med->mpps,
		.gbps = med->gbps,
		.cycles_per_packet = med->cpp,
		.avg_payload = sum / mix->n_sizes,
		.spread = (r[runs - 1].mpps - r[0].mpps) / med->mpps,
		.mpps_wall = med->mpps_wall,
		.cpu_share = med->cpu_share,
		.packets = med->packets,
		.seconds = med->seconds,
		.runs = runs,
		.arch = perf_aead_arch_name(b.mb),
		.api = perf_aead_api_name(cfg->api),
	};
	rc = 0;
out:
	bench_free(&b);
	return rc;
}
