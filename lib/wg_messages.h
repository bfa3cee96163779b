/* SPDX-License-Identifier: MIT */
/*
 * WireGuard wire formats and every protocol constant, in one place.
 *
 * All multi-byte integers on the wire are little-endian. The structs are
 * packed byte arrays so that they can be overlaid on a received buffer of
 * any alignment; the static_asserts below pin every size to the protocol.
 */
#ifndef WG_MESSAGES_H
#define WG_MESSAGES_H

#include <assert.h>
#include <stdint.h>

enum wg_sizes {
	WG_KEY_LEN = 32,          /* Curve25519 keys, symmetric keys, hashes */
	WG_HASH_LEN = 32,         /* BLAKE2s-256 */
	WG_AEAD_TAG_LEN = 16,     /* Poly1305 tag */
	WG_MAC_LEN = 16,          /* mac1, mac2 and cookies: keyed BLAKE2s-128 */
	WG_COOKIE_LEN = 16,
	WG_COOKIE_NONCE_LEN = 24, /* XChaCha20-Poly1305 nonce */
	WG_TIMESTAMP_LEN = 12,    /* TAI64N */
	WG_PADDING_MULTIPLE = 16, /* transport plaintext is padded to this */
	WG_KEY_B64_LEN = 44,      /* base64 of 32 bytes, with one '=' */
	WG_KEY_HEX_LEN = 64,
};

enum wg_message_type {
	WG_MSG_INITIATION = 1,
	WG_MSG_RESPONSE = 2,
	WG_MSG_COOKIE_REPLY = 3,
	WG_MSG_TRANSPORT = 4,
};

enum wg_message_sizes {
	WG_MSG_INITIATION_LEN = 148,
	WG_MSG_RESPONSE_LEN = 92,
	WG_MSG_COOKIE_REPLY_LEN = 64,
	WG_MSG_TRANSPORT_HEADER_LEN = 16,
	/* header + tag: the smallest transport message (a keepalive) */
	WG_MSG_TRANSPORT_MIN_LEN = 16 + 16,
};

/* Timing constants of the protocol, in seconds unless named otherwise. */
enum wg_timer_constants {
	WG_REKEY_AFTER_TIME = 120,
	WG_REJECT_AFTER_TIME = 180,
	WG_REKEY_ATTEMPT_TIME = 90,
	WG_REKEY_TIMEOUT = 5,
	WG_REKEY_TIMEOUT_JITTER_MAX_MS = 333,
	WG_KEEPALIVE_TIMEOUT = 10,
	WG_COOKIE_SECRET_MAX_AGE = 120,
	/* a cookie received from a peer stays usable a little less than the
	 * secret that made it, so we never send one the peer already rotated */
	WG_COOKIE_SECRET_LATENCY = 5,
	/* initiator waits this long after a handshake before it may reuse it */
	WG_REKEY_AFTER_TIME_RECV = WG_REJECT_AFTER_TIME - WG_KEEPALIVE_TIMEOUT -
				   WG_REKEY_TIMEOUT,
	/* minimum gap between two initiations we accept from one peer, ms */
	WG_INITIATIONS_PER_SECOND = 50,
	WG_MAX_TIMER_HANDSHAKES = WG_REKEY_ATTEMPT_TIME / WG_REKEY_TIMEOUT,
};

/* Message-count limits (do not fit in an int enum). */
#define WG_REKEY_AFTER_MESSAGES  (UINT64_C(1) << 60)
#define WG_REJECT_AFTER_MESSAGES (UINT64_MAX - (UINT64_C(1) << 13))

/* Replay window (RFC 6479): 8192 bits of history. */
enum wg_replay_constants {
	WG_REPLAY_WINDOW_BITS = 8192,
	WG_REPLAY_WORD_BITS = 64,
	WG_REPLAY_WORDS = WG_REPLAY_WINDOW_BITS / WG_REPLAY_WORD_BITS,
	/* one word is kept as slack so a whole word can be cleared at once */
	WG_REPLAY_USABLE_BITS = WG_REPLAY_WINDOW_BITS - WG_REPLAY_WORD_BITS,
};

#define WG_CONSTRUCTION "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
#define WG_IDENTIFIER   "WireGuard v1 zx2c4 Jason@zx2c4.com"
#define WG_LABEL_MAC1   "mac1----"
#define WG_LABEL_COOKIE "cookie--"

struct wg_msg_initiation {
	uint8_t type_and_reserved[4]; /* type 1, then three zero bytes */
	uint8_t sender_index[4];
	uint8_t unencrypted_ephemeral[WG_KEY_LEN];
	uint8_t encrypted_static[WG_KEY_LEN + WG_AEAD_TAG_LEN];
	uint8_t encrypted_timestamp[WG_TIMESTAMP_LEN + WG_AEAD_TAG_LEN];
	uint8_t mac1[WG_MAC_LEN];
	uint8_t mac2[WG_MAC_LEN];
};

struct wg_msg_response {
	uint8_t type_and_reserved[4];
	uint8_t sender_index[4];
	uint8_t receiver_index[4];
	uint8_t unencrypted_ephemeral[WG_KEY_LEN];
	uint8_t encrypted_nothing[WG_AEAD_TAG_LEN];
	uint8_t mac1[WG_MAC_LEN];
	uint8_t mac2[WG_MAC_LEN];
};

struct wg_msg_cookie_reply {
	uint8_t type_and_reserved[4];
	uint8_t receiver_index[4];
	uint8_t nonce[WG_COOKIE_NONCE_LEN];
	uint8_t encrypted_cookie[WG_COOKIE_LEN + WG_AEAD_TAG_LEN];
};

struct wg_msg_transport_header {
	uint8_t type_and_reserved[4];
	uint8_t receiver_index[4];
	uint8_t counter[8];
	/* followed by the encrypted, padded payload and a 16-byte tag */
};

static_assert(sizeof(struct wg_msg_initiation) == WG_MSG_INITIATION_LEN,
	      "initiation is 148 bytes on the wire");
static_assert(sizeof(struct wg_msg_response) == WG_MSG_RESPONSE_LEN,
	      "response is 92 bytes on the wire");
static_assert(sizeof(struct wg_msg_cookie_reply) == WG_MSG_COOKIE_REPLY_LEN,
	      "cookie reply is 64 bytes on the wire");
static_assert(sizeof(struct wg_msg_transport_header) ==
		      WG_MSG_TRANSPORT_HEADER_LEN,
	      "transport header is 16 bytes on the wire");

/* Offsets of mac1/mac2 from the start of the messages that carry them. */
enum wg_mac_offsets {
	WG_INITIATION_MAC1_OFF = WG_MSG_INITIATION_LEN - 2 * WG_MAC_LEN,
	WG_RESPONSE_MAC1_OFF = WG_MSG_RESPONSE_LEN - 2 * WG_MAC_LEN,
};

static inline uint32_t wg_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void wg_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint64_t wg_get_le64(const uint8_t *p)
{
	return (uint64_t)wg_get_le32(p) | (uint64_t)wg_get_le32(p + 4) << 32;
}

static inline void wg_put_le64(uint8_t *p, uint64_t v)
{
	wg_put_le32(p, (uint32_t)v);
	wg_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* The message type with the three reserved bytes, which must be zero. */
static inline uint32_t wg_msg_type_word(const uint8_t *msg)
{
	return wg_get_le32(msg);
}

/* Length of a transport plaintext after padding to 16 bytes, capped at mtu
 * (the reference implementations never pad past the interface MTU). */
static inline uint32_t wg_padded_len(uint32_t len, uint32_t mtu)
{
	uint32_t padded = (len + WG_PADDING_MULTIPLE - 1) &
			  ~(uint32_t)(WG_PADDING_MULTIPLE - 1);
	if (len <= mtu && padded > mtu)
		padded = mtu;
	return padded;
}

#endif /* WG_MESSAGES_H */
