/* SPDX-License-Identifier: MIT */
/*
 * The userspace configuration protocol, set=1 refused: every error class
 * with its errno (as wireguard-go answers) and an empty transaction, lines
 * no valid request has, reading on to the blank line after an error, and
 * the bounds on peers and AllowedIPs.
 */
#include "test_uapi.h"

#include <errno.h>
#include <stdio.h>

#include "wg_crypto.h"

struct err_case {
	const char *text;
	int err;
};

static const struct err_case err_cases[] = {
	/* -EPROTO: framing, as wireguard-go's IpcErrorProtocol */
	{ "listen_port\n\n", -EPROTO },
	{ "garbage\n\n", -EPROTO },
	{ PK "remove\n\n", -EPROTO },
	{ "listen_port=51820\n", -EPROTO },          /* no blank line */
	{ "listen_port=51820", -EPROTO },
	{ "", -EPROTO },
	{ "\nlisten_port=1\n", -EPROTO },            /* data after it */
	/* -EINVAL: keys */
	{ "foo=bar\n\n", -EINVAL },
	{ "=\n\n", -EINVAL },
	{ "Listen_port=1\n\n", -EINVAL },
	{ " listen_port=1\n\n", -EINVAL },
	{ "remove=true\n\n", -EINVAL },               /* peer key, no peer */
	{ "allowed_ip=203.0.113.0/24\n\n", -EINVAL },
	{ PK "listen_port=1\n\n", -EINVAL },          /* device key late */
	{ PK "private_key=" KEY_A "\n\n", -EINVAL },
	{ PK "replace_peers=true\n\n", -EINVAL },
	{ PK "bogus=1\n\n", -EINVAL },
	/* -EINVAL: device values */
	{ "private_key=\n\n", -EINVAL },
	{ "private_key=" KEY_A "0\n\n", -EINVAL },
	{ "private_key=202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3g\n\n", -EINVAL },
	{ "listen_port=\n\n", -EINVAL },
	{ "listen_port=abc\n\n", -EINVAL },
	{ "listen_port=65536\n\n", -EINVAL },
	{ "listen_port=0\n\n", -EINVAL },
	{ "listen_port=+80\n\n", -EINVAL },
	{ "listen_port=-1\n\n", -EINVAL },
	{ "listen_port= 80\n\n", -EINVAL },
	{ "listen_port=80 \n\n", -EINVAL },
	{ "fwmark=4294967296\n\n", -EINVAL },
	{ "fwmark=0x10\n\n", -EINVAL },
	{ "replace_peers=false\n\n", -EINVAL },
	{ "replace_peers=TRUE\n\n", -EINVAL },
	/* -EINVAL: peer values */
	{ "public_key=\n\n", -EINVAL },
	{ "public_key=" KEY_B "00\n\n", -EINVAL },
	{ "public_key=ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n\n", -EINVAL },
	{ PK "remove=1\n\n", -EINVAL },
	{ PK "update_only=yes\n\n", -EINVAL },
	{ PK "replace_allowed_ips=false\n\n", -EINVAL },
	{ PK "preshared_key=" KEY_A "f\n\n", -EINVAL },
	{ PK "preshared_key=\n\n", -EINVAL },
	{ PK "endpoint=198.51.100.2\n\n", -EINVAL },
	{ PK "endpoint=198.51.100.2:0\n\n", -EINVAL },
	{ PK "endpoint=198.51.100.2:65536\n\n", -EINVAL },
	{ PK "endpoint=2001:db8::2:51820\n\n", -EINVAL },
	{ PK "endpoint=[198.51.100.2]:51820\n\n", -EINVAL },
	{ PK "endpoint=vpn.example:51820\n\n", -EINVAL },
	{ PK "endpoint=\n\n", -EINVAL },
	{ PK "persistent_keepalive_interval=65536\n\n", -EINVAL },
	{ PK "persistent_keepalive_interval=\n\n", -EINVAL },
	{ PK "allowed_ip=203.0.113.0/33\n\n", -EINVAL },
	{ PK "allowed_ip=2001:db8::/129\n\n", -EINVAL },
	{ PK "allowed_ip=203.0.113.0\n\n", -EINVAL },
	{ PK "allowed_ip=203.0.113.0/024\n\n", -EINVAL },
	{ PK "allowed_ip=\n\n", -EINVAL },
	{ PK "protocol_version=2\n\n", -EINVAL },
	{ PK "protocol_version=\n\n", -EINVAL },
	/* the first error wins, later lines are only skipped */
	{ "listen_port=x\ngarbage\n\n", -EINVAL },
	{ "garbage\nlisten_port=x\n\n", -EPROTO },
	/* a bad line after good ones refuses the whole request */
	{ "private_key=" KEY_A "\nlisten_port=51820\n" PK
	  "allowed_ip=203.0.113.0/24\npublic_key=" KEY_C "\nendpoint=x\n\n",
	  -EINVAL },
};

static void test_set_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		struct wg_uapi_txn txn;
		struct wg_diag diag;
		int rc;

		wg_diag_init(&diag);
		memset(&txn, 0xa5, sizeof(txn));
		rc = wg_uapi_parse_set(err_cases[i].text,
				       strlen(err_cases[i].text), &txn, &diag);
		if (rc != err_cases[i].err)
			fail_msg("case %zu: got %d, want %d", i, rc,
				 err_cases[i].err);
		assert_empty(&txn);
		/* one message, never with a key in it */
		assert_int_equal(diag.n_errors, 1);
		assert_null(strstr(diag.errors[0], "2021222324"));
		assert_null(strstr(diag.errors[0], "b0b1b2b3"));
		wg_diag_free(&diag);
	}
}

/* Lines that no valid request has: too long, or with a NUL byte. Their
 * errno follows wireguard-go's rule (a '=' in it: EINVAL, else EPROTO). */
static void test_set_bad_lines(void **state)
{
	char big[2048];
	struct wg_uapi_txn txn;

	(void)state;
	memset(big, 'a', sizeof(big));
	memcpy(big, "fwmark=", 7);
	memcpy(big + sizeof(big) - 2, "\n\n", 2);
	assert_int_equal(wg_uapi_parse_set(big, sizeof(big), &txn, NULL),
			 -EINVAL);
	assert_empty(&txn);
	big[6] = 'x';
	assert_int_equal(wg_uapi_parse_set(big, sizeof(big), &txn, NULL),
			 -EPROTO);
	/* long leading zeros are still a number for Go, but not a line
	 * `wg` sends: refused */
	memset(big, '0', sizeof(big));
	memcpy(big, "fwmark=", 7);
	memcpy(big + sizeof(big) - 2, "\n\n", 2);
	assert_int_equal(wg_uapi_parse_set(big, sizeof(big), &txn, NULL),
			 -EINVAL);
	assert_int_equal(wg_uapi_parse_set("fwmark=1\0\n\n", 11, &txn, NULL),
			 -EINVAL);
	assert_int_equal(wg_uapi_parse_set("fwmark\0\n\n", 9, &txn, NULL),
			 -EPROTO);
	assert_empty(&txn);
}

/* After an error the parser still reads to the blank line, so that the
 * server answers after the whole request and the next command is found. */
static void test_set_error_drains(void **state)
{
	static const char data[] = "listen_port=x\n" PK "allowed_ip=1\n\n"
				   "get=1\n\n";
	size_t req_len = strlen(data) - strlen("get=1\n\n");
	struct wg_uapi_parser p;
	struct wg_uapi_txn txn;

	(void)state;
	wg_uapi_parser_init(&p, NULL);
	assert_int_equal(wg_uapi_parser_feed(&p, data, 5), 5);
	assert_int_equal(wg_uapi_parser_error(&p), 0);
	assert_int_equal(wg_uapi_parser_feed(&p, data + 5, sizeof(data) - 6),
			 req_len - 5);
	assert_int_equal(wg_uapi_parser_error(&p), -EINVAL);
	assert_true(wg_uapi_parser_done(&p));
	assert_int_equal(wg_uapi_parser_finish(&p, &txn), -EINVAL);
	assert_empty(&txn);

	/* unfinished: -EPROTO, nothing handed out; discard leaves no key */
	wg_uapi_parser_init(&p, NULL);
	wg_uapi_parser_feed(&p, "private_key=" KEY_A "\n", 77);
	assert_int_equal(wg_uapi_parser_finish(&p, &txn), -EPROTO);
	assert_empty(&txn);
	wg_uapi_parser_init(&p, NULL);
	wg_uapi_parser_feed(&p, "private_key=" KEY_A "\n", 77);
	wg_uapi_parser_discard(&p);
	assert_true(wg_is_zero(&p.txn, sizeof(p.txn)));
}

/* Requests too big for the bounds are refused with ENOSPC. */
static void test_set_limits(void **state)
{
	static const char allowed[] = "allowed_ip=203.0.113.0/24\n";
	struct wg_uapi_parser p;
	struct wg_uapi_txn txn;
	char line[128];
	size_t i;

	(void)state;
	wg_uapi_parser_init(&p, NULL);
	for (i = 0; i <= WG_UAPI_MAX_PEERS; i++) {
		uint8_t key[WG_KEY_LEN] = { 0 };
		char hex[WG_KEY_HEX_LEN + 1];

		memcpy(key, &i, sizeof(i));
		wg_key_to_hex(hex, key);
		snprintf(line, sizeof(line), "public_key=%s\n", hex);
		wg_uapi_parser_feed(&p, line, strlen(line));
		if (i < WG_UAPI_MAX_PEERS)
			assert_int_equal(wg_uapi_parser_error(&p), 0);
	}
	assert_int_equal(wg_uapi_parser_error(&p), -ENOSPC);
	wg_uapi_parser_feed(&p, "\n", 1);
	assert_int_equal(wg_uapi_parser_finish(&p, &txn), -ENOSPC);
	assert_empty(&txn);

	wg_uapi_parser_init(&p, NULL);
	wg_uapi_parser_feed(&p, PK, strlen(PK));
	for (i = 0; i <= WG_UAPI_MAX_ALLOWED_IPS; i++)
		wg_uapi_parser_feed(&p, allowed, sizeof(allowed) - 1);
	assert_int_equal(wg_uapi_parser_error(&p), -ENOSPC);
	wg_uapi_parser_feed(&p, "\n", 1);
	assert_int_equal(wg_uapi_parser_finish(&p, &txn), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_set_bad_lines),
		cmocka_unit_test(test_set_error_drains),
		cmocka_unit_test(test_set_limits),
	};

	if (wg_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("uapi_errors", tests, NULL, NULL);
}
