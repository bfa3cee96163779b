/* SPDX-License-Identifier: MIT */
/*
 * The config loader's model: the shipped examples parse, and a good file
 * fills wg_config as the schema says (defaults, the MTU rule, ports,
 * AllowedIPs, peer counts, the testing and metrics groups).
 */
#include "test_config.h"

#include <time.h>

static void test_example_parses(void **state)
{
	const char *dir = getenv("WG_CONFIG_DIR");
	char path[4096], b64[WG_KEY_B64_LEN + 1], buf[WG_ENDPOINT_STR_LEN];
	struct wg_config cfg;
	struct wg_diag diag;

	(void)state;
	if (!dir)
		dir = "../config"; /* from the build directory */
	snprintf(path, sizeof(path), "%s/gateway.conf", dir);
	wg_diag_init(&diag);
	if (wg_config_load(path, &cfg, &diag) != 0) {
		wg_diag_print(&diag, stdout);
		fail_msg("%s does not load", path);
	}
	assert_int_equal(diag.n_warnings, 0);
	assert_int_equal(cfg.n_eal_args, 6);
	assert_string_equal(cfg.eal_args[0], "-l");
	assert_null(cfg.eal_args[6]);
	assert_string_equal(cfg.interface.name, "wg0");
	key_b64(b64, cfg.interface.public_key);
	assert_string_equal(b64, GW_PUB);
	assert_int_equal(cfg.interface.listen_port, 51820);
	assert_int_equal(cfg.interface.mtu, 1420);
	assert_int_equal(cfg.lan.port, 0);
	assert_int_equal(cfg.lan.n_addresses, 2);
	assert_string_equal(wg_prefix_format(buf, &cfg.lan.addresses[1]),
			    "2001:db8:a::1/64");
	assert_true(cfg.lan.has_gateway);
	assert_string_equal(wg_ip_format(buf, &cfg.lan.gateway), "192.0.2.254");
	assert_int_equal(cfg.wan.port, 1);
	assert_int_equal(cfg.n_worker_lcores, 2);
	assert_int_equal(cfg.worker_lcores[1], 2);
	assert_int_equal(cfg.n_peers, 2);
	key_b64(b64, cfg.peers[0].public_key);
	assert_string_equal(b64, P1_PUB);
	assert_true(cfg.peers[0].has_preshared_key);
	key_b64(b64, cfg.peers[0].preshared_key);
	assert_string_equal(b64, PSK);
	assert_true(cfg.peers[0].has_endpoint);
	assert_string_equal(wg_endpoint_format(buf, &cfg.peers[0].endpoint),
			    "198.51.100.2:51820");
	assert_int_equal(cfg.peers[0].n_allowed_ips, 2);
	assert_int_equal(cfg.peers[0].persistent_keepalive, 25);
	assert_false(cfg.peers[1].has_endpoint);
	assert_false(cfg.peers[1].has_preshared_key);
	assert_false(cfg.peers[1].has_persistent_keepalive);
	wg_config_free(&cfg);
	assert_int_equal(cfg.n_peers, 0);
	assert_true(wg_is_zero(&cfg.interface, sizeof(cfg.interface)));

	snprintf(path, sizeof(path), "%s/demo-gw.conf", dir);
	if (wg_config_load(path, &cfg, &diag) != 0) {
		wg_diag_print(&diag, stdout);
		fail_msg("%s does not load", path);
	}
	assert_int_equal(diag.n_warnings, 0);
	assert_int_equal(cfg.n_peers, 1);
	wg_config_free(&cfg);
	wg_diag_free(&diag);
}

static void test_defaults(void **state)
{
	struct wg_config cfg;
	struct wg_diag diag;

	(void)state;
	expect_ok(HEAD, &cfg, &diag);
	assert_int_equal(diag.n_warnings, 0);
	assert_true(cfg.interface.has_listen_port);
	assert_int_equal(cfg.interface.mtu, WG_DEFAULT_MTU);
	assert_false(cfg.interface.has_mtu);
	assert_false(cfg.has_eal);
	assert_null(cfg.eal_args);
	assert_false(cfg.has_workers);
	assert_int_equal(cfg.n_peers, 0);
	assert_false(cfg.lan.has_gateway);
	wg_config_free(&cfg);
	wg_diag_free(&diag);

	expect_ok("interface = { name = \"wg0\"; private_key = \"" GW_PRIV
		  "\"; };\n"
		  "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		  "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"
		  "peers = ();\n",
		  &cfg, &diag);
	assert_int_equal(cfg.interface.listen_port, WG_DEFAULT_LISTEN_PORT);
	assert_false(cfg.interface.has_listen_port);
	wg_config_free(&cfg);
	wg_diag_free(&diag);
}

static void test_mtu(void **state)
{
	struct wg_config cfg;
	struct wg_diag diag;

	(void)state;
	EXPECT_ERRORS("interface = { name = \"wg0\"; private_key = \"" GW_PRIV "\";\n"
		      "  mtu = 100; };\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n",
		      "gw.conf:2: interface.mtu: 100 is out of range 576..9000");
	EXPECT_ERRORS("interface = { name = \"wg0\"; private_key = \"" GW_PRIV "\";\n"
		      "  mtu = 9001; };\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n",
		      "gw.conf:2: interface.mtu: 9001 is out of range 576..9000");
	/* IPv6 needs 1280 */
	EXPECT_ERRORS("interface = { name = \"wg0\"; private_key = \"" GW_PRIV "\";\n"
		      "  mtu = 1000; };\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"
		      "peers = ( { public_key = \"" P1_PUB "\";\n"
		      "  allowed_ips = [\"203.0.113.0/24\", \"2001:db8:b::/48\"]; } );\n",
		      "gw.conf:2: interface.mtu: 1000 is below 1280, the minimum with IPv6 (peers[0].allowed_ips[1])");
	/* the same MTU is fine without IPv6 */
	expect_ok("interface = { name = \"wg0\"; private_key = \"" GW_PRIV "\";\n"
		  "  mtu = 1000; };\n"
		  "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		  "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"
		  "peers = ( { public_key = \"" P1_PUB "\";\n"
		  "  allowed_ips = [\"203.0.113.0/24\"]; } );\n",
		  &cfg, &diag);
	assert_int_equal(cfg.interface.mtu, 1000);
	assert_true(cfg.interface.has_mtu);
	wg_config_free(&cfg);
	wg_diag_free(&diag);
}

static void test_interface_name(void **state)
{
	(void)state;
	EXPECT_ERRORS("interface = { name = \"wg 0\"; private_key = \"" GW_PRIV "\"; };\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n",
		      "gw.conf:1: interface.name: 'wg 0' is not a valid interface name (1..15 of A-Z a-z 0-9 _ = + . -)");
	EXPECT_ERRORS("interface = { name = \"wg0123456789abcd\"; private_key = \"" GW_PRIV "\"; };\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n",
		      "gw.conf:1: interface.name: 'wg0123456789abcd' is not a valid interface name (1..15 of A-Z a-z 0-9 _ = + . -)");
	EXPECT_ERRORS("interface = { private_key = \"" GW_PRIV "\"; };\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n",
		      "gw.conf:1: interface.name: missing (required)");
}

static void test_ports(void **state)
{
	(void)state;
	EXPECT_ERRORS("interface = { name = \"wg0\"; private_key = \"" GW_PRIV "\"; };\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\",\n"
		      "  \"192.0.2.1\", \"192.0.2.1/25\", \"192.0.2.300/24\"];\n"
		      "  gateway = \"198.51.100.254\"; };\n"
		      "wan = { port = 1; address = []; gateway = \"198.51.100\"; };\n",
		      "gw.conf:3: lan.address[1]: '192.0.2.1' is not a valid address/prefix length",
		      "gw.conf:3: lan.address[2]: '192.0.2.1/25' repeats lan.address[0]",
		      "gw.conf:3: lan.address[3]: '192.0.2.300/24' is not a valid address/prefix length",
		      "gw.conf:4: lan.gateway: '198.51.100.254' is not on a subnet of lan.address",
		      "gw.conf:5: wan.address: needs at least one address",
		      "gw.conf:5: wan.gateway: '198.51.100' is not a valid address");
}

static void test_duplicate_prefix_last_wins(void **state)
{
	struct wg_config cfg;
	struct wg_diag diag;
	char buf[WG_PREFIX_STR_LEN];

	(void)state;
	expect_ok(HEAD "peers = (\n"
		       "  { public_key = \"" P1_PUB "\";\n"
		       "    allowed_ips = [\"203.0.113.0/24\", \"2001:db8:b::/48\",\n"
		       "                   \"198.51.100.128/25\"]; },\n"
		       "  { public_key = \"" P2_PUB "\";\n"
		       "    allowed_ips = [\"203.0.113.0/24\",\n"
		       "                   \"2001:db8:c::/48\", \"2001:db8:c::/48\"]; }\n"
		       ");\n",
		  &cfg, &diag);
	assert_int_equal(diag.n_warnings, 2);
	assert_string_equal(diag.warnings[0],
			    "gw.conf:13: warning: peers[1].allowed_ips[0]: 203.0.113.0/24 is also in "
			    "peers[0].allowed_ips[0] (line 10); the later peers[1] takes it, as in WireGuard");
	assert_string_equal(diag.warnings[1],
			    "gw.conf:14: warning: peers[1].allowed_ips[2]: 2001:db8:c::/48 is listed twice "
			    "(also allowed_ips[1], line 14)");
	/* the struct says what WireGuard would do */
	assert_int_equal(cfg.peers[0].n_allowed_ips, 2);
	assert_string_equal(wg_prefix_format(buf, &cfg.peers[0].allowed_ips[0]),
			    "2001:db8:b::/48");
	assert_string_equal(wg_prefix_format(buf, &cfg.peers[0].allowed_ips[1]),
			    "198.51.100.128/25");
	assert_int_equal(cfg.peers[1].n_allowed_ips, 2);
	assert_string_equal(wg_prefix_format(buf, &cfg.peers[1].allowed_ips[0]),
			    "203.0.113.0/24");
	assert_string_equal(wg_prefix_format(buf, &cfg.peers[1].allowed_ips[1]),
			    "2001:db8:c::/48");
	wg_config_free(&cfg);
	wg_diag_free(&diag);
}

static void test_host_bits_masked(void **state)
{
	struct wg_config cfg;
	struct wg_diag diag;
	char buf[WG_PREFIX_STR_LEN];

	(void)state;
	expect_ok(HEAD "peers = ( { public_key = \"" P1_PUB "\";\n"
		       "  allowed_ips = [\"203.0.113.7/24\"]; } );\n",
		  &cfg, &diag);
	assert_int_equal(diag.n_warnings, 1);
	assert_string_equal(diag.warnings[0],
			    "gw.conf:9: warning: peers[0].allowed_ips[0]: '203.0.113.7/24' has host bits set; using 203.0.113.0/24");
	assert_string_equal(wg_prefix_format(buf, &cfg.peers[0].allowed_ips[0]),
			    "203.0.113.0/24");
	wg_config_free(&cfg);
	wg_diag_free(&diag);
}

/* HEAD with interface.max_peers on line 4 (same line count). */
#define HEAD_MAX(n)                                            \
	"interface = {\n"                                      \
	"  name = \"wg0\";\n"                                  \
	"  private_key = \"" GW_PRIV "\";\n"                   \
	"  listen_port = 51820; max_peers = " #n ";\n"         \
	"};\n"                                                 \
	"lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n" \
	"wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"

/* big.conf: head, then n peers with random keys and an IPv6 /64 each,
 * one per line from line 9. */
static void write_peers(const char *head, unsigned int n)
{
	FILE *f = fopen("big.conf", "w");

	assert_non_null(f);
	fputs(head, f);
	fputs("peers = (\n", f);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t key[WG_KEY_LEN];
		char b64[WG_KEY_B64_LEN + 1];

		wg_random(key, sizeof(key));
		key_b64(b64, key);
		fprintf(f,
			"  { public_key = \"%s\"; allowed_ips = [\"2001:db8:%x:%x::/64\"]; }%s\n",
			b64, i >> 16, i & 0xffff, i + 1 < n ? "," : "");
	}
	fputs(");\n", f);
	assert_int_equal(fclose(f), 0);
}

/* A large deployment: 100,000 peers with an IPv6 /64 each. */
static void test_many_peers(void **state)
{
	enum { N = 100000 };
	struct wg_config cfg;
	struct wg_diag diag;
	struct timespec t0, t1;

	(void)state;
	write_peers(HEAD_MAX(100000), N);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wg_diag_init(&diag);
	if (wg_config_load("big.conf", &cfg, &diag) != 0) {
		wg_diag_print(&diag, stdout);
		fail_msg("big.conf does not load");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* printed, never asserted: timing belongs in perf/ */
	printf("# loaded %d peers in %.2f s\n", N,
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	assert_int_equal(cfg.n_peers, N);
	assert_int_equal(cfg.interface.max_peers, N);
	assert_int_equal(cfg.peers[N - 1].n_allowed_ips, 1);
	assert_int_equal(cfg.peers[N - 1].line, 8 + N);
	wg_config_free(&cfg);
	wg_diag_free(&diag);
	unlink("big.conf");
}

/* interface.max_peers: the default, its bounds, and a file with more
 * peers than it allows (named at the first one too many). */
static void test_max_peers(void **state)
{
	struct wg_config cfg;
	struct wg_diag diag;

	(void)state;
	expect_ok(HEAD, &cfg, &diag);
	assert_int_equal(cfg.interface.max_peers, WG_DEFAULT_MAX_PEERS);
	assert_false(cfg.interface.has_max_peers);
	wg_config_free(&cfg);
	wg_diag_free(&diag);

	expect_ok(HEAD_MAX(2) "peers = ( { public_key = \"" P1_PUB "\"; },\n"
		  "  { public_key = \"" P2_PUB "\"; } );\n",
		  &cfg, &diag);
	assert_int_equal(cfg.interface.max_peers, 2);
	assert_true(cfg.interface.has_max_peers);
	assert_int_equal(cfg.n_peers, 2);
	wg_config_free(&cfg);
	wg_diag_free(&diag);

	EXPECT_ERRORS(HEAD_MAX(1) "peers = (\n"
		      "  { public_key = \"" P1_PUB "\"; },\n"
		      "  { public_key = \"" P2_PUB "\"; }\n"
		      ");\n",
		      "gw.conf:10: peers[1]: 2 peers, more than interface.max_peers = 1 (line 4)");
	EXPECT_ERRORS(HEAD_MAX(0),
		      "gw.conf:4: interface.max_peers: 0 is out of range 1..1048576");
	EXPECT_ERRORS(HEAD_MAX(1048577),
		      "gw.conf:4: interface.max_peers: 1048577 is out of range 1..1048576");

	/* one more than the default, without max_peers in the file */
	write_peers(HEAD, WG_DEFAULT_MAX_PEERS + 1);
	EXPECT_FILE_ERRORS("big.conf",
			   "big.conf:16393: peers[16384]: 16385 peers, more than interface.max_peers = 16384 (the default)");
	unlink("big.conf");
}

/* The test-only `testing` group: zero by default, values as written, a
 * warning when present, errors for unknown knobs and out-of-range values. */
static void test_testing_knobs(void **state)
{
	struct wg_config cfg;
	struct wg_diag diag;

	(void)state;
	expect_ok(HEAD, &cfg, &diag);
	assert_false(cfg.testing.has_testing);
	assert_true(cfg.interface.mss_clamp);
	assert_int_equal(cfg.testing.rekey_after_time, 0);
	assert_int_equal(cfg.testing.stats_interval, 0);
	wg_config_free(&cfg);
	wg_diag_free(&diag);

	expect_ok(HEAD "testing = { rekey_after_time = 5; reject_after_time = 12;\n"
		  "  rekey_attempt_time = 20; rekey_timeout = 1;\n"
		  "  keepalive_timeout = 2; handshake_cost_us = 1000;\n"
		  "  stats_interval = 1; };\n",
		  &cfg, &diag);
	assert_true(cfg.testing.has_testing);
	assert_int_equal(cfg.testing.rekey_after_time, 5);
	assert_int_equal(cfg.testing.reject_after_time, 12);
	assert_int_equal(cfg.testing.rekey_attempt_time, 20);
	assert_int_equal(cfg.testing.rekey_timeout, 1);
	assert_int_equal(cfg.testing.keepalive_timeout, 2);
	assert_int_equal(cfg.testing.handshake_cost_us, 1000);
	assert_int_equal(cfg.testing.stats_interval, 1);
	assert_int_equal(diag.n_warnings, 1);
	assert_non_null(strstr(diag.warnings[0], "testing: test-only"));
	wg_config_free(&cfg);
	wg_diag_free(&diag);

	expect_ok("interface = { name = \"wg0\"; private_key = \"" GW_PRIV "\";\n"
		  "  mss_clamp = false; };\n"
		  "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		  "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n",
		  &cfg, &diag);
	assert_false(cfg.interface.mss_clamp);
	wg_config_free(&cfg);
	wg_diag_free(&diag);
	EXPECT_ERRORS("interface = { name = \"wg0\"; private_key = \"" GW_PRIV "\";\n"
		      "  mss_clamp = 1; };\n"
		      "lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		      "wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n",
		      "gw.conf:2: interface.mss_clamp: must be true or false, not an integer");

	EXPECT_ERRORS(HEAD "testing = { rekey_after_time = -1; rekey_timout = 1;\n"
		      "  stats_interval = \"1\"; };\n",
		      "gw.conf:8: testing.rekey_timout: unknown setting",
		      "gw.conf:8: testing.rekey_after_time: -1 is out of range 0..86400",
		      "gw.conf:9: testing.stats_interval: must be an integer, not a string");
}

/* metrics: the default listens on 127.0.0.1:9586 with per-peer series;
 * "" turns it off; IPv6 works; anything else is a FILE:LINE error. */
static void test_metrics(void **state)
{
	struct wg_config cfg;
	struct wg_diag diag;
	char buf[WG_ENDPOINT_STR_LEN];

	(void)state;
	expect_ok(HEAD, &cfg, &diag);
	assert_true(cfg.metrics.enabled);
	assert_true(cfg.metrics.per_peer);
	assert_string_equal(wg_endpoint_format(buf, &cfg.metrics.listen),
			    "127.0.0.1:9586");
	wg_config_free(&cfg);
	wg_diag_free(&diag);

	expect_ok(HEAD "metrics = { listen = \"[2001:db8::1]:9100\"; per_peer = false; };\n",
		  &cfg, &diag);
	assert_true(cfg.metrics.enabled);
	assert_false(cfg.metrics.per_peer);
	assert_int_equal(cfg.metrics.listen.family, WG_FAMILY_V6);
	assert_int_equal(cfg.metrics.listen.port, 9100);
	wg_config_free(&cfg);
	wg_diag_free(&diag);

	expect_ok(HEAD "metrics = { listen = \"\"; };\n", &cfg, &diag);
	assert_false(cfg.metrics.enabled);
	assert_true(cfg.metrics.per_peer);
	wg_config_free(&cfg);
	wg_diag_free(&diag);

	EXPECT_ERRORS(HEAD "metrics = { listen = \"127.0.0.1\";\n"
		      "  per_peer = 1; port = 2; };\n",
		      "gw.conf:9: metrics.port: unknown setting",
		      "gw.conf:8: metrics.listen: '127.0.0.1' is not an address to listen on (IPv4:PORT or [IPv6]:PORT, port 1..65535; \"\" turns metrics off)",
		      "gw.conf:9: metrics.per_peer: must be true or false, not an integer");
	EXPECT_ERRORS(HEAD "metrics = { listen = 9586; };\n",
		      "gw.conf:8: metrics.listen: must be a string, not an integer");
	EXPECT_ERRORS(HEAD "metrics = { listen = \"127.0.0.1:0\"; };\n",
		      "gw.conf:8: metrics.listen: '127.0.0.1:0' is not an address to listen on (IPv4:PORT or [IPv6]:PORT, port 1..65535; \"\" turns metrics off)");
	EXPECT_ERRORS(HEAD "metrics = \"on\";\n",
		      "gw.conf:8: metrics: must be a group { ... }, not a string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_parses),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_mtu),
		cmocka_unit_test(test_interface_name),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_duplicate_prefix_last_wins),
		cmocka_unit_test(test_host_bits_masked),
		cmocka_unit_test(test_many_peers),
		cmocka_unit_test(test_max_peers),
		cmocka_unit_test(test_testing_knobs),
		cmocka_unit_test(test_metrics),
	};

	if (wg_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
