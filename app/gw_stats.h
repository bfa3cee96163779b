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

/* X(identifier, "name") */
#define GW_COUNTERS(X)                                                     \
	X(RX_LAN, "rx_lan_packets")                                        \
	X(RX_WAN, "rx_wan_packets")                                        \
	X(TX_LAN, "tx_lan_packets")                                        \
	X(TX_WAN, "tx_wan_packets")                                        \
	X(ENCRYPTED, "encrypted_packets")                                  \
	X(DECRYPTED, "decrypted_packets")                                  \
	X(KEEPALIVE_RX, "keepalives_received")                             \
	X(KEEPALIVE_TX, "keepalives_sent")                                 \
	X(HANDSHAKE_RX, "handshake_messages_received")                     \
	X(HANDSHAKE_TX, "handshake_messages_sent")                         \
	X(TO_CONTROL, "packets_to_control")                                \
	X(STAGED, "packets_staged")                                        \
	X(SPREAD_HANDED, "spread_frames_handed")                           \
	X(DROP_NOT_FOR_US, "drop_not_for_us")                              \
	X(DROP_MALFORMED, "drop_malformed")                                \
	X(DROP_NONLINEAR, "drop_multisegment")                             \
	X(DROP_UNKNOWN_PROTO, "drop_unknown_protocol")                     \
	X(DROP_NO_ROUTE, "drop_no_allowed_ip")                             \
	X(DROP_NO_ENDPOINT, "drop_peer_without_endpoint")                  \
	X(DROP_TOO_BIG, "drop_too_big")                                    \
	X(DROP_NO_ROOM, "drop_no_headroom_or_tailroom")                    \
	X(DROP_BAD_TYPE, "drop_bad_message_type")                          \
	X(DROP_UNKNOWN_INDEX, "drop_unknown_receiver_index")               \
	X(DROP_KEY_EXPIRED, "drop_keypair_expired")                        \
	X(DROP_REPLAY, "drop_replayed_counter")                            \
	X(DROP_DECRYPT, "drop_authentication_failed")                      \
	X(DROP_SRC_NOT_ALLOWED, "drop_inner_source_not_allowed")           \
	X(DROP_BAD_MAC1, "drop_bad_mac1")                                  \
	X(DROP_CONTROL_FULL, "drop_control_ring_full")                     \
	X(DROP_EVENT_FULL, "drop_event_ring_full")                         \
	X(DROP_STAGED_FULL, "drop_staged_queue_full")                      \
	X(DROP_NO_NEIGHBOUR, "drop_neighbour_unresolved")                  \
	X(DROP_TX_FULL, "drop_tx_queue_full")                              \
	X(DROP_HANDSHAKE, "drop_handshake_rejected")                       \
	X(DROP_KEYPAIR_POOL_EMPTY, "drop_handshake_keypair_pool_empty")    \
	X(DROP_COOKIE, "drop_cookie_reply_rejected")                       \
	X(DROP_UNDER_LOAD, "drop_handshake_under_load")                    \
	X(DROP_NO_MBUF, "drop_no_mbuf")                                    \
	X(DROP_CONTROL, "drop_control_path")                               \
	X(COOKIE_TX, "cookie_replies_sent")                                \
	X(ICMP_TX, "icmp_errors_sent")                                     \
	X(MSS_CLAMPED, "tcp_mss_clamped")                                  \
	X(DROP_RATELIMITED, "drop_handshake_ratelimited")                  \
	X(DROP_TRUNCATED, "drop_message_truncated")                        \
	X(DROP_OVERSIZED, "drop_message_oversized")                        \
	X(DROP_BAD_RESERVED, "drop_reserved_bytes_set")                    \
	X(DROP_COUNTER_WINDOW, "drop_counter_outside_window")              \
	X(DROP_INNER_NOT_IP, "drop_inner_not_ip")                          \
	X(DROP_INNER_BAD_LEN, "drop_inner_bad_length")                     \
	X(DROP_INNER_OPTIONS, "drop_inner_ip_options")                     \
	X(DROP_INNER_FRAGMENT, "drop_inner_fragment")                      \
	X(DROP_ICMP_RATELIMITED, "drop_icmp_error_ratelimited")            \
	X(DROP_GAVE_UP, "drop_handshake_gave_up")                          \
	X(DROP_PEER_REMOVED, "drop_peer_removed")                          \
	X(RELOAD_OK, "reloads_applied")                                    \
	X(RELOAD_FAILED, "reloads_failed")                                 \
	X(DROP_STAGED_GLOBAL_FULL, "drop_staged_global_full")              \
	X(DROP_STAGED_NO_KEY, "drop_staged_no_private_key")                \
	X(DROP_STAGED_NO_MEMORY, "drop_staged_no_memory")                  \
	X(DROP_CONTROL_TX_FULL, "drop_control_tx_ring_full")               \
	X(DROP_HANDSHAKE_RING_FULL, "drop_handshake_ring_full")            \
	X(DROP_LOCAL_RING_FULL, "drop_local_ring_full")                    \
	X(DROP_NEIGH_RING_FULL, "drop_neighbour_ring_full")                \
	X(DROP_TOO_BIG_RING_FULL, "drop_too_big_ring_full")                \
	X(DROP_SOURCE_LIMITED, "drop_handshake_source_limited")            \
	X(DROP_COOKIE_UNKNOWN_INDEX, "drop_cookie_reply_unknown_index")    \
	X(SESSIONS_SWEPT, "sessions_confirmed_by_sweep")                   \
	X(DROP_ARP_ND_RING_FULL, "drop_arp_nd_ring_full")                  \
	X(POLL_BUSY_CYCLES, "poll_busy_cycles")                            \
	X(POLL_IDLE_CYCLES, "poll_idle_cycles")                            \
	X(DROP_NEIGH_HOLD_FULL, "drop_neighbour_hold_full")                \
	X(DROP_ICMP_ECHO_RATELIMITED, "drop_icmp_echo_ratelimited")        \
	X(NEIGH_FAILED, "neighbour_entries_failed")                        \
	X(NEIGH_REPLACED, "neighbour_entries_replaced")                    \
	X(NEIGH_COLLECTED, "neighbour_entries_collected")                  \
	X(DROP_TTL_EXCEEDED, "drop_ttl_exceeded")                          \
	X(DROP_MARTIAN_SRC, "drop_martian_source")                         \
	X(DROP_MARTIAN_DST, "drop_martian_destination")                    \
	X(DROP_INNER_ND, "drop_inner_neighbour_discovery")                 \
	X(DROP_OUTER_IP_CKSUM, "drop_outer_ip_checksum")                   \
	X(DROP_OUTER_UDP_CKSUM, "drop_outer_udp_checksum")                 \
	X(DROP_TTL_RING_FULL, "drop_ttl_exceeded_ring_full")                \
	X(DROP_RATE_LIMITED, "drop_rate_limited")                          \
	X(DROP_ACL_DENIED, "drop_acl_denied")

enum gw_counter {
#define GW_X_ENUM(id, name) GW_CTR_##id,
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
