#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# A peer that stops answering, with the test-only timers shortened
# (rekey-timeout 1 s instead of 5, rekey-attempt-time 6 s instead of 90,
# reject-after-time 5 s instead of 180, so keys are zeroed 15 s after the
# last session instead of 9 min):
#  * after its session expired, packets for it are queued and the gateway
#    sends initiations, one per rekey-timeout + jitter (never two within
#    rekey-timeout), rekey-attempt-time / rekey-timeout + 1 retries;
#  * then it gives up: no more initiations, the queued packets are dropped
#    and counted (drop_handshake_gave_up), none leaked;
#  * keys are zeroed 3 x reject-after-time after the last session.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
RETRY=1 ATTEMPT=6 REJECT=5

wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
wgh_testing_conf "rekey_after_time = 3; reject_after_time = $REJECT; rekey_timeout = $RETRY; rekey_attempt_time = $ATTEMPT; keepalive_timeout = 2;"
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1); site=$(wgt_site4 1)
wgt_ping_until "$lan" "$site" 20
wgt_ping "$lan" "$site" 3

# The peer goes silent; its kernel still answers with ICMP port
# unreachable, which the gateway ignores.
wgt_stop_pid "${WGT_PEER_PID[1]}" 5 || true
cap=$WGT_DIR/initiations.txt
wgt_bg "$p1" "$cap" timeout 60 tcpdump -l -n -tt -i wan0 'udp and src host 198.51.100.1 and src port 51820 and udp[8] == 1'
sleep 1
# the session expires (reject-after-time), then three packets get queued
sleep $((REJECT + 1))
t0=$(date +%s.%N)
# The three packets go out within a few ms: each packet for a peer without
# a session restarts the attempt count (as in the reference drivers), so
# one arriving after the first retry would add an attempt to the series.
timeout 10 ip netns exec "$lan" ping -q -n -c 3 -i 0.01 -W 1 "$site" >/dev/null 2>&1 &&
    wgt_fail "ping answered by a peer that is gone"
wgt_log "3 packets queued for the silent peer"
wgt_wait_for $((ATTEMPT * 3 + 10)) grep -q 'handshake gave up' "$WGT_GW_LOG" ||
    wgt_fail "the gateway never gave up on the silent peer"
gave_up=$(date +%s.%N)
wgt_log "gave up $(python3 -c "import sys; print('%.1f' % (float(sys.argv[1]) - float(sys.argv[2])))" "$gave_up" "$t0") s after the first queued packet"
sleep $((RETRY * 3))

# initiations from the first queued packet on
mapfile -t ts < <(awk -v t0="$t0" '$1 + 0 >= t0 - 0.5 { print $1 }' "$cap")
n=${#ts[@]}
want=$((ATTEMPT / RETRY + 2)) # the first one, then ATTEMPT/RETRY + 1 retries
wgt_log "$n initiations after the packets were queued: ${ts[*]}"
# The exact count is unit-tested on a fake clock (tests/unit/test_timers.c).
# Here the window [t0 - 0.5 s, ...) can miss or include one initiation:
# every packet for a peer without a session restarts the attempt count, as
# in the reference drivers, and on a slow (sanitizer) build the control
# core handles the queued packets' events up to a few hundred ms late.
((n >= want - 1 && n <= want + 1)) ||
    wgt_fail "$n initiations, want $want ± 1 (1 + $((ATTEMPT / RETRY + 1)) retries)"
python3 - "$RETRY" "${ts[@]}" <<'PY' || wgt_fail "retransmit intervals out of bounds"
import sys
retry = float(sys.argv[1]); ts = [float(t) for t in sys.argv[2:]]
gaps = [b - a for a, b in zip(ts, ts[1:])]
print("intervals:", " ".join("%.2f" % g for g in gaps), file=sys.stderr)
# never two within rekey-timeout (rate rule); jitter < 333 ms, plus slack
# for a loaded machine
sys.exit(0 if all(retry - 0.05 <= g <= retry + 0.333 + 1.5 for g in gaps) else 1)
PY
last=${ts[n - 1]}
after=$(awk -v l="$last" '$1 + 0 > l { c++ } END { print c + 0 }' "$cap")
((after == 0)) || wgt_fail "$after initiations after giving up"

wgt_wait_for $((3 * REJECT + 10)) grep -q 'keys zeroed' "$WGT_GW_LOG" ||
    wgt_fail "keys not zeroed within 3 x reject-after-time (+10 s)"
wgt_log "keys zeroed"
wgh_snapshot
gaveup=$(wgh_counter drop_handshake_gave_up)
((gaveup >= 3)) || wgt_fail "drop_handshake_gave_up $gaveup, want >= 3 (the queued pings)"
staged=$(wgh_counter mbufs_staged)
((staged == 0)) || wgt_fail "$staged mbufs still queued after giving up"
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
final=$(wgh_counter mbufs_in_use); held=$(wgh_counter mbufs_held_for_neighbours)
((final <= held)) || wgt_fail "on exit $final mbufs in use, $held held for neighbours: leak"
wgt_log "gave up with $gaveup packets dropped and counted; mbufs on exit $final"
wgt_pass
