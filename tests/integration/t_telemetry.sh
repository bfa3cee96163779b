#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Live counters through DPDK telemetry, read with the stock client
# (dpdk-telemetry.py -f <file-prefix>) from a running gateway: after pings
# through the tunnel, /wg_dpdk/counters has every counter of gw_stats.h
# and the packets it encrypted and decrypted match what wireguard-go's
# tunnel interface received and sent; /wg_dpdk/peers has the count;
# /wg_dpdk/peer,<key> (and ,<index>) shows the peer with the same bytes,
# endpoint and handshake as `wg show`, rx/tx_packets that move by what
# crossed, and a per-peer drop after a spoofed inner source from the
# peer; /wg_dpdk/workers shows busy and
# idle poll cycles; DPDK's own /ethdev/stats,0 answers (imissed).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init 90
wgt_require_gateway
command -v dpdk-telemetry.py >/dev/null || wgt_fail "dpdk-telemetry.py not installed: run scripts/setup"
wgt_topology
wgt_add_peer 1
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1); site=$(wgt_site4 1); p1pub=${WGT_PEER_PUB[1]}
PINGS=10

wgt_ping_until "$lan" "$site" 20
wgt_ping "$lan" "$site" "$PINGS"

# Quiet tunnel: wait until `wg show` stops moving (bounded).
read -r grx gtx < <(wgt_transfer_settled "$WGT_GW_NAME" "$p1pub")
hs=$(wgt_handshake "$WGT_GW_NAME" "$p1pub")
ep=$(wgt_endpoint "$WGT_GW_NAME" "$p1pub")
# What came out of the tunnel at the peer (wireguard-go's tunnel
# interface: data packets, never keepalives), and what the peer's kernel
# sent back into it: only the echo replies (its tunnel's tx counter would
# also count IPv6 chatter that wireguard-go drops for want of an AllowedIP).
trx=$(ip -n "$p1" -j -s link show "${WGT_PEER_NAME[1]}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])')
ttx=$(ip netns exec "$p1" awk '$1 == "Icmp:" { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["OutEchoReps"] }' /proc/net/snmp)
wgt_log "wg show: rx=$grx tx=$gtx handshake=$hs endpoint=$ep; peer: tunnel rx=$trx packets, $ttx echo replies sent"

wgt_log "telemetry: asking"
mapfile -t out < <(wgt_tel /wg_dpdk/counters /wg_dpdk/peers "/wg_dpdk/peer,$p1pub" \
    /wg_dpdk/workers /ethdev/stats,0 /wg_dpdk/peer,nonsense "/wg_dpdk/peer,4294967295")
((${#out[@]} == 7)) || wgt_fail "dpdk-telemetry.py gave ${#out[@]} answers, not 7: ${out[*]}"
wgt_log "telemetry: answered"
printf '%s\n' "${out[@]}" >&2
counters=${out[0]} peers=${out[1]} peer=${out[2]} workers=${out[3]} ethdev=${out[4]}

c() { wgt_json "$counters" "j['/wg_dpdk/counters']['$1']"; }
[[ $(wgt_json "$counters" "j['/wg_dpdk/counters'] is not None") == 1 ]] ||
    wgt_fail "/wg_dpdk/counters: no answer"
# every counter of gw_stats.h by its printed name, and the holding places
missing=$(python3 -c 'import json, sys
have = json.loads(sys.argv[1])["/wg_dpdk/counters"]
print(" ".join(n for n in sys.argv[2:] if n not in have))' "$counters" \
    $(sed -n 's/^[[:space:]]*X(\([A-Z0-9_]*\)).*/\1/p' "$WGT_ROOT/app/gw_stats.h" | tr 'A-Z' 'a-z') \
    mbufs_in_use mbufs_staged mbufs_held_for_neighbours mbufs_in_control_ring)
[[ -z $missing ]] || wgt_fail "/wg_dpdk/counters lacks: $missing"
# (the list above is read from gw_stats.h: make sure it was)
n_names=$(grep -c '^[[:space:]]*X([A-Z0-9_]*)' "$WGT_ROOT/app/gw_stats.h")
((n_names > 50)) || wgt_fail "read only $n_names counter names from app/gw_stats.h"
enc=$(c encrypted_packets); dec=$(c decrypted_packets)
kat=$(c keepalives_sent); kar=$(c keepalives_received)
rxl=$(c rx_lan_packets); txw=$(c tx_wan_packets); rxw=$(c rx_wan_packets); txl=$(c tx_lan_packets)
wgt_log "counters: rx_lan=$rxl tx_wan=$txw rx_wan=$rxw tx_lan=$txl encrypted=$enc (+$kat keepalives) decrypted=$dec (+$kar keepalives)"
((enc == trx)) || wgt_fail "encrypted_packets $enc != packets the peer's tunnel received $trx"
((dec == ttx)) || wgt_fail "decrypted_packets $dec != echo replies the peer sent $ttx"
((enc >= PINGS && dec >= PINGS)) || wgt_fail "fewer than $PINGS pings counted: encrypted $enc decrypted $dec"
((rxl >= enc && txw >= enc + kat)) || wgt_fail "rx_lan_packets $rxl / tx_wan_packets $txw below what was encrypted ($enc + $kat)"
((rxw >= dec + kar && txl >= dec)) || wgt_fail "rx_wan_packets $rxw / tx_lan_packets $txl below what was decrypted ($dec + $kar)"

[[ $(wgt_json "$peers" "j['/wg_dpdk/peers']['count']") == 1 ]] || wgt_fail "/wg_dpdk/peers count is not 1: $peers"

p() { wgt_json "$peer" "j['/wg_dpdk/peer']['$1']"; }
[[ $(wgt_json "$peer" "j['/wg_dpdk/peer'] is not None") == 1 ]] || wgt_fail "/wg_dpdk/peer,<key>: no answer"
[[ $(p public_key) == "$p1pub" ]] || wgt_fail "/wg_dpdk/peer: public_key $(p public_key)"
# exactly what `wg show` says, before the telemetry call or (when a
# keepalive went out meanwhile) right after it
if ! [[ $(p rx_bytes) == "$grx" && $(p tx_bytes) == "$gtx" ]]; then
    read -r grx2 gtx2 < <(wgt_transfer "$WGT_GW_NAME" "$p1pub")
    [[ $(p rx_bytes) == "$grx2" && $(p tx_bytes) == "$gtx2" ]] ||
        wgt_fail "/wg_dpdk/peer: rx/tx bytes $(p rx_bytes)/$(p tx_bytes), wg show $grx/$gtx before and $grx2/$gtx2 after"
fi
[[ $(p endpoint) == "$ep" ]] || wgt_fail "/wg_dpdk/peer: endpoint $(p endpoint), wg show $ep"
[[ $(p latest_handshake) == "$hs" ]] || wgt_fail "/wg_dpdk/peer: latest_handshake $(p latest_handshake), wg show $hs"
age=$(p current_keypair_age_ms)
((age >= 0 && age < 120000)) || wgt_fail "/wg_dpdk/peer: current keypair age $age ms"
[[ $(wgt_json "$peer" "' '.join(j['/wg_dpdk/peer']['allowed_ips'])") == "$(wgt_net4 1) $(wgt_net6 1)" ]] ||
    wgt_fail "/wg_dpdk/peer: allowed_ips $(wgt_json "$peer" "j['/wg_dpdk/peer']['allowed_ips']")"
# the same peer by its index
idx=$(p index)
byidx=$(wgt_tel "/wg_dpdk/peer,$idx")
[[ $(wgt_json "$byidx" "j['/wg_dpdk/peer']['public_key']") == "$p1pub" ]] ||
    wgt_fail "/wg_dpdk/peer,$idx is not peer 1: $byidx"
[[ $(wgt_json "${out[5]}" "j['/wg_dpdk/peer'] is None") == 1 ]] || wgt_fail "a bad parameter was answered: ${out[5]}"
[[ $(wgt_json "${out[6]}" "j['/wg_dpdk/peer'] is None") == 1 ]] || wgt_fail "an unknown index was answered: ${out[6]}"

# Per-peer packets: N more pings, and the peer's rx/tx_packets move by
# exactly what crossed: N echo requests out and N replies in, plus the
# keepalives and handshake messages the gateway counted meanwhile (one
# peer: every one of them is this peer's).
N=7
snap() { # the six figures the packet check needs, from one telemetry call
    wgt_tel /wg_dpdk/counters "/wg_dpdk/peer,$p1pub" | python3 -c 'import json, sys
c, p = (json.loads(x) for x in sys.stdin.read().splitlines()[:2])
c, p = c["/wg_dpdk/counters"], p["/wg_dpdk/peer"]
print(p["rx_packets"], p["tx_packets"], c["keepalives_received"], c["keepalives_sent"],
      c["handshake_messages_received"], c["handshake_messages_sent"])'
}
read -r rx0 tx0 kar0 kat0 hsr0 hst0 < <(snap)
[[ $(p rx_packets) -gt 0 && $(p tx_packets) -gt 0 ]] ||
    wgt_fail "/wg_dpdk/peer: rx/tx packets $(p rx_packets)/$(p tx_packets) after $PINGS pings"
wgt_ping "$lan" "$site" "$N"
read -r rx1 tx1 kar1 kat1 hsr1 hst1 < <(snap)
want_rx=$((N + kar1 - kar0 + hsr1 - hsr0)); want_tx=$((N + kat1 - kat0 + hst1 - hst0))
wgt_log "peer packets over $N pings: rx +$((rx1 - rx0)) (want $want_rx), tx +$((tx1 - tx0)) (want $want_tx)"
((rx1 - rx0 == want_rx)) || wgt_fail "/wg_dpdk/peer rx_packets moved by $((rx1 - rx0)), not $want_rx"
((tx1 - tx0 == want_tx)) || wgt_fail "/wg_dpdk/peer tx_packets moved by $((tx1 - tx0)), not $want_tx"
[[ $(wgt_json "$peer" "j['/wg_dpdk/peer']['drops']") == "{}" ]] ||
    wgt_fail "/wg_dpdk/peer: drops before any bad packet: $(wgt_json "$peer" "j['/wg_dpdk/peer']['drops']")"

# Per-peer drops: echo requests from the peer with an inner source that
# no peer owns (a /32 of TEST-NET-3 outside both sites) are dropped and
# counted against this peer under the gw_stats.h name.
SPOOF=5
ip -n "$p1" addr add 203.0.113.200/32 dev lo
timeout 20 ip netns exec "$p1" ping -q -n -c "$SPOOF" -i 0.2 -W 1 -I 203.0.113.200 192.0.2.2 >/dev/null 2>&1 || true
spoofed=0
for _ in $(seq 20); do # bounded: 20 x 0.25 s
    spoofed=$(wgt_json "$(wgt_tel "/wg_dpdk/peer,$p1pub")" \
        "j['/wg_dpdk/peer']['drops'].get('drop_inner_source_not_allowed', 0)")
    ((spoofed >= SPOOF)) && break
    sleep 0.25
done
((spoofed == SPOOF)) || wgt_fail "/wg_dpdk/peer drops: drop_inner_source_not_allowed $spoofed, sent $SPOOF"
wgt_log "per-peer drop: drop_inner_source_not_allowed = $spoofed"

w() { wgt_json "$workers" "j['/wg_dpdk/workers']['$1']"; }
[[ $(w workers) == "$WGT_WORKERS" ]] || wgt_fail "/wg_dpdk/workers: $(w workers) workers"
busy=$(w worker0/poll_busy_cycles); idle=$(w worker0/poll_idle_cycles)
((busy > 0 && idle > 0)) || wgt_fail "worker 0: busy $busy idle $idle cycles"
(($(w worker0/rx_lan_packets) + $(w worker0/rx_wan_packets) > 0)) || wgt_fail "worker 0 received nothing"
wgt_log "worker 0: busy $busy idle $idle cycles ($((busy * 1000 / (busy + idle)))/1000 busy)"

[[ $(wgt_json "$ethdev" "'imissed' in j['/ethdev/stats']") == 1 ]] || wgt_fail "/ethdev/stats,0 has no imissed: $ethdev"
wgt_pass
