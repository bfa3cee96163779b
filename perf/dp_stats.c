/* SPDX-License-Identifier: MIT */
/*
 * bench_dataplane's reference and statistics: the raw single-core AEAD
 * Mpps of a case's direction and sizes (the better of ipsec-mb's job and
 * burst APIs, perf_aead.h), measured in the same process and alternated
 * with the bench runs, and the median over those pairs.
 */
#include <stdlib.h>

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

double aead_ref(const struct size_case *sc, bool decrypt,
		       double seconds)
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
