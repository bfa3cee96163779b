#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Known-answer test of wgnoise.py against wireguard-go's own handshakes.

tests/unit/data/wireguard-go-transcripts.json holds exchanges captured
from wireguard-go with every secret input (static and ephemeral keys,
indices, timestamps, PSK). From those inputs wgnoise must rebuild each
message wireguard-go's side accepted byte for byte, derive the same
transport keys, and open wireguard-go's transport data: so the tools'
Noise cannot drift from WireGuard's.

    test_wgnoise.py [TRANSCRIPTS]   (default: $WG_TEST_DATA or tests/unit/data)
"""
import base64
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wgnoise  # noqa: E402

DEFAULT = os.path.join(
    os.environ.get("WG_TEST_DATA") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "unit", "data"),
    "wireguard-go-transcripts.json")
PATH = sys.argv.pop(1) if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else DEFAULT


def load():
    with open(PATH) as f:
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


class EveryCase(unittest.TestCase):
    def test_no_case_left_out(self):
        cases = {k for k, v in load().items() if isinstance(v, dict)}
        self.assertEqual(cases, {"go_initiates", "we_initiate", "we_initiate_with_psk"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
