#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Long test, not in CI (about 150 s): rekey with the protocol's real
# timers, no test-only knob. The gateway initiates and lan-host pings the
# peer's site 5 times a second for 130 s, across the 120 s
# rekey-after-time. Every ping must be answered, a second handshake must
# have completed, and nothing may be dropped for an unknown index, an
# expired keypair or a bad tag.
#
#   tests/integration/long/run            # every long test
#   tests/integration/long/rekey_real_time.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR/..
source "$here/lib.sh"
# shellcheck source-path=SCRIPTDIR/..
source "$here/hostile.sh"
COUNT=650 # 130 s at 5 per second

wgt_init 300
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); site=$(wgt_site4 1)
wgt_ping_until "$lan" "$site" 20
hs0=$(grep -c 'handshake complete (initiator)' "$WGT_GW_LOG" || true)

out=$(timeout 200 ip netns exec "$lan" ping -n -q -c "$COUNT" -i 0.2 -W 2 "$site" 2>&1) || true
grep -q " $COUNT received" <<<"$out" || { echo "$out" >&2; wgt_fail "pings lost across the real-time rekey"; }
hs=$(($(grep -c 'handshake complete (initiator)' "$WGT_GW_LOG") - hs0))
wgt_log "$COUNT pings over 130 s answered across $hs rekey(s)"
((hs >= 1)) || wgt_fail "no rekey within 130 s (rekey-after-time is 120 s)"
wgh_snapshot
for c in drop_unknown_receiver_index drop_keypair_expired drop_authentication_failed \
    drop_replayed_counter drop_staged_queue_full drop_handshake_gave_up; do
    v=$(wgh_counter "$c")
    ((v == 0)) || wgt_fail "$c = $v across the rekey"
done
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_pass
