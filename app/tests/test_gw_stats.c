/* SPDX-License-Identifier: MIT */
/*
 * Counter names (gw_stats.h), no EAL: each is its id in lower case, so
 * that a grep -i for a name seen in the log, telemetry or /metrics finds
 * the code that counts it; and the names are the ones users already see
 * (dashboards, alerts and the README use them), in their order: a rename
 * of a printed name must be deliberate, and shows up here.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gw_peer.h"
#include "gw_stats.h"

static const char *const printed[] = {
	"rx_lan_packets",
	"rx_wan_packets",
	"tx_lan_packets",
	"tx_wan_packets",
	"encrypted_packets",
	"decrypted_packets",
	"keepalives_received",
	"keepalives_sent",
	"handshake_messages_received",
	"handshake_messages_sent",
	"packets_to_control",
	"packets_staged",
	"spread_frames_handed",
	"drop_not_for_us",
	"drop_malformed",
	"drop_multisegment",
	"drop_unknown_protocol",
	"drop_no_allowed_ip",
	"drop_peer_without_endpoint",
	"drop_too_big",
	"drop_no_headroom_or_tailroom",
	"drop_bad_message_type",
	"drop_unknown_receiver_index",
	"drop_keypair_expired",
	"drop_replayed_counter",
	"drop_authentication_failed",
	"drop_inner_source_not_allowed",
	"drop_bad_mac1",
	"drop_control_ring_full",
	"drop_event_ring_full",
	"drop_staged_queue_full",
	"drop_neighbour_unresolved",
	"drop_tx_queue_full",
	"drop_handshake_rejected",
	"drop_cookie_reply_rejected",
	"drop_handshake_under_load",
	"drop_no_mbuf",
	"drop_control_path",
	"cookie_replies_sent",
	"icmp_errors_sent",
	"tcp_mss_clamped",
	"drop_handshake_ratelimited",
	"drop_message_truncated",
	"drop_message_oversized",
	"drop_reserved_bytes_set",
	"drop_counter_outside_window",
	"drop_inner_not_ip",
	"drop_inner_bad_length",
	"drop_inner_ip_options",
	"drop_inner_fragment",
	"drop_icmp_error_ratelimited",
	"drop_handshake_gave_up",
	"drop_peer_removed",
	"reloads_applied",
	"reloads_failed",
	"drop_staged_global_full",
	"drop_staged_no_private_key",
	"drop_control_tx_ring_full",
	"drop_handshake_ring_full",
	"drop_local_ring_full",
	"drop_neighbour_ring_full",
	"drop_too_big_ring_full",
	"drop_handshake_source_limited",
	"drop_cookie_reply_unknown_index",
	"sessions_confirmed_by_sweep",
	"drop_arp_nd_ring_full",
	"poll_busy_cycles",
	"poll_idle_cycles",
	"drop_neighbour_hold_full",
	"drop_icmp_echo_ratelimited",
	"neighbour_entries_failed",
	"neighbour_entries_replaced",
	"neighbour_entries_collected",
	"drop_ttl_exceeded",
	"drop_martian_source",
	"drop_martian_destination",
	"drop_inner_neighbour_discovery",
	"drop_outer_ip_checksum",
	"drop_outer_udp_checksum",
	"drop_ttl_exceeded_ring_full",
	"drop_rate_limited",
	"drop_acl_denied",
	"drop_handshake_backlog_full",
	"drop_handshake_stale",
	"drop_handshake_keypair_pool_empty",
	"drop_staged_no_memory",
};

static void test_names_as_printed_before(void **state)
{
	unsigned int c;

	(void)state;
	assert_int_equal(GW_CTR_MAX, sizeof(printed) / sizeof(printed[0]));
	for (c = 0; c < GW_CTR_MAX; c++)
		assert_string_equal(gw_counter_name(c), printed[c]);
}

static void test_name_is_the_id(void **state)
{
	(void)state;
	/* the id used to be DROP_NONLINEAR */
	assert_string_equal(gw_counter_name(GW_CTR_DROP_MULTISEGMENT),
			    "drop_multisegment");
	assert_string_equal(gw_counter_name(GW_CTR_RX_LAN_PACKETS),
			    "rx_lan_packets");
	assert_string_equal(gw_counter_name(GW_CTR_DROP_ACL_DENIED),
			    "drop_acl_denied");
	assert_string_equal(gw_counter_name(GW_CTR_MAX), "?");
}

static void test_names_well_formed_and_unique(void **state)
{
	unsigned int c, d;
	const char *p;

	(void)state;
	for (c = 0; c < GW_CTR_MAX; c++) {
		p = gw_counter_name(c);
		assert_true(p[0] != '\0');
		for (; *p; p++)
			assert_true(islower((unsigned char)*p) ||
				    isdigit((unsigned char)*p) || *p == '_');
		for (d = 0; d < c; d++)
			assert_string_not_equal(gw_counter_name(c),
						gw_counter_name(d));
	}
}

/* Per-peer drop slots are named by their gw_stats.h counters: every one
 * a drop. */
static void test_peer_drops_are_drops(void **state)
{
	unsigned int d;

	(void)state;
	for (d = 0; d < GW_PDROP_MAX; d++) {
		const char *name = gw_counter_name(gw_peer_drop_counter(d));

		assert_int_equal(strncmp(name, "drop_", 5), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_as_printed_before),
		cmocka_unit_test(test_name_is_the_id),
		cmocka_unit_test(test_names_well_formed_and_unique),
		cmocka_unit_test(test_peer_drops_are_drops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
