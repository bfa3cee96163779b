/* SPDX-License-Identifier: MIT */
/*
 * Per-peer events in the log (handshake complete, session expired,
 * endpoint changed, gave up) at INFO, named without key material and
 * rate-limited so that no flood of events can fill the log.
 *
 * A peer is named "peer ABCDEFGH": the first 8 base64 characters of its
 * public key (48 of its 256 bits: enough to tell peers apart in `wg show`,
 * nothing secret). One token bucket for all peer events of the gateway
 * (GW_PEER_LOG_BURST lines, refilled at GW_PEER_LOG_PER_S a second);
 * what it refuses is counted and reported with the next line it lets
 * through ("N peer event lines suppressed").
 */
#ifndef GW_PEER_LOG_H
#define GW_PEER_LOG_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "gw_stats.h"

struct gw_peer;

enum {
	GW_PEER_NAME_CHARS = 8,
	GW_PEER_NAME_LEN = sizeof("peer ") - 1 + GW_PEER_NAME_CHARS + 1,
	GW_PEER_LOG_BURST = 50,
	GW_PEER_LOG_PER_S = 10,
};

/* Zero-initialised: full. Time in nanoseconds, never going back. */
struct gw_log_bucket {
	uint64_t credit_ns;     /* GW_PEER_LOG_PER_S lines a second of it */
	uint64_t last_ns;
	uint64_t suppressed;    /* refused since the last line let through */
};

/* "peer ABCDEFGH" into buf; returns buf. */
const char *gw_peer_name(const uint8_t public_key[32],
			 char buf[GW_PEER_NAME_LEN]);

/* Whether one more line may be logged at now_ns; when it may,
 * *suppressed is how many were refused before it (then reset). */
bool gw_log_bucket_take(struct gw_log_bucket *b, uint64_t now_ns,
			uint64_t *suppressed);

/* GW_PEER_LOG(bucket, now_ns, peer, "handshake complete (%s)", role) */
#define GW_PEER_LOG(bucket, now_ns, peer, fmt, ...)                        \
	do {                                                               \
		char gw_name_[GW_PEER_NAME_LEN];                           \
		uint64_t gw_supp_;                                         \
		if (gw_log_bucket_take((bucket), (now_ns), &gw_supp_)) {   \
			if (gw_supp_)                                      \
				GW_LOG(INFO,                               \
				       "%" PRIu64 " peer event lines suppressed", \
				       gw_supp_);                          \
			GW_LOG(INFO, "%s: " fmt,                           \
			       gw_peer_name((peer)->public_key, gw_name_), \
			       ##__VA_ARGS__);                             \
		}                                                          \
	} while (0)

#endif /* GW_PEER_LOG_H */
