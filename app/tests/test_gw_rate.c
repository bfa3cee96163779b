/* SPDX-License-Identifier: MIT */
/*
 * The shared token bucket of gw_rate.h (no EAL, no NIC): on a simulated
 * clock the bytes passed are the rate times the time plus the bucket
 * depth, exactly; runs are charged packet by packet; a new rate keeps
 * the bucket; and two threads hammering one bucket never pass more than
 * the limit allows (a lost update would).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "gw_rate.h"

#define MBIT(m) ((uint64_t)(m) * 125000)   /* bytes per second */

/* offered 100 Mbit/s of 1,400-byte packets for 10 s against 30 Mbit/s */
static void test_simulated_rate(void **state)
{
	struct gw_rate r = { 0 };
	const uint16_t len = 1400;
	const uint64_t gap_ns = (uint64_t)len * 1000000000 / MBIT(100);
	const uint64_t start = 5000000000ULL, secs = 10;
	uint64_t passed = 0, want;
	bool pass;

	(void)state;
	gw_rate_set(&r, 30, 65536);
	for (uint64_t t = start; t < start + secs * 1000000000ULL; t += gap_ns)
		passed += gw_rate_run(&r, t, &len, 1, &pass) * len;
	want = MBIT(30) * secs + 65536;
	/* within one packet and the rounding of the per-byte cost */
	assert_true(passed <= want + len);
	assert_true(passed >= want - want / 1000 - len);
}

static void test_run_charges_each_packet(void **state)
{
	struct gw_rate r = { 0 };
	uint16_t len[32];
	bool pass[32];
	unsigned int n;

	(void)state;
	for (unsigned int i = 0; i < 32; i++)
		len[i] = 1000;
	/* a full 10,000-byte bucket passes exactly ten 1,000-byte packets */
	gw_rate_set(&r, 10, 10000);
	n = gw_rate_run(&r, 1000000000ULL, len, 32, pass);
	assert_int_equal(n, 10);
	for (unsigned int i = 0; i < 32; i++)
		assert_int_equal(pass[i], i < 10);
	/* a small packet after a refused big one still fits: each is
	 * decided on its own */
	len[0] = 2000;
	len[1] = 40;
	n = gw_rate_run(&r, 1000000000ULL + 100000, len, 2, pass);
	/* 100 us at 10 Mbit/s = 125 bytes of room */
	assert_int_equal(n, 1);
	assert_false(pass[0]);
	assert_true(pass[1]);
}

static void test_no_limit_and_change(void **state)
{
	struct gw_rate r = { 0 };
	uint16_t len = 1500;
	bool pass;
	uint64_t t = 1000000000ULL, passed = 0;

	(void)state;
	assert_false(gw_rate_limited(&r));
	for (int i = 0; i < 100000; i++)
		passed += gw_rate_run(&r, t, &len, 1, &pass);
	assert_int_equal(passed, 100000);
	/* limit it: the bucket drains at once, then only the rate passes */
	gw_rate_set(&r, 1, 65536);
	assert_true(gw_rate_limited(&r));
	passed = 0;
	for (int i = 0; i < 1000; i++)
		passed += gw_rate_run(&r, t, &len, 1, &pass);
	assert_int_equal(passed, 65536 / 1500);
	/* raising the rate keeps the state: no fresh bucket */
	gw_rate_set(&r, 1000, 65536);
	assert_int_equal(gw_rate_run(&r, t, &len, 1, &pass), 0);
	/* 0 lifts the limit */
	gw_rate_set(&r, 0, 65536);
	assert_int_equal(gw_rate_run(&r, t, &len, 1, &pass), 1);
}

struct racer {
	struct gw_rate *r;
	uint64_t stop_ns;
	uint64_t passed_bytes;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *race(void *arg)
{
	struct racer *x = arg;
	uint16_t len[8] = { 64, 64, 64, 64, 64, 64, 64, 64 };
	bool pass[8];
	uint64_t now;

	while ((now = mono_ns()) < x->stop_ns)
		x->passed_bytes += 64 * gw_rate_run(x->r, now, len, 8, pass);
	return NULL;
}

static void test_two_threads_share_one_limit(void **state)
{
	struct gw_rate r = { 0 };
	struct racer a = { .r = &r }, b = { .r = &r };
	pthread_t ta, tb;
	uint64_t start, elapsed, bound;

	(void)state;
	gw_rate_set(&r, 20, 65536);
	start = mono_ns();
	a.stop_ns = b.stop_ns = start + 300000000ULL;
	assert_int_equal(pthread_create(&ta, NULL, race, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, race, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	elapsed = mono_ns() - start;
	/* GCRA's guarantee: never more than rate x time + depth */
	bound = MBIT(20) * elapsed / 1000000000ULL + 65536 + 8 * 64;
	printf("passed %llu + %llu bytes, bound %llu\n",
	       (unsigned long long)a.passed_bytes,
	       (unsigned long long)b.passed_bytes, (unsigned long long)bound);
	assert_true(a.passed_bytes + b.passed_bytes <= bound);
	assert_true(a.passed_bytes + b.passed_bytes >= 65536);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simulated_rate),
		cmocka_unit_test(test_run_charges_each_packet),
		cmocka_unit_test(test_no_limit_and_change),
		cmocka_unit_test(test_two_threads_share_one_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
