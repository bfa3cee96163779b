#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# IPv6 inside the tunnel, IPv4 outside: lan-host 2001:db8:a::2 <-> peer 1's
# site 2001:db8:b:1::1. The gateway answers neighbour solicitations for
# 2001:db8:a::1 on the LAN port.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1); site6=$(wgt_site6 1)

wgt_ping_until "$lan" "$site6" 20
wgt_ping "$lan" "$site6" 10
wgt_ping "$p1" 2001:db8:a::2 5
wgt_iperf "$p1" "$site6" "$lan"
wgt_iperf "$p1" "$site6" "$lan" -R
wgt_iperf "$lan" 2001:db8:a::2 "$p1"
ep=$(wgt_endpoint "$WGT_GW_NAME" "${WGT_PEER_PUB[1]}")
[[ $ep == "$(wgt_wan4 1):51820" ]] || wgt_fail "outer endpoint '$ep', want $(wgt_wan4 1):51820"
wgt_pass
