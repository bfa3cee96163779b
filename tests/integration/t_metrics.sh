#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# GET /metrics (metrics.listen, default 127.0.0.1:9586, in the gateway's
# namespace): promtool finds no problem in the text; a real Prometheus
# server on loopback in the same namespace scrapes it every second, and
# wireguard_received_bytes_total of the peer, read back through
# Prometheus's HTTP API once the tunnel is quiet, equals `wg show`'s
# figure; the peer's packets and, after spoofed inner sources from it,
# its drops by reason (wg_dpdk_peer_packets/drops_total) are there. The HTTP thread shares the control lcore's CPU. Then
# metrics.per_peer = false leaves the per-peer series out,
# and an address the gateway cannot bind stops its start with a message
# naming metrics.listen.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init 100
wgt_require_gateway
for t in curl promtool prometheus; do
    command -v "$t" >/dev/null || wgt_fail "$t not installed: run scripts/setup"
done
wgt_topology
wgt_add_peer 1
wgt_gw_config
gw=$(wgt_ns gw); lan=$(wgt_ns lan); site=$(wgt_site4 1); p1pub=${WGT_PEER_PUB[1]}
PROM_PORT=9090
scrape() { timeout 10 ip netns exec "$gw" curl -sfS "http://127.0.0.1:${1:-9586}/metrics"; }

wgt_gw_start
wgt_ping_until "$lan" "$site" 20
wgt_ping "$lan" "$site" 10
# three echo requests from the peer with an inner source no peer owns:
# a per-peer drop for wg_dpdk_peer_drops_total
p1=$(wgt_ns p1)
ip -n "$p1" addr add 203.0.113.200/32 dev lo
timeout 20 ip netns exec "$p1" ping -q -n -c 3 -i 0.2 -W 1 -I 203.0.113.200 192.0.2.2 >/dev/null 2>&1 || true
sleep 1

scrape >"$WGT_DIR/metrics.txt" || wgt_fail "GET /metrics failed"
head -n 12 "$WGT_DIR/metrics.txt" >&2
grep -E '^(wireguard_|wg_dpdk_(packets|peer|mbufs_in_use|port_rx_missed))' "$WGT_DIR/metrics.txt" >&2
if ! lint=$(promtool check metrics <"$WGT_DIR/metrics.txt" 2>&1) || [[ -n $lint ]]; then
    wgt_fail "promtool check metrics: $lint"
fi
for series in 'wg_dpdk_packets_total{port="lan",direction="rx"}' \
    'wg_dpdk_drops_total{reason="drop_not_for_us"}' 'wg_dpdk_mbufs_in_use' \
    'wg_dpdk_port_rx_missed_total{port="wan"}' 'wg_dpdk_peers 1' \
    'wg_dpdk_worker_busy_cycles_total{worker="0"' 'wg_dpdk_handshakes_total{role=' \
    "wireguard_sent_bytes_total{interface=\"$WGT_GW_NAME\",public_key=\"$p1pub\",allowed_ips=\"$(wgt_net4 1),$(wgt_net6 1)\"}" \
    "wireguard_latest_handshake_seconds{interface=\"$WGT_GW_NAME\",public_key=\"$p1pub\""; do
    grep -qF -- "$series" "$WGT_DIR/metrics.txt" || wgt_fail "no $series in /metrics"
done
# per-peer packets both ways, and the spoofed packets as the peer's drops
# (only reasons seen: no zero series)
for dir in rx tx; do
    v=$(awk -v k="wg_dpdk_peer_packets_total{public_key=\"$p1pub\",direction=\"$dir\"}" '$1 == k { print $2 }' "$WGT_DIR/metrics.txt")
    ((${v:-0} >= 11)) || wgt_fail "wg_dpdk_peer_packets_total $dir is ${v:-missing}, not at least the 11 pings"
done
v=$(awk -v k="wg_dpdk_peer_drops_total{public_key=\"$p1pub\",reason=\"drop_inner_source_not_allowed\"}" '$1 == k { print $2 }' "$WGT_DIR/metrics.txt")
[[ $v == 3 ]] || wgt_fail "wg_dpdk_peer_drops_total drop_inner_source_not_allowed is ${v:-missing}, not 3"
! grep -E '^wg_dpdk_peer_drops_total\{.*\} 0$' "$WGT_DIR/metrics.txt" || wgt_fail "a zero per-peer drop series"

# libmicrohttpd's thread runs where the control lcore (the main thread)
# does, never on a worker's CPU
main_cpus=$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$WGT_GW_PID/status")
mhd=0
for t in /proc/"$WGT_GW_PID"/task/*; do
    [[ $(cat "$t/comm") == MHD* ]] || continue
    mhd=$((mhd + 1))
    cpus=$(awk '/^Cpus_allowed_list/ { print $2 }' "$t/status")
    [[ $cpus == "$main_cpus" ]] || wgt_fail "metrics thread $(cat "$t/comm") may run on CPUs $cpus, the control lcore on $main_cpus"
done
((mhd > 0)) || wgt_fail "no libmicrohttpd thread in the gateway"
wgt_log "metrics thread(s): $mhd, on CPUs $main_cpus like the control lcore"

# A real Prometheus, on the namespace's loopback, storage in $WGT_DIR.
cat >"$WGT_DIR/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: wg-dpdk
    static_configs:
      - targets: ['127.0.0.1:9586']
YML
wgt_bg "$gw" "$WGT_DIR/prometheus.log" prometheus --config.file="$WGT_DIR/prometheus.yml" \
    --storage.tsdb.path="$WGT_DIR/prometheus-data" --web.listen-address="127.0.0.1:$PROM_PORT"
prom_pid=$WGT_LAST_PID
query() { # query PROMQL: the first result's value, "" if none
    timeout 5 ip netns exec "$gw" curl -sfS -G "http://127.0.0.1:$PROM_PORT/api/v1/query" \
        --data-urlencode "query=$1" 2>/dev/null |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null || true
}

# traffic over, then the figure `wg show` settles on (bounded)
read -r grx gtx < <(wgt_transfer_settled "$WGT_GW_NAME" "$p1pub")
((grx > 0)) || wgt_fail "wg show: nothing received"
got=""
for ((i = 0; i < 30; i++)); do
    kill -0 "$prom_pid" 2>/dev/null || wgt_fail "prometheus died: $(tail -n 5 "$WGT_DIR/prometheus.log")"
    got=$(query "wireguard_received_bytes_total{public_key=\"$p1pub\"}")
    [[ $got == "$grx" ]] && break
    sleep 1
done
wgt_log "wg show received $grx bytes; Prometheus says ${got:-nothing}"
[[ $got == "$grx" ]] || wgt_fail "Prometheus has wireguard_received_bytes_total=${got:-none}, wg show $grx"
up=$(query 'up{job="wg-dpdk"}')
[[ $up == 1 ]] || wgt_fail "Prometheus: up{job=\"wg-dpdk\"} is ${up:-none}"
wgt_stop_pid "$prom_pid" 5 || true
wgt_gw_stop

# per_peer = false: the same scrape without per-peer series
cp "$WGT_GW_CONF" "$WGT_DIR/gw-noperpeer.conf"
echo 'metrics = { listen = "127.0.0.1:9587"; per_peer = false; };' >>"$WGT_DIR/gw-noperpeer.conf"
wgt_gw_start "$WGT_DIR/gw-noperpeer.conf"
scrape 9587 >"$WGT_DIR/metrics2.txt" || wgt_fail "GET /metrics on 9587 failed"
grep -q '^wg_dpdk_peers 1$' "$WGT_DIR/metrics2.txt" || wgt_fail "per_peer = false: no wg_dpdk_peers"
! grep -qE '^(wireguard_|wg_dpdk_peer_(packets|drops))' "$WGT_DIR/metrics2.txt" || wgt_fail "per_peer = false: per-peer series present"
promtool check metrics <"$WGT_DIR/metrics2.txt" || wgt_fail "promtool (per_peer = false)"
wgt_gw_stop

# an address that is not the namespace's: a start-up error, naming it
cp "$WGT_GW_CONF" "$WGT_DIR/gw-badlisten.conf"
echo 'metrics = { listen = "192.0.2.99:9586"; };' >>"$WGT_DIR/gw-badlisten.conf"
mapfile -d '' cmd < <(wgt_gw_cmd "$WGT_DIR/gw-badlisten.conf")
rc=0
timeout 30 ip netns exec "$gw" "${cmd[@]}" </dev/null >"$WGT_DIR/gateway-badlisten.log" 2>&1 || rc=$?
grep -F 'metrics.listen 192.0.2.99:9586: cannot listen' "$WGT_DIR/gateway-badlisten.log" >&2 ||
    wgt_fail "no metrics.listen error: $(tail -n 5 "$WGT_DIR/gateway-badlisten.log")"
((rc == 1)) || wgt_fail "gateway with an unbindable metrics.listen exited with $rc, not 1"
[[ ! -S $WGT_RUN_DIR/$WGT_GW_NAME.sock ]] || wgt_fail "UAPI socket left behind"
wgt_pass
