/* SPDX-License-Identifier: MIT */
/*
 * gw_peer_log.h: a peer is named by the first 8 base64 characters of its
 * public key and nothing more; the token bucket lets GW_PEER_LOG_BURST
 * lines through at once, then GW_PEER_LOG_PER_S a second, and reports
 * how many it refused with the next line it lets through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gw_peer_log.h"
#include "wg_keys.h"

#define SEC UINT64_C(1000000000)

static void test_name_is_eight_base64_chars(void **state)
{
	/* `wg pubkey` of some key: the name is its first 8 characters */
	static const char b64[] = "UC24oC9pzgcQA+EQPOXQpETjJ9nBLBrIopxkJORq4VA=";
	uint8_t key[32];
	char name[GW_PEER_NAME_LEN];

	(void)state;
	assert_true(wg_key_from_base64(key, b64));
	assert_string_equal(gw_peer_name(key, name), "peer UC24oC9p");
	assert_int_equal(strlen(name), 13);
}

static void test_burst_then_refused(void **state)
{
	struct gw_log_bucket b = { 0 };
	uint64_t now = 1000 * SEC, supp = 99;
	int i;

	(void)state;
	for (i = 0; i < GW_PEER_LOG_BURST; i++) {
		assert_true(gw_log_bucket_take(&b, now, &supp));
		assert_int_equal(supp, 0);
	}
	/* a flood at the same instant: every further line refused */
	for (i = 0; i < 1000; i++)
		assert_false(gw_log_bucket_take(&b, now, &supp));
	/* one line's worth of time later: one line, carrying the count */
	now += SEC / GW_PEER_LOG_PER_S;
	assert_true(gw_log_bucket_take(&b, now, &supp));
	assert_int_equal(supp, 1000);
	assert_false(gw_log_bucket_take(&b, now, &supp));
	assert_true(gw_log_bucket_take(&b, now + SEC / GW_PEER_LOG_PER_S, &supp));
	assert_int_equal(supp, 1);
}

static void test_rate_over_a_long_flood(void **state)
{
	struct gw_log_bucket b = { 0 };
	uint64_t now = 5 * SEC, supp, total_supp = 0, t;
	unsigned int let = 0, tries = 0;

	(void)state;
	/* 10 seconds of an event every millisecond */
	for (t = 0; t < 10 * SEC; t += SEC / 1000) {
		tries++;
		if (gw_log_bucket_take(&b, now + t, &supp)) {
			let++;
			total_supp += supp;
		}
	}
	/* the burst, then the rate; nothing lost from the count */
	assert_in_range(let, GW_PEER_LOG_BURST + 10 * GW_PEER_LOG_PER_S - 1,
			GW_PEER_LOG_BURST + 10 * GW_PEER_LOG_PER_S + 1);
	assert_int_equal(let + total_supp + b.suppressed, tries);
}

static void test_refills_only_to_the_burst(void **state)
{
	struct gw_log_bucket b = { 0 };
	uint64_t supp;
	int i, let = 0;

	(void)state;
	assert_true(gw_log_bucket_take(&b, 10 * SEC, &supp));
	/* an hour of silence does not buy more than one burst */
	for (i = 0; i < 10 * GW_PEER_LOG_BURST; i++)
		let += gw_log_bucket_take(&b, 3610 * SEC, &supp);
	assert_int_equal(let, GW_PEER_LOG_BURST);
	/* time going back (it does not, but) gives nothing */
	assert_false(gw_log_bucket_take(&b, 20 * SEC, &supp));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_is_eight_base64_chars),
		cmocka_unit_test(test_burst_then_refused),
		cmocka_unit_test(test_rate_over_a_long_flood),
		cmocka_unit_test(test_refills_only_to_the_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
