/* SPDX-License-Identifier: MIT */
/* Per-source handshake rate limit: burst and rate as the reference
 * implementations, IPv6 by /64, idle reuse, the bounded table, and random
 * sequences against a naive token-bucket model with an unbounded map. */
#include "test_support.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "wg_addr.h"
#include "wg_crypto.h"
#include "wg_ratelimit.h"

#define MS (UINT64_C(1000000))
#define SEC (UINT64_C(1000000000))
#define T0 (UINT64_C(1000) * SEC) /* any origin */

static const uint8_t hkey[WG_RATELIMIT_HASH_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7,
							 8, 9, 10 };

static void v4(uint8_t out[4], unsigned a, unsigned b, unsigned c, unsigned d)
{
	out[0] = (uint8_t)a;
	out[1] = (uint8_t)b;
	out[2] = (uint8_t)c;
	out[3] = (uint8_t)d;
}

/* 2001:db8:<net>::<host> */
static void v6(uint8_t out[16], uint16_t net, uint16_t host)
{
	memset(out, 0, 16);
	out[0] = 0x20;
	out[1] = 0x01;
	out[2] = 0x0d;
	out[3] = 0xb8;
	out[6] = (uint8_t)(net >> 8);
	out[7] = (uint8_t)net;
	out[14] = (uint8_t)(host >> 8);
	out[15] = (uint8_t)host;
}

static unsigned allow_n(struct wg_ratelimit *rl, uint8_t fam,
			const uint8_t *a, unsigned n, uint64_t now)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++)
		ok += wg_ratelimit_allow(rl, fam, a, now);
	return ok;
}

static void test_burst_then_rate(void **state)
{
	struct wg_ratelimit rl;
	uint8_t a[4];

	(void)state;
	assert_int_equal(wg_ratelimit_init(&rl, 1024, hkey), 0);
	v4(a, 198, 51, 100, 7);
	/* a fresh source: exactly the burst at one instant */
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, a, 20, T0),
			 WG_RATELIMIT_BURST);
	/* one token per 50 ms, not earlier */
	assert_false(wg_ratelimit_allow(&rl, WG_FAMILY_V4, a, T0 + 49 * MS));
	assert_true(wg_ratelimit_allow(&rl, WG_FAMILY_V4, a, T0 + 50 * MS));
	assert_false(wg_ratelimit_allow(&rl, WG_FAMILY_V4, a, T0 + 50 * MS));
	/* the credit never exceeds the burst, however long the pause
	 * (below the idle time) */
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, a, 20, T0 + 900 * MS),
			 WG_RATELIMIT_BURST);
	wg_ratelimit_free(&rl);
}

static void test_steady_rate(void **state)
{
	struct wg_ratelimit rl;
	unsigned ok = 0;
	uint8_t a[4];

	(void)state;
	assert_int_equal(wg_ratelimit_init(&rl, 1024, hkey), 0);
	v4(a, 203, 0, 113, 9);
	/* 1000 attempts/s for 10 s: burst + 20/s */
	for (uint64_t t = 0; t < 10 * SEC; t += MS)
		ok += wg_ratelimit_allow(&rl, WG_FAMILY_V4, a, T0 + t);
	assert_in_range(ok, WG_RATELIMIT_BURST + 10 * WG_RATELIMIT_PER_SECOND - 1,
			WG_RATELIMIT_BURST + 10 * WG_RATELIMIT_PER_SECOND);
	wg_ratelimit_free(&rl);
}

static void test_sources_independent(void **state)
{
	struct wg_ratelimit rl;
	uint8_t a[4], b[4], x[16], y[16], z[16];

	(void)state;
	assert_int_equal(wg_ratelimit_init(&rl, 1024, hkey), 0);
	v4(a, 192, 0, 2, 1);
	v4(b, 192, 0, 2, 2);
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, a, 10, T0), 5);
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, b, 10, T0), 5);

	/* IPv6: one /64 is one source, whatever the host bits */
	v6(x, 1, 1);
	v6(y, 1, 0xbeef);
	v6(z, 2, 1);
	assert_int_equal(allow_n(&rl, WG_FAMILY_V6, x, 3, T0), 3);
	assert_int_equal(allow_n(&rl, WG_FAMILY_V6, y, 10, T0), 2);
	assert_int_equal(allow_n(&rl, WG_FAMILY_V6, z, 10, T0), 5);

	/* an IPv4 address and an IPv6 /64 with the same leading bytes are
	 * different sources */
	memcpy(x, a, 4);
	memset(x + 4, 0, 4);
	assert_int_equal(allow_n(&rl, WG_FAMILY_V6, x, 10, T0), 5);

	/* no family, no work */
	assert_false(wg_ratelimit_allow(&rl, 0, a, T0));
	assert_false(wg_ratelimit_allow(&rl, 5, a, T0));
	wg_ratelimit_free(&rl);
}

static void test_idle_and_clock(void **state)
{
	struct wg_ratelimit rl;
	uint8_t a[4];

	(void)state;
	assert_int_equal(wg_ratelimit_init(&rl, 64, hkey), 0);
	v4(a, 198, 51, 100, 200);
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, a, 10, T0), 5);
	/* a clock read before the last one gives no credit */
	assert_false(wg_ratelimit_allow(&rl, WG_FAMILY_V4, a, T0 - SEC));
	assert_false(wg_ratelimit_allow(&rl, WG_FAMILY_V4, a, T0));
	/* idle for a second: a full burst again */
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, a, 10, T0 + 2 * SEC), 5);
	wg_ratelimit_reset(&rl);
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, a, 10, T0 + 2 * SEC), 5);
	wg_ratelimit_free(&rl);
}

static void test_bounded_table(void **state)
{
	struct wg_ratelimit rl;
	uint8_t a[4];
	unsigned i, ok = 0;

	(void)state;
	/* one bucket: eight sources fit, the ninth is refused while the
	 * eight are active, and gets in once one went idle */
	assert_int_equal(wg_ratelimit_init(&rl, 1, hkey), 0);
	assert_int_equal(rl.n_buckets, 1);
	for (i = 0; i < WG_RATELIMIT_BUCKET_SLOTS; i++) {
		v4(a, 203, 0, 113, i);
		ok += wg_ratelimit_allow(&rl, WG_FAMILY_V4, a, T0 + i * MS);
	}
	assert_int_equal(ok, WG_RATELIMIT_BUCKET_SLOTS);
	v4(a, 203, 0, 113, 100);
	assert_false(wg_ratelimit_allow(&rl, WG_FAMILY_V4, a, T0 + 10 * MS));
	assert_int_equal(rl.n_refused_full, 1);
	/* source 0 idle for a second (the others still talk) */
	for (i = 1; i < WG_RATELIMIT_BUCKET_SLOTS; i++) {
		uint8_t b[4];

		v4(b, 203, 0, 113, i);
		wg_ratelimit_allow(&rl, WG_FAMILY_V4, b, T0 + 900 * MS);
	}
	assert_true(wg_ratelimit_allow(&rl, WG_FAMILY_V4, a, T0 + SEC + MS));
	/* and a large table holds many sources, each with its burst */
	wg_ratelimit_free(&rl);
	assert_int_equal(wg_ratelimit_init(&rl, 8192, NULL), 0);
	ok = 0;
	for (i = 0; i < 2000; i++) {
		v4(a, 10, (i >> 8) & 0xff, i & 0xff, 1);
		ok += allow_n(&rl, WG_FAMILY_V4, a, 6, T0);
	}
	/* a few buckets may overflow by chance, not many */
	assert_in_range(ok, 2000 * 5 - 50, 2000 * 5);
	wg_ratelimit_free(&rl);
}

/* Other numbers (the workers' limit): burst and rate as given, reuse
 * only after the bucket could have refilled, bad numbers refused. */
static void test_params(void **state)
{
	const struct wg_ratelimit_params p = { .per_second = 10, .burst = 20 };
	const struct wg_ratelimit_params bad = { .per_second = 0, .burst = 5 };
	struct wg_ratelimit rl;
	uint8_t a[4];

	(void)state;
	assert_int_equal(wg_ratelimit_init_params(&rl, 64, &bad, hkey), -1);
	assert_int_equal(wg_ratelimit_init_params(&rl, 64, &p, hkey), 0);
	v4(a, 198, 51, 100, 7);
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, a, 30, T0), 20);
	/* 10/s: one more every 100 ms */
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, a, 5, T0 + 100 * MS), 1);
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, a, 5, T0 + 150 * MS), 0);
	/* 50 ms left over + 950 ms; a full burst takes 2 s to refill, and
	 * is not handed back after the reference's 1 s idle */
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, a, 30, T0 + 1100 * MS),
			 10);
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, a, 30, T0 + 4 * SEC), 20);
	wg_ratelimit_free(&rl);
}

/* evict_oldest: a full bucket of busy sources never refuses a new one;
 * the least recently seen source gives up its slot, and a source that
 * keeps talking keeps its (spent) bucket. */
static void test_evict_oldest(void **state)
{
	const struct wg_ratelimit_params p = {
		.per_second = WG_RATELIMIT_PER_SECOND,
		.burst = WG_RATELIMIT_BURST,
		.evict_oldest = true,
	};
	struct wg_ratelimit rl;
	uint8_t a[4], loud[4];
	unsigned i, ok = 0;

	(void)state;
	assert_int_equal(wg_ratelimit_init_params(&rl, 1, &p, hkey), 0);
	v4(loud, 203, 0, 113, 200);
	assert_int_equal(allow_n(&rl, WG_FAMILY_V4, loud, 50, T0), 5);
	/* 100 new sources through the one bucket, the loud one between
	 * each, within 10 ms (less than one token at 20/s): every new one
	 * gets in, the loud one stays limited */
	for (i = 0; i < 100; i++) {
		v4(a, 198, 51, 100, i);
		ok += wg_ratelimit_allow(&rl, WG_FAMILY_V4, a, T0 + MS / 10 * i);
		assert_false(wg_ratelimit_allow(&rl, WG_FAMILY_V4, loud,
						T0 + MS / 10 * i));
	}
	assert_int_equal(ok, 100);
	assert_int_equal(rl.n_refused_full, 0);
	assert_int_equal(rl.n_evicted, 100 - (WG_RATELIMIT_BUCKET_SLOTS - 1));
	wg_ratelimit_free(&rl);
}

/* ---- against a naive model ---------------------------------------------- */

struct model {
	uint32_t src;
	uint64_t last, tokens;
	bool used;
};

static bool model_allow(struct model *m, uint64_t now)
{
	if (!m->used || now - m->last >= WG_RATELIMIT_IDLE_NS) {
		m->used = true;
		m->last = now;
		m->tokens = WG_RATELIMIT_TOKEN_MAX - WG_RATELIMIT_COST_NS;
		return true;
	}
	m->tokens += now - m->last;
	if (m->tokens > WG_RATELIMIT_TOKEN_MAX)
		m->tokens = WG_RATELIMIT_TOKEN_MAX;
	m->last = now;
	if (m->tokens < WG_RATELIMIT_COST_NS)
		return false;
	m->tokens -= WG_RATELIMIT_COST_NS;
	return true;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static void test_random_against_model(void **state)
{
	enum { N_SRC = 16, STEPS = 200000 };
	struct model m[N_SRC];
	struct wg_ratelimit rl;
	uint64_t seed = 0x9e3779b97f4a7c15ull, now = T0;
	unsigned allowed = 0;

	(void)state;
	memset(m, 0, sizeof(m));
	/* 16 sources in 1024 buckets: collisions of more than 8 in a bucket
	 * cannot happen, so the table must agree with the model exactly */
	assert_int_equal(wg_ratelimit_init(&rl, 8192, hkey), 0);
	for (unsigned i = 0; i < STEPS; i++) {
		uint64_t r = rng_next(&seed);
		unsigned s = (unsigned)(r % N_SRC);
		uint8_t a[16];
		bool got, want;

		/* steps of 0..5 ms (25/s per source on average), now and then a
		 * long pause */
		now += (r >> 8) % (5 * MS);
		if ((r >> 40) % 5000 == 0)
			now += 2 * SEC;
		if (s & 1) {
			v6(a, (uint16_t)s, (uint16_t)(r >> 48));
			got = wg_ratelimit_allow(&rl, WG_FAMILY_V6, a, now);
		} else {
			v4(a, 198, 51, 100, s);
			got = wg_ratelimit_allow(&rl, WG_FAMILY_V4, a, now);
		}
		want = model_allow(&m[s], now);
		if (got != want)
			fail_msg("step %u source %u: table %d, model %d", i, s,
				 got, want);
		allowed += got;
	}
	/* the sequence exercised both answers */
	assert_true(allowed > STEPS / 10 && allowed < STEPS);
	wg_ratelimit_free(&rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_steady_rate),
		cmocka_unit_test(test_sources_independent),
		cmocka_unit_test(test_idle_and_clock),
		cmocka_unit_test(test_bounded_table),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_evict_oldest),
		cmocka_unit_test(test_random_against_model),
	};

	if (wg_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
