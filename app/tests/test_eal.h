/* SPDX-License-Identifier: MIT */
/*
 * The EAL start and the verdict of an app test on EAL --no-huge without a
 * NIC, for the tests that count failures with CHECK (test_check.h).
 */
#ifndef TEST_EAL_H
#define TEST_EAL_H

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>

#include "test_check.h"
#include "wg_crypto.h"

/* libsodium and the EAL for test `name`: --no-huge, 1 GiB, no PCI, its
 * own file prefix, lcores 0 and (when the machine has two CPUs and the
 * test wants them) 1. 0, or -1 after saying why. */
static inline int check_eal_init(char *argv0, const char *name,
				 bool two_lcores)
{
	static char prefix[64];
	char *eal[] = { argv0, "-l",
			two_lcores && sysconf(_SC_NPROCESSORS_ONLN) > 1 ?
				"0-1" : "0",
			"--no-huge", "-m", "1024", "--no-pci", "--no-shconf",
			"--file-prefix", prefix, "--log-level", "*:error" };

	snprintf(prefix, sizeof(prefix), "%s_%d", name, (int)getpid());
	if (wg_crypto_init() != 0 ||
	    rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return -1;
	}
	return 0;
}

/* The exit status of test `name` after its checks, the EAL released. */
static inline int check_verdict(const char *name)
{
	rte_eal_cleanup();
	if (failures) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	printf("%s: all passed\n", name);
	return 0;
}

#endif /* TEST_EAL_H */
