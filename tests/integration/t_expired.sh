#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# Packets for an expired keypair: with the test-only reject-after-time at
# 3 s, tools/wgpeer.py (holding peer 2's key) completes a handshake, waits
# 4.5 s and sends keepalives and data under that session. The gateway must
# drop every one under drop_keypair_expired (the keypair is still known:
# keys are zeroed only 3 x 3 s after the session), and the LAN host must
# see none of the data.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
N=5

wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 2
WGT_PEER_GW_ENDPOINT[2]=""
wgt_gw_config
wgh_testing_conf "reject_after_time = 3; rekey_after_time = 2;"
wgt_gw_start
lan=$(wgt_ns lan); p2=$(wgt_ns p2)
wgt_stop_pid "${WGT_PEER_PID[2]}" 5 || true
echo4=$(wgt_icmp_in_echos "$lan" 4)
out=$(timeout 30 ip netns exec "$p2" python3 "$(wgh_tool wgpeer.py)" \
    --priv-file "$WGT_DIR/p2.key" --gw-pub "$WGT_GW_PUB" \
    --bind "$(wgt_wan4 2):40000" --gw 198.51.100.1:51820 --n "$N" --wait 4.5 \
    --inner-src "$(wgt_site4 2)" expired 2>&1) || wgt_fail "wgpeer.py expired failed: $out"
sleep 1
wgh_snapshot
exp=$(wgh_counter drop_keypair_expired)
((exp == 2 * N)) || wgt_fail "drop_keypair_expired $exp, want $((2 * N))"
d4=$(($(wgt_icmp_in_echos "$lan" 4) - echo4))
((d4 == 0)) || wgt_fail "lan-host received $d4 echo requests under an expired session"
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_log "$exp packets under an expired keypair dropped"
wgt_pass
