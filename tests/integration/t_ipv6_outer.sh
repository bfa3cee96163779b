#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# IPv6 outside: the gateway's WAN 2001:db8:c::1 and peer 1's
# 2001:db8:c::2 carry the UDP; inner IPv4 and IPv6 both work. The gateway
# answers neighbour solicitations for 2001:db8:c::1 on the WAN port.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1 6        # peer's endpoint of the gateway: [2001:db8:c::1]:51820
wgt_gw_config           # gateway's endpoint of peer 1: [2001:db8:c::2]:51820
grep -q 'endpoint = "\[2001:db8:c::2\]:51820"' "$WGT_GW_CONF" || wgt_fail "config has no IPv6 endpoint"
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1); site=$(wgt_site4 1)

wgt_ping_until "$lan" "$site" 20
wgt_ping "$lan" "$site" 10
wgt_ping "$lan" "$(wgt_site6 1)" 5
wgt_ping "$p1" 192.0.2.2 5
wgt_iperf "$p1" "$site" "$lan"
wgt_iperf "$p1" "$site" "$lan" -R
ep=$(wgt_endpoint "$WGT_GW_NAME" "${WGT_PEER_PUB[1]}")
[[ $ep == "[$(wgt_wan6 1)]:51820" ]] || wgt_fail "gateway's endpoint for peer 1 is '$ep', want [$(wgt_wan6 1)]:51820"
ep=$(wgt_endpoint "${WGT_PEER_NAME[1]}" "$WGT_GW_PUB")
[[ $ep == "[2001:db8:c::1]:51820" ]] || wgt_fail "peer's endpoint for the gateway is '$ep'"
wgt_pass
