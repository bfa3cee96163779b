/* SPDX-License-Identifier: MIT */
/* MSS clamping (gw_mss.h): the option found wherever it sits among other
 * options, the checksum kept right (checked against a full recomputation)
 * for even and odd offsets, IPv4 and IPv6, and what must be left alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gw_mss.h"

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

/* The TCP checksum of the packet as it should be. */
static uint16_t tcp_csum(const uint8_t *ip, size_t len)
{
	uint8_t pseudo[40];
	size_t hl, pl;
	uint32_t s;
	uint8_t tcp[256];

	if (ip[0] >> 4 == 4) {
		hl = 20;
		memcpy(pseudo, ip + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = 6;
		pseudo[10] = (uint8_t)((len - hl) >> 8);
		pseudo[11] = (uint8_t)(len - hl);
		pl = 12;
	} else {
		hl = 40;
		memcpy(pseudo, ip + 8, 32);
		memset(pseudo + 32, 0, 8);
		pseudo[34] = (uint8_t)((len - hl) >> 8);
		pseudo[35] = (uint8_t)(len - hl);
		pseudo[39] = 6;
		pl = 40;
	}
	memcpy(tcp, ip + hl, len - hl);
	tcp[16] = tcp[17] = 0;
	s = sum16(tcp, len - hl, sum16(pseudo, pl, 0));
	return (uint16_t)~gw_csum_fold(s);
}

/* A SYN with the given options (padded to 4 bytes with end-of-list). */
static size_t syn(uint8_t *ip, int v6, const uint8_t *opt, size_t optlen,
		  uint8_t flags)
{
	size_t hl = v6 ? 40 : 20, olen = (optlen + 3) & ~(size_t)3,
	       len = hl + 20 + olen;
	uint8_t *tcp = ip + hl;
	uint16_t c;

	memset(ip, 0, len);
	if (v6) {
		ip[0] = 0x60;
		ip[4] = (uint8_t)((len - 40) >> 8);
		ip[5] = (uint8_t)(len - 40);
		ip[6] = 6;
		ip[7] = 64;
		ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8;
		ip[23] = 2;
		ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8;
		ip[39] = 1;
	} else {
		ip[0] = 0x45;
		ip[2] = (uint8_t)(len >> 8);
		ip[3] = (uint8_t)len;
		ip[6] = 0x40;
		ip[8] = 64;
		ip[9] = 6;
		ip[12] = 192, ip[13] = 0, ip[14] = 2, ip[15] = 2;
		ip[16] = 203, ip[17] = 0, ip[18] = 113, ip[19] = 1;
	}
	tcp[0] = 0x9c, tcp[1] = 0x40, tcp[3] = 80;
	tcp[4] = 0x12, tcp[5] = 0x34, tcp[6] = 0x56, tcp[7] = 0x78;
	tcp[12] = (uint8_t)((20 + olen) / 4 << 4);
	tcp[13] = flags;
	tcp[14] = 0xff, tcp[15] = 0xff;
	memcpy(tcp + 20, opt, optlen);
	c = tcp_csum(ip, len);
	tcp[16] = (uint8_t)(c >> 8);
	tcp[17] = (uint8_t)c;
	return len;
}

static uint16_t mss_at(const uint8_t *ip, size_t off)
{
	return (uint16_t)(ip[off] << 8 | ip[off + 1]);
}

static void test_layouts(void **state)
{
	/* MSS first (even offset), after one NOP (odd), after SACK-permitted
	 * and a NOP (odd), after a timestamp (even) */
	static const struct {
		uint8_t opt[24];
		size_t len, mss_off; /* from the TCP header */
	} cases[] = {
		{ { 2, 4, 0x05, 0xb4 }, 4, 22 },
		{ { 1, 2, 4, 0x05, 0xb4 }, 5, 23 },
		{ { 4, 2, 1, 2, 4, 0x05, 0xb4 }, 7, 25 },
		{ { 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 2, 4, 0x05, 0xb4 }, 14, 32 },
		{ { 1, 1, 1, 2, 4, 0xff, 0xff, 1, 3, 3, 7 }, 11, 25 },
	};
	uint8_t ip[128];

	(void)state;
	for (int v6 = 0; v6 <= 1; v6++) {
		size_t hl = v6 ? 40 : 20;
		uint16_t max = v6 ? 1220 : 1240;

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			size_t len = syn(ip, v6, cases[i].opt, cases[i].len,
					 0x02);
			uint16_t c;

			assert_true(gw_mss_clamp(ip, (uint32_t)len, 1240, 1220));
			assert_int_equal(mss_at(ip, hl + cases[i].mss_off), max);
			c = tcp_csum(ip, len);
			assert_int_equal(mss_at(ip, hl + 16), c);
			/* clamping again changes nothing */
			assert_false(gw_mss_clamp(ip, (uint32_t)len, 1240, 1220));
		}
	}
}

static void test_left_alone(void **state)
{
	static const uint8_t mss1460[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t mss1000[] = { 2, 4, 0x03, 0xe8 };
	static const uint8_t broken[] = { 1, 2, 9, 0, 0 }; /* length 9 runs off */
	uint8_t ip[128], copy[128];
	size_t len;

	(void)state;
	/* not a SYN */
	len = syn(ip, 0, mss1460, 4, 0x10);
	memcpy(copy, ip, len);
	assert_false(gw_mss_clamp(ip, (uint32_t)len, 1240, 1220));
	assert_memory_equal(ip, copy, len);
	/* SYN-ACK is clamped too */
	len = syn(ip, 0, mss1460, 4, 0x12);
	assert_true(gw_mss_clamp(ip, (uint32_t)len, 1240, 1220));
	/* already small */
	len = syn(ip, 0, mss1000, 4, 0x02);
	assert_false(gw_mss_clamp(ip, (uint32_t)len, 1240, 1220));
	/* clamping off for the family */
	len = syn(ip, 0, mss1460, 4, 0x02);
	assert_false(gw_mss_clamp(ip, (uint32_t)len, 0, 1220));
	len = syn(ip, 1, mss1460, 4, 0x02);
	assert_false(gw_mss_clamp(ip, (uint32_t)len, 1240, 0));
	/* malformed options, truncated packets, fragments, not TCP */
	len = syn(ip, 0, broken, sizeof(broken), 0x02);
	memcpy(copy, ip, len);
	assert_false(gw_mss_clamp(ip, (uint32_t)len, 1240, 1220));
	assert_memory_equal(ip, copy, len);
	len = syn(ip, 0, mss1460, 4, 0x02);
	assert_false(gw_mss_clamp(ip, (uint32_t)len - 5, 1240, 1220));
	assert_false(gw_mss_clamp(ip, 30, 1240, 1220));
	ip[7] = 1; /* fragment offset 8 */
	assert_false(gw_mss_clamp(ip, (uint32_t)len, 1240, 1220));
	ip[7] = 0;
	ip[9] = 17;
	assert_false(gw_mss_clamp(ip, (uint32_t)len, 1240, 1220));
	ip[0] = 0x55;
	assert_false(gw_mss_clamp(ip, (uint32_t)len, 1240, 1220));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_left_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
