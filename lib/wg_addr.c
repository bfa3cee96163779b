/* SPDX-License-Identifier: MIT */
/* Text forms of addresses, prefixes and endpoints (see wg_addr.h). */
#include "wg_addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Strict decimal: 1..5 digits, no sign, no leading zero (except "0"), at
 * most max. Strictness keeps one text per value, which keeps round trips
 * and duplicate detection honest. */
static bool parse_decimal(const char *s, unsigned int max, unsigned int *out)
{
	unsigned int v = 0;
	size_t n = 0;

	if (s[0] == '0' && s[1] != '\0')
		return false;
	for (; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 5)
			return false;
		v = v * 10 + (unsigned int)(s[n] - '0');
	}
	if (n == 0 || v > max)
		return false;
	*out = v;
	return true;
}

/* Parse len bytes of text as an address; the family follows from the
 * presence of ':' (inet_pton itself is strict about the rest). */
static bool parse_ip_n(struct wg_ip *out, const char *text, size_t len)
{
	char buf[WG_IP_STR_LEN];
	struct wg_ip ip = { 0 };

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (memchr(buf, ':', len)) {
		ip.family = WG_FAMILY_V6;
		if (inet_pton(AF_INET6, buf, ip.addr) != 1)
			return false;
	} else {
		ip.family = WG_FAMILY_V4;
		if (inet_pton(AF_INET, buf, ip.addr) != 1)
			return false;
	}
	*out = ip;
	return true;
}

bool wg_ip_parse(struct wg_ip *out, const char *text)
{
	if (!text)
		return false;
	return parse_ip_n(out, text, strlen(text));
}

/* "ADDR/LEN" with the host bits as written. */
static bool parse_prefix_raw(struct wg_prefix *out, const char *text)
{
	const char *slash;
	struct wg_ip ip;
	unsigned int cidr;

	if (!text)
		return false;
	slash = strchr(text, '/');
	if (!slash || !parse_ip_n(&ip, text, (size_t)(slash - text)))
		return false;
	if (!parse_decimal(slash + 1, wg_family_bits(ip.family), &cidr))
		return false;
	out->family = ip.family;
	out->cidr = (uint8_t)cidr;
	memcpy(out->addr, ip.addr, WG_ADDR_LEN);
	return true;
}

bool wg_prefix_mask(struct wg_prefix *p)
{
	unsigned int bits = wg_family_bits(p->family);
	bool had = false;

	for (unsigned int i = 0; i < WG_ADDR_LEN; i++) {
		unsigned int first = i * 8; /* first bit of this byte */
		uint8_t keep;

		if (first >= bits || p->cidr <= first)
			keep = 0;
		else if (p->cidr >= first + 8)
			keep = 0xff;
		else
			keep = (uint8_t)(0xff << (8 - (p->cidr - first)));
		if (p->addr[i] & ~keep)
			had = true;
		p->addr[i] &= keep;
	}
	return had;
}

bool wg_prefix_parse(struct wg_prefix *out, const char *text, bool *masked)
{
	struct wg_prefix p;
	bool had;

	if (!parse_prefix_raw(&p, text))
		return false;
	had = wg_prefix_mask(&p);
	if (masked)
		*masked = had;
	*out = p;
	return true;
}

bool wg_ifaddr_parse(struct wg_prefix *out, const char *text)
{
	static const uint8_t zero[WG_ADDR_LEN];
	struct wg_prefix p;

	if (!parse_prefix_raw(&p, text))
		return false;
	if (memcmp(p.addr, zero, WG_ADDR_LEN) == 0)
		return false;
	*out = p;
	return true;
}

bool wg_endpoint_parse(struct wg_endpoint *out, const char *text)
{
	struct wg_endpoint ep = { 0 };
	struct wg_ip ip;
	const char *colon;
	unsigned int port;

	if (!text)
		return false;
	if (text[0] == '[') {
		/* "[v6]:port": brackets only around IPv6, as in URLs */
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':' ||
		    !parse_ip_n(&ip, text + 1, (size_t)(close - text - 1)) ||
		    ip.family != WG_FAMILY_V6)
			return false;
		colon = close + 1;
	} else {
		/* "v4:port": exactly one ':' (bare IPv6 would be ambiguous) */
		colon = strchr(text, ':');
		if (!colon || strchr(colon + 1, ':') ||
		    !parse_ip_n(&ip, text, (size_t)(colon - text)) ||
		    ip.family != WG_FAMILY_V4)
			return false;
	}
	if (!parse_decimal(colon + 1, 65535, &port) || port == 0)
		return false;
	ep.family = ip.family;
	memcpy(ep.addr, ip.addr, WG_ADDR_LEN);
	ep.port = (uint16_t)port;
	*out = ep;
	return true;
}

static void format_addr(char *buf, size_t len, uint8_t family,
			const uint8_t *addr)
{
	int af = family == WG_FAMILY_V6 ? AF_INET6 : AF_INET;

	if (wg_family_bits(family) == 0 || !inet_ntop(af, addr, buf,
						       (socklen_t)len))
		snprintf(buf, len, "(none)");
}

char *wg_ip_format(char buf[WG_IP_STR_LEN], const struct wg_ip *ip)
{
	format_addr(buf, WG_IP_STR_LEN, ip->family, ip->addr);
	return buf;
}

char *wg_prefix_format(char buf[WG_PREFIX_STR_LEN], const struct wg_prefix *p)
{
	char a[WG_IP_STR_LEN];

	format_addr(a, sizeof(a), p->family, p->addr);
	snprintf(buf, WG_PREFIX_STR_LEN, "%s/%u", a, p->cidr);
	return buf;
}

char *wg_endpoint_format(char buf[WG_ENDPOINT_STR_LEN],
			 const struct wg_endpoint *ep)
{
	char a[WG_IP_STR_LEN];

	format_addr(a, sizeof(a), ep->family, ep->addr);
	if (ep->family == WG_FAMILY_V6)
		snprintf(buf, WG_ENDPOINT_STR_LEN, "[%s]:%u", a, ep->port);
	else
		snprintf(buf, WG_ENDPOINT_STR_LEN, "%s:%u", a, ep->port);
	return buf;
}

bool wg_prefix_equal(const struct wg_prefix *a, const struct wg_prefix *b)
{
	return a->family == b->family && a->cidr == b->cidr &&
	       memcmp(a->addr, b->addr, WG_ADDR_LEN) == 0;
}

bool wg_prefix_contains(const struct wg_prefix *p, uint8_t family,
			const uint8_t addr[WG_ADDR_LEN])
{
	struct wg_prefix net = *p, host = *p;

	if (p->family != family)
		return false;
	memcpy(host.addr, addr, WG_ADDR_LEN);
	wg_prefix_mask(&net);
	wg_prefix_mask(&host);
	return memcmp(net.addr, host.addr, WG_ADDR_LEN) == 0;
}
