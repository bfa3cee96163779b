/* SPDX-License-Identifier: MIT */
/* Key encodings and derivation: round trips, strictness, and agreement with
 * the real `wg genkey` / `wg pubkey` from wireguard-tools. */
#include "test_support.h"

#include <stdio.h>
#include <string.h>

#include "wg_crypto.h"
#include "wg_keys.h"

static void test_base64_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < 200; i++) {
		uint8_t key[WG_KEY_LEN], back[WG_KEY_LEN];
		char b64[WG_KEY_B64_LEN + 1];

		wg_random(key, sizeof(key));
		wg_key_to_base64(b64, key);
		assert_int_equal(strlen(b64), WG_KEY_B64_LEN);
		assert_true(wg_key_from_base64(back, b64));
		assert_memory_equal(key, back, WG_KEY_LEN);
	}
}

static void test_hex_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < 200; i++) {
		uint8_t key[WG_KEY_LEN], back[WG_KEY_LEN];
		char hex[WG_KEY_HEX_LEN + 1];

		wg_random(key, sizeof(key));
		wg_key_to_hex(hex, key);
		assert_int_equal(strlen(hex), WG_KEY_HEX_LEN);
		assert_true(wg_key_from_hex(back, hex));
		assert_memory_equal(key, back, WG_KEY_LEN);
	}
}

static void test_known_encodings(void **state)
{
	uint8_t key[WG_KEY_LEN];
	char hex[WG_KEY_HEX_LEN + 1];

	(void)state;
	assert_true(wg_key_from_base64(
		key, "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="));
	for (int i = 0; i < WG_KEY_LEN; i++)
		assert_int_equal(key[i], 0x20 + i);
	wg_key_to_hex(hex, key);
	assert_string_equal(
		hex,
		"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
}

static void test_rejects_malformed(void **state)
{
	static const char *bad_b64[] = {
		"",
		"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8",   /* 43 chars */
		"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8==", /* 45 chars */
		"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8A",  /* no pad */
		"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9=",  /* bits set */
		"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9P!8=",  /* bad char */
		"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9 j8=",  /* space */
	};
	static const char *bad_hex[] = {
		"",
		"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3",
		"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f0",
		"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3g",
	};
	uint8_t key[WG_KEY_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_b64) / sizeof(bad_b64[0]); i++)
		assert_false(wg_key_from_base64(key, bad_b64[i]));
	for (size_t i = 0; i < sizeof(bad_hex) / sizeof(bad_hex[0]); i++)
		assert_false(wg_key_from_hex(key, bad_hex[i]));
	assert_false(wg_key_from_base64(key, NULL));
	assert_false(wg_key_from_hex(key, NULL));
}

/* The transcripts list static key pairs; derivation must reproduce them. */
static void test_transcript_public_keys(void **state)
{
	static const char *cases[] = { "go_initiates", "we_initiate" };
	static const char *roles[][2] = {
		{ "responder_static_private", "responder_static_public" },
		{ "initiator_static_private", "initiator_static_public" },
	};

	(void)state;
	for (size_t c = 0; c < 2; c++) {
		json_t *tc = ts_transcript_case(cases[c]);
		for (size_t r = 0; r < 2; r++) {
			uint8_t priv[32], pub[32], want[32];

			ts_key_field(tc, roles[r][0], priv);
			ts_key_field(tc, roles[r][1], want);
			wg_public_from_private(pub, priv);
			assert_memory_equal(pub, want, 32);
		}
	}
}

/* Run a shell pipeline and read one line of output. */
static int run_line(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	int rc;

	if (!p)
		return -1;
	if (!fgets(out, (int)cap, p))
		out[0] = '\0';
	rc = pclose(p);
	out[strcspn(out, "\n")] = '\0';
	return rc;
}

/* Keys from the real `wg genkey`: our derivation equals `wg pubkey`. */
static void test_wg_pubkey_compat(void **state)
{
	(void)state;
	for (int i = 0; i < 10; i++) {
		char priv_b64[128], want_b64[128], cmd[256];
		char got_b64[WG_KEY_B64_LEN + 1];
		uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];

		assert_int_equal(run_line("wg genkey", priv_b64,
					  sizeof(priv_b64)), 0);
		assert_true(wg_key_from_base64(priv, priv_b64));
		snprintf(cmd, sizeof(cmd), "echo '%s' | wg pubkey", priv_b64);
		assert_int_equal(run_line(cmd, want_b64, sizeof(want_b64)), 0);
		wg_public_from_private(pub, priv);
		wg_key_to_base64(got_b64, pub);
		assert_string_equal(got_b64, want_b64);
	}
	/* and an unclamped private key: wg pubkey clamps, so must we */
	{
		uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
		char priv_b64[WG_KEY_B64_LEN + 1], want_b64[128], cmd[256];
		char got_b64[WG_KEY_B64_LEN + 1];

		memset(priv, 0xff, sizeof(priv));
		wg_key_to_base64(priv_b64, priv);
		snprintf(cmd, sizeof(cmd), "echo '%s' | wg pubkey", priv_b64);
		assert_int_equal(run_line(cmd, want_b64, sizeof(want_b64)), 0);
		wg_public_from_private(pub, priv);
		wg_key_to_base64(got_b64, pub);
		assert_string_equal(got_b64, want_b64);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_round_trip),
		cmocka_unit_test(test_hex_round_trip),
		cmocka_unit_test(test_known_encodings),
		cmocka_unit_test(test_rejects_malformed),
		cmocka_unit_test(test_transcript_public_keys),
		cmocka_unit_test(test_wg_pubkey_compat),
	};

	if (wg_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
