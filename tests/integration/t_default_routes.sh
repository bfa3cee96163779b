#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# AllowedIPs = 0.0.0.0/0, ::/0 (the usual "everything through the tunnel"):
# `wg set` takes ::/0 (rte_lpm6 has no prefix of length 0; the gateway
# keeps it in a slot beside each table copy), `wg show` lists it, and the
# peer's IPv6 site answers through it alone. With ::/0 taken away again
# (0.0.0.0/0 only) the IPv6 site is unrouted: pings to it go unanswered
# and are counted as drop_no_allowed_ip, while IPv4 still passes.
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
gw=$WGT_GW_NAME; lan=$(wgt_ns lan); pub=${WGT_PEER_PUB[1]}
site4=$(wgt_site4 1); site6=$(wgt_site6 1)
wgt_ping_until "$lan" "$site4" 20
wgt_ping_until "$lan" "$site6" 20

wg set "$gw" peer "$pub" allowed-ips 0.0.0.0/0,::/0 ||
    wgt_fail "wg set allowed-ips 0.0.0.0/0,::/0 refused"
ips=$(wg show "$gw" allowed-ips)
wgt_log "allowed-ips: $ips"
grep -qw '::/0' <<<"$ips" || wgt_fail "wg show lists no ::/0: $ips"
grep -qw '0.0.0.0/0' <<<"$ips" || wgt_fail "wg show lists no 0.0.0.0/0: $ips"
# the site's own prefixes are gone: only the default routes carry it
wgt_ping "$lan" "$site6" 3
wgt_ping "$lan" "$site4" 3

wg set "$gw" peer "$pub" allowed-ips 0.0.0.0/0 ||
    wgt_fail "wg set allowed-ips 0.0.0.0/0 refused"
wgh_snapshot
before=$(wgh_counter drop_no_allowed_ip)
lost=0
for i in 1 2 3; do
    if ! timeout 5 ip netns exec "$lan" ping -q -n -c 1 -W 2 "$site6" >/dev/null 2>&1; then
        lost=$((lost + 1))
    fi
done
((lost == 3)) || wgt_fail "$site6 answered $((3 - lost))/3 pings without ::/0"
wgt_ping "$lan" "$site4" 3
wgt_wait_for 10 wgh_counter_above drop_no_allowed_ip "$before" ||
    wgt_fail "drop_no_allowed_ip stayed at $before"
wgt_pass
