#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Four peers on two workers, with the PMD spreading flows over queues:
# net_af_packet with qpairs=3 opens three RX sockets in one PACKET_FANOUT
# hash group, and the gateway hands RX queues to workers round-robin
# (app/gw_port.c: worker 0 polls queues 0 and 2, worker 1 queue 1). Three
# lcores on this machine's two CPUs: control on CPU 0, both workers on
# CPU 1 (0@0,1@1,2@1), as t_spread.sh.
#
# Every peer's traffic must flow both ways (pings from each side, a TCP
# transfer from each peer to lan-host, the gateway's per-peer packet
# counters and wireguard-go's byte counters moving both ways), and both
# workers must have carried traffic: /wg_dpdk/workers must list two
# workers and each must have received and sent at least $min_per_worker
# frames during the transfers (ARP alone never reaches that).
#
# Whether worker 1 gets flows depends on the kernel's flow hash: 4 tunnel
# flows on the WAN and 4 TCP streams per peer (-P 4) plus the control
# connections on the LAN, each landing on worker 1's one queue of three
# with probability 1/3, so all 20-odd on worker 0 is below 1 in 3,000.
#
# To see it fail: FANOUT_WORKERS=1 FANOUT_LCORES=0-1 FANOUT_QPAIRS=2 (one
# worker: telemetry lists one) or a gateway that gives every RX queue to
# worker 0 (worker 1 receives nothing).
set -euo pipefail
# before lib.sh reads them
export WGT_WORKERS=${FANOUT_WORKERS:-2} WGT_LCORES=${FANOUT_LCORES:-0@0,1@1,2@1}
export WGT_QPAIRS=${FANOUT_QPAIRS:-3}
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

peers=(1 2 3 4)
min_per_worker=100

wgt_init
wgt_require_gateway
wgt_topology
for n in "${peers[@]}"; do wgt_add_peer "$n"; done
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan)

# "rx tx" frames of each worker: rx_lan + rx_wan, tx_lan + tx_wan
worker_frames() {
    local out
    out=$(wgt_tel /wg_dpdk/workers) || wgt_fail "telemetry /wg_dpdk/workers: no answer"
    python3 - "$out" <<'PY'
import json, sys
w = json.loads(sys.argv[1])["/wg_dpdk/workers"]
if w is None:
    sys.exit("no /wg_dpdk/workers")
for i in range(w["workers"]):
    f = lambda k: w["worker%d/%s" % (i, k)]
    print(i, f("rx_lan_packets") + f("rx_wan_packets"),
          f("tx_lan_packets") + f("tx_wan_packets"))
PY
}

# "rx_packets tx_packets" of peer N on the gateway (rx: from the peer)
gw_peer_packets() {
    local out
    out=$(wgt_tel "/wg_dpdk/peer,${WGT_PEER_PUB[$1]}") || wgt_fail "telemetry /wg_dpdk/peer: no answer"
    wgt_json "$out" "'%d %d' % (j['/wg_dpdk/peer']['rx_packets'], j['/wg_dpdk/peer']['tx_packets'])"
}

for n in "${peers[@]}"; do wgt_ping_until "$lan" "$(wgt_site4 "$n")" 30; done

declare -a gw0 wg0
for n in "${peers[@]}"; do
    gw0[n]=$(gw_peer_packets "$n")
    wg0[n]=$(wgt_transfer "${WGT_PEER_NAME[n]}" "$WGT_GW_PUB")
done
mapfile -t before < <(worker_frames)

for n in "${peers[@]}"; do
    pn=$(wgt_ns "p$n")
    # reachability each way; a ping lost to a busy 2-CPU machine is not
    # what this test is about (the counters below are its assertions)
    wgt_ping_until "$lan" "$(wgt_site4 "$n")" 10
    wgt_ping_until "$lan" "$(wgt_site6 "$n")" 10
    wgt_ping_until "$pn" 192.0.2.2 10
    wgt_iperf "$lan" 192.0.2.2 "$pn" -P 4
done

mapfile -t after < <(worker_frames)
((${#after[@]} == WGT_WORKERS && ${#before[@]} == WGT_WORKERS)) ||
    wgt_fail "/wg_dpdk/workers lists ${#after[@]} workers, configured $WGT_WORKERS"
((${#after[@]} == 2)) || wgt_fail "the gateway runs ${#after[@]} worker(s), this test needs 2"

for i in "${!after[@]}"; do
    read -r _ rx0 tx0 <<<"${before[i]}"
    read -r _ rx1 tx1 <<<"${after[i]}"
    rx=$((rx1 - rx0)) tx=$((tx1 - tx0))
    wgt_log "worker $i: received $rx, sent $tx frames during the transfers"
    ((rx >= min_per_worker)) ||
        wgt_fail "worker $i received $rx frames (< $min_per_worker): flows were not spread over both workers"
    ((tx >= min_per_worker)) || wgt_fail "worker $i sent $tx frames (< $min_per_worker)"
done

for n in "${peers[@]}"; do
    read -r grx0 gtx0 <<<"${gw0[n]}"
    read -r grx1 gtx1 <<<"$(gw_peer_packets "$n")"
    read -r wrx0 wtx0 <<<"${wg0[n]}"
    read -r wrx1 wtx1 <<<"$(wgt_transfer "${WGT_PEER_NAME[n]}" "$WGT_GW_PUB")"
    wgt_log "peer $n: gateway rx $((grx1 - grx0)) tx $((gtx1 - gtx0)) packets; wireguard-go rx $((wrx1 - wrx0)) tx $((wtx1 - wtx0)) bytes"
    # the transfer alone is >= 64 KiB from the peer (wgt_iperf); ACKs
    # and echo replies go back
    ((grx1 - grx0 >= min_per_worker && gtx1 - gtx0 >= min_per_worker)) ||
        wgt_fail "peer $n: the gateway counted rx $((grx1 - grx0)) / tx $((gtx1 - gtx0)) packets"
    ((wtx1 - wtx0 >= 65536 && wrx1 - wrx0 > 0)) ||
        wgt_fail "peer $n: wireguard-go sent $((wtx1 - wtx0)) and received $((wrx1 - wrx0)) bytes"
done

wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC after SIGTERM"
wgt_pass
