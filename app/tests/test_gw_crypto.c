/* SPDX-License-Identifier: MIT */
/*
 * The data-plane AEAD (intel-ipsec-mb, batched, in place) must produce
 * exactly what libsodium produces through lib/wg_crypto.h, for every
 * length a packet can have, and must refuse any tampered byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_crypto.h"
#include "wg_crypto.h"

#define N_OPS 24
#define MAX_LEN 1600

#include "test_check.h"

static uint8_t bufs[N_OPS][MAX_LEN + 16];
static uint8_t plain[N_OPS][MAX_LEN];
static uint8_t ref[N_OPS][MAX_LEN + 16];
static uint8_t keys[N_OPS][32];

static void one_round(IMB_MGR *mb, unsigned int round)
{
	struct gw_aead_op ops[N_OPS];
	unsigned int i;

	for (i = 0; i < N_OPS; i++) {
		/* lengths around SIMD block edges, and 0 (keepalives) */
		uint32_t len = round == 0 ? i * 16 :
					    wg_random_u32() % MAX_LEN;
		uint64_t ctr = round == 1 ? UINT64_MAX - i :
					    (uint64_t)wg_random_u32() << 20 | i;

		wg_random(keys[i], 32);
		wg_random(plain[i], len);
		memcpy(bufs[i], plain[i], len);
		wg_aead_encrypt(ref[i], plain[i], len, NULL, 0, ctr, keys[i]);
		ops[i] = (struct gw_aead_op){ .data = bufs[i], .len = len,
					      .tag = bufs[i] + len,
					      .key = keys[i], .counter = ctr };
	}
	gw_aead_encrypt_burst(mb, ops, N_OPS);
	for (i = 0; i < N_OPS; i++) {
		CHECK(ops[i].ok, "encrypt op %u not completed", i);
		CHECK(memcmp(bufs[i], ref[i], ops[i].len + 16) == 0,
		      "round %u op %u (len %u): ipsec-mb != libsodium", round,
		      i, ops[i].len);
	}

	/* tamper with every third message: ciphertext, tag, or counter */
	for (i = 0; i < N_OPS; i++) {
		if (i % 3 == 1 && ops[i].len)
			bufs[i][ops[i].len / 2] ^= 0x01;
		else if (i % 3 == 2)
			bufs[i][ops[i].len + 15] ^= 0x80;
	}
	gw_aead_decrypt_burst(mb, ops, N_OPS);
	for (i = 0; i < N_OPS; i++) {
		bool tampered = i % 3 == 2 || (i % 3 == 1 && ops[i].len);

		CHECK(ops[i].ok == !tampered, "round %u op %u: ok=%d", round,
		      i, ops[i].ok);
		if (!tampered)
			CHECK(memcmp(bufs[i], plain[i], ops[i].len) == 0,
			      "op %u: decryption differs", i);
	}
}

int main(void)
{
	IMB_MGR *mb;
	unsigned int r;

	if (wg_crypto_init() != 0) {
		fprintf(stderr, "wg_crypto_init failed\n");
		return 1;
	}
	mb = gw_crypto_mgr_create();
	if (!mb) {
		fprintf(stderr, "no IMB_MGR\n");
		return 1;
	}
	printf("intel-ipsec-mb %s, arch %s\n", imb_get_version_str(),
	       gw_crypto_arch_name(mb));
	for (r = 0; r < 50; r++)
		one_round(mb, r);
	gw_crypto_mgr_free(mb);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
