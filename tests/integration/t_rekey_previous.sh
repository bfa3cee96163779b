#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# The previous keypair goes back to the pool once the peer has switched
# (gw_peer_tick_previous): with the test-only rekey-after-time at 8 s the
# gateway rekeys under a ping every 0.2 s; telemetry (/wg_dpdk/peer) must
# show a previous keypair after a rekey and, REKEY_TIMEOUT (5 s) after
# wireguard-go's first packet on the new one (so never before the new
# keypair is 5 s old), no previous keypair beside the current one. Every
# ping is answered and nothing arrives on a retired keypair
# (drop_unknown_receiver_index 0): the peer had switched.
# Polls telemetry at most 60 times (about 0.5 s each).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
COUNT=150

wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
wgh_testing_conf "rekey_after_time = 8; reject_after_time = 60;"
wgt_gw_start
lan=$(wgt_ns lan); site=$(wgt_site4 1); p1pub=${WGT_PEER_PUB[1]}
wgt_ping_until "$lan" "$site" 20
out_file=$WGT_DIR/ping.out
timeout 60 ip netns exec "$lan" ping -n -q -c "$COUNT" -i 0.2 -W 2 "$site" >"$out_file" 2>&1 &
ping_pid=$!

# per poll: 1 = current and previous, 0 = current alone, - = no session
seen=""
for ((i = 0; i < 60; i++)); do
    j=$(wgt_tel "/wg_dpdk/peer,$p1pub")
    s=$(wgt_json "$j" "'-' if 'current_keypair_age_ms' not in j['/wg_dpdk/peer'] else ('1' if 'previous_keypair_age_ms' in j['/wg_dpdk/peer'] else '0')")
    seen+=$s
    # a rekey (1) and later its previous keypair retired (0): done, and
    # not before REKEY_TIMEOUT after the peer's first packet on the new
    # keypair, itself after the new keypair's birth
    if [[ $seen == *1*0 ]]; then
        age=$(wgt_json "$j" "j['/wg_dpdk/peer']['current_keypair_age_ms']")
        wgt_log "previous keypair retired; the current one is $age ms old"
        ((age >= 5000)) || wgt_fail "previous keypair retired $age ms after the rekey, before REKEY_TIMEOUT"
        break
    fi
    sleep 0.3
done
wgt_log "keypair slots by poll (1: current + previous, 0: current only): $seen"
[[ $seen == *1* ]] || wgt_fail "no rekey seen in $i polls: $seen"
[[ $seen == *1*0* ]] || wgt_fail "the previous keypair was never retired after a rekey: $seen"

wait "$ping_pid" || true
wgh_snapshot
unknown=$(wgh_counter drop_unknown_receiver_index)
expired=$(wgh_counter drop_keypair_expired)
forged=$(wgh_counter drop_authentication_failed)
wgt_log "dropped: $unknown unknown index, $expired expired, $forged forged; handshake messages sent $(wgh_counter handshake_messages_sent), received $(wgh_counter handshake_messages_received)"
grep -q " $COUNT received" "$out_file" || {
    cat "$out_file" >&2
    wgt_log "drops: $(awk '$1 ~ /^drop_/ && $2 > 0 { printf "%s=%s ", $1, $2 }' "$(wgh_snapshot_file)")"
    wgt_fail "pings lost across the retirement"
}
((unknown + expired + forged == 0)) || wgt_fail "packets dropped across the retirement"
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_pass
