#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/integration/pktgen_standin.sh: stands in for pktgen in the decrypt
# direction of perf/pktgen/run where pktgen is not installed
# (t_pktgen_recipe.sh: PKTGEN=this perf/pktgen/run decrypt). It takes the
# command line the driver gives pktgen and replays the same pcap (-s
# 1:FILE) through the same two memif sockets and MACs with dpdk-testpmd:
# net_pcap reads the file once into the gateway's WAN port, and what the
# gateway sends out of its LAN port is written to a pcap and counted.
# Two passes, as pktgen's pcap mode would loop: the first must come out
# whole, the second not at all (every counter already seen: the replay
# window), with the gateway's drop_replayed_counter rising by one pass.
# Writes one JSON line to $WG_PKTGEN_RESULT. Not a measurement.
set -euo pipefail

vdevs=() prefix='' pcap=''
while (($#)); do
    case $1 in
        --vdev) vdevs+=("$2"); shift ;;
        --file-prefix) prefix=$2; shift ;;
        -s) pcap=${2#1:}; shift ;;
    esac
    shift
done
if ((${#vdevs[@]} != 2)) || [[ -z $prefix || ! -r $pcap || -z ${WG_PKTGEN_RESULT:-} ]]; then
    echo "pktgen-standin: want 2 --vdev, --file-prefix, -s 1:FILE, WG_PKTGEN_RESULT" >&2
    exit 2
fi
dir=$(dirname "$WG_PKTGEN_RESULT")
# perf/pktgen/run names the gateway's DPDK prefix NAME-gw beside NAME-pg
gw_prefix=${prefix%-pg}-gw

# an empty pcap: the LAN side's net_pcap port needs something to read
python3 -c 'import struct, sys; open(sys.argv[1], "wb").write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))' "$dir/empty.pcap"

replays() {
    echo /wg_dpdk/counters | timeout 20 dpdk-telemetry.py -f "$gw_prefix" |
        python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["/wg_dpdk/counters"]["drop_replayed_counter"])'
}

# frames 203.0.113.2 -> 192.0.2.2 in a pcap (the decrypted packets)
decrypted_in() {
    python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, n = 24, 0
while off + 16 <= len(d):
    cap = struct.unpack_from("<IIII", d, off)[2]
    f = d[off + 16:off + 16 + cap]
    off += 16 + cap
    if f[12:14] == b"\x08\x00" and f[26:30] == bytes([203, 0, 113, 2]) and f[30:34] == bytes([192, 0, 2, 2]):
        n += 1
print(n)
PY
}

# pass N: testpmd ports 0 pcap (reads FILE) <-> 1 memif WAN, 2 memif LAN
# <-> 3 pcap (writes what the gateway sends to the LAN). Forwarding
# starts once the memif links are up (3 s), with TX retry, and stops 3 s
# later; --no-flush-rx, or testpmd would drain the file before forwarding.
pass() {
    local n=$1 out
    out=$({ sleep 3; printf '%s\n' "show port summary all" "set fwd io retry" start
            sleep 3; printf '%s\n' stop quit; } |
        timeout 30 dpdk-testpmd --lcores 0@0,1@0 --no-pci --no-huge -m 512 \
            --file-prefix "$prefix-$n" \
            --vdev "net_pcap0,rx_pcap=$pcap,tx_pcap=$dir/wan_back.$n.pcap" \
            --vdev "${vdevs[1]}" --vdev "${vdevs[0]}" \
            --vdev "net_pcap1,rx_pcap=$dir/empty.pcap,tx_pcap=$dir/lan_out.$n.pcap" \
            -- -i --no-flush-rx --forward-mode=io --no-mlockall --total-num-mbufs=8192 \
            --rxq=1 --txq=1 2>&1) || { echo "$out" | tail -n 20 >&2; return 1; }
    rm -rf "/var/run/dpdk/$prefix-$n"
    # "TX-packets" of port 1 (memif WAN) in the forward statistics: what
    # entered the gateway
    awk '/Forward statistics for port 1/ { p = 1 } p && /TX-packets/ { print $2; exit }' <<<"$out"
}

r0=$(replays)
in1=$(pass 1)
out1=$(decrypted_in "$dir/lan_out.1.pcap")
r1=$(replays)
in2=$(pass 2)
out2=$(decrypted_in "$dir/lan_out.2.pcap")
r2=$(replays)
printf '{"bench": "pktgen-standin", "path": "decrypt", "pass1_in": %d, "pass1_out": %d, "pass1_replays": %d, "pass2_in": %d, "pass2_out": %d, "pass2_replays": %d}\n' \
    "$in1" "$out1" "$((r1 - r0))" "$in2" "$out2" "$((r2 - r1))" >"$WG_PKTGEN_RESULT"
