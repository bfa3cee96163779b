# SPDX-License-Identifier: MIT
"""WireGuard's message cryptography for the test tools, in one place.

The Noise_IKpsk2 handshake (both roles), mac1/mac2, cookie replies and
transport messages, built only from maintained bindings: X25519,
ChaCha20-Poly1305 and XChaCha20-Poly1305 from Debian's python3-nacl
(PyNaCl, on the system libsodium), BLAKE2s (plain, keyed and as HMAC)
from hashlib. No primitive is implemented here. tools/test_wgnoise.py
checks every construction against exchanges captured from wireguard-go.

Keys and messages are bytes: private and public keys 32 raw bytes.
"""
import hashlib
import hmac
import os
import struct
import time

try:
    from nacl import bindings as sodium
    from nacl.exceptions import CryptoError  # for callers: wgnoise.CryptoError
except ImportError:
    import sys
    raise SystemExit("wgnoise: needs PyNaCl (Debian python3-nacl) in %s; "
                     "a pyenv python3 lacks it (PYENV_VERSION=system)"
                     % sys.executable) from None

CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
LABEL_MAC1 = b"mac1----"
LABEL_COOKIE = b"cookie--"
REJECT_AFTER_MESSAGES = (1 << 64) - (1 << 13)

TYPE_INITIATION, TYPE_RESPONSE, TYPE_COOKIE, TYPE_TRANSPORT = 1, 2, 3, 4
INITIATION_LEN, RESPONSE_LEN, COOKIE_LEN = 148, 92, 64
TRANSPORT_HEADER_LEN = 16


def HASH(*parts):
    return hashlib.blake2s(b"".join(parts)).digest()


def HMAC(key, data):
    return hmac.new(key, data, hashlib.blake2s).digest()


def KDF(c, data, n):
    """The n (1..3) outputs of WireGuard's HKDF over chaining key c."""
    t0 = HMAC(c, data)
    out, prev = [], b""
    for i in range(1, n + 1):
        prev = HMAC(t0, prev + bytes([i]))
        out.append(prev)
    return out


def MAC(key, data):
    return hashlib.blake2s(data, key=key, digest_size=16).digest()


def _nonce(counter):
    return b"\0" * 4 + struct.pack("<Q", counter)


def aead_seal(key, counter, plain, ad):
    return sodium.crypto_aead_chacha20poly1305_ietf_encrypt(plain, ad, _nonce(counter), key)


def aead_open(key, counter, data, ad):
    """Raises nacl.exceptions.CryptoError (CryptoError here) if data does
    not authenticate."""
    return sodium.crypto_aead_chacha20poly1305_ietf_decrypt(data, ad, _nonce(counter), key)


def public_key(priv):
    return sodium.crypto_scalarmult_base(priv)


def generate_private():
    # X25519 clamps the scalar when it is used, as wg genkey's key is
    return os.urandom(32)


def dh(priv, pub):
    """X25519; raises ValueError for a low-order public key (all-zero
    result), as WireGuard rejects it."""
    try:
        return sodium.crypto_scalarmult(priv, pub)
    except RuntimeError:    # libsodium refuses an all-zero shared secret
        raise ValueError("low-order public key") from None


def tai64n(now_ns=None):
    t = time.time_ns() if now_ns is None else now_ns
    return struct.pack(">QI", 0x400000000000000a + t // 10**9, t % 10**9)


def mac1_key(receiver_pub):
    return HASH(LABEL_MAC1, receiver_pub)


def cookie_key(receiver_pub):
    return HASH(LABEL_COOKIE, receiver_pub)


def with_macs(body, key1, cookie=None):
    """body followed by mac1 (keyed with mac1_key(receiver's public key))
    and mac2: MAC(cookie, body || mac1) with a cookie, else zeros."""
    msg = body + MAC(key1, body)
    return msg + (MAC(cookie, msg) if cookie is not None else bytes(16))


def check_mac1(msg, receiver_pub):
    body = msg[:-32]
    if not hmac.compare_digest(MAC(mac1_key(receiver_pub), body), msg[-32:-16]):
        raise ValueError("mac1 does not match")


def cookie_open(reply, receiver_pub, mac1):
    """The cookie in a cookie reply from receiver_pub to a message whose
    mac1 was mac1; raises if it does not authenticate."""
    if len(reply) != COOKIE_LEN or struct.unpack("<I", reply[:4])[0] != TYPE_COOKIE:
        raise ValueError("not a cookie reply")
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
        reply[32:64], mac1, reply[8:32], cookie_key(receiver_pub))


def pad16(plain):
    return plain + bytes(-len(plain) % 16)


def transport(key, receiver, counter, plain):
    """A transport message; plain is sent as given (see pad16)."""
    return (struct.pack("<IIQ", TYPE_TRANSPORT, receiver, counter)
            + aead_seal(key, counter, plain, b""))


def transport_open(key, msg):
    """(receiver, counter, plaintext) of a transport message."""
    _, receiver, counter = struct.unpack("<IIQ", msg[:TRANSPORT_HEADER_LEN])
    return receiver, counter, aead_open(key, counter, msg[TRANSPORT_HEADER_LEN:], b"")


class _Symmetric:
    """Noise's chaining key c and hash h, from the responder's static key on."""

    def __init__(self, responder_pub):
        self.c = HASH(CONSTRUCTION)
        self.h = HASH(self.c, IDENTIFIER)
        self.mix_hash(responder_pub)

    def mix_hash(self, data):
        self.h = HASH(self.h, data)

    def mix_ephemeral(self, e_pub):
        self.mix_hash(e_pub)
        (self.c,) = KDF(self.c, e_pub, 1)

    def mix_dh(self, secret):
        (self.c,) = KDF(self.c, secret, 1)

    def mix_dh_key(self, secret):
        self.c, k = KDF(self.c, secret, 2)
        return k

    def mix_psk(self, psk):
        self.c, tau, k = KDF(self.c, psk, 3)
        self.mix_hash(tau)
        return k

    def seal(self, k, plain):
        ct = aead_seal(k, 0, plain, self.h)
        self.mix_hash(ct)
        return ct

    def open(self, k, ct):
        plain = aead_open(k, 0, ct, self.h)
        self.mix_hash(ct)
        return plain

    def split(self):
        """(initiator's sending key, initiator's receiving key)."""
        return tuple(KDF(self.c, b"", 2))


class Initiator:
    """One handshake from the initiator's side. After consume_response:
    send_key, recv_key and remote (the responder's index)."""

    def __init__(self, s_priv, r_pub, psk=None):
        self.s_priv, self.s_pub = s_priv, public_key(s_priv)
        self.r_pub = r_pub
        self.psk = psk or bytes(32)

    def initiation(self, sender, e_priv=None, timestamp=None, cookie=None):
        self.sender = sender
        self.e_priv = e_priv or generate_private()
        e_pub = public_key(self.e_priv)
        st = _Symmetric(self.r_pub)
        st.mix_ephemeral(e_pub)
        enc_static = st.seal(st.mix_dh_key(dh(self.e_priv, self.r_pub)), self.s_pub)      # es
        enc_ts = st.seal(st.mix_dh_key(dh(self.s_priv, self.r_pub)),                      # ss
                         timestamp or tai64n())
        self.state = st
        body = struct.pack("<II", TYPE_INITIATION, sender) + e_pub + enc_static + enc_ts
        return with_macs(body, mac1_key(self.r_pub), cookie)

    def consume_response(self, msg):
        if len(msg) != RESPONSE_LEN or struct.unpack("<I", msg[:4])[0] != TYPE_RESPONSE:
            raise ValueError("not a response")
        sender, receiver = struct.unpack("<II", msg[4:12])
        if receiver != self.sender:
            raise ValueError("response for another handshake")
        check_mac1(msg, self.s_pub)
        e_r = msg[12:44]
        st = self.state
        st.mix_ephemeral(e_r)
        st.mix_dh(dh(self.e_priv, e_r))                   # ee
        st.mix_dh(dh(self.s_priv, e_r))                   # se
        st.open(st.mix_psk(self.psk), msg[44:60])         # raises if wrong
        self.send_key, self.recv_key = st.split()
        self.remote = sender


class Responder:
    """One handshake from the responder's side. consume_initiation sets
    peer_pub (the initiator's static key), timestamp and remote; after
    response: send_key and recv_key."""

    def __init__(self, s_priv, psk=None):
        self.s_priv, self.s_pub = s_priv, public_key(s_priv)
        self.psk = psk or bytes(32)

    def consume_initiation(self, msg):
        if len(msg) != INITIATION_LEN or struct.unpack("<I", msg[:4])[0] != TYPE_INITIATION:
            raise ValueError("not an initiation")
        check_mac1(msg, self.s_pub)
        (self.remote,) = struct.unpack("<I", msg[4:8])
        self.e_i = msg[8:40]
        st = _Symmetric(self.s_pub)
        st.mix_ephemeral(self.e_i)
        self.peer_pub = st.open(st.mix_dh_key(dh(self.s_priv, self.e_i)), msg[40:88])   # es
        self.timestamp = st.open(st.mix_dh_key(dh(self.s_priv, self.peer_pub)),        # ss
                                 msg[88:116])
        self.state = st

    def response(self, sender, e_priv=None, cookie=None):
        e_priv = e_priv or generate_private()
        e_pub = public_key(e_priv)
        st = self.state
        st.mix_ephemeral(e_pub)
        st.mix_dh(dh(e_priv, self.e_i))                   # ee
        st.mix_dh(dh(e_priv, self.peer_pub))              # se
        enc_empty = st.seal(st.mix_psk(self.psk), b"")
        self.recv_key, self.send_key = st.split()
        body = struct.pack("<III", TYPE_RESPONSE, sender, self.remote) + e_pub + enc_empty
        return with_macs(body, mac1_key(self.peer_pub), cookie)
