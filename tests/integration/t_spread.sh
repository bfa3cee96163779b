#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One tunnel's decryption spread over two workers, in the real gateway:
# three lcores on this machine's two CPUs (control, worker 0, worker 1),
# af_packet queues hashed per flow, so the tunnel's UDP flow lands on one
# worker, which hands part of its bursts to the other (app/gw_spread.c).
# A TCP transfer from the peer to lan-host must complete, some frames must
# really have been handed over (spread_frames_handed > 0: otherwise this
# test tests nothing), no authenticated packet may be refused as a replay
# or fall outside the window (the shared window must hold under two
# decrypting workers), and every mbuf must come back. The helper sends
# what it decrypted on its own LAN TX queue: the worker that did not
# receive the tunnel must have sent at least half as many LAN frames as
# were handed to it.
set -euo pipefail
# before lib.sh reads them: two workers on three lcores over two CPUs
export WGT_WORKERS=2 WGT_LCORES=0@0,1@1,2@1 WGT_QPAIRS=3
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"

wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1)
wgt_ping_until "$lan" "$(wgt_site4 1)" 20
grep -q "spreads decryption" "$WGT_GW_LOG" || wgt_fail "no worker spreads decryption (2 workers configured?)"

# "rx_wan tx_lan" frames of each worker
worker_frames() {
    local out
    out=$(wgt_tel /wg_dpdk/workers) || wgt_fail "telemetry /wg_dpdk/workers: no answer"
    python3 - "$out" <<'PY'
import json, sys
w = json.loads(sys.argv[1])["/wg_dpdk/workers"]
if w is None or w["workers"] != 2:
    sys.exit("/wg_dpdk/workers: not two workers")
for i in range(2):
    print(w["worker%d/rx_wan_packets" % i], w["worker%d/tx_lan_packets" % i])
PY
}

wgh_snapshot
base_inuse=$(wgh_counter mbufs_in_use)
mapfile -t before < <(worker_frames)
handed0=$(wgh_counter spread_frames_handed)
replay0=$(wgh_counter drop_replayed_counter)
window0=$(wgh_counter drop_counter_outside_window)
auth0=$(wgh_counter drop_authentication_failed)

# the peer sends (WAN -> LAN, decryption), then a few pings both ways
wgt_iperf "$lan" 192.0.2.2 "$p1"
wgt_ping "$p1" 192.0.2.2 5
wgt_ping "$lan" "$(wgt_site4 1)" 5
wgh_snapshot
mapfile -t after < <(worker_frames)
((${#before[@]} == 2 && ${#after[@]} == 2)) || wgt_fail "telemetry lists ${#after[@]} workers, want 2"
declare -a rx tx
for i in 0 1; do
    read -r r0 t0 <<<"${before[i]}"
    read -r r1 t1 <<<"${after[i]}"
    rx[i]=$((r1 - r0)) tx[i]=$((t1 - t0))
    wgt_log "worker $i: received $((rx[i])) WAN, sent $((tx[i])) LAN frames"
done
# the helper: the worker that received less of the tunnel
helper=1; ((rx[1] <= rx[0])) || helper=0

handed=$(($(wgh_counter spread_frames_handed) - handed0))
replays=$(($(wgh_counter drop_replayed_counter) - replay0))
window=$(($(wgh_counter drop_counter_outside_window) - window0))
auth=$(($(wgh_counter drop_authentication_failed) - auth0))
wgt_log "frames handed to the helper: $handed; replays $replays, outside window $window, bad tags $auth"
((handed > 0)) || wgt_fail "no frame was handed to the helper worker: spreading not exercised"
((2 * tx[helper] >= handed)) ||
    wgt_fail "the helper (worker $helper) sent $((tx[helper])) LAN frames of the $handed handed to it: its chunks went out elsewhere"
((replays == 0)) || wgt_fail "$replays authenticated packets refused as replays with two workers"
((window == 0)) || wgt_fail "$window packets outside the window with two workers"
((auth == 0)) || wgt_fail "$auth packets failed authentication"
inuse=$(wgh_counter mbufs_in_use)
((inuse <= base_inuse)) || wgt_fail "mbufs in use: $inuse after, $base_inuse before"
wgt_pass
