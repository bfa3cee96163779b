/* SPDX-License-Identifier: MIT */
/*
 * The userspace configuration protocol against the real `wg`: the
 * requests `wg set` / `wg setconf` / `wg syncconf` send, captured through
 * a socket in /var/run/wireguard, parse into what was asked, and the get=1
 * serializer's answer reads as `wg show` expects. Skipped without `wg`.
 */
#include "test_uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wg_crypto.h"

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
	assert_true(txn.interface.has_fwmark);
	assert_int_equal(txn.interface.fwmark, 16);
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
	struct wg_interface_config ifc;
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
	memset(&ifc, 0, sizeof(ifc));
	memset(&dev, 0, sizeof(dev));
	memset(&peer, 0, sizeof(peer));
	wg_generate_private(ifc.private_key);
	ifc.has_private_key = true;
	wg_public_from_private(devpub, ifc.private_key);
	ifc.listen_port = 51820;
	dev.interface = &ifc;
	wg_random(peer.config.public_key, WG_KEY_LEN);
	wg_random(peer.config.preshared_key, WG_KEY_LEN);
	assert_true(wg_endpoint_parse(&peer.config.endpoint, "[2001:db8::2]:51820"));
	peer.last_handshake_time_sec = 1700000000;
	peer.last_handshake_time_nsec = 5;
	peer.rx_bytes = 1000;
	peer.tx_bytes = 2000;
	peer.config.persistent_keepalive = 25;
	assert_true(wg_prefix_parse(&ips[0], "203.0.113.0/24", NULL));
	assert_true(wg_prefix_parse(&ips[1], "2001:db8:b::/48", NULL));
	peer.config.allowed_ips = ips;
	peer.config.n_allowed_ips = 2;
	dev.peers = &peer;
	dev.n_peers = 1;
	wg_uapi_buf_init(&b);
	assert_int_equal(wg_uapi_format_get(&b, &dev), 0);
	f->get_reply = b.data;

	wg_key_to_base64(priv_b64, ifc.private_key);
	wg_key_to_base64(devpub_b64, devpub);
	wg_key_to_base64(pub_b64, peer.config.public_key);
	wg_key_to_base64(psk_b64, peer.config.preshared_key);
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
		if (memcmp(txn.peers[i].public_key, peer.config.public_key, 32) == 0)
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
		cmocka_unit_test(test_real_wg_set),
		cmocka_unit_test(test_real_wg_show),
	};

	if (wg_crypto_init() != 0)
		return 1;
	/* a client that hangs up must not kill the test */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("uapi_wg", tests, setup_fake,
					   teardown_fake);
}
