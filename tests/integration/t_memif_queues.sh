#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Both ports are memif links whose far side opens one queue each way, as
# pktgen-dpdk or a vswitch with one lcore does, while the gateway has a
# worker and the control lcore. A memif ring exists only for the queues the
# peer opened; DPDK 22.11's PMD transmits on any other queue through its
# zeroed (or, after a reconnect, stale) ring offset. On c7b43f4 the control
# lcore's own TX queue 1 therefore went through the peer's TX ring 0: its
# ARP replies, handshakes and echo replies were dropped (drop_tx_queue_full)
# or written into the peer's buffers, and under pktgen-dpdk the gateway
# died inside librte_net_memif. Here nothing crosses it on c7b43f4.
#
# dpdk-testpmd bridges each memif link to the veth of the usual topology
# (io forwarding, --rxq=1 --txq=1), so the real lan-host and wireguard-go
# peer talk through it:
#
#   lan-host ── veth ── testpmd ══ memif LAN ══ wg-dpdk ══ memif WAN ══ testpmd ── veth ── peer 1
#
#  1. gateway = memif server, testpmd = client with one queue each way;
#  2. gateway = memif client, testpmd = server with one queue each way (a
#     client opens every ring it configured, and a server refuses rings
#     beyond its own queue count: the link came up only if the gateway
#     opens one queue each way).
# Each phase: ARP (control lcore on the LAN), handshake (control lcore on
# the WAN), tunnel traffic both ways (the worker), ICMP echo of the gateway
# (control lcore); the gateway must stay up and exit cleanly with every
# mbuf back. memif needs no hugepages (its regions are memfd).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init 100
wgt_require_gateway
command -v dpdk-testpmd >/dev/null || wgt_fail "dpdk-testpmd not installed (package dpdk-dev)"

# testpmd's DPDK runtime directory is not one that run removes
tp_prefix="wgt${WGT_ID}tp"
# shellcheck disable=SC2317  # called by the trap
mq_teardown() {
    local rc=$?
    set +e
    testpmd_stop
    rm -rf "/var/run/dpdk/$tp_prefix"
    (exit "$rc")
    wgt_teardown
    exit "$rc"
}
trap mq_teardown EXIT

wgt_topology
wgt_add_peer 1
wgt_gw_config
lan=$(wgt_ns lan); gw=$(wgt_ns gw); p1=$(wgt_ns p1); site=$(wgt_site4 1)

GW_ROLE=server
wgt_gw_cmd() {
    printf '%s\0' "$WGT_BIN" -l "$WGT_LCORES" --no-pci --no-huge -m "$WGT_MEM_MB" \
        "--file-prefix=wgt$WGT_ID" \
        "--vdev=net_memif0,role=$GW_ROLE,id=0,socket=$WGT_DIR/lan.sock,socket-abstract=no,mac=02:00:00:00:01:01" \
        "--vdev=net_memif1,role=$GW_ROLE,id=0,socket=$WGT_DIR/wan.sock,socket-abstract=no,mac=02:00:00:00:02:01" \
        -- -c "$1"
}

# testpmd ROLE: ports 0/1 = memif LAN / veth gw-lan, 2/3 = memif WAN /
# veth gw-wan; io forwarding pairs 0<->1 and 2<->3. One queue each way.
tp_pid=
testpmd_start() {
    local role=$1
    wgt_bg "$gw" "$WGT_DIR/testpmd-$role.log" dpdk-testpmd -l "$WGT_LCORES" --no-pci \
        --no-huge -m 256 "--file-prefix=$tp_prefix" \
        "--vdev=net_memif0,role=$role,id=0,socket=$WGT_DIR/lan.sock,socket-abstract=no" \
        "--vdev=net_af_packet0,iface=gw-lan" \
        "--vdev=net_memif1,role=$role,id=0,socket=$WGT_DIR/wan.sock,socket-abstract=no" \
        "--vdev=net_af_packet1,iface=gw-wan" \
        -- --forward-mode=io --auto-start --no-mlockall --rxq=1 --txq=1 \
        --nb-cores=1 --total-num-mbufs=4096 --stats-period=3600
    tp_pid=$WGT_LAST_PID
    wgt_wait_for 20 grep -q "Port 3:" "$WGT_DIR/testpmd-$role.log" ||
        wgt_fail "testpmd ($role) did not configure its ports: $(tail -n 5 "$WGT_DIR/testpmd-$role.log")"
}
testpmd_stop() {
    [[ -n $tp_pid ]] || return 0
    wgt_stop_pid "$tp_pid" 5 || true
    tp_pid=
}

gw_alive() {
    if [[ -z $WGT_GW_PID ]] || ! kill -0 "$WGT_GW_PID" 2>/dev/null; then
        wgt_fail "$1: the gateway died: $(grep -m1 -iE 'segmentation|signal|fault' "$WGT_GW_LOG" || tail -n 3 "$WGT_GW_LOG")"
    fi
}

gw_stop_clean() {
    local phase=$1 inuse
    wgt_gw_stop
    ((WGT_GW_RC == 0)) || wgt_fail "$phase: the gateway exited with $WGT_GW_RC"
    inuse=$(awk '$(NF-1) == "mbufs_in_use" { v = $NF } END { print v }' "$WGT_GW_LOG")
    [[ $inuse == 0 ]] || wgt_fail "$phase: mbufs_in_use at exit is '${inuse}', want 0"
    wgt_log "$phase: clean exit, mbufs_in_use 0; drops: $(wgt_gw_drop_lines | awk '{ printf "%s=%s ", $(NF-1), $NF }')"
    mv "$WGT_GW_LOG" "$WGT_DIR/gateway-$phase.log"
}

traffic() {
    local phase=$1 start=$SECONDS ok=0 i
    # ARP, staged packet, handshake, then the worker's tunnel traffic
    for ((i = 0; i < 40 && SECONDS - start < 20; i++)); do
        if timeout 5 ip netns exec "$lan" ping -q -n -c 1 -W 1 "$site" >/dev/null 2>&1; then
            ok=1
            break
        fi
        sleep 0.5
    done
    if ((!ok)); then
        gw_alive "$phase"
        wgt_gw_stop
        wgt_fail "$phase: nothing crosses the gateway; its counters at exit: $(grep -E 'wg-dpdk: (tx_|drop_)' "$WGT_GW_LOG" | tail -n 4 | awk '{ printf "%s=%s ", $(NF-1), $NF }')"
    fi
    gw_alive "$phase"
    wgt_ping "$lan" "$site" 5
    wgt_ping "$p1" 192.0.2.2 5
    # echo replies come from the control lcore
    wgt_ping "$lan" 192.0.2.1 3
    gw_alive "$phase"
}

# 1. gateway = server; the client must connect after the server listens
wgt_gw_start
wgt_wait_for 20 grep -q "running;" "$WGT_GW_LOG" || wgt_fail "server: gateway not running"
testpmd_start client
traffic server
testpmd_stop
gw_stop_clean server

# 2. gateway = client of a one-queue server
testpmd_start server
GW_ROLE=client
wgt_gw_start
wgt_wait_for 20 grep -q "running;" "$WGT_GW_LOG" || wgt_fail "client: gateway not running"
traffic client
gw_stop_clean client
testpmd_stop
wgt_pass
