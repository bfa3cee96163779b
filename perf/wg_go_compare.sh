#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# wireguard-go on this machine, as the yardstick for wg-dpdk:
#
#   ns wgpa-PID                                ns wgpb-PID
#   veth 198.51.100.1/24 ------------------- veth 198.51.100.2/24
#   wireguard-go wgpaPID 203.0.113.1/24     wireguard-go wgpbPID 203.0.113.2/24
#   iperf3 -c 203.0.113.2 -t SECONDS  ====>  iperf3 -s -1
#
# Measures the TCP throughput through the tunnel and the CPU time (user +
# sys, from /proc/PID/stat) that both wireguard-go processes consume while
# iperf3 runs, and prints a table line and one JSON line:
#   {"bench": "wireguard-go", "path": "tcp", "gbps": x, "cpu_s_per_gb": x,
#    "ns_cpu_per_packet": x, ...}
# "ns_cpu_per_packet" is the CPU of both processes (one encrypts, one
# decrypts) divided by bytes / MSS: wireguard-go of this version has no
# GSO/GRO, so it handles one packet per MSS of payload.
#
# Only documentation addresses, only inside the two namespaces created here;
# everything is torn down by a trap, also on failure; every wait is bounded.
# Needs root, wireguard-go, wg, iperf3, ethtool, jq.
set -euo pipefail

SECONDS_RUN=${WG_GO_SECONDS:-5}
case $SECONDS_RUN in
	''|*[!0-9]*) echo "wg_go_compare: WG_GO_SECONDS must be an integer" >&2; exit 2 ;;
esac
if [ "$SECONDS_RUN" -lt 1 ] || [ "$SECONDS_RUN" -gt 60 ]; then
	echo "wg_go_compare: WG_GO_SECONDS must be 1..60" >&2
	exit 2
fi

for tool in wireguard-go wg iperf3 ethtool jq ip timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "wg_go_compare: SKIP: $tool not installed" >&2
		exit 77
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "wg_go_compare: SKIP: needs root (network namespaces)" >&2
	exit 77
fi

id=$$
NS_A=wgpa-$id
NS_B=wgpb-$id
VETH_A=vpa$id
VETH_B=vpb$id
WG_A=wgpa$id
WG_B=wgpb$id
PORT_A=51821
PORT_B=51822
work=$(mktemp -d /tmp/wg-go-compare.XXXXXX)
pids=()
# the original stderr: a trap may run while a command's redirections are in
# effect (bash runs it once the foreground command returns)
exec 3>&2

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		# bounded: wireguard-go exits within a second of SIGTERM
		timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null || true
	done
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
	rm -f "/var/run/wireguard/$WG_A.sock" "/var/run/wireguard/$WG_B.sock"
	if [ "$rc" -ne 0 ] && [ -d "$work" ]; then
		echo "wg_go_compare: FAILED (rc $rc); logs:" >&3
		tail -n 20 "$work"/*.log >&3 2>/dev/null || true
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# utime + stime of a process, in clock ticks
cpu_ticks() {
	# the command name (field 2) may hold spaces: cut after the last ')'
	local stat
	stat=$(cat "/proc/$1/stat")
	stat=${stat##*) }
	# now field 1 is the state (3rd of the full line): utime is 12th, stime 13th
	echo "$stat" | awk '{ print $12 + $13 }'
}

# --- topology ---------------------------------------------------------------
ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add "$VETH_A" netns "$NS_A" type veth peer name "$VETH_B" netns "$NS_B"
in_a ip link set lo up
in_b ip link set lo up
in_a ip addr add 198.51.100.1/24 dev "$VETH_A"
in_b ip addr add 198.51.100.2/24 dev "$VETH_B"
in_a ip link set "$VETH_A" up
in_b ip link set "$VETH_B" up
# no partial checksums leaving the veths
in_a ethtool -K "$VETH_A" tx off >/dev/null
in_b ethtool -K "$VETH_B" tx off >/dev/null

# --- wireguard-go -----------------------------------------------------------
umask 077
wg genkey >"$work/a.key"
wg genkey >"$work/b.key"
pub_a=$(wg pubkey <"$work/a.key")
pub_b=$(wg pubkey <"$work/b.key")

export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
# `ip netns exec` execs the command, so $! is wireguard-go itself (not
# through the in_a function: that would put a subshell in between)
ip netns exec "$NS_A" wireguard-go -f "$WG_A" >"$work/wg-a.log" 2>&1 &
pids+=("$!")
pid_wg_a=$!
ip netns exec "$NS_B" wireguard-go -f "$WG_B" >"$work/wg-b.log" 2>&1 &
pids+=("$!")
pid_wg_b=$!

for _ in $(seq 1 50); do
	if [ -S "/var/run/wireguard/$WG_A.sock" ] && [ -S "/var/run/wireguard/$WG_B.sock" ]; then
		break
	fi
	sleep 0.1
done
for p in "$pid_wg_a" "$pid_wg_b"; do
	if [ "$(cat "/proc/$p/comm" 2>/dev/null)" != wireguard-go ]; then
		echo "wg_go_compare: wireguard-go did not start" >&2
		exit 1
	fi
done

in_a wg set "$WG_A" private-key "$work/a.key" listen-port "$PORT_A" \
	peer "$pub_b" allowed-ips 203.0.113.2/32 endpoint "198.51.100.2:$PORT_B"
in_b wg set "$WG_B" private-key "$work/b.key" listen-port "$PORT_B" \
	peer "$pub_a" allowed-ips 203.0.113.1/32 endpoint "198.51.100.1:$PORT_A"
in_a ip addr add 203.0.113.1/24 dev "$WG_A"
in_b ip addr add 203.0.113.2/24 dev "$WG_B"
in_a ip link set "$WG_A" up
in_b ip link set "$WG_B" up

# handshake: bounded
ok=0
for _ in $(seq 1 10); do
	if in_a ping -c 1 -W 1 203.0.113.2 >/dev/null 2>&1; then
		ok=1
		break
	fi
done
if [ "$ok" -ne 1 ]; then
	echo "wg_go_compare: no ping through the tunnel" >&2
	exit 1
fi

# --- iperf3 -----------------------------------------------------------------
ip netns exec "$NS_B" timeout $((SECONDS_RUN + 30)) iperf3 -s -1 -B 203.0.113.2 -p 5201 \
	>"$work/iperf-s.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 50); do
	if in_b ss -ltn 2>/dev/null | grep -q '203.0.113.2:5201'; then
		break
	fi
	sleep 0.1
done

ticks_a0=$(cpu_ticks "$pid_wg_a")
ticks_b0=$(cpu_ticks "$pid_wg_b")
ip netns exec "$NS_A" timeout $((SECONDS_RUN + 20)) iperf3 -c 203.0.113.2 -p 5201 \
	-t "$SECONDS_RUN" -J >"$work/iperf.json" 2>"$work/iperf-c.log"
ticks_a1=$(cpu_ticks "$pid_wg_a")
ticks_b1=$(cpu_ticks "$pid_wg_b")
hz=$(getconf CLK_TCK)

bytes=$(jq '.end.sum_received.bytes' "$work/iperf.json")
secs=$(jq '.end.sum_received.seconds' "$work/iperf.json")
mss=$(jq '.start.tcp_mss_default // 0' "$work/iperf.json")
retr=$(jq '.end.sum_sent.retransmits // 0' "$work/iperf.json")
if [ -z "$bytes" ] || [ "$bytes" = null ] || [ "$bytes" -eq 0 ]; then
	echo "wg_go_compare: iperf3 moved no data" >&2
	exit 1
fi
if [ "$mss" -eq 0 ]; then
	mss=1368   # inner MTU 1420 - IPv4 20 - TCP 20 - timestamps 12
fi
wgver=$(wireguard-go --version 2>/dev/null | awk '{ print $2; exit }')

awk -v bytes="$bytes" -v secs="$secs" -v mss="$mss" -v hz="$hz" \
    -v a0="$ticks_a0" -v a1="$ticks_a1" -v b0="$ticks_b0" -v b1="$ticks_b1" \
    -v retr="$retr" -v t="$SECONDS_RUN" -v ver="$wgver" -v ncpu="$(nproc)" '
BEGIN {
	gbps = bytes * 8 / secs / 1e9
	cpu_a = (a1 - a0) / hz
	cpu_b = (b1 - b0) / hz
	cpu = cpu_a + cpu_b
	gb = bytes / 1e9
	pkts = bytes / mss
	printf "wireguard-go %s, TCP, %d s, MSS %d: %.3f Gbit/s, CPU %.2f s " \
	       "(sender %.2f, receiver %.2f) = %.2f CPU-s/GB, %.0f ns CPU/packet " \
	       "(both ends), %d retransmits\n", ver, t, mss, gbps, cpu, cpu_a, \
	       cpu_b, cpu / gb, cpu * 1e9 / pkts, retr
	printf "{\"bench\": \"wireguard-go\", \"path\": \"tcp\", \"gbps\": %.4f, " \
	       "\"cpu_s_per_gb\": %.4f, \"ns_cpu_per_packet\": %.1f, " \
	       "\"ns_cpu_per_packet_sender\": %.1f, " \
	       "\"ns_cpu_per_packet_receiver\": %.1f, \"mss\": %d, " \
	       "\"bytes\": %d, \"seconds\": %.3f, \"cpu_s\": %.3f, " \
	       "\"retransmits\": %d, \"cpus\": %d, \"version\": \"%s\"}\n", \
	       gbps, cpu / gb, cpu * 1e9 / pkts, cpu_a * 1e9 / pkts, \
	       cpu_b * 1e9 / pkts, mss, bytes, secs, cpu, retr, ncpu, ver
}'
