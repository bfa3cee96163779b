/* SPDX-License-Identifier: MIT */
/*
 * bench_dataplane's reference and statistics: the raw AEAD Mpps of a
 * case's direction and sizes (the better of ipsec-mb's job and burst
 * APIs, perf_aead.h) on one lcore, or on both at once for two workers,
 * measured in the same process and alternated with the bench runs, and
 * the median over those pairs.
 */
#include <stdlib.h>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "bench_dataplane.h"
#include "gw_worker.h"
#include "perf_aead.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double aead_ref(const struct size_case *sc, bool decrypt, double seconds)
{
	struct perf_aead_mix mix = { sc->name, sc->sizes, sc->n_sizes };
	struct perf_aead_cfg cfg = { .arch = PERF_AEAD_ARCH_AUTO,
				     .burst = GW_BURST, .peers = 1,
				     .max_seconds = seconds, .runs = 1 };
	struct perf_aead_result res;
	double best = 0;
	int api;

	for (api = PERF_AEAD_API_JOB; api <= PERF_AEAD_API_BURST; api++) {
		cfg.api = (enum perf_aead_api)api;
		if (perf_aead_measure(&cfg, decrypt ? PERF_AEAD_DECRYPT :
						      PERF_AEAD_ENCRYPT,
				      &mix, &res) == 0 &&
		    res.mpps > best)
			best = res.mpps;
	}
	return best;
}

struct aead_job {
	const struct size_case *sc;
	bool decrypt;
	double seconds;
	double mpps;
};

static int aead_job_main(void *arg)
{
	struct aead_job *a = arg;

	a->mpps = aead_ref(a->sc, a->decrypt, a->seconds);
	return 0;
}

/* With two workers both lcores run the AEAD at the same time and the
 * rates are summed: the reference is what these two cores do together,
 * which on a shared or throttling host can be less than twice one. */
double aead_ref_workers(const struct size_case *sc, bool decrypt,
			double seconds, unsigned int nw)
{
	struct aead_job other = { sc, decrypt, seconds, 0 };
	unsigned int lcore1 = rte_get_next_lcore(-1, 1, 0);
	double mine;

	if (nw == 1)
		return aead_ref(sc, decrypt, seconds);
	if (lcore1 >= RTE_MAX_LCORE ||
	    rte_eal_remote_launch(aead_job_main, &other, lcore1) != 0)
		return aead_ref(sc, decrypt, seconds) * nw;
	mine = aead_ref(sc, decrypt, seconds);
	rte_eal_wait_lcore(lcore1);
	return mine + other.mpps;
}
