#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# Persistent keepalive keeps a NAT-ed peer reachable.
#
#   ns p1 (wireguard-go)            ns nat (nft masquerade)        WAN bridge
#   wan0 203.0.113.250/30 ──── inside 203.0.113.249/30
#                                   outside 198.51.100.50/24 ──── sw-nat ── gateway
#
# The NAT forgets an idle UDP mapping after 5 s (conntrack timeouts of its
# namespace). The gateway has no endpoint for peer 1 (it learns the NAT's
# address and port) and sends persistent keepalives every 2 s:
#  * after 12 s without traffic, lan-host still reaches the peer's site;
#  * control: with the gateway's keepalive switched off (`wg set ...
#    persistent-keepalive 0`), after 12 s idle the mapping is gone and
#    lan-host cannot reach the peer any more (so the first check meant
#    something).
# Needs the UAPI socket (endpoint, switching keepalive off) and nft.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
IDLE=12

wgt_init
command -v nft >/dev/null || wgt_fail "nft not installed: run scripts/setup"
wgt_require_gateway
wgt_topology
wgt_add_peer 1
WGT_PEER_GW_ENDPOINT[1]=""
WGT_PEER_GW_KEEPALIVE[1]=2
wgt_gw_config

wan=$(wgt_ns wan); p1=$(wgt_ns p1); lan=$(wgt_ns lan); nat="wgt-nat-$WGT_ID"
# move peer 1 behind the NAT
ip netns add "$nat"
ip -n "$nat" link set lo up
ip -n "$wan" link set "sw-p1" nomaster
ip -n "$wan" link set "sw-p1" netns "$nat"
ip -n "$nat" link set "sw-p1" name inside
ip -n "$nat" addr add 203.0.113.249/30 dev inside
ip -n "$nat" link set inside up
wgt_veth "$nat" outside "$wan" sw-nat
ip -n "$wan" link set sw-nat master br0
ip -n "$nat" addr add 198.51.100.50/24 dev outside
wgt_in "$nat" ethtool -K outside tx off >/dev/null
wgt_in "$nat" ethtool -K inside tx off >/dev/null
wgt_in "$nat" sysctl -qw net.ipv4.ip_forward=1
wgt_in "$nat" nft -f - <<'NFT'
table ip wgt_nat {
    chain post {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "outside" masquerade
    }
}
NFT
wgt_in "$nat" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=5 \
    net.netfilter.nf_conntrack_udp_timeout_stream=5 ||
    wgt_fail "cannot shorten the NAT's UDP timeouts"
ip -n "$p1" addr flush dev wan0
ip -n "$p1" addr add 203.0.113.250/30 dev wan0
ip -n "$p1" route add default via 203.0.113.249
wgt_log "peer 1 is behind a NAT (198.51.100.50, UDP mappings expire after 5 s)"

wgt_gw_start
pub=${WGT_PEER_PUB[1]}; site=$(wgt_site4 1)
wgt_ping_until "$p1" 192.0.2.2 20
ep=$(wgt_endpoint "$WGT_GW_NAME" "$pub")
[[ $ep == 198.51.100.50:* ]] || wgt_fail "gateway's endpoint for peer 1 is '$ep', want the NAT's 198.51.100.50"
wgt_log "gateway learnt the NAT's mapping $ep"

wgh_snapshot
ka0=$(wgh_counter keepalives_sent)
sleep "$IDLE"
wgh_snapshot
ka=$(($(wgh_counter keepalives_sent) - ka0))
((ka >= IDLE / 2 - 2)) || wgt_fail "only $ka keepalives sent in ${IDLE}s with persistent_keepalive 2"
wgt_ping "$lan" "$site" 3
wgt_log "reachable after ${IDLE}s idle: $ka persistent keepalives kept the mapping"

# control: no keepalive, the mapping expires
wg set "$WGT_GW_NAME" peer "$pub" persistent-keepalive 0
sleep "$IDLE"
if timeout 10 ip netns exec "$lan" ping -q -n -c 3 -i 0.5 -W 1 "$site" >/dev/null 2>&1; then
    wgt_fail "control failed: peer reachable after ${IDLE}s idle without keepalives (is the NAT timeout in effect?)"
fi
wgt_log "control: without keepalives the NAT mapping expired and the peer was unreachable"
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_pass
