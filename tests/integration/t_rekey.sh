#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# Rekey under traffic, with the test-only rekey-after-time shortened to
# 4 s (reject-after-time 10 s): the gateway initiates, so it starts a new
# handshake every 4 s while lan-host pings the peer's site 10 times a
# second for 20 s. Every ping must be answered (a rekey loses nothing:
# the peer's packets still in flight under the previous keypair are
# accepted), at least 3 rekeys must have happened, and nothing may have
# been dropped for an unknown index, an expired keypair or a bad tag.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
REKEY=4 COUNT=200

wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
wgh_testing_conf "rekey_after_time = $REKEY; reject_after_time = 10;"
wgt_gw_start
lan=$(wgt_ns lan); site=$(wgt_site4 1); site6=$(wgt_site6 1)
wgt_ping_until "$lan" "$site" 20
hs0=$(grep -c 'handshake complete (initiator)' "$WGT_GW_LOG" || true)

out=$(timeout 60 ip netns exec "$lan" ping -n -q -c "$COUNT" -i 0.1 -W 2 "$site" 2>&1) || true
out6=$(timeout 30 ip netns exec "$lan" ping -6 -n -q -c 50 -i 0.1 -W 2 "$site6" 2>&1) || true
grep -q " $COUNT received" <<<"$out" || { echo "$out" >&2; wgt_fail "pings lost across rekeys"; }
grep -q " 50 received" <<<"$out6" || { echo "$out6" >&2; wgt_fail "IPv6 pings lost across rekeys"; }
hs=$(($(grep -c 'handshake complete (initiator)' "$WGT_GW_LOG") - hs0))
wgt_log "$COUNT + 50 pings answered across $hs rekeys"
((hs >= 3)) || wgt_fail "only $hs rekeys in $((COUNT / 10 + 5)) s with rekey-after-time $REKEY s"
wgh_snapshot
for c in drop_unknown_receiver_index drop_keypair_expired drop_authentication_failed \
    drop_replayed_counter drop_staged_queue_full drop_handshake_gave_up; do
    v=$(wgh_counter "$c")
    ((v == 0)) || wgt_fail "$c = $v across rekeys"
done
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_pass
