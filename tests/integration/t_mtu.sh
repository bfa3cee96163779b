#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# The tunnel's MTU on the gateway is 1280 (wireguard-go's is 1420):
#  * TCP through the tunnel: both ends settle on an MSS that fits 1280
#    (the gateway clamps the MSS option of SYNs to 1280 - 40), where
#    without clamping they would use 1380;
#  * inner packets are padded to 16 bytes: every transport message the
#    gateway sends to the peer has (UDP payload - 32) % 16 == 0;
#  * an IPv4 packet with DF over 1280 bytes from the LAN gets ICMP
#    "fragmentation needed, mtu 1280" back (the LAN host caches mtu 1280
#    for the destination), an IPv6 one "packet too big, mtu 1280";
#  * packets that fit still pass with DF set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
MTU=1280

wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
sed -i "s/^  mtu = [0-9]*;/  mtu = $MTU;/" "$WGT_GW_CONF"
grep -q "mtu = $MTU;" "$WGT_GW_CONF" || wgt_fail "could not set the MTU in $WGT_GW_CONF"
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1); site=$(wgt_site4 1); site6=$(wgt_site6 1)
wgt_ping_until "$lan" "$site" 20

# --- MSS clamping (first: the ICMP tests below make lan-host cache a PMTU)
wgt_bg "$p1" "$WGT_DIR/tcp-server.log" timeout 20 python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5000)); s.listen(1); s.settimeout(15)
c, _ = s.accept()
print("server_mss", c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG), flush=True)
c.recv(100); c.close()' "$site"
wgt_wait_for 5 bash -c "ip netns exec '$p1' ss -Hltn | grep -q ':5000 '" || wgt_fail "TCP server did not listen"
client_mss=$(timeout 20 ip netns exec "$lan" python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], 5000), timeout=10)
print(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)); c.send(b"x"); c.close()' "$site") ||
    wgt_fail "TCP connection lan-host -> $site through the tunnel failed"
wgt_wait_for 5 grep -q server_mss "$WGT_DIR/tcp-server.log" || wgt_fail "TCP server saw no connection"
server_mss=$(awk '/server_mss/ { print $2 }' "$WGT_DIR/tcp-server.log")
wgt_log "MSS in use: lan-host $client_mss, peer site $server_mss (clamp $((MTU - 40)))"
((client_mss <= MTU - 40)) || wgt_fail "lan-host uses MSS $client_mss > $((MTU - 40)): SYN-ACK not clamped"
((server_mss <= MTU - 40)) || wgt_fail "peer site uses MSS $server_mss > $((MTU - 40)): SYN not clamped"

# --- padding: capture the gateway's transport messages to the peer
cap=$WGT_DIR/pad.txt
wgt_bg "$p1" "$cap" timeout 15 tcpdump -l -n -i wan0 -c 8 'udp and src host 198.51.100.1 and src port 51820 and udp[8] == 4'
cap_pid=$WGT_LAST_PID
wgt_wait_for 5 grep -q 'listening on' "$cap" || wgt_fail "tcpdump did not start"
for s in 1 5 33 100; do
    timeout 5 ip netns exec "$lan" ping -q -n -c 2 -i 0.2 -W 1 -s "$s" "$site" >/dev/null 2>&1 || true
done
wgt_stop_pid "$cap_pid" 10 || true
mapfile -t lens < <(sed -n 's/.*UDP, length \([0-9]*\).*/\1/p' "$cap")
((${#lens[@]} >= 4)) || { cat "$cap" >&2; wgt_fail "captured only ${#lens[@]} transport messages"; }
for l in "${lens[@]}"; do
    (((l - 32) % 16 == 0)) || wgt_fail "transport message of $l bytes: plaintext $((l - 32)) not padded to 16"
done
wgt_log "transport message sizes ${lens[*]}: padded to 16"

# --- fits: DF set, exactly the MTU
timeout 10 ip netns exec "$lan" ping -q -n -c 2 -W 2 -M "do" -s $((MTU - 28)) "$site" >/dev/null ||
    wgt_fail "a $MTU-byte IPv4 packet with DF did not pass"
timeout 10 ip netns exec "$lan" ping -6 -q -n -c 2 -W 2 -M "do" -s $((MTU - 48)) "$site6" >/dev/null ||
    wgt_fail "a $MTU-byte IPv6 packet did not pass"

# --- too big: ICMP back, PMTU learnt by lan-host
timeout 10 ip netns exec "$lan" ping -q -n -c 2 -W 1 -M "do" -s 1400 "$site" >/dev/null 2>&1 || true
route4=$(ip -n "$lan" route get "$site")
grep -q "mtu $MTU" <<<"$route4" || wgt_fail "lan-host has no PMTU $MTU for $site: '$route4'"
timeout 10 ip netns exec "$lan" ping -6 -q -n -c 2 -W 1 -s 1400 "$site6" >/dev/null 2>&1 || true
route6=$(ip -n "$lan" -6 route get "$site6")
grep -q "mtu $MTU" <<<"$route6" || wgt_fail "lan-host has no PMTU $MTU for $site6: '$route6'"
wgt_log "PMTU learnt from the gateway's ICMP: v4 '$route4' / v6 '$route6'"
# once the PMTU is known, the kernel fragments IPv6 itself: big pings pass
wgt_ping "$lan" "$site6" 2

wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
icmp=$(wgh_counter icmp_errors_sent); toobig=$(wgh_counter drop_too_big)
clamped=$(wgh_counter tcp_mss_clamped)
wgt_log "icmp_errors_sent $icmp, drop_too_big $toobig, tcp_mss_clamped $clamped"
((icmp >= 2 && toobig >= icmp)) || wgt_fail "ICMP errors sent: $icmp, too-big drops: $toobig"
((clamped >= 2)) || wgt_fail "tcp_mss_clamped $clamped, want >= 2 (SYN and SYN-ACK)"
wgt_pass
