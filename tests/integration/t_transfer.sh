#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# Exact byte counters in `wg show transfer`. Both reference
# implementations count every UDP payload byte exchanged with a peer,
# handshake messages included (not cookie replies). After the gateway
# initiates and lan-host sends 5 pings of 56 data bytes (84-byte IP
# packets, padded to 96, 128-byte transport messages), the gateway must
# show exactly
#     tx = 148 (initiation) + 5 * 128,  rx = 92 (response) + 5 * 128
# and wireguard-go the mirror image; then one ping of each size 0..99
# (every padding case) must add exactly sum(32 + pad16(28 + size)) both
# ways, still mirrored by wireguard-go. (Not a bulk transfer: under load
# wireguard-go's socket drops packets, and then no two counters agree.)
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
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); site=$(wgt_site4 1)
gw=$WGT_GW_NAME; peer=${WGT_PEER_NAME[1]}

read -r rx tx < <(wgt_transfer "$gw" "${WGT_PEER_PUB[1]}")
((rx == 0 && tx == 0)) || wgt_fail "transfer before any traffic: rx $rx tx $tx"
timeout 20 ip netns exec "$lan" ping -n -q -c 5 -i 0.3 -W 3 -s 56 "$site" >/dev/null ||
    wgt_fail "pings lost"
sleep 1
read -r rx tx < <(wgt_transfer "$gw" "${WGT_PEER_PUB[1]}")
read -r prx ptx < <(wgt_transfer "$peer" "$WGT_GW_PUB")
wgt_log "after 5 pings: gateway rx $rx tx $tx, wireguard-go rx $prx tx $ptx"
((tx == 148 + 5 * 128)) || wgt_fail "gateway tx $tx, want $((148 + 5 * 128))"
((rx == 92 + 5 * 128)) || wgt_fail "gateway rx $rx, want $((92 + 5 * 128))"
((prx == tx && ptx == rx)) || wgt_fail "wireguard-go's rx $prx / tx $ptx do not mirror the gateway's"

# one ping of each size 0..99: every padding case, both directions
for ((s = 0; s < 100; s++)); do
    timeout 10 ip netns exec "$lan" ping -n -q -c 1 -W 5 -s "$s" "$site" >/dev/null ||
        wgt_fail "ping -s $s lost"
done
sleep 1
want=$(python3 -c 'print(sum(32 + (28 + s + 15) // 16 * 16 for s in range(100)))')
read -r rx2 tx2 < <(wgt_transfer "$gw" "${WGT_PEER_PUB[1]}")
read -r prx2 ptx2 < <(wgt_transfer "$peer" "$WGT_GW_PUB")
wgt_log "after 100 pings of 0..99 bytes: gateway rx +$((rx2 - rx)) tx +$((tx2 - tx)), want +$want each"
((tx2 - tx == want && rx2 - rx == want)) ||
    wgt_fail "gateway counted rx +$((rx2 - rx)) tx +$((tx2 - tx)), want +$want"
((prx2 == tx2 && ptx2 == rx2)) ||
    wgt_fail "counters differ: gateway rx $rx2 tx $tx2, wireguard-go rx $prx2 tx $ptx2"
wgt_gw_stop
wgt_pass
