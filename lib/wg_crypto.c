/* SPDX-License-Identifier: MIT */
#include "wg_crypto.h"

#include <blake2.h>
#include <sodium.h>
#include <string.h>

enum { BLAKE2S_BLOCK_LEN = 64 };

int wg_crypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void wg_hash2(uint8_t out[WG_HASH_LEN], const uint8_t *a, size_t a_len,
	      const uint8_t *b, size_t b_len)
{
	blake2s_state state;

	blake2s_init(&state, WG_HASH_LEN);
	if (a_len)
		blake2s_update(&state, a, a_len);
	if (b_len)
		blake2s_update(&state, b, b_len);
	blake2s_final(&state, out, WG_HASH_LEN);
	wg_wipe(&state, sizeof(state));
}

void wg_mac(uint8_t out[WG_MAC_LEN], const uint8_t *key, size_t key_len,
	    const uint8_t *data, size_t len)
{
	blake2s_state state;

	blake2s_init_key(&state, WG_MAC_LEN, key, key_len);
	blake2s_update(&state, data, len);
	blake2s_final(&state, out, WG_MAC_LEN);
	wg_wipe(&state, sizeof(state));
}

/* HMAC (RFC 2104) over BLAKE2s-256, as Noise's HKDF uses it. */
static void hmac_blake2s(uint8_t out[WG_HASH_LEN], const uint8_t *key,
			 size_t key_len, const uint8_t *data, size_t data_len)
{
	uint8_t block[BLAKE2S_BLOCK_LEN];
	uint8_t inner[WG_HASH_LEN];
	blake2s_state state;

	memset(block, 0, sizeof(block));
	if (key_len > BLAKE2S_BLOCK_LEN)
		blake2s(block, key, NULL, WG_HASH_LEN, key_len, 0);
	else
		memcpy(block, key, key_len);

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] ^= 0x36;
	blake2s_init(&state, WG_HASH_LEN);
	blake2s_update(&state, block, sizeof(block));
	blake2s_update(&state, data, data_len);
	blake2s_final(&state, inner, WG_HASH_LEN);

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] ^= 0x36 ^ 0x5c;
	blake2s_init(&state, WG_HASH_LEN);
	blake2s_update(&state, block, sizeof(block));
	blake2s_update(&state, inner, WG_HASH_LEN);
	blake2s_final(&state, out, WG_HASH_LEN);

	wg_wipe(block, sizeof(block));
	wg_wipe(inner, sizeof(inner));
	wg_wipe(&state, sizeof(state));
}

void wg_kdf(uint8_t *out1, uint8_t *out2, uint8_t *out3,
	    const uint8_t chaining_key[WG_HASH_LEN], const uint8_t *input,
	    size_t input_len)
{
	uint8_t secret[WG_HASH_LEN];
	uint8_t out[WG_HASH_LEN + 1];

	/* temp key = HMAC(ck, input) */
	hmac_blake2s(secret, chaining_key, WG_HASH_LEN, input, input_len);

	/* T1 = HMAC(temp, 0x01) */
	out[0] = 1;
	hmac_blake2s(out, secret, WG_HASH_LEN, out, 1);
	if (out1)
		memcpy(out1, out, WG_HASH_LEN);

	if (out2 || out3) {
		/* T2 = HMAC(temp, T1 || 0x02) */
		out[WG_HASH_LEN] = 2;
		hmac_blake2s(out, secret, WG_HASH_LEN, out, WG_HASH_LEN + 1);
		if (out2)
			memcpy(out2, out, WG_HASH_LEN);
	}
	if (out3) {
		/* T3 = HMAC(temp, T2 || 0x03) */
		out[WG_HASH_LEN] = 3;
		hmac_blake2s(out, secret, WG_HASH_LEN, out, WG_HASH_LEN + 1);
		memcpy(out3, out, WG_HASH_LEN);
	}
	wg_wipe(secret, sizeof(secret));
	wg_wipe(out, sizeof(out));
}

bool wg_dh(uint8_t out[WG_KEY_LEN], const uint8_t private_key[WG_KEY_LEN],
	   const uint8_t public_key[WG_KEY_LEN])
{
	/* libsodium refuses (returns -1) when the result is all zeros, which is
	 * exactly the low-order-point check the protocol asks for. */
	if (crypto_scalarmult_curve25519(out, private_key, public_key) != 0) {
		wg_wipe(out, WG_KEY_LEN);
		return false;
	}
	return true;
}

void wg_public_from_private(uint8_t public_key[WG_KEY_LEN],
			    const uint8_t private_key[WG_KEY_LEN])
{
	/* crypto_scalarmult_curve25519_base clamps internally, as wg pubkey */
	crypto_scalarmult_curve25519_base(public_key, private_key);
}

void wg_generate_private(uint8_t private_key[WG_KEY_LEN])
{
	randombytes_buf(private_key, WG_KEY_LEN);
	private_key[0] &= 248;
	private_key[31] = (private_key[31] & 127) | 64;
}

static void wg_nonce(uint8_t nonce[12], uint64_t counter)
{
	memset(nonce, 0, 4);
	wg_put_le64(nonce + 4, counter);
}

void wg_aead_encrypt(uint8_t *dst, const uint8_t *src, size_t len,
		     const uint8_t *ad, size_t ad_len, uint64_t counter,
		     const uint8_t key[WG_KEY_LEN])
{
	uint8_t nonce[12];

	wg_nonce(nonce, counter);
	crypto_aead_chacha20poly1305_ietf_encrypt(dst, NULL, src, len, ad,
						  ad_len, NULL, nonce, key);
}

bool wg_aead_decrypt(uint8_t *dst, const uint8_t *src, size_t len,
		     const uint8_t *ad, size_t ad_len, uint64_t counter,
		     const uint8_t key[WG_KEY_LEN])
{
	uint8_t nonce[12];

	if (len < WG_AEAD_TAG_LEN)
		return false;
	wg_nonce(nonce, counter);
	return crypto_aead_chacha20poly1305_ietf_decrypt(
		       dst, NULL, NULL, src, len, ad, ad_len, nonce, key) == 0;
}

void wg_xaead_encrypt(uint8_t *dst, const uint8_t *src, size_t len,
		      const uint8_t *ad, size_t ad_len,
		      const uint8_t nonce[WG_COOKIE_NONCE_LEN],
		      const uint8_t key[WG_KEY_LEN])
{
	crypto_aead_xchacha20poly1305_ietf_encrypt(dst, NULL, src, len, ad,
						   ad_len, NULL, nonce, key);
}

bool wg_xaead_decrypt(uint8_t *dst, const uint8_t *src, size_t len,
		      const uint8_t *ad, size_t ad_len,
		      const uint8_t nonce[WG_COOKIE_NONCE_LEN],
		      const uint8_t key[WG_KEY_LEN])
{
	if (len < WG_AEAD_TAG_LEN)
		return false;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(
		       dst, NULL, NULL, src, len, ad, ad_len, nonce, key) == 0;
}

void wg_random(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

uint32_t wg_random_u32(void)
{
	return randombytes_random();
}

void wg_wipe(void *buf, size_t len)
{
	sodium_memzero(buf, len);
}

bool wg_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}

bool wg_is_zero(const void *buf, size_t len)
{
	return sodium_is_zero(buf, len) == 1;
}
