#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# A responder that answered an initiation counts it as a handshake sent.
# tools/wgpeer.py (holding peer 2's key) initiates, takes the gateway's
# response and stays silent for WAIT_S seconds, so the gateway's new
# session is not yet confirmed; meanwhile the LAN pings the peer's
# network. As Linux and wireguard-go, the gateway must not answer that
# traffic with an initiation of its own (REKEY_TIMEOUT after the response
# has not passed): it holds the packets, sends them once the peer's
# keepalive confirms the session, and in all sent one handshake message.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
WAIT_S=3

wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 2
WGT_PEER_GW_ENDPOINT[2]=""
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); p2=$(wgt_ns p2)
wgt_stop_pid "${WGT_PEER_PID[2]}" 5 || true
out_log=$WGT_DIR/wgpeer.log
wgt_bg "$p2" "$out_log" timeout 30 python3 "$(wgh_tool wgpeer.py)" \
    --priv-file "$WGT_DIR/p2.key" --gw-pub "$WGT_GW_PUB" \
    --bind "$(wgt_wan4 2):40000" --gw 198.51.100.1:51820 --wait "$WAIT_S" respond
peer_pid=$WGT_LAST_PID
wgt_wait_for 10 grep -q "handshake done" "$out_log" ||
    wgt_fail "wgpeer.py got no handshake response: $(cat "$out_log")"
# LAN traffic for the peer before its first packet on the new session
ip netns exec "$lan" ping -q -n -c 3 -i 0.2 -W 1 "$(wgt_site4 2)" >/dev/null 2>&1 || true
wgt_wait_for 20 grep -q "^done" "$out_log" || wgt_fail "wgpeer.py did not finish: $(cat "$out_log")"
wait "$peer_pid" || wgt_fail "wgpeer.py respond failed: $(cat "$out_log")"
cat "$out_log" >&2
inits=$(awk '/^gateway initiations/ { print $3 }' "$out_log")
after=$(awk '/^transport after confirm/ { print $4 }' "$out_log")
[[ -n $inits && -n $after ]] || wgt_fail "wgpeer.py printed no summary"
wgh_snapshot
sent=$(wgh_counter handshake_messages_sent)
staged=$(wgh_counter packets_staged)
wgt_log "responder: $inits initiations while unconfirmed, $sent handshake messages sent, $staged packets staged, $after transport messages after the confirmation"
((inits == 0)) ||
    wgt_fail "the gateway answered LAN traffic with $inits initiation(s) of its own while its responder session waited for confirmation"
((sent == 1)) || wgt_fail "handshake_messages_sent $sent, want 1 (the response)"
((staged >= 1)) || wgt_fail "no LAN packet was staged: the test did not test anything"
((after >= 1)) || wgt_fail "the staged LAN packets were not sent once the session was confirmed"
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_pass
