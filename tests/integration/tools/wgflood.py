#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Handshake flood for tests/integration/t_flood.sh.

Sends WireGuard handshake initiations with a valid mac1 (keyed with
HASH("mac1----" || gateway public key), as a real initiator would) but
random content, from many spoofed documentation-range source addresses,
as raw Ethernet frames on an interface (the WAN bridge), straight to the
gateway's MAC. Such a message costs the gateway a DH operation unless it
answers with a cookie reply, which the spoofed sources never receive.

Bounded: at most --rate frames per second, for at most --duration seconds
and --count frames, then it prints what it sent and exits.

Only documentation addresses: IPv4 sources from 198.51.100.64/26 and
203.0.113.192/26, IPv6 sources from 2001:db8:c::/64 (host part >= 0x1000)
and 2001:db8:f::/48; destinations as given (the gateway's WAN addresses).
With --source, every frame comes from that one (documentation) address,
from random ports: the single-source flood of t_flood_one_source.sh.
With --wide6, every source is in its own random /64 of 2001:db8:f::/48:
a spoofed flood that no per-source limit (per /64) ever holds back.
"""
import argparse
import base64
import ipaddress
import os
import random
import signal
import socket
import struct
import sys
import time

from wgnoise import TYPE_INITIATION, mac1_key, with_macs
from wgpacket import csum, documentation

def initiation(key, rnd):
    """Random index, ephemeral, static and timestamp: only mac1 is valid."""
    body = struct.pack("<I", TYPE_INITIATION) + rnd.randbytes(4 + 32 + 48 + 28)
    return with_macs(body, key)


def frame(dst_mac, src_mac, src, dst, sport, dport, payload):
    udp_len = 8 + len(payload)
    if src.version == 4:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len,
                         random.getrandbits(16), 0x4000, 64, 17, 0,
                         src.packed, dst.packed)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        udp = struct.pack("!HHHH", sport, dport, udp_len, 0)
        return dst_mac + src_mac + b"\x08\x00" + ip + udp + payload
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0)
    pseudo = src.packed + dst.packed + struct.pack("!I3xB", udp_len, 17)
    c = csum(pseudo + udp + payload) or 0xffff
    udp = udp[:6] + struct.pack("!H", c)
    ip = struct.pack("!IHBB16s16s", 6 << 28, udp_len, 17, 64, src.packed,
                     dst.packed)
    return dst_mac + src_mac + b"\x86\xdd" + ip + udp + payload


def sources(n, family, rnd):
    out = []
    for i in range(n):
        if family == 4 or (family == 46 and i % 2 == 0):
            if i % 4 < 2:
                a = ipaddress.ip_address("198.51.100.64") + rnd.randrange(64)
            else:
                a = ipaddress.ip_address("203.0.113.192") + rnd.randrange(64)
        else:
            if i % 4 < 2:
                a = ipaddress.ip_address("2001:db8:c::1000") + rnd.randrange(1 << 16)
            else:
                a = ipaddress.ip_address("2001:db8:f::") + (rnd.getrandbits(16) << 64 | 1)
        assert documentation(a), a
        out.append(a)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iface", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--dst4", default="198.51.100.1")
    ap.add_argument("--dst6", default="2001:db8:c::1")
    ap.add_argument("--port", type=int, default=51820)
    ap.add_argument("--gw-pub", required=True, help="base64 public key")
    ap.add_argument("--family", type=int, choices=(4, 6, 46), default=46)
    ap.add_argument("--rate", type=int, required=True, help="frames/s")
    ap.add_argument("--duration", type=float, required=True, help="s")
    ap.add_argument("--count", type=int, default=10_000_000)
    ap.add_argument("--source", help="one source address for every frame")
    ap.add_argument("--wide6", action="store_true",
                    help="every source in its own /64 of 2001:db8:f::/48")
    ap.add_argument("--distinct", type=int, default=4096,
                    help="distinct prebuilt frames (sources x contents)")
    args = ap.parse_args()
    if not (0 < args.rate <= 200_000 and 0 < args.duration <= 120):
        sys.exit("wgflood: rate 1..200000/s and duration <= 120 s only")
    dst4 = ipaddress.ip_address(args.dst4)
    dst6 = ipaddress.ip_address(args.dst6)
    for d in (dst4, dst6):
        if not documentation(d):
            sys.exit("wgflood: %s is not a documentation address" % d)

    rnd = random.Random(int.from_bytes(os.urandom(8), "little"))
    key = mac1_key(base64.b64decode(args.gw_pub))
    dst_mac = bytes.fromhex(args.dst_mac.replace(":", ""))
    if args.source:
        one = ipaddress.ip_address(args.source)
        if not documentation(one):
            sys.exit("wgflood: %s is not a documentation address" % one)
        srcs = [one] * args.distinct
    elif args.wide6:
        base = ipaddress.ip_address("2001:db8:f::")
        srcs = [base + (rnd.getrandbits(16) << 64 | 1) for _ in range(args.distinct)]
        assert all(documentation(a) for a in srcs)
    else:
        srcs = sources(args.distinct, args.family, rnd)
    frames = []
    for src in srcs:
        src_mac = bytes([0x02]) + rnd.randbytes(5)
        frames.append(frame(dst_mac, src_mac, src,
                            dst4 if src.version == 4 else dst6,
                            rnd.randrange(1024, 65536), args.port,
                            initiation(key, rnd)))

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    sent = errors = 0
    start = time.monotonic()
    end = start + args.duration
    batch = max(1, args.rate // 1000)   # one batch per millisecond
    i = 0
    while sent < args.count and not stop:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * args.rate)
        if sent >= due:
            time.sleep(min(0.001, end - now))
            continue
        for _ in range(min(batch, due - sent, args.count - sent)):
            try:
                s.send(frames[i])
            except OSError:
                errors += 1
            i = (i + 1) % len(frames)
            sent += 1
    secs = time.monotonic() - start
    print("wgflood: sent %d initiations in %.1f s rate %.0f /s, %d send errors"
          % (sent, secs, sent / secs if secs else 0, errors), flush=True)


if __name__ == "__main__":
    main()
