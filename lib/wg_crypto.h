/* SPDX-License-Identifier: MIT */
/*
 * Thin wrappers over the libraries that provide the primitives: BLAKE2s
 * from libb2 (hash, keyed MAC, and the HMAC/HKDF built on it as the Noise
 * spec defines them), X25519 and the AEADs from libsodium. No primitive is
 * implemented here; this file only fixes argument shapes and wipes.
 */
#ifndef WG_CRYPTO_H
#define WG_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg_messages.h"

/* Must be called once before anything else in lib/ (sodium_init). */
int wg_crypto_init(void);

/* out = BLAKE2s-256(a || b); either part may be empty. */
void wg_hash2(uint8_t out[WG_HASH_LEN], const uint8_t *a, size_t a_len,
	      const uint8_t *b, size_t b_len);

/* out = BLAKE2s-128 keyed with key (32 bytes for mac1 and cookies, the
 * 16-byte cookie itself for mac2), over data. */
void wg_mac(uint8_t out[WG_MAC_LEN], const uint8_t *key, size_t key_len,
	    const uint8_t *data, size_t len);

/* Noise HKDF with 1..3 outputs of 32 bytes, built on HMAC-BLAKE2s.
 * Unused outputs may be NULL. */
void wg_kdf(uint8_t *out1, uint8_t *out2, uint8_t *out3,
	    const uint8_t chaining_key[WG_HASH_LEN], const uint8_t *input,
	    size_t input_len);

/* X25519. Returns false when the result is all zeros (low-order point). */
bool wg_dh(uint8_t out[WG_KEY_LEN], const uint8_t private_key[WG_KEY_LEN],
	   const uint8_t public_key[WG_KEY_LEN]);

/* Clamp and derive: public = X25519(private, 9). */
void wg_public_from_private(uint8_t public_key[WG_KEY_LEN],
			    const uint8_t private_key[WG_KEY_LEN]);

/* A fresh clamped private key from the system RNG. */
void wg_generate_private(uint8_t private_key[WG_KEY_LEN]);

/* ChaCha20-Poly1305 (IETF) with the WireGuard nonce: 4 zero bytes then the
 * 64-bit little-endian counter. dst must hold len + 16 bytes. */
void wg_aead_encrypt(uint8_t *dst, const uint8_t *src, size_t len,
		     const uint8_t *ad, size_t ad_len, uint64_t counter,
		     const uint8_t key[WG_KEY_LEN]);
/* dst must hold len - 16 bytes; false on authentication failure. */
bool wg_aead_decrypt(uint8_t *dst, const uint8_t *src, size_t len,
		     const uint8_t *ad, size_t ad_len, uint64_t counter,
		     const uint8_t key[WG_KEY_LEN]);

/* XChaCha20-Poly1305, used only for cookie replies. */
void wg_xaead_encrypt(uint8_t *dst, const uint8_t *src, size_t len,
		      const uint8_t *ad, size_t ad_len,
		      const uint8_t nonce[WG_COOKIE_NONCE_LEN],
		      const uint8_t key[WG_KEY_LEN]);
bool wg_xaead_decrypt(uint8_t *dst, const uint8_t *src, size_t len,
		      const uint8_t *ad, size_t ad_len,
		      const uint8_t nonce[WG_COOKIE_NONCE_LEN],
		      const uint8_t key[WG_KEY_LEN]);

void wg_random(void *buf, size_t len);
uint32_t wg_random_u32(void);

/* Wipe secrets; never optimised away. */
void wg_wipe(void *buf, size_t len);

/* Constant-time comparison; true when equal. */
bool wg_equal(const void *a, const void *b, size_t len);
bool wg_is_zero(const void *buf, size_t len);

#endif /* WG_CRYPTO_H */
