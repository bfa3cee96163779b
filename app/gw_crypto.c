/* SPDX-License-Identifier: MIT */
/* Batched ChaCha20-Poly1305 over intel-ipsec-mb (see gw_crypto.h). */
#include "gw_crypto.h"

#include <string.h>

#include "gw_aead_job.h"
#include "wg_crypto.h"

IMB_MGR *gw_crypto_mgr_create(void)
{
	IMB_MGR *mb = alloc_mb_mgr(0);

	if (!mb)
		return NULL;
	/* picks the best code path the CPU has (SSE, AVX2, AVX-512) */
	init_mb_mgr_auto(mb, NULL);
	if (imb_get_errno(mb) != 0) {
		free_mb_mgr(mb);
		return NULL;
	}
	return mb;
}

void gw_crypto_mgr_free(IMB_MGR *mb)
{
	if (mb)
		free_mb_mgr(mb);
}

const char *gw_crypto_arch_name(IMB_MGR *mb)
{
	return gw_aead_arch_name(mb);
}

/* Constant time: no early exit, so the time taken does not tell how much
 * of a forged tag was right. Inline, since it runs once per packet. */
static inline bool tag_equal(const uint8_t *a, const uint8_t *b)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

static void complete(IMB_JOB *job, bool decrypt)
{
	struct gw_aead_op *op = job->user_data;

	if (job->status != IMB_STATUS_COMPLETED) {
		op->ok = false;
		return;
	}
	/* constant time: the tag comparison must not leak how much of a
	 * forged tag was right */
	op->ok = !decrypt || tag_equal(op->computed_tag, op->tag);
}

static void run_burst(IMB_MGR *mb, struct gw_aead_op *ops, unsigned int n,
		      bool decrypt)
{
	unsigned int i;
	IMB_JOB *job;

	for (i = 0; i < n; i++) {
		struct gw_aead_op *op = &ops[i];

		memset(op->nonce, 0, 4);
		wg_put_le64(op->nonce + 4, op->counter);
		op->ok = false;

		job = IMB_GET_NEXT_JOB(mb);
		gw_aead_job_fill(job, op->key, op->data, op->len, op->nonce,
				 decrypt ? op->computed_tag : op->tag, decrypt,
				 op);

		job = IMB_SUBMIT_JOB(mb);
		while (job) {
			complete(job, decrypt);
			job = IMB_GET_COMPLETED_JOB(mb);
		}
	}
	while ((job = IMB_FLUSH_JOB(mb)) != NULL)
		complete(job, decrypt);
}

void gw_aead_encrypt_burst(IMB_MGR *mb, struct gw_aead_op *ops, unsigned int n)
{
	run_burst(mb, ops, n, false);
}

void gw_aead_decrypt_burst(IMB_MGR *mb, struct gw_aead_op *ops, unsigned int n)
{
	run_burst(mb, ops, n, true);
}
