#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `wg show <gateway>` (stock wireguard-tools over the UAPI socket, from the
# root namespace: /var/run/wireguard is shared) shows the gateway's public
# key, listen port, the peer, its AllowedIPs, a recent latest handshake and
# transfer counters that mirror wireguard-go's: once traffic stops, the
# gateway's rx equals the peer's tx and the gateway's tx the peer's rx
# (both count every UDP payload byte, handshake messages included, as
# the Linux driver does).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); site=$(wgt_site4 1); gwpub=$WGT_GW_PUB; p1pub=${WGT_PEER_PUB[1]}

wgt_ping_until "$lan" "$site" 20
wgt_ping "$lan" "$site" 20

out=$(wg show "$WGT_GW_NAME")
printf '%s\n' "$out" >&2
[[ $(wg show "$WGT_GW_NAME" public-key) == "$gwpub" ]] || wgt_fail "public key differs"
[[ $(wg show "$WGT_GW_NAME" listen-port) == 51820 ]] || wgt_fail "listen port is not 51820"
[[ $(wg show "$WGT_GW_NAME" peers) == "$p1pub" ]] || wgt_fail "peer list is not exactly peer 1"
allowed=$(wg show "$WGT_GW_NAME" allowed-ips | awk -v p="$p1pub" '$1 == p { $1 = ""; print }')
for net in "$(wgt_net4 1)" "$(wgt_net6 1)"; do
    grep -qw -- "$net" <<<"$allowed" || wgt_fail "allowed-ips '$allowed' lacks $net"
done
grep -q 'latest handshake:' <<<"$out" || wgt_fail "no 'latest handshake' line"
grep -q 'transfer:' <<<"$out" || wgt_fail "no 'transfer' line"
hs=$(wgt_handshake "$WGT_GW_NAME" "$p1pub"); now=$(date +%s)
((hs > 0 && hs <= now + 2 && now - hs < 120)) || wgt_fail "latest handshake $hs, now $now"

# Counters, once quiet: compare until stable (bounded).
ok=0
for ((i = 0; i < 10; i++)); do
    sleep 1
    read -r grx gtx < <(wgt_transfer "$WGT_GW_NAME" "$p1pub")
    read -r prx ptx < <(wgt_transfer "${WGT_PEER_NAME[1]}" "$gwpub")
    wgt_log "gateway rx=$grx tx=$gtx; peer rx=$prx tx=$ptx"
    if [[ $grx == "$ptx" && $gtx == "$prx" ]]; then ok=1; break; fi
done
((ok)) || wgt_fail "counters do not mirror: gateway rx=$grx tx=$gtx, peer rx=$prx tx=$ptx"
# 20 + first pings of 84-byte IPv4 echo each way: 128 bytes per transport
# message (16 header + 96 padded payload + 16 tag) at the very least.
((grx >= 20 * 128 && gtx >= 20 * 128)) || wgt_fail "counters too small for 20 pings: rx=$grx tx=$gtx"
wgt_pass
