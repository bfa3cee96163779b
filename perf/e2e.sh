#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# perf/e2e.sh: the whole appliance through DPDK ports (perf/README.md,
# "End-to-end through DPDK ports"). wg-dpdk and perf/gen_memif run as two
# DPDK processes joined by two net_memif links (LAN and WAN; memif works
# with --no-huge, so no hugepages are reserved). gen_memif is a real
# WireGuard peer: it handshakes with the gateway over the WAN link, then
# sends cleartext into the LAN port (encrypt) and sealed transport
# messages into the WAN port (decrypt) and counts what comes out.
#
#   perf/e2e.sh [gen_memif options, e.g. --sizes 64,1420 --path both]
#
# Environment: BUILD_DIR (default build), E2E_GW_LCORES (default 0-1:
# control on 0, the one worker on 1), E2E_GEN_LCORE (default 0).
# Every wait is bounded; the trap stops both processes and removes the
# sockets and the config on any exit. Only documentation addresses.
set -euo pipefail

cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
gw_bin=$build/app/wg-dpdk
gen_bin=$build/perf/gen_memif
for b in "$gw_bin" "$gen_bin"; do
	[[ -x $b ]] || { echo "e2e: $b missing (ninja -C $build)" >&2; exit 1; }
done
command -v wg >/dev/null || { echo "e2e: wg (wireguard-tools) needed for keys" >&2; exit 77; }
[[ $(id -u) -eq 0 ]] || { echo "e2e: run as root (DPDK)" >&2; exit 1; }

dir=$(mktemp -d /tmp/wg-e2e.XXXXXX)
name=wge2e$$
gw_pid=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	if [[ -n $gw_pid ]] && kill -0 "$gw_pid" 2>/dev/null; then
		kill -INT "$gw_pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$gw_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$gw_pid" 2>/dev/null || true
	fi
	rm -rf "$dir" "/var/run/dpdk/$name-gw" "/var/run/dpdk/$name-gen"
	rm -f "/var/run/wireguard/$name.sock"
}
trap cleanup EXIT

gw_priv=$(wg genkey)
gw_pub=$(wg pubkey <<<"$gw_priv")
gen_priv=$(wg genkey)
gen_pub=$(wg pubkey <<<"$gen_priv")
gw_lan_mac=02:00:00:00:01:01
gw_wan_mac=02:00:00:00:02:01

cat >"$dir/gw.conf" <<CONF
eal = ["-l", "${E2E_GW_LCORES:-0-1}", "--no-pci", "--no-huge", "-m", "1024",
       "--file-prefix", "$name-gw",
       "--vdev", "net_memif0,role=server,id=0,socket=$dir/lan.sock,socket-abstract=no,mac=$gw_lan_mac",
       "--vdev", "net_memif1,role=server,id=0,socket=$dir/wan.sock,socket-abstract=no,mac=$gw_wan_mac"];
interface = { name = "$name"; private_key = "$gw_priv"; listen_port = 51820; mtu = 1420; };
lan = { port = 0; address = ["192.0.2.1/24"]; };
wan = { port = 1; address = ["198.51.100.1/24"]; };
workers = { lcores = [1]; };
peers = ( { public_key = "$gen_pub"; allowed_ips = ["203.0.113.0/24"]; } );
CONF

"$gw_bin" -c "$dir/gw.conf" >"$dir/gw.log" 2>&1 &
gw_pid=$!
# memif clients that connect before the server's ports are started are
# refused ("ID not found") and do not retry: wait for "running"
for _ in $(seq 100); do
	grep -q "running;" "$dir/gw.log" && break
	kill -0 "$gw_pid" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q "running;" "$dir/gw.log"; then
	echo "e2e: the gateway did not come up:" >&2
	tail -n 20 "$dir/gw.log" >&2
	exit 1
fi

rc=0
timeout 300 "$gen_bin" -l "${E2E_GEN_LCORE:-0}" --no-pci --no-huge -m 1024 \
	--file-prefix "$name-gen" \
	--vdev "net_memif0,role=client,id=0,socket=$dir/lan.sock,socket-abstract=no,mac=02:00:00:00:01:02" \
	--vdev "net_memif1,role=client,id=0,socket=$dir/wan.sock,socket-abstract=no,mac=02:00:00:00:02:02" \
	--log-level=pmd.net.memif:error -- \
	--gw-pub "$gw_pub" --priv "$gen_priv" \
	--gw-lan-mac "$gw_lan_mac" --gw-wan-mac "$gw_wan_mac" \
	--gw-pid "$gw_pid" "$@" || rc=$?
if ((rc != 0)); then
	echo "e2e: gen_memif failed ($rc); gateway log:" >&2
	tail -n 20 "$dir/gw.log" >&2
fi
exit "$rc"
