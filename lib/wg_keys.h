/* SPDX-License-Identifier: MIT */
/*
 * Key encodings: base64 (as `wg genkey` prints) for config files and hex
 * (as the UAPI speaks). Both directions run in constant time with respect
 * to the key bytes (libsodium's codecs), since the keys are secrets.
 */
#ifndef WG_KEYS_H
#define WG_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "wg_messages.h"

/* out gets WG_KEY_B64_LEN characters and a NUL. */
void wg_key_to_base64(char out[WG_KEY_B64_LEN + 1],
		      const uint8_t key[WG_KEY_LEN]);
/* Accepts exactly 44 characters of canonical base64 (no whitespace). */
bool wg_key_from_base64(uint8_t key[WG_KEY_LEN], const char *in);

/* out gets 64 lower-case hex digits and a NUL. */
void wg_key_to_hex(char out[WG_KEY_HEX_LEN + 1], const uint8_t key[WG_KEY_LEN]);
/* Accepts exactly 64 hex digits, either case. */
bool wg_key_from_hex(uint8_t key[WG_KEY_LEN], const char *in);

#endif /* WG_KEYS_H */
