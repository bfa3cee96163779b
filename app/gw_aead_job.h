/* SPDX-License-Identifier: MIT */
/*
 * One WireGuard AEAD operation as an intel-ipsec-mb job: ChaCha20-Poly1305
 * in place, no associated data, the 12-byte nonce of a transport message;
 * and the name of the instruction set a manager runs.
 * Header only, so that the raw reference of the benchmarks
 * (perf/perf_aead.c) fills its jobs exactly as the worker does
 * (gw_crypto.c) and measures the same work.
 */
#ifndef GW_AEAD_JOB_H
#define GW_AEAD_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

#include "wg_messages.h"

/* data[0..len) is encrypted or decrypted in place; the tag is written to
 * tag_out (decrypt: the computed tag, for a constant-time compare). */
static inline void gw_aead_job_fill(IMB_JOB *job, const void *key,
				    uint8_t *data, uint32_t len,
				    const uint8_t *nonce, uint8_t *tag_out,
				    bool decrypt, void *user_data)
{
	/* ipsec-mb wants an AAD pointer even when the AAD is empty */
	static const uint8_t no_aad[16];

	job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
	job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
	job->cipher_direction = decrypt ? IMB_DIR_DECRYPT : IMB_DIR_ENCRYPT;
	/* Poly1305 always runs over the ciphertext */
	job->chain_order = decrypt ? IMB_ORDER_HASH_CIPHER :
				     IMB_ORDER_CIPHER_HASH;
	job->enc_keys = key;
	job->dec_keys = key;
	job->key_len_in_bytes = WG_KEY_LEN;
	job->src = data;
	job->dst = data;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = len;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = len;
	job->iv = nonce;
	job->iv_len_in_bytes = 12;
	job->u.CHACHA20_POLY1305.aad = no_aad;
	job->u.CHACHA20_POLY1305.aad_len_in_bytes = 0;
	job->auth_tag_output = tag_out;
	job->auth_tag_output_len_in_bytes = WG_AEAD_TAG_LEN;
	job->user_data = user_data;
}

/* The instruction set ipsec-mb chose for mb, for logs and JSON lines. */
static inline const char *gw_aead_arch_name(const IMB_MGR *mb)
{
	switch (mb->used_arch) {
	case IMB_ARCH_SSE:
		return "sse";
	case IMB_ARCH_AVX:
		return "avx";
	case IMB_ARCH_AVX2:
		return "avx2";
	case IMB_ARCH_AVX512:
		return "avx512";
	default:
		return "generic";
	}
}

#endif /* GW_AEAD_JOB_H */
