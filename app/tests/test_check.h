/* SPDX-License-Identifier: MIT */
/*
 * What the app tests that do not use cmocka share: CHECK, which counts a
 * failed condition and goes on (so one run lists every failure); the EAL
 * start and the verdict are in test_eal.h. Header only: each test is one
 * executable.
 */
#ifndef TEST_CHECK_H
#define TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			failures++;                                        \
		}                                                          \
	} while (0)

#endif /* TEST_CHECK_H */
