#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `wg syncconf <gw> <(wg showconf <gw>)` on a running gateway changes
# nothing: it sends back the private key, every peer's preshared key,
# endpoint, persistent keepalive and AllowedIPs (replace_allowed_ips with
# the same list), and none of them may drop a session or leave a prefix
# unrouted. Two tunnels carry 20 pings/s (IPv4 to peer 1, which has a
# preshared key and a persistent keepalive; IPv6 to peer 2) while the
# gateway is synced twice: not one ping is lost, no new handshake is made,
# and `wg showconf` reads the same afterwards.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_add_peer 2
WGT_PEER_GW_KEEPALIVE[1]=25
# a preshared key on both ends of tunnel 1
psk=$(wg genpsk)
printf '%s\n' "$psk" >"$WGT_DIR/psk"; chmod 600 "$WGT_DIR/psk"
wgt_in "$(wgt_ns p1)" wg set "${WGT_PEER_NAME[1]}" peer "$WGT_GW_PUB" preshared-key "$WGT_DIR/psk"
wgt_gw_config
sed -i "s|^  { public_key = \"${WGT_PEER_PUB[1]}\";|&\n    preshared_key = \"$psk\";|" "$WGT_GW_CONF"
grep -q "preshared_key = \"$psk\"" "$WGT_GW_CONF" || wgt_fail "could not put the preshared key in $WGT_GW_CONF"
wgt_gw_start
gw=$WGT_GW_NAME; lan=$(wgt_ns lan)
site1=$(wgt_site4 1); site2=$(wgt_site6 2)
wgt_ping_until "$lan" "$site1" 20
wgt_ping_until "$lan" "$site2" 20
wgt_ping "$lan" "$site1" 3
wgt_ping "$lan" "$site2" 3
[[ $(wg show "$gw" preshared-keys) == *"$psk"* ]] || wgt_fail "gateway does not show the preshared key"
[[ $(wg show "$gw" persistent-keepalive) == *"${WGT_PEER_PUB[1]}"$'\t'25* ]] || wgt_fail "keepalive of peer 1 not 25"

conf0=$(wg showconf "$gw")
hs1=$(wgt_handshake "$gw" "${WGT_PEER_PUB[1]}"); hs2=$(wgt_handshake "$gw" "${WGT_PEER_PUB[2]}")
((hs1 > 0 && hs2 > 0)) || wgt_fail "no handshake before the sync ($hs1, $hs2)"

# 20 pings/s for 4 s on each tunnel; the syncs come 0.5 s and 1.5 s in
count=80 pids=()
for t in 1 2; do
    dst=$site1; [[ $t == 2 ]] && dst=$site2
    ( ip netns exec "$lan" timeout 20 ping -n -c "$count" -i 0.05 -W 2 "$dst" 2>&1 |
          awk '/packets transmitted/ { print $1, $4 }' >"$WGT_DIR/pings$t" || true ) &
    pids+=("$!"); WGT_PIDS+=("$!")
done
sleep 0.5
wg syncconf "$gw" <(wg showconf "$gw") || wgt_fail "wg syncconf failed"
sleep 1
wg syncconf "$gw" <(wg showconf "$gw") || wgt_fail "second wg syncconf failed"
wait "${pids[@]}"
for t in 1 2; do
    read -r sent got <"$WGT_DIR/pings$t" || wgt_fail "ping $t gave no summary"
    wgt_log "tunnel $t: $got of $sent pings answered across two wg syncconf"
    ((sent == count && got == count)) || wgt_fail "tunnel $t lost $((sent - got)) of $sent pings across wg syncconf"
done
[[ $(wgt_handshake "$gw" "${WGT_PEER_PUB[1]}") == "$hs1" ]] || wgt_fail "peer 1 made a new handshake after wg syncconf"
[[ $(wgt_handshake "$gw" "${WGT_PEER_PUB[2]}") == "$hs2" ]] || wgt_fail "peer 2 made a new handshake after wg syncconf"
[[ $(wg showconf "$gw") == "$conf0" ]] || wgt_fail "wg showconf differs after wg syncconf"
wgt_pass
