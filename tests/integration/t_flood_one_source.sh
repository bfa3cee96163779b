#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# Single-source handshake flood. The control lcore is made slow on
# purpose (testing.handshake_cost_us = 1000: at most 1000 handshake
# messages a second), then tools/wgflood.py sends valid-mac1 initiations
# with random content from ONE address (198.51.100.200, random ports) at
# 10x that rate. Meanwhile a legitimate wireguard-go peer on another
# address, which the gateway has no endpoint for, starts talking.
#
# Required (the per-source limit on the workers, app/gw_hs_limit.h):
#  * the flood never puts the gateway under load: no cookie reply at all
#    (cookie_replies_sent stays 0, so none went to the peer either), and
#    the workers drop the source's excess before the handshake ring
#    (drop_handshake_source_limited: most of what arrived);
#  * the peer completes its handshake within 2 s of its first initiation
#    (an old gateway that counts the whole flood toward "under load"
#    answers it with a cookie, and wireguard-go retries after
#    REKEY_TIMEOUT: ~5 s);
#  * the flood really ran at >= 5x the control lcore's capacity.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
COST_US=1000
RATE=$((10 * 1000000 / COST_US))
FLOOD_S=${WGT_FLOOD_S:-25}
FLOOD_SRC=198.51.100.200
DEADLINE_S=2

wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
WGT_PEER_GW_ENDPOINT[1]=""
wgt_gw_config
wgh_testing_conf "handshake_cost_us = $COST_US;"
wgt_gw_start
p1=$(wgt_ns p1); wan=$(wgt_ns wan)
wgh_snapshot
rx0=$(wgh_counter rx_wan_packets)

flood_log=$WGT_DIR/flood.log
wgt_bg "$wan" "$flood_log" timeout $((FLOOD_S + 10)) python3 "$(wgh_tool wgflood.py)" \
    --iface br0 --dst-mac "$(wgh_gw_mac gw-wan)" --gw-pub "$WGT_GW_PUB" \
    --source "$FLOOD_SRC" --rate "$RATE" --duration "$FLOOD_S"
flood_pid=$WGT_LAST_PID

# The flood must be arriving (several seconds' worth of the control
# lcore's capacity) before the peer starts.
wgt_wait_for 15 wgh_counter_above rx_wan_packets $((rx0 + 3000)) ||
    wgt_fail "the flood did not reach the gateway within 15 s"
sleep 2
wgh_snapshot
wgt_log "flood arriving: $(wgh_counter rx_wan_packets) WAN packets so far, $(wgh_counter drop_handshake_source_limited) source-limited"

# The first ping makes wireguard-go initiate; its answer comes once the
# handshake completed.
took=$(wgh_first_answer "$p1" 192.0.2.2) || wgt_fail "peer 1 got no answer through the tunnel"
wgt_log "peer 1: first answer through the tunnel ${took}s after its first initiation (single-source flood at $RATE/s)"
kill -0 "$flood_pid" 2>/dev/null || wgt_fail "the flood ended before the peer's handshake was measured (raise WGT_FLOOD_S)"
wgh_snapshot
wgh_at_most "$took" "$DEADLINE_S" ||
    wgt_fail "handshake took ${took}s under a single-source flood, deadline ${DEADLINE_S}s"
cookies=$(wgh_counter cookie_replies_sent)
wgt_log "cookie replies sent so far: $cookies"
((cookies == 0)) ||
    wgt_fail "$cookies cookie replies: one source's flood put the gateway under load"

wgt_stop_pid "$flood_pid" 10 || true
cat "$flood_log" >&2
sent=$(awk '/^wgflood: sent/ { print $3 }' "$flood_log")
rate=$(awk '/^wgflood: sent/ { print int($9) }' "$flood_log")
[[ -n $sent && -n $rate ]] || wgt_fail "flood generator printed no summary"
((rate * COST_US >= 5 * 1000000)) ||
    wgt_fail "the flood reached only $rate/s, not 5x the control lcore's $((1000000 / COST_US))/s"
sleep 1
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
limited=$(wgh_counter drop_handshake_source_limited)
passed=$(wgh_counter handshake_messages_received)
cookies=$(wgh_counter cookie_replies_sent)
wgt_log "flood sent $sent; gateway: $limited source-limited on the workers, $passed handshake messages to the control lcore, $cookies cookie replies"
((cookies == 0)) || wgt_fail "$cookies cookie replies during a single-source flood"
((limited >= sent / 2)) ||
    wgt_fail "only $limited of $sent flood initiations were limited on the workers"
# what passed: the limit's burst and rate over the flood, the peer's
# own messages, and slack for a noisy clock
((passed <= WGT_WORKERS * (20 + 20 * (FLOOD_S + 10)) + 20)) ||
    wgt_fail "$passed handshake messages reached the control lcore: the per-source limit let the flood through"
wgt_pass
