#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Infrastructure check, no gateway needed: proves that namespaces, veths,
# the WAN bridge, wireguard-go + wg, and DPDK (af_packet vdevs, --no-huge)
# inside a namespace work on this machine, with the same lib.sh the gateway
# tests use. If this fails, the other tests' failures say nothing about
# wg-dpdk.
#  1. wireguard-go peers 1 and 2 tunnel to each other across the WAN bridge.
#  2. dpdk-testpmd in the gw namespace, io-forwarding between gw-lan and
#     gw-wan (the gateway's two af_packet ports), carries a ping and an
#     iperf3 run from lan-host to peer 1 over plain L2.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init 120
command -v dpdk-testpmd >/dev/null || wgt_fail "dpdk-testpmd missing (package dpdk-dev): run scripts/setup"
wgt_topology
wgt_add_peer 1
wgt_add_peer 2
p1=$(wgt_ns p1); lan=$(wgt_ns lan); gw=$(wgt_ns gw)

# 1. peer 1 <-> peer 2 through their wireguard-go tunnel.
wg set "${WGT_PEER_NAME[1]}" peer "${WGT_PEER_PUB[2]}" endpoint "$(wgt_wan4 2):51820" allowed-ips "$(wgt_net4 2)"
wg set "${WGT_PEER_NAME[2]}" peer "${WGT_PEER_PUB[1]}" endpoint "$(wgt_wan4 1):51820" allowed-ips "$(wgt_net4 1)"
ip -n "$p1" route add "$(wgt_net4 2)" dev "${WGT_PEER_NAME[1]}"
ip -n "$(wgt_ns p2)" route add "$(wgt_net4 1)" dev "${WGT_PEER_NAME[2]}"
wgt_ping_until "$p1" "$(wgt_site4 2)" 10
wgt_ping "$p1" "$(wgt_site4 2)" 5
read -r rx1 tx1 < <(wgt_transfer "${WGT_PEER_NAME[1]}" "${WGT_PEER_PUB[2]}")
read -r rx2 tx2 < <(wgt_transfer "${WGT_PEER_NAME[2]}" "${WGT_PEER_PUB[1]}")
wgt_log "wireguard-go counters: p1 rx=$rx1 tx=$tx1, p2 rx=$rx2 tx=$tx2"
[[ $rx1 == "$tx2" && $tx1 == "$rx2" ]] || wgt_fail "wireguard-go counters do not mirror each other"
(($(wgt_handshake "${WGT_PEER_NAME[1]}" "${WGT_PEER_PUB[2]}") > 0)) || wgt_fail "no handshake"

# 2. testpmd as an L2 wire between the gateway's ports. lan-host gets a
# temporary WAN address so it can reach peer 1 without routing.
ip -n "$lan" addr add 198.51.100.99/24 dev lan0
wgt_bg "$gw" "$WGT_DIR/testpmd.log" dpdk-testpmd -l "$WGT_LCORES" --no-huge -m 512 --no-pci \
    "--file-prefix=wgt$WGT_ID" --vdev=net_af_packet0,iface=gw-lan,qpairs=2 \
    --vdev=net_af_packet1,iface=gw-wan,qpairs=2 -- \
    --forward-mode=io --auto-start --no-mlockall --rxq=2 --txq=2 --total-num-mbufs=4096 --stats-period 1
tp=$WGT_LAST_PID
wgt_wait_for 20 grep -q "Start automatic packet forwarding\|start packet forwarding" "$WGT_DIR/testpmd.log" ||
    wgt_fail "testpmd did not start"
wgt_ping_until "$lan" "$(wgt_wan4 1)" 10
wgt_ping "$lan" "$(wgt_wan4 1)" 5
wgt_iperf "$p1" "$(wgt_wan4 1)" "$lan"
wgt_stop_pid "$tp" 10 || wgt_fail "testpmd exit status $?"
grep -q "Bye" "$WGT_DIR/testpmd.log" || wgt_fail "testpmd did not exit cleanly"
wgt_pass
