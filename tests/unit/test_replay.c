/* SPDX-License-Identifier: MIT */
/* Anti-replay window: the classic counter table (the Linux driver's
 * selftest cases plus the check/update split), concurrent updates from two
 * threads, and random sequences against a naive set-and-max model. */
#include "test_support.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wg_replay.h"

#define LIM ((uint64_t)WG_REPLAY_USABLE_BITS + 1) /* T_LIM in the driver */
#define REJ WG_REJECT_AFTER_MESSAGES

/* xorshift64*: deterministic, seeded per test so failures reproduce. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the table ---------------------------------------------------------- */

enum step_op {
	RESET,  /* fresh window */
	T,      /* check == want, update == want, then check == false */
	CHECK,  /* check only: must not change anything */
	UPDATE, /* update only */
};

/* One row covers counters from..to inclusive, ascending or descending. */
struct step {
	enum step_op op;
	uint64_t from, to;
	bool want;
	const char *why;
};

#define ONE(op, n, w, why) { op, (n), (n), w, why }

static const struct step steps[] = {
	/* the Linux selftest sequence, MAX noted where it matters */
	{ RESET, 0, 0, false, "fresh" },
	ONE(T, 0, true, "zero first"),
	ONE(T, 1, true, "in order"),
	ONE(T, 1, false, "duplicate"),
	ONE(T, 9, true, "skip ahead"),
	ONE(T, 8, true, "reordered"),
	ONE(T, 7, true, "reordered"),
	ONE(T, 7, false, "reordered duplicate"),
	ONE(T, LIM, true, "jump, MAX = 8129"),
	ONE(T, LIM - 1, true, "just below MAX"),
	ONE(T, LIM - 1, false, "duplicate below MAX"),
	ONE(T, LIM - 2, true, "below MAX"),
	ONE(T, 2, true, "unseen, 2 + 8128 >= 8129"),
	ONE(T, 2, false, "duplicate at the old end"),
	ONE(T, LIM + 16, true, "MAX = 8145"),
	ONE(T, 3, false, "unseen but 3 + 8128 < 8145: too old"),
	ONE(T, LIM + 16, false, "duplicate MAX"),
	ONE(T, LIM * 4, true, "far jump, MAX = 32516"),
	ONE(T, LIM * 4 - (LIM - 1), true, "MAX - 8128: oldest accepted"),
	ONE(T, 10, false, "old after far jump"),
	ONE(T, LIM * 4 - LIM, false, "MAX - 8129: first too old"),
	ONE(T, LIM * 4 - (LIM + 1), false, "MAX - 8130"),
	ONE(T, LIM * 4 - (LIM - 2), true, "MAX - 8127"),
	ONE(T, LIM * 4 + 1 - LIM, false, "MAX - 8128 again: duplicate"),
	ONE(T, 0, false, "zero after large"),
	ONE(T, REJ, false, "at REJECT_AFTER_MESSAGES"),
	ONE(T, REJ - 1, true, "last usable counter"),
	ONE(T, REJ, false, "at the limit again"),
	ONE(T, REJ - 1, false, "duplicate last counter"),
	ONE(T, REJ - 2, true, "below the limit"),
	ONE(T, REJ + 1, false, "beyond the limit"),
	ONE(T, REJ + 2, false, "beyond the limit"),
	ONE(T, REJ - 2, false, "duplicate"),
	ONE(T, REJ - 3, true, "below the limit"),
	ONE(T, 0, false, "zero after the limit"),
	ONE(T, UINT64_MAX, false, "largest 64-bit counter"),

	/* the Linux bulk cases */
	{ RESET, 0, 0, false, "bulk 1" },
	{ T, 1, LIM - 1, true, "1..8128 in order" },
	ONE(T, 0, true, "0 is exactly MAX - 8128"),
	ONE(T, 0, false, "and only once"),
	{ RESET, 0, 0, false, "bulk 2" },
	{ T, 2, LIM, true, "2..8129 in order" },
	ONE(T, 1, true, "1 is exactly MAX - 8128"),
	ONE(T, 0, false, "0 is MAX - 8129"),
	{ RESET, 0, 0, false, "bulk 3" },
	{ T, LIM, 1, true, "8129..1 descending, all inside" },
	ONE(T, 0, false, "0 is MAX - 8129"),
	{ RESET, 0, 0, false, "bulk 4" },
	{ T, LIM + 1, 2, true, "8130..2 descending" },
	ONE(T, 1, false, "MAX - 8129"),
	ONE(T, 0, false, "MAX - 8130"),
	{ RESET, 0, 0, false, "bulk 5" },
	{ T, LIM - 1, 1, true, "8128..1 descending" },
	ONE(T, LIM, true, "then 8129"),
	ONE(T, 0, false, "0 fell out"),
	{ RESET, 0, 0, false, "bulk 6" },
	{ T, LIM - 1, 1, true, "8128..1 descending" },
	ONE(T, 0, true, "0 while still inside"),
	ONE(T, LIM, true, "then 8129"),

	/* slot reuse: block 171 takes block 0's slot, block 172 block 1's
	 * (48-counter blocks) */
	{ RESET, 0, 0, false, "slot reuse" },
	{ T, 0, 47, true, "block 0, slot 0" },
	ONE(T, 8175, true, "MAX = 8175"),
	ONE(CHECK, 47, false, "47 = MAX - 8128: inside and marked"),
	ONE(CHECK, 46, false, "46 = MAX - 8129: too old"),
	ONE(T, 8207, true, "block 170, the last slot"),
	ONE(T, 8208, true, "block 171 takes slot 0, MAX = 8208"),
	{ CHECK, 0, 79, false, "0..79 too old" },
	{ T, 80, 95, true, "80 = MAX - 8128, block 1" },
	ONE(T, 8209, true, "same block as MAX"),
	ONE(T, 8255, true, "block 171's last counter"),
	ONE(T, 8256, true, "block 172 takes slot 1, MAX = 8256"),
	ONE(T, 8209, false, "block 171 still marked"),
	ONE(T, 127, false, "127 = MAX - 8129"),
	ONE(T, 128, true, "128 = MAX - 8128, block 2"),

	/* the check/update split */
	{ RESET, 0, 0, false, "check does not modify" },
	ONE(CHECK, 5, true, "fresh"),
	ONE(CHECK, 5, true, "still fresh: check marks nothing"),
	ONE(CHECK, 100000, true, "a far counter is fresh"),
	ONE(CHECK, 4, true, "and did not move the window"),
	ONE(UPDATE, 5, true, "update marks"),
	ONE(CHECK, 5, false, "now seen"),
	ONE(UPDATE, 5, false, "second update of the same counter"),
	ONE(UPDATE, 4, true, "4 never marked by the checks"),
	ONE(CHECK, 7, true, "passes the pre-check..."),
	ONE(UPDATE, 100000, true, "...another packet moves the window..."),
	ONE(UPDATE, 7, false, "...so the update refuses it"),
	ONE(CHECK, 100000 - 8128, true, "edge, by check"),
	ONE(CHECK, 100000 - 8129, false, "past the edge, by check"),
	ONE(UPDATE, 100000 - 8129, false, "past the edge, by update"),
	ONE(UPDATE, 100000 - 8128, true, "edge, by update"),
	{ RESET, 0, 0, false, "first counter large" },
	ONE(T, REJ - 1, true, "the very first counter may be anything"),
	{ T, 0, 2, false, "everything small is then too old" },
};

static bool run_op(struct wg_replay *r, enum step_op op, uint64_t n, bool want,
		   size_t row)
{
	bool got = false;

	switch (op) {
	case RESET:
		wg_replay_init(r);
		return true;
	case CHECK:
		got = wg_replay_check(r, n);
		break;
	case UPDATE:
		got = wg_replay_update(r, n);
		break;
	case T:
		got = wg_replay_check(r, n);
		if (got != want)
			break;
		got = wg_replay_update(r, n);
		if (got != want)
			break;
		if (wg_replay_check(r, n)) {
			print_error("row %zu (%s): counter %llu still passes "
				    "check after update\n", row,
				    steps[row].why, (unsigned long long)n);
			return false;
		}
		return true;
	}
	if (got != want) {
		print_error("row %zu (%s): op %d counter %llu: got %d "
			    "want %d\n", row, steps[row].why, (int)op,
			    (unsigned long long)n, got, want);
		return false;
	}
	return true;
}

static void test_counter_table(void **state)
{
	static struct wg_replay r;
	size_t rows = sizeof(steps) / sizeof(steps[0]);

	(void)state;
	wg_replay_init(&r);
	for (size_t i = 0; i < rows; i++) {
		const struct step *s = &steps[i];
		bool down = s->to < s->from;
		uint64_t n = s->from;

		for (;;) {
			if (!run_op(&r, s->op, n, s->want, i))
				fail();
			if (n == s->to)
				break;
			n = down ? n - 1 : n + 1;
		}
	}
}

/* Blocks of one slot 2^16 * 171 apart share a tag: the documented cost is
 * a false duplicate for a peer that jumps its own counter by
 * WG_REPLAY_ALIAS_COUNTERS (~2^29), never an accepted replay. */
static void test_tag_alias_bound(void **state)
{
	static struct wg_replay r;
	/* block 171 * 2^16: tag 0, slot 0 */
	const uint64_t far = WG_REPLAY_ALIAS_COUNTERS;

	(void)state;
	wg_replay_init(&r);
	for (uint64_t n = 0; n < 4; n++)
		assert_true(wg_replay_update(&r, n));
	assert_false(wg_replay_update(&r, far + 1)); /* false duplicate */
	assert_true(wg_replay_update(&r, far + 4));  /* unset bit: fine */
	for (uint64_t n = 0; n < 8; n++)
		assert_false(wg_replay_update(&r, n)); /* never a replay */
	assert_true(wg_replay_update(&r, far + 48)); /* next block: fine */
	/* one block less far: another tag, so no false duplicate */
	wg_replay_init(&r);
	assert_true(wg_replay_update(&r, 1));
	assert_true(wg_replay_update(&r, far - 171 * 48 + 1));
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(WG_REPLAY_SLOTS, 171);
	assert_int_equal(WG_REPLAY_ALIAS_COUNTERS, 171 * 65536 * 48);
	assert_int_equal(sizeof(struct wg_replay), 8 + 171 * 8);
}

/* ---- two threads -------------------------------------------------------- */

struct racer {
	struct wg_replay *r;
	const uint64_t *order;
	size_t n;
	uint64_t base;
	uint8_t *accepted; /* per counter - base, this thread only */
	atomic_int *go;
	bool bulk;         /* consecutive ascending runs: update_run */
};

static void *race(void *arg)
{
	struct racer *x = arg;

	atomic_fetch_add(x->go, 1);
	while (atomic_load(x->go) < 2)
		; /* both start together so their updates overlap */
	for (size_t i = 0; i < x->n;) {
		size_t k = 1;
		uint64_t mask;

		if (!x->bulk) {
			if (wg_replay_update(x->r, x->order[i]))
				x->accepted[x->order[i] - x->base]++;
			i++;
			continue;
		}
		while (k < 64 && i + k < x->n &&
		       x->order[i + k] == x->order[i] + k)
			k++;
		mask = wg_replay_update_run(x->r, x->order[i],
					    (unsigned int)k);
		for (size_t j = 0; j < k; j++)
			if (mask >> j & 1)
				x->accepted[x->order[i] - x->base + j]++;
		i += k;
	}
	return NULL;
}

static void shuffle(uint64_t *a, size_t n, uint64_t *seed)
{
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(rng_next(seed) % (i + 1));
		uint64_t t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
}

/* Fill one thread's order over base..base+n-1 by pattern. */
static void make_order(uint64_t *o, size_t n, uint64_t base, int pattern,
		       uint64_t *seed)
{
	for (size_t i = 0; i < n; i++)
		o[i] = base + i;
	switch (pattern) {
	case 0: /* ascending */
		break;
	case 1: /* descending */
		for (size_t i = 0; i < n / 2; i++) {
			uint64_t t = o[i];

			o[i] = o[n - 1 - i];
			o[n - 1 - i] = t;
		}
		break;
	case 2: /* random */
		shuffle(o, n, seed);
		break;
	default: /* mostly ascending, reordered within small bursts */
		for (size_t i = 0; i + 16 <= n; i += 16)
			shuffle(o + i, 16, seed);
		break;
	}
}

/* bulk: which threads use wg_replay_update_run (bit t for thread t) */
static void two_threads(int bulk)
{
	enum { MAX_N = 3 * LIM };
	static const int patterns[][2] = {
		{ 0, 0 }, { 0, 1 }, { 2, 2 }, { 3, 3 }, { 1, 2 }, { 3, 0 },
	};
	static struct wg_replay r;
	uint64_t *order[2];
	uint8_t *acc[2];
	uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
	double start = seconds_now();
	int iters = 0;

	for (int t = 0; t < 2; t++) {
		order[t] = malloc(MAX_N * sizeof(uint64_t));
		acc[t] = malloc(MAX_N);
		assert_non_null(order[t]);
		assert_non_null(acc[t]);
	}

	/* bounded: at most 600 rounds and about 1.5 s (TSan is slower) */
	for (; iters < 600 && (iters < 10 || seconds_now() - start < 1.5);
	     iters++) {
		const int *pat = patterns[iters % 6];
		/* a window's worth (every counter must land exactly once), or
		 * three windows (the window slides while the threads race) */
		size_t n = (iters / 6) % 2 ? (size_t)MAX_N : (size_t)LIM;
		uint64_t base, max;
		struct racer x[2];
		pthread_t th[2];
		atomic_int go = 0;

		switch (iters % 5) {
		case 0:
			base = 0;
			break;
		case 1:
			base = REJ - n; /* up to the last usable counter */
			break;
		default:
			base = rng_next(&seed) >> 24;
			break;
		}
		max = base + n - 1;
		wg_replay_init(&r);
		for (int t = 0; t < 2; t++) {
			make_order(order[t], n, base, pat[t], &seed);
			memset(acc[t], 0, n);
			x[t] = (struct racer){ &r, order[t], n, base, acc[t],
					       &go, (bulk >> t & 1) != 0 };
			assert_int_equal(pthread_create(&th[t], NULL, race,
							&x[t]), 0);
		}
		for (int t = 0; t < 2; t++)
			assert_int_equal(pthread_join(th[t], NULL), 0);

		for (size_t i = 0; i < n; i++) {
			uint64_t c = base + i;
			int total = acc[0][i] + acc[1][i];

			if (total > 1)
				fail_msg("iter %d: counter %llu accepted %d "
					 "times", iters, (unsigned long long)c,
					 total);
			/* Top never exceeds max, so a counter inside max's
			 * window was inside whenever a thread tried it: it
			 * must have been accepted, and must stay marked. */
			if (c + WG_REPLAY_USABLE_BITS >= max) {
				if (total != 1)
					fail_msg("iter %d: counter %llu lost "
						 "(pattern %d/%d, n %zu)",
						 iters, (unsigned long long)c,
						 pat[0], pat[1], n);
				assert_false(wg_replay_check(&r, c));
			}
		}
		assert_true(max + 1 >= REJ || wg_replay_check(&r, max + 1));
	}
	print_message("two threads (bulk %d): %d rounds in %.2f s\n", bulk,
		      iters, seconds_now() - start);
	for (int t = 0; t < 2; t++) {
		free(order[t]);
		free(acc[t]);
	}
}

static void test_two_threads(void **state)
{
	(void)state;
	two_threads(0);
}

/* runs against single updates, and runs against runs */
static void test_two_threads_bulk(void **state)
{
	(void)state;
	two_threads(1);
	two_threads(3);
}

/* ---- random sequences against a naive model ----------------------------- */

/* The model is the definition: the set of accepted counters and their max.
 * Open addressing on counter + 1 (0 marks an empty cell). */
enum { MODEL_CAP = 1 << 15, MODEL_STEPS = 8000, MODEL_SEEDS = 40 };

struct model {
	uint64_t cell[MODEL_CAP];
	uint64_t max;
	bool any;
};

static bool model_has(const struct model *m, uint64_t c)
{
	size_t i = (size_t)((c * UINT64_C(0x9e3779b97f4a7c15)) >> 49);

	while (m->cell[i]) {
		if (m->cell[i] == c + 1)
			return true;
		i = (i + 1) % MODEL_CAP;
	}
	return false;
}

static void model_add(struct model *m, uint64_t c)
{
	size_t i = (size_t)((c * UINT64_C(0x9e3779b97f4a7c15)) >> 49);

	while (m->cell[i])
		i = (i + 1) % MODEL_CAP;
	m->cell[i] = c + 1;
	if (!m->any || c > m->max)
		m->max = c;
	m->any = true;
}

static bool model_accepts(const struct model *m, uint64_t c)
{
	if (c >= REJ)
		return false;
	if (m->any && c + WG_REPLAY_USABLE_BITS < m->max)
		return false;
	return !model_has(m, c);
}

/* A counter near what a real peer sends: mostly in order, reordered,
 * duplicated, at the edge, with jumps. Jumps stay far below 2^29, the
 * documented tag bound. */
static uint64_t next_counter(const struct model *m, uint64_t *seed,
			     const uint64_t *recent, size_t n_recent,
			     bool near_limit)
{
	uint64_t x = rng_next(seed), max = m->any ? m->max : 0;
	uint64_t pick = x % 100, y = x >> 8, back;

	if (near_limit && pick < 5)
		return REJ - 4 + y % 8;
	if (pick < 45)
		return max + 1 + y % 4;
	if (pick < 70) {
		back = y % 8300;
		return back <= max ? max - back : y % 64;
	}
	if (pick < 75) {
		back = WG_REPLAY_USABLE_BITS + y % 2; /* the edge, both sides */
		return back <= max ? max - back : 0;
	}
	if (pick < 85)
		return n_recent ? recent[y % n_recent] : 0;
	if (pick < 95)
		return max + y % 20000;
	return max + y % (UINT64_C(1) << 24);
}

static void test_against_model(void **state)
{
	static struct model m;
	static struct wg_replay r;
	uint64_t recent[64];

	(void)state;
	for (uint64_t s = 1; s <= MODEL_SEEDS; s++) {
		uint64_t seed = s * UINT64_C(0x2545f4914f6cdd1d);
		size_t n_recent = 0, accepted = 0;

		memset(&m, 0, sizeof(m));
		wg_replay_init(&r);
		for (int i = 0; i < MODEL_STEPS; i++) {
			uint64_t c = next_counter(&m, &seed, recent, n_recent,
						  i >= MODEL_STEPS - 200);
			bool want = model_accepts(&m, c);

			if (wg_replay_check(&r, c) != want ||
			    wg_replay_update(&r, c) != want)
				fail_msg("seed %llu step %d counter %llu "
					 "(max %llu): want %d",
					 (unsigned long long)s, i,
					 (unsigned long long)c,
					 (unsigned long long)m.max, want);
			if (want) {
				model_add(&m, c);
				recent[accepted++ % 64] = c;
				n_recent = accepted < 64 ? accepted : 64;
			}
		}
	}
}

/* wg_replay_update_run against the model applied counter by counter:
 * random runs (1..64 long, anywhere relative to the window, across block
 * boundaries, up to the last usable counter). */
static void test_run_against_model(void **state)
{
	static struct model m;
	static struct wg_replay r;
	uint64_t recent[64];

	(void)state;
	for (uint64_t s = 1; s <= MODEL_SEEDS; s++) {
		uint64_t seed = s * UINT64_C(0x9e3779b97f4a7c15);
		size_t n_recent = 0, accepted = 0;

		memset(&m, 0, sizeof(m));
		wg_replay_init(&r);
		for (int i = 0; i < MODEL_STEPS / 8; i++) {
			uint64_t c = next_counter(&m, &seed, recent, n_recent,
						  i >= MODEL_STEPS / 8 - 20);
			unsigned int n = 1 + (unsigned int)(rng_next(&seed) % 64);
			uint64_t want = 0, got;

			for (unsigned int j = 0; j < n; j++) {
				if (!model_accepts(&m, c + j))
					continue;
				want |= UINT64_C(1) << j;
				model_add(&m, c + j);
				recent[accepted++ % 64] = c + j;
				n_recent = accepted < 64 ? accepted : 64;
			}
			got = wg_replay_update_run(&r, c, n);
			if (got != want)
				fail_msg("seed %llu step %d run %llu+%u: got "
					 "%llx want %llx",
					 (unsigned long long)s, i,
					 (unsigned long long)c, n,
					 (unsigned long long)got,
					 (unsigned long long)want);
			for (unsigned int j = 0; j < n; j++)
				assert_false(wg_replay_check(&r, c + j));
		}
	}
	/* edges: nothing at or past the limit, nothing for n = 0 */
	wg_replay_init(&r);
	assert_int_equal(wg_replay_update_run(&r, REJ, 4), 0);
	assert_int_equal(wg_replay_update_run(&r, REJ - 2, 4), 3);
	assert_int_equal(wg_replay_update_run(&r, 5, 0), 0);
	assert_false(wg_replay_check(&r, REJ - 1));
}

/* wg_replay_outside: what the drop counters call "outside the window" */
static void test_outside(void **state)
{
	struct wg_replay r;

	(void)state;
	wg_replay_init(&r);
	assert_false(wg_replay_outside(&r, 0));
	assert_false(wg_replay_outside(&r, 1u << 20));
	assert_true(wg_replay_outside(&r, REJ));
	assert_true(wg_replay_update(&r, 10000));
	/* MAX = 10000: 10000 - 8128 is the oldest still accepted */
	assert_false(wg_replay_outside(&r, 10000 - (LIM - 1)));
	assert_true(wg_replay_check(&r, 10000 - (LIM - 1)));
	assert_true(wg_replay_outside(&r, 10000 - LIM));
	assert_false(wg_replay_check(&r, 10000 - LIM));
	/* a duplicate inside the window is not "outside" */
	assert_false(wg_replay_check(&r, 10000));
	assert_false(wg_replay_outside(&r, 10000));
	assert_true(wg_replay_outside(&r, REJ + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_counter_table),
		cmocka_unit_test(test_tag_alias_bound),
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_two_threads_bulk),
		cmocka_unit_test(test_run_against_model),
		cmocka_unit_test(test_outside),
	};

	return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
