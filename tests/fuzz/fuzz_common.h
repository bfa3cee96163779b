/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer harnesses: the fixed identities of the captured
 * wireguard-go transcripts (tests/unit/data/wireguard-go-transcripts.json),
 * so that the seed corpora made from those transcripts authenticate, and a
 * small reader for the harnesses' input layouts.
 *
 * A harness never trusts its input and never prints: it aborts (a crash
 * libFuzzer reports) only when a property of the code under test breaks.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg_crypto.h"
#include "wg_keys.h"
#include "wg_messages.h"

/* The gateway's static key in every transcript case ("l5cA..." public). */
#define FZ_GW_PRIVATE "SGCMsOL0Y/2E8/90bG7+tiJYEUXxRBT2LSuqirFOSWw="
/* The wireguard-go peer's static key ("bSSh..." public). */
#define FZ_PEER_PRIVATE "KHRgK0cS4yEvSXHSKluSEN1m29bXcu/mLInX8QoUlX8="
/* we_initiate_with_psk.preshared_key */
#define FZ_PSK "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
/* we_initiate.initiator_ephemeral_private and its fixed fields */
#define FZ_WE_EPHEMERAL "YGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgkM="
#define FZ_WE_SENDER_INDEX 287454020u
#define FZ_WE_TIMESTAMP "400000006b021aa0075bcccc"
/* go_initiates: the keypair the gateway derived as responder */
#define FZ_GO_RESP_INDEX 1432778632u
#define FZ_GO_INIT_INDEX 0x75cd6c45u
#define FZ_GO_RESP_SEND \
	"242babbd880c7f2ba2d32a1651607349d5b71699fceb4c5586fd88707cb6a944"
#define FZ_GO_RESP_RECV \
	"35c70f44c6fef0e0efbd16ff307a653e09e31e94d4e81e12025528b177a36d3d"

#define FZ_CHECK(cond)                                                     \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: property broken: %s\n",    \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

static inline void fz_init(void)
{
	if (wg_crypto_init() != 0) {
		fprintf(stderr, "wg_crypto_init failed\n");
		abort();
	}
}

static inline void fz_key_b64(uint8_t out[WG_KEY_LEN], const char *b64)
{
	if (!wg_key_from_base64(out, b64))
		abort();
}

static inline void fz_hex(uint8_t *out, size_t n, const char *hex)
{
	size_t i;

	if (strlen(hex) != 2 * n)
		abort();
	for (i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (uint8_t)v;
	}
}

/* Consuming reader: past the end it yields zeros, never reads out. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline size_t fz_take(struct fz_in *in, void *out, size_t n)
{
	size_t k = n < in->n ? n : in->n;

	if (k)
		memcpy(out, in->p, k);
	if (k < n)
		memset((uint8_t *)out + k, 0, n - k);
	in->p += k;
	in->n -= k;
	return k;
}

static inline uint8_t fz_u8(struct fz_in *in)
{
	uint8_t v;

	fz_take(in, &v, 1);
	return v;
}

static inline uint16_t fz_u16(struct fz_in *in)
{
	uint8_t b[2];

	fz_take(in, b, 2);
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t fz_u32(struct fz_in *in)
{
	uint8_t b[4];

	fz_take(in, b, 4);
	return wg_get_le32(b);
}

static inline uint64_t fz_u64(struct fz_in *in)
{
	uint8_t b[8];

	fz_take(in, b, 8);
	return wg_get_le64(b);
}

#endif /* FUZZ_COMMON_H */
