#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# Local traffic does not put handshakes "under load". A LAN host floods
# the gateway's own LAN address with echo requests, PRELOAD of them in
# flight at any time (ping -f -l: as fast as the gateway answers, so its
# control lcore always has a queue of them). They travel on the control
# lcore's ring for local traffic; "under load" is decided from the
# handshake ring alone. Meanwhile a legitimate wireguard-go peer, which
# the gateway has no endpoint for, starts talking: it must complete its
# handshake without a cookie round (no cookie reply at all, and an answer
# through the tunnel within 2 s; a gateway that counts the local queue
# toward "under load" answers with a cookie, and the peer retries only
# after REKEY_TIMEOUT, ~5 s).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
PRELOAD=400
FLOOD_S=20
DEADLINE_S=2

wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
WGT_PEER_GW_ENDPOINT[1]=""
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1)
wgh_snapshot
local0=$(wgh_counter packets_to_control)
flood_log=$WGT_DIR/ping-flood.log
wgt_bg "$lan" "$flood_log" timeout $((FLOOD_S + 5)) ping -f -q -n -l "$PRELOAD" -w "$FLOOD_S" 192.0.2.1
flood_pid=$WGT_LAST_PID
sleep 3
wgh_snapshot
wgt_log "local flood running: $(wgh_counter packets_to_control) packets to the control lcore so far, $(wgh_counter mbufs_in_control_ring) in its ring"

# the first ping makes wireguard-go initiate
took=$(wgh_first_answer "$p1" 192.0.2.2) || wgt_fail "peer 1 got no answer through the tunnel"
wgt_log "peer 1: first answer through the tunnel ${took}s after its first initiation (local flood)"
kill -0 "$flood_pid" 2>/dev/null || wgt_fail "the local flood ended before the handshake was measured"
wgh_at_most "$took" "$DEADLINE_S" ||
    wgt_fail "handshake took ${took}s during a local flood, deadline ${DEADLINE_S}s"
wgh_snapshot
cookies=$(wgh_counter cookie_replies_sent)
((cookies == 0)) || wgt_fail "$cookies cookie replies: local traffic put handshakes under load"
local=$(($(wgh_counter packets_to_control) - local0))
full=$(wgh_counter drop_local_ring_full)
wgt_log "local flood: $local packets to the control lcore, $full dropped at the full local ring"
((local >= 5000)) || wgt_fail "the local flood brought only $local packets to the control lcore: it loaded nothing"
wgt_stop_pid "$flood_pid" 10 || true
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_pass
