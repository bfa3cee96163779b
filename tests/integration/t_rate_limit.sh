#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Per-peer rate limits (peers[].rate_limit), against real wireguard-go
# peers. Peer 1: to_peer_mbit = 30, from_peer_mbit = 20; peer 2: none.
# iperf3 UDP at 100 Mbit/s of 1,400-byte IP packets for 4 s:
#   * lan-host -> peer 1's site arrives at 30 Mbit/s +-15 %, peer 1's site
#     -> lan-host at 20 +-15 % (inner IP bytes, what the limits count)
#   * peer 2 (no limit) gets more than 1.5 x peer 1's limit both ways: not
#     slowed to anybody's limit
#   * the excess is counted under drop_rate_limited, globally and for
#     peer 1 in /wg_dpdk/peer, which also shows both limits
#   * /metrics has peer 1's limits (and none for peer 2) and the drops,
#     and passes promtool check metrics
#   * TCP from peer 1's site through the 20 Mbit/s limit still runs at
#     least at half of it (no collapse) and not above it
#   * a reload that sets to_peer_mbit = 60 applies: the next UDP run
#     arrives at 60 +-15 %
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
wgt_init 200
wgt_require_gateway
for t in dpdk-telemetry.py promtool curl; do
    command -v "$t" >/dev/null || wgt_fail "$t not installed: run scripts/setup"
done
wgt_topology
wgt_add_peer 1
wgt_add_peer 2
lan=$(wgt_ns lan); p1=$(wgt_ns p1); p2=$(wgt_ns p2)
site1=$(wgt_site4 1); site2=$(wgt_site4 2); p1pub=${WGT_PEER_PUB[1]}

WGT_PEER_GW_EXTRA[1]='rate_limit = { to_peer_mbit = 30; from_peer_mbit = 20; };'
wgt_gw_config
conf=$WGT_GW_CONF
wgt_gw_start
wgt_ping_until "$lan" "$site1" 20
wgt_ping_until "$lan" "$site2" 20

# udp_mbit SERVER_NS SERVER_ADDR CLIENT_NS: Mbit/s of inner IP bytes that
# arrived of 4 s of UDP offered at 100 Mbit/s (1,372-byte payloads: 1,400
# bytes of IP)
udp_mbit() {
    local sns=$1 saddr=$2 cns=$3 json spid
    json=$(mktemp "$WGT_DIR/udp.XXXX")
    wgt_bg "$sns" "$json.server" timeout 30 iperf3 -s -1 -B "$saddr" -p 5301
    spid=$WGT_LAST_PID
    wgt_wait_for 5 bash -c "ip netns exec '$sns' ss -Hlun | grep -q ':5301 '" ||
        wgt_wait_for 5 bash -c "ip netns exec '$sns' ss -Hltn | grep -q ':5301 '" ||
        wgt_fail "iperf3 server in $sns did not listen"
    timeout 25 ip netns exec "$cns" iperf3 -c "$saddr" -p 5301 -u -b 100M -l 1372 \
        -t 4 -J --connect-timeout 5000 >"$json" 2>"$json.err" ||
        { tail -n 20 "$json" >&2; wgt_fail "iperf3 -u $cns -> $saddr failed"; }
    wgt_stop_pid "$spid" 5 || true
    python3 - "$json" <<'PY' || { head -c 600 "$json" >&2; wgt_fail "iperf3: cannot parse $json"; }
import json, sys
s = json.load(open(sys.argv[1]))["end"]["sum"]
got = s["packets"] - s["lost_packets"]
print("%.1f" % (got * 1400 * 8 / s["seconds"] / 1e6))
PY
}

within() { # VALUE TARGET PERCENT
    awk -v v="$1" -v t="$2" -v p="$3" 'BEGIN { exit !(v >= t * (1 - p / 100) && v <= t * (1 + p / 100)) }'
}
above() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v > t) }'; }

wgh_snapshot
limited0=$(wgh_counter drop_rate_limited)
down=$(udp_mbit "$p1" "$site1" "$lan")
up=$(udp_mbit "$lan" 192.0.2.2 "$p1")
wgt_log "peer 1 (30 / 20 Mbit/s): lan -> peer $down Mbit/s, peer -> lan $up Mbit/s"
within "$down" 30 15 || wgt_fail "lan -> peer 1: $down Mbit/s, want 30 +-15 %"
within "$up" 20 15 || wgt_fail "peer 1 -> lan: $up Mbit/s, want 20 +-15 %"

down2=$(udp_mbit "$p2" "$site2" "$lan")
up2=$(udp_mbit "$lan" 192.0.2.2 "$p2")
wgt_log "peer 2 (no limit): lan -> peer $down2 Mbit/s, peer -> lan $up2 Mbit/s"
above "$down2" 45 || wgt_fail "lan -> peer 2 (no limit): only $down2 Mbit/s"
above "$up2" 45 || wgt_fail "peer 2 (no limit) -> lan: only $up2 Mbit/s"

wgh_snapshot
limited=$(($(wgh_counter drop_rate_limited) - limited0))
((limited > 1000)) || wgt_fail "drop_rate_limited rose by $limited, want > 1000"
peer=$(wgt_tel "/wg_dpdk/peer,$p1pub")
plimited=$(wgt_json "$peer" "j['/wg_dpdk/peer']['drops'].get('drop_rate_limited', 0)")
((plimited == limited)) || wgt_fail "peer 1's drop_rate_limited is $plimited, the global one rose by $limited"
[[ $(wgt_json "$peer" "(j['/wg_dpdk/peer']['rate_limit_to_peer_mbit'], j['/wg_dpdk/peer']['rate_limit_from_peer_mbit'])") == "(30, 20)" ]] ||
    wgt_fail "telemetry does not show peer 1's limits: $peer"
wgt_log "over the limits: $limited packets dropped and counted (peer 1: $plimited)"

# /metrics: peer 1's limits in bytes/s, peer 2 without any, promtool clean
gw=$(wgt_ns gw)
timeout 10 ip netns exec "$gw" curl -sfS http://127.0.0.1:9586/metrics >"$WGT_DIR/metrics.txt" ||
    wgt_fail "GET /metrics failed"
lint=$(promtool check metrics <"$WGT_DIR/metrics.txt" 2>&1) && [[ -z $lint ]] ||
    wgt_fail "promtool check metrics: $lint"
for want in "to_peer\"} 3750000" "from_peer\"} 2500000"; do
    grep -qF "wg_dpdk_peer_rate_limit_bytes_per_second{public_key=\"$p1pub\",direction=\"$want" "$WGT_DIR/metrics.txt" ||
        wgt_fail "/metrics lacks peer 1's limit ($want)"
done
! grep -F "wg_dpdk_peer_rate_limit_bytes_per_second{public_key=\"${WGT_PEER_PUB[2]}\"" "$WGT_DIR/metrics.txt" ||
    wgt_fail "/metrics shows a limit for peer 2, which has none"
drops=$(sed -n "s/^wg_dpdk_drops_total{reason=\"drop_rate_limited\"} //p" "$WGT_DIR/metrics.txt")
((drops >= limited)) || wgt_fail "/metrics drop_rate_limited is '$drops', want >= $limited"

# TCP through the 20 Mbit/s limit: peer 1's site sends to lan-host.
json=$WGT_DIR/tcp.json
wgt_bg "$lan" "$WGT_DIR/tcp.server" timeout 30 iperf3 -s -1 -B 192.0.2.2 -p 5302
spid=$WGT_LAST_PID
wgt_wait_for 5 bash -c "ip netns exec '$lan' ss -Hltn | grep -q ':5302 '" || wgt_fail "iperf3 TCP server not up"
timeout 25 ip netns exec "$p1" iperf3 -c 192.0.2.2 -p 5302 -t 4 -J --connect-timeout 5000 >"$json" 2>&1 ||
    { tail -n 20 "$json" >&2; wgt_fail "iperf3 TCP peer 1 -> lan failed"; }
wgt_stop_pid "$spid" 5 || true
tcp=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]["sum_received"]; print("%.1f" % (e["bits_per_second"] / 1e6))' "$json")
wgt_log "TCP peer 1 -> lan through 20 Mbit/s: $tcp Mbit/s of payload"
above "$tcp" 10 || wgt_fail "TCP through the 20 Mbit/s limit collapsed: $tcp Mbit/s"
above 23 "$tcp" || wgt_fail "TCP through the 20 Mbit/s limit ran at $tcp Mbit/s"

# A reload that raises the LAN -> peer limit.
WGT_PEER_GW_EXTRA[1]='rate_limit = { to_peer_mbit = 60; from_peer_mbit = 20; };'
wgt_gw_config "$WGT_DIR/reload.conf"
cp "$WGT_DIR/reload.conf" "$conf"
wgt_gw_hup_and_wait "reload: .* applied"
down=$(udp_mbit "$p1" "$site1" "$lan")
wgt_log "after the reload to 60 Mbit/s: lan -> peer 1 $down Mbit/s"
within "$down" 60 15 || wgt_fail "lan -> peer 1 after the reload: $down Mbit/s, want 60 +-15 %"
peer=$(wgt_tel "/wg_dpdk/peer,$p1pub")
[[ $(wgt_json "$peer" "j['/wg_dpdk/peer']['rate_limit_to_peer_mbit']") == 60 ]] ||
    wgt_fail "telemetry does not show the reloaded limit: $peer"

wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_pass
