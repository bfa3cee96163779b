/* SPDX-License-Identifier: MIT */
/*
 * IP addresses, prefixes and UDP endpoints as text, shared by the config
 * loader and the UAPI. Addresses are kept in network byte order in a
 * 16-byte array whatever the family (IPv4 uses the first 4 bytes, the rest
 * is zero), so that two values compare with memcmp.
 *
 * Three textual forms, three parsers:
 *   prefix      "203.0.113.0/24", "2001:db8:b::/48"   (AllowedIPs)
 *               Host bits are masked off, as `wg` and the kernel do:
 *               "203.0.113.7/24" means 203.0.113.0/24. The parser tells
 *               the caller when it did so, so that it may warn.
 *   ifaddr      "192.0.2.1/24"                         (port addresses)
 *               An address on a subnet: host bits are the point, kept.
 *   endpoint    "198.51.100.2:51820", "[2001:db8::2]:51820"
 *               Numeric only (no DNS on the control path); port 1..65535.
 * All parsers are strict: no whitespace, no leading '+', no zone ids, a
 * prefix length in decimal without leading zeros.
 */
#ifndef WG_ADDR_H
#define WG_ADDR_H

#include <stdbool.h>
#include <stdint.h>

enum wg_family {
	WG_FAMILY_NONE = 0,
	WG_FAMILY_V4 = 4,
	WG_FAMILY_V6 = 6,
};

enum wg_addr_limits {
	WG_ADDR_LEN = 16,
	/* longest text of each form, with the NUL:
	 * IPv6 45 (IPv4-mapped) + "/128" -> 50; "[" 45 "]:65535" -> 54 */
	WG_IP_STR_LEN = 46,
	WG_PREFIX_STR_LEN = 50,
	WG_ENDPOINT_STR_LEN = 54,
};

/* A bare address (e.g. a next-hop gateway). */
struct wg_ip {
	uint8_t family; /* enum wg_family */
	uint8_t addr[WG_ADDR_LEN];
};

/* An address with a prefix length: an AllowedIPs entry (host bits zero)
 * or an interface address (host bits kept). */
struct wg_prefix {
	uint8_t family; /* enum wg_family */
	uint8_t cidr;   /* 0..32 for IPv4, 0..128 for IPv6 */
	uint8_t addr[WG_ADDR_LEN];
};

struct wg_endpoint {
	uint8_t family; /* enum wg_family */
	uint8_t addr[WG_ADDR_LEN];
	uint16_t port; /* host byte order */
};

/* Address bits of a family: 32 or 128, 0 for anything else. */
static inline unsigned int wg_family_bits(uint8_t family)
{
	return family == WG_FAMILY_V4 ? 32 : family == WG_FAMILY_V6 ? 128 : 0;
}

bool wg_ip_parse(struct wg_ip *out, const char *text);

/* AllowedIPs form. On success *masked (may be NULL) says whether host bits
 * were set in the text and have been cleared. */
bool wg_prefix_parse(struct wg_prefix *out, const char *text, bool *masked);

/* Interface address form: host bits kept. The unspecified address
 * (0.0.0.0, ::) is rejected: it cannot be an interface's address. */
bool wg_ifaddr_parse(struct wg_prefix *out, const char *text);

bool wg_endpoint_parse(struct wg_endpoint *out, const char *text);

/* Formatting: canonical text (inet_ntop), the buffer is returned. */
char *wg_ip_format(char buf[WG_IP_STR_LEN], const struct wg_ip *ip);
char *wg_prefix_format(char buf[WG_PREFIX_STR_LEN], const struct wg_prefix *p);
char *wg_endpoint_format(char buf[WG_ENDPOINT_STR_LEN],
			 const struct wg_endpoint *ep);

/* Clear the bits after p->cidr; returns true if any was set. */
bool wg_prefix_mask(struct wg_prefix *p);

/* Same family, length and address bytes. */
bool wg_prefix_equal(const struct wg_prefix *a, const struct wg_prefix *b);

/* Whether addr (of family) lies inside p's subnet (host bits of p are
 * ignored, so an interface address works as the subnet it is on). */
bool wg_prefix_contains(const struct wg_prefix *p, uint8_t family,
			const uint8_t addr[WG_ADDR_LEN]);

#endif /* WG_ADDR_H */
