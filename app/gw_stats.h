/* SPDX-License-Identifier: MIT */
/*
 * Counters: one cache-aligned block per lcore, so that a worker bumps its
 * own counters with plain adds and never shares a cache line. Every packet
 * the gateway drops is counted under a named reason; the list below is the
 * single place where reasons are declared (X-macro), so that the names
 * printed on exit and given to the UAPI/metrics never drift from the code.
 */
#ifndef GW_STATS_H
#define GW_STATS_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_log.h>

/* X(ID): the counter GW_CTR_ID, printed (exit dump, UAPI, telemetry,
 * the reason label in /metrics) as ID in lower case, so that a grep -i for
 * a printed name finds every place that counts it. */
#define GW_COUNTERS(X)                                                     \
	X(RX_LAN_PACKETS)                                                  \
	X(RX_WAN_PACKETS)                                                  \
	X(TX_LAN_PACKETS)                                                  \
	X(TX_WAN_PACKETS)                                                  \
	X(ENCRYPTED_PACKETS)                                               \
	X(DECRYPTED_PACKETS)                                               \
	X(KEEPALIVES_RECEIVED)                                             \
	X(KEEPALIVES_SENT)                                                 \
	X(HANDSHAKE_MESSAGES_RECEIVED)                                     \
	X(HANDSHAKE_MESSAGES_SENT)                                         \
	X(PACKETS_TO_CONTROL)                                              \
	X(PACKETS_STAGED)                                                  \
	X(SPREAD_FRAMES_HANDED)                                            \
	X(DROP_NOT_FOR_US)                                                 \
	X(DROP_MALFORMED)                                                  \
	X(DROP_MULTISEGMENT)                                               \
	X(DROP_UNKNOWN_PROTOCOL)                                           \
	X(DROP_NO_ALLOWED_IP)                                              \
	X(DROP_PEER_WITHOUT_ENDPOINT)                                      \
	X(DROP_TOO_BIG)                                                    \
	X(DROP_NO_HEADROOM_OR_TAILROOM)                                    \
	X(DROP_BAD_MESSAGE_TYPE)                                           \
	X(DROP_UNKNOWN_RECEIVER_INDEX)                                     \
	X(DROP_KEYPAIR_EXPIRED)                                            \
	X(DROP_REPLAYED_COUNTER)                                           \
	X(DROP_AUTHENTICATION_FAILED)                                      \
	X(DROP_INNER_SOURCE_NOT_ALLOWED)                                   \
	X(DROP_BAD_MAC1)                                                   \
	X(DROP_CONTROL_RING_FULL)                                          \
	X(DROP_EVENT_RING_FULL)                                            \
	X(DROP_STAGED_QUEUE_FULL)                                          \
	X(DROP_NEIGHBOUR_UNRESOLVED)                                       \
	X(DROP_TX_QUEUE_FULL)                                              \
	X(DROP_HANDSHAKE_REJECTED)                                         \
	X(DROP_COOKIE_REPLY_REJECTED)                                      \
	X(DROP_HANDSHAKE_UNDER_LOAD)                                       \
	X(DROP_NO_MBUF)                                                    \
	X(DROP_CONTROL_PATH)                                               \
	X(COOKIE_REPLIES_SENT)                                             \
	X(ICMP_ERRORS_SENT)                                                \
	X(TCP_MSS_CLAMPED)                                                 \
	X(DROP_HANDSHAKE_RATELIMITED)                                      \
	X(DROP_MESSAGE_TRUNCATED)                                          \
	X(DROP_MESSAGE_OVERSIZED)                                          \
	X(DROP_RESERVED_BYTES_SET)                                         \
	X(DROP_COUNTER_OUTSIDE_WINDOW)                                     \
	X(DROP_INNER_NOT_IP)                                               \
	X(DROP_INNER_BAD_LENGTH)                                           \
	X(DROP_INNER_IP_OPTIONS)                                           \
	X(DROP_INNER_FRAGMENT)                                             \
	X(DROP_ICMP_ERROR_RATELIMITED)                                     \
	X(DROP_HANDSHAKE_GAVE_UP)                                          \
	X(DROP_PEER_REMOVED)                                               \
	X(RELOADS_APPLIED)                                                 \
	X(RELOADS_FAILED)                                                  \
	X(DROP_STAGED_GLOBAL_FULL)                                         \
	X(DROP_STAGED_NO_PRIVATE_KEY)                                      \
	X(DROP_CONTROL_TX_RING_FULL)                                       \
	X(DROP_HANDSHAKE_RING_FULL)                                        \
	X(DROP_LOCAL_RING_FULL)                                            \
	X(DROP_NEIGHBOUR_RING_FULL)                                        \
	X(DROP_TOO_BIG_RING_FULL)                                          \
	X(DROP_HANDSHAKE_SOURCE_LIMITED)                                   \
	X(DROP_COOKIE_REPLY_UNKNOWN_INDEX)                                 \
	X(SESSIONS_CONFIRMED_BY_SWEEP)                                     \
	X(DROP_ARP_ND_RING_FULL)                                           \
	X(POLL_BUSY_CYCLES)                                                \
	X(POLL_IDLE_CYCLES)                                                \
	X(DROP_NEIGHBOUR_HOLD_FULL)                                        \
	X(DROP_ICMP_ECHO_RATELIMITED)                                      \
	X(NEIGHBOUR_ENTRIES_FAILED)                                        \
	X(NEIGHBOUR_ENTRIES_REPLACED)                                      \
	X(NEIGHBOUR_ENTRIES_COLLECTED)                                     \
	X(DROP_TTL_EXCEEDED)                                               \
	X(DROP_MARTIAN_SOURCE)                                             \
	X(DROP_MARTIAN_DESTINATION)                                        \
	X(DROP_INNER_NEIGHBOUR_DISCOVERY)                                  \
	X(DROP_OUTER_IP_CHECKSUM)                                          \
	X(DROP_OUTER_UDP_CHECKSUM)                                         \
	X(DROP_TTL_EXCEEDED_RING_FULL)                                     \
	X(DROP_RATE_LIMITED)                                               \
	X(DROP_ACL_DENIED)                                                 \
	X(DROP_HANDSHAKE_BACKLOG_FULL)                                     \
	X(DROP_HANDSHAKE_STALE)                                            \
	X(DROP_HANDSHAKE_KEYPAIR_POOL_EMPTY)                               \
	X(DROP_STAGED_NO_MEMORY)

enum gw_counter {
#define GW_X_ENUM(id) GW_CTR_##id,
	GW_COUNTERS(GW_X_ENUM)
#undef GW_X_ENUM
	GW_CTR_MAX
};

struct gw_lcore_stats {
	uint64_t c[GW_CTR_MAX];
} __rte_cache_aligned;

struct gw_stats {
	struct gw_lcore_stats lcore[RTE_MAX_LCORE];
};

/* The project's log type (registered in gw_stats_init). */
extern int gw_logtype;
#define GW_LOG(level, fmt, ...)                                            \
	rte_log(RTE_LOG_##level, gw_logtype, "wg-dpdk: " fmt "\n",         \
		##__VA_ARGS__)

/* Register the log type; safe before rte_eal_init. */
void gw_log_init(void);

/* Allocates zeroed counters (rte_zmalloc). */
struct gw_stats *gw_stats_create(void);
void gw_stats_free(struct gw_stats *st);

const char *gw_counter_name(enum gw_counter c);
uint64_t gw_stats_sum(const struct gw_stats *st, enum gw_counter c);
/* Every non-zero counter at INFO level. */
void gw_stats_log(const struct gw_stats *st);

static inline void gw_count(struct gw_lcore_stats *s, enum gw_counter c,
			    uint64_t n)
{
	s->c[c] += n;
}

#endif /* GW_STATS_H */
