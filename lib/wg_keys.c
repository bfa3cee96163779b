/* SPDX-License-Identifier: MIT */
#include "wg_keys.h"

#include <sodium.h>
#include <string.h>

#include "wg_crypto.h"

void wg_key_to_base64(char out[WG_KEY_B64_LEN + 1],
		      const uint8_t key[WG_KEY_LEN])
{
	sodium_bin2base64(out, WG_KEY_B64_LEN + 1, key, WG_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
}

bool wg_key_from_base64(uint8_t key[WG_KEY_LEN], const char *in)
{
	uint8_t tmp[WG_KEY_LEN];
	size_t bin_len = 0;
	const char *end = NULL;

	if (!in || strnlen(in, WG_KEY_B64_LEN + 1) != WG_KEY_B64_LEN)
		return false;
	if (sodium_base642bin(tmp, sizeof(tmp), in, WG_KEY_B64_LEN, NULL,
			      &bin_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    bin_len != WG_KEY_LEN || end != in + WG_KEY_B64_LEN) {
		wg_wipe(tmp, sizeof(tmp));
		return false;
	}
	memcpy(key, tmp, WG_KEY_LEN);
	wg_wipe(tmp, sizeof(tmp));
	return true;
}

void wg_key_to_hex(char out[WG_KEY_HEX_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	sodium_bin2hex(out, WG_KEY_HEX_LEN + 1, key, WG_KEY_LEN);
}

bool wg_key_from_hex(uint8_t key[WG_KEY_LEN], const char *in)
{
	uint8_t tmp[WG_KEY_LEN];
	size_t bin_len = 0;
	const char *end = NULL;

	if (!in || strnlen(in, WG_KEY_HEX_LEN + 1) != WG_KEY_HEX_LEN)
		return false;
	if (sodium_hex2bin(tmp, sizeof(tmp), in, WG_KEY_HEX_LEN, NULL, &bin_len,
			   &end) != 0 ||
	    bin_len != WG_KEY_LEN || end != in + WG_KEY_HEX_LEN) {
		wg_wipe(tmp, sizeof(tmp));
		return false;
	}
	memcpy(key, tmp, WG_KEY_LEN);
	wg_wipe(tmp, sizeof(tmp));
	return true;
}
