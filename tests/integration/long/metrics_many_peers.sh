#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Long test, not in CI (about 6 min, nearly all of it adding the peers; 2 GiB of memory): GET /metrics and
# the telemetry with 100,000 peers, while a tunnel carries 200 pings a
# second. Each scrape must end within 60 s and list every peer; not one
# ping may be lost meanwhile (the workers never see a scrape; the
# control lcore fills one slice of peers per turn). Prints the scrape
# times, which README.md quotes.
#
#   WGT_MANY_PEERS=100000 tests/integration/long/metrics_many_peers.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
WGT_MEM_MB=${WGT_MEM_MB:-2048} # before lib.sh, which reads it
# shellcheck source-path=SCRIPTDIR/..
source "$here/lib.sh"
N=${WGT_MANY_PEERS:-100000}
SCRAPES=3
wgt_init 560
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
sed -i "s/^\(  mtu = 1420;\)/\1\n  max_peers = $((N + 2));/" "$WGT_GW_CONF"
wgt_gw_start
gw=$(wgt_ns gw); lan=$(wgt_ns lan); site=$(wgt_site4 1)
wgt_ping_until "$lan" "$site" 20

# $N more peers through the UAPI (a config file that size takes longer
# to load than wgt_gw_start waits): one /64 each from 2001:db8:1000::/64
# on, documentation space no traffic goes to
python3 - "$WGT_DIR" "$N" <<'PY'
import base64, ipaddress, os, sys
d, n = sys.argv[1], int(sys.argv[2])
base = int(ipaddress.IPv6Address("2001:db8:1000::"))
per = 25000
for c in range(0, n, per):
    with open(f"{d}/add{c // per}.conf", "w") as f:
        for i in range(c, min(n, c + per)):
            key = base64.b64encode(os.urandom(32)).decode()
            f.write(f"[Peer]\nPublicKey = {key}\nAllowedIPs = {ipaddress.IPv6Network((base + (i << 64), 64))}\n\n")
PY
t0=$(date +%s.%N)
for f in "$WGT_DIR"/add*.conf; do wg addconf "$WGT_GW_NAME" "$f" || wgt_fail "wg addconf $f"; done
wgt_log "added $N peers in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

sent=$WGT_DIR/sent
(ip netns exec "$lan" ping -q -n -c 2000 -i 0.005 -W 1 "$site" 2>&1 |
    awk '/packets transmitted/ { print $1, $4 } /rtt/ { print $0 }' >"$sent") &
pinger=$!
WGT_PIDS+=("$pinger")
sleep 1
for ((s = 1; s <= SCRAPES; s++)); do
    t0=$(date +%s.%N)
    timeout 60 ip netns exec "$gw" curl -sfS -o "$WGT_DIR/metrics.txt" http://127.0.0.1:9586/metrics ||
        wgt_fail "scrape $s failed or took over 60 s"
    t1=$(date +%s.%N)
    lines=$(grep -c '^wireguard_received_bytes_total' "$WGT_DIR/metrics.txt")
    wgt_log "scrape $s: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s, $(stat -c %s "$WGT_DIR/metrics.txt") bytes, $lines peers"
    ((lines == N + 1)) || wgt_fail "scrape $s lists $lines peers, not $((N + 1))"
done
t0=$(date +%s.%N)
tel=$(wgt_tel /wg_dpdk/peers /wg_dpdk/counters)
wgt_log "telemetry /wg_dpdk/peers + /wg_dpdk/counters: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
grep -q "\"count\": $((N + 1))" <<<"$tel" || wgt_fail "telemetry peer count: $tel"
wait "$pinger" || true
cat "$sent" >&2
read -r tx rx < <(head -n 1 "$sent")
((tx == rx && tx > 0)) || wgt_fail "pings during the scrapes: $rx of $tx answered"
wgt_pass
