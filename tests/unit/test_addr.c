/* SPDX-License-Identifier: MIT */
/* Prefix, interface-address and endpoint text forms: what parses, what the
 * canonical text is, and what is rejected. */
#include "test_support.h"

#include <string.h>

#include "wg_addr.h"

static void test_prefix_valid(void **state)
{
	static const struct {
		const char *in, *out;
		uint8_t family, cidr;
		bool masked;
	} cases[] = {
		{ "203.0.113.0/24", "203.0.113.0/24", 4, 24, false },
		{ "203.0.113.7/24", "203.0.113.0/24", 4, 24, true },
		{ "198.51.100.1/32", "198.51.100.1/32", 4, 32, false },
		{ "0.0.0.0/0", "0.0.0.0/0", 4, 0, false },
		{ "192.0.2.255/0", "0.0.0.0/0", 4, 0, true },
		{ "192.0.2.129/25", "192.0.2.128/25", 4, 25, true },
		{ "2001:db8:b::/48", "2001:db8:b::/48", 6, 48, false },
		{ "2001:DB8:b:1::/48", "2001:db8:b::/48", 6, 48, true },
		{ "2001:db8::1/128", "2001:db8::1/128", 6, 128, false },
		{ "::/0", "::/0", 6, 0, false },
		{ "2001:db8::ff/121", "2001:db8::80/121", 6, 121, true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wg_prefix p;
		char buf[WG_PREFIX_STR_LEN];
		bool masked = !cases[i].masked;

		assert_true(wg_prefix_parse(&p, cases[i].in, &masked));
		assert_int_equal(p.family, cases[i].family);
		assert_int_equal(p.cidr, cases[i].cidr);
		assert_int_equal(masked, cases[i].masked);
		assert_string_equal(wg_prefix_format(buf, &p), cases[i].out);
	}
}

static void test_prefix_invalid(void **state)
{
	static const char *bad[] = {
		"",
		"203.0.113.0",       /* no length */
		"203.0.113.0/",
		"203.0.113.0/33",
		"203.0.113.0/-1",
		"203.0.113.0/+24",
		"203.0.113.0/024",   /* one text per value */
		"203.0.113.0/24x",
		"203.0.113.0/24/24",
		" 203.0.113.0/24",
		"203.0.113.0 /24",
		"203.0.113/24",
		"203.0.113.256/24",
		"2001:db8::/129",
		"2001:db8:::/48",
		"2001:db8::g/48",
		"fe80::1%eth0/64",
		"/24",
		"example.com/24",
		"2001:0db8:0000:0000:0000:0000:0000:0000:0000/64", /* too long */
	};
	struct wg_prefix p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (wg_prefix_parse(&p, bad[i], NULL))
			fail_msg("accepted '%s'", bad[i]);
	assert_false(wg_prefix_parse(&p, NULL, NULL));
}

static void test_ifaddr(void **state)
{
	struct wg_prefix p;
	char buf[WG_PREFIX_STR_LEN];

	(void)state;
	assert_true(wg_ifaddr_parse(&p, "192.0.2.1/24"));
	assert_string_equal(wg_prefix_format(buf, &p), "192.0.2.1/24");
	assert_true(wg_ifaddr_parse(&p, "2001:db8:a::1/64"));
	assert_string_equal(wg_prefix_format(buf, &p), "2001:db8:a::1/64");
	assert_true(wg_prefix_contains(&p, WG_FAMILY_V6, p.addr));
	assert_false(wg_ifaddr_parse(&p, "0.0.0.0/0"));
	assert_false(wg_ifaddr_parse(&p, "::/64"));
	assert_false(wg_ifaddr_parse(&p, "192.0.2.1"));
	assert_false(wg_ifaddr_parse(&p, "192.0.2.1/33"));
}

static void test_contains(void **state)
{
	struct wg_prefix p;
	struct wg_ip ip;

	(void)state;
	assert_true(wg_ifaddr_parse(&p, "192.0.2.1/24"));
	assert_true(wg_ip_parse(&ip, "192.0.2.254"));
	assert_true(wg_prefix_contains(&p, ip.family, ip.addr));
	assert_true(wg_ip_parse(&ip, "198.51.100.254"));
	assert_false(wg_prefix_contains(&p, ip.family, ip.addr));
	assert_true(wg_ip_parse(&ip, "2001:db8::1"));
	assert_false(wg_prefix_contains(&p, ip.family, ip.addr));
	assert_true(wg_prefix_parse(&p, "0.0.0.0/0", NULL));
	assert_true(wg_ip_parse(&ip, "203.0.113.9"));
	assert_true(wg_prefix_contains(&p, ip.family, ip.addr));
}

static void test_endpoint(void **state)
{
	static const char *good[][2] = {
		{ "198.51.100.2:51820", "198.51.100.2:51820" },
		{ "198.51.100.2:1", "198.51.100.2:1" },
		{ "[2001:db8::2]:51820", "[2001:db8::2]:51820" },
		{ "[2001:DB8:0::2]:65535", "[2001:db8::2]:65535" },
	};
	static const char *bad[] = {
		"",
		"198.51.100.2",
		"198.51.100.2:",
		"198.51.100.2:0",
		"198.51.100.2:65536",
		"198.51.100.2:051820",
		"198.51.100.2:51820x",
		"198.51.100.2:-1",
		"2001:db8::2:51820",   /* IPv6 needs brackets */
		"[2001:db8::2]",
		"[2001:db8::2]51820",
		"[198.51.100.2]:51820",
		"[2001:db8::2:51820",
		"host.example:51820",
		"198.51.100.2 :51820",
	};
	struct wg_endpoint ep;
	char buf[WG_ENDPOINT_STR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(wg_endpoint_parse(&ep, good[i][0]));
		assert_string_equal(wg_endpoint_format(buf, &ep), good[i][1]);
	}
	assert_true(wg_endpoint_parse(&ep, "198.51.100.2:51820"));
	assert_int_equal(ep.family, WG_FAMILY_V4);
	assert_int_equal(ep.port, 51820);
	assert_int_equal(ep.addr[0], 198);
	assert_int_equal(ep.addr[3], 2);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (wg_endpoint_parse(&ep, bad[i]))
			fail_msg("accepted '%s'", bad[i]);
}

/* Longest texts fit the buffers. */
static void test_format_limits(void **state)
{
	struct wg_endpoint ep;
	struct wg_prefix p;
	char buf[WG_ENDPOINT_STR_LEN], pbuf[WG_PREFIX_STR_LEN];
	const char *ep_text = "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535";
	const char *p_text = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128";

	(void)state;
	assert_true(wg_endpoint_parse(&ep, ep_text));
	assert_string_equal(wg_endpoint_format(buf, &ep),
			    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	assert_true(wg_prefix_parse(&p, p_text, NULL));
	wg_prefix_format(pbuf, &p);
	assert_true(strlen(pbuf) < sizeof(pbuf));
	assert_int_equal(strlen(ep_text) + 1, WG_ENDPOINT_STR_LEN);
	assert_int_equal(strlen(p_text) + 1, WG_PREFIX_STR_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_valid),
		cmocka_unit_test(test_prefix_invalid),
		cmocka_unit_test(test_ifaddr),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_endpoint),
		cmocka_unit_test(test_format_limits),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
