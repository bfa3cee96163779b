#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 10,000 peers added and removed through the UAPI with the stock `wg`
# while an established tunnel carries pings: not one of them is lost.
#
# Peer 1 (wireguard-go) has a session; lan-host pings its site without a
# pause, in rounds of ping -c $ROUND at ${INTERVAL}s, for as long as the
# changes last. Meanwhile `wg addconf` adds $N peers with generated keys
# (AllowedIPs the n-th /64 from 2001:db8:1000::/64 each: documentation
# space that no traffic goes to) in $CHUNKS transactions; `wg show peers` counts them;
# with interface.max_peers = N + 3 (peers 1 and 2, the N, one more),
# adding two more in one `wg set` is
# refused (ENOSPC) and changes nothing, adding one is not; then `wg set
# ... remove` takes them all away again in chunks. Afterwards the echo
# requests peer 1's kernel received, and the replies lan-host's kernel
# received, each equal the requests ping sent (kernel counters: a late
# reply still counts, a lost one never does), and no drop counter of the
# gateway moved while the changes ran (drop_not_for_us aside: it counts
# frames that were never addressed to the gateway).
#
# While the peers are added, a second tunnel (peer 2) makes handshake
# after handshake: it forgets its session and pings lan-host, which
# starts one. Every initiation is answered (tcpdump on peer 2's side),
# within HS_MAX_MS (the control lcore keeps serving handshakes
# while it reads and applies the sets); the figures are logged.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"

N=${WGT_MANY_PEERS:-10000}
CHUNKS=4
ROUND=100      # echo requests per ping process
INTERVAL=0.005 # 200 a second
MAX_ROUNDS=300 # bounds the ping loop (300 x 0.5 s) if the test dies
HS_MAX_MS=${WGT_HS_MAX_MS:-1000}
HS_PROBES=200  # bounds the handshake loop

wgt_init 120
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_add_peer 2
wgt_gw_config
# room for peers 1 and 2, the N new peers and one more
sed -i "s/^\(  mtu = 1420;\)/\1\n  max_peers = $((N + 3));/" "$WGT_GW_CONF"
grep -q "max_peers = $((N + 3));" "$WGT_GW_CONF" || wgt_fail "could not set max_peers in $WGT_GW_CONF"
wgt_gw_start
gw=$WGT_GW_NAME; lan=$(wgt_ns lan); p1=$(wgt_ns p1); site=$(wgt_site4 1)
wgt_ping_until "$lan" "$site" 20
wgt_ping "$lan" "$site" 3

# The new peers: random 32-byte keys (wg takes any), one /64 each, and
# the remove commands, in chunks.
python3 - "$WGT_DIR" "$N" "$CHUNKS" <<'PY'
import base64, ipaddress, os, sys
d, n, chunks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
keys = [base64.b64encode(os.urandom(32)).decode() for _ in range(n)]
base = int(ipaddress.IPv6Address("2001:db8:1000::"))
nets = [str(ipaddress.IPv6Network((base + (i << 64), 64))) for i in range(n)]
per = (n + chunks - 1) // chunks
for c in range(chunks):
    part = range(c * per, min(n, (c + 1) * per))
    with open(f"{d}/add{c}.conf", "w") as f:
        for i in part:
            f.write(f"[Peer]\nPublicKey = {keys[i]}\nAllowedIPs = {nets[i]}\n\n")
    with open(f"{d}/remove{c}.args", "w") as f:
        for i in part:
            f.write(f"peer\n{keys[i]}\nremove\n")
with open(f"{d}/keys", "w") as f:
    f.write("".join(f"{k} {net}\n" for k, net in zip(keys, nets)))
PY
for k in extra1 extra2; do python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())' >"$WGT_DIR/$k"; done
extra1=$(cat "$WGT_DIR/extra1"); extra2=$(cat "$WGT_DIR/extra2")

in_echos() { wgt_icmp_in_echos "$p1" 4; }
in_replies() { wgt_icmp_in_replies "$lan"; }
peer_count() { wg show "$gw" peers | wc -l; }

# Counters before: a snapshot after the warm-up pings (telemetry has
# every drop counter, zeros too).
wgh_snapshot
mapfile -t drop_names < <(wgh_counter_names | grep '^drop_')
declare -A before
for c in "${drop_names[@]}"; do before[$c]=$(wgh_counter "$c"); done
echos0=$(in_echos); replies0=$(in_replies)

# The traffic: rounds of pings until told to stop (lib.sh).
wgt_ping_rounds_start "$lan" "$site" "$ROUND" "$INTERVAL" "$MAX_ROUNDS"

# peer 2's handshakes, one after the other, until the adds are done:
# it forgets its session and pings lan-host, which starts a new one.
# tcpdump in peer 2's namespace stamps each initiation and response;
# a response answers the initiation before it (wireguard-go repeats an
# unanswered one after 5 s).
hs_probe() {
    local p2ns name=${WGT_PEER_NAME[2]} i t rx
    p2ns=$(wgt_ns p2)
    for ((i = 0; i < HS_PROBES; i++)); do
        [[ -e $WGT_DIR/adds-done ]] && break
        wgt_in "$p2ns" wg set "$name" peer "$WGT_GW_PUB" remove
        wgt_in "$p2ns" wg set "$name" peer "$WGT_GW_PUB" endpoint 198.51.100.1:51820 \
            allowed-ips 192.0.2.0/24,2001:db8:a::/64
        ip netns exec "$p2ns" ping -n -c 1 -W 1 192.0.2.2 >/dev/null 2>&1 &
        # the next one only once this one is answered (its receive
        # counter moves) or 5 s passed: tcpdump's pairs stay in order
        for ((t = 0; t < 500; t++)); do
            rx=$(wgt_in "$p2ns" wg show "$name" transfer | awk '{ print $2 }')
            ((${rx:-0} > 0)) && break
            sleep 0.01
        done
        wait $! || true
    done
}
wgt_ping_until "$(wgt_ns p2)" 192.0.2.2 20
hs_cap=$WGT_DIR/hs-capture
wgt_bg "$(wgt_ns p2)" "$hs_cap" timeout 120 tcpdump -l -n -tt -i wan0 \
    'udp port 51820 and host 198.51.100.1 and (udp[8] == 1 or udp[8] == 2)'
hs_dump=$WGT_LAST_PID
wgt_wait_for 5 grep -q 'listening on' "$hs_cap" || wgt_fail "tcpdump did not start"
hs_probe &
prober=$!
WGT_PIDS+=("$prober")
t0=$(date +%s.%N)
for ((c = 0; c < CHUNKS; c++)); do
    wg addconf "$gw" "$WGT_DIR/add$c.conf" || wgt_fail "wg addconf chunk $c failed"
done
t1=$(date +%s.%N)
touch "$WGT_DIR/adds-done"
wait "$prober" || wgt_fail "the handshake probe failed"
sleep 0.5
wgt_stop_pid "$hs_dump" 2 || true
# "init" at the initiation, the latency in ms at its response
awk '$3 ~ /^198\.51\.100\.1\./ { if (t) { printf "%.1f\n", ($1 - t) * 1000; t = 0 } next }
     $5 ~ /^198\.51\.100\.1\./ { if (t) print "lost"; t = $1 }
     END { if (t) print "lost" }' "$hs_cap" >"$WGT_DIR/hs-latency"
hs_lost=$(grep -c '^lost$' "$WGT_DIR/hs-latency" || true)
read -r hs_n hs_max hs_med < <(grep -v '^lost$' "$WGT_DIR/hs-latency" | sort -n |
    awk -v l="$hs_lost" '{ v[n++] = $1 } END { printf "%d %.1f %.1f\n", n + l, n ? v[n - 1] : 0, n ? v[int((n - 1) / 2)] : 0 }')
wgt_log "peer 2 during the adds: $hs_n handshakes, $hs_lost lost, median $hs_med ms, max $hs_max ms"
((hs_n > 0)) || wgt_fail "no handshake of peer 2 was tried during the adds"
((hs_lost == 0)) || wgt_fail "$hs_lost of $hs_n handshake initiations of peer 2 got no response during the adds"
awk -v m="$hs_max" -v b="$HS_MAX_MS" 'BEGIN { exit !(m < b) }' ||
    wgt_fail "a handshake of peer 2 took $hs_max ms during the adds (bound $HS_MAX_MS)"

count=$(peer_count)
((count == N + 2)) || wgt_fail "wg show lists $count peers after adding $N, want $((N + 2))"
wgt_log "added $N peers in $CHUNKS sets: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; wg show lists $count"
# a few of them, with their AllowedIPs
for i in 0 $((N / 2)) $((N - 1)); do
    read -r key net < <(sed -n "$((i + 1))p" "$WGT_DIR/keys")
    ips=$(wg show "$gw" allowed-ips | awk -v p="$key" '$1 == p { print $2 }')
    [[ $ips == "$net" ]] || wgt_fail "peer $i has AllowedIPs '$ips', want $net"
done

# max_peers = N + 3: two more in one set is one too many, and nothing
# of that set is applied
if err=$(wg set "$gw" peer "$extra1" allowed-ips 2001:db8:2000::/64 \
        peer "$extra2" allowed-ips 2001:db8:2000:1::/64 2>&1); then
    wgt_fail "wg set beyond max_peers succeeded"
fi
[[ $err == *"No space left on device"* ]] || wgt_fail "wg set beyond max_peers: '$err', want ENOSPC"
count=$(peer_count)
((count == N + 2)) || wgt_fail "a refused set changed the peer count to $count"
wgt_log "beyond max_peers: refused ($err), still $count peers"
wg set "$gw" peer "$extra1" allowed-ips 2001:db8:2000::/64 || wgt_fail "adding peer N + 3 failed"
((($(peer_count)) == N + 3)) || wgt_fail "not $((N + 3)) peers after adding one more"
wg set "$gw" peer "$extra1" remove

t2=$(date +%s.%N)
for ((c = 0; c < CHUNKS; c++)); do
    mapfile -t args <"$WGT_DIR/remove$c.args"
    wg set "$gw" "${args[@]}" || wgt_fail "wg set ... remove chunk $c failed"
done
t3=$(date +%s.%N)
count=$(peer_count)
[[ $(wg show "$gw" peers) == "${WGT_PEER_PUB[1]}"$'\n'"${WGT_PEER_PUB[2]}" ]] ||
    wgt_fail "after removing them, wg show lists $count peers, want only peers 1 and 2"
wgt_log "removed $N peers: $(awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.2f", b - a }') s"

wgt_ping_rounds_stop; total=$WGT_PING_TOTAL
rounds=$(wc -l <"$WGT_PING_SENT")
((total > 0)) || wgt_fail "no echo request sent"
# wait (bounded) until every reply is in; a lost one never arrives, and
# the equalities below fail
all_in() { (($(in_echos) - echos0 >= total && $(in_replies) - replies0 >= total)); }
wgt_wait_for 10 all_in || true
echos=$(($(in_echos) - echos0)); replies=$(($(in_replies) - replies0))
wgt_log "pings: $total sent in $rounds rounds, $echos reached peer 1, $replies replies came back"
((echos == total)) || wgt_fail "peer 1 received $echos of $total echo requests"
((replies == total)) || wgt_fail "lan-host received $replies of $total echo replies"

wgh_snapshot
moved=0
for c in "${drop_names[@]}"; do
    d=$(($(wgh_counter "$c") - ${before[$c]:-0}))
    # frames not addressed to the gateway at all (what the namespaces'
    # kernels send on their own now and then: a CI run saw 3 in 7 s
    # while all 600 pings went through) say nothing about the tunnel;
    # logged, not counted against it
    if [[ $c == drop_not_for_us ]]; then
        ((d == 0)) || wgt_log "drop counter $c moved by $d (not tunnel traffic)"
        continue
    fi
    if ((d != 0)); then
        wgt_log "drop counter $c moved by $d"
        moved=1
    fi
done
((moved == 0)) || wgt_fail "the gateway dropped packets while peers were added and removed"
wgt_ping "$lan" "$site" 3
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_pass
