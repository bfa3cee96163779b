/* SPDX-License-Identifier: MIT */
/*
 * Raw ChaCha20-Poly1305 throughput of intel-ipsec-mb on the calling core,
 * used the way a data-plane worker uses it: one IMB_MGR per core, bursts of
 * packets, in place, no AAD, WireGuard's 12-byte nonce (4 zero bytes, then
 * the little-endian 64-bit counter), the 16-byte tag right behind the data.
 *
 * Every benchmark that reports a ratio calls perf_aead_measure() in the same
 * process, for the same payload sizes, so that the figure it prints is
 * "fraction of what the raw AEAD does on this core right now" and stays
 * comparable on a shared, noisy machine.
 *
 * No EAL is needed: time bounds come from CLOCK_MONOTONIC, rates from the
 * thread's CPU time (CLOCK_THREAD_CPUTIME_ID), cycles from the TSC
 * (rte_rdtsc). Nothing here implements a primitive.
 */
#ifndef PERF_AEAD_H
#define PERF_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

enum perf_aead_dir {
	PERF_AEAD_ENCRYPT,
	PERF_AEAD_DECRYPT,   /* Poly1305 over the ciphertext, tag compared */
};

enum perf_aead_api {
	/* IMB_GET_NEXT_JOB / IMB_SUBMIT_JOB / IMB_FLUSH_JOB per burst */
	PERF_AEAD_API_JOB,
	/* IMB_GET_NEXT_BURST / IMB_SUBMIT_BURST / IMB_FLUSH_BURST (the
	 * asynchronous burst API of ipsec-mb 1.3, which takes every cipher and
	 * hash mode; the synchronous cipher/hash burst calls do not take
	 * CHACHA20_POLY1305 in 1.3) */
	PERF_AEAD_API_BURST,
};

enum perf_aead_arch {
	PERF_AEAD_ARCH_AUTO,   /* init_mb_mgr_auto: what gw_crypto uses */
	PERF_AEAD_ARCH_SSE,
	PERF_AEAD_ARCH_AVX2,
	PERF_AEAD_ARCH_AVX512,
};

/* Payload sizes: a pattern the packets cycle through. */
struct perf_aead_mix {
	const char *name;        /* "64", ..., "imix" */
	const uint32_t *sizes;   /* plaintext lengths, without the tag */
	unsigned int n_sizes;
};

/* IMIX used everywhere in perf/: 7:4:1 of 64 / 576 / 1420 bytes of
 * payload, interleaved over a 12-packet pattern. 576 is the 572-byte
 * "medium" packet padded to WireGuard's 16-byte multiple; 1420 is the
 * inner MTU (WireGuard does not pad beyond the MTU). */
extern const struct perf_aead_mix perf_aead_imix;

struct perf_aead_cfg {
	enum perf_aead_arch arch;
	enum perf_aead_api api;
	unsigned int burst;          /* packets per burst; 0 = 32 */
	unsigned int peers;          /* distinct keys, cycled; 0 = 1 */
	uint64_t max_packets;        /* per run; 0 = 20,000,000 */
	double max_seconds;          /* per run; 0 = 0.5 s */
	unsigned int runs;           /* median of this many; 0 = 3 */
};

/* Rates are per second of the measuring thread's CPU time (so time the
 * thread spent descheduled on a shared machine does not count); mpps_wall
 * is the same run on wall time, cpu_share = CPU time / wall time. */
struct perf_aead_result {
	double mpps;                 /* median run */
	double gbps;                 /* payload bits (no tag, no headers) */
	double cycles_per_packet;    /* TSC ticks on CPU per packet */
	double mpps_wall;            /* same run, wall-clock rate */
	double cpu_share;            /* same run */
	double avg_payload;          /* bytes */
	double spread;               /* (max - min) / median of mpps */
	uint64_t packets;            /* of the median run */
	double seconds;              /* of the median run */
	unsigned int runs;
	const char *arch;            /* what the manager really uses */
	const char *api;             /* "job" or "burst" */
};

/* One manager for the calling core; NULL (and a message on stderr) if the
 * library refuses the architecture. */
IMB_MGR *perf_aead_mgr(enum perf_aead_arch arch);
const char *perf_aead_arch_name(const IMB_MGR *mb);
const char *perf_aead_api_name(enum perf_aead_api api);

/* Known-answer check against libsodium (lib/wg_crypto.h) for every size in
 * mix plus edge lengths (0, 1, 15, 16, 17, 1419), through the given API:
 * ciphertext and tag must be byte-identical, decryption must restore the
 * plaintext and authenticate, a flipped tag bit must be refused. Returns 0
 * or -1 with the first mismatch on stderr. wg_crypto_init() must have run. */
int perf_aead_verify(IMB_MGR *mb, enum perf_aead_api api,
		     const struct perf_aead_mix *mix);

/* Throughput on the calling core for one direction and one payload mix.
 * Each run is bounded by max_packets and max_seconds (whichever comes
 * first) after a short warm-up. Decryption runs on valid ciphertexts: every
 * tag must authenticate, and a failure makes the call fail. Returns 0 or
 * -1. */
int perf_aead_measure(const struct perf_aead_cfg *cfg, enum perf_aead_dir dir,
		      const struct perf_aead_mix *mix,
		      struct perf_aead_result *res);

#endif /* PERF_AEAD_H */
