#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A scriptable WireGuard initiator for hostile-input tests.

It performs a real Noise_IKpsk2 handshake with the gateway (wgnoise.py:
maintained bindings only, checked against wireguard-go's transcripts),
so that it holds the session keys, then
sends the messages a scenario asks for, well-formed or deliberately broken
(wrong tag, replayed or out-of-window counters, bad inner packets, ...).

    wgpeer.py --priv-file K --gw-pub B64 --bind ADDR:PORT --gw ADDR:PORT \\
              SCENARIO

Scenarios print one line per kind of message, "sent KIND N", then
"done". Every loop is bounded; every address used is a documentation
address given on the command line.
"""
import argparse
import base64
import ipaddress
import os
import socket
import struct
import sys
import time

from wgnoise import (COOKIE_LEN, REJECT_AFTER_MESSAGES, TYPE_COOKIE, TYPE_INITIATION,
                     TYPE_RESPONSE, TYPE_TRANSPORT, Initiator, cookie_open, mac1_key,
                     pad16, transport, with_macs)
from wgpacket import documentation, icmp_echo4, icmp_echo6


def msg_type(data):
    return struct.unpack("<I", data[:4])[0] if len(data) >= 4 else None


class Peer:
    def __init__(self, priv, gw_pub, psk, bind, gw):
        self.s_priv = priv
        self.gw_pub = gw_pub
        self.psk = psk
        self.gw = gw
        fam = socket.AF_INET6 if ":" in bind[0] else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_DGRAM)
        self.sock.bind(bind)
        self.sock.settimeout(1.0)
        self.counter = 0

    def sendto(self, data, sock=None):
        (sock or self.sock).sendto(data, self.gw)

    def initiation(self, cookie=None):
        """A fresh initiation (new ephemeral key and index); the latest
        one is the handshake a response completes."""
        self.hs = Initiator(self.s_priv, self.gw_pub, self.psk)
        return self.hs.initiation(struct.unpack("<I", os.urandom(4))[0], cookie=cookie)

    def consume_response(self, msg):
        self.hs.consume_response(msg)   # raises if it is not ours or wrong
        self.send_key, self.recv_key = self.hs.send_key, self.hs.recv_key
        self.remote = self.hs.remote
        self.counter = 0

    def received(self, seconds, until_quiet=True):
        """The messages that arrive within seconds; with until_quiet, a
        second (the socket's timeout) without any ends it early."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                data, _ = self.sock.recvfrom(2048)
            except socket.timeout:
                if until_quiet:
                    return
                continue
            yield data

    def handshake(self, tries=5):
        for _ in range(tries):
            self.sendto(self.initiation())
            for data in self.received(2):
                if msg_type(data) == TYPE_RESPONSE:
                    self.consume_response(data)
                    return
        raise SystemExit("wgpeer: no handshake response from %s:%d" % self.gw)

    def transport(self, plain, counter=None, receiver=None, key=None,
                  pad=True, tamper=False):
        if counter is None:
            counter = self.counter
            self.counter += 1
        msg = transport(key or self.send_key, self.remote if receiver is None else receiver,
                        counter, pad16(plain) if pad else plain)
        if tamper:      # one bit of the tag
            msg = msg[:-1] + bytes([msg[-1] ^ 0x80])
        return msg


def scenario_garbage(p, a):
    """Every kind of bad message the gateway must drop, each under its own
    counter; then one good echo request as a positive control."""
    sent = {}
    n = a.n

    def send(kind, data, times=n, sock=None):
        for _ in range(times):
            p.sendto(data, sock)
            time.sleep(0.002)
        sent[kind] = sent.get(kind, 0) + times

    src, dst = a.inner_src, a.inner_dst
    p.handshake()
    # confirm the session (the gateway is the responder) with a keepalive
    p.sendto(p.transport(b""))
    time.sleep(0.3)
    init = p.initiation()
    # framing
    send("truncated", b"\x01\0")
    send("truncated", init[:100])
    send("truncated", p.transport(b"")[:20])
    send("oversized", init + b"\0" * 20)
    send("oversized", b"\x02\0\0\0" + os.urandom(96))
    send("oversized", b"\x03\0\0\0" + os.urandom(76))
    send("bad_type", b"\x05\0\0\0" + os.urandom(60))
    send("bad_type", b"\xff\0\0\0" + os.urandom(60))
    send("bad_type", b"\0\0\0\0" + os.urandom(60))
    send("reserved", init[:1] + b"\x01" + init[2:])
    send("reserved", b"\x04\0\x01\0" + p.transport(b"")[4:])
    send("bad_mac1", init[:116] + os.urandom(16) + init[132:])
    # sessions
    send("unknown_index", p.transport(b"", receiver=(p.remote ^ 0x5a5a5a5a)))
    # a cookie reply for no handshake of the gateway's (random index)
    send("cookie_unknown", b"\x03\0\0\0" + os.urandom(60))
    send("bad_tag", p.transport(icmp_echo4(src, dst), tamper=True))
    send("bad_tag", p.transport(icmp_echo4(src, dst), key=os.urandom(32)))
    # replay: one good keepalive at counter 100, then copies of it
    ka = p.transport(b"", counter=100)
    p.sendto(ka)
    time.sleep(0.05)
    send("replay", ka)
    # far ahead, then far behind the window; and the counter limit
    p.sendto(p.transport(b"", counter=20000))
    time.sleep(0.05)
    send("outside_window", p.transport(b"", counter=5))
    send("outside_window", p.transport(b"", counter=REJECT_AFTER_MESSAGES))
    p.counter = 20001
    # inner packets (all authenticated)
    send("src_not_allowed", p.transport(icmp_echo4(a.foreign_src, dst)), times=1)
    for _ in range(n - 1):
        send("src_not_allowed", p.transport(icmp_echo4(a.foreign_src, dst)), times=1)
    for _ in range(n):
        send("not_ip", p.transport(b"\x50" + os.urandom(40)), times=1)
        send("not_ip", p.transport(b"\x00" * 48), times=1)
        send("bad_length", p.transport(icmp_echo4(src, dst, ihl=4)), times=1)
        send("bad_length", p.transport(icmp_echo4(src, dst, total=400)), times=1)
        send("bad_length", p.transport(b"\x45" + b"\0" * 9), times=1)
        send("bad_length", p.transport(icmp_echo6(a.inner_src6, a.inner_dst6)[:30]), times=1)
        send("options", p.transport(icmp_echo4(src, dst, ihl=6)), times=1)
        send("fragment", p.transport(icmp_echo4(src, dst, frag=0x2000)), times=1)
        send("fragment", p.transport(icmp_echo4(src, dst, frag=0x0010)), times=1)
        send("fragment", p.transport(icmp_echo6(a.inner_src6, a.inner_dst6, 44)), times=1)
    # a forged packet from another source port must not move the endpoint
    other = socket.socket(p.sock.family, socket.SOCK_DGRAM)
    other.bind((p.sock.getsockname()[0], 0))
    send("bad_tag", p.transport(icmp_echo4(src, dst), tamper=True), times=1, sock=other)
    # positive control: exactly one good echo request reaches the LAN
    time.sleep(0.2)
    p.sendto(p.transport(icmp_echo4(src, dst, seq=99)))
    sent["good"] = 1
    for kind, count in sorted(sent.items()):
        print("sent %s %d" % (kind, count))
    print("done", flush=True)


# Curve25519 points of small order (as the Linux selftests and the
# reference implementations list them): 0, 1, and a point of order 8.
LOW_ORDER = [
    bytes(32),
    bytes([1]) + bytes(31),
    bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
]


def scenario_loworder(p, a):
    """Initiations whose ephemeral key is a low-order point (valid mac1):
    the gateway must answer none of them."""
    got = 0
    for point in LOW_ORDER:
        msg = p.initiation()
        msg = with_macs(msg[:8] + point + msg[40:116], mac1_key(p.gw_pub))
        p.sendto(msg)
        got += sum(msg_type(data) == TYPE_RESPONSE for data in p.received(1.5))
    print("sent loworder %d" % len(LOW_ORDER))
    print("responses %d" % got)
    print("done", flush=True)


def scenario_ratelimit(p, a):
    """While the gateway is under load: earn a cookie, then send --n
    initiations with a valid mac2 back to back from one source. The
    gateway gives DH work to a burst of 5 and then 20/s; the rest are
    rate-limited. Prints how many responses came back."""
    cookie = None
    # mac1 of every initiation sent, by sender index: on a slow gateway
    # the reply to an earlier initiation may arrive after the next one
    # went out, and it authenticates only against its own mac1
    sent_mac1 = {}
    for _ in range(10):
        msg = p.initiation()
        sent_mac1[msg[4:8]] = msg[116:132]
        p.sendto(msg)
        for data in p.received(1):
            mac1 = sent_mac1.get(data[4:8])
            if msg_type(data) == TYPE_COOKIE and len(data) == COOKIE_LEN and mac1:
                cookie = cookie_open(data, p.gw_pub, mac1)
                break
        if cookie:
            break
    if cookie is None:
        sys.exit("wgpeer: no cookie reply: is the gateway under load?")
    start = time.monotonic()
    for _ in range(a.n):
        p.sendto(p.initiation(cookie))
    secs = time.monotonic() - start
    responses = sum(msg_type(data) == TYPE_RESPONSE for data in p.received(2))
    print("sent mac2 %d in %.2f s" % (a.n, secs))
    print("responses %d" % responses)
    print("done", flush=True)


def scenario_expired(p, a):
    """A session used after the gateway's reject-after-time: handshake,
    confirm, wait --wait seconds, then --n keepalives and --n data."""
    p.handshake()
    p.sendto(p.transport(b""))
    time.sleep(a.wait)
    for _ in range(a.n):
        p.sendto(p.transport(b""))
        p.sendto(p.transport(icmp_echo4(a.inner_src, a.inner_dst)))
        time.sleep(0.01)
    print("sent expired %d" % (2 * a.n))
    print("done", flush=True)


def scenario_respond(p, a):
    """Initiate, take the response and then stay silent for --wait
    seconds (the gateway, as responder, has no confirmed session yet),
    counting the initiations the gateway sends meanwhile; then confirm
    with a keepalive and count the transport messages that follow for
    another 2 s (what the gateway staged meanwhile)."""
    p.handshake()
    print("handshake done", flush=True)
    initiations = other = 0
    for data in p.received(a.wait, until_quiet=False):
        if msg_type(data) == TYPE_INITIATION:
            initiations += 1
        else:
            other += 1
    print("gateway initiations %d" % initiations)
    print("other before confirm %d" % other)
    p.sendto(p.transport(b""))
    staged = sum(msg_type(data) == TYPE_TRANSPORT
                 for data in p.received(2, until_quiet=False))
    print("transport after confirm %d" % staged)
    print("done", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--priv-file", required=True)
    ap.add_argument("--psk-file")
    ap.add_argument("--gw-pub", required=True)
    ap.add_argument("--bind", required=True, help="ADDR:PORT (IPv6 in [])")
    ap.add_argument("--gw", required=True, help="ADDR:PORT (IPv6 in [])")
    ap.add_argument("--n", type=int, default=5, help="copies of each kind")
    ap.add_argument("--inner-src", default="203.0.113.65")
    ap.add_argument("--inner-src6", default="2001:db8:b:2::1")
    ap.add_argument("--inner-dst", default="192.0.2.2")
    ap.add_argument("--inner-dst6", default="2001:db8:a::2")
    ap.add_argument("--foreign-src", default="203.0.113.1")
    ap.add_argument("--wait", type=float, default=0, help="s (expired, respond)")
    ap.add_argument("scenario", choices=["garbage", "handshake", "loworder",
                                         "expired", "ratelimit", "respond"])
    a = ap.parse_args()
    if not 1 <= a.n <= 200:
        sys.exit("wgpeer: --n 1..200")

    def hostport(text):
        host, _, port = text.rpartition(":")
        host = host.strip("[]")
        ip = ipaddress.ip_address(host)
        if not documentation(ip):
            sys.exit("wgpeer: %s is not a documentation address" % ip)
        return (host, int(port))

    priv = base64.b64decode(open(a.priv_file).read().strip())
    psk = base64.b64decode(open(a.psk_file).read().strip()) if a.psk_file else None
    p = Peer(priv, base64.b64decode(a.gw_pub), psk, hostport(a.bind), hostport(a.gw))
    if a.scenario == "handshake":
        p.handshake()
        p.sendto(p.transport(b""))
        print("done", flush=True)
    elif a.scenario == "expired":
        if not 0 <= a.wait <= 60:
            sys.exit("wgpeer: --wait 0..60")
        scenario_expired(p, a)
    elif a.scenario == "respond":
        if not 0 <= a.wait <= 30:
            sys.exit("wgpeer: --wait 0..30")
        scenario_respond(p, a)
    elif a.scenario == "ratelimit":
        scenario_ratelimit(p, a)
    elif a.scenario == "loworder":
        scenario_loworder(p, a)
    else:
        scenario_garbage(p, a)


if __name__ == "__main__":
    main()
