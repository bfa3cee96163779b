/* SPDX-License-Identifier: MIT */
/*
 * How many ICMP echo requests to our own addresses get a reply: per source
 * (IPv4 address or IPv6 /64, lib/wg_ratelimit: WG_RATELIMIT_PER_SECOND
 * a second after a burst of WG_RATELIMIT_BURST, as for ICMP errors) and
 * over all sources (GW_ECHO_PER_SECOND after a burst of GW_ECHO_BURST,
 * Linux's icmp_msgs_per_sec and icmp_msgs_burst), so that neither one
 * pinger nor a flood from many spoofed sources makes the control lcore a
 * reflector. Times are monotonic ns passed in; the control lcore owns it.
 */
#ifndef GW_ECHO_LIMIT_H
#define GW_ECHO_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "wg_ratelimit.h"

enum gw_echo_limits {
	GW_ECHO_PER_SECOND = 1000,
	GW_ECHO_BURST = 50,
	GW_ECHO_SOURCES = 1024,       /* per-source table size */
};

struct gw_echo_limit {
	struct wg_ratelimit per_source;
	uint64_t tokens_ns;           /* global bucket, ns worth of replies */
	uint64_t last_ns;
};

/* Returns 0, or -1 when out of memory. */
int gw_echo_limit_init(struct gw_echo_limit *l);
void gw_echo_limit_free(struct gw_echo_limit *l);
/* One more reply to src (4 or 16 bytes by family) now? Takes a token of
 * both buckets when it says yes, none when it says no. */
bool gw_echo_limit_allow(struct gw_echo_limit *l, uint8_t family,
			 const uint8_t *src, uint64_t now);

#endif /* GW_ECHO_LIMIT_H */
