#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The gateway initiates: it knows peer 1's endpoint, lan-host sends first.
# ping lan-host -> 203.0.113.1 (behind the peer), then iperf3 (3 s) both
# ways, server behind the peer.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1); site=$(wgt_site4 1)

wgt_ping_until "$lan" "$site" 20
wgt_ping "$lan" "$site" 10
(($(wgt_handshake "$WGT_GW_NAME" "${WGT_PEER_PUB[1]}") > 0)) || wgt_fail "gateway shows no handshake"
wgt_iperf "$p1" "$site" "$lan"          # lan-host -> peer site
wgt_iperf "$p1" "$site" "$lan" -R       # peer site -> lan-host
wgt_ping "$lan" "$site" 5               # still fine after the load
wgt_pass
