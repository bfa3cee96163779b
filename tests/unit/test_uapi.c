/* SPDX-License-Identifier: MIT */
/*
 * The userspace configuration protocol: the set=1 parser on the requests
 * `wg set` / `wg setconf` send (hand-written, and captured from the real
 * `wg` through a socket in /var/run/wireguard), every error class with its
 * errno and an empty transaction, and the get=1 serializer byte for byte
 * and as the real `wg show` reads it.
 */
#include "test_support.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wg_crypto.h"
#include "wg_keys.h"
#include "wg_uapi.h"

/* Test keys, not secrets. */
#define KEY_A "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
#define KEY_B "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
#define KEY_C "0101010101010101010101010101010101010101010101010101010101010101"
#define KEY_Z "0000000000000000000000000000000000000000000000000000000000000000"
/* KEY_A is not clamped: byte 0 is 0x20 (fine), byte 31 is 0x3f -> 0x7f */

static int parse(const char *text, struct wg_uapi_txn *txn)
{
	return wg_uapi_parse_set(text, strlen(text), txn, NULL);
}

static void hex_key(uint8_t out[WG_KEY_LEN], const char *hex)
{
	assert_true(wg_key_from_hex(out, hex));
}

static void assert_key(const uint8_t key[WG_KEY_LEN], const char *hex)
{
	uint8_t want[WG_KEY_LEN];

	hex_key(want, hex);
	assert_memory_equal(key, want, WG_KEY_LEN);
}

static void assert_prefix(const struct wg_prefix *p, const char *text)
{
	char buf[WG_PREFIX_STR_LEN];

	assert_string_equal(wg_prefix_format(buf, p), text);
}

static void assert_empty(const struct wg_uapi_txn *txn)
{
	static const struct wg_uapi_txn zero;

	assert_memory_equal(txn, &zero, sizeof(zero));
}

/* ---------------------------------------------------------------- set */

/* What `wg setconf wg0 FILE` sends for a file with an interface and two
 * peers (wireguard-tools ipc-uapi.h: device keys, replace_peers, then per
 * peer public_key, preshared_key, endpoint, keepalive,
 * replace_allowed_ips, allowed_ip...). */
static const char setconf_request[] =
	"private_key=" KEY_A "\n"
	"listen_port=51820\n"
	"fwmark=0\n"
	"replace_peers=true\n"
	"public_key=" KEY_B "\n"
	"preshared_key=" KEY_C "\n"
	"endpoint=198.51.100.2:51820\n"
	"persistent_keepalive_interval=25\n"
	"replace_allowed_ips=true\n"
	"allowed_ip=203.0.113.0/24\n"
	"allowed_ip=2001:db8:b::/48\n"
	"public_key=" KEY_C "\n"
	"endpoint=[2001:db8::2]:51821\n"
	"replace_allowed_ips=true\n"
	"allowed_ip=192.0.2.128/25\n"
	"\n";

static void check_setconf_txn(const struct wg_uapi_txn *txn)
{
	const struct wg_peer_config *p;
	uint8_t want_priv[WG_KEY_LEN], want_pub[WG_KEY_LEN];
	char ep[WG_ENDPOINT_STR_LEN];

	hex_key(want_priv, KEY_A);
	want_priv[0] &= 248;
	want_priv[31] = (want_priv[31] & 127) | 64;
	wg_public_from_private(want_pub, want_priv);

	assert_true(txn->interface.has_private_key);
	assert_memory_equal(txn->interface.private_key, want_priv, WG_KEY_LEN);
	assert_memory_equal(txn->interface.public_key, want_pub, WG_KEY_LEN);
	assert_true(txn->interface.has_listen_port);
	assert_int_equal(txn->interface.listen_port, 51820);
	assert_false(txn->interface.has_mtu);
	assert_true(txn->has_fwmark);
	assert_int_equal(txn->fwmark, 0);
	assert_true(txn->interface.replace_peers);
	assert_int_equal(txn->n_peers, 2);
	assert_int_equal(txn->n_allowed_ips, 3);

	p = &txn->peers[0];
	assert_true(p->has_public_key);
	assert_key(p->public_key, KEY_B);
	assert_true(p->has_preshared_key);
	assert_key(p->preshared_key, KEY_C);
	assert_true(p->has_endpoint);
	assert_string_equal(wg_endpoint_format(ep, &p->endpoint),
			    "198.51.100.2:51820");
	assert_true(p->has_persistent_keepalive);
	assert_int_equal(p->persistent_keepalive, 25);
	assert_true(p->replace_allowed_ips);
	assert_false(p->remove);
	assert_false(p->update_only);
	assert_int_equal(p->n_allowed_ips, 2);
	assert_prefix(&p->allowed_ips[0], "203.0.113.0/24");
	assert_prefix(&p->allowed_ips[1], "2001:db8:b::/48");

	p = &txn->peers[1];
	assert_key(p->public_key, KEY_C);
	assert_false(p->has_preshared_key);
	assert_true(p->has_endpoint);
	assert_string_equal(wg_endpoint_format(ep, &p->endpoint),
			    "[2001:db8::2]:51821");
	assert_false(p->has_persistent_keepalive);
	assert_true(p->replace_allowed_ips);
	assert_int_equal(p->n_allowed_ips, 1);
	assert_prefix(&p->allowed_ips[0], "192.0.2.128/25");
}

static void test_set_setconf(void **state)
{
	struct wg_uapi_txn txn;

	(void)state;
	assert_int_equal(parse(setconf_request, &txn), 0);
	check_setconf_txn(&txn);
	wg_uapi_txn_free(&txn);
	assert_empty(&txn);
}

/* Any split of the input gives the same transaction. */
static void test_set_streaming(void **state)
{
	size_t len = strlen(setconf_request);

	(void)state;
	for (size_t chunk = 1; chunk <= len; chunk = chunk * 3 + 1) {
		struct wg_uapi_parser p;
		struct wg_uapi_txn txn;

		wg_uapi_parser_init(&p, NULL);
		for (size_t off = 0; off < len; off += chunk) {
			size_t n = len - off < chunk ? len - off : chunk;

			assert_false(wg_uapi_parser_done(&p));
			assert_int_equal(wg_uapi_parser_feed(&p,
				setconf_request + off, n), n);
		}
		assert_true(wg_uapi_parser_done(&p));
		assert_int_equal(wg_uapi_parser_finish(&p, &txn), 0);
		check_setconf_txn(&txn);
		wg_uapi_txn_free(&txn);
	}
}

/* The blank line ends the request; what follows is the next command. */
static void test_set_stops_at_blank_line(void **state)
{
	static const char data[] = "listen_port=1\n\nget=1\n\n";
	struct wg_uapi_parser p;
	struct wg_uapi_txn txn;

	(void)state;
	wg_uapi_parser_init(&p, NULL);
	assert_int_equal(wg_uapi_parser_feed(&p, data, sizeof(data) - 1), 15);
	assert_true(wg_uapi_parser_done(&p));
	assert_int_equal(wg_uapi_parser_feed(&p, "x", 1), 0);
	assert_int_equal(wg_uapi_parser_finish(&p, &txn), 0);
	assert_int_equal(txn.interface.listen_port, 1);
	wg_uapi_txn_free(&txn);

	/* an empty request is valid and changes nothing */
	assert_int_equal(parse("\n", &txn), 0);
	assert_empty(&txn);
}

/* What `wg set wg0 peer K remove` and `... update_only` look like, with
 * the lines after remove still checked. */
static void test_set_peer_verbs(void **state)
{
	struct wg_uapi_txn txn;

	(void)state;
	assert_int_equal(parse("public_key=" KEY_B "\nremove=true\n"
			       "public_key=" KEY_C "\nupdate_only=true\n"
			       "persistent_keepalive_interval=0\n"
			       "protocol_version=1\n\n", &txn), 0);
	assert_int_equal(txn.n_peers, 2);
	assert_true(txn.peers[0].remove);
	assert_false(txn.peers[0].update_only);
	assert_true(txn.peers[1].update_only);
	assert_true(txn.peers[1].has_persistent_keepalive);
	assert_int_equal(txn.peers[1].persistent_keepalive, 0);
	assert_false(txn.interface.replace_peers);
	assert_false(txn.interface.has_private_key);
	wg_uapi_txn_free(&txn);

	assert_int_equal(parse("public_key=" KEY_B "\nremove=true\n"
			       "allowed_ip=203.0.113.0/33\n\n", &txn),
			 -EINVAL);
	assert_empty(&txn);
}

/* Sequential meaning as wireguard-go: a replace drops the earlier lines of
 * the same peer; duplicates collapse; host bits are masked; the same peer
 * twice stays two operations in order; CRLF lines are taken as Go's
 * bufio.Scanner takes them; hex keys in either case. */
static void test_set_semantics(void **state)
{
	struct wg_uapi_txn txn;

	(void)state;
	assert_int_equal(parse("public_key=" KEY_B "\n"
			       "allowed_ip=198.51.100.0/24\n"
			       "replace_allowed_ips=true\n"
			       "allowed_ip=203.0.113.7/24\n"
			       "allowed_ip=203.0.113.0/24\n"
			       "allowed_ip=2001:db8::1/128\n"
			       "allowed_ip=192.0.2.1/32\n"
			       "public_key=" KEY_B "\n"
			       "allowed_ip=0.0.0.0/0\n\n", &txn), 0);
	assert_int_equal(txn.n_peers, 2);
	assert_int_equal(txn.peers[0].n_allowed_ips, 3);
	assert_true(txn.peers[0].replace_allowed_ips);
	assert_prefix(&txn.peers[0].allowed_ips[0], "192.0.2.1/32");
	assert_prefix(&txn.peers[0].allowed_ips[1], "203.0.113.0/24");
	assert_prefix(&txn.peers[0].allowed_ips[2], "2001:db8::1/128");
	assert_false(txn.peers[1].replace_allowed_ips);
	assert_int_equal(txn.peers[1].n_allowed_ips, 1);
	assert_prefix(&txn.peers[1].allowed_ips[0], "0.0.0.0/0");
	assert_int_equal(txn.n_allowed_ips, 4);
	wg_uapi_txn_free(&txn);

	assert_int_equal(parse("listen_port=00080\r\n"
			       "public_key=B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBFC0C1C2C3C4C5C6C7C8C9CACBCCCDCECF\r\n"
			       "\r\n", &txn), 0);
	assert_int_equal(txn.interface.listen_port, 80);
	assert_key(txn.peers[0].public_key, KEY_B);
	wg_uapi_txn_free(&txn);

	/* an all-zero private key removes it: no public key is derived */
	assert_int_equal(parse("private_key=" KEY_Z "\n\n", &txn), 0);
	assert_true(txn.interface.has_private_key);
	assert_true(wg_is_zero(txn.interface.private_key, WG_KEY_LEN));
	assert_true(wg_is_zero(txn.interface.public_key, WG_KEY_LEN));
	wg_uapi_txn_free(&txn);
}

struct err_case {
	const char *text;
	int err;
};

#define PK "public_key=" KEY_B "\n"

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

/* ---------------------------------------------------------------- get */

static void test_get_exact(void **state)
{
	struct wg_prefix ips[3];
	struct wg_uapi_peer peers[2];
	struct wg_uapi_device dev;
	struct wg_uapi_buf b;
	static const char want[] =
		"private_key=" KEY_A "\n"
		"listen_port=51820\n"
		"fwmark=7\n"
		"public_key=" KEY_B "\n"
		"preshared_key=" KEY_C "\n"
		"protocol_version=1\n"
		"endpoint=198.51.100.2:51820\n"
		"last_handshake_time_sec=1700000000\n"
		"last_handshake_time_nsec=123456789\n"
		"tx_bytes=18446744073709551615\n"
		"rx_bytes=1024\n"
		"persistent_keepalive_interval=25\n"
		"allowed_ip=203.0.113.0/24\n"
		"allowed_ip=2001:db8:b::/48\n"
		"public_key=" KEY_C "\n"
		"preshared_key=" KEY_Z "\n"
		"protocol_version=1\n"
		"endpoint=[2001:db8::2]:51821\n"
		"last_handshake_time_sec=0\n"
		"last_handshake_time_nsec=0\n"
		"tx_bytes=0\n"
		"rx_bytes=0\n"
		"persistent_keepalive_interval=0\n"
		"allowed_ip=192.0.2.128/25\n"
		"errno=0\n\n";

	(void)state;
	assert_true(wg_prefix_parse(&ips[0], "203.0.113.0/24", NULL));
	assert_true(wg_prefix_parse(&ips[1], "2001:db8:b::/48", NULL));
	assert_true(wg_prefix_parse(&ips[2], "192.0.2.128/25", NULL));
	memset(peers, 0, sizeof(peers));
	hex_key(peers[0].public_key, KEY_B);
	hex_key(peers[0].preshared_key, KEY_C);
	assert_true(wg_endpoint_parse(&peers[0].endpoint, "198.51.100.2:51820"));
	peers[0].last_handshake_time_sec = 1700000000;
	peers[0].last_handshake_time_nsec = 123456789;
	peers[0].tx_bytes = UINT64_MAX;
	peers[0].rx_bytes = 1024;
	peers[0].persistent_keepalive_interval = 25;
	peers[0].allowed_ips = ips;
	peers[0].n_allowed_ips = 2;
	hex_key(peers[1].public_key, KEY_C);
	assert_true(wg_endpoint_parse(&peers[1].endpoint,
				      "[2001:db8::2]:51821"));
	peers[1].allowed_ips = ips + 2;
	peers[1].n_allowed_ips = 1;
	memset(&dev, 0, sizeof(dev));
	dev.has_private_key = true;
	hex_key(dev.private_key, KEY_A);
	dev.listen_port = 51820;
	dev.fwmark = 7;
	dev.peers = peers;
	dev.n_peers = 2;

	wg_uapi_buf_init(&b);
	assert_int_equal(wg_uapi_format_get(&b, &dev), 0);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	wg_uapi_buf_free(&b);
	assert_null(b.data);
}

static void test_get_empty_and_errno(void **state)
{
	struct wg_uapi_device dev;
	struct wg_uapi_buf b;

	(void)state;
	memset(&dev, 0, sizeof(dev));
	wg_uapi_buf_init(&b);
	/* nothing set: no private key, port or fwmark lines */
	assert_int_equal(wg_uapi_format_get(&b, &dev), 0);
	assert_int_equal(b.len, strlen("errno=0\n\n"));
	assert_memory_equal(b.data, "errno=0\n\n", b.len);
	wg_uapi_buf_free(&b);

	wg_uapi_format_errno(&b, -EINVAL);
	assert_int_equal(b.len, strlen("errno=-22\n\n"));
	assert_memory_equal(b.data, "errno=-22\n\n", b.len);
	wg_uapi_buf_free(&b);
}

/* A get answer parsed back as a set request (minus its errno line)
 * gives the same peers: the two sides agree on every format. */
static void test_get_set_round_trip(void **state)
{
	struct wg_uapi_txn txn;
	struct wg_uapi_peer peers[1];
	struct wg_uapi_device dev;
	struct wg_uapi_buf b;
	struct wg_prefix ips[2];
	char *errno_line;

	(void)state;
	assert_true(wg_prefix_parse(&ips[0], "0.0.0.0/0", NULL));
	assert_true(wg_prefix_parse(&ips[1], "::/0", NULL));
	memset(&dev, 0, sizeof(dev));
	memset(peers, 0, sizeof(peers));
	wg_random(peers[0].public_key, WG_KEY_LEN);
	wg_random(peers[0].preshared_key, WG_KEY_LEN);
	peers[0].allowed_ips = ips;
	peers[0].n_allowed_ips = 2;
	assert_true(wg_endpoint_parse(&peers[0].endpoint, "203.0.113.9:1"));
	peers[0].persistent_keepalive_interval = 65535;
	dev.listen_port = 65535;
	dev.peers = peers;
	dev.n_peers = 1;
	wg_uapi_buf_init(&b);
	assert_int_equal(wg_uapi_format_get(&b, &dev), 0);
	/* the counters are get-only keys; keep the rest */
	errno_line = strstr(b.data, "last_handshake_time_sec=");
	memmove(errno_line, strstr(b.data, "persistent_keepalive"),
		strlen(strstr(b.data, "persistent_keepalive")) + 1);
	b.len = strlen(b.data);
	errno_line = strstr(b.data, "errno=0\n\n");
	memcpy(errno_line, "\n", 2);
	b.len = strlen(b.data);
	assert_int_equal(wg_uapi_parse_set(b.data, b.len, &txn, NULL), 0);
	assert_int_equal(txn.n_peers, 1);
	assert_memory_equal(txn.peers[0].public_key, peers[0].public_key, 32);
	assert_memory_equal(txn.peers[0].preshared_key,
			    peers[0].preshared_key, 32);
	assert_int_equal(txn.peers[0].persistent_keepalive, 65535);
	assert_int_equal(txn.peers[0].n_allowed_ips, 2);
	assert_int_equal(txn.interface.listen_port, 65535);
	wg_uapi_txn_free(&txn);
	wg_uapi_buf_free(&b);
}

/* ------------------------------------------------- against the real wg */

/*
 * A fake userspace interface: a listening socket in /var/run/wireguard
 * under a name of our own (the directory is shared by everything on the
 * host), serving the connections one `wg` command makes. For set=1 it
 * captures the request and answers set_errno; for get=1 it answers
 * get_reply.
 */
struct fake_iface {
	char name[16];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
	char request[65536]; /* last set=1 request, without "set=1\n" */
	size_t request_len;
	int set_errno;
	const char *get_reply;
};

static bool fake_open(struct fake_iface *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (access("/usr/bin/wg", X_OK) != 0 && system("command -v wg >/dev/null"))
		return false;
	if (mkdir("/var/run/wireguard", 0755) != 0 && errno != EEXIST)
		return false;
	snprintf(f->name, sizeof(f->name), "wguapi%d", (int)getpid());
	snprintf(f->path, sizeof(f->path), "/var/run/wireguard/%s.sock",
		 f->name);
	unlink(f->path);
	strcpy(sa.sun_path, f->path);
	f->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (f->fd < 0)
		return false;
	if (bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(f->fd, 4) != 0) {
		close(f->fd);
		f->fd = -1;
		return false;
	}
	return true;
}

static void fake_close(struct fake_iface *f)
{
	if (f->fd >= 0) {
		close(f->fd);
		unlink(f->path);
	}
	f->fd = -1;
}

/* Serve one connection: 1 when it carried a command, 0 when the client
 * hung up without one (`wg` first connects once just to see that the
 * interface is alive), -1 on timeout. */
static int fake_serve_one(struct fake_iface *f, int timeout_ms)
{
	struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
	char buf[65536 + 16];
	size_t len = 0;
	int c;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return -1;
	c = accept(f->fd, NULL, NULL);
	if (c < 0)
		return -1;
	/* read until the request's blank line: "\n\n" */
	while (len < sizeof(buf) - 1) {
		struct pollfd cp = { .fd = c, .events = POLLIN };
		ssize_t n;

		if (poll(&cp, 1, 5000) != 1)
			break;
		n = read(c, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len >= 2 && buf[len - 1] == '\n' && buf[len - 2] == '\n')
			break;
	}
	buf[len] = '\0';
	if (strncmp(buf, "set=1\n", 6) == 0) {
		char reply[32];

		f->request_len = len - 6;
		memcpy(f->request, buf + 6, f->request_len);
		snprintf(reply, sizeof(reply), "errno=%d\n\n", f->set_errno);
		assert_int_equal(write(c, reply, strlen(reply)),
				 (ssize_t)strlen(reply));
	} else if (strcmp(buf, "get=1\n\n") == 0 && f->get_reply) {
		assert_int_equal(write(c, f->get_reply, strlen(f->get_reply)),
				 (ssize_t)strlen(f->get_reply));
	}
	wg_wipe(buf, sizeof(buf));
	close(c);
	return len > 0;
}

/* Run `wg ARGS` (a shell command line, with %s replaced by the interface
 * name) while serving up to `conns` connections; returns its exit status
 * and its stdout+stderr in out. */
static int run_wg(struct fake_iface *f, const char *args, int conns,
		  char *out, size_t out_cap)
{
	char cmd[1024];
	int pipefd[2], status = -1;
	size_t out_len = 0;
	pid_t pid;

	snprintf(cmd, sizeof(cmd), args, f->name);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	for (int served = 0, probes = 0; served < conns && probes < 8;) {
		int rc = fake_serve_one(f, 5000);

		if (rc < 0)
			break;
		if (rc)
			served++;
		else
			probes++;
	}
	for (;;) {
		ssize_t n = read(pipefd[0], out + out_len, out_cap - 1 - out_len);

		if (n <= 0)
			break;
		out_len += (size_t)n;
	}
	out[out_len] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int setup_fake(void **state)
{
	static struct fake_iface f;

	if (!fake_open(&f)) {
		*state = NULL;
		return 0;
	}
	*state = &f;
	return 0;
}

static int teardown_fake(void **state)
{
	if (*state)
		fake_close(*state);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* `wg set` and `wg setconf` against the fake: the captured request
 * parses into what the command line / file said. */
static void test_real_wg_set(void **state)
{
	struct fake_iface *f = *state;
	char dir[] = "/tmp/wguapi-XXXXXX", path[128], cfg[128], cmd[512];
	char out[4096], priv_b64[WG_KEY_B64_LEN + 1], pub_b64[WG_KEY_B64_LEN + 1];
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	struct wg_uapi_txn txn;
	char ep[WG_ENDPOINT_STR_LEN];

	if (!f)
		skip();
	assert_non_null(mkdtemp(dir));
	wg_generate_private(priv);
	wg_key_to_base64(priv_b64, priv);
	wg_random(pub, sizeof(pub));
	wg_key_to_base64(pub_b64, pub);
	snprintf(path, sizeof(path), "%s/key", dir);
	write_file(path, priv_b64);

	snprintf(cmd, sizeof(cmd),
		 "wg set %%s listen-port 51820 private-key %s peer %s "
		 "preshared-key %s endpoint 198.51.100.2:51820 "
		 "persistent-keepalive 25 "
		 "allowed-ips 203.0.113.0/24,2001:db8:b::/48", path, pub_b64,
		 path);
	f->set_errno = 0;
	assert_int_equal(run_wg(f, cmd, 1, out, sizeof(out)), 0);
	assert_true(f->request_len > 0);
	assert_int_equal(wg_uapi_parse_set(f->request, f->request_len, &txn,
					   NULL), 0);
	assert_true(txn.interface.has_private_key);
	assert_memory_equal(txn.interface.private_key, priv, WG_KEY_LEN);
	assert_int_equal(txn.interface.listen_port, 51820);
	assert_false(txn.interface.replace_peers);
	assert_int_equal(txn.n_peers, 1);
	assert_memory_equal(txn.peers[0].public_key, pub, WG_KEY_LEN);
	assert_memory_equal(txn.peers[0].preshared_key, priv, WG_KEY_LEN);
	assert_string_equal(wg_endpoint_format(ep, &txn.peers[0].endpoint),
			    "198.51.100.2:51820");
	assert_int_equal(txn.peers[0].persistent_keepalive, 25);
	/* `wg set ... allowed-ips` replaces the list */
	assert_true(txn.peers[0].replace_allowed_ips);
	assert_int_equal(txn.peers[0].n_allowed_ips, 2);
	wg_uapi_txn_free(&txn);

	/* peer removal */
	snprintf(cmd, sizeof(cmd), "wg set %%s peer %s remove", pub_b64);
	assert_int_equal(run_wg(f, cmd, 1, out, sizeof(out)), 0);
	assert_int_equal(wg_uapi_parse_set(f->request, f->request_len, &txn,
					   NULL), 0);
	assert_int_equal(txn.n_peers, 1);
	assert_true(txn.peers[0].remove);
	wg_uapi_txn_free(&txn);

	/* a whole file: replace_peers and one block per peer */
	snprintf(cfg, sizeof(cfg), "%s/wg.conf", dir);
	snprintf(out, sizeof(out),
		 "[Interface]\nPrivateKey = %s\nListenPort = 51821\nFwMark = 0x10\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 198.51.100.0/24\n"
		 "Endpoint = [2001:db8::2]:51820\n"
		 "[Peer]\nPublicKey = %s\nPresharedKey = %s\n",
		 priv_b64, pub_b64, "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=",
		 priv_b64);
	write_file(cfg, out);
	snprintf(cmd, sizeof(cmd), "wg setconf %%s %s", cfg);
	assert_int_equal(run_wg(f, cmd, 1, out, sizeof(out)), 0);
	assert_int_equal(wg_uapi_parse_set(f->request, f->request_len, &txn,
					   NULL), 0);
	assert_true(txn.interface.replace_peers);
	assert_int_equal(txn.interface.listen_port, 51821);
	assert_true(txn.has_fwmark);
	assert_int_equal(txn.fwmark, 16);
	assert_int_equal(txn.n_peers, 2);
	assert_true(txn.peers[0].replace_allowed_ips);
	assert_true(txn.peers[0].has_endpoint);
	assert_int_equal(txn.peers[0].n_allowed_ips, 1);
	assert_true(txn.peers[1].replace_allowed_ips);
	assert_true(txn.peers[1].has_preshared_key);
	assert_int_equal(txn.peers[1].n_allowed_ips, 0);
	wg_uapi_txn_free(&txn);

	/* the errno sign: wg prints strerror of the negated value */
	snprintf(cmd, sizeof(cmd), "wg set %%s listen-port 1");
	f->set_errno = -EINVAL;
	assert_int_not_equal(run_wg(f, cmd, 1, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Invalid argument"));
	f->set_errno = 0;

	unlink(path);
	unlink(cfg);
	rmdir(dir);
	wg_wipe(priv, sizeof(priv));
	wg_wipe(priv_b64, sizeof(priv_b64));
}

/* The serializer's answer as `wg show NAME dump` reads it, and
 * `wg syncconf`, which reads (get) and then writes (set). */
static void test_real_wg_show(void **state)
{
	struct fake_iface *f = *state;
	struct wg_prefix ips[2];
	struct wg_uapi_peer peer;
	struct wg_uapi_device dev;
	struct wg_uapi_buf b;
	char out[4096], want[1024], priv_b64[WG_KEY_B64_LEN + 1];
	char pub_b64[WG_KEY_B64_LEN + 1], devpub_b64[WG_KEY_B64_LEN + 1];
	char psk_b64[WG_KEY_B64_LEN + 1];
	uint8_t devpub[WG_KEY_LEN];
	struct wg_uapi_txn txn;
	char dir[] = "/tmp/wguapi-XXXXXX", cfg[128], cmd[256];

	if (!f)
		skip();
	memset(&dev, 0, sizeof(dev));
	memset(&peer, 0, sizeof(peer));
	wg_generate_private(dev.private_key);
	dev.has_private_key = true;
	wg_public_from_private(devpub, dev.private_key);
	dev.listen_port = 51820;
	wg_random(peer.public_key, WG_KEY_LEN);
	wg_random(peer.preshared_key, WG_KEY_LEN);
	assert_true(wg_endpoint_parse(&peer.endpoint, "[2001:db8::2]:51820"));
	peer.last_handshake_time_sec = 1700000000;
	peer.last_handshake_time_nsec = 5;
	peer.rx_bytes = 1000;
	peer.tx_bytes = 2000;
	peer.persistent_keepalive_interval = 25;
	assert_true(wg_prefix_parse(&ips[0], "203.0.113.0/24", NULL));
	assert_true(wg_prefix_parse(&ips[1], "2001:db8:b::/48", NULL));
	peer.allowed_ips = ips;
	peer.n_allowed_ips = 2;
	dev.peers = &peer;
	dev.n_peers = 1;
	wg_uapi_buf_init(&b);
	assert_int_equal(wg_uapi_format_get(&b, &dev), 0);
	f->get_reply = b.data;

	wg_key_to_base64(priv_b64, dev.private_key);
	wg_key_to_base64(devpub_b64, devpub);
	wg_key_to_base64(pub_b64, peer.public_key);
	wg_key_to_base64(psk_b64, peer.preshared_key);
	assert_int_equal(run_wg(f, "wg show %s dump", 1, out, sizeof(out)), 0);
	snprintf(want, sizeof(want),
		 "%s\t%s\t51820\toff\n"
		 "%s\t%s\t[2001:db8::2]:51820\t203.0.113.0/24,2001:db8:b::/48\t"
		 "1700000000\t1000\t2000\t25\n",
		 priv_b64, devpub_b64, pub_b64, psk_b64);
	assert_string_equal(out, want);

	/* syncconf to a file without that peer: get, then a set that
	 * removes it and adds the new one */
	assert_non_null(mkdtemp(dir));
	snprintf(cfg, sizeof(cfg), "%s/wg.conf", dir);
	snprintf(want, sizeof(want),
		 "[Interface]\nPrivateKey = %s\nListenPort = 51820\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 198.51.100.0/24\n",
		 priv_b64, "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=");
	write_file(cfg, want);
	snprintf(cmd, sizeof(cmd), "wg syncconf %%s %s", cfg);
	f->request_len = 0;
	assert_int_equal(run_wg(f, cmd, 2, out, sizeof(out)), 0);
	assert_int_equal(wg_uapi_parse_set(f->request, f->request_len, &txn,
					   NULL), 0);
	assert_false(txn.interface.replace_peers);
	assert_int_equal(txn.n_peers, 2);
	for (size_t i = 0; i < 2; i++) {
		if (memcmp(txn.peers[i].public_key, peer.public_key, 32) == 0)
			assert_true(txn.peers[i].remove);
		else
			assert_int_equal(txn.peers[i].n_allowed_ips, 1);
	}
	wg_uapi_txn_free(&txn);
	unlink(cfg);
	rmdir(dir);

	f->get_reply = NULL;
	wg_uapi_buf_free(&b);
	wg_wipe(&dev, sizeof(dev));
	wg_wipe(priv_b64, sizeof(priv_b64));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_setconf),
		cmocka_unit_test(test_set_streaming),
		cmocka_unit_test(test_set_stops_at_blank_line),
		cmocka_unit_test(test_set_peer_verbs),
		cmocka_unit_test(test_set_semantics),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_set_bad_lines),
		cmocka_unit_test(test_set_error_drains),
		cmocka_unit_test(test_set_limits),
		cmocka_unit_test(test_get_exact),
		cmocka_unit_test(test_get_empty_and_errno),
		cmocka_unit_test(test_get_set_round_trip),
		cmocka_unit_test(test_real_wg_set),
		cmocka_unit_test(test_real_wg_show),
	};

	if (wg_crypto_init() != 0)
		return 1;
	/* a client that hangs up must not kill the test */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("uapi", tests, setup_fake,
					   teardown_fake);
}
