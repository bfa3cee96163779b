/* SPDX-License-Identifier: MIT */
/*
 * TCP MSS clamping for packets entering or leaving the tunnel: a SYN whose
 * MSS option promises more than fits in the tunnel's MTU gets it lowered
 * (mtu - 40 for IPv4, mtu - 60 for IPv6), so that TCP never depends on
 * ICMP "too big" getting through. Only SYNs are looked at; the checksum is
 * updated incrementally (RFC 1624), so a packet that arrived with a bad
 * checksum still has one.
 */
#ifndef GW_MSS_H
#define GW_MSS_H

#include <stdbool.h>
#include <stdint.h>

#include <netinet/in.h>

/* Fold a 32-bit one's-complement sum to 16 bits. */
static inline uint16_t gw_csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/*
 * ip: an IPv4 or IPv6 packet of len bytes (contiguous). mss4 / mss6: the
 * largest MSS allowed, 0 to leave that family alone. Returns true when it
 * lowered an MSS option.
 */
static inline bool gw_mss_clamp(uint8_t *ip, uint32_t len, uint16_t mss4,
				uint16_t mss6)
{
	uint32_t hl, doff, o;
	uint16_t max;
	uint8_t *tcp;

	if (ip[0] >> 4 == 4) {
		hl = (ip[0] & 0xfu) * 4;
		/* TCP, and the first fragment (which carries the header) */
		if (!mss4 || ip[9] != IPPROTO_TCP || hl < 20 ||
		    ((ip[6] & 0x1f) | ip[7]) != 0)
			return false;
		max = mss4;
	} else if (ip[0] >> 4 == 6) {
		hl = 40;
		if (!mss6 || ip[6] != IPPROTO_TCP)
			return false;
		max = mss6;
	} else {
		return false;
	}
	if (len < hl + 20)
		return false;
	tcp = ip + hl;
	if (!(tcp[13] & 0x02)) /* SYN */
		return false;
	doff = (tcp[12] >> 4) * 4u;
	if (doff < 20 || hl + doff > len)
		return false;
	for (o = 20; o < doff;) {
		uint8_t kind = tcp[o], olen;

		if (kind == 0) /* end of options */
			break;
		if (kind == 1) { /* no-op */
			o++;
			continue;
		}
		if (o + 1 >= doff)
			break;
		olen = tcp[o + 1];
		if (olen < 2 || o + olen > doff)
			break;
		if (kind == 2 && olen == 4) {
			uint16_t old = (uint16_t)(tcp[o + 2] << 8 | tcp[o + 3]);
			uint16_t m, n, hc;

			if (old <= max)
				return false;
			tcp[o + 2] = (uint8_t)(max >> 8);
			tcp[o + 3] = (uint8_t)max;
			/* the option's value starts at an even or an odd
			 * offset of the 16-bit words the checksum sums */
			m = (o + 2) % 2 ? (uint16_t)(old << 8 | old >> 8) : old;
			n = (o + 2) % 2 ? (uint16_t)(max << 8 | max >> 8) : max;
			hc = (uint16_t)(tcp[16] << 8 | tcp[17]);
			/* HC' = ~(~HC + ~m + m') */
			hc = (uint16_t)~gw_csum_fold((uint32_t)(uint16_t)~hc +
						     (uint16_t)~m + n);
			tcp[16] = (uint8_t)(hc >> 8);
			tcp[17] = (uint8_t)hc;
			return true;
		}
		o += olen;
	}
	return false;
}

#endif /* GW_MSS_H */
