/* SPDX-License-Identifier: MIT */
/*
 * The config loader on bad files: each class of mistake is reported as
 * FILE:LINE: FIELD: MESSAGE, exactly, every one of them, and nothing of
 * a file with errors reaches the caller.
 */
#include "test_config.h"

static void test_bad_prefix(void **state)
{
	(void)state;
	EXPECT_ERRORS(HEAD "peers = (\n"
			   "  { public_key = \"" P1_PUB "\";\n"
			   "    allowed_ips = [\"203.0.113.0/33\"]; }\n"
			   ");\n",
		      "gw.conf:10: peers[0].allowed_ips[0]: '203.0.113.0/33' is not a valid prefix");
	EXPECT_ERRORS(HEAD "peers = ( { public_key = \"" P1_PUB "\";\n"
			   "  allowed_ips = [\"203.0.113.0\",\n"
			   "                 \"2001:db8::/129\"]; } );\n",
		      "gw.conf:9: peers[0].allowed_ips[0]: '203.0.113.0' is not a valid prefix",
		      "gw.conf:10: peers[0].allowed_ips[1]: '2001:db8::/129' is not a valid prefix");
}

static void test_bad_endpoint(void **state)
{
	(void)state;
	EXPECT_ERRORS(HEAD "peers = (\n"
			   "  { public_key = \"" P1_PUB "\";\n"
			   "    endpoint = \"198.51.100.2\"; },\n"
			   "  { public_key = \"" P2_PUB "\";\n"
			   "    endpoint = \"2001:db8::2:51820\"; }\n"
			   ");\n",
		      "gw.conf:10: peers[0].endpoint: '198.51.100.2' is not a valid endpoint (IPv4:PORT or [IPv6]:PORT)",
		      "gw.conf:12: peers[1].endpoint: '2001:db8::2:51820' is not a valid endpoint (IPv4:PORT or [IPv6]:PORT)");
}

static void test_out_of_range(void **state)
{
	(void)state;
	EXPECT_ERRORS("interface = {\n"
		      "  name = \"wg0\";\n"
		      "  private_key = \"" GW_PRIV "\";\n"
		      "  listen_port = 70000;\n"
		      "};\n"
		      "lan = { port = 65535; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = -1; address = [\"198.51.100.1/24\"]; };\n"
		      "peers = ( { public_key = \"" P1_PUB "\";\n"
		      "  persistent_keepalive = 65536; } );\n",
		      "gw.conf:4: interface.listen_port: 70000 is out of range 1..65535",
		      "gw.conf:6: lan.port: 65535 is out of range 0..65534",
		      "gw.conf:7: wan.port: -1 is out of range 0..65534",
		      "gw.conf:9: peers[0].persistent_keepalive: 65536 is out of range 0..65535");
	EXPECT_ERRORS(HEAD "workers = { lcores = [1, 1024]; };\n",
		      "gw.conf:8: workers.lcores[1]: 1024 is out of range 0..1023");
}

static void test_unknown_setting(void **state)
{
	(void)state;
	EXPECT_ERRORS("interface = {\n"
		      "  name = \"wg0\";\n"
		      "  private_key = \"" GW_PRIV "\";\n"
		      "  mut = 1420;\n"
		      "};\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\"]; gw = \"192.0.2.254\"; };\n"
		      "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"
		      "peer = ();\n"
		      "peers = ( { public_key = \"" P1_PUB "\";\n"
		      "            allowedips = [\"203.0.113.0/24\"]; } );\n"
		      "workers = { lcore = [1]; };\n",
		      "gw.conf:8: peer: unknown setting",
		      "gw.conf:4: interface.mut: unknown setting",
		      "gw.conf:6: lan.gw: unknown setting",
		      "gw.conf:11: workers.lcore: unknown setting",
		      "gw.conf:11: workers.lcores: missing (required)",
		      "gw.conf:10: peers[0].allowedips: unknown setting");
}

static void test_duplicate_public_key(void **state)
{
	(void)state;
	EXPECT_ERRORS(HEAD "peers = (\n"
			   "  { public_key = \"" P1_PUB "\"; },\n"
			   "  { public_key = \"" P2_PUB "\"; },\n"
			   "  { public_key = \"" P1_PUB "\"; },\n"
			   "  { public_key = \"" P1_PUB "\"; }\n"
			   ");\n",
		      "gw.conf:11: peers[2].public_key: same public key as peers[0] (line 9)",
		      "gw.conf:12: peers[3].public_key: same public key as peers[0] (line 9)");
}

static void test_duplicate_lcore(void **state)
{
	(void)state;
	EXPECT_ERRORS(HEAD "workers = { lcores = [1, 2,\n"
			   "  1]; };\n",
		      "gw.conf:9: workers.lcores[2]: lcore 1 is already workers.lcores[0]");
	EXPECT_ERRORS(HEAD "workers = { lcores = []; };\n",
		      "gw.conf:8: workers.lcores: needs at least one lcore");
}

static void test_same_port(void **state)
{
	(void)state;
	EXPECT_ERRORS("interface = { name = \"wg0\"; private_key = \"" GW_PRIV "\"; };\n"
		      "lan = { port = 3; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = 3; address = [\"198.51.100.1/24\"]; };\n",
		      "gw.conf:3: wan.port: 3 is also lan.port");
}

static void test_syntax_error(void **state)
{
	(void)state;
	EXPECT_ERRORS("interface = {\n"
		      "  name = \"wg0\";\n"
		      "  mtu = = 1420;\n"
		      "};\n",
		      "gw.conf:3: syntax error");
	EXPECT_ERRORS("eal = [\"-l\", 1];\n",
		      "gw.conf:1: mismatched element type in array");
	EXPECT_ERRORS(HEAD "lan = { port = 0; };\n",
		      "gw.conf:8: duplicate setting name");
}

static void test_wrong_type(void **state)
{
	(void)state;
	EXPECT_ERRORS("eal = \"-l 0-2\";\n"
		      "interface = {\n"
		      "  name = 0;\n"
		      "  private_key = \"" GW_PRIV "\";\n"
		      "  listen_port = \"51820\";\n"
		      "  mtu = 1420.0;\n"
		      "};\n"
		      "lan = [0];\n"
		      "wan = { port = true; address = \"198.51.100.1/24\"; };\n"
		      "peers = { public_key = \"" P1_PUB "\"; };\n",
		      "gw.conf:1: eal: must be a list [ \"-l\", \"0-2\", ... ], not a string",
		      "gw.conf:3: interface.name: must be a string, not an integer",
		      "gw.conf:5: interface.listen_port: must be an integer, not a string",
		      "gw.conf:6: interface.mtu: must be an integer, not a float",
		      "gw.conf:8: lan: must be a group { ... }, not an array",
		      "gw.conf:9: wan.port: must be an integer, not a boolean",
		      "gw.conf:9: wan.address: must be a list [ \"192.0.2.1/24\", ... ], not a string",
		      "gw.conf:10: peers: must be a list ( { ... }, ... ), not a group");
	EXPECT_ERRORS(HEAD "peers = ( \"" P1_PUB "\" );\n",
		      "gw.conf:8: peers[0]: must be a group { ... }, not a string");
}

static void test_missing_groups(void **state)
{
	(void)state;
	EXPECT_ERRORS("# nothing\n",
		      "gw.conf: interface: missing (required)",
		      "gw.conf: lan: missing (required)",
		      "gw.conf: wan: missing (required)");
	EXPECT_FILE_ERRORS("no-such.conf",
			   "no-such.conf: cannot read: No such file or directory");
}

/* Every error of a file is reported, in file order within each pass. */
static void test_all_errors_reported(void **state)
{
	(void)state;
	EXPECT_ERRORS("interface = {\n"
		      "  name = \"wg0\";\n"
		      "  listen_port = 0;\n"
		      "};\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"
		      "peers = (\n"
		      "  { public_key = \"" P1_PUB "\";\n"
		      "    endpoint = \"198.51.100.2:0\";\n"
		      "    allowed_ips = [\"203.0.113.0/24\", \"203.0.113.0/33\"]; },\n"
		      "  { allowed_ips = [\"2001:db8:b::/48\"]; },\n"
		      "  { public_key = \"" P1_PUB "\"; }\n"
		      ");\n",
		      "gw.conf:1: interface.private_key: missing (set private_key or private_key_file)",
		      "gw.conf:3: interface.listen_port: 0 is out of range 1..65535",
		      "gw.conf:9: peers[0].endpoint: '198.51.100.2:0' is not a valid endpoint (IPv4:PORT or [IPv6]:PORT)",
		      "gw.conf:10: peers[0].allowed_ips[1]: '203.0.113.0/33' is not a valid prefix",
		      "gw.conf:11: peers[1].public_key: missing (required)",
		      "gw.conf:12: peers[2].public_key: same public key as peers[0] (line 8)");
}

static void test_diag_print(void **state)
{
	struct wg_diag diag;
	char out[256] = "";
	FILE *f;

	(void)state;
	wg_diag_init(&diag);
	wg_diag_warning(&diag, "a.conf:2: warning: x: %d", 2);
	wg_diag_error(&diag, "a.conf:1: y: %s", "bad");
	f = fmemopen(out, sizeof(out) - 1, "w");
	assert_non_null(f);
	wg_diag_print(&diag, f);
	fclose(f);
	assert_string_equal(out, "a.conf:1: y: bad\na.conf:2: warning: x: 2\n");
	wg_diag_free(&diag);
	assert_int_equal(diag.n_errors, 0);
	wg_diag_error(NULL, "dropped");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_prefix),
		cmocka_unit_test(test_bad_endpoint),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_unknown_setting),
		cmocka_unit_test(test_duplicate_public_key),
		cmocka_unit_test(test_duplicate_lcore),
		cmocka_unit_test(test_same_port),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_missing_groups),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_diag_print),
	};

	if (wg_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("config_errors", tests, setup, teardown);
}
