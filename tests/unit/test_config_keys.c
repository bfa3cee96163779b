/* SPDX-License-Identifier: MIT */
/*
 * Keys in the config file: the private key inline or in a key file of its
 * own (mode, relative paths), preshared keys, the gateway's own key as a
 * peer; and no key material in any message, not even a malformed key.
 */
#include "test_config.h"

static void test_bad_key(void **state)
{
	(void)state;
	/* one character short, and one with a bad character */
	EXPECT_ERRORS(HEAD "peers = ( { public_key = \"V8q9iCSCXtdWZFJL1BZ2NdA+AR9duPoOioNnBWU1/C4\"; },\n"
			   "  { public_key = \"" P2_PUB "\";\n"
			   "    preshared_key = \"oCkXDQIsRJcMdoKpkboS3nFpFHEArU5O+tP5RzD0v!0=\"; } );\n",
		      "gw.conf:8: peers[0].public_key: not a valid key (44 characters of base64, as wg genkey prints)",
		      "gw.conf:10: peers[1].preshared_key: not a valid key (44 characters of base64, as wg genkey prints)");
	EXPECT_ERRORS("interface = { name = \"wg0\";\n"
		      "  private_key = \"UJtCbWbjrpG2O7JPJu5v3CHuysExgQM+AXIMhE93KEQ\"; };\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n",
		      "gw.conf:2: interface.private_key: not a valid key (44 characters of base64, as wg genkey prints)");
}

static void test_missing_private_key(void **state)
{
	(void)state;
	EXPECT_ERRORS("interface = {\n"
		      "  name = \"wg0\";\n"
		      "};\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n",
		      "gw.conf:1: interface.private_key: missing (set private_key or private_key_file)");
}

static void test_key_and_key_file(void **state)
{
	(void)state;
	write_file("wg0.key", GW_PRIV "\n", 0600);
	EXPECT_ERRORS("interface = {\n"
		      "  name = \"wg0\";\n"
		      "  private_key = \"" GW_PRIV "\";\n"
		      "  private_key_file = \"wg0.key\";\n"
		      "};\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n",
		      "gw.conf:4: interface.private_key_file: cannot be used together with private_key");
}

static void test_own_public_key(void **state)
{
	(void)state;
	EXPECT_ERRORS(HEAD "peers = (\n"
			   "  { public_key = \"" GW_PUB "\"; }\n"
			   ");\n",
		      "gw.conf:9: peers[0].public_key: is this interface's own public key");
}

/* No message ever quotes a key, good or bad, nor a piece of one. */
static void test_no_key_material_in_messages(void **state)
{
	static const char *secrets[] = {
		GW_PRIV, PSK, "oCkXDQIsRJcMdoKpkboS3nFpFHEArU5O+tP5RzD0v!0=",
	};
	struct wg_config cfg;
	struct wg_diag diag;

	(void)state;
	assert_int_equal(
		load_text("interface = { name = \"wg0\"; private_key = \"" GW_PRIV "\";\n"
			  "  mtu = 1; bogus = 1; };\n"
			  "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
			  "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"
			  "peers = ( { public_key = \"" P1_PUB "\"; preshared_key = \"" PSK "\";\n"
			  "  allowed_ips = [\"203.0.113.0/24\"]; },\n"
			  "  { public_key = \"" P2_PUB "\";\n"
			  "    preshared_key = \"oCkXDQIsRJcMdoKpkboS3nFpFHEArU5O+tP5RzD0v!0=\"; } );\n",
			  &cfg, &diag),
		-1);
	assert_int_equal(diag.n_errors, 3);
	for (size_t i = 0; i < diag.n_errors; i++)
		for (size_t s = 0; s < sizeof(secrets) / sizeof(secrets[0]);
		     s++)
			for (size_t off = 0; off + 8 <= strlen(secrets[s]);
			     off++) {
				char piece[9];

				memcpy(piece, secrets[s] + off, 8);
				piece[8] = '\0';
				if (strstr(diag.errors[i], piece))
					fail_msg("key material in '%s'",
						 diag.errors[i]);
			}
	wg_diag_free(&diag);
}

#define KEY_FILE_CONF                                          \
	"interface = {\n"                                      \
	"  name = \"wg0\";\n"                                  \
	"  private_key_file = \"keys/wg0.key\";\n"             \
	"};\n"                                                 \
	"lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n" \
	"wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"

static void test_key_file(void **state)
{
	struct wg_config cfg;
	struct wg_diag diag;
	char b64[WG_KEY_B64_LEN + 1];

	(void)state;
	assert_int_equal(mkdir("keys", 0700), 0);
	write_file("keys/wg0.key", GW_PRIV "\n", 0600);
	expect_ok(KEY_FILE_CONF, &cfg, &diag);
	assert_int_equal(diag.n_warnings, 0);
	assert_true(cfg.interface.has_private_key);
	key_b64(b64, cfg.interface.public_key);
	assert_string_equal(b64, GW_PUB);
	wg_config_free(&cfg);
	wg_diag_free(&diag);

	write_file("keys/wg0.key", GW_PRIV "\n", 0644);
	expect_ok(KEY_FILE_CONF, &cfg, &diag);
	assert_int_equal(diag.n_warnings, 1);
	assert_string_equal(diag.warnings[0],
			    "gw.conf:3: warning: interface.private_key_file: 'keys/wg0.key' is accessible "
			    "by group or others (mode 644); chmod 600 it");
	wg_config_free(&cfg);
	wg_diag_free(&diag);

	/* relative to the config file, not the working directory */
	assert_int_equal(mkdir("sub", 0700), 0);
	assert_int_equal(mkdir("sub/keys", 0700), 0);
	write_file("sub/keys/wg0.key", GW_PRIV, 0600);
	write_file("sub/gw.conf", KEY_FILE_CONF, 0600);
	wg_diag_init(&diag);
	assert_int_equal(wg_config_load("sub/gw.conf", &cfg, &diag), 0);
	assert_int_equal(diag.n_warnings, 0);
	wg_config_free(&cfg);
	wg_diag_free(&diag);

	write_file("keys/wg0.key", "not a key\n", 0600);
	EXPECT_ERRORS(KEY_FILE_CONF,
		      "gw.conf:3: interface.private_key_file: 'keys/wg0.key' does not hold a valid key "
		      "(44 characters of base64, as wg genkey prints)");
	assert_int_equal(unlink("keys/wg0.key"), 0);
	EXPECT_ERRORS(KEY_FILE_CONF,
		      "gw.conf:3: interface.private_key_file: cannot read 'keys/wg0.key': No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_key),
		cmocka_unit_test(test_missing_private_key),
		cmocka_unit_test(test_key_and_key_file),
		cmocka_unit_test(test_own_public_key),
		cmocka_unit_test(test_no_key_material_in_messages),
		cmocka_unit_test(test_key_file),
	};

	if (wg_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("config_keys", tests, setup, teardown);
}
