/* SPDX-License-Identifier: MIT */
/* GET /metrics (see gw_metrics.h). */
#include "gw_metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "wg_keys.h"

struct gw_metrics {
	struct gw_ctx *ctx;
	struct gw_counters *k;
	bool per_peer;
	int fd;
	struct MHD_Daemon *mhd;
	bool pinned;              /* MHD's thread is on the control lcore's CPU */
};

static const char *const role_name[GW_NB_ROLES] = { "lan", "wan" };

/* The per-peer families, each written over every peer in its turn (the
 * text format wants one family's lines together). */
enum peer_family { PF_SENT, PF_RECEIVED, PF_HANDSHAKE, PF_PACKETS, PF_DROPS,
		   PF_RATE_LIMIT, PF_N };
static const struct {
	const char *name, *type, *help;
} peer_family[PF_N] = {
	{ "wireguard_sent_bytes_total", "counter",
	  "Bytes sent to the peer" },
	{ "wireguard_received_bytes_total", "counter",
	  "Bytes received from the peer" },
	{ "wireguard_latest_handshake_seconds", "gauge",
	  "UNIX timestamp seconds of the last handshake" },
	{ "wg_dpdk_peer_packets_total", "counter",
	  "Messages received from (rx) and sent to (tx) the peer, handshakes included" },
	{ "wg_dpdk_peer_drops_total", "counter",
	  "The peer's packets dropped, by reason (app/gw_stats.h names; only those seen)" },
	{ "wg_dpdk_peer_rate_limit_bits_per_second", "gauge",
	  "The peer's configured rate limit of inner IP bytes, to_peer and from_peer (only limited directions)" },
};

enum phase { PH_GLOBAL, PH_PEERS, PH_END };

/* One response being streamed. */
struct scrape {
	struct gw_metrics *m;
	enum phase phase;
	enum peer_family family;
	bool header_done;
	bool have_slice;
	uint32_t cursor;
	unsigned int idx;          /* next peer of slice to write */
	size_t len, off;           /* text in buf, and how much went out */
	struct gw_totals t;
	struct gw_peer_slice *slice;
	char buf[GW_METRICS_BLOCK];
};

/* Append to the block; false (and nothing appended) if it does not fit. */
__attribute__((format(printf, 2, 3)))
static bool put(struct scrape *s, const char *fmt, ...)
{
	size_t room = sizeof(s->buf) - s->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		s->buf[s->len] = '\0';
		return false;
	}
	s->len += (size_t)n;
	return true;
}

static void family(struct scrape *s, const char *name, const char *type,
		   const char *help)
{
	put(s, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_handshakes(struct scrape *s)
{
	static const struct {
		const char *role, *result;
		enum gw_counter c;
	} hs[] = {
		{ "any", "message_received", GW_CTR_HANDSHAKE_RX },
		{ "any", "message_sent", GW_CTR_HANDSHAKE_TX },
		{ "any", "rejected", GW_CTR_DROP_HANDSHAKE },
		{ "responder", "cookie_sent", GW_CTR_COOKIE_TX },
		{ "responder", "dropped_under_load", GW_CTR_DROP_UNDER_LOAD },
		{ "responder", "ratelimited", GW_CTR_DROP_RATELIMITED },
		{ "initiator", "cookie_rejected", GW_CTR_DROP_COOKIE },
	};
	size_t i;

	family(s, "wg_dpdk_handshakes_total", "counter",
	       "Handshake messages by role and result (role any: not told apart)");
	for (i = 0; i < sizeof(hs) / sizeof(hs[0]); i++)
		put(s, "wg_dpdk_handshakes_total{role=\"%s\",result=\"%s\"} %" PRIu64 "\n",
		    hs[i].role, hs[i].result, s->t.c[hs[i].c]);
}

static void put_workers(struct scrape *s)
{
	const struct gw_totals *t = &s->t;
	unsigned int i, r;

	family(s, "wg_dpdk_worker_packets_total", "counter",
	       "Packets received (rx) and sent (tx) by each worker, by port");
	for (i = 0; i < t->n_workers; i++)
		for (r = 0; r < GW_NB_ROLES; r++) {
			put(s, "wg_dpdk_worker_packets_total{worker=\"%u\",lcore=\"%u\",port=\"%s\",direction=\"rx\"} %" PRIu64 "\n",
			    i, t->w[i].lcore_id, role_name[r], t->w[i].rx[r]);
			put(s, "wg_dpdk_worker_packets_total{worker=\"%u\",lcore=\"%u\",port=\"%s\",direction=\"tx\"} %" PRIu64 "\n",
			    i, t->w[i].lcore_id, role_name[r], t->w[i].tx[r]);
		}
	family(s, "wg_dpdk_worker_busy_cycles_total", "counter",
	       "TSC cycles of a worker's polls that found packets");
	for (i = 0; i < t->n_workers; i++)
		put(s, "wg_dpdk_worker_busy_cycles_total{worker=\"%u\",lcore=\"%u\"} %" PRIu64 "\n",
		    i, t->w[i].lcore_id, t->w[i].busy_cycles);
	family(s, "wg_dpdk_worker_idle_cycles_total", "counter",
	       "TSC cycles of a worker's polls that found nothing");
	for (i = 0; i < t->n_workers; i++)
		put(s, "wg_dpdk_worker_idle_cycles_total{worker=\"%u\",lcore=\"%u\"} %" PRIu64 "\n",
		    i, t->w[i].lcore_id, t->w[i].idle_cycles);
	family(s, "wg_dpdk_worker_spread_backlog_chunks", "gauge",
	       "Decrypt-spreading chunks a worker has handed out and not yet sent");
	for (i = 0; i < t->n_workers; i++)
		put(s, "wg_dpdk_worker_spread_backlog_chunks{worker=\"%u\",lcore=\"%u\"} %u\n",
		    i, t->w[i].lcore_id, t->w[i].spread_outstanding);
	family(s, "wg_dpdk_tsc_cycles_per_second", "gauge",
	       "TSC frequency: cycles per second of the worker cycle counters");
	put(s, "wg_dpdk_tsc_cycles_per_second %" PRIu64 "\n", t->tsc_hz);
}

static void put_ports(struct scrape *s)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} fam[] = {
		{ "wg_dpdk_port_rx_missed_total",
		  "Frames the NIC dropped because its RX ring was full (a worker was late)",
		  offsetof(struct rte_eth_stats, imissed) },
		{ "wg_dpdk_port_rx_nombuf_total",
		  "Frames the NIC could not receive for want of an mbuf",
		  offsetof(struct rte_eth_stats, rx_nombuf) },
	};
	struct rte_eth_stats st[GW_NB_ROLES];
	bool ok[GW_NB_ROLES];
	unsigned int r;
	size_t f;

	for (r = 0; r < GW_NB_ROLES; r++)
		ok[r] = rte_eth_stats_get(s->m->ctx->port[r].port_id,
					  &st[r]) == 0;
	for (f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		family(s, fam[f].name, "counter", fam[f].help);
		for (r = 0; r < GW_NB_ROLES; r++)
			if (ok[r])
				put(s, "%s{port=\"%s\"} %" PRIu64 "\n",
				    fam[f].name, role_name[r],
				    *(const uint64_t *)((const char *)&st[r] +
							fam[f].off));
	}
}

static void put_globals(struct scrape *s)
{
	const struct gw_totals *t = &s->t;
	unsigned int c;

	family(s, "wg_dpdk_packets_total", "counter",
	       "Packets received (rx) and sent (tx), by port");
	put(s, "wg_dpdk_packets_total{port=\"lan\",direction=\"rx\"} %" PRIu64 "\n"
	       "wg_dpdk_packets_total{port=\"lan\",direction=\"tx\"} %" PRIu64 "\n"
	       "wg_dpdk_packets_total{port=\"wan\",direction=\"rx\"} %" PRIu64 "\n"
	       "wg_dpdk_packets_total{port=\"wan\",direction=\"tx\"} %" PRIu64 "\n",
	    t->c[GW_CTR_RX_LAN], t->c[GW_CTR_TX_LAN], t->c[GW_CTR_RX_WAN],
	    t->c[GW_CTR_TX_WAN]);
	family(s, "wg_dpdk_drops_total", "counter",
	       "Packets dropped, by reason (the counter names of app/gw_stats.h)");
	for (c = 0; c < GW_CTR_MAX; c++)
		if (strncmp(gw_counter_name(c), "drop_", 5) == 0)
			put(s, "wg_dpdk_drops_total{reason=\"%s\"} %" PRIu64 "\n",
			    gw_counter_name(c), t->c[c]);
	family(s, "wg_dpdk_events_total", "counter",
	       "The other counters of app/gw_stats.h, by name");
	for (c = 0; c < GW_CTR_MAX; c++)
		if (strncmp(gw_counter_name(c), "drop_", 5) != 0 &&
		    c != GW_CTR_RX_LAN && c != GW_CTR_RX_WAN &&
		    c != GW_CTR_TX_LAN && c != GW_CTR_TX_WAN &&
		    c != GW_CTR_POLL_BUSY_CYCLES && c != GW_CTR_POLL_IDLE_CYCLES)
			put(s, "wg_dpdk_events_total{name=\"%s\"} %" PRIu64 "\n",
			    gw_counter_name(c), t->c[c]);
	put_handshakes(s);
	put_workers(s);
	put_ports(s);
	family(s, "wg_dpdk_mbufs_in_use", "gauge",
	       "Mbufs taken from the pool");
	put(s, "wg_dpdk_mbufs_in_use %u\n", t->mbufs_in_use);
	family(s, "wg_dpdk_mbufs_held", "gauge",
	       "Mbufs the gateway holds, by where they wait");
	put(s, "wg_dpdk_mbufs_held{place=\"staged\"} %u\n"
	       "wg_dpdk_mbufs_held{place=\"neighbour\"} %u\n"
	       "wg_dpdk_mbufs_held{place=\"control_ring\"} %u\n",
	    t->mbufs_staged, t->mbufs_neighbour, t->mbufs_control_ring);
	family(s, "wg_dpdk_peers", "gauge", "Configured peers");
	put(s, "wg_dpdk_peers %u\n", t->n_peers);
	family(s, "wg_dpdk_peers_max", "gauge",
	       "Peers the gateway can hold (interface.max_peers)");
	put(s, "wg_dpdk_peers_max %u\n", t->max_peers);
}

/* The wireguard exporter's line of one peer for the current family. */
static bool put_exporter_line(struct scrape *s, const struct gw_peer_snap *p,
			      const char *b64)
{
	char pfx[WG_PREFIX_STR_LEN];
	uint64_t v;
	uint32_t i;
	bool ok;

	ok = put(s, "%s{interface=\"%s\",public_key=\"%s\",allowed_ips=\"",
		 peer_family[s->family].name, s->t.ifname, b64);
	for (i = 0; ok && i < p->n_prefixes; i++)
		ok = put(s, "%s%s", i ? "," : "",
			 wg_prefix_format(pfx, &s->slice->prefixes[p->first_prefix + i]));
	v = s->family == PF_SENT     ? p->tx_bytes :
	    s->family == PF_RECEIVED ? p->rx_bytes :
				       p->last_handshake_unix_ns / 1000000000ull;
	return ok && put(s, "\"} %" PRIu64 "\n", v);
}

/* wg_dpdk_peer_drops_total: only the reasons this peer has seen. */
static bool put_peer_drops(struct scrape *s, const struct gw_peer_snap *p,
			   const char *b64)
{
	const char *name = peer_family[PF_DROPS].name;
	unsigned int d;
	bool ok = true;

	for (d = 0; ok && d < GW_PDROP_MAX; d++)
		if (p->drops[d])
			ok = put(s, "%s{public_key=\"%s\",reason=\"%s\"} %" PRIu64 "\n",
				 name, b64,
				 gw_counter_name(gw_peer_drop_counter(d)),
				 p->drops[d]);
	return ok;
}

static bool put_peer_rate_limit(struct scrape *s, const struct gw_peer_snap *p,
				const char *b64)
{
	const char *name = peer_family[PF_RATE_LIMIT].name;
	bool ok = true;

	if (p->to_peer_mbit)
		ok = put(s, "%s{public_key=\"%s\",direction=\"to_peer\"} %" PRIu64 "\n",
			 name, b64, (uint64_t)p->to_peer_mbit * 1000000);
	if (ok && p->from_peer_mbit)
		ok = put(s, "%s{public_key=\"%s\",direction=\"from_peer\"} %" PRIu64 "\n",
			 name, b64, (uint64_t)p->from_peer_mbit * 1000000);
	return ok;
}

/* One peer's lines of the current family; false (nothing written) if
 * the block is full. */
static bool put_peer(struct scrape *s, const struct gw_peer_snap *p)
{
	const char *name = peer_family[PF_PACKETS].name;
	size_t start = s->len;
	char b64[WG_KEY_B64_LEN + 1];
	bool ok;

	wg_key_to_base64(b64, p->public_key);
	if (s->family == PF_PACKETS)
		ok = put(s, "%s{public_key=\"%s\",direction=\"rx\"} %" PRIu64 "\n"
			    "%s{public_key=\"%s\",direction=\"tx\"} %" PRIu64 "\n",
			 name, b64, p->rx_packets, name, b64, p->tx_packets);
	else if (s->family == PF_DROPS)
		ok = put_peer_drops(s, p, b64);
	else if (s->family == PF_RATE_LIMIT)
		ok = put_peer_rate_limit(s, p, b64);
	else
		ok = put_exporter_line(s, p, b64);
	if (!ok) {
		s->len = start;
		s->buf[start] = '\0';
	}
	return ok;
}

/* Format the next block of text into s->buf; -1 when a snapshot failed. */
static int refill(struct scrape *s)
{
	s->len = s->off = 0;
	if (s->phase == PH_GLOBAL) {
		put_globals(s);
		s->phase = s->m->per_peer ? PH_PEERS : PH_END;
		return 0;
	}
	if (s->phase != PH_PEERS)
		return 0;
	if (!s->header_done) {
		family(s, peer_family[s->family].name,
		       peer_family[s->family].type,
		       peer_family[s->family].help);
		s->header_done = true;
	}
	for (;;) {
		if (s->have_slice && s->idx < s->slice->n) {
			if (!put_peer(s, &s->slice->p[s->idx]))
				return 0; /* full: the rest next turn */
			s->idx++;
			continue;
		}
		if (s->have_slice && s->slice->done) {
			s->have_slice = false;
			s->header_done = false;
			s->cursor = 0;
			if (++s->family == PF_N)
				s->phase = PH_END;
			return 0;
		}
		if (s->have_slice)
			s->cursor = s->slice->next;
		if (gw_counters_peers(s->m->k, s->cursor, s->slice) != 0)
			return -1;
		s->have_slice = true;
		s->idx = 0;
	}
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
	struct scrape *s = cls;
	size_t n;

	(void)pos;
	while (s->off == s->len) {
		if (s->phase == PH_END)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (refill(s) < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	n = RTE_MIN(max, s->len - s->off);
	memcpy(out, s->buf + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static void scrape_free(void *cls)
{
	struct scrape *s = cls;

	if (s)
		free(s->slice);
	free(s);
}

static enum MHD_Result reply_text(struct MHD_Connection *conn,
				  unsigned int status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* MHD's thread inherits the main lcore's affinity; say so explicitly, in
 * case the main lcore was given several CPUs. */
static void pin_here(struct gw_metrics *m)
{
	rte_cpuset_t cpus = rte_lcore_cpuset(rte_get_main_lcore());

	if (m->pinned)
		return;
	m->pinned = true;
	if (pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus) != 0)
		GW_LOG(WARNING, "metrics thread: cannot pin it to the control lcore's CPUs");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	struct gw_metrics *m = cls;
	struct MHD_Response *r;
	struct scrape *s;
	enum MHD_Result ret;

	(void)version;
	(void)upload;
	pin_here(m);
	/* the first call only announces the request */
	if (!*req_cls) {
		*req_cls = m;
		return MHD_YES;
	}
	if (*upload_size)
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, "no body expected\n");
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "GET /metrics\n");
	if (strcmp(url, "/metrics") != 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "GET /metrics\n");

	s = calloc(1, sizeof(*s));
	if (s)
		s->slice = m->per_peer ? malloc(sizeof(*s->slice)) : NULL;
	if (!s || (m->per_peer && !s->slice)) {
		scrape_free(s);
		return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "out of memory\n");
	}
	s->m = m;
	if (gw_counters_totals(m->k, &s->t) != 0) {
		scrape_free(s);
		return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "the control lcore did not answer\n");
	}
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 << 10,
					      reader, s, scrape_free);
	if (!r) {
		scrape_free(s);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static int listen_on(const struct wg_endpoint *ep)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, one = 1;

	if (ep->family == WG_FAMILY_V4) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(ep->port);
		memcpy(&a->sin_addr, ep->addr, 4);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(ep->port);
		memcpy(&a->sin6_addr, ep->addr, 16);
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(fd, GW_METRICS_CONNS) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

struct gw_metrics *gw_metrics_start(struct gw_ctx *ctx, struct gw_counters *k,
				    const struct wg_metrics_config *cfg,
				    bool *disabled)
{
	char where[WG_ENDPOINT_STR_LEN];
	struct gw_metrics *m;

	*disabled = !cfg->enabled;
	if (!cfg->enabled)
		return NULL;
	wg_endpoint_format(where, &cfg->listen);
	m = calloc(1, sizeof(*m));
	if (!m) {
		GW_LOG(ERR, "metrics.listen %s: out of memory", where);
		return NULL;
	}
	m->ctx = ctx;
	m->k = k;
	m->per_peer = cfg->per_peer;
	m->fd = listen_on(&cfg->listen);
	if (m->fd < 0) {
		GW_LOG(ERR, "metrics.listen %s: cannot listen: %s", where,
		       strerror(-m->fd));
		free(m);
		return NULL;
	}
	m->mhd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
			(cfg->listen.family == WG_FAMILY_V6 ? MHD_USE_IPv6 : 0),
		0, NULL, NULL, on_request, m,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)m->fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)GW_METRICS_CONNS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)GW_METRICS_TIMEOUT_S,
		MHD_OPTION_END);
	if (!m->mhd) {
		GW_LOG(ERR, "metrics.listen %s: libmicrohttpd did not start",
		       where);
		close(m->fd);
		free(m);
		return NULL;
	}
	GW_LOG(INFO, "metrics: http://%s/metrics%s", where,
	       cfg->per_peer ? "" : " (per_peer = false: no per-peer series)");
	return m;
}

void gw_metrics_stop(struct gw_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->mhd);
	close(m->fd);
	free(m);
}
