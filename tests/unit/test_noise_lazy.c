/* SPDX-License-Identifier: MIT */
/*
 * The static-static DH of a peer is computed at first use, not when the
 * peer is added (a million peers must load without a million X25519):
 * what it gives must equal the DH computed eagerly, on both the initiator
 * (create) and responder (adopted from consume) paths; a private key
 * change must invalidate it without touching the peers; a low-order peer
 * key is still refused, at first use.
 */
#include "test_support.h"

#include <string.h>

#include "wg_crypto.h"
#include "wg_noise.h"

enum { SEC = 1000000000 };

static const uint8_t e_priv[32] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
				    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
				    7, 7, 7, 7, 7, 7, 7, 7, 7, 7 };

static void identity_random(struct wg_identity *id)
{
	uint8_t k[32];

	wg_random(k, sizeof(k));
	wg_identity_set(id, k);
	wg_wipe(k, sizeof(k));
}

/* DH(a's private, b's public), as the eager code computed it. */
static void eager_dh(uint8_t out[32], const struct wg_identity *a,
		     const struct wg_identity *b)
{
	assert_true(wg_dh(out, a->private_key, b->public_key));
}

/* The responder's path: consume then accept on hs (peer known). */
static enum wg_noise_result respond(struct wg_handshake *hs,
				    const struct wg_identity *id,
				    const struct wg_msg_initiation *msg,
				    uint64_t now)
{
	struct wg_initiation_result res;
	enum wg_noise_result r = wg_noise_consume_initiation(id, msg, &res);

	if (r == WG_NOISE_OK)
		r = wg_noise_accept_initiation(hs, &res, now);
	wg_wipe(&res, sizeof(res));
	return r;
}

static void test_lazy_equals_eager(void **state)
{
	struct wg_identity a = { 0 }, b = { 0 };
	struct wg_handshake ha = { 0 }, hb = { 0 }, hb_fresh = { 0 };
	struct wg_msg_initiation m1, m2, m3;
	struct wg_noise_inject inj = { .ephemeral_private = e_priv,
				       .timestamp = (const uint8_t *)"0123456789ab" };
	uint8_t want[32];

	(void)state;
	identity_random(&a);
	identity_random(&b);
	wg_handshake_init(&ha, &a, b.public_key, NULL);
	wg_handshake_init(&hb, &b, a.public_key, NULL);
	/* adding a peer computes nothing */
	assert_true(wg_is_zero(ha.precomputed_static_static, 32));
	assert_int_equal(ha.static_static_generation, 0);

	/* initiator: computed by the first initiation, equal to eager */
	assert_int_equal(wg_noise_create_initiation(&ha, &a, &m1, 1, SEC, NULL),
			 WG_NOISE_OK);
	eager_dh(want, &a, &b);
	assert_memory_equal(ha.precomputed_static_static, want, 32);
	assert_int_equal(ha.static_static_generation, a.generation);

	/* responder: adopted from the consumed initiation, equal to eager */
	assert_int_equal(respond(&hb, &b, &m1, SEC), WG_NOISE_OK);
	eager_dh(want, &b, &a);
	assert_memory_equal(hb.precomputed_static_static, want, 32);
	assert_int_equal(hb.static_static_generation, b.generation);

	/* an initiation from the adopted value is byte for byte the one a
	 * handshake that computed it itself makes, and a accepts it */
	wg_handshake_init(&hb_fresh, &b, a.public_key, NULL);
	assert_int_equal(wg_noise_create_initiation(&hb, &b, &m2, 9, 0, &inj),
			 WG_NOISE_OK);
	assert_int_equal(wg_noise_create_initiation(&hb_fresh, &b, &m3, 9, 0,
						    &inj),
			 WG_NOISE_OK);
	assert_memory_equal(&m2, &m3, sizeof(m2));
	assert_int_equal(respond(&ha, &a, &m2, 2ull * SEC), WG_NOISE_OK);

	wg_handshake_destroy(&ha);
	wg_handshake_destroy(&hb);
	wg_handshake_destroy(&hb_fresh);
	wg_identity_clear(&a);
	wg_identity_clear(&b);
}

static void test_key_change_invalidates(void **state)
{
	struct wg_identity a = { 0 }, b = { 0 }, b_old;
	struct wg_handshake ha = { 0 }, hb = { 0 };
	struct wg_msg_initiation m;
	struct wg_initiation_result res;
	uint8_t old_ss[32], want[32];
	uint32_t old_gen;

	(void)state;
	identity_random(&a);
	identity_random(&b);
	wg_handshake_init(&ha, &a, b.public_key, NULL);
	wg_handshake_init(&hb, &b, a.public_key, NULL);
	assert_int_equal(wg_noise_create_initiation(&hb, &b, &m, 1, SEC, NULL),
			 WG_NOISE_OK);
	memcpy(old_ss, hb.precomputed_static_static, 32);
	old_gen = hb.static_static_generation;

	/* b's key changes; its peers' handshakes are not touched */
	b_old = b;
	identity_random(&b);
	assert_int_not_equal(b.generation, old_gen);
	wg_handshake_init(&ha, &a, b.public_key, NULL); /* a learns it */
	assert_int_equal(wg_noise_create_initiation(&hb, &b, &m, 2, SEC, NULL),
			 WG_NOISE_OK);
	eager_dh(want, &b, &a);
	assert_memory_equal(hb.precomputed_static_static, want, 32);
	assert_memory_not_equal(hb.precomputed_static_static, old_ss, 32);
	assert_int_equal(hb.static_static_generation, b.generation);
	/* and a, which knows b's new key, accepts it */
	assert_int_equal(respond(&ha, &a, &m, SEC), WG_NOISE_OK);

	/* a lane decrypted with the old key (a copy) and the result is
	 * accepted after the change: the value is tagged with the old
	 * generation, so the next initiation computes the new one */
	wg_handshake_init(&ha, &a, b_old.public_key, NULL);
	assert_int_equal(wg_noise_create_initiation(&ha, &a, &m, 3, SEC, NULL),
			 WG_NOISE_OK);
	assert_int_equal(wg_noise_consume_initiation(&b_old, &m, &res),
			 WG_NOISE_OK);
	assert_int_equal(wg_noise_accept_initiation(&hb, &res, 2ull * SEC),
			 WG_NOISE_OK);
	assert_int_equal(hb.static_static_generation, b_old.generation);
	assert_memory_equal(hb.precomputed_static_static, old_ss, 32);
	wg_handshake_clear(&hb);
	assert_int_equal(wg_noise_create_initiation(&hb, &b, &m, 4, SEC, NULL),
			 WG_NOISE_OK);
	assert_memory_equal(hb.precomputed_static_static, want, 32);

	wg_wipe(&res, sizeof(res));
	wg_wipe(old_ss, sizeof(old_ss));
	wg_wipe(want, sizeof(want));
	wg_handshake_destroy(&ha);
	wg_handshake_destroy(&hb);
	wg_identity_clear(&a);
	wg_identity_clear(&b);
	wg_identity_clear(&b_old);
}

/* The all-zero point and a known order-8 point of Curve25519. */
static const uint8_t low_order[][32] = {
	{ 0 },
	{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3,
	  0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32,
	  0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00 },
};

static void test_low_order_refused_at_first_use(void **state)
{
	struct wg_identity a = { 0 }, b = { 0 };
	struct wg_handshake hs = { 0 }, hb = { 0 };
	struct wg_msg_initiation m;
	struct wg_initiation_result res;

	(void)state;
	identity_random(&a);
	identity_random(&b);
	for (size_t i = 0; i < 2; i++) {
		/* added as today: nothing is refused when the peer comes */
		wg_handshake_init(&hs, &a, low_order[i], NULL);
		assert_int_equal(hs.static_static_generation, 0);
		/* our first initiation to it is refused, and so is every
		 * later one (remembered: no DH again) */
		for (int k = 0; k < 2; k++) {
			assert_int_equal(wg_noise_create_initiation(
						 &hs, &a, &m, 1, SEC, NULL),
					 WG_NOISE_LOW_ORDER);
			assert_false(hs.static_static_ok);
			assert_int_equal(hs.static_static_generation,
					 a.generation);
			assert_int_equal(hs.state, WG_HS_ZEROED);
		}
		wg_handshake_destroy(&hs);
	}

	/* an initiation claiming a low-order static key: the responder's
	 * first use (consume) refuses it, nothing is adopted */
	wg_handshake_init(&hb, &b, low_order[1], NULL);
	wg_handshake_init(&hs, &a, b.public_key, NULL);
	memcpy(a.public_key, low_order[1], 32); /* what a sends as "s" */
	assert_int_equal(wg_noise_create_initiation(&hs, &a, &m, 1, SEC, NULL),
			 WG_NOISE_OK);
	assert_int_equal(wg_noise_consume_initiation(&b, &m, &res),
			 WG_NOISE_LOW_ORDER);
	assert_int_equal(hb.static_static_generation, 0);
	assert_int_equal(wg_noise_create_initiation(&hb, &b, &m, 1, SEC, NULL),
			 WG_NOISE_LOW_ORDER);

	wg_wipe(&res, sizeof(res));
	wg_handshake_destroy(&hs);
	wg_handshake_destroy(&hb);
	wg_identity_clear(&a);
	wg_identity_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lazy_equals_eager),
		cmocka_unit_test(test_key_change_invalidates),
		cmocka_unit_test(test_low_order_refused_at_first_use),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
