#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# Garbage on the WAN port. tools/wgpeer.py holds peer 2's private key (its
# wireguard-go is stopped), performs a real handshake with the gateway and
# then sends every kind of bad message (see scenario_garbage there):
# truncated, oversized, unknown type, reserved bytes set, bad mac1,
# unknown receiver index, a cookie reply for no pending handshake (dropped
# on the worker), wrong tag, replayed counter, counters outside
# the window, inner source not in the peer's AllowedIPs, inner packets
# that are not IP, bad IP lengths, IP options, fragments, and a forged
# packet from another port. Each must be dropped and counted under its own
# reason, exactly as many times as sent; the LAN host must see none of it
# (but the one good echo request sent last as a positive control); the
# forged packet must not move the peer's endpoint; mbufs in use must come
# back to where they were; peer 1 (wireguard-go) keeps working.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
N=5

wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_add_peer 2
WGT_PEER_GW_ENDPOINT[2]=""
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1); p2=$(wgt_ns p2)
# the tool is peer 2 from now on
wgt_stop_pid "${WGT_PEER_PID[2]}" 5 || true

wgt_ping_until "$p1" 192.0.2.2 20
wgh_snapshot
base_inuse=$(wgh_counter mbufs_in_use)
declare -A before
for c in drop_message_truncated drop_message_oversized drop_bad_message_type \
    drop_reserved_bytes_set drop_bad_mac1 drop_unknown_receiver_index \
    drop_cookie_reply_unknown_index \
    drop_authentication_failed drop_replayed_counter drop_counter_outside_window \
    drop_inner_source_not_allowed drop_inner_not_ip drop_inner_bad_length \
    drop_inner_ip_options drop_inner_fragment; do
    before[$c]=$(wgh_counter "$c")
done
echo4=$(wgt_icmp_in_echos "$lan" 4); echo6=$(wgt_icmp_in_echos "$lan" 6)
reasm4=$(ip netns exec "$lan" awk '$1 == "Ip:" { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["ReasmReqds"] }' /proc/net/snmp)
reasm6=$(ip netns exec "$lan" awk '$1 == "Ip6ReasmReqds" { print $2 }' /proc/net/snmp6)

out=$WGT_DIR/wgpeer.out
timeout 60 ip netns exec "$p2" python3 "$(wgh_tool wgpeer.py)" \
    --priv-file "$WGT_DIR/p2.key" --gw-pub "$WGT_GW_PUB" \
    --bind "$(wgt_wan4 2):40000" --gw 198.51.100.1:51820 --n "$N" \
    --inner-src "$(wgt_site4 2)" --inner-src6 "$(wgt_site6 2)" \
    --foreign-src "$(wgt_site4 1)" garbage >"$out" 2>&1 ||
    { cat "$out" >&2; wgt_fail "wgpeer.py garbage failed"; }
grep -q '^done' "$out" || { cat "$out" >&2; wgt_fail "wgpeer.py did not finish"; }
sent() { awk -v k="$1" '$1 == "sent" && $2 == k { print $3 }' "$out"; }
sleep 1
wgh_snapshot

fails=0
check() { # check COUNTER KIND...: counter delta == sum of sent KINDs
    local c=$1 want=0 got k
    shift
    for k in "$@"; do want=$((want + $(sent "$k"))); done
    got=$(($(wgh_counter "$c") - before[$c]))
    if ((got == want && want > 0)); then
        wgt_log "ok   $c: $got"
    else
        wgt_log "FAIL $c: $got, want $want"
        fails=$((fails + 1))
    fi
}
check drop_message_truncated truncated
check drop_message_oversized oversized
check drop_bad_message_type bad_type
check drop_reserved_bytes_set reserved
check drop_bad_mac1 bad_mac1
check drop_unknown_receiver_index unknown_index
check drop_cookie_reply_unknown_index cookie_unknown
check drop_authentication_failed bad_tag
check drop_replayed_counter replay
check drop_counter_outside_window outside_window
check drop_inner_source_not_allowed src_not_allowed
check drop_inner_not_ip not_ip
check drop_inner_bad_length bad_length
check drop_inner_ip_options options
check drop_inner_fragment fragment
((fails == 0)) || wgt_fail "$fails drop reasons counted wrong"

d4=$(($(wgt_icmp_in_echos "$lan" 4) - echo4)); d6=$(($(wgt_icmp_in_echos "$lan" 6) - echo6))
((d4 == 1)) || wgt_fail "lan-host received $d4 IPv4 echo requests, want exactly the 1 good one"
((d6 == 0)) || wgt_fail "lan-host received $d6 IPv6 echo requests from the garbage"
r4=$(ip netns exec "$lan" awk '$1 == "Ip:" { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["ReasmReqds"] }' /proc/net/snmp)
r6=$(ip netns exec "$lan" awk '$1 == "Ip6ReasmReqds" { print $2 }' /proc/net/snmp6)
((r4 == reasm4 && r6 == reasm6)) || wgt_fail "fragments reached lan-host"
wgt_log "lan-host saw only the good echo request"

ep=$(wgt_endpoint "$WGT_GW_NAME" "${WGT_PEER_PUB[2]}")
[[ $ep == "$(wgt_wan4 2):40000" ]] ||
    wgt_fail "peer 2's endpoint is '$ep' after a forged packet from another port, want $(wgt_wan4 2):40000"
wgt_log "the forged packet did not move the endpoint ($ep)"

wgt_ping "$p1" 192.0.2.2 5
wgh_snapshot
inuse=$(wgh_counter mbufs_in_use)
((inuse <= base_inuse + 8)) || wgt_fail "mbufs in use: $inuse after the garbage, $base_inuse before"
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
final=$(wgh_counter mbufs_in_use); held=$(wgh_counter mbufs_held_for_neighbours)
((final <= held)) || wgt_fail "on exit $final mbufs in use, $held held for neighbours: leak"
wgt_log "mbufs in use: $base_inuse before, $inuse after, $final on exit"
wgt_pass
