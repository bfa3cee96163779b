#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Capture a cookie exchange with wireguard-go, for test_wgnoise.py.

The handshake transcripts (tests/unit/data/wireguard-go-transcripts.json)
never meet a responder under load, so they check neither the cookie reply
(XChaCha20-Poly1305 keyed with HASH("cookie--" || key), mac1 as AD) nor
mac2. This tool records one, from wireguard-go itself:

 1. wireguard-go in a namespace of its own (one CPU, so that a burst of
    valid-mac1 initiations from 192.0.2.3 fills its handshake queue and
    puts it under load);
 2. our initiation A from 192.0.2.2 (fixed ephemeral key, index and
    timestamp): wireguard-go answers with a cookie reply, not a response;
 3. initiation B (new ephemeral key, later timestamp) twice, back to back:
    first with the mac2 of a wrong cookie, which wireguard-go answers with
    another cookie reply, then with the mac2 of A's cookie, which it
    answers with a handshake response. Only mac2 differs between the two.
 4. over that session, ICMP echo requests under counters 0, 1 and 0x10203
    to wireguard-go's tunnel address; its kernel's echo replies come back
    under wireguard-go's counters 0, 1, 2 (the nonce's byte order, which
    the counter-0 handshake transcripts cannot show).

Every secret input is written to the JSON, so test_wgnoise.py can rebuild
A and B byte for byte, open both cookie replies and finish the handshake.

    capture_cookie.py OUT.json        (root; needs wireguard-go and wg)

Bounded: at most 20 attempts of at most 2 s each; the namespace and
wireguard-go are removed on exit, also on failure.
"""
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wgnoise  # noqa: E402
from wgpacket import icmp_echo4  # noqa: E402

PORT = 51820
GO_ADDR, OUR_ADDR, FLOOD_ADDR = "192.0.2.1", "192.0.2.2", "192.0.2.3"
GO_INNER, OUR_INNER = "198.51.100.1", "198.51.100.2"
OUR_COUNTERS = (0, 1, 0x10203)
BURST = 6000          # valid-mac1 initiations per burst (the queue holds 1024)
ATTEMPTS = 20


def b64(raw):
    return base64.b64encode(raw).decode()


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def receive(sock, kind, receiver, seconds=2.0):
    """The first message of type kind addressed to index receiver, or None."""
    # a cookie reply names its receiver first, a response after its sender
    at = 8 if kind == wgnoise.TYPE_RESPONSE else 4
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = sock.recv(2048)
        except socket.timeout:
            return None
        if (len(data) >= 8 and struct.unpack("<I", data[:4])[0] == kind
                and struct.unpack("<I", data[at:at + 4])[0] == receiver):
            return data
    return None


def burst(sock, key1):
    body = struct.pack("<I", wgnoise.TYPE_INITIATION)
    for _ in range(BURST):
        sock.send(wgnoise.with_macs(body + os.urandom(wgnoise.INITIATION_LEN - 32 - 4), key1))


def capture(go_priv, our_priv):
    go_pub = wgnoise.public_key(go_priv)
    key1 = wgnoise.mac1_key(go_pub)
    ours = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ours.bind((OUR_ADDR, 0))
    ours.connect((GO_ADDR, PORT))
    flood = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    flood.bind((FLOOD_ADDR, 0))
    flood.connect((GO_ADDR, PORT))
    now = time.time_ns()
    for attempt in range(ATTEMPTS):
        a = wgnoise.Initiator(our_priv, go_pub)
        a_in = dict(sender=0x1000 + attempt, e_priv=wgnoise.generate_private(),
                    timestamp=wgnoise.tai64n(now + attempt * 10**9))
        a_msg = a.initiation(**a_in)
        burst(flood, key1)
        ours.send(a_msg)
        reply_a = receive(ours, wgnoise.TYPE_COOKIE, a_in["sender"])
        if reply_a is None:
            print("capture: attempt %d: no cookie reply to A" % attempt, file=sys.stderr)
            continue
        cookie = wgnoise.cookie_open(reply_a, go_pub, a_msg[116:132])
        b = wgnoise.Initiator(our_priv, go_pub)
        b_in = dict(sender=0x2000 + attempt, e_priv=wgnoise.generate_private(),
                    timestamp=wgnoise.tai64n(now + attempt * 10**9 + 5 * 10**8))
        wrong = os.urandom(16)
        b_wrong = b.initiation(cookie=wrong, **b_in)
        b_msg = b.initiation(cookie=cookie, **b_in)
        ours.send(b_wrong)
        reply_b = receive(ours, wgnoise.TYPE_COOKIE, b_in["sender"])
        ours.send(b_msg)
        response = receive(ours, wgnoise.TYPE_RESPONSE, b_in["sender"])
        if reply_b is None or response is None:
            print("capture: attempt %d: B wrong mac2 %s, B right mac2 %s" % (
                attempt, "cookie" if reply_b else "no cookie",
                "response" if response else "no response"), file=sys.stderr)
            continue
        b.consume_response(response)
        to_go = []
        for seq, counter in enumerate(OUR_COUNTERS, 1):
            plain = wgnoise.pad16(icmp_echo4(OUR_INNER, GO_INNER, seq=seq))
            msg = wgnoise.transport(b.send_key, b.remote, counter, plain)
            ours.send(msg)
            to_go.append({"counter": counter, "plaintext_padded": plain.hex(),
                          "message": msg.hex()})
        from_go = []
        for _ in OUR_COUNTERS:
            msg = receive(ours, wgnoise.TYPE_TRANSPORT, b_in["sender"])
            if msg is None:
                break
            from_go.append({"message": msg.hex()})
        if len(from_go) != len(OUR_COUNTERS):
            raise SystemExit("capture: %d echo replies of %d" % (len(from_go), len(OUR_COUNTERS)))
        return {
            "responder_static_private": b64(go_priv),
            "responder_static_public": b64(go_pub),
            "initiator_static_private": b64(our_priv),
            "initiator_static_public": b64(wgnoise.public_key(our_priv)),
            "initiator_source": "%s:%d" % ours.getsockname(),
            "a_sender_index": a_in["sender"],
            "a_ephemeral_private": b64(a_in["e_priv"]),
            "a_timestamp_tai64n": a_in["timestamp"].hex(),
            "a_initiation": a_msg.hex(),
            "cookie_reply_to_a": reply_a.hex(),
            "b_sender_index": b_in["sender"],
            "b_ephemeral_private": b64(b_in["e_priv"]),
            "b_timestamp_tai64n": b_in["timestamp"].hex(),
            "b_wrong_cookie": wrong.hex(),
            "b_initiation_wrong_mac2": b_wrong.hex(),
            "cookie_reply_to_b_wrong_mac2": reply_b.hex(),
            "b_initiation": b_msg.hex(),
            "response_to_b": response.hex(),
            "data_to_wireguard_go": to_go,
            "data_from_wireguard_go": from_go,
        }
    raise SystemExit("capture: no complete exchange in %d attempts (see above)" % ATTEMPTS)


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    if os.environ.get("CAPTURE_IN_NS"):
        keys = json.loads(sys.stdin.read())
        case = capture(base64.b64decode(keys["go"]), base64.b64decode(keys["ours"]))
        case["wireguard_go"] = subprocess.run(
            ["wireguard-go", "--version"], capture_output=True,
            text=True).stdout.splitlines()[0]
        with open(sys.argv[1], "w") as f:
            json.dump({"go_under_load": case}, f, indent=2)
            f.write("\n")
        return
    ns = "wgcap-%d" % os.getpid()
    dev = "wgcap%d" % (os.getpid() % 100000)
    go_priv, our_priv = wgnoise.generate_private(), wgnoise.generate_private()
    go = None
    try:
        run("ip", "netns", "add", ns)
        ip = ["ip", "netns", "exec", ns]
        run(*ip, "ip", "link", "set", "lo", "up")
        for addr in (GO_ADDR, OUR_ADDR, FLOOD_ADDR):
            run(*ip, "ip", "addr", "add", addr + "/32", "dev", "lo")
        env = dict(os.environ, WG_PROCESS_FOREGROUND="1", GOMAXPROCS="1")
        go = subprocess.Popen(ip + ["taskset", "-c", "0", "wireguard-go", dev],
                              env=env, stdout=subprocess.DEVNULL)
        for _ in range(50):
            if subprocess.run(ip + ["wg", "show", dev],
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        key_file = "/tmp/%s.key" % ns
        with open(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(b64(go_priv))
        try:
            run(*ip, "wg", "set", dev, "private-key", key_file,
                "listen-port", str(PORT), "peer", b64(wgnoise.public_key(our_priv)),
                "allowed-ips", OUR_INNER + "/32")
        finally:
            os.unlink(key_file)
        run(*ip, "ip", "addr", "add", GO_INNER + "/24", "dev", dev)
        run(*ip, "ip", "link", "set", dev, "up")
        run(*ip, "taskset", "-c", "1", sys.executable, os.path.abspath(__file__),
            os.path.abspath(sys.argv[1]), timeout=120,
            input=json.dumps({"go": b64(go_priv), "ours": b64(our_priv)}).encode(),
            env=dict(os.environ, CAPTURE_IN_NS="1"))
    finally:
        if go is not None:
            go.terminate()
            try:
                go.wait(5)
            except subprocess.TimeoutExpired:
                go.kill()
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
