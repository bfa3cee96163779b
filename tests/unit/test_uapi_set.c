/* SPDX-License-Identifier: MIT */
/*
 * The userspace configuration protocol, set=1: the parser on the requests
 * `wg set` / `wg setconf` send, fed whole and in any split, and the
 * meaning wireguard-go gives to the order of their lines.
 */
#include "test_uapi.h"

#include <errno.h>

#include "wg_crypto.h"

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
	assert_true(txn->interface.has_fwmark);
	assert_int_equal(txn->interface.fwmark, 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_setconf),
		cmocka_unit_test(test_set_streaming),
		cmocka_unit_test(test_set_stops_at_blank_line),
		cmocka_unit_test(test_set_peer_verbs),
		cmocka_unit_test(test_set_semantics),
	};

	if (wg_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("uapi_set", tests, NULL, NULL);
}
