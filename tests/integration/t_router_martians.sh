#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016
# What a router never forwards, even with a peer whose AllowedIPs are
# 0.0.0.0/0 and ::/1 + 8000::/1 (all of IPv6):
#  - LAN broadcast and multicast (limited and directed broadcast, mDNS,
#    SSDP) are never encrypted: drop_martian_destination;
#  - from the peer: a directed broadcast into the LAN
#    (drop_martian_destination), a link-local source (drop_martian_source),
#    an ICMPv6 neighbour advertisement with the override flag for the LAN
#    router's address and hop limit 255 (drop_inner_neighbour_discovery:
#    the LAN host's neighbour entry keeps the gateway's MAC);
#  - outer checksums: a transport-looking datagram to the WAN port with a
#    bad IPv4 header checksum (drop_outer_ip_checksum), a bad UDP checksum
#    or, over IPv6, none (drop_outer_udp_checksum) never reaches the
#    receiver-index lookup; the same datagram with good checksums does
#    (drop_unknown_receiver_index, the positive control).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
N=5

wgt_init
wgt_require_gateway
wgt_topology
# the WAN bridge must pass bad checksums on to the gateway: with
# br_netfilter loaded it would validate (and drop) IPv4 headers itself
if [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
    ip netns exec "$(wgt_ns wan)" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
        net.bridge.bridge-nf-call-ip6tables=0
fi
wgt_add_peer 1
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1)
site4=$(wgt_site4 1); site6=$(wgt_site6 1)
pub=${WGT_PEER_PUB[1]}

wgt_ping_until "$lan" "$site4" 20
wgt_ping_until "$lan" "$site6" 20
wg set "$WGT_GW_NAME" peer "$pub" allowed-ips 0.0.0.0/0,::/0 ||
    wgt_fail "wg set allowed-ips 0.0.0.0/0,::/0 refused"
wgt_ping "$lan" "$site4" 2
wgt_ping "$lan" "$site6" 2
gw_router_mac=$(ip netns exec "$lan" ip -6 neigh show 2001:db8:a::1 dev lan0 |
    awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
[[ -n $gw_router_mac ]] || wgt_fail "lan host has no neighbour entry for 2001:db8:a::1"

wgh_snapshot
declare -A before
counters=(encrypted_packets drop_martian_destination drop_martian_source
    drop_inner_neighbour_discovery drop_outer_ip_checksum
    drop_outer_udp_checksum drop_unknown_receiver_index)
for c in "${counters[@]}"; do before[$c]=$(wgh_counter "$c"); done

# LAN broadcast and multicast toward "everything behind the peer"
ip netns exec "$lan" python3 - "$N" <<'PY'
import socket, sys
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"lan0")
for _ in range(n):
    for dst in (("255.255.255.255", 67), ("192.0.2.255", 9),
                ("224.0.0.251", 5353), ("239.255.255.250", 1900)):
        s.sendto(b"wgt-martian" * 4, dst)
PY
lan_sent=$((4 * N))

# From inside the tunnel: a directed broadcast into the LAN, a
# link-local source, a neighbour advertisement; then outer checksums
ip netns exec "$p1" python3 - "$N" "$(wgh_gw_mac gw-wan)" "$(wgt_wan4 1)" "$(wgt_wan6 1)" <<'PY'
import socket, struct, sys
n, gw_mac, src4, src6 = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
src, dst = socket.inet_aton("169.254.7.7"), socket.inet_aton("192.0.2.2")
payload = b"wgt-martian-src" * 2
udp = struct.pack("!HHHH", 4000, 9, 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                 src, dst)
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
na = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
na.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
target = socket.inet_pton(socket.AF_INET6, "2001:db8:a::1")
# type 136, override flag, target, target link-layer address option
msg = struct.pack("!BBHI", 136, 0, 0, 0x20000000) + target + \
      bytes([2, 1, 0x02, 0, 0, 0, 0xbe, 0xef])
for _ in range(n):
    u.sendto(b"wgt-bcast" * 4, ("192.0.2.255", 9))
    r.sendto(ip + udp, ("192.0.2.2", 0))
    na.sendto(msg, ("2001:db8:a::2", 0))

# outer checksums: frames straight onto the WAN, to the gateway's MAC
p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
p.bind(("wan0", 0))
mine = open("/sys/class/net/wan0/address").read().strip()
eth = lambda t: bytes.fromhex(gw_mac.replace(":", "")) + \
    bytes.fromhex(mine.replace(":", "")) + struct.pack("!H", t)
# a transport message for a receiver index nobody has
wg = struct.pack("<IIQ", 4, 0x7e57c0de, 1) + bytes(32)
sport, dport = 40123, 51820

def udp4(good_udp):
    s, d = socket.inet_aton(src4), socket.inet_aton("198.51.100.1")
    u = struct.pack("!HHHH", sport, dport, 8 + len(wg), 0) + wg
    c = csum(s + d + struct.pack("!BBH", 0, 17, len(u)) + u) or 0xffff
    if not good_udp:
        c ^= 0x1234
    return s, d, u[:6] + struct.pack("!H", c) + u[8:]

def frame4(good_ip, good_udp):
    s, d, u = udp4(good_udp)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 7, 0, 64, 17, 0, s, d)
    c = csum(ip)
    if not good_ip:
        c ^= 0x0101
    return eth(0x0800) + ip[:10] + struct.pack("!H", c) + ip[12:] + u

def frame6_no_udp_cksum():
    s = socket.inet_pton(socket.AF_INET6, src6)
    d = socket.inet_pton(socket.AF_INET6, "2001:db8:c::1")
    u = struct.pack("!HHHH", sport, dport, 8 + len(wg), 0) + wg
    ip = struct.pack("!IHBB", 6 << 28, len(u), 17, 64) + s + d
    return eth(0x86dd) + ip + u

for _ in range(n):
    p.send(frame4(False, True))   # bad IPv4 header checksum
    p.send(frame4(True, False))   # bad UDP checksum
    p.send(frame6_no_udp_cksum()) # IPv6 without UDP checksum
    p.send(frame4(True, True))    # good: reaches the index lookup
PY
sleep 1
wgh_snapshot

fails=0
delta() { echo $(($(wgh_counter "$1") - before[$1])); }
check() { # check COUNTER WANT
    local got
    got=$(delta "$1")
    if ((got == $2)); then
        wgt_log "ok   $1: +$got"
    else
        wgt_log "FAIL $1: +$got, want +$2"
        fails=$((fails + 1))
    fi
}
check encrypted_packets 0
check drop_martian_destination $((lan_sent + N))
check drop_martian_source "$N"
check drop_inner_neighbour_discovery "$N"
check drop_outer_ip_checksum "$N"
check drop_outer_udp_checksum $((2 * N))
check drop_unknown_receiver_index "$N"
mac=$(ip netns exec "$lan" ip -6 neigh show 2001:db8:a::1 dev lan0 |
    awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
if [[ $mac == "$gw_router_mac" ]]; then
    wgt_log "ok   lan host: 2001:db8:a::1 still at $mac"
else
    wgt_log "FAIL lan host: 2001:db8:a::1 now at '$mac', was $gw_router_mac"
    fails=$((fails + 1))
fi
# and ordinary traffic still passes both ways
wgt_ping "$lan" "$site4" 3
wgt_ping "$p1" 2001:db8:a::2 3
((fails == 0)) || wgt_fail "$fails router check(s) failed"
wgt_pass
