#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The gateway is a hop: every packet it forwards, either way, loses one
# TTL / hop limit, and one that would leave with 0 is answered with ICMP
# time exceeded from the gateway's LAN address (192.0.2.1, 2001:db8:a::1)
# toward whoever sent it: on the LAN to the LAN host, through the tunnel
# (encrypted) to the host behind the peer. Counted as drop_ttl_exceeded.
set -euo pipefail
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
site4=$(wgt_site4 1); site6=$(wgt_site6 1)

wgt_ping_until "$lan" "$site4" 20
wgt_ping_until "$lan" "$site6" 20
wgh_snapshot
ttl0=$(wgh_counter drop_ttl_exceeded)
icmp0=$(wgh_counter icmp_errors_sent)

fails=0
# expect NS DESCRIPTION REGEX PING-ARGS...: one probe, its output must match
expect() {
    local ns=$1 what=$2 re=$3 out
    shift 3
    out=$(timeout 10 ip netns exec "$ns" ping -n -c 1 -W 3 "$@" 2>&1 || true)
    if grep -Eq "$re" <<<"$out"; then
        wgt_log "ok   $what"
    else
        wgt_log "FAIL $what: ping $*:"
        printf '%s\n' "$out" >&2
        fails=$((fails + 1))
    fi
}

# Replies are sent with 64 by both ends' kernels and cross the gateway once.
expect "$lan" "LAN -> peer v4: reply ttl 63" ' ttl=63 ' "$site4"
expect "$p1" "peer -> LAN v4: reply ttl 63" ' ttl=63 ' 192.0.2.2
expect "$lan" "LAN -> peer v6: reply hop limit 63" ' ttl=63 ' -6 "$site6"
expect "$p1" "peer -> LAN v6: reply hop limit 63" ' ttl=63 ' -6 2001:db8:a::2
# TTL 2 still arrives (with 1)
expect "$lan" "LAN -> peer v4 ttl 2 answered" ' ttl=63 ' -t 2 "$site4"
expect "$p1" "peer -> LAN v4 ttl 2 answered" ' ttl=63 ' -t 2 192.0.2.2
# TTL 1 runs out at the gateway
expect "$lan" "LAN -> peer v4 ttl 1: time exceeded from 192.0.2.1" \
    '^From 192\.0\.2\.1 .*Time to live exceeded' -t 1 "$site4"
expect "$p1" "peer -> LAN v4 ttl 1: time exceeded from 192.0.2.1 through the tunnel" \
    '^From 192\.0\.2\.1 .*Time to live exceeded' -t 1 192.0.2.2
expect "$lan" "LAN -> peer v6 hop limit 1: time exceeded from 2001:db8:a::1" \
    '^From 2001:db8:a::1 .*Time exceeded: Hop limit' -6 -t 1 "$site6"
expect "$p1" "peer -> LAN v6 hop limit 1: time exceeded from 2001:db8:a::1 through the tunnel" \
    '^From 2001:db8:a::1 .*Time exceeded: Hop limit' -6 -t 1 2001:db8:a::2

wgh_snapshot
ttl=$(($(wgh_counter drop_ttl_exceeded) - ttl0))
icmp=$(($(wgh_counter icmp_errors_sent) - icmp0))
if ((ttl == 4 && icmp == 4)); then
    wgt_log "ok   drop_ttl_exceeded +$ttl, icmp_errors_sent +$icmp"
else
    wgt_log "FAIL drop_ttl_exceeded +$ttl, icmp_errors_sent +$icmp (want 4, 4)"
    fails=$((fails + 1))
fi
# the tunnel still carries traffic both ways
wgt_ping "$lan" "$site4" 3
wgt_ping "$p1" 192.0.2.2 3
((fails == 0)) || wgt_fail "$fails router check(s) failed"
wgt_pass
