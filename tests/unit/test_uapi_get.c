/* SPDX-License-Identifier: MIT */
/*
 * The userspace configuration protocol, get=1: the serializer byte for
 * byte, with nothing set and for errno answers, and parsed back as a set
 * request.
 */
#include "test_uapi.h"

#include <errno.h>

#include "wg_crypto.h"

static void test_get_exact(void **state)
{
	struct wg_prefix ips[3];
	struct wg_uapi_peer peers[2];
	struct wg_interface_config ifc;
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
	hex_key(peers[0].config.public_key, KEY_B);
	hex_key(peers[0].config.preshared_key, KEY_C);
	assert_true(wg_endpoint_parse(&peers[0].config.endpoint, "198.51.100.2:51820"));
	peers[0].last_handshake_time_sec = 1700000000;
	peers[0].last_handshake_time_nsec = 123456789;
	peers[0].tx_bytes = UINT64_MAX;
	peers[0].rx_bytes = 1024;
	peers[0].config.persistent_keepalive = 25;
	peers[0].config.allowed_ips = ips;
	peers[0].config.n_allowed_ips = 2;
	hex_key(peers[1].config.public_key, KEY_C);
	assert_true(wg_endpoint_parse(&peers[1].config.endpoint,
				      "[2001:db8::2]:51821"));
	peers[1].config.allowed_ips = ips + 2;
	peers[1].config.n_allowed_ips = 1;
	memset(&ifc, 0, sizeof(ifc));
	ifc.has_private_key = true;
	hex_key(ifc.private_key, KEY_A);
	ifc.listen_port = 51820;
	ifc.fwmark = 7;
	dev.interface = &ifc;
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
	struct wg_interface_config ifc;
	struct wg_uapi_device dev;
	struct wg_uapi_buf b;

	(void)state;
	memset(&ifc, 0, sizeof(ifc));
	memset(&dev, 0, sizeof(dev));
	dev.interface = &ifc;
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
	struct wg_interface_config ifc;
	struct wg_uapi_device dev;
	struct wg_uapi_buf b;
	struct wg_prefix ips[2];
	char *errno_line;

	(void)state;
	assert_true(wg_prefix_parse(&ips[0], "0.0.0.0/0", NULL));
	assert_true(wg_prefix_parse(&ips[1], "::/0", NULL));
	memset(&ifc, 0, sizeof(ifc));
	memset(&dev, 0, sizeof(dev));
	dev.interface = &ifc;
	memset(peers, 0, sizeof(peers));
	wg_random(peers[0].config.public_key, WG_KEY_LEN);
	wg_random(peers[0].config.preshared_key, WG_KEY_LEN);
	peers[0].config.allowed_ips = ips;
	peers[0].config.n_allowed_ips = 2;
	assert_true(wg_endpoint_parse(&peers[0].config.endpoint, "203.0.113.9:1"));
	peers[0].config.persistent_keepalive = 65535;
	ifc.listen_port = 65535;
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
	assert_memory_equal(txn.peers[0].public_key,
			    peers[0].config.public_key, 32);
	assert_memory_equal(txn.peers[0].preshared_key,
			    peers[0].config.preshared_key, 32);
	assert_int_equal(txn.peers[0].persistent_keepalive, 65535);
	assert_int_equal(txn.peers[0].n_allowed_ips, 2);
	assert_int_equal(txn.interface.listen_port, 65535);
	wg_uapi_txn_free(&txn);
	wg_uapi_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_exact),
		cmocka_unit_test(test_get_empty_and_errno),
		cmocka_unit_test(test_get_set_round_trip),
	};

	if (wg_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("uapi_get", tests, NULL, NULL);
}
