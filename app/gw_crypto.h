/* SPDX-License-Identifier: MIT */
/*
 * Data-plane ChaCha20-Poly1305 with intel-ipsec-mb: a burst of packets is
 * submitted as a burst of jobs, so the library can interleave several
 * buffers in its SIMD lanes. Everything runs in place: the caller points
 * data at the plaintext (or ciphertext) inside the mbuf and tag right
 * behind it. WireGuard's nonce is 4 zero bytes then the 64-bit
 * little-endian counter, and transport messages carry no associated data.
 */
#ifndef GW_CRYPTO_H
#define GW_CRYPTO_H

#include <stdbool.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

#include "wg_messages.h"

struct gw_aead_op {
	uint8_t *data;           /* in place */
	uint32_t len;            /* without the tag */
	uint8_t *tag;            /* encrypt: written; decrypt: checked */
	const uint8_t *key;      /* 32 bytes, lives until the burst returns */
	uint64_t counter;
	/* filled by the burst functions */
	uint8_t nonce[12];
	uint8_t computed_tag[WG_AEAD_TAG_LEN];
	bool ok;
};

/* One manager per lcore (they are not thread-safe). NULL on failure. */
IMB_MGR *gw_crypto_mgr_create(void);
void gw_crypto_mgr_free(IMB_MGR *mb);
const char *gw_crypto_arch_name(IMB_MGR *mb);

/* Encrypt n ops; op->ok tells whether the library completed each. */
void gw_aead_encrypt_burst(IMB_MGR *mb, struct gw_aead_op *ops, unsigned int n);
/* Decrypt n ops; op->ok is true only when the tag authenticated. On a
 * failed tag the data has been decrypted anyway and must be discarded. */
void gw_aead_decrypt_burst(IMB_MGR *mb, struct gw_aead_op *ops, unsigned int n);

#endif /* GW_CRYPTO_H */
