#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two wireguard-go peers, each with its own AllowedIPs on the gateway:
#   peer 1: 203.0.113.0/26, 2001:db8:b:1::/64
#   peer 2: 203.0.113.64/26, 2001:db8:b:2::/64
# Both carry traffic. Then peer 1 sends packets whose inner source belongs
# to peer 2 (203.0.113.65, 2001:db8:b:2::99): the gateway must drop them
# after decryption (cryptokey routing source check) and count the drops.
#
# Assumption on the gateway (its contract with this test): on SIGTERM it
# exits with status 0 within 10 s and prints its drop counters, one per
# line, as
#     drop <reason> <count>     or     drop_<reason> <count>
# (any log prefix before them is allowed; <reason> is one word; app/
# gw_stats.c prints the second form, nonzero counters only). The drop of a
# decrypted packet whose source address is not in the sending peer's
# AllowedIPs is counted under a reason whose name contains "src" or
# "source" (app/gw_stats.h: drop_inner_source_not_allowed; "allowed" alone
# is not enough: drop_no_allowed_ip is the LAN side's no-route drop). The test sums
# those counts and requires at least the number of spoofed packets it
# sent (10).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_add_peer 2
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1); p2=$(wgt_ns p2)

for n in 1 2; do
    wgt_ping_until "$lan" "$(wgt_site4 "$n")" 20
    wgt_ping "$lan" "$(wgt_site4 "$n")" 5
    wgt_ping "$lan" "$(wgt_site6 "$n")" 5
    wgt_ping "$(wgt_ns "p$n")" 192.0.2.2 5
done

# Spoof: in peer 1's namespace, addresses that belong to peer 2's site.
ip -n "$p1" addr add 203.0.113.65/32 dev lo
ip -n "$p1" addr add 2001:db8:b:2::99/128 dev lo nodad
in4=$(wgt_icmp_in_echos "$lan" 4); in6=$(wgt_icmp_in_echos "$lan" 6)
timeout 20 ip netns exec "$p1" ping -q -n -c 5 -i 0.2 -W 1 -I 203.0.113.65 192.0.2.2 >/dev/null 2>&1 || true
timeout 20 ip netns exec "$p1" ping -q -n -c 5 -i 0.2 -W 1 -I 2001:db8:b:2::99 2001:db8:a::2 >/dev/null 2>&1 || true
sleep 1
d4=$(($(wgt_icmp_in_echos "$lan" 4) - in4)); d6=$(($(wgt_icmp_in_echos "$lan" 6) - in6))
((d4 == 0)) || wgt_fail "lan-host received $d4 spoofed IPv4 echo requests"
((d6 == 0)) || wgt_fail "lan-host received $d6 spoofed IPv6 echo requests"
wgt_log "lan-host received none of the 10 spoofed echo requests"

# Legitimate traffic from both peers still flows.
wgt_ping "$p1" 192.0.2.2 3
wgt_ping "$p2" 192.0.2.2 3

wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC after SIGTERM"
wgt_gw_drop_lines >&2 || wgt_fail "gateway printed no drop counter lines"
drops=$(wgt_gw_drops 'src|source')
((drops >= 10)) || wgt_fail "source-check drops counted: $drops, want >= 10"
wgt_log "source-check drops: $drops"
wgt_pass
