/* SPDX-License-Identifier: MIT */
/* Helpers shared by the unit tests: reading the captured transcripts. */
#ifndef TEST_SUPPORT_H
#define TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

/* Path of a file under tests/unit/data (from $WG_TEST_DATA). */
const char *ts_data_path(const char *name, char *buf, size_t buf_len);

/* The JSON object of one case of wireguard-go-transcripts.json; fails the
 * test if the file or case is missing. Owned by the library, never freed. */
json_t *ts_transcript_case(const char *case_name);

/* Decode hex field `field` of obj into out (at most cap bytes); returns the
 * length. Fails the test on a missing or malformed field. */
size_t ts_hex_field(json_t *obj, const char *field, uint8_t *out, size_t cap);

/* Decode a base64 key field; fails the test on error. */
void ts_key_field(json_t *obj, const char *field, uint8_t out[32]);

/* Integer field. */
uint64_t ts_int_field(json_t *obj, const char *field);

/* True when obj[field] is JSON null or absent. */
int ts_field_is_null(json_t *obj, const char *field);

#endif
