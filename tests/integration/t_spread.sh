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
# decrypting workers), and every mbuf must come back.
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

wgh_snapshot
base_inuse=$(wgh_counter mbufs_in_use)
handed0=$(wgh_counter spread_frames_handed)
replay0=$(wgh_counter drop_replayed_counter)
window0=$(wgh_counter drop_counter_outside_window)
auth0=$(wgh_counter drop_authentication_failed)

# the peer sends (WAN -> LAN, decryption), then a few pings both ways
wgt_iperf "$lan" 192.0.2.2 "$p1"
wgt_ping "$p1" 192.0.2.2 5
wgt_ping "$lan" "$(wgt_site4 1)" 5
wgh_snapshot

handed=$(($(wgh_counter spread_frames_handed) - handed0))
replays=$(($(wgh_counter drop_replayed_counter) - replay0))
window=$(($(wgh_counter drop_counter_outside_window) - window0))
auth=$(($(wgh_counter drop_authentication_failed) - auth0))
wgt_log "frames handed to the helper: $handed; replays $replays, outside window $window, bad tags $auth"
((handed > 0)) || wgt_fail "no frame was handed to the helper worker: spreading not exercised"
((replays == 0)) || wgt_fail "$replays authenticated packets refused as replays with two workers"
((window == 0)) || wgt_fail "$window packets outside the window with two workers"
((auth == 0)) || wgt_fail "$auth packets failed authentication"
inuse=$(wgh_counter mbufs_in_use)
((inuse <= base_inuse)) || wgt_fail "mbufs in use: $inuse after, $base_inuse before"
wgt_pass
