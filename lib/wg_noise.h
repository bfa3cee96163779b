/* SPDX-License-Identifier: MIT */
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, the WireGuard handshake, in both
 * roles. This file knows nothing of sockets, peers tables or time sources:
 * the caller finds the peer, allocates the sender index, passes the
 * current time, and adds/validates mac1/mac2 (wg_cookie.h).
 *
 * Initiator:  wg_noise_create_initiation → (wire) → wg_noise_consume_response
 *             → wg_noise_derive_keypair
 * Responder:  wg_noise_consume_initiation (learns the peer's static key)
 *             → wg_noise_accept_initiation (on that peer's handshake)
 *             → wg_noise_create_response → wg_noise_derive_keypair
 *
 * Every function wipes its temporaries on every exit path; a failed step
 * leaves the handshake as it was.
 */
#ifndef WG_NOISE_H
#define WG_NOISE_H

#include <stdbool.h>
#include <stdint.h>

#include "wg_messages.h"

/* Our static identity. A zero private key means "no key configured".
 * generation names the key: every wg_identity_set in the process gets a
 * new one (a copy of the struct keeps it, as it keeps the key), so a
 * precomputation tagged with it is valid exactly while this key is. */
struct wg_identity {
	uint8_t private_key[WG_KEY_LEN];
	uint8_t public_key[WG_KEY_LEN];
	bool has_private_key;
	uint32_t generation;               /* 0: no key */
};

enum wg_handshake_state {
	WG_HS_ZEROED = 0,
	WG_HS_CREATED_INITIATION,  /* we sent an initiation */
	WG_HS_CONSUMED_INITIATION, /* we accepted one, response not yet sent */
	WG_HS_CREATED_RESPONSE,    /* responder: keys may be derived */
	WG_HS_CONSUMED_RESPONSE,   /* initiator: keys may be derived */
};

/* One per peer. */
struct wg_handshake {
	enum wg_handshake_state state;
	uint8_t remote_static[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN]; /* all zero when none */
	/* DH(our static, their static), computed at first use (the first
	 * initiation we create, or adopted from the first one of the peer we
	 * accept) for the identity whose generation it carries; another
	 * generation (our key changed) or 0 means not computed. Only the
	 * handshake's owner reads or writes it, as the rest of hs. */
	uint8_t precomputed_static_static[WG_KEY_LEN];
	bool static_static_ok;             /* false: low-order remote key */
	uint32_t static_static_generation;

	uint8_t ephemeral_private[WG_KEY_LEN];
	uint8_t remote_ephemeral[WG_KEY_LEN];
	uint8_t hash[WG_HASH_LEN];
	uint8_t chaining_key[WG_HASH_LEN];
	uint32_t local_index;
	uint32_t remote_index;

	/* Replay/flood protection of initiations from this peer. */
	uint8_t latest_timestamp[WG_TIMESTAMP_LEN];
	uint64_t last_initiation_consumption_ns;
	bool has_consumed_initiation;
};

/* A transport session derived from a completed handshake. */
struct wg_keypair {
	uint8_t sending_key[WG_KEY_LEN];
	uint8_t receiving_key[WG_KEY_LEN];
	uint32_t local_index;  /* receiver index the peer puts in its packets */
	uint32_t remote_index; /* receiver index we put in ours */
	bool we_are_initiator;
};

/* The result of decrypting an initiation before we know whose it is. */
struct wg_initiation_result {
	uint8_t remote_static[WG_KEY_LEN];
	uint8_t remote_ephemeral[WG_KEY_LEN];
	uint8_t hash[WG_HASH_LEN];
	uint8_t chaining_key[WG_HASH_LEN];
	uint8_t timestamp[WG_TIMESTAMP_LEN];
	uint32_t sender_index;
	/* the ss DH consume computed, and for which identity: accepting the
	 * initiation adopts it, so the responder never computes it twice */
	uint8_t static_static[WG_KEY_LEN];
	uint32_t identity_generation;
};

/* Known-answer tests inject what is otherwise random or read from clocks. */
struct wg_noise_inject {
	const uint8_t *ephemeral_private;  /* NULL: generate */
	const uint8_t *timestamp;          /* NULL: use now_tai64n argument */
};

enum wg_noise_result {
	WG_NOISE_OK = 0,
	WG_NOISE_NO_IDENTITY,       /* no private key configured */
	WG_NOISE_LOW_ORDER,         /* a DH result was all zeros */
	WG_NOISE_DECRYPT_FAILED,    /* AEAD authentication failed */
	WG_NOISE_BAD_STATE,         /* e.g. a response with no initiation */
	WG_NOISE_STALE_TIMESTAMP,   /* initiation replay */
	WG_NOISE_FLOOD,             /* initiations arrive too fast */
	WG_NOISE_BAD_MESSAGE,       /* wrong type or reserved bytes */
};

const char *wg_noise_result_str(enum wg_noise_result r);

/* Derive the public key; a private key of all zeros clears the identity. */
void wg_identity_set(struct wg_identity *id,
		     const uint8_t private_key[WG_KEY_LEN]);
void wg_identity_clear(struct wg_identity *id);

/* Prepare a peer's handshake; psk may be NULL. No DH here: the
 * static-static is computed at first use, for the identity it is used
 * with (a private key change needs no call: the generation differs), so
 * a million peers load without a million X25519. id is not read; it
 * stays for the callers. hs must be zeroed before its first init: a later
 * init for the same peer keeps its replay state. A low-order remote key
 * is accepted here and refused at first use (WG_NOISE_LOW_ORDER). */
void wg_handshake_init(struct wg_handshake *hs, const struct wg_identity *id,
		       const uint8_t remote_static[WG_KEY_LEN],
		       const uint8_t *psk);
/* Forget the in-progress handshake (keeps peer keys and replay state). */
void wg_handshake_clear(struct wg_handshake *hs);
/* Wipe everything, including the peer's keys. */
void wg_handshake_destroy(struct wg_handshake *hs);

/* The current time as TAI64N (12 bytes), from a Unix time in ns. */
void wg_tai64n(uint8_t out[WG_TIMESTAMP_LEN], uint64_t unix_ns);

/* Fill msg except mac1/mac2 (zeroed). */
enum wg_noise_result
wg_noise_create_initiation(struct wg_handshake *hs,
			   const struct wg_identity *id,
			   struct wg_msg_initiation *msg, uint32_t sender_index,
			   uint64_t unix_now_ns,
			   const struct wg_noise_inject *inject);

/* Decrypt an initiation addressed to id (macs are checked elsewhere).
 * out holds secrets (the ss DH among them): wipe it after use. */
enum wg_noise_result
wg_noise_consume_initiation(const struct wg_identity *id,
			    const struct wg_msg_initiation *msg,
			    struct wg_initiation_result *out);

/* Adopt a consumed initiation into the peer's handshake: refuses a
 * timestamp not newer than the last one accepted and initiations closer
 * together than 1/WG_INITIATIONS_PER_SECOND. mono_now_ns: monotonic. */
enum wg_noise_result
wg_noise_accept_initiation(struct wg_handshake *hs,
			   const struct wg_initiation_result *res,
			   uint64_t mono_now_ns);

enum wg_noise_result
wg_noise_create_response(struct wg_handshake *hs, struct wg_msg_response *msg,
			 uint32_t sender_index,
			 const struct wg_noise_inject *inject);

/* hs must be the handshake whose local_index equals msg's receiver index. */
enum wg_noise_result
wg_noise_consume_response(struct wg_handshake *hs,
			  const struct wg_identity *id,
			  const struct wg_msg_response *msg);

/* Split the chaining key into transport keys and zero the handshake. */
enum wg_noise_result wg_noise_derive_keypair(struct wg_handshake *hs,
					     struct wg_keypair *kp);

void wg_keypair_wipe(struct wg_keypair *kp);

#endif /* WG_NOISE_H */
