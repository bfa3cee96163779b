#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the committed seed corpora under tests/fuzz/corpus/<harness>/.

Run from anywhere: tests/fuzz/make_seeds.py. Deterministic; rewrites the
seed files it owns. Inputs follow each harness's layout (see the comment at
the top of tests/fuzz/fuzz_<harness>.c): the message harnesses get the
captured wireguard-go transcripts (tests/unit/data/...json, hex -> binary),
the config harness the example configs and variants, the UAPI harness a
few set=1 requests, the data-plane harness real IPv4/IPv6 packets.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(HERE, "corpus")
T = json.load(open(os.path.join(TOP, "tests/unit/data/wireguard-go-transcripts.json")))


def put(harness, name, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def hx(case, field):
    return bytes.fromhex(T[case][field])


def le32(v):
    return struct.pack("<I", v)


def le64(v):
    return struct.pack("<Q", v)


# ---------------------------------------------------------------- messages
init = hx("go_initiates", "initiation_from_wireguard_go")
for flags in (0x00, 0x01, 0x04, 0x05):
    put("initiation", f"go-initiation-{flags:02x}", bytes([flags]) + init)
ts = hx("go_initiates", "initiation_timestamp_tai64n")
rec = lambda op, t, dt, e: bytes([op]) + t + le32(dt) + bytes([e])
later = ts[:11] + bytes([ts[11] + 1])
put("initiation", "gen-ordered", bytes([0x80]) + rec(0, ts, 0, 1) + rec(0, later, 30000, 2))
put("initiation", "gen-replayed", bytes([0x80]) + rec(0, later, 0, 1) + rec(0, ts, 30000, 2))
put("initiation", "gen-cookie-psk", bytes([0x83]) + rec(1, ts, 0, 3) + rec(1, later, 10, 4))
put("initiation", "gen-damaged", bytes([0x80]) + rec(0x2a, ts, 0, 5))

put("response", "go-response", b"\x00" + hx("we_initiate", "response_from_wireguard_go"))
put("response", "go-response-psk", b"\x02" + hx("we_initiate_with_psk", "response_from_wireguard_go"))
put("response", "go-response-under-load", b"\x01" + hx("we_initiate", "response_from_wireguard_go"))
eph = bytes(range(0x40, 0x60))
put("response", "gen", b"\x80" + eph + le32(0x5f4bd4be) + b"\x00\x00")
put("response", "gen-psk-damaged", b"\x82" + eph + le32(7) + struct.pack("<H", 0x8000 | 20))

put("cookie", "raw-reply", b"\x00" + le32(3) + le32(287454020) + bytes(range(24)) + bytes(32))
src = bytes([198, 51, 100, 2, 0xCA, 0x6C]) + bytes(12)
put("cookie", "gen-v4", b"\x80" + bytes(range(24)) + b"\x06" + src + le32(10) + b"\x00\x00")
src6 = bytes.fromhex("20010db8000100000000000000000002") + b"\xca\x6c"
put("cookie", "gen-v6-stale", b"\x80" + bytes(24) + b"\x12" + src6 + le32(117) + b"\x00\x00")
put("cookie", "gen-damaged", b"\x80" + bytes(24) + b"\x06" + src + le32(0) + struct.pack("<H", 0x8000 | 40))

put("transport", "go-data", b"\x00" + hx("go_initiates", "data_from_wireguard_go"))
put("transport", "replay-window", b"\x01" + b"".join(le64(c) for c in
    (0, 1, 1, 8200, 71, 72, 8199, 8200 + 8128, 72, 100000, 91872, 91871)))
put("transport", "replay-wide", b"\x05" + b"".join(le64(c) for c in
    (1 << 40, (1 << 40) - 8128, (1 << 64) - (1 << 13), (1 << 64) - (1 << 13) - 1, 0)))
put("transport", "seal-open", b"\x06" + le64(0) + struct.pack("<H", 84)
    + hx("go_initiates", "data_from_wireguard_go_plaintext_padded")[:84]
    + le64(5) + struct.pack("<H", 0) + le64(3) + struct.pack("<H", 1))

# ------------------------------------------------------------------ config
for name in sorted(os.listdir(os.path.join(TOP, "config"))):
    put("config", name, open(os.path.join(TOP, "config", name), "rb").read())
base = open(os.path.join(TOP, "config/gateway.conf")).read()
put("config", "keyfile.conf", base.replace(
    'private_key = "UJtCbWbjrpG2O7JPJu5v3CHuysExgQM+AXIMhE93KEQ=";', 'private_key_file = "wg0.key";'))
put("config", "bad-keyfile.conf", base.replace(
    'private_key = "UJtCbWbjrpG2O7JPJu5v3CHuysExgQM+AXIMhE93KEQ=";', 'private_key_file = "bad.key";'))
put("config", "testing.conf", base + """
testing = { rekey_after_time = 4; reject_after_time = 6; rekey_attempt_time = 9;
            rekey_timeout = 1; keepalive_timeout = 2; handshake_cost_us = 100;
            stats_interval = 1; };
""")
put("config", "syntax-error.conf", base.replace("mtu = 1420;", "mtu = 1420"))
put("config", "unterminated-string.conf", 'interface = { name = "wg0; };\n')
put("config", "bad-values.conf", base.replace('"203.0.113.0/24"', '"203.0.113.0/33"')
    .replace("listen_port = 51820;", "listen_port = 70000;").replace("mtu = 1420;", 'mtu = "big";'))
put("config", "minimal.conf", """interface = { private_key = "UJtCbWbjrpG2O7JPJu5v3CHuysExgQM+AXIMhE93KEQ="; };
lan = { port = 0; address = ["192.0.2.1/24"]; };
wan = { port = 1; address = ["198.51.100.1/24", "2001:db8:1::1/64"]; };
peers = ( { public_key = "BVxJ5iXVkrkKegOv+j2fnT9klFPT2beK/yU/WhMIK0o=";
            endpoint = "[2001:db8:1::2]:51820"; allowed_ips = ["0.0.0.0/0", "::/0"]; } );
""")
put("config", "duplicates.conf", base.replace(
    '"2001:db8:c::2/128"', '"203.0.113.0/24"').replace(
    "BVxJ5iXVkrkKegOv+j2fnT9klFPT2beK/yU/WhMIK0o=", "V8q9iCSCXtdWZFJL1BZ2NdA+AR9duPoOioNnBWU1/C4="))
put("config", "include.conf", '@include "wg0.key"\n' + base)

# -------------------------------------------------------------------- uapi
KEY = "e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a"
PUB = "b85996fecc9c7f1fc6d2572a76eda11d59bcd20be8e543b15ce4bd85481e7a70"
for i, text in enumerate([
    f"private_key={KEY}\nlisten_port=51820\nreplace_peers=true\n"
    f"public_key={PUB}\npreshared_key={KEY}\nendpoint=198.51.100.2:51820\n"
    "persistent_keepalive_interval=25\nreplace_allowed_ips=true\n"
    "allowed_ip=203.0.113.0/24\nallowed_ip=2001:db8:b::/48\n\n",
    f"public_key={PUB}\nremove=true\n\n",
    f"public_key={PUB}\nupdate_only=true\nendpoint=[2001:db8:1::2]:51820\n"
    "allowed_ip=192.0.2.7/32\nprotocol_version=1\n\n",
    "listen_port=0\n\n",
    "fwmark=0x10\n\n",
    f"public_key={PUB}\nallowed_ip=203.0.113.9/24\nreplace_allowed_ips=true\n\n",
    "no-equals-sign\n\n",
]):
    put("uapi", f"request-{i}", bytes([(7 * i + 3) % 64]) + text.encode())

# --------------------------------------------------------------- dataplane
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b)//2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(src, dst, proto, payload, ident=1, frag=0, opts=b"", ttl=64):
    ihl = 5 + len(opts) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 4 * ihl + len(payload), ident, frag,
                    ttl, proto, 0, bytes(src), bytes(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ip6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, hlim, src, dst) + payload


def tcp_syn(sport, dport, mss, more=b""):
    opts = struct.pack("!BBH", 2, 4, mss) + more
    while len(opts) % 4:
        opts += b"\x01"
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, (5 + len(opts) // 4) << 4, 0x02,
                       65535, 0, 0) + opts


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def icmp_echo(t=8, payload=b"wg-dpdk fuzz"):
    h = struct.pack("!BBHHH", t, 0, 0, 0x1234, 1) + payload
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


A = lambda s: bytes(int(x) for x in s.split("."))
A6 = lambda s: bytes.fromhex(s)
PEER4, HOST4, LAN4, WAN4, EP4 = A("203.0.113.5"), A("192.0.2.2"), A("192.0.2.1"), A("198.51.100.1"), A("198.51.100.2")
PEER6 = A6("20010db8000b00000000000000000005")
HOST6 = A6("20010db8000a00000000000000000002")
WAN6 = A6("20010db8000100000000000000000001")
EP6 = A6("20010db8000100000000000000000002")
LAN_MAC, WAN_MAC = bytes([2, 0, 0, 0, 0, 1]), bytes([2, 0, 0, 0, 0, 2])
HOST_MAC, ROUTER_MAC = bytes([2, 0, 0, 0, 0, 3]), bytes([2, 0, 0, 0, 0, 4])


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def record(kind, data):
    return bytes([kind]) + struct.pack("<H", len(data)) + data


inner = {
    "icmp4": ip4(PEER4, HOST4, 1, icmp_echo()),
    "tcp4-syn-mss": ip4(PEER4, HOST4, 6, tcp_syn(40000, 80, 1460, b"\x01\x03\x03\x07\x04\x02")),
    "udp4": ip4(PEER4, HOST4, 17, udp(5000, 53, b"\x12\x34" + bytes(10))),
    "frag4": ip4(PEER4, HOST4, 17, udp(5000, 53, bytes(24)), frag=0x2000),
    "frag4-later": ip4(PEER4, HOST4, 6, bytes(32), frag=0x0004),
    "opts4": ip4(PEER4, HOST4, 6, tcp_syn(40000, 443, 9000), opts=b"\x94\x04\x00\x00"),
    "spoofed4": ip4(A("203.0.114.5"), HOST4, 1, icmp_echo()),
    "icmp6": ip6(PEER6, HOST6, 58, icmp_echo(128)),
    "tcp6-syn-mss": ip6(PEER6, HOST6, 6, tcp_syn(40000, 22, 1440)),
    "frag6": ip6(PEER6, HOST6, 44, struct.pack("!BBHI", 17, 0, 1, 7) + udp(1, 2, bytes(8))),
    "hbh6": ip6(PEER6, HOST6, 0, struct.pack("!BB", 6, 0) + b"\x01\x04\x00\x00\x00\x00" + tcp_syn(1, 2, 1400)),
}
for name, pkt in inner.items():
    put("dataplane", "in-" + name, b"\x00" + record(2, pkt))
    put("dataplane", "in6-" + name, b"\x00" + record(6, pkt))
put("dataplane", "in-keepalive", b"\x00" + record(2, b""))
put("dataplane", "in-burst", b"\x00" + b"".join(record(2 | (i & 1) << 3, p) for i, p in enumerate(inner.values())))

lan = {
    "tcp4-syn": eth(LAN_MAC, HOST_MAC, 0x0800, ip4(HOST4, PEER4, 6, tcp_syn(40000, 80, 1460))),
    "udp6": eth(LAN_MAC, HOST_MAC, 0x86DD, ip6(HOST6, PEER6, 17, udp(1, 2, bytes(100)))),
    "icmp4-to-gw": eth(LAN_MAC, HOST_MAC, 0x0800, ip4(HOST4, LAN4, 1, icmp_echo())),
    "arp": eth(b"\xff" * 6, HOST_MAC, 0x0806, struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
               + HOST_MAC + HOST4 + bytes(6) + LAN4),
    "ns6": eth(b"\x33\x33\xff\x00\x00\x01", HOST_MAC, 0x86DD,
               ip6(HOST6, A6("ff0200000000000000000001ff000001"), 58,
                   struct.pack("!BBHI", 135, 0, 0, 0) + A6("20010db8000a00000000000000000001"), 255)),
    "no-route": eth(LAN_MAC, HOST_MAC, 0x0800, ip4(HOST4, A("8.8.8.8"), 17, udp(1, 53, bytes(4)))),
    "too-big": eth(LAN_MAC, HOST_MAC, 0x0800, ip4(HOST4, PEER4, 17, udp(1, 2, bytes(1450)))),
    "vlan": eth(LAN_MAC, HOST_MAC, 0x8100, b"\x00\x05\x08\x00" + ip4(HOST4, PEER4, 1, icmp_echo())),
}
for name, fr in lan.items():
    put("dataplane", "lan-" + name, b"\x00" + record(0, fr))
put("dataplane", "lan-forced", b"\x00" + record(3, inner["tcp4-syn-mss"]) + record(3, inner["tcp6-syn-mss"]))


def wan4(payload, sport=51820, dport=51820):
    return eth(WAN_MAC, ROUTER_MAC, 0x0800, ip4(EP4, WAN4, 17, udp(sport, dport, payload)))


def wan6(payload):
    return eth(WAN_MAC, ROUTER_MAC, 0x86DD, ip6(EP6, WAN6, 17, udp(51820, 51820, payload)))


wan = {
    "initiation": wan4(init),
    "initiation6": wan6(init),
    "response": wan4(hx("we_initiate", "response_from_wireguard_go")),
    "cookie": wan4(le32(3) + le32(0x1234) + bytes(56)),
    "data-go": wan4(hx("go_initiates", "data_from_wireguard_go")),
    "data-idx": wan4(le32(4) + le32(0x1234) + le64(0) + bytes(32)),
    "icmp-to-gw": eth(WAN_MAC, ROUTER_MAC, 0x0800, ip4(EP4, WAN4, 1, icmp_echo())),
    "frag-to-gw": eth(WAN_MAC, ROUTER_MAC, 0x0800, ip4(EP4, WAN4, 17, udp(51820, 51820, bytes(40)), frag=0x2000)),
    "wrong-port": wan4(init, dport=51821),
}
for name, fr in wan.items():
    put("dataplane", "wan-" + name, b"\x00" + record(1, fr))
print("seeds written under", os.path.relpath(OUT, TOP))
