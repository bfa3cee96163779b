#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Known-answer test of wgnoise.py against wireguard-go's own exchanges.

tests/unit/data/wireguard-go-transcripts.json holds handshakes captured
from wireguard-go with every secret input (static and ephemeral keys,
indices, timestamps, PSK). From those inputs wgnoise must rebuild each
message wireguard-go's side accepted byte for byte, derive the same
transport keys, and open wireguard-go's transport data.
tests/unit/data/wireguard-go-cookie.json (tools/capture_cookie.py) holds
wireguard-go under load: its cookie replies must open, and the initiation
it answered must carry exactly the mac2 wgnoise computes from the cookie.
So the tools' Noise cannot drift from WireGuard's.

    test_wgnoise.py [DATA_DIR]   (default: $WG_TEST_DATA or tests/unit/data)
"""
import base64
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wgnoise  # noqa: E402

DEFAULT = os.environ.get("WG_TEST_DATA") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "unit", "data")
DATA = sys.argv.pop(1) if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else DEFAULT


def load(name="wireguard-go-transcripts.json"):
    with open(os.path.join(DATA, name)) as f:
        return json.load(f)


def key(case, name):
    value = case.get(name)
    return base64.b64decode(value) if value else None


def hx(case, name):
    return bytes.fromhex(case[name])


class WireGuardGoInitiates(unittest.TestCase):
    """We respond to wireguard-go's initiation."""

    def test_go_initiates(self):
        case = load()["go_initiates"]
        r = wgnoise.Responder(key(case, "responder_static_private"),
                              key(case, "preshared_key"))
        self.assertEqual(r.s_pub, key(case, "responder_static_public"))
        r.consume_initiation(hx(case, "initiation_from_wireguard_go"))
        self.assertEqual(r.peer_pub, key(case, "initiator_static_public"))
        self.assertEqual(wgnoise.public_key(key(case, "initiator_static_private")),
                         r.peer_pub)
        self.assertEqual(r.timestamp, hx(case, "initiation_timestamp_tai64n"))
        response = r.response(case["responder_sender_index"],
                              key(case, "responder_ephemeral_private"))
        self.assertEqual(response.hex(), case["response"])
        self.assertEqual(r.send_key, hx(case, "responder_sending_key"))
        self.assertEqual(r.recv_key, hx(case, "responder_receiving_key"))
        receiver, counter, plain = wgnoise.transport_open(
            r.recv_key, hx(case, "data_from_wireguard_go"))
        self.assertEqual(receiver, case["responder_sender_index"])
        self.assertEqual(counter, case["data_from_wireguard_go_counter"])
        self.assertEqual(plain, hx(case, "data_from_wireguard_go_plaintext_padded"))


class WeInitiate(unittest.TestCase):
    """wireguard-go responds to our initiation, without and with a PSK."""

    def check(self, name):
        case = load()[name]
        i = wgnoise.Initiator(key(case, "initiator_static_private"),
                              key(case, "responder_static_public"),
                              key(case, "preshared_key"))
        self.assertEqual(i.s_pub, key(case, "initiator_static_public"))
        msg = i.initiation(case["initiator_sender_index"],
                           key(case, "initiator_ephemeral_private"),
                           hx(case, "timestamp_tai64n"))
        self.assertEqual(msg.hex(), case["initiation"])
        # and the responder side of the module accepts it, as wireguard-go did
        r = wgnoise.Responder(key(case, "responder_static_private"),
                              key(case, "preshared_key"))
        r.consume_initiation(msg)
        self.assertEqual(r.peer_pub, i.s_pub)
        self.assertEqual(r.timestamp, hx(case, "timestamp_tai64n"))
        i.consume_response(hx(case, "response_from_wireguard_go"))
        self.assertEqual(i.send_key, hx(case, "initiator_sending_key"))
        self.assertEqual(i.recv_key, hx(case, "initiator_receiving_key"))
        data = wgnoise.transport(i.send_key, i.remote, 0,
                                 wgnoise.pad16(hx(case, "data_to_wireguard_go_plaintext")))
        self.assertEqual(data.hex(), case["data_to_wireguard_go"])
        receiver, counter, plain = wgnoise.transport_open(
            i.recv_key, hx(case, "data_from_wireguard_go"))
        self.assertEqual(receiver, case["initiator_sender_index"])
        self.assertEqual(counter, case["data_from_wireguard_go_counter"])
        self.assertEqual(plain, hx(case, "data_from_wireguard_go_plaintext_padded"))

    def test_we_initiate(self):
        self.check("we_initiate")

    def test_we_initiate_with_psk(self):
        self.assertIsNotNone(load()["we_initiate_with_psk"]["preshared_key"])
        self.check("we_initiate_with_psk")


class WireGuardGoUnderLoad(unittest.TestCase):
    """wireguard-go under load sent a cookie reply to initiation A, a
    cookie reply to B with a wrong mac2 and a response to B with A's
    cookie in mac2: only mac2 differs between the two B."""

    def setUp(self):
        self.case = load("wireguard-go-cookie.json")["go_under_load"]
        self.go_pub = key(self.case, "responder_static_public")

    def initiation(self, name, cookie=None):
        c = self.case
        i = wgnoise.Initiator(key(c, "initiator_static_private"), self.go_pub)
        msg = i.initiation(c[name + "_sender_index"], key(c, name + "_ephemeral_private"),
                           hx(c, name + "_timestamp_tai64n"), cookie)
        return i, msg

    def test_keys(self):
        c = self.case
        self.assertEqual(wgnoise.public_key(key(c, "responder_static_private")), self.go_pub)
        self.assertEqual(wgnoise.public_key(key(c, "initiator_static_private")),
                         key(c, "initiator_static_public"))

    def test_cookie_reply_opens(self):
        _, a = self.initiation("a")
        self.assertEqual(a.hex(), self.case["a_initiation"])
        self.assertEqual(a[-16:], bytes(16))   # no cookie yet: mac2 is zero
        reply = hx(self.case, "cookie_reply_to_a")
        self.assertEqual(len(wgnoise.cookie_open(reply, self.go_pub, a[116:132])), 16)
        # the reply is bound to the mac1 it answers (the AEAD's AD)
        _, b = self.initiation("b")
        with self.assertRaises(wgnoise.CryptoError):
            wgnoise.cookie_open(reply, self.go_pub, b[116:132])

    def test_mac2_wireguard_go_accepted(self):
        _, a = self.initiation("a")
        cookie = wgnoise.cookie_open(hx(self.case, "cookie_reply_to_a"), self.go_pub,
                                     a[116:132])
        i, b = self.initiation("b", cookie)
        self.assertEqual(b.hex(), self.case["b_initiation"])
        _, wrong = self.initiation("b", hx(self.case, "b_wrong_cookie"))
        self.assertEqual(wrong.hex(), self.case["b_initiation_wrong_mac2"])
        self.assertEqual(wrong[:-16], b[:-16])
        self.assertNotEqual(wrong[-16:], b[-16:])
        # the wrong mac2 earned another cookie reply: the same cookie (same
        # source, same secret), bound to B's mac1
        self.assertEqual(wgnoise.cookie_open(hx(self.case, "cookie_reply_to_b_wrong_mac2"),
                                             self.go_pub, b[116:132]), cookie)
        # and the right one a response, which completes our handshake
        i.consume_response(hx(self.case, "response_to_b"))
        self.assertEqual(i.remote, int.from_bytes(hx(self.case, "response_to_b")[4:8], "little"))

    def test_transport_counters(self):
        """Counters above 0 both ways: the nonce's byte order. wireguard-go
        answered every echo request, so it opened each message."""
        _, a = self.initiation("a")
        cookie = wgnoise.cookie_open(hx(self.case, "cookie_reply_to_a"), self.go_pub,
                                     a[116:132])
        i, _ = self.initiation("b", cookie)
        i.consume_response(hx(self.case, "response_to_b"))
        to_go = self.case["data_to_wireguard_go"]
        self.assertIn(0x10203, [d["counter"] for d in to_go])
        for d in to_go:
            self.assertEqual(wgnoise.transport(i.send_key, i.remote, d["counter"],
                                               bytes.fromhex(d["plaintext_padded"])).hex(),
                             d["message"])
        from_go = self.case["data_from_wireguard_go"]
        self.assertEqual(len(from_go), len(to_go))
        for n, d in enumerate(from_go):
            receiver, counter, plain = wgnoise.transport_open(
                i.recv_key, bytes.fromhex(d["message"]))
            self.assertEqual((receiver, counter), (self.case["b_sender_index"], n))
            # an echo reply (IPv4, ICMP type 0) to request n + 1
            self.assertEqual((plain[0], plain[9], plain[20]), (0x45, 1, 0))
            self.assertEqual(int.from_bytes(plain[26:28], "big"), n + 1)


class EveryCase(unittest.TestCase):
    def test_no_case_left_out(self):
        cases = {k for k, v in load().items() if isinstance(v, dict)}
        self.assertEqual(cases, {"go_initiates", "we_initiate", "we_initiate_with_psk"})
        self.assertEqual(set(load("wireguard-go-cookie.json")), {"go_under_load"})


class CaseLines(unittest.TextTestResult):
    """Also one '[ RUN      ]' line per case and an '[       OK ]' line per
    passed case, as cmocka prints them: scripts/tally.py counts every
    case of this meson test, as it does a C test's, and a case that
    started and did not pass as a failure."""

    def startTest(self, test):
        self.stream.write("[ RUN      ] %s\n" % test.id())
        super().startTest(test)

    def addSuccess(self, test):
        super().addSuccess(test)
        self.stream.write("[       OK ] %s\n" % test.id())


if __name__ == "__main__":
    unittest.main(verbosity=2, testRunner=unittest.TextTestRunner(
        stream=sys.stdout, resultclass=CaseLines, verbosity=2))
