/* SPDX-License-Identifier: MIT */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg_keys.h"

static json_t *transcripts;

const char *ts_data_path(const char *name, char *buf, size_t buf_len)
{
	const char *dir = getenv("WG_TEST_DATA");

	if (!dir)
		dir = "tests/unit/data";
	snprintf(buf, buf_len, "%s/%s", dir, name);
	return buf;
}

json_t *ts_transcript_case(const char *case_name)
{
	char path[512];
	json_error_t err;
	json_t *c;

	if (!transcripts) {
		ts_data_path("wireguard-go-transcripts.json", path, sizeof(path));
		transcripts = json_load_file(path, 0, &err);
		if (!transcripts)
			fail_msg("cannot load %s: %s (line %d)", path, err.text,
				 err.line);
	}
	c = json_object_get(transcripts, case_name);
	if (!json_is_object(c))
		fail_msg("transcript case '%s' missing", case_name);
	return c;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t ts_hex_field(json_t *obj, const char *field, uint8_t *out, size_t cap)
{
	const char *hex = json_string_value(json_object_get(obj, field));
	size_t len;

	if (!hex)
		fail_msg("field '%s' missing or not a string", field);
	len = strlen(hex);
	if (len % 2 || len / 2 > cap)
		fail_msg("field '%s': bad hex length %zu", field, len);
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			fail_msg("field '%s': bad hex digit", field);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return len / 2;
}

void ts_key_field(json_t *obj, const char *field, uint8_t out[32])
{
	const char *b64 = json_string_value(json_object_get(obj, field));

	if (!b64 || !wg_key_from_base64(out, b64))
		fail_msg("field '%s': not a base64 key", field);
}

uint64_t ts_int_field(json_t *obj, const char *field)
{
	json_t *v = json_object_get(obj, field);

	if (!json_is_integer(v))
		fail_msg("field '%s' missing or not an integer", field);
	return (uint64_t)json_integer_value(v);
}

int ts_field_is_null(json_t *obj, const char *field)
{
	json_t *v = json_object_get(obj, field);

	return v == NULL || json_is_null(v);
}
