/* SPDX-License-Identifier: MIT */
/* Public key -> id map: add/find/del, the capacity bound, and long random
 * sequences of adds and removals against a naive model, in tables small
 * enough that probe runs wrap around the end and deletions shift entries
 * back across it. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "wg_crypto.h"
#include "wg_keymap.h"

static const uint8_t hkey[WG_KEYMAP_HASH_KEY_LEN] = { 9, 8, 7, 6, 5, 4, 3 };

/* The owner's side: keys[id], as a peer table would hold them. */
struct owner {
	uint8_t (*keys)[WG_KEY_LEN];
	bool *used;
	uint32_t n;
};

static const uint8_t *key_of(const void *arg, uint32_t id)
{
	const struct owner *o = arg;

	assert_true(id < o->n);
	assert_true(o->used[id]); /* the map never asks for a free id */
	return o->keys[id];
}

static void owner_init(struct owner *o, uint32_t n)
{
	o->keys = calloc(n, WG_KEY_LEN);
	o->used = calloc(n, sizeof(*o->used));
	o->n = n;
	assert_non_null(o->keys);
	assert_non_null(o->used);
}

static void owner_free(struct owner *o)
{
	free(o->keys);
	free(o->used);
}

/* Every id the model has is found under its key, nothing else is. */
static void check_all(const struct wg_keymap *m, const struct owner *o)
{
	uint32_t i, n = 0;
	uint8_t absent[WG_KEY_LEN];

	for (i = 0; i < o->n; i++) {
		if (!o->used[i])
			continue;
		n++;
		assert_int_equal(wg_keymap_find(m, o->keys[i]), i);
	}
	assert_int_equal(m->n, n);
	wg_random(absent, sizeof(absent));
	assert_int_equal(wg_keymap_find(m, absent), WG_KEYMAP_NONE);
}

static void test_basic(void **state)
{
	struct wg_keymap m;
	struct owner o;
	uint32_t i;

	(void)state;
	owner_init(&o, 4);
	assert_int_equal(wg_keymap_init(&m, 4, key_of, &o, hkey), 0);
	assert_int_equal(m.mask + 1, 8);
	for (i = 0; i < 4; i++) {
		wg_random(o.keys[i], WG_KEY_LEN);
		assert_int_equal(wg_keymap_find(&m, o.keys[i]), WG_KEYMAP_NONE);
		assert_int_equal(wg_keymap_add(&m, o.keys[i], i), 0);
		o.used[i] = true;
	}
	check_all(&m, &o);
	/* full: refused, nothing changes */
	{
		uint8_t k[WG_KEY_LEN];

		wg_random(k, sizeof(k));
		assert_int_equal(wg_keymap_add(&m, k, 3), -1);
		check_all(&m, &o);
	}
	assert_true(wg_keymap_del(&m, o.keys[1]));
	o.used[1] = false;
	assert_false(wg_keymap_del(&m, o.keys[1]));
	check_all(&m, &o);
	/* the freed room can be used again, under another key */
	wg_random(o.keys[1], WG_KEY_LEN);
	assert_int_equal(wg_keymap_add(&m, o.keys[1], 1), 0);
	o.used[1] = true;
	check_all(&m, &o);
	wg_keymap_free(&m);
	owner_free(&o);
}

static void test_bad_init(void **state)
{
	struct wg_keymap m;
	uint8_t k[WG_KEY_LEN] = { 0 };

	(void)state;
	assert_int_equal(wg_keymap_init(&m, 0, key_of, NULL, hkey), -1);
	assert_int_equal(wg_keymap_init(&m, WG_KEYMAP_MAX_ENTRIES + 1, key_of,
					NULL, hkey),
			 -1);
	assert_int_equal(wg_keymap_find(&m, k), WG_KEYMAP_NONE);
	assert_false(wg_keymap_del(&m, k));
}

/* Random adds and removals against the model, checked after every step,
 * in several table sizes (down to 2 slots for 1 entry). */
static void test_random_against_model(void **state)
{
	static const uint32_t sizes[] = { 1, 2, 3, 7, 16, 100 };

	(void)state;
	srand(12345);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t max = sizes[s], step, id, n = 0;
		struct wg_keymap m;
		struct owner o;

		owner_init(&o, max);
		assert_int_equal(wg_keymap_init(&m, max, key_of, &o, hkey), 0);
		for (step = 0; step < 20000; step++) {
			id = (uint32_t)rand() % max;
			if (o.used[id]) {
				assert_true(wg_keymap_del(&m, o.keys[id]));
				o.used[id] = false;
				n--;
			} else {
				wg_random(o.keys[id], WG_KEY_LEN);
				assert_int_equal(wg_keymap_add(&m, o.keys[id],
							       id),
						 0);
				o.used[id] = true;
				n++;
			}
			assert_int_equal(m.n, n);
			if (max <= 16 || step % 97 == 0)
				check_all(&m, &o);
		}
		check_all(&m, &o);
		wg_keymap_free(&m);
		owner_free(&o);
	}
}

/* A large deployment: 100,000 keys in, half out, the rest still found. */
static void test_many(void **state)
{
	enum { N = 100000 };
	struct wg_keymap m;
	struct owner o;
	uint32_t i;

	(void)state;
	owner_init(&o, N);
	assert_int_equal(wg_keymap_init(&m, N, key_of, &o, NULL), 0);
	for (i = 0; i < N; i++) {
		wg_random(o.keys[i], WG_KEY_LEN);
		assert_int_equal(wg_keymap_add(&m, o.keys[i], i), 0);
		o.used[i] = true;
	}
	check_all(&m, &o);
	for (i = 0; i < N; i += 2) {
		assert_true(wg_keymap_del(&m, o.keys[i]));
		o.used[i] = false;
	}
	check_all(&m, &o);
	for (i = 0; i < N; i += 2)
		assert_int_equal(wg_keymap_find(&m, o.keys[i]),
				 WG_KEYMAP_NONE);
	wg_keymap_free(&m);
	owner_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_bad_init),
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
