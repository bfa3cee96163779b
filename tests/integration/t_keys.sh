#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# Keys, against wireguard-go:
#  1. preshared keys: peer 1 shares one with the gateway and talks; peer 2
#     has a different one than the gateway and never completes a handshake
#     (the gateway rejects the response);
#  2. the gateway's private key changes (`wg set private-key`): the old
#     sessions die, peer 1 learns the new public key and the very next
#     handshake works;
#  3. peer 1's private key changes, the gateway replaces the peer: works;
#  4. peer 1 is removed (`wg set peer remove`): its sessions and keys are
#     gone: its packets under the old session are dropped as unknown
#     index, traffic to its site has no route any more;
#  5. low-order ephemeral keys (tools/wgpeer.py loworder, valid mac1)
#     never get a response.
# Needs the UAPI socket.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"

wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_add_peer 2
wgt_gw_config
wg genpsk >"$WGT_DIR/psk1"; wg genpsk >"$WGT_DIR/psk2"; wg genpsk >"$WGT_DIR/psk2-other"
for n in 1 2; do
    gwpsk=$WGT_DIR/psk$n
    sed -i "s|public_key = \"${WGT_PEER_PUB[n]}\";|& preshared_key = \"$(cat "$gwpsk")\";|" "$WGT_GW_CONF"
done
grep -q "preshared_key = \"$(cat "$WGT_DIR/psk1")\"" "$WGT_GW_CONF" || wgt_fail "psk not in the config"
wgt_gw_start
wg set "${WGT_PEER_NAME[1]}" peer "$WGT_GW_PUB" preshared-key "$WGT_DIR/psk1"
wg set "${WGT_PEER_NAME[2]}" peer "$WGT_GW_PUB" preshared-key "$WGT_DIR/psk2-other"
lan=$(wgt_ns lan); p1=$(wgt_ns p1); site1=$(wgt_site4 1); site2=$(wgt_site4 2)

# 1. preshared keys
wgt_ping_until "$lan" "$site1" 20
wgt_ping "$lan" "$site1" 3
wgh_snapshot
rej0=$(wgh_counter drop_handshake_rejected)
if timeout 12 ip netns exec "$lan" ping -q -n -c 8 -i 1 -W 1 "$site2" >/dev/null 2>&1; then
    wgt_fail "peer 2 with a different preshared key answered"
fi
wgh_snapshot
rej=$(($(wgh_counter drop_handshake_rejected) - rej0))
((rej >= 1)) || wgt_fail "no rejected handshake for peer 2's wrong preshared key"
[[ $(wgt_handshake "$WGT_GW_NAME" "${WGT_PEER_PUB[2]}") == 0 ]] ||
    wgt_fail "the gateway shows a handshake with peer 2"
wgt_log "psk: peer 1 talks, peer 2 (other psk) never completes ($rej responses rejected)"

# 2. the gateway's private key changes
new_gw_priv=$(wg genkey); new_gw_pub=$(wg pubkey <<<"$new_gw_priv")
printf '%s\n' "$new_gw_priv" >"$WGT_DIR/gw-new.key"
wg set "$WGT_GW_NAME" private-key "$WGT_DIR/gw-new.key"
[[ $(wg show "$WGT_GW_NAME" public-key) == "$new_gw_pub" ]] || wgt_fail "gateway public key did not change"
# the old session is dead: with the old key, nothing passes
if timeout 8 ip netns exec "$lan" ping -q -n -c 3 -i 1 -W 1 "$site1" >/dev/null 2>&1; then
    wgt_fail "traffic passed after the gateway's key changed, before the peer knew the new key"
fi
wg set "${WGT_PEER_NAME[1]}" peer "$WGT_GW_PUB" remove
wg set "${WGT_PEER_NAME[1]}" peer "$new_gw_pub" preshared-key "$WGT_DIR/psk1" \
    endpoint 198.51.100.1:51820 allowed-ips 192.0.2.0/24,2001:db8:a::/64
wgt_ping_until "$lan" "$site1" 15
wgt_ping "$p1" 192.0.2.2 3
wgt_log "gateway key change: new handshake works"

# 3. peer 1's private key changes
new_p1_priv=$(wg genkey); new_p1_pub=$(wg pubkey <<<"$new_p1_priv")
printf '%s\n' "$new_p1_priv" >"$WGT_DIR/p1-new.key"
wg set "${WGT_PEER_NAME[1]}" private-key "$WGT_DIR/p1-new.key"
wg set "$WGT_GW_NAME" peer "${WGT_PEER_PUB[1]}" remove \
    peer "$new_p1_pub" preshared-key "$WGT_DIR/psk1" endpoint "$(wgt_wan4 1):51820" \
    allowed-ips "$(wgt_net4 1),$(wgt_net6 1)"
wgt_ping_until "$lan" "$site1" 15
wgt_ping "$p1" 192.0.2.2 3
wgt_log "peer key change: new handshake works"

# 4. removal
wgh_snapshot
unk0=$(wgh_counter drop_unknown_receiver_index); nor0=$(wgh_counter drop_no_allowed_ip)
wg set "$WGT_GW_NAME" peer "$new_p1_pub" remove
wg show "$WGT_GW_NAME" peers | grep -q "$new_p1_pub" && wgt_fail "removed peer still listed"
timeout 10 ip netns exec "$p1" ping -q -n -c 3 -i 0.3 -W 1 192.0.2.2 >/dev/null 2>&1 &&
    wgt_fail "a removed peer's traffic passed"
timeout 10 ip netns exec "$lan" ping -q -n -c 3 -i 0.3 -W 1 "$site1" >/dev/null 2>&1 &&
    wgt_fail "traffic to a removed peer's site passed"
wgh_snapshot
unk=$(($(wgh_counter drop_unknown_receiver_index) - unk0)); nor=$(($(wgh_counter drop_no_allowed_ip) - nor0))
((unk >= 3)) || wgt_fail "removed peer's old-session packets: $unk dropped as unknown index, want >= 3"
((nor >= 3)) || wgt_fail "packets to the removed peer's site: $nor dropped as no route, want >= 3"
wgt_log "removal: old session gone ($unk unknown-index drops), no route ($nor)"

# 5. low-order ephemeral keys, from peer 2's namespace with peer 2's key
wgh_snapshot
rej0=$(wgh_counter drop_handshake_rejected); mac0=$(wgh_counter drop_bad_mac1)
out=$(timeout 20 ip netns exec "$(wgt_ns p2)" python3 "$(wgh_tool wgpeer.py)" \
    --priv-file "$WGT_DIR/p2.key" --gw-pub "$new_gw_pub" \
    --bind "$(wgt_wan4 2):40000" --gw 198.51.100.1:51820 loworder) ||
    wgt_fail "wgpeer.py loworder failed: $out"
grep -q '^responses 0$' <<<"$out" || wgt_fail "low-order ephemeral got a response: $out"
wgh_snapshot
rej=$(($(wgh_counter drop_handshake_rejected) - rej0)); mac=$(($(wgh_counter drop_bad_mac1) - mac0))
((rej == 3 && mac == 0)) ||
    wgt_fail "low-order initiations: $rej rejected after DH (want 3), $mac bad mac1 (want 0)"
wgt_log "low-order ephemeral keys: no response"

wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_pass
