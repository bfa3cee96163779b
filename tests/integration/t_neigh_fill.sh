#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# A neighbour table that cannot be filled. Peer 1 (AllowedIPs of the
# gateway cover the LAN's 2001:db8:a::/64) sends one UDP packet to each of
# FLOOD unused addresses of that /64 through the tunnel: every one makes
# the gateway solicit a neighbour that never answers, more than the
# table's 1,024 entries. Then a new address appears on lan-host:
#
#  * it must be reachable from the peer through the tunnel within
#    DEADLINE_S (the old gateway kept the unresolved entries for ever, so
#    it never was);
#  * the unresolved entries are given up (their held frames dropped and
#    counted) and nothing stays held; the pool is back to zero mbufs in use
#    at exit; the lan-host resolved before the flood still answers.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
FLOOD=2500
DEADLINE_S=15
NEW_HOST=2001:db8:a::beef

wgt_init 120
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
wgh_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1)

wgt_ping_until "$p1" 2001:db8:a::2 20

# 2001:db8:a::1:0 .. ::1:9c3, paced (50 packets every 10 ms) so that the
# control ring takes them all; bounded in count and time
wgt_log "peer sends $FLOOD packets to unused addresses of 2001:db8:a::/64"
timeout 30 ip netns exec "$p1" python3 - "$FLOOD" <<'PY'
import socket, sys, time
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for i in range(n):
    s.sendto(b"neighbour-fill", ("2001:db8:a::1:%x" % i, 9))
    if i % 50 == 49:
        time.sleep(0.01)
PY
wgh_snapshot
wgt_log "after the flood: $(wgh_counter neighbour_entries_failed) entries failed, $(wgh_counter mbufs_held_for_neighbours) frames held"

ip -n "$lan" -6 addr add "$NEW_HOST/64" dev lan0 nodad
start=$SECONDS
wgt_ping_until "$p1" "$NEW_HOST" "$DEADLINE_S"
wgt_log "new LAN host reachable through the tunnel after $((SECONDS - start)) s"
wgt_ping "$p1" "$NEW_HOST" 3
wgt_ping "$p1" 2001:db8:a::2 3

# the unresolved entries fail after 5 solicitations 1 s apart; a snapshot
# is a telemetry read and returns at once, so the wait paces itself
held_gone() {
    wgh_snapshot
    (($(wgh_counter mbufs_held_for_neighbours) == 0))
}
for ((i = 0; i < 15; i++)); do held_gone && break; sleep 1; done
held=$(wgh_counter mbufs_held_for_neighbours)
((held == 0)) || wgt_fail "$held frames still held for neighbours 15 s after the flood"
unresolved=$(wgh_counter drop_neighbour_unresolved)
failed=$(wgh_counter neighbour_entries_failed)
wgt_log "entries failed $failed, frames dropped unresolved $unresolved, hold full $(wgh_counter drop_neighbour_hold_full), replaced $(wgh_counter neighbour_entries_replaced)"
((failed >= 512)) || wgt_fail "only $failed unresolved entries given up, want >= 512"
((unresolved >= 1)) || wgt_fail "no held frame counted as dropped (drop_neighbour_unresolved)"

wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
final=$(wgh_counter mbufs_in_use)
((final == 0)) || wgt_fail "on exit $final mbufs in use"
wgt_log "on exit: $final mbufs in use, $(wgh_counter neighbours) neighbours ($(wgh_counter neighbours_reachable) reachable, $(wgh_counter neighbours_stale) stale, $(wgh_counter neighbours_incomplete) incomplete)"
wgt_pass
