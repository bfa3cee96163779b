/* SPDX-License-Identifier: MIT */
/*
 * What the tests of the userspace configuration protocol (lib/wg_uapi)
 * share: test keys and assertions on transactions.
 *
 *   test_uapi_set.c     the set=1 parser on valid requests
 *   test_uapi_errors.c  every error class with its errno, bounds, draining
 *   test_uapi_get.c     the get=1 serializer, byte for byte and round trip
 *   test_uapi_wg.c      both sides against the real `wg` command
 */
#ifndef TEST_UAPI_H
#define TEST_UAPI_H

#include "test_support.h"

#include <string.h>

#include "wg_keys.h"
#include "wg_uapi.h"

/* Test keys, not secrets. */
#define KEY_A "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
#define KEY_B "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
#define KEY_C "0101010101010101010101010101010101010101010101010101010101010101"
#define KEY_Z "0000000000000000000000000000000000000000000000000000000000000000"
/* KEY_A is not clamped: byte 0 is 0x20 (fine), byte 31 is 0x3f -> 0x7f */

/* A set request with one of the test keys as the peer's public key. */
#define PK "public_key=" KEY_B "\n"

static inline int parse(const char *text, struct wg_uapi_txn *txn)
{
	return wg_uapi_parse_set(text, strlen(text), txn, NULL);
}

static inline void hex_key(uint8_t out[WG_KEY_LEN], const char *hex)
{
	assert_true(wg_key_from_hex(out, hex));
}

static inline void assert_key(const uint8_t key[WG_KEY_LEN], const char *hex)
{
	uint8_t want[WG_KEY_LEN];

	hex_key(want, hex);
	assert_memory_equal(key, want, WG_KEY_LEN);
}

static inline void assert_prefix(const struct wg_prefix *p, const char *text)
{
	char buf[WG_PREFIX_STR_LEN];

	assert_string_equal(wg_prefix_format(buf, p), text);
}

/* A refused or freed transaction holds nothing, not even a key. */
static inline void assert_empty(const struct wg_uapi_txn *txn)
{
	static const struct wg_uapi_txn zero;

	assert_memory_equal(txn, &zero, sizeof(zero));
}

#endif /* TEST_UAPI_H */
