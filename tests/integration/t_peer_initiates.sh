#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The peer initiates: the gateway's config has no endpoint for peer 1 (a
# responder learns it from the authenticated handshake). Traffic starts
# behind the peer (203.0.113.1 -> 192.0.2.2); afterwards the gateway must
# show the learned endpoint and carry traffic both ways, including traffic
# that lan-host starts.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
WGT_PEER_GW_ENDPOINT[1]=""
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1); site=$(wgt_site4 1)

ep=$(wgt_endpoint "$WGT_GW_NAME" "${WGT_PEER_PUB[1]}")
[[ -z $ep || $ep == "(none)" ]] || wgt_fail "gateway has endpoint '$ep' for peer 1 before any handshake"
wgt_ping_until "$p1" 192.0.2.2 20
wgt_ping "$p1" 192.0.2.2 10
ep=$(wgt_endpoint "$WGT_GW_NAME" "${WGT_PEER_PUB[1]}")
[[ $ep == "$(wgt_wan4 1):51820" ]] || wgt_fail "gateway's endpoint for peer 1 is '$ep', want $(wgt_wan4 1):51820"
wgt_iperf "$lan" 192.0.2.2 "$p1"        # peer site -> lan-host
wgt_iperf "$lan" 192.0.2.2 "$p1" -R     # lan-host -> peer site
wgt_ping "$lan" "$site" 5               # now the LAN side starts
wgt_pass
