/* SPDX-License-Identifier: MIT */
/*
 * mac1/mac2 and cookie replies: WireGuard's defence against handshake
 * floods. mac1 (keyed with the receiver's public key) proves the sender
 * knows whom it talks to and is cheap to check on a worker; mac2 (keyed
 * with a cookie bound to the sender's address) proves the sender can
 * receive at that address, and is demanded only when we are under load.
 *
 * The checker is ours (one per interface); a maker is per peer and holds
 * the cookie that peer gave us. Times are monotonic ns passed in.
 */
#ifndef WG_COOKIE_H
#define WG_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg_messages.h"

/* Source address as bytes: IPv4 (4) or IPv6 (16) address, then the UDP
 * port in network byte order (2). At most 18 bytes. */
enum { WG_COOKIE_SOURCE_MAX = 18 };

struct wg_cookie_checker {
	uint8_t mac1_key[WG_KEY_LEN];          /* HASH(LABEL_MAC1 || our pub) */
	uint8_t cookie_encryption_key[WG_KEY_LEN]; /* HASH(LABEL_COOKIE || pub) */
	uint8_t secret[WG_HASH_LEN];           /* rotates every 120 s */
	uint64_t secret_birth_ns;
	bool has_secret;
};

struct wg_cookie_maker {
	uint8_t mac1_key[WG_KEY_LEN];          /* from the peer's public key */
	uint8_t cookie_decryption_key[WG_KEY_LEN];
	uint8_t cookie[WG_COOKIE_LEN];
	uint64_t cookie_birth_ns;
	bool is_cookie_valid;
	/* the mac1 of our last handshake message: the cookie reply's AD */
	uint8_t last_mac1_sent[WG_MAC_LEN];
	bool have_sent_mac1;
};

enum wg_mac_state {
	WG_MAC_INVALID = 0,       /* mac1 wrong: drop */
	WG_MAC_VALID_MAC1,        /* mac1 right, mac2 missing or wrong */
	WG_MAC_VALID_MAC1_COOKIE, /* both right */
};

/* Our side; call again when our public key changes. */
void wg_cookie_checker_init(struct wg_cookie_checker *c,
			    const uint8_t our_public[WG_KEY_LEN]);
void wg_cookie_checker_wipe(struct wg_cookie_checker *c);

/* A peer's side, from its public key. */
void wg_cookie_maker_init(struct wg_cookie_maker *m,
			  const uint8_t peer_public[WG_KEY_LEN]);
void wg_cookie_maker_wipe(struct wg_cookie_maker *m);

/* Only mac1 with a precomputed key: what a worker checks before handing
 * an initiation or response to the control core. msg is a whole
 * initiation or response (len 148 or 92). */
bool wg_cookie_mac1_ok(const uint8_t mac1_key[WG_KEY_LEN], const uint8_t *msg,
		       size_t len);

/* Full check on the control core; rotates the secret when it is older
 * than WG_COOKIE_SECRET_MAX_AGE. check_mac2 false skips mac2 (not under
 * load) and returns WG_MAC_VALID_MAC1 at best. */
enum wg_mac_state wg_cookie_validate(struct wg_cookie_checker *c,
				     const uint8_t *msg, size_t len,
				     const uint8_t *source, size_t source_len,
				     bool check_mac2, uint64_t now_ns);

/* Fill mac1 (and mac2 when we hold a fresh cookie) of an outgoing
 * initiation or response, and remember mac1 for the cookie reply. */
void wg_cookie_add_macs(struct wg_cookie_maker *m, uint8_t *msg, size_t len,
			uint64_t now_ns);

/* Answer msg (an initiation or response from source) with a cookie reply.
 * nonce may be NULL (random) or 24 bytes for known-answer tests. */
void wg_cookie_create_reply(struct wg_cookie_checker *c,
			    struct wg_msg_cookie_reply *reply,
			    const uint8_t *msg, size_t len,
			    const uint8_t *source, size_t source_len,
			    uint64_t now_ns, const uint8_t *nonce);

/* Decrypt a cookie reply with the peer's maker; false if it does not
 * authenticate against our last sent mac1. */
bool wg_cookie_consume_reply(struct wg_cookie_maker *m,
			     const struct wg_msg_cookie_reply *reply,
			     uint64_t now_ns);

/*
 * "Under load" policy. The reference implementations say: under load when
 * the handshake queue is more than 1/8 full, and for one second after it
 * last was. Both inputs are passed in so the decision is testable.
 */
struct wg_load_state {
	uint64_t last_under_load_ns;
	bool has_been_under_load;
};
bool wg_under_load(struct wg_load_state *s, unsigned queue_depth,
		   unsigned queue_capacity, uint64_t now_ns);

#endif /* WG_COOKIE_H */
