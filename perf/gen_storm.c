/* SPDX-License-Identifier: MIT */
/*
 * gen_storm: the restart storm (issue 11, "Handshakes"). N distinct
 * WireGuard peers, each a lib/wg_noise initiator, bring themselves
 * through their first handshake against a freshly started gateway over
 * its WAN port (net_memif, as perf/e2e.sh), and the time until every one
 * has a session is reported.
 *
 *   gen_storm --write-peers FILE --peers N [--seed S]
 *        the config's peers list (public keys from the seed) for wg-dpdk
 *   gen_storm [EAL options] -- --gw-pub B64 --gw-lan-mac MAC
 *        --gw-wan-mac MAC --peers N [--seed S] [--limit SECONDS]
 *
 * Each peer behaves as wireguard-go's does on start: one initiation at
 * once (all N are made before the clock starts, so that the generator's
 * own X25519 work is not in the storm), then, without a response, a new
 * initiation every REKEY_TIMEOUT (5 s) plus up to 333 ms of jitter. A
 * cookie reply is consumed (lib/wg_cookie) and its cookie gives the next
 * initiation its mac2; it does not trigger a send of its own. A response
 * is checked (consume_response, derive_keypair) and confirmed with a
 * keepalive, as an initiator does; the peer then has a session.
 *
 * Peer p sends from 203.0.113.(1 + p % 254), UDP port 1024 + p / 254, so
 * that the gateway (wan.gateway = our WAN address, 198.51.100.2) answers
 * each through us. One JSON line: "bench": "storm", peers, seconds until
 * the last session, initiations sent, cookie replies, responses, invalid
 * responses, peers without a session at the limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_udp.h>
#include <sodium.h>

#include "gen_memif.h"
#include "perf_eal.h"
#include "wg_cookie.h"
#include "wg_crypto.h"
#include "wg_transport.h"

#define STORM_REKEY_TIMEOUT 5.0
#define STORM_JITTER 0.333
#define SOURCES 254u

struct speer {
	struct wg_identity id;
	struct wg_handshake hs;
	struct wg_cookie_maker cookie;
	struct wg_msg_initiation first;  /* made before the clock starts */
	double next_try;                 /* 0: done */
	uint32_t tries;
	bool done;
};

struct storm {
	struct gen g;
	uint32_t n;
	uint64_t seed;
	double limit;
	struct speer *p;
	uint64_t sent, cookies, responses, invalid, stale, tx_fail;
	uint32_t n_done;
	double t0, last_done;
	uint32_t done_by_s[64];          /* sessions made in each second */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t unix_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Peer p's private key: a hash of the seed and p, so that the config
 * writer and the generator agree without passing N keys around. */
static void peer_key(uint64_t seed, uint32_t p, uint8_t key[WG_KEY_LEN])
{
	uint8_t in[16];

	memcpy(in, &seed, 8);
	memcpy(in + 8, &p, 4);
	memcpy(in + 12, "strm", 4);
	crypto_generichash(key, WG_KEY_LEN, in, sizeof(in), NULL, 0);
}

static rte_be32_t peer_addr(uint32_t p)
{
	return IP4(203, 0, 113, 1 + p % SOURCES);
}

static uint16_t peer_port(uint32_t p)
{
	return (uint16_t)(1024 + p / SOURCES);
}

static int write_peers(const char *path, uint32_t n, uint64_t seed)
{
	FILE *f = fopen(path, "w");
	char b64[64];
	uint8_t key[WG_KEY_LEN];
	struct wg_identity id;

	if (!f)
		return -1;
	fprintf(f, "peers = (\n");
	for (uint32_t p = 0; p < n; p++) {
		peer_key(seed, p, key);
		wg_identity_set(&id, key);
		sodium_bin2base64(b64, sizeof(b64), id.public_key, WG_KEY_LEN,
				  sodium_base64_VARIANT_ORIGINAL);
		fprintf(f, "  { public_key = \"%s\"; }%s\n", b64,
			p + 1 < n ? "," : "");
	}
	fprintf(f, ");\n");
	wg_identity_clear(&id);
	sodium_memzero(key, sizeof(key));
	return fclose(f);
}

/* A message from peer p's address and port to the gateway's. */
static void send_msg(struct storm *s, uint32_t p, const void *msg,
		     uint16_t len)
{
	uint8_t f[FRAME_HDR + 160];

	put_headers(f, &s->g.o.gw_mac[WAN], &s->g.ports[WAN].mac,
		    peer_addr(p), wan_gw, peer_port(p), WG_PORT, len, 0);
	memcpy(f + FRAME_HDR, msg, len);
	while (send_raw(&s->g, WAN, f, (uint16_t)(FRAME_HDR + len)) < 0)
		s->tx_fail++; /* the ring is full: offer it again */
}

static double jitter(void)
{
	return STORM_JITTER * (double)randombytes_uniform(1000) / 1000.0;
}

/* Peer p's next initiation: its sender index carries p and the try. */
static void initiate(struct storm *s, uint32_t p, double now)
{
	struct speer *sp = &s->p[p];
	struct wg_msg_initiation msg;

	if (sp->tries == 0) {
		msg = sp->first;
	} else if (wg_noise_create_initiation(&sp->hs, &sp->id, &msg,
					      sp->tries << 20 | p, unix_ns(),
					      NULL) != WG_NOISE_OK) {
		return;
	}
	sp->tries++;
	wg_cookie_add_macs(&sp->cookie, (uint8_t *)&msg, sizeof(msg),
			   mono_ns());
	send_msg(s, p, &msg, sizeof(msg));
	s->sent++;
	sp->next_try = now + STORM_REKEY_TIMEOUT + jitter();
}

static void on_response(struct storm *s, uint32_t p, const uint8_t *msg)
{
	struct speer *sp = &s->p[p];
	uint8_t ka[WG_MSG_TRANSPORT_MIN_LEN];
	struct wg_keypair kp;

	s->responses++;
	if (sp->done ||
	    wg_get_le32(((const struct wg_msg_response *)msg)->receiver_index) !=
		    sp->hs.local_index) {
		s->stale++; /* an answer to an initiation we replaced */
		return;
	}
	if (wg_noise_consume_response(&sp->hs, &sp->id, (const void *)msg) !=
		    WG_NOISE_OK ||
	    wg_noise_derive_keypair(&sp->hs, &kp) != WG_NOISE_OK) {
		s->invalid++;
		return;
	}
	/* the responder may use the session once it has seen our first
	 * packet on it */
	wg_transport_seal(&kp, 0, NULL, 0, MTU, ka);
	send_msg(s, p, ka, sizeof(ka));
	wg_keypair_wipe(&kp);
	sp->done = true;
	sp->next_try = 0;
	s->n_done++;
	s->last_done = now_s();
	if (s->last_done - s->t0 < (double)RTE_DIM(s->done_by_s))
		s->done_by_s[(unsigned int)(s->last_done - s->t0)]++;
}

/* Peer index from the frame's destination address and port. */
static int frame_peer(const struct storm *s, struct rte_mbuf *m,
		      const uint8_t **msg, uint16_t *len)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const void *)(eh + 1);
	const struct rte_udp_hdr *udp = (const void *)(ip + 1);
	uint32_t dst, p;

	if (m->data_len < FRAME_HDR + 4 ||
	    eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    ip->next_proto_id != IPPROTO_UDP || ip->version_ihl != 0x45)
		return -1;
	dst = rte_be_to_cpu_32(ip->dst_addr);
	if ((dst >> 8) != (RTE_IPV4(203, 0, 113, 0) >> 8) || (dst & 0xff) < 1 ||
	    (dst & 0xff) > SOURCES || rte_be_to_cpu_16(udp->dst_port) < 1024)
		return -1;
	p = (uint32_t)(rte_be_to_cpu_16(udp->dst_port) - 1024) * SOURCES +
	    (dst & 0xff) - 1;
	*len = (uint16_t)(rte_be_to_cpu_16(udp->dgram_len) - 8);
	if (p >= s->n || FRAME_HDR + *len > m->data_len)
		return -1;
	*msg = (const uint8_t *)(udp + 1);
	return (int)p;
}

static void poll_ports(struct storm *s)
{
	struct rte_mbuf *m[BURST];
	uint16_t q, i, n;
	int role;

	for (role = 0; role < 2; role++)
		for (q = 0; q < s->g.ports[role].nb_rxq; q++) {
			n = rte_eth_rx_burst(s->g.ports[role].id, q, m, BURST);
			for (i = 0; i < n; i++) {
				const uint8_t *msg;
				uint16_t len;
				int p;

				if (handle_arp(&s->g, role, m[i]) ||
				    role != WAN ||
				    (p = frame_peer(s, m[i], &msg, &len)) < 0) {
					rte_pktmbuf_free(m[i]);
					continue;
				}
				if (len == WG_MSG_RESPONSE_LEN &&
				    msg[0] == WG_MSG_RESPONSE)
					on_response(s, (uint32_t)p, msg);
				else if (len == sizeof(struct wg_msg_cookie_reply) &&
					 msg[0] == WG_MSG_COOKIE_REPLY) {
					s->cookies++;
					wg_cookie_consume_reply(
						&s->p[p].cookie,
						(const void *)msg, mono_ns());
				}
				rte_pktmbuf_free(m[i]);
			}
		}
}

/* Every peer's keys and first initiation, before the clock starts. */
static int prepare(struct storm *s)
{
	uint8_t key[WG_KEY_LEN];
	double t0 = now_s();

	s->p = calloc(s->n, sizeof(*s->p));
	if (!s->p)
		return -1;
	for (uint32_t p = 0; p < s->n; p++) {
		struct speer *sp = &s->p[p];

		peer_key(s->seed, p, key);
		wg_identity_set(&sp->id, key);
		wg_handshake_init(&sp->hs, &sp->id, s->g.o.gw_pub, NULL);
		wg_cookie_maker_init(&sp->cookie, s->g.o.gw_pub);
		if (wg_noise_create_initiation(&sp->hs, &sp->id, &sp->first, p,
					       unix_ns(), NULL) != WG_NOISE_OK)
			return -1;
	}
	sodium_memzero(key, sizeof(key));
	printf("# %u peers and their first initiations made in %.1f s\n",
	       s->n, now_s() - t0);
	return 0;
}

static int parse_mac(const char *t, struct rte_ether_addr *mac)
{
	return rte_ether_unformat_addr(t, mac);
}

static int parse(struct storm *s, int argc, char **argv)
{
	const char *gw_pub = NULL;
	size_t n;

	s->limit = 300;
	s->seed = 1;
	for (int i = 0; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (!strcmp(k, "--gw-pub"))
			gw_pub = v;
		else if (!strcmp(k, "--gw-lan-mac"))
			parse_mac(v, &s->g.o.gw_mac[LAN]);
		else if (!strcmp(k, "--gw-wan-mac"))
			parse_mac(v, &s->g.o.gw_mac[WAN]);
		else if (!strcmp(k, "--peers"))
			s->n = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(k, "--seed"))
			s->seed = strtoull(v, NULL, 10);
		else if (!strcmp(k, "--limit"))
			s->limit = atof(v);
		else
			return -1;
	}
	if (!gw_pub || s->n == 0 || s->n > SOURCES * 60000u ||
	    sodium_base642bin(s->g.o.gw_pub, WG_KEY_LEN, gw_pub,
			      strlen(gw_pub), NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != WG_KEY_LEN)
		return -1;
	return 0;
}

static void storm(struct storm *s)
{
	double t0, now, last_scan = 0;
	uint32_t p;

	announce(&s->g);
	usleep(200 * 1000);
	poll_ports(s);
	t0 = s->t0 = now_s();
	/* every peer at once, as after a gateway restart; answers are
	 * taken while the storm goes out */
	for (p = 0; p < s->n; p++) {
		initiate(s, p, now_s());
		if (p % BURST == 0)
			poll_ports(s);
	}
	while (s->n_done < s->n && (now = now_s()) - t0 < s->limit) {
		poll_ports(s);
		if (now - last_scan < 0.01)
			continue;
		last_scan = now;
		for (p = 0; p < s->n; p++)
			if (!s->p[p].done && s->p[p].next_try <= now) {
				initiate(s, p, now);
				if (p % BURST == 0)
					poll_ports(s);
			}
	}
	{
		unsigned int last = 0, i;

		for (i = 0; i < RTE_DIM(s->done_by_s); i++)
			if (s->done_by_s[i])
				last = i;
		printf("# sessions made per second of the storm:");
		for (i = 0; i <= last; i++)
			printf(" %u", s->done_by_s[i]);
		printf("\n");
	}
	printf("{\"bench\": \"storm\", \"peers\": %u, \"seconds\": %.2f, \"sessions\": %u, \"initiations\": %lu, \"cookie_replies\": %lu, \"responses\": %lu, \"stale_responses\": %lu, \"invalid_responses\": %lu, \"tx_retries\": %lu}\n",
	       s->n, (s->n_done ? s->last_done : now_s()) - t0, s->n_done,
	       (unsigned long)s->sent, (unsigned long)s->cookies,
	       (unsigned long)s->responses, (unsigned long)s->stale,
	       (unsigned long)s->invalid, (unsigned long)s->tx_fail);
}

int main(int argc, char **argv)
{
	static struct storm s;
	int sep;

	if (argc >= 3 && !strcmp(argv[1], "--write-peers")) {
		uint32_t n = 0;

		for (int i = 3; i + 1 < argc; i += 2) {
			if (!strcmp(argv[i], "--peers"))
				n = (uint32_t)strtoul(argv[i + 1], NULL, 10);
			else if (!strcmp(argv[i], "--seed"))
				s.seed = strtoull(argv[i + 1], NULL, 10);
		}
		if (!s.seed)
			s.seed = 1;
		if (sodium_init() < 0 || !n || write_peers(argv[2], n, s.seed))
			return 1;
		return 0;
	}
	sep = perf_eal_init(argc, argv, NULL, 0);
	if (sep < 0 || parse(&s, argc - sep, argv + sep) < 0) {
		fprintf(stderr,
			"usage: %s --write-peers FILE --peers N [--seed S]\n"
			"       %s EAL-OPTIONS -- --gw-pub B64 --gw-lan-mac MAC --gw-wan-mac MAC --peers N [--seed S] [--limit S]\n",
			argv[0], argv[0]);
		return 2;
	}
	s.g.pool = rte_pktmbuf_pool_create("storm_pool", 16383, 256, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE,
					   (int)rte_socket_id());
	if (!s.g.pool || prepare(&s) < 0 || port_setup(&s.g, LAN) < 0 ||
	    port_setup(&s.g, WAN) < 0) {
		fprintf(stderr, "gen_storm: setup failed\n");
		return 1;
	}
	storm(&s);
	rte_eth_dev_stop(s.g.ports[LAN].id);
	rte_eth_dev_stop(s.g.ports[WAN].id);
	if (s.p)
		sodium_memzero(s.p, s.n * sizeof(*s.p));
	free(s.p);
	perf_eal_cleanup();
	return s.n_done == s.n && !s.invalid ? 0 : 1;
}
