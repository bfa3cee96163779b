/* SPDX-License-Identifier: MIT */
/*
 * The UAPI socket server against a fake device (this file implements the
 * gw_device.h calls it makes): get and set through a real socket, errors
 * answered with nothing applied, pipelined and byte-by-byte clients, the
 * socket file rules (live listener refused, stale socket replaced, other
 * files left alone, removed on close), and the real `wg` tool end to end.
 * No EAL: rte_log works without it.
 */
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
#include <time.h>
#include <unistd.h>

#include <rte_log.h>

#include "gw_uapi.h"
#include "wg_crypto.h"
#include "wg_keys.h"

int gw_logtype = RTE_LOGTYPE_USER1;

#include "test_check.h"

/* ------------------------------------------------------ fake device */

#define KEY_A "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e7f"
#define KEY_B "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
#define KEY_Z "0000000000000000000000000000000000000000000000000000000000000000"

struct gw_device {
	uint8_t private_key[WG_KEY_LEN];
	uint16_t listen_port;
	struct wg_prefix ips[2];
	uint8_t peer_key[WG_KEY_LEN];
	int set_calls;
	int set_ret;                 /* what gw_device_set answers */
	/* copies of the last set's settings (its arrays do not outlive it) */
	struct wg_interface_config last;
	size_t last_n_peers;
	struct wg_peer_config last_peer;
	struct wg_prefix last_ips[4];
	int job_steps;               /* slices a started set still takes */
	int steps_done;
	/* a slow device on a fake clock (test_slow_device) */
	uint32_t get_peers;          /* 0: the one peer of fake_get */
	uint64_t *clock_ms;          /* advanced as the device works */
	uint64_t ms_per_peer, ms_per_set;
};

void gw_device_get_info(struct gw_device *dev, struct gw_device_info *out)
{
	struct wg_interface_config *ifc = &out->interface;

	memset(out, 0, sizeof(*out));
	snprintf(ifc->name, sizeof(ifc->name), "fake");
	ifc->has_private_key = true;
	memcpy(ifc->private_key, dev->private_key, WG_KEY_LEN);
	wg_public_from_private(ifc->public_key, dev->private_key);
	ifc->listen_port = dev->listen_port;
	out->n_peers = 1;
}

/* The i-th fake peer (i > 0 only in test_slow_device). */
static int fake_peer(struct gw_device *dev, uint32_t i, gw_peer_fn fn,
		     void *arg)
{
	struct wg_uapi_peer info;
	int ret;

	memset(&info, 0, sizeof(info));
	memcpy(info.config.public_key, dev->peer_key, WG_KEY_LEN);
	info.config.public_key[0] ^= (uint8_t)i;
	info.config.public_key[1] ^= (uint8_t)(i >> 8);
	if (dev->clock_ms)
		*dev->clock_ms += dev->ms_per_peer;
	wg_endpoint_parse(&info.config.endpoint, "198.51.100.2:51820");
	info.config.persistent_keepalive = 25;
	info.config.allowed_ips = dev->ips;
	info.config.n_allowed_ips = 2;
	info.last_handshake_time_sec = 1700000000;
	info.last_handshake_time_nsec = 1;
	info.rx_bytes = 10;
	info.tx_bytes = 20;
	ret = fn(&info, arg);
	wg_wipe(&info, sizeof(info));
	return ret;
}

static uint32_t fake_n_peers(const struct gw_device *dev)
{
	return dev->get_peers ? dev->get_peers : 1;
}

int gw_device_foreach_peer(struct gw_device *dev, gw_peer_fn fn, void *arg)
{
	int ret = 0;

	for (uint32_t i = 0; i < fake_n_peers(dev) && !ret; i++)
		ret = fake_peer(dev, i, fn, arg);
	return ret;
}

/* the fake's cursor is the next peer's index */
int gw_device_foreach_peer_slice(struct gw_device *dev,
				 struct gw_peer_cursor *cur, uint32_t max,
				 gw_peer_fn fn, void *arg)
{
	uint32_t i = (uint32_t)(uintptr_t)cur->next;
	int ret = 0;

	for (cur->started = true; i < fake_n_peers(dev) && max && !ret; max--)
		ret = fake_peer(dev, i++, fn, arg);
	cur->next = (const struct gw_peer *)(uintptr_t)i;
	cur->done = i == fake_n_peers(dev);
	return ret;
}

int gw_device_foreach_counter(struct gw_device *dev, gw_counter_fn fn,
			      void *arg)
{
	(void)dev;
	(void)fn;
	(void)arg;
	return 0;
}

int gw_device_set(struct gw_device *dev, const struct gw_device_set *set)
{
	dev->set_calls++;
	if (dev->clock_ms)
		*dev->clock_ms += dev->ms_per_set;
	dev->last = *set->interface;
	dev->last_n_peers = set->n_peers;
	if (set->n_peers) {
		dev->last_peer = set->peers[0];
		for (uint32_t i = 0; i < set->peers[0].n_allowed_ips && i < 4; i++)
			dev->last_ips[i] = set->peers[0].allowed_ips[i];
	}
	if (dev->set_ret)
		return dev->set_ret;
	if (set->interface->has_listen_port)
		dev->listen_port = set->interface->listen_port;
	return 0;
}

int gw_device_set_start(struct gw_device *dev, const struct gw_device_set *set,
			struct gw_set_job **job)
{
	int ret = gw_device_set(dev, set);

	*job = NULL;
	if (ret == 0 && dev->job_steps) {
		*job = (struct gw_set_job *)dev;
		return 1;
	}
	return ret;
}

bool gw_device_set_step(struct gw_set_job *job, uint32_t budget)
{
	struct gw_device *dev = (struct gw_device *)job;

	(void)budget;
	dev->steps_done++;
	return --dev->job_steps == 0;
}

static void fake_init(struct gw_device *dev)
{
	memset(dev, 0, sizeof(*dev));
	wg_key_from_hex(dev->private_key, KEY_A);
	wg_key_from_hex(dev->peer_key, KEY_B);
	dev->listen_port = 51820;
	wg_prefix_parse(&dev->ips[0], "203.0.113.0/24", NULL);
	wg_prefix_parse(&dev->ips[1], "2001:db8:b::/48", NULL);
}

static const char fake_get[] =
	"private_key=" KEY_A "\n"
	"listen_port=51820\n"
	"public_key=" KEY_B "\n"
	"preshared_key=" KEY_Z "\n"
	"protocol_version=1\n"
	"endpoint=198.51.100.2:51820\n"
	"last_handshake_time_sec=1700000000\n"
	"last_handshake_time_nsec=1\n"
	"tx_bytes=20\n"
	"rx_bytes=10\n"
	"persistent_keepalive_interval=25\n"
	"allowed_ip=203.0.113.0/24\n"
	"allowed_ip=2001:db8:b::/48\n"
	"errno=0\n\n";

/* ----------------------------------------------------------- client */

static int client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Poll the server until `answers` answers ("...\n\n") or EOF arrived or
 * 2 s passed; returns the bytes read (NUL-terminated in out). */
static size_t client_read(struct gw_uapi *u, int fd, int answers, char *out,
			  size_t cap)
{
	size_t len = 0;

	for (int spins = 0; spins < 2000; spins++) {
		ssize_t n;
		int seen = 0;

		gw_uapi_poll(u);
		n = recv(fd, out + len, cap - 1 - len, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0)
			len += (size_t)n;
		out[len] = '\0';
		for (const char *p = out; (p = strstr(p, "\n\n")); p += 2)
			seen++;
		if (seen >= answers)
			break;
		usleep(1000);
	}
	out[len] = '\0';
	return len;
}

static void write_all(int fd, const char *s, size_t len)
{
	CHECK(write(fd, s, len) == (ssize_t)len, "short write");
}

/* ------------------------------------------------------------ tests */

static void test_get_set(struct gw_uapi *u, struct gw_device *dev,
			 const char *path)
{
	char out[4096];
	int fd;

	/* get */
	fd = client_connect(path);
	CHECK(fd >= 0, "connect: %s", strerror(errno));
	write_all(fd, "get=1\n\n", 7);
	client_read(u, fd, 1, out, sizeof(out));
	CHECK(strcmp(out, fake_get) == 0, "get answer:\n%s", out);

	/* set on the same connection, then get again */
	{
		static const char req[] =
			"set=1\nlisten_port=51821\npublic_key=" KEY_B "\n"
			"replace_allowed_ips=true\nallowed_ip=192.0.2.7/24\n\n";
		write_all(fd, req, sizeof(req) - 1);
	}
	client_read(u, fd, 1, out, sizeof(out));
	CHECK(strcmp(out, "errno=0\n\n") == 0, "set answer: %s", out);
	CHECK(dev->set_calls == 1, "set calls %d", dev->set_calls);
	CHECK(dev->last.has_listen_port && dev->last.listen_port == 51821,
	      "listen_port");
	CHECK(!dev->last.has_private_key && !dev->last.replace_peers,
	      "flags");
	CHECK(dev->last_n_peers == 1 && dev->last_peer.replace_allowed_ips &&
	      dev->last_peer.n_allowed_ips == 1, "peer");
	{
		char buf[WG_PREFIX_STR_LEN];

		wg_prefix_format(buf, &dev->last_ips[0]);
		CHECK(strcmp(buf, "192.0.2.0/24") == 0, "allowed ip %s", buf);
	}
	write_all(fd, "get=1\n\n", 7);
	client_read(u, fd, 1, out, sizeof(out));
	CHECK(strstr(out, "listen_port=51821\n") != NULL, "port not applied");
	close(fd);
}

/* A set applied in slices is answered when its last slice is done; a
 * get on another connection waits until then, and sees it applied. */
static void test_sliced_set(struct gw_uapi *u, struct gw_device *dev,
			    const char *path)
{
	static const char req[] = "set=1\nlisten_port=51822\n\n";
	char out[4096];
	int fd = client_connect(path), fd2 = client_connect(path);
	int i;

	CHECK(fd >= 0 && fd2 >= 0, "connect: %s", strerror(errno));
	dev->job_steps = 5;
	dev->steps_done = 0;
	write_all(fd, req, sizeof(req) - 1);
	for (i = 0; i < 50 && dev->job_steps == 5; i++) {
		gw_uapi_poll(u);
		usleep(1000);
	}
	CHECK(dev->job_steps == 5 - dev->steps_done && dev->steps_done < 5,
	      "set not started or done at once (%d steps)", dev->steps_done);
	write_all(fd2, "get=1\n\n", 7);
	gw_uapi_poll(u);
	CHECK(recv(fd2, out, sizeof(out), MSG_DONTWAIT) < 0,
	      "a get was answered while a set was being applied");
	CHECK(recv(fd, out, sizeof(out), MSG_DONTWAIT) < 0,
	      "a set was answered before its last slice");
	client_read(u, fd, 1, out, sizeof(out));
	CHECK(strcmp(out, "errno=0\n\n") == 0, "sliced set answer: %s", out);
	CHECK(dev->job_steps == 0 && dev->steps_done == 5, "steps %d",
	      dev->steps_done);
	client_read(u, fd2, 1, out, sizeof(out));
	CHECK(strstr(out, "listen_port=51822\n") != NULL,
	      "get after the sliced set: %s", out);
	close(fd);
	close(fd2);
}

/* A bad request is answered -EINVAL and not applied; the connection
 * goes on with the next (pipelined) command. */
static void test_errors(struct gw_uapi *u, struct gw_device *dev,
			const char *path)
{
	static const char req[] =
		"set=1\nlisten_port=51822\npublic_key=" KEY_B "\n"
		"allowed_ip=192.0.2.0/33\n\n"
		"set=1\nlisten_port\n\n"
		"get=1\nx";
	char out[4096];
	int calls = dev->set_calls, fd;

	fd = client_connect(path);
	write_all(fd, req, sizeof(req) - 1);
	client_read(u, fd, 3, out, sizeof(out));
	CHECK(strcmp(out, "errno=-22\n\nerrno=-71\n\nerrno=-22\n\n") == 0,
	      "answers: %s", out);
	CHECK(dev->set_calls == calls, "a refused set reached the device");
	close(fd);

	/* the device's own refusal is passed on */
	dev->set_ret = -ENOSPC;
	fd = client_connect(path);
	write_all(fd, "set=1\nlisten_port=1\n\n", 21);
	client_read(u, fd, 1, out, sizeof(out));
	CHECK(strcmp(out, "errno=-28\n\n") == 0, "device error: %s", out);
	dev->set_ret = 0;
	close(fd);

	/* an unknown command: hung up on, as wireguard-go does */
	fd = client_connect(path);
	write_all(fd, "hello=1\n\n", 9);
	CHECK(client_read(u, fd, 1, out, sizeof(out)) == 0, "answered: %s",
	      out);
	close(fd);
}

/* The device's own work is not the clients' silence: a get of many
 * peers that takes the device longer than GW_UAPI_IDLE_MS in all, and a
 * set that takes that long in one go, cost no client its connection (a
 * get of 1,000,000 peers ended in "Protocol error" from `wg show`: the
 * whole answer was built in one turn, then the connection was timed out
 * before its first bytes were read). On a fake clock. */
static uint64_t fake_clock_ms;

static uint64_t fake_clock(void)
{
	return fake_clock_ms;
}

static void test_slow_device(struct gw_uapi *u, struct gw_device *dev,
			     const char *path)
{
	const uint32_t n = 3000;
	size_t cap = (size_t)n * 512, len;
	char *out = malloc(cap), small[256];
	const char *p;
	uint32_t keys = 0;
	int fd, fd2;

	CHECK(out != NULL, "malloc");
	fake_clock_ms = 1000000;
	gw_uapi_set_clock(u, fake_clock);
	dev->clock_ms = &fake_clock_ms;
	dev->get_peers = n;
	dev->ms_per_peer = 5; /* 15 s for the whole get */
	fd = client_connect(path);
	CHECK(fd >= 0, "connect: %s", strerror(errno));
	write_all(fd, "get=1\n\n", 7);
	len = client_read(u, fd, 1, out, cap);
	for (p = out; (p = strstr(p, "public_key=")); p++)
		keys++;
	CHECK(keys == n && len > 10 && strcmp(out + len - 9, "errno=0\n\n") == 0,
	      "slow get: %zu bytes, %u of %u peers, ends \"%s\"", len, keys, n,
	      len > 20 ? out + len - 20 : out);
	close(fd);

	/* a client that connected before a set that takes 11 s is served
	 * after it */
	dev->get_peers = 0;
	dev->ms_per_set = 11000;
	fd2 = client_connect(path);
	gw_uapi_poll(u); /* accepted, silent */
	fd = client_connect(path);
	write_all(fd, "set=1\nlisten_port=51823\n\n", 25);
	client_read(u, fd, 1, small, sizeof(small));
	CHECK(strcmp(small, "errno=0\n\n") == 0, "slow set: %s", small);
	write_all(fd2, "get=1\n\n", 7);
	client_read(u, fd2, 1, small, sizeof(small));
	CHECK(strstr(small, "listen_port=51823\n") != NULL,
	      "the client waiting during a slow set: \"%s\"", small);
	close(fd);
	close(fd2);
	dev->listen_port = 51820; /* as fake_get has it */
	dev->ms_per_set = 0;
	dev->ms_per_peer = 0;
	dev->clock_ms = NULL;
	gw_uapi_set_clock(u, NULL);
	free(out);
}

/* A set that arrives while a get streams waits until the get is sent
 * whole (the get's cursor points at peers a set could remove), and
 * gw_uapi_busy holds reloads back meanwhile. */
static void test_set_waits_for_get(struct gw_uapi *u, struct gw_device *dev,
				   const char *path)
{
	const uint32_t n = 3000;
	size_t cap = (size_t)n * 512, len = 0;
	char *out = malloc(cap), small[64];
	int calls = dev->set_calls, fd = client_connect(path);
	int fd2 = client_connect(path);

	CHECK(out != NULL && fd >= 0 && fd2 >= 0, "setup");
	dev->get_peers = n;
	write_all(fd, "get=1\n\n", 7);
	for (int i = 0; i < 5; i++)
		gw_uapi_poll(u); /* the get fills its socket and waits */
	CHECK(gw_uapi_busy(u), "not busy while a get streams");
	write_all(fd2, "set=1\nlisten_port=51824\n\n", 25);
	for (int i = 0; i < 5; i++)
		gw_uapi_poll(u);
	CHECK(dev->set_calls == calls, "a set ran while a get streamed");
	CHECK(recv(fd2, small, sizeof(small), MSG_DONTWAIT) < 0,
	      "a set was answered while a get streamed");
	len = client_read(u, fd, 1, out, cap);
	CHECK(len > 10 && strcmp(out + len - 9, "errno=0\n\n") == 0 &&
	      strstr(out, "listen_port=51820\n") != NULL, "the get: %zu bytes",
	      len);
	client_read(u, fd2, 1, small, sizeof(small));
	CHECK(strcmp(small, "errno=0\n\n") == 0 && dev->set_calls == calls + 1,
	      "the set after the get: %s", small);
	CHECK(!gw_uapi_busy(u), "busy after the get");
	close(fd);
	close(fd2);
	dev->get_peers = 0;
	dev->listen_port = 51820; /* as fake_get has it */
	free(out);
}

/* A client writing one byte per poll gets the same answers. */
static void test_slow_client(struct gw_uapi *u, struct gw_device *dev,
			     const char *path)
{
	static const char req[] = "set=1\nlisten_port=51820\n\nget=1\n\n";
	char out[4096];
	int fd = client_connect(path);

	for (size_t i = 0; i < sizeof(req) - 1; i++) {
		write_all(fd, req + i, 1);
		gw_uapi_poll(u);
	}
	client_read(u, fd, 2, out, sizeof(out));
	CHECK(strncmp(out, "errno=0\n\n", 9) == 0 &&
	      strcmp(out + 9, fake_get) == 0, "slow client:\n%s", out);
	CHECK(dev->listen_port == 51820, "port");
	close(fd);
}

/* More clients than slots: the extra ones wait in the backlog and are
 * served once the idle ones leave. */
static void test_many_clients(struct gw_uapi *u, const char *path)
{
	int fds[GW_UAPI_MAX_CONNS + 4];
	char out[4096];

	/* (a connect to a full backlog would block: poll in between) */
	for (int i = 0; i < GW_UAPI_MAX_CONNS + 4; i++) {
		fds[i] = client_connect(path);
		CHECK(fds[i] >= 0, "connect %d", i);
		gw_uapi_poll(u);
	}
	for (int i = 0; i < 10; i++)
		gw_uapi_poll(u);
	for (int i = 0; i < GW_UAPI_MAX_CONNS; i++)
		close(fds[i]);
	write_all(fds[GW_UAPI_MAX_CONNS + 3], "get=1\n\n", 7);
	client_read(u, fds[GW_UAPI_MAX_CONNS + 3], 1, out, sizeof(out));
	CHECK(strcmp(out, fake_get) == 0, "late client: %s", out);
	for (int i = GW_UAPI_MAX_CONNS; i < GW_UAPI_MAX_CONNS + 4; i++)
		close(fds[i]);
}

static void test_socket_files(struct gw_device *dev, const char *dir)
{
	char path[100];
	struct gw_uapi *u, *v;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/wgx.sock", dir);
	u = gw_uapi_open_at(dev, dir, "wgx");
	CHECK(u != NULL, "open: %s", strerror(errno));
	CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	      (st.st_mode & 0777) == 0700, "socket mode %o", st.st_mode);
	/* a second instance is refused */
	v = gw_uapi_open_at(dev, dir, "wgx");
	CHECK(v == NULL && errno == EADDRINUSE, "second open: %p %d",
	      (void *)v, errno);
	CHECK(gw_uapi_alive(u), "alive");
	gw_uapi_close(u);
	CHECK(stat(path, &st) != 0 && errno == ENOENT, "not removed");

	/* a stale socket (its process died) is replaced */
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "bind");
		close(fd);
	}
	u = gw_uapi_open_at(dev, dir, "wgx");
	CHECK(u != NULL, "stale socket not replaced: %s", strerror(errno));
	/* removed under our feet: reported within GW_UAPI_CHECK_MS */
	unlink(path);
	for (int i = 0; i < 150 && gw_uapi_alive(u); i++) {
		usleep(10000);
		gw_uapi_poll(u);
	}
	CHECK(!gw_uapi_alive(u), "removal not noticed");
	gw_uapi_close(u);

	/* anything but a socket is left alone */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	u = gw_uapi_open_at(dev, dir, "wgx");
	CHECK(u == NULL && errno == EEXIST, "regular file: %d", errno);
	CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode), "file touched");
	unlink(path);

	/* names that are not interface names */
	CHECK(!gw_uapi_open_at(dev, dir, "../x") && errno == EINVAL, "../x");
	CHECK(!gw_uapi_open_at(dev, dir, "") && errno == EINVAL, "empty");
	CHECK(!gw_uapi_open_at(dev, dir, "a234567890123456") &&
	      errno == EINVAL, "16 chars");
}

/* The real `wg` against the server in /var/run/wireguard: the server is
 * polled while the tool runs in a child. */
static int run_wg(struct gw_uapi *u, const char *cmd, char *out, size_t cap)
{
	int pipefd[2], status;
	size_t len = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	for (int spins = 0; spins < 5000; spins++) {
		ssize_t n;

		gw_uapi_poll(u);
		n = read(pipefd[0], out + len, cap - 1 - len);
		if (n > 0)
			len += (size_t)n;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			while ((n = read(pipefd[0], out + len,
					 cap - 1 - len)) > 0)
				len += (size_t)n;
			out[len] = '\0';
			close(pipefd[0]);
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(pipefd[0]);
	out[len] = '\0';
	return -1;
}

static void test_real_wg(struct gw_device *dev)
{
	char name[16], cmd[512], out[4096], want[512];
	char priv_b64[WG_KEY_B64_LEN + 1], pub_b64[WG_KEY_B64_LEN + 1];
	char peer_b64[WG_KEY_B64_LEN + 1];
	uint8_t pub[WG_KEY_LEN];
	struct gw_uapi *u;
	int rc;

	if (system("command -v wg >/dev/null 2>&1") != 0) {
		printf("SKIP real wg: no wg tool\n");
		return;
	}
	snprintf(name, sizeof(name), "gwuapi%d", (int)getpid());
	u = gw_uapi_open(dev, name);
	if (!u) {
		printf("SKIP real wg: %s\n", strerror(errno));
		return;
	}
	wg_key_to_base64(priv_b64, dev->private_key);
	wg_public_from_private(pub, dev->private_key);
	wg_key_to_base64(pub_b64, pub);
	wg_key_to_base64(peer_b64, dev->peer_key);

	snprintf(cmd, sizeof(cmd), "wg show %s dump", name);
	rc = run_wg(u, cmd, out, sizeof(out));
	snprintf(want, sizeof(want),
		 "%s\t%s\t%u\toff\n%s\t(none)\t198.51.100.2:51820\t"
		 "203.0.113.0/24,2001:db8:b::/48\t1700000000\t10\t20\t25\n",
		 priv_b64, pub_b64, dev->listen_port, peer_b64);
	CHECK(rc == 0 && strcmp(out, want) == 0, "wg show: %d\n%s", rc, out);

	snprintf(cmd, sizeof(cmd), "wg set %s listen-port 40000 peer %s "
		 "endpoint [2001:db8::2]:51820 allowed-ips 198.51.100.0/24",
		 name, peer_b64);
	rc = run_wg(u, cmd, out, sizeof(out));
	CHECK(rc == 0, "wg set: %d %s", rc, out);
	CHECK(dev->listen_port == 40000, "wg set not applied");
	CHECK(dev->last_peer.has_endpoint &&
	      dev->last_peer.endpoint.family == WG_FAMILY_V6, "endpoint");

	/* the device's refusal reaches the user as its strerror */
	dev->set_ret = -ENOSPC;
	snprintf(cmd, sizeof(cmd), "wg set %s listen-port 40001", name);
	rc = run_wg(u, cmd, out, sizeof(out));
	CHECK(rc != 0 && strstr(out, "No space left on device"),
	      "wg set refused: %d %s", rc, out);
	dev->set_ret = 0;

	gw_uapi_close(u);
	snprintf(cmd, sizeof(cmd), GW_UAPI_DIR "/%s.sock", name);
	CHECK(access(cmd, F_OK) != 0, "socket left behind");
}

int main(void)
{
	char dir[] = "/tmp/gwuapi-XXXXXX", path[100];
	struct gw_device dev;
	struct gw_uapi *u;

	if (wg_crypto_init() != 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	fake_init(&dev);
	if (!mkdtemp(dir))
		return 1;

	u = gw_uapi_open_at(&dev, dir, "wgt0");
	CHECK(u != NULL, "open: %s", strerror(errno));
	if (u) {
		snprintf(path, sizeof(path), "%s/wgt0.sock", dir);
		test_get_set(u, &dev, path);
		test_sliced_set(u, &dev, path);
		test_errors(u, &dev, path);
		test_slow_client(u, &dev, path);
		test_slow_device(u, &dev, path);
		test_set_waits_for_get(u, &dev, path);
		test_many_clients(u, path);
		gw_uapi_close(u);
	}
	test_socket_files(&dev, dir);
	test_real_wg(&dev);
	rmdir(dir);

	if (failures) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	printf("gw_uapi: all checks passed\n");
	return 0;
}
