#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How long loading N peers takes, and the memory they take, on net_null
# ports (no NIC, no traffic, root for the UAPI socket):
#
#   perf/load_peers.sh N [MEM_MB]     (build/app/wg-dpdk; WG_DPDK=...)
#
# N peers with random keys and one /128 each (2001:db8:1::/64), twice:
#  - file:    all of them in the config file; the time from exec to the
#             UAPI socket (EAL and tables for max_peers included), then
#             the same with no peers, so the difference is the peers';
#  - addconf: the gateway started empty with max_peers = N, then
#             `wg addconf` (the stock wg tool) of all N, in requests of
#             at most CHUNK peers (250,000: a UAPI request is at most
#             64 MiB, GW_UAPI_MAX_REQUEST, ~130 bytes a peer);
#  - show:    then `wg show IF dump | wc -l` of all N (a get streams its
#             peers in slices; the gateway logs the longest UAPI poll and
#             the longest gap between polls, i.e. the control loop's
#             longest turn, while it streamed).
# Memory per peer: the gateway's resident set with N peers minus with
# none, over N (--no-huge: DPDK memory is ordinary pages, counted once
# touched). Peers have no session here; a session adds one keypair
# in steady state (the start log line says how many bytes;
# build/perf/bench_peer_memory measures them). Prints figures and one JSON
# line. Every wait is bounded; the gateway is stopped on exit (LOAD_KEEP=1
# keeps the files and the gateway's logs).
set -euo pipefail
N=${1:?usage: load_peers.sh N [MEM_MB]}
MEM=${2:-4096}
WG_DPDK=${WG_DPDK:-build/app/wg-dpdk}
TIMEOUT=${LOAD_TIMEOUT:-600}
CHUNK=${LOAD_CHUNK:-250000}
dir=$(mktemp -d /tmp/load_peers.XXXXXX)
name=ldp$$
gw_pid=
cleanup() {
    if [[ -n $gw_pid ]]; then
        kill "$gw_pid" 2>/dev/null || true
        wait "$gw_pid" 2>/dev/null || true
    fi
    if [[ -n ${LOAD_KEEP:-} ]]; then echo "kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT

python3 - "$dir" "$N" "$CHUNK" <<'PY'
import base64, ipaddress, os, sys
d, n, chunk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# consecutive addresses, as a pool hands them to clients
base = int(ipaddress.IPv6Address("2001:db8:1::"))
with open(f"{d}/peers.cfg", "w") as cfg:
    cfg.write("peers = (\n")
    wq = None
    for i in range(n):
        if i % chunk == 0:
            if wq:
                wq.close()
            wq = open(f"{d}/peers{i // chunk:04d}.conf", "w")
        k = base64.b64encode(os.urandom(32)).decode()
        a = f"{ipaddress.IPv6Address(base + i + 1)}/128"
        cfg.write(("," if i else "") + f'{{ public_key = "{k}"; allowed_ips = ["{a}"]; }}\n')
        wq.write(f"[Peer]\nPublicKey = {k}\nAllowedIPs = {a}\n")
    cfg.write(");\n")
    wq.close()
PY

# conf WITH_PEERS: the gateway config (max_peers = N either way)
conf() {
    cat <<CFG
eal = ["-l", "0-1", "--no-pci", "--no-huge", "-m", "$MEM",
       "--file-prefix", "$name", "--log-level", "*:notice", "--log-level", "wg_dpdk:info",
       "--vdev", "net_null0", "--vdev", "net_null1"];
interface = {
  name = "$name";
  private_key = "GNloac4mPnuNEtvu9DvTPPdc8DO7Yuy4c0r1pW6CkGI=";
  listen_port = 51820;
  max_peers = $N;
};
lan = { port = 0; address = ["192.0.2.1/24"]; };
wan = { port = 1; address = ["198.51.100.1/24"]; };
workers = { lcores = [1]; };
metrics = { listen = ""; };
CFG
    [[ $1 == yes ]] && cat "$dir/peers.cfg"
    true
}

sock=/var/run/wireguard/$name.sock
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$gw_pid/status"; }
# CPU seconds of the gateway's main thread (the control lcore, which
# loads the peers; the worker lcore polls all the time): with other
# processes on the CPUs, the wall times above are theirs too
hz=$(getconf CLK_TCK)
cpu_s() { awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$gw_pid/task/$gw_pid/stat"; }
# start WITH_PEERS: sets gw_pid, prints seconds until the socket is up
start() {
    conf "$1" >"$dir/gw.conf"
    local t0 t1 i
    t0=$(date +%s.%N)
    "$WG_DPDK" -c "$dir/gw.conf" >"$dir/gw-$1.log" 2>&1 &
    gw_pid=$!
    for ((i = 0; i < TIMEOUT * 20; i++)); do
        [[ -S $sock ]] && wg show "$name" listen-port >/dev/null 2>&1 && break
        kill -0 "$gw_pid" 2>/dev/null || { tail -5 "$dir/gw-$1.log" >&2; exit 1; }
        sleep 0.05
    done
    [[ -S $sock ]] || { echo "no UAPI socket after ${TIMEOUT}s" >&2; exit 1; }
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}
stop() {
    kill "$gw_pid"
    wait "$gw_pid" 2>/dev/null || true
    gw_pid=
}
count() { wg show "$name" peers | wc -l; }

start no >"$dir/t"; t_empty=$(cat "$dir/t"); rss0=$(rss_kb); c_empty=$(cpu_s)
t0=$(date +%s.%N)
for f in "$dir"/peers[0-9]*.conf; do
    wg addconf "$name" "$f"
done
t1=$(date +%s.%N)
t_add=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
c_add=$(awk -v a="$c_empty" -v b="$(cpu_s)" 'BEGIN { printf "%.2f", b - a }')
n_add=$(count); rss_add=$(rss_kb)
t0=$(date +%s.%N); c0=$(cpu_s)
n_dump=$(wg show "$name" dump | wc -l)
t1=$(date +%s.%N)
c_show=$(awk -v a="$c0" -v b="$(cpu_s)" 'BEGIN { printf "%.2f", b - a }')
t_show=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
sleep 0.2 # the gateway logs the get as it ends
show_log=$(grep 'UAPI get:' "$dir/gw-no.log" | tail -1 | sed 's/^.*UAPI get: //')
grep -m1 'bytes per peer with a session' "$dir/gw-no.log" | sed 's/^.*peer memory: /peer memory: /' || true
stop
start yes >"$dir/t"; t_file=$(cat "$dir/t"); c_file=$(cpu_s); n_file=$(count); rss1=$(rss_kb)
stop
((n_add == N && n_file == N && n_dump == N + 1)) || { echo "peers loaded: addconf $n_add, file $n_file, dump $((n_dump - 1)); want $N" >&2; exit 1; }
t_peers=$(awk -v a="$t_file" -v b="$t_empty" 'BEGIN { printf "%.2f", a - b }')
per_file=$(((rss1 - rss0) * 1024 / N)); per_add=$(((rss_add - rss0) * 1024 / N))
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (2 CPUs shared: wall times include other processes; 'control CPU' is the gateway's own)"
echo "start with 0 peers (max_peers $N): ${t_empty} s (control CPU ${c_empty} s), RSS $((rss0 / 1024)) MiB"
echo "start with $N peers from the file: ${t_file} s (${t_peers} s more; control CPU ${c_file} s), RSS $((rss1 / 1024)) MiB, $per_file bytes per peer"
echo "wg addconf of $N peers: ${t_add} s (control CPU ${c_add} s), RSS $((rss_add / 1024)) MiB, $per_add bytes per peer"
echo "wg show dump of $N peers: ${t_show} s (control CPU ${c_show} s; $show_log)"
printf '{"bench": "load_peers", "peers": %d, "start_empty_s": %s, "start_file_s": %s, "file_peers_s": %s, "addconf_s": %s, "show_dump_s": %s, "control_cpu_start_empty_s": %s, "control_cpu_start_file_s": %s, "control_cpu_addconf_s": %s, "control_cpu_show_s": %s, "rss_empty_mib": %d, "bytes_per_peer_file": %d, "bytes_per_peer_addconf": %d}\n' \
    "$N" "$t_empty" "$t_file" "$t_peers" "$t_add" "$t_show" "$c_empty" "$c_file" "$c_add" "$c_show" $((rss0 / 1024)) "$per_file" "$per_add"
