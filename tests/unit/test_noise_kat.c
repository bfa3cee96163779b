/* SPDX-License-Identifier: MIT */
/*
 * Known-answer tests against real wireguard-go transcripts
 * (data/wireguard-go-transcripts.json): with the injected ephemeral keys,
 * timestamps and indices, our messages must be byte-identical to what the
 * capture holds, and we must accept and decrypt what wireguard-go sent.
 */
#include "test_support.h"

#include <string.h>

#include "wg_cookie.h"
#include "wg_crypto.h"
#include "wg_noise.h"
#include "wg_transport.h"

enum { KAT_MTU = 1420, BUF = 2048 };

/* We are the initiator: the case names are "we_initiate" and
 * "we_initiate_with_psk". */
static void run_we_initiate(const char *case_name)
{
	json_t *tc = ts_transcript_case(case_name);
	uint8_t our_priv[32], peer_pub[32], psk[32], e_priv[32], ts[12];
	uint8_t want[BUF], buf[BUF], plain[BUF];
	uint8_t want_send[32], want_recv[32];
	struct wg_identity id = { 0 };
	struct wg_handshake hs = { 0 };
	struct wg_cookie_maker maker;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_keypair kp;
	struct wg_noise_inject inject;
	bool has_psk = !ts_field_is_null(tc, "preshared_key");
	size_t len, plain_len;
	uint64_t counter;

	ts_key_field(tc, "initiator_static_private", our_priv);
	ts_key_field(tc, "responder_static_public", peer_pub);
	if (has_psk)
		ts_key_field(tc, "preshared_key", psk);
	ts_key_field(tc, "initiator_ephemeral_private", e_priv);
	assert_int_equal(ts_hex_field(tc, "timestamp_tai64n", ts, sizeof(ts)),
			 12);

	wg_identity_set(&id, our_priv);
	wg_handshake_init(&hs, &id, peer_pub, has_psk ? psk : NULL);
	wg_cookie_maker_init(&maker, peer_pub);

	/* -> initiation, byte for byte */
	inject.ephemeral_private = e_priv;
	inject.timestamp = ts;
	assert_int_equal(wg_noise_create_initiation(
				 &hs, &id, &init,
				 (uint32_t)ts_int_field(tc, "initiator_sender_index"),
				 0, &inject),
			 WG_NOISE_OK);
	wg_cookie_add_macs(&maker, (uint8_t *)&init, sizeof(init), 1);
	len = ts_hex_field(tc, "initiation", want, sizeof(want));
	assert_int_equal(len, sizeof(init));
	assert_memory_equal(&init, want, len);

	/* <- wireguard-go's response */
	len = ts_hex_field(tc, "response_from_wireguard_go", (uint8_t *)&resp,
			   sizeof(resp));
	assert_int_equal(len, sizeof(resp));
	assert_int_equal(wg_noise_consume_response(&hs, &id, &resp),
			 WG_NOISE_OK);
	assert_int_equal(wg_noise_derive_keypair(&hs, &kp), WG_NOISE_OK);
	ts_hex_field(tc, "initiator_sending_key", want_send, 32);
	ts_hex_field(tc, "initiator_receiving_key", want_recv, 32);
	assert_memory_equal(kp.sending_key, want_send, 32);
	assert_memory_equal(kp.receiving_key, want_recv, 32);
	assert_true(kp.we_are_initiator);
	/* the handshake state is gone once keys are derived */
	assert_int_equal(hs.state, WG_HS_ZEROED);
	assert_true(wg_is_zero(hs.chaining_key, sizeof(hs.chaining_key)));
	assert_true(wg_is_zero(hs.ephemeral_private, 32));

	/* -> data, counter 0, byte for byte */
	plain_len = ts_hex_field(tc, "data_to_wireguard_go_plaintext", plain,
				 sizeof(plain));
	len = wg_transport_seal(&kp, 0, plain, plain_len, KAT_MTU, buf);
	assert_int_equal(len, wg_transport_sealed_len(plain_len, KAT_MTU));
	assert_int_equal(ts_hex_field(tc, "data_to_wireguard_go", want,
				      sizeof(want)),
			 len);
	assert_memory_equal(buf, want, len);

	/* <- data from wireguard-go */
	len = ts_hex_field(tc, "data_from_wireguard_go", buf, sizeof(buf));
	assert_true(wg_transport_open(&kp, buf, len, plain, &plain_len,
				      &counter));
	assert_int_equal(counter,
			 ts_int_field(tc, "data_from_wireguard_go_counter"));
	assert_int_equal(ts_hex_field(tc, "data_from_wireguard_go_plaintext_padded",
				      want, sizeof(want)),
			 plain_len);
	assert_memory_equal(plain, want, plain_len);

	wg_keypair_wipe(&kp);
	wg_handshake_destroy(&hs);
	wg_identity_clear(&id);
}

static void test_we_initiate(void **state)
{
	(void)state;
	run_we_initiate("we_initiate");
}

static void test_we_initiate_with_psk(void **state)
{
	(void)state;
	run_we_initiate("we_initiate_with_psk");
}

/* The PSK must change the response keys: the two cases share every other
 * input, so this guards against a PSK that is silently ignored. */
static void test_psk_changes_keys(void **state)
{
	json_t *a = ts_transcript_case("we_initiate");
	json_t *b = ts_transcript_case("we_initiate_with_psk");
	uint8_t ka[32], kb[32];

	(void)state;
	ts_hex_field(a, "initiator_sending_key", ka, 32);
	ts_hex_field(b, "initiator_sending_key", kb, 32);
	assert_memory_not_equal(ka, kb, 32);
}

/* wireguard-go initiates; we respond. */
static void test_go_initiates(void **state)
{
	json_t *tc = ts_transcript_case("go_initiates");
	uint8_t our_priv[32], peer_pub[32], e_priv[32], want_ts[12];
	uint8_t want[BUF], buf[BUF], plain[BUF];
	uint8_t want_send[32], want_recv[32];
	struct wg_identity id = { 0 };
	struct wg_handshake hs = { 0 };
	struct wg_cookie_checker checker;
	struct wg_cookie_maker maker;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_initiation_result res;
	struct wg_keypair kp;
	struct wg_noise_inject inject = { 0 };
	size_t len, plain_len;
	uint64_t counter;
	const uint8_t source[6] = { 198, 51, 100, 2, 0xca, 0x6c };

	(void)state;
	ts_key_field(tc, "responder_static_private", our_priv);
	ts_key_field(tc, "initiator_static_public", peer_pub);
	ts_key_field(tc, "responder_ephemeral_private", e_priv);
	wg_identity_set(&id, our_priv);
	wg_cookie_checker_init(&checker, id.public_key);

	len = ts_hex_field(tc, "initiation_from_wireguard_go", (uint8_t *)&init,
			   sizeof(init));
	assert_int_equal(len, sizeof(init));
	/* mac1 as a worker checks it, and as the control core does */
	assert_true(wg_cookie_mac1_ok(checker.mac1_key, (uint8_t *)&init, len));
	assert_int_equal(wg_cookie_validate(&checker, (uint8_t *)&init, len,
					    source, sizeof(source), false, 1),
			 WG_MAC_VALID_MAC1);

	assert_int_equal(wg_noise_consume_initiation(&id, &init, &res),
			 WG_NOISE_OK);
	assert_memory_equal(res.remote_static, peer_pub, 32);
	ts_hex_field(tc, "initiation_timestamp_tai64n", want_ts, 12);
	assert_memory_equal(res.timestamp, want_ts, 12);

	wg_handshake_init(&hs, &id, peer_pub, NULL);
	assert_int_equal(wg_noise_accept_initiation(&hs, &res, 1000),
			 WG_NOISE_OK);

	/* -> response, byte for byte */
	inject.ephemeral_private = e_priv;
	assert_int_equal(wg_noise_create_response(
				 &hs, &resp,
				 (uint32_t)ts_int_field(tc, "responder_sender_index"),
				 &inject),
			 WG_NOISE_OK);
	wg_cookie_maker_init(&maker, peer_pub);
	wg_cookie_add_macs(&maker, (uint8_t *)&resp, sizeof(resp), 1);
	assert_int_equal(ts_hex_field(tc, "response", want, sizeof(want)),
			 sizeof(resp));
	assert_memory_equal(&resp, want, sizeof(resp));

	assert_int_equal(wg_noise_derive_keypair(&hs, &kp), WG_NOISE_OK);
	assert_false(kp.we_are_initiator);
	ts_hex_field(tc, "responder_sending_key", want_send, 32);
	ts_hex_field(tc, "responder_receiving_key", want_recv, 32);
	assert_memory_equal(kp.sending_key, want_send, 32);
	assert_memory_equal(kp.receiving_key, want_recv, 32);

	/* <- data from wireguard-go */
	len = ts_hex_field(tc, "data_from_wireguard_go", buf, sizeof(buf));
	assert_true(wg_transport_open(&kp, buf, len, plain, &plain_len,
				      &counter));
	assert_int_equal(counter,
			 ts_int_field(tc, "data_from_wireguard_go_counter"));
	assert_int_equal(ts_hex_field(tc, "data_from_wireguard_go_plaintext_padded",
				      want, sizeof(want)),
			 plain_len);
	assert_memory_equal(plain, want, plain_len);

	/* the same initiation again is a replay */
	assert_int_equal(wg_noise_consume_initiation(&id, &init, &res),
			 WG_NOISE_OK);
	assert_int_equal(wg_noise_accept_initiation(&hs, &res, 5000000000ull),
			 WG_NOISE_STALE_TIMESTAMP);

	wg_keypair_wipe(&kp);
	wg_handshake_destroy(&hs);
	wg_identity_clear(&id);
	wg_cookie_checker_wipe(&checker);
}

/* wireguard-go's TAI64N encoding of a known time: our encoder must agree
 * on the label and the whitened nanoseconds. */
static void test_tai64n_encoding(void **state)
{
	json_t *tc = ts_transcript_case("go_initiates");
	uint8_t want[12], got[12];
	uint64_t secs, nanos;

	(void)state;
	ts_hex_field(tc, "initiation_timestamp_tai64n", want, 12);
	secs = 0;
	for (int i = 0; i < 8; i++)
		secs = secs << 8 | want[i];
	nanos = (uint64_t)want[8] << 24 | want[9] << 16 | want[10] << 8 |
		want[11];
	/* a few ns later must encode identically (whitening) */
	wg_tai64n(got, (secs - (1ull << 62) - 10) * 1000000000ull + nanos + 7);
	assert_memory_equal(got, want, 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_we_initiate),
		cmocka_unit_test(test_we_initiate_with_psk),
		cmocka_unit_test(test_psk_changes_keys),
		cmocka_unit_test(test_go_initiates),
		cmocka_unit_test(test_tai64n_encoding),
	};

	if (wg_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("noise_kat", tests, NULL, NULL);
}
