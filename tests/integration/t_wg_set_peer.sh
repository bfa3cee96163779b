#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `wg set <gateway> peer ...` adds a third peer while the gateway runs;
# traffic to and from it works without a restart (same pid), and the
# first two peers keep working. Then `wg set ... remove` takes it away.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_add_peer 2
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); pid=$WGT_GW_PID
for n in 1 2; do wgt_ping_until "$lan" "$(wgt_site4 "$n")" 20; done

wgt_add_peer 3
wg set "$WGT_GW_NAME" peer "${WGT_PEER_PUB[3]}" endpoint "$(wgt_wan4 3):51820" \
    allowed-ips "$(wgt_net4 3),$(wgt_net6 3)"
wg show "$WGT_GW_NAME" peers | grep -qx -- "${WGT_PEER_PUB[3]}" || wgt_fail "peer 3 not listed after wg set"
wgt_ping_until "$lan" "$(wgt_site4 3)" 20
wgt_ping "$lan" "$(wgt_site4 3)" 5
wgt_ping "$lan" "$(wgt_site6 3)" 5
wgt_ping "$(wgt_ns p3)" 192.0.2.2 5
wgt_iperf "$(wgt_ns p3)" "$(wgt_site4 3)" "$lan"
for n in 1 2; do wgt_ping "$lan" "$(wgt_site4 "$n")" 3; done
if [[ $WGT_GW_PID != "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then wgt_fail "gateway restarted or died"; fi

wg set "$WGT_GW_NAME" peer "${WGT_PEER_PUB[3]}" remove
! wg show "$WGT_GW_NAME" peers | grep -qx -- "${WGT_PEER_PUB[3]}" || wgt_fail "peer 3 still listed after remove"
if timeout 10 ip netns exec "$lan" ping -q -n -c 3 -i 0.2 -W 1 "$(wgt_site4 3)" >/dev/null 2>&1; then
    wgt_fail "peer 3 still reachable after remove"
fi
wgt_ping "$lan" "$(wgt_site4 1)" 3
wgt_pass
