/* SPDX-License-Identifier: MIT */
/* The UAPI socket server on the control lcore (see gw_uapi.h). */
#include "gw_uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gw_stats.h"
#include "wg_crypto.h"
#include "wg_uapi.h"

enum conn_state {
	CONN_FREE = 0,
	CONN_READ_OP,      /* "get=1\n" or "set=1\n" */
	CONN_READ_GET_NL,  /* the blank line after get=1 */
	CONN_READ_SET,     /* the lines of a set=1, into the parser */
	CONN_WRITE,        /* the answer; input waits meanwhile */
	CONN_SET_READY,    /* its set is read whole, waiting for the gets */
	CONN_APPLYING,     /* its set is being applied (gw_uapi.job) */
};

struct gw_uapi_conn {
	int fd;
	enum conn_state state;
	uint64_t last_ms;            /* last progress, for the idle timeout */
	char op[8];
	size_t op_len;
	size_t req_bytes;
	char in[GW_UAPI_IOBUF];      /* read but not yet consumed */
	size_t in_off, in_len;
	struct wg_uapi_parser parser;
	struct wg_diag diag;
	struct wg_uapi_buf out;      /* may hold the private key: wiped */
	size_t out_off;
	/* a get streaming its peers: where the next slice starts */
	bool streaming;
	struct gw_peer_cursor cursor;
	uint32_t streamed;           /* peers so far */
	uint64_t stream_start_ns;
};

struct gw_uapi {
	struct gw_device *dev;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t st_dev;                /* our socket file, to tell it from a */
	ino_t st_ino;                /* replacement by another process */
	bool alive;
	uint64_t checked_ms;
	/* a set whose new peers are still being added, a slice per poll;
	 * every connection waits until it is done */
	struct gw_set_job *job;
	struct gw_uapi_conn *job_conn;
	uint64_t (*clock_ms)(void);
	unsigned int n_streams;      /* gets still streaming their peers */
	/* while gets stream: the longest gw_uapi_poll and the longest gap
	 * between two (the control loop's turn, seen from here) */
	uint64_t last_poll_ns;
	uint64_t max_poll_ns, max_poll_cpu_ns, max_gap_ns;
	struct gw_uapi_conn conns[GW_UAPI_MAX_CONNS];
};

/* Coarse is enough for timeouts of seconds, and costs no syscall. */
static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The control lcore's own time: a poll's wall time also holds the
 * time other processes had its CPU. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ms(const struct gw_uapi *u)
{
	return u->clock_ms ? u->clock_ms() : monotonic_ms();
}

void gw_uapi_set_clock(struct gw_uapi *uapi, uint64_t (*clock_ms)(void))
{
	uapi->clock_ms = clock_ms;
}

/* As wg_config: what an interface name may be, so that it is also a
 * file name in the socket directory. */
static bool valid_name(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= WG_IFNAME_MAX && strcmp(name, ".") &&
	       strcmp(name, "..") &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_=+.-") == n;
}

/* ------------------------------------------------------ connections */

static void conn_close(struct gw_uapi *u, struct gw_uapi_conn *c)
{
	if (c->state == CONN_FREE)
		return;
	if (u->job_conn == c)
		u->job_conn = NULL; /* the set goes on; nobody to answer */
	if (c->streaming)
		u->n_streams--;
	close(c->fd);
	wg_uapi_parser_discard(&c->parser);
	wg_diag_free(&c->diag);
	wg_uapi_buf_free(&c->out);
	wg_wipe(c->in, sizeof(c->in));
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void conn_answer_errno(struct gw_uapi_conn *c, int err)
{
	wg_uapi_buf_free(&c->out);
	wg_uapi_format_errno(&c->out, err);
	c->out_off = 0;
	c->state = CONN_WRITE;
}

static int get_peer(const struct wg_uapi_peer *peer, void *arg)
{
	struct gw_uapi_conn *c = arg;

	c->streamed++;
	wg_uapi_format_peer(&c->out, peer);
	return wg_uapi_buf_error(&c->out);
}

/* A get: the interface now, its peers a slice at a time as the client
 * reads them (get_slice), so that neither the control lcore's turn nor
 * the buffer grows with the number of peers. Sets wait meanwhile: the
 * cursor stays valid and the answer is one consistent view. */
static void conn_get(struct gw_uapi *u, struct gw_uapi_conn *c)
{
	struct gw_device_info info;
	const struct wg_uapi_device d = { .interface = &info.interface };

	gw_device_get_info(u->dev, &info);
	wg_uapi_buf_free(&c->out);
	wg_uapi_format_device(&c->out, &d);
	wg_wipe(&info, sizeof(info));
	if (wg_uapi_buf_error(&c->out)) {
		GW_LOG(WARNING, "UAPI get: out of memory");
		conn_answer_errno(c, -ENOMEM);
		return;
	}
	memset(&c->cursor, 0, sizeof(c->cursor));
	c->streaming = true;
	c->streamed = 0;
	c->stream_start_ns = monotonic_ns();
	if (!u->n_streams++)
		u->max_poll_ns = u->max_poll_cpu_ns = u->max_gap_ns = 0;
	c->out_off = 0;
	c->state = CONN_WRITE;
}

/* The next slice of a streaming get into the (sent) buffer; the last
 * one ends the answer. False: out of memory half way, when no errno can
 * be sent any more: the connection is closed (`wg` reports it). */
static bool get_slice(struct gw_uapi *u, struct gw_uapi_conn *c)
{
	wg_uapi_buf_free(&c->out);
	c->out_off = 0;
	gw_device_foreach_peer_slice(u->dev, &c->cursor,
				     GW_UAPI_GET_PEERS_PER_SLICE, get_peer, c);
	if (c->cursor.done) {
		wg_uapi_format_errno(&c->out, 0);
		c->streaming = false;
		u->n_streams--;
		GW_LOG(INFO, "UAPI get: %u peers streamed in %.2f s; longest UAPI poll %.2f ms (%.2f ms on its CPU), longest gap between polls %.2f ms",
		       c->streamed,
		       (double)(monotonic_ns() - c->stream_start_ns) / 1e9,
		       (double)u->max_poll_ns / 1e6,
		       (double)u->max_poll_cpu_ns / 1e6,
		       (double)u->max_gap_ns / 1e6);
	}
	if (!wg_uapi_buf_error(&c->out))
		return true;
	GW_LOG(WARNING, "UAPI get: out of memory while streaming; closing");
	return false;
}

/* The validated transaction is already in the device's model: the set
 * points at it, nothing is copied (keys included); wg_uapi_txn_free()
 * wipes it. A set that goes on in slices no longer needs it. */
static int apply_txn(struct gw_uapi *u, const struct wg_uapi_txn *txn,
		     struct gw_set_job **job)
{
	const struct gw_device_set set = {
		.interface = &txn->interface,
		.peers = txn->peers,
		.n_peers = txn->n_peers,
	};

	return gw_device_set_start(u->dev, &set, job);
}

static void conn_set_done(struct gw_uapi *u, struct gw_uapi_conn *c)
{
	struct wg_uapi_txn txn;
	int ret = wg_uapi_parser_finish(&c->parser, &txn);

	for (size_t i = 0; i < c->diag.n_errors; i++)
		GW_LOG(WARNING, "%s", c->diag.errors[i]);
	wg_diag_free(&c->diag);
	if (ret == 0) {
		struct gw_set_job *job = NULL;

		ret = apply_txn(u, &txn, &job);
		wg_uapi_txn_free(&txn);
		if (ret > 0) {
			/* answered when the last new peer is in */
			u->job = job;
			u->job_conn = c;
			c->state = CONN_APPLYING;
			return;
		}
		if (ret < 0)
			GW_LOG(WARNING, "UAPI set: refused by the device: %s",
			       strerror(-ret));
	}
	/* negative, as wireguard-go sends it and `wg set` reads it */
	conn_answer_errno(c, ret);
}

/* Consume buffered input until it runs out or an answer is due. Returns
 * false when the connection must be closed. */
static bool conn_consume(struct gw_uapi *u, struct gw_uapi_conn *c)
{
	while (c->in_off < c->in_len && c->state != CONN_WRITE &&
	       c->state != CONN_SET_READY && c->state != CONN_APPLYING) {
		const char *p = c->in + c->in_off;
		size_t n = c->in_len - c->in_off;

		switch (c->state) {
		case CONN_READ_OP:
			c->in_off++;
			if (*p != '\n') {
				/* "get=1" and "set=1" are the only commands;
				 * like wireguard-go, hang up on anything else */
				if (c->op_len >= 5)
					return false;
				c->op[c->op_len++] = *p;
				break;
			}
			c->op[c->op_len] = '\0';
			c->op_len = 0;
			if (strcmp(c->op, "get=1") == 0) {
				c->state = CONN_READ_GET_NL;
			} else if (strcmp(c->op, "set=1") == 0) {
				wg_diag_init(&c->diag);
				wg_uapi_parser_init(&c->parser, &c->diag);
				c->req_bytes = 0;
				c->state = CONN_READ_SET;
			} else {
				return false;
			}
			break;
		case CONN_READ_GET_NL:
			c->in_off++;
			if (*p == '\n')
				conn_get(u, c);
			else /* wireguard-go: "trailing character in UAPI get" */
				conn_answer_errno(c, -EINVAL);
			break;
		case CONN_READ_SET:
			n = wg_uapi_parser_feed(&c->parser, p, n);
			c->in_off += n;
			c->req_bytes += n;
			if (!wg_uapi_parser_done(&c->parser)) {
				if (c->req_bytes > GW_UAPI_MAX_REQUEST)
					return false;
			} else if (u->n_streams) {
				c->state = CONN_SET_READY; /* after the gets */
			} else {
				conn_set_done(u, c);
			}
			break;
		default:
			return false;
		}
	}
	if (c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
	return true;
}

/* Send what the socket takes, and for a streaming get up to
 * GW_UAPI_GET_SLICES_PER_POLL more slices. Returns false on a dead
 * connection. */
static bool conn_flush(struct gw_uapi *u, struct gw_uapi_conn *c)
{
	unsigned int slices = 0;

	for (;;) {
		while (c->out_off < c->out.len) {
			ssize_t n = send(c->fd, c->out.data + c->out_off,
					 c->out.len - c->out_off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n < 0)
				return errno == EAGAIN ||
				       errno == EWOULDBLOCK || errno == EINTR;
			c->out_off += (size_t)n;
			c->last_ms = now_ms(u);
		}
		if (!c->streaming)
			break;
		if (slices++ == GW_UAPI_GET_SLICES_PER_POLL)
			return true; /* the rest in the next polls */
		if (!get_slice(u, c))
			return false;
	}
	wg_uapi_buf_free(&c->out);
	c->out_off = 0;
	c->state = CONN_READ_OP;
	return true;
}

static bool conn_run(struct gw_uapi *u, struct gw_uapi_conn *c, short revents)
{
	unsigned int reads = 0;

	if (revents & (POLLERR | POLLNVAL))
		return false;
	for (;;) {
		ssize_t n;

		if (c->state == CONN_WRITE) {
			if (!conn_flush(u, c))
				return false;
			if (c->state == CONN_WRITE)
				return true; /* socket full: wait for POLLOUT */
		}
		if (!conn_consume(u, c))
			return false;
		if (c->state == CONN_WRITE)
			continue;
		/* input buffer empty: read more, a bounded amount per call */
		if (reads++ >= GW_UAPI_READS_PER_POLL ||
		    !(revents & (POLLIN | POLLHUP)))
			return true;
		n = recv(c->fd, c->in, sizeof(c->in), MSG_DONTWAIT);
		if (n == 0)
			return false; /* hung up (`wg` probes this way too) */
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ||
			       errno == EINTR;
		c->in_off = 0;
		c->in_len = (size_t)n;
		c->last_ms = now_ms(u);
	}
}

static void accept_new(struct gw_uapi *u, uint64_t now)
{
	for (unsigned int i = 0, n = 0;
	     i < GW_UAPI_MAX_CONNS && n < GW_UAPI_ACCEPTS_PER_POLL; i++) {
		struct gw_uapi_conn *c = &u->conns[i];
		int fd;

		if (c->state != CONN_FREE)
			continue;
		fd = accept4(u->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		n++;
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->state = CONN_READ_OP;
		c->last_ms = now;
	}
}

/* ------------------------------------------------------------ server */

/* Whether a live process accepts connections on path. */
static bool socket_in_use(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return true; /* cannot tell: do not remove it */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	/* a full backlog (EAGAIN) is a live listener too */
	live = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
	       errno == EAGAIN || errno == EINPROGRESS;
	close(fd);
	return live;
}

struct gw_uapi *gw_uapi_open_at(struct gw_device *dev, const char *dir,
				const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct gw_uapi *u;
	struct stat st;
	mode_t old_umask;
	int len, err;

	if (!name || !valid_name(name)) {
		errno = EINVAL;
		return NULL;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		err = errno;
		GW_LOG(ERR, "UAPI: cannot create %s: %s", dir, strerror(err));
		errno = err;
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->dev = dev;
	u->fd = -1;
	for (unsigned int i = 0; i < GW_UAPI_MAX_CONNS; i++)
		u->conns[i].fd = -1;
	len = snprintf(u->path, sizeof(u->path), "%s/%s.sock", dir, name);
	if (len < 0 || (size_t)len >= sizeof(u->path)) {
		err = ENAMETOOLONG;
		goto fail;
	}
	if (lstat(u->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			GW_LOG(ERR, "UAPI: %s exists and is not a socket; "
			       "not touching it", u->path);
			err = EEXIST;
			goto fail;
		}
		if (socket_in_use(u->path)) {
			GW_LOG(ERR, "UAPI: another process is listening on %s "
			       "(a second wg-dpdk or a wireguard-go named %s?)",
			       u->path, name);
			err = EADDRINUSE;
			goto fail;
		}
		/* stale, from a process that died without cleaning up */
		unlink(u->path);
	}
	u->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->fd < 0) {
		err = errno;
		goto fail;
	}
	memcpy(sa.sun_path, u->path, (size_t)len + 1);
	/* bound under umask 077 as wireguard-go does: srwx------, so that
	 * only root can connect (keys travel over it). The control lcore
	 * is the only thread creating files at this point. */
	old_umask = umask(077);
	if (bind(u->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		err = errno;
		umask(old_umask);
		GW_LOG(ERR, "UAPI: cannot bind %s: %s", u->path, strerror(err));
		goto fail;
	}
	umask(old_umask);
	if (listen(u->fd, GW_UAPI_BACKLOG) != 0 || stat(u->path, &st) != 0) {
		err = errno;
		unlink(u->path);
		goto fail;
	}
	u->st_dev = st.st_dev;
	u->st_ino = st.st_ino;
	u->alive = true;
	u->checked_ms = now_ms(u);
	GW_LOG(INFO, "UAPI: listening on %s", u->path);
	return u;
fail:
	if (u->fd >= 0)
		close(u->fd);
	free(u);
	errno = err;
	return NULL;
}

struct gw_uapi *gw_uapi_open(struct gw_device *dev, const char *name)
{
	return gw_uapi_open_at(dev, GW_UAPI_DIR, name);
}

bool gw_uapi_alive(const struct gw_uapi *uapi)
{
	return uapi && uapi->alive;
}

/* Our socket file is still there and still ours. */
static bool socket_file_ours(const struct gw_uapi *u)
{
	struct stat st;

	return lstat(u->path, &st) == 0 && st.st_dev == u->st_dev &&
	       st.st_ino == u->st_ino;
}

bool gw_uapi_busy(const struct gw_uapi *uapi)
{
	return uapi && (uapi->job || uapi->n_streams);
}

/* One slice of the pending set; false while it is not done (every
 * connection then waits, and none of them times out meanwhile). */
static bool job_step(struct gw_uapi *u)
{
	if (!gw_device_set_step(u->job, GW_SET_PEERS_PER_STEP)) {
		uint64_t now = now_ms(u);

		for (unsigned int i = 0; i < GW_UAPI_MAX_CONNS; i++)
			u->conns[i].last_ms = now;
		return false;
	}
	u->job = NULL;
	if (u->job_conn)
		conn_answer_errno(u->job_conn, 0);
	u->job_conn = NULL;
	return true;
}

/* A set that was read while gets streamed, once they are done: one per
 * poll, since it may start a job that holds everything else back. */
static void start_waiting_set(struct gw_uapi *u)
{
	for (unsigned int i = 0; i < GW_UAPI_MAX_CONNS; i++)
		if (u->conns[i].state == CONN_SET_READY) {
			conn_set_done(u, &u->conns[i]);
			return;
		}
}

/* The time this poll worked (a get's slices, a set's checks) is not the
 * clients' silence: the idle clock of every connection that was waiting
 * before the poll stops meanwhile. */
static void poll_done(struct gw_uapi *u, uint64_t start_ms, uint64_t start_ns,
		      uint64_t start_cpu_ns, bool streamed)
{
	uint64_t spent = now_ms(u) - start_ms, ns = monotonic_ns() - start_ns;
	uint64_t cpu = streamed ? thread_cpu_ns() - start_cpu_ns : 0;

	for (unsigned int i = 0; spent && i < GW_UAPI_MAX_CONNS; i++) {
		struct gw_uapi_conn *c = &u->conns[i];

		if (c->state != CONN_FREE && c->last_ms <= start_ms)
			c->last_ms += spent;
	}
	if (streamed && ns > u->max_poll_ns)
		u->max_poll_ns = ns;
	if (cpu > u->max_poll_cpu_ns)
		u->max_poll_cpu_ns = cpu;
}

void gw_uapi_poll(struct gw_uapi *u)
{
	struct pollfd pfd[1 + GW_UAPI_MAX_CONNS];
	struct gw_uapi_conn *slot[1 + GW_UAPI_MAX_CONNS];
	unsigned int n = 0, free_slots = 0;
	uint64_t now, t0, cpu0;
	bool streamed;

	if (!u)
		return;
	t0 = monotonic_ns();
	streamed = u->n_streams > 0;
	cpu0 = thread_cpu_ns();
	if (streamed && t0 - u->last_poll_ns > u->max_gap_ns)
		u->max_gap_ns = t0 - u->last_poll_ns;
	u->last_poll_ns = t0;
	now = now_ms(u);
	if (u->job) {
		if (!job_step(u))
			return;
	}
	if (u->alive && now - u->checked_ms >= GW_UAPI_CHECK_MS) {
		u->checked_ms = now;
		if (!socket_file_ours(u)) {
			u->alive = false;
			GW_LOG(WARNING, "UAPI: %s was removed or replaced",
			       u->path);
		}
	}
	if (!u->n_streams)
		start_waiting_set(u);
	for (unsigned int i = 0; i < GW_UAPI_MAX_CONNS; i++) {
		struct gw_uapi_conn *c = &u->conns[i];

		if (c->state == CONN_FREE) {
			free_slots++;
			continue;
		}
		/* waiting for us, not silent; its input waits meanwhile */
		if (c->state == CONN_SET_READY || c->state == CONN_APPLYING) {
			c->last_ms = now;
			continue;
		}
		if (now - c->last_ms > GW_UAPI_IDLE_MS) {
			conn_close(u, c);
			free_slots++;
			continue;
		}
		pfd[n].fd = c->fd;
		pfd[n].events = c->state == CONN_WRITE ? POLLOUT : POLLIN;
		pfd[n].revents = 0;
		slot[n++] = c;
	}
	/* with no free slot, new clients wait in the backlog */
	if (free_slots) {
		pfd[n].fd = u->fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		slot[n++] = NULL;
	}
	if (n > 0 && poll(pfd, n, 0) > 0) {
		for (unsigned int i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (!slot[i])
				accept_new(u, now);
			else if (!conn_run(u, slot[i], pfd[i].revents))
				conn_close(u, slot[i]);
		}
	}
	poll_done(u, now, t0, cpu0, streamed || u->n_streams);
}

void gw_uapi_close(struct gw_uapi *u)
{
	if (!u)
		return;
	/* a set that started is finished: it can no longer fail */
	if (u->job)
		while (!gw_device_set_step(u->job, UINT32_MAX))
			;
	u->job = NULL;
	for (unsigned int i = 0; i < GW_UAPI_MAX_CONNS; i++)
		conn_close(u, &u->conns[i]);
	close(u->fd);
	/* never remove a socket that another instance has put there */
	if (socket_file_ours(u))
		unlink(u->path);
	wg_wipe(u, sizeof(*u));
	free(u);
}
