/* SPDX-License-Identifier: MIT */
/*
 * Per-peer policy in the config file: `acls` and peers' `rate_limit` and
 * `acl` parse into the model, each mistake is a FILE:LINE: FIELD: error,
 * and the reference matcher (wg_acl_match) means what the README says:
 * rules in order, the first match wins, no match denies.
 */
#include "test_support.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wg_config.h"
#include "wg_policy.h"

#define GW_PRIV "UJtCbWbjrpG2O7JPJu5v3CHuysExgQM+AXIMhE93KEQ="
#define P1_PUB "V8q9iCSCXtdWZFJL1BZ2NdA+AR9duPoOioNnBWU1/C4="

/* Lines 1..5; what follows starts on line 6. */
#define HEAD                                                          \
	"interface = { name = \"wg0\"; private_key = \"" GW_PRIV "\"; };\n" \
	"lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"        \
	"wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"     \
	"# policy\n"                                                  \
	"\n"

static char tmpdir[] = "/tmp/wg-test-policy.XXXXXX";
static char olddir[4096];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir) || !getcwd(olddir, sizeof(olddir)) ||
	    chdir(tmpdir) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink("gw.conf");
	if (chdir(olddir) != 0)
		return -1;
	return rmdir(tmpdir);
}

static int load(const char *text, struct wg_config *cfg, struct wg_diag *d)
{
	FILE *f = fopen("gw.conf", "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	wg_diag_init(d);
	return wg_config_load("gw.conf", cfg, d);
}

/* The file fails with exactly this one error. */
static void expect_error(const char *text, const char *want)
{
	struct wg_config cfg;
	struct wg_diag d;

	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(load(text, &cfg, &d), -1);
	if (d.n_errors != 1 || strcmp(d.errors[0], want) != 0) {
		wg_diag_print(&d, stdout);
		fail_msg("want exactly: %s", want);
	}
	assert_null(cfg.acls);
	wg_diag_free(&d);
}

static void test_policy_parses(void **state)
{
	const char *text = HEAD
		"acls = ( { name = \"web-only\";\n"                       /* 6 */
		"  rules = ( { action = \"allow\"; proto = \"tcp\"; dst = \"192.0.2.10/32\"; dst_port = \"443\"; },\n"
		"            { action = \"deny\"; proto = 17; src_port = \"1000-2000\"; },\n"
		"            { action = \"allow\"; proto = \"icmpv6\"; dst = \"2001:db8:a::/64\"; },\n"
		"            { action = \"allow\"; proto = \"icmp\"; } ); },\n"
		"  { name = \"none\"; rules = (); } );\n"
		"peers = ( { public_key = \"" P1_PUB "\";\n"
		"  rate_limit = { to_peer_mbit = 50; from_peer_mbit = 20; burst_kbyte = 128; };\n"
		"  acl = \"web-only\"; } );\n";
	struct wg_config cfg;
	struct wg_diag d;
	const struct wg_acl_rule *r;

	(void)state;
	assert_int_equal(load(text, &cfg, &d), 0);
	assert_int_equal(cfg.n_acls, 2);
	assert_string_equal(cfg.acls[0].name, "web-only");
	assert_int_equal(cfg.acls[0].n_rules, 4);
	assert_int_equal(cfg.acls[1].n_rules, 0);
	r = &cfg.acls[0].rules[0];
	assert_int_equal(r->action, WG_ACL_ALLOW);
	assert_int_equal(r->proto, 6);
	assert_int_equal(r->dst.family, WG_FAMILY_V4);
	assert_int_equal(r->dst.cidr, 32);
	assert_int_equal(r->src.family, WG_FAMILY_NONE);
	assert_int_equal(r->dst_port_lo, 443);
	assert_int_equal(r->dst_port_hi, 443);
	assert_int_equal(r->src_port_lo, 0);
	assert_int_equal(r->src_port_hi, 65535);
	assert_int_equal(r->line, 7);
	r = &cfg.acls[0].rules[1];
	assert_int_equal(r->action, WG_ACL_DENY);
	assert_int_equal(r->proto, 17);
	assert_int_equal(r->src_port_lo, 1000);
	assert_int_equal(r->src_port_hi, 2000);
	assert_int_equal(cfg.acls[0].rules[2].proto, 58);
	assert_int_equal(cfg.acls[0].rules[3].proto, 1);
	assert_int_equal(cfg.peers[0].acl, 1);
	assert_true(cfg.peers[0].has_rate_limit);
	assert_int_equal(cfg.peers[0].rate_limit.to_peer_mbit, 50);
	assert_int_equal(cfg.peers[0].rate_limit.from_peer_mbit, 20);
	assert_int_equal(cfg.peers[0].rate_limit.burst_kbyte, 128);
	wg_config_free(&cfg);
	wg_diag_free(&d);
}

static void test_policy_errors(void **state)
{
	(void)state;
	expect_error(HEAD "peers = ( { public_key = \"" P1_PUB "\"; acl = \"web\"; } );\n",
		     "gw.conf:6: peers[0].acl: 'web' names no set of acls");
	expect_error(HEAD "acls = ( { name = \"a\"; rules = ( { action = \"pass\"; } ); } );\n",
		     "gw.conf:6: acls[0].rules[0].action: 'pass' is not \"allow\" or \"deny\"");
	expect_error(HEAD "acls = ( { name = \"a\"; rules = ( { proto = \"tcp\"; } ); } );\n",
		     "gw.conf:6: acls[0].rules[0].action: missing (required: \"allow\" or \"deny\")");
	expect_error(HEAD "acls = ( { name = \"a\"; rules = ( { action = \"allow\"; proto = \"gre\"; } ); } );\n",
		     "gw.conf:6: acls[0].rules[0].proto: 'gre' is not a protocol (tcp, udp, icmp, icmpv6 or a number 0..255)");
	expect_error(HEAD "acls = ( { name = \"a\"; rules = ( { action = \"allow\"; proto = 256; } ); } );\n",
		     "gw.conf:6: acls[0].rules[0].proto: 256 is out of range 0..255");
	expect_error(HEAD "acls = ( { name = \"a\"; rules = ( { action = \"allow\"; dst_port = 443; } ); } );\n",
		     "gw.conf:6: acls[0].rules[0].dst_port: ports need proto \"tcp\" or \"udp\"");
	expect_error(HEAD "acls = ( { name = \"a\"; rules = ( { action = \"allow\"; proto = \"udp\"; dst_port = \"2000-1000\"; } ); } );\n",
		     "gw.conf:6: acls[0].rules[0].dst_port: '2000-1000' is not a port or a range (443, \"443\" or \"1000-2000\", 0..65535, low to high)");
	expect_error(HEAD "acls = ( { name = \"a\"; rules = ( { action = \"allow\"; proto = \"udp\"; src_port = \"70000\"; } ); } );\n",
		     "gw.conf:6: acls[0].rules[0].src_port: '70000' is not a port or a range (443, \"443\" or \"1000-2000\", 0..65535, low to high)");
	expect_error(HEAD "acls = ( { name = \"a\"; rules = ( { action = \"allow\"; src = \"192.0.2.0/24\"; dst = \"2001:db8::/32\"; } ); } );\n",
		     "gw.conf:6: acls[0].rules[0].dst: is IPv6 but src is IPv4");
	expect_error(HEAD "acls = ( { name = \"a\"; rules = ( { action = \"allow\"; proto = \"icmp\"; dst = \"2001:db8::/32\"; } ); } );\n",
		     "gw.conf:6: acls[0].rules[0].proto: icmp is IPv4's; IPv6 prefixes need \"icmpv6\"");
	expect_error(HEAD "acls = ( { name = \"a\"; rules = ( { action = \"allow\"; dst = \"192.0.2.0/33\"; } ); } );\n",
		     "gw.conf:6: acls[0].rules[0].dst: '192.0.2.0/33' is not a valid prefix");
	expect_error(HEAD "acls = ( { name = \"a\"; rules = (); },\n { name = \"a\"; rules = (); } );\n",
		     "gw.conf:7: acls[1].name: 'a' is also the name of acls[0] (line 6)");
	expect_error(HEAD "acls = ( { name = \"a b\"; rules = (); } );\n",
		     "gw.conf:6: acls[0].name: 'a b' is not a name (1..63 of A-Z a-z 0-9 _ . -)");
	expect_error(HEAD "acls = ( { name = \"a\"; } );\n",
		     "gw.conf:6: acls[0].rules: missing (required; an empty list denies everything)");
	expect_error(HEAD "acls = ( { name = \"a\"; rules = ( { action = \"allow\"; port = 1; } ); } );\n",
		     "gw.conf:6: acls[0].rules[0].port: unknown setting");
	expect_error(HEAD "peers = ( { public_key = \"" P1_PUB "\"; rate_limit = { to_peer_mbit = 500000; }; } );\n",
		     "gw.conf:6: peers[0].rate_limit.to_peer_mbit: 500000 is out of range 0..400000");
	expect_error(HEAD "peers = ( { public_key = \"" P1_PUB "\"; rate_limit = { up = 5; }; } );\n",
		     "gw.conf:6: peers[0].rate_limit.up: unknown setting");
	expect_error(HEAD "peers = ( { public_key = \"" P1_PUB "\"; rate_limit = 5; } );\n",
		     "gw.conf:6: peers[0].rate_limit: must be a group { ... }, not an integer");
}

static struct wg_acl_packet pkt4(uint8_t proto, const char *src,
				 const char *dst, uint16_t sport,
				 uint16_t dport)
{
	struct wg_acl_packet p = { .family = WG_FAMILY_V4, .proto = proto,
				   .src_port = sport, .dst_port = dport };

	assert_int_equal(inet_pton(AF_INET, src, p.src), 1);
	assert_int_equal(inet_pton(AF_INET, dst, p.dst), 1);
	return p;
}

static void test_reference_matcher(void **state)
{
	struct wg_acl_rule rules[3] = {
		{ .action = WG_ACL_DENY, .proto = 6, .src_port_hi = 65535,
		  .dst_port_lo = 22, .dst_port_hi = 22 },
		{ .action = WG_ACL_ALLOW, .proto = 6, .src_port_hi = 65535,
		  .dst_port_lo = 1, .dst_port_hi = 1024 },
		{ .action = WG_ACL_ALLOW, .proto = WG_ACL_PROTO_ANY,
		  .src_port_hi = 65535, .dst_port_hi = 65535 },
	};
	struct wg_acl acl = { .name = "t", .rules = rules, .n_rules = 2 };
	struct wg_acl_packet p;
	size_t idx;
	bool masked;

	(void)state;
	assert_true(wg_prefix_parse(&rules[1].dst, "192.0.2.0/25", &masked));
	/* the first match wins: 22 is denied though rule 1 would allow it */
	p = pkt4(6, "203.0.113.5", "192.0.2.10", 40000, 22);
	assert_int_equal(wg_acl_match(&acl, &p, &idx), WG_ACL_DENY);
	assert_int_equal(idx, 0);
	p = pkt4(6, "203.0.113.5", "192.0.2.10", 40000, 443);
	assert_int_equal(wg_acl_match(&acl, &p, &idx), WG_ACL_ALLOW);
	assert_int_equal(idx, 1);
	/* outside the prefix, the port range, or another protocol: no rule */
	p = pkt4(6, "203.0.113.5", "192.0.2.200", 40000, 443);
	assert_int_equal(wg_acl_match(&acl, &p, &idx), WG_ACL_DENY);
	assert_int_equal(idx, 2);
	p = pkt4(6, "203.0.113.5", "192.0.2.10", 40000, 1025);
	assert_int_equal(wg_acl_match(&acl, &p, NULL), WG_ACL_DENY);
	p = pkt4(17, "203.0.113.5", "192.0.2.10", 40000, 443);
	assert_int_equal(wg_acl_match(&acl, &p, NULL), WG_ACL_DENY);
	/* an IPv6 packet never matches an IPv4 prefix */
	p.family = WG_FAMILY_V6;
	p.proto = 6;
	assert_int_equal(wg_acl_match(&acl, &p, &idx), WG_ACL_DENY);
	assert_int_equal(idx, 2);
	/* a rule with nothing but an action matches everything */
	acl.n_rules = 3;
	assert_int_equal(wg_acl_match(&acl, &p, &idx), WG_ACL_ALLOW);
	assert_int_equal(idx, 2);
}

/* config/gateway.conf's policy example loads as its comments say. */
static void test_example_policy(void **state)
{
	const char *dir = getenv("WG_CONFIG_DIR");
	char path[4096];
	struct wg_config cfg;
	struct wg_diag d;

	(void)state;
	assert_non_null(dir); /* set by meson; the tests run in a tmpdir */
	snprintf(path, sizeof(path), "%s/gateway.conf", dir);
	wg_diag_init(&d);
	if (wg_config_load(path, &cfg, &d) != 0) {
		wg_diag_print(&d, stdout);
		fail_msg("%s does not load", path);
	}
	assert_int_equal(cfg.n_acls, 1);
	assert_string_equal(cfg.acls[0].name, "web-only");
	assert_int_equal(cfg.acls[0].n_rules, 4);
	assert_int_equal(cfg.acls[0].rules[0].dst_port_lo, 443);
	assert_int_equal(cfg.acls[0].rules[0].dst_port_hi, 443);
	assert_int_equal(cfg.acls[0].rules[3].proto, 58);
	assert_int_equal(cfg.n_peers, 2);
	assert_false(cfg.peers[0].has_rate_limit);
	assert_int_equal(cfg.peers[0].acl, 0);
	assert_true(cfg.peers[1].has_rate_limit);
	assert_int_equal(cfg.peers[1].rate_limit.to_peer_mbit, 50);
	assert_int_equal(cfg.peers[1].rate_limit.from_peer_mbit, 20);
	assert_int_equal(cfg.peers[1].acl, 1);
	wg_config_free(&cfg);
	wg_diag_free(&d);
}

static void test_burst_default(void **state)
{
	struct wg_rate_limit l = { .to_peer_mbit = 1000 };

	(void)state;
	/* 1 Gbit/s carries 25 MB in 200 ms */
	assert_int_equal(wg_rate_burst_bytes(&l, 1000), 25000000);
	/* 20 Mbit/s: 500 kB */
	assert_int_equal(wg_rate_burst_bytes(&l, 20), 500000);
	/* slow limits still pass a 64 KiB window (2 Mbit/s: 50 kB) */
	assert_int_equal(wg_rate_burst_bytes(&l, 2), 65536);
	l.burst_kbyte = 32;
	assert_int_equal(wg_rate_burst_bytes(&l, 1000), 32768);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_parses),
		cmocka_unit_test(test_policy_errors),
		cmocka_unit_test(test_reference_matcher),
		cmocka_unit_test(test_burst_default),
		cmocka_unit_test(test_example_policy),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
