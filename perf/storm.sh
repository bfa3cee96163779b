#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# perf/storm.sh: the restart storm (perf/README.md, "Restart storm").
# A freshly started wg-dpdk with N peers in its config, and perf/gen_storm
# as those N peers (lib/wg_noise initiators behaving as wireguard-go's),
# joined by two net_memif links as in perf/e2e.sh. Reports the time until
# every peer has a session beside the bound
#     N / handshakes_per_s + REKEY_TIMEOUT (5 s)
# where handshakes_per_s is bench_handshake's one-core figure (given, or
# measured here first), and checks that the gateway counts N sessions
# (`wg show ... latest-handshakes`) and that its pool has every mbuf back.
#
#   perf/storm.sh [N]            N peers (default 100000)
#
# Environment: BUILD_DIR (build), STORM_HS_PER_S (skip the measurement),
# STORM_GW_LCORES (EAL --lcores, 0-1: control on 0, the worker on 1),
# STORM_HS_LCORES (handshakes.lcores list, e.g. "2"; then give it an lcore:
# STORM_GW_LCORES="0@0,1@1,2@1" on 2 CPUs), STORM_GEN_LCORE (1: beside the
# worker, which needs little of it here, not beside the control lcore),
# STORM_LIMIT (seconds, default 600), STORM_KEEP_LOG (a file to copy the
# gateway's log to), STORM_GW_MEM (MiB for the
# gateway's EAL, default 3072, 8192 above 20,000 peers), STORM_UAPI_EVERY
# (seconds between the `wg show`s timed during the storm, default 5: each
# streams every peer, and one a second was itself a third of the control
# lcore's time at 30,000 peers).
# After the JSON line, the gateway's side second by second (its stats
# dumps, running totals): handshake messages in, answered, cookie replies, stale drops, what waits, and
# the control lcore's milliseconds on handshakes, ticks and the UAPI.
# The memif rings hold 4,096 frames (rsize=12) instead of 1,024: a wave's
# cookie replies found the generator's ring full while it sent (counted
# drop_tx_queue_full, and their peers lost a retry period).
# Every wait is bounded; the trap stops both processes and removes the
# sockets and the config on any exit. Only documentation addresses.
set -euo pipefail

cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
n=${1:-100000}
gw_bin=$build/app/wg-dpdk
gen_bin=$build/perf/gen_storm
for b in "$gw_bin" "$gen_bin" "$build/perf/bench_handshake"; do
	[[ -x $b ]] || { echo "storm: $b missing (ninja -C $build)" >&2; exit 1; }
done
command -v wg >/dev/null || { echo "storm: wg (wireguard-tools) needed" >&2; exit 77; }
command -v jq >/dev/null || { echo "storm: jq needed" >&2; exit 77; }
[[ $(id -u) -eq 0 ]] || { echo "storm: run as root (DPDK)" >&2; exit 1; }
[[ $n =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 1000000)) || { echo "storm: N must be 1..1000000" >&2; exit 2; }

hs_per_s=${STORM_HS_PER_S:-}
if [[ -z $hs_per_s ]]; then
	hs_per_s=$("$build/perf/bench_handshake" --cores 1 --repeat 1 --rounds 2 |
		jq -r 'select(.bench == "handshake" and .cores == 1) | .handshakes_per_s')
fi
[[ $hs_per_s =~ ^[0-9.]+$ ]] || { echo "storm: no handshakes_per_s" >&2; exit 1; }

dir=$(mktemp -d /tmp/wg-storm.XXXXXX)
name=wgst$$
gw_pid=
gen_pid=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	if [[ -n $gen_pid ]]; then kill "$gen_pid" 2>/dev/null || true; fi
	if [[ -n $gw_pid ]] && kill -0 "$gw_pid" 2>/dev/null; then
		kill -INT "$gw_pid" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$gw_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$gw_pid" 2>/dev/null || true
	fi
	if [[ -n ${STORM_KEEP_LOG:-} && -f $dir/gw.log ]]; then cp "$dir/gw.log" "$STORM_KEEP_LOG"; fi
	rm -rf "$dir" "/var/run/dpdk/$name-gw" "/var/run/dpdk/$name-gen"
	rm -f "/var/run/wireguard/$name.sock"
}
trap cleanup EXIT

gw_priv=$(wg genkey)
gw_pub=$(wg pubkey <<<"$gw_priv")
gw_lan_mac=02:00:00:00:01:01
gw_wan_mac=02:00:00:00:02:01
seed=$$
"$gen_bin" --write-peers "$dir/peers.conf" --peers "$n" --seed "$seed"
hs_group=
if [[ -n ${STORM_HS_LCORES:-} ]]; then
	hs_group="handshakes = { lcores = [${STORM_HS_LCORES}]; };"
fi
max_peers=$((n < 16 ? 16 : n))
# MiB of (4 KiB-page) memory: the tables for 100,000 peers take gigabytes
gw_mem=$((n <= 20000 ? 3072 : 8192))
cat >"$dir/gw.conf" <<CONF
eal = ["--lcores", "${STORM_GW_LCORES:-0-1}", "--no-pci", "--no-huge", "-m", "${STORM_GW_MEM:-$gw_mem}",
       "--file-prefix", "$name-gw",
       "--vdev", "net_memif0,role=server,id=0,socket=$dir/lan.sock,socket-abstract=no,mac=$gw_lan_mac,rsize=12",
       "--vdev", "net_memif1,role=server,id=0,socket=$dir/wan.sock,socket-abstract=no,mac=$gw_wan_mac,rsize=12"];
interface = { name = "$name"; private_key = "$gw_priv"; listen_port = 51820; mtu = 1420; max_peers = $max_peers; };
lan = { port = 0; address = ["192.0.2.1/24"]; };
wan = { port = 1; address = ["198.51.100.1/24", "2001:db8::1/64"]; gateway = "2001:db8::2"; };
workers = { lcores = [1]; };
$hs_group
testing = { stats_interval = 1; };
CONF
cat "$dir/peers.conf" >>"$dir/gw.conf"

"$gw_bin" -c "$dir/gw.conf" >"$dir/gw.log" 2>&1 &
gw_pid=$!
for _ in $(seq 1200); do
	grep -q "running;" "$dir/gw.log" && break
	kill -0 "$gw_pid" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q "running;" "$dir/gw.log"; then
	echo "storm: the gateway did not come up:" >&2
	tail -n 20 "$dir/gw.log" >&2
	exit 1
fi
# the last stats dump before a given one: its mbufs_in_use
mbufs_in_use() {
	awk '/stats [0-9]+ begin/ { v = "" } /mbufs_in_use/ { v = $NF } /stats [0-9]+ end/ && v != "" { last = v } END { print last }' "$dir/gw.log"
}
sleep 2
mbufs_before=$(mbufs_in_use)
# CPU seconds of the control lcore (the main thread): the storm's cost
# apart from what else runs on a shared machine
ctl_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$gw_pid/task/$gw_pid/stat"; }
# a `wg show` of the idle gateway (it streams every peer), to compare with
# the storm's
t0=$(date +%s%N)
wg show "$name" listen-port >/dev/null
uapi_idle_ms=$((($(date +%s%N) - t0) / 1000000))
cpu_before=$(ctl_cpu)

rc=0
timeout $((${STORM_LIMIT:-600} + 300)) "$gen_bin" -l "${STORM_GEN_LCORE:-1}" --no-pci --no-huge -m 1024 \
	--file-prefix "$name-gen" \
	--vdev "net_memif0,role=client,id=0,socket=$dir/lan.sock,socket-abstract=no,mac=02:00:00:00:01:02,rsize=12" \
	--vdev "net_memif1,role=client,id=0,socket=$dir/wan.sock,socket-abstract=no,mac=02:00:00:00:02:02,rsize=12" \
	--log-level=pmd.net.memif:error -- \
	--gw-pub "$gw_pub" --gw-lan-mac "$gw_lan_mac" --gw-wan-mac "$gw_wan_mac" \
	--peers "$n" --seed "$seed" --limit "${STORM_LIMIT:-600}" >"$dir/gen.out" &
gen_pid=$!
# the UAPI while handshakes storm in: how long a `wg show` waits at most
# (one a second, while the generator runs; bounded by its limit)
uapi_max_ms=0
uapi_every=${STORM_UAPI_EVERY:-5}
for i in $(seq $((${STORM_LIMIT:-600} + 300))); do
	kill -0 "$gen_pid" 2>/dev/null || break
	if ((i % uapi_every == 0)); then
		t0=$(date +%s%N)
		wg show "$name" listen-port >/dev/null 2>&1 || true
		ms=$((($(date +%s%N) - t0) / 1000000))
		((ms > uapi_max_ms)) && uapi_max_ms=$ms
	fi
	sleep 1
done
wait "$gen_pid" || rc=$?
cpu_after=$(ctl_cpu)
grep -v "^{" "$dir/gen.out" || true  # its JSON line comes out completed below
# the keepalives reach the gateway, every held frame leaves it (bounded)
gen_sessions=$(jq -r 'select(.bench == "storm") | .sessions' < <(grep '^{' "$dir/gen.out") 2>/dev/null || echo 0)
for _ in $(seq 15); do
	sleep 2
	sessions=$(wg show "$name" latest-handshakes | awk '$2 != 0' | wc -l)
	((sessions >= ${gen_sessions:-0})) && break
done
mbufs_after=$(mbufs_in_use)
# a clean stop: the gateway logs what is still out of its pool at exit
kill -INT "$gw_pid"
for _ in $(seq 300); do kill -0 "$gw_pid" 2>/dev/null || break; sleep 0.1; done
mbufs_exit=$(awk '$(NF-1) == "mbufs_in_use" { v = $NF } END { print v }' "$dir/gw.log")
# the last value the log gave counter $1 (stats dumps, testing.stats_interval)
counter() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) v = $(i + 1) } END { print v + 0 }' "$dir/gw.log"; }
jq -c --argjson hs "$hs_per_s" --argjson before "${mbufs_before:-0}" \
	--argjson after "${mbufs_after:-0}" --argjson gw_sessions "$sessions" \
	--argjson at_exit "${mbufs_exit:--1}" --argjson uapi_max_ms "$uapi_max_ms" \
	--argjson uapi_idle_ms "$uapi_idle_ms" \
	--argjson ctl_cpu_s "$(awk -v a="$cpu_before" -v b="$cpu_after" 'BEGIN { printf "%.2f", b - a }')" \
	--argjson cookies_tx "$(counter cookie_replies_sent)" \
	--argjson ring_full "$(counter drop_handshake_ring_full)" \
	--argjson source_limited "$(counter drop_handshake_source_limited)" \
	--argjson under_load "$(counter drop_handshake_under_load)" \
	--argjson ratelimited "$(counter drop_handshake_ratelimited)" \
	--argjson stale "$(counter drop_handshake_stale)" \
	'select(.bench == "storm")
	 | (.peers / $hs + 5) as $bound
	 | . + {handshakes_per_s: $hs, bound_s: ($bound * 100 | round / 100),
		ratio: (.seconds / $bound * 1000 | round / 1000),
		gw_sessions: $gw_sessions, gw_cookie_tx: $cookies_tx,
		gw_drop_ring_full: $ring_full,
		gw_drop_source_limited: $source_limited,
		gw_drop_under_load: $under_load,
		gw_drop_ratelimited: $ratelimited, gw_drop_stale: $stale,
		mbufs_in_use_before: $before, mbufs_in_use_after: $after,
		mbufs_in_use_at_exit: $at_exit, uapi_idle_ms: $uapi_idle_ms,
		uapi_max_ms: $uapi_max_ms, control_cpu_s: $ctl_cpu_s,
		sessions_per_control_cpu_s: (if $ctl_cpu_s > 0 then (.sessions / $ctl_cpu_s | round) else null end)}' \
	< <(grep '^{' "$dir/gen.out")
# the gateway's timeline: one line per stats dump with handshakes in it
awk '/stats [0-9]+ begin/ { delete v }
     { v[$(NF-1)] = $NF }
     /stats [0-9]+ end/ && v["handshake_messages_received"] + 0 > 0 {
	printf "# gw: rx %d answered %d cookies %d stale %d ring_full %d ring %d backlog %d ticking %d | ms hs %d ticks %d uapi %d\n",
	       v["handshake_messages_received"], v["handshake_messages_sent"] - v["cookie_replies_sent"],
	       v["cookie_replies_sent"], v["drop_handshake_stale"], v["drop_handshake_ring_full"],
	       v["handshake_ring_depth"], v["handshake_backlog"], v["peers_ticking"],
	       v["control_ms_handshakes"], v["control_ms_ticks"], v["control_ms_uapi"] }' "$dir/gw.log" |
	uniq | head -n 400
if ((rc != 0)); then
	echo "storm: gen_storm failed ($rc); gateway log:" >&2
	tail -n 20 "$dir/gw.log" >&2
	exit "$rc"
fi
if ((sessions != n)) || [[ $mbufs_before != "$mbufs_after" || $mbufs_exit != 0 ]]; then
	echo "storm: $sessions of $n sessions on the gateway, mbufs in use $mbufs_before before, $mbufs_after after, '$mbufs_exit' at exit" >&2
	exit 1
fi
