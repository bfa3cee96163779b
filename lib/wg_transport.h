/* SPDX-License-Identifier: MIT */
/*
 * Transport messages (type 4) with libsodium: the reference path used by
 * the control core for the few packets it sends itself and by the tests.
 * The data plane has its own batched path (intel-ipsec-mb) that must
 * produce the same bytes.
 */
#ifndef WG_TRANSPORT_H
#define WG_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg_noise.h"

/* Size of the message that seals len bytes of plaintext under mtu. */
size_t wg_transport_sealed_len(size_t len, uint32_t mtu);

/* Write header, padded ciphertext and tag to out (wg_transport_sealed_len
 * bytes). Returns the message length. */
size_t wg_transport_seal(const struct wg_keypair *kp, uint64_t counter,
			 const uint8_t *plain, size_t len, uint32_t mtu,
			 uint8_t *out);

/* Authenticate and decrypt msg; out receives the padded plaintext
 * (len - 32 bytes). Checks type, reserved bytes and receiver index.
 * Replay is the caller's business (wg_replay.h). */
bool wg_transport_open(const struct wg_keypair *kp, const uint8_t *msg,
		       size_t len, uint8_t *out, size_t *out_len,
		       uint64_t *counter);

#endif /* WG_TRANSPORT_H */
