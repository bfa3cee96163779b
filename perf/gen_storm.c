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
 * once, then, without a response, a new one (new ephemeral key, newer
 * timestamp) every REKEY_TIMEOUT (5 s) plus up to 333 ms of jitter; only
 * a response to its latest initiation counts. A cookie reply is consumed
 * (lib/wg_cookie) and its cookie gives the next initiation its mac2; it
 * does not trigger a send of its own.
 *
 * So that the generator's own X25519 work stays out of the storm (on 2
 * vCPUs it shares them with the gateway, and 100,000 peers retrying
 * every 5 s need as much X25519 as the gateway has), each peer's first
 * --initiations K (default 4: 15 s of retries) are made before the clock
 * starts, on every CPU; a try beyond them makes its initiation then
 * (counted late_initiations). An earlier version resent the same
 * initiation instead: when the gateway had accepted it and its answer was
 * lost, every resend was refused as a replay (same timestamp) until the
 * next new one, 40 s later.
 *
 * The per-peer state the storm loop scans (when each peer tries next) is
 * an array of its own: the scan every 10 ms of 100,000 peers' whole
 * state (about 2 KB each) took more than those 10 ms, and the generator's
 * CPU with it.
 *
 * Where it differs from wireguard-go:
 *  - a response to the current initiation is kept, and counts as the
 *    peer's session when it arrives; after the clock stops (or once it
 *    is 60 s old: confirm_old) every kept one is checked
 *    (consume_response, derive_keypair: an invalid one fails the run) and
 *    confirmed with a keepalive, so that the gateway has the session too
 *    (storm.sh counts them with `wg show`).
 *
 * Peer p sends from 2001:db8:(1 + p / 65536):(p % 65536)::1, a /64 of its
 * own as N clients behind N addresses would (a few IPv4 documentation
 * addresses shared by 100,000 peers would meet the per-source limits
 * instead, which is not what is measured), through us as the gateway's
 * router (wan.gateway = our WAN address 2001:db8::2): we answer its
 * neighbour solicitations for that address and announce it. One JSON line: "bench": "storm", peers, seconds until
 * the last session, initiations sent, cookie replies, responses, invalid
 * responses, peers without a session at the limit.
 */
#include <pthread.h>
#include <sched.h>
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
#define STORM_INITIATIONS 4       /* made before the clock, per peer */
#define STORM_TS_STEP 100000000ull /* ns between a peer's timestamps */
#define STORM_NEVER UINT32_MAX     /* next_ms of a peer with its session */
#define STORM_CONFIRM_AFTER 60.0   /* s: see confirm_old */
#define STORM_CONFIRM_SCAN 64
#define PEER_PORT 40000
#define STORM_SECONDS 600
/* us on the WAN link, and the gateway */
static const uint8_t me6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t gw6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
enum { FRAME6_HDR = RTE_ETHER_HDR_LEN + 40 + 8, ND_NS = 135, ND_NA = 136 };

/* One initiation and the handshake state that answers to it. */
struct sinit {
	struct wg_handshake hs;
	struct wg_msg_initiation msg;    /* without macs */
};

struct speer {
	struct wg_identity id;
	struct wg_cookie_maker cookie;
	uint8_t resp[WG_MSG_RESPONSE_LEN]; /* its answer, checked later */
	uint32_t tries;
	uint32_t cur;                    /* the initiation sent last */
	bool done, confirmed;
};

struct storm {
	struct gen g;
	uint32_t n;
	uint64_t seed;
	double limit;
	uint32_t k;                      /* initiations made per peer */
	struct speer *p;
	struct sinit *init;              /* k per peer */
	uint32_t *next_ms;               /* next try, ms after t0 */
	uint64_t ts_base;                /* timestamps: ts_base + try * step */
	uint64_t sent, cookies, responses, invalid, stale, tx_fail, late;
	uint32_t n_done;
	/* sessions in the order they came, for confirm_old */
	struct { double t; uint32_t p; } *done_at;
	uint32_t n_confirm_q;
	double t0, last_done;
	/* the storm second by second */
	uint32_t done_by_s[STORM_SECONDS], sent_by_s[STORM_SECONDS],
		cookies_by_s[STORM_SECONDS];
	bool polling;                    /* inside poll_ports */
};

static struct sinit *init_of(struct storm *s, uint32_t p, uint32_t k)
{
	return &s->init[(size_t)p * s->k + k];
}

/* the second of the storm now is, for the timelines */
static void tally(struct storm *s, uint32_t *by_s)
{
	double t = now_s() - s->t0;

	if (s->t0 > 0 && t >= 0 && t < STORM_SECONDS)
		by_s[(unsigned int)t]++;
}

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

static void peer_addr6(uint32_t p, uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[4] = (uint8_t)((1 + (p >> 16)) >> 8);
	a[5] = (uint8_t)(1 + (p >> 16));
	a[6] = (uint8_t)(p >> 8);
	a[7] = (uint8_t)p;
	a[15] = 1;
}

/* Ethernet + IPv6 + l4 bytes; the caller fills the l4 part, then
 * l4_cksum. */
static struct rte_ipv6_hdr *put_ip6(uint8_t *f, const struct rte_ether_addr *dst,
				    const struct rte_ether_addr *src,
				    const uint8_t *sip, const uint8_t *dip,
				    uint8_t proto, uint16_t l4_len, uint8_t hops)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);

	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(src, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	memset(ip, 0, sizeof(*ip));
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(l4_len);
	ip->proto = proto;
	ip->hop_limits = hops;
	memcpy(ip->src_addr, sip, 16);
	memcpy(ip->dst_addr, dip, 16);
	return ip;
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

static unsigned int poll_ports(struct storm *s);

/* A full ring is offered the frame again, meanwhile taking what the
 * gateway sent (else its answers find our ring full and are lost) or,
 * from inside that, letting the gateway's control lcore have the CPU it
 * may share with us. */
static void send_frame(struct storm *s, const uint8_t *f, uint16_t len)
{
	while (send_raw(&s->g, WAN, f, len) < 0) {
		s->tx_fail++;
		if (s->polling)
			usleep(10);
		else if (!poll_ports(s))
			sched_yield(); /* the worker beside us drains the ring */
	}
}

/* A message from peer p's address and port to the gateway's. */
static void send_msg(struct storm *s, uint32_t p, const void *msg,
		     uint16_t len)
{
	uint8_t f[FRAME6_HDR + 160], src[16];
	struct rte_ipv6_hdr *ip;
	struct rte_udp_hdr *udp;

	peer_addr6(p, src);
	ip = put_ip6(f, &s->g.o.gw_mac[WAN], &s->g.ports[WAN].mac, src, gw6,
		     IPPROTO_UDP, (uint16_t)(8 + len), 64);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = RTE_BE16(PEER_PORT);
	udp->dst_port = RTE_BE16(WG_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + len));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, msg, len);
	udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
	send_frame(s, f, (uint16_t)(FRAME6_HDR + len));
}

/* Neighbour discovery for our WAN address: an advertisement (answer to
 * dst) or a solicitation of the gateway's address that tells it ours
 * (RFC 4861 7.2.3). Both carry our link-layer address. */
static void send_nd(struct storm *s, uint8_t type, const uint8_t *dst,
		    const struct rte_ether_addr *dst_mac)
{
	uint8_t f[RTE_ETHER_HDR_LEN + 40 + 32];
	struct rte_ipv6_hdr *ip;
	uint8_t *ic;

	ip = put_ip6(f, dst_mac, &s->g.ports[WAN].mac, me6, dst,
		     IPPROTO_ICMPV6, 32, 255);
	ic = (uint8_t *)(ip + 1);
	memset(ic, 0, 32);
	ic[0] = type;
	if (type == ND_NA)
		ic[4] = 0x60; /* solicited, override */
	memcpy(ic + 8, type == ND_NA ? me6 : gw6, 16);
	ic[24] = type == ND_NA ? 2 : 1; /* target / source link-layer */
	ic[25] = 1;
	memcpy(ic + 26, s->g.ports[WAN].mac.addr_bytes, 6);
	*(uint16_t *)(ic + 2) = rte_ipv6_udptcp_cksum(ip, ic);
	send_frame(s, f, sizeof(f));
}

static void announce6(struct storm *s)
{
	static const uint8_t sol_node[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff,
					      [15] = 1 };
	struct rte_ether_addr mc = { { 0x33, 0x33, 0xff, 0, 0, 1 } };

	send_nd(s, ND_NS, sol_node, &mc);
}

/* An NS for our address: answered. True if m was neighbour discovery. */
static bool handle_nd(struct storm *s, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *ip = (const void *)(eh + 1);
	const uint8_t *ic = (const uint8_t *)(ip + 1);

	if (m->data_len < RTE_ETHER_HDR_LEN + 40 + 24 ||
	    eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV6) ||
	    ip->proto != IPPROTO_ICMPV6)
		return false;
	if (ic[0] == ND_NS && !memcmp(ic + 8, me6, 16))
		send_nd(s, ND_NA, ip->src_addr, &eh->src_addr);
	return true;
}

static double jitter(void)
{
	return STORM_JITTER * (double)randombytes_uniform(1000) / 1000.0;
}

/* Initiation try of peer p into in, from the peer's handshake state
 * (its static-static DH made once: wg_handshake_init): its sender index
 * carries p and the try, its timestamp grows with the try. */
static int make_initiation(struct storm *s, uint32_t p, uint32_t try,
			   const struct wg_handshake *peer_hs,
			   struct sinit *in)
{
	if (&in->hs != peer_hs)
		in->hs = *peer_hs;
	return wg_noise_create_initiation(&in->hs, &s->p[p].id, &in->msg,
					  (try & 0xfff) << 20 | p,
					  s->ts_base + try * STORM_TS_STEP,
					  NULL) == WG_NOISE_OK ? 0 : -1;
}

/* Peer p's next try: a new initiation (made before the clock while
 * there are some), its macs, sent. */
static void initiate(struct storm *s, uint32_t p, double now)
{
	struct speer *sp = &s->p[p];
	struct wg_msg_initiation msg;
	uint32_t k = sp->tries < s->k ? sp->tries : s->k - 1;

	if (sp->tries >= s->k) {
		s->late++;
		if (make_initiation(s, p, sp->tries, &init_of(s, p, k)->hs,
				    init_of(s, p, k)) < 0)
			return;
	}
	sp->cur = k;
	msg = init_of(s, p, k)->msg;
	sp->tries++;
	wg_cookie_add_macs(&sp->cookie, (uint8_t *)&msg, sizeof(msg),
			   mono_ns());
	send_msg(s, p, &msg, sizeof(msg));
	s->sent++;
	tally(s, s->sent_by_s);
	s->next_ms[p] = (uint32_t)((now - s->t0 + STORM_REKEY_TIMEOUT +
				    jitter()) * 1000.0);
}

static void on_response(struct storm *s, uint32_t p, const uint8_t *msg)
{
	struct speer *sp = &s->p[p];

	s->responses++;
	if (sp->done ||
	    wg_get_le32(((const struct wg_msg_response *)msg)->receiver_index) !=
		    init_of(s, p, sp->cur)->hs.local_index) {
		s->stale++; /* an answer to an initiation we replaced */
		return;
	}
	memcpy(sp->resp, msg, sizeof(sp->resp));
	sp->done = true;
	s->next_ms[p] = STORM_NEVER;
	s->last_done = now_s();
	s->done_at[s->n_done].t = s->last_done;
	s->done_at[s->n_done].p = p;
	s->n_done++;
	tally(s, s->done_by_s);
}

/* After the clock: every kept response checked and its session confirmed
 * with a keepalive (the responder uses a session once it has seen our
 * first packet on it). */
static void confirm(struct storm *s, uint32_t p)
{
	uint8_t ka[WG_MSG_TRANSPORT_MIN_LEN];
	struct speer *sp = &s->p[p];
	struct wg_handshake *hs = &init_of(s, p, sp->cur)->hs;
	struct wg_keypair kp;

	if (!sp->done || sp->confirmed)
		return;
	sp->confirmed = true;
	if (wg_noise_consume_response(hs, &sp->id, (const void *)sp->resp) !=
		    WG_NOISE_OK ||
	    wg_noise_derive_keypair(hs, &kp) != WG_NOISE_OK) {
		s->invalid++;
		return;
	}
	wg_transport_seal(&kp, 0, NULL, 0, MTU, ka);
	send_msg(s, p, ka, sizeof(ka));
	wg_keypair_wipe(&kp);
}

static void confirm_all(struct storm *s)
{
	for (uint32_t p = 0; p < s->n; p++) {
		confirm(s, p);
		if (p % BURST == 0)
			poll_ports(s);
	}
}

/* A storm longer than STORM_CONFIRM_AFTER (a loaded machine's) confirms
 * its sessions that old as it goes, a few a scan: the gateway's keypair
 * of an unconfirmed session expires at REJECT_AFTER_TIME (180 s), and a
 * 183 s storm confirming only at its end found 574 expired. */
static void confirm_old(struct storm *s, double now)
{
	unsigned int n = 0;

	while (s->n_confirm_q < s->n_done && n++ < STORM_CONFIRM_SCAN &&
	       s->done_at[s->n_confirm_q].t + STORM_CONFIRM_AFTER <= now)
		confirm(s, s->done_at[s->n_confirm_q++].p);
}

/* Peer index from the frame's destination address and port. */
static int frame_peer(const struct storm *s, struct rte_mbuf *m,
		      const uint8_t **msg, uint16_t *len)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *ip = (const void *)(eh + 1);
	const struct rte_udp_hdr *udp = (const void *)(ip + 1);
	uint8_t want[16];
	uint32_t p;

	if (m->data_len < FRAME6_HDR + 4 ||
	    eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV6) ||
	    ip->proto != IPPROTO_UDP || udp->dst_port != RTE_BE16(PEER_PORT))
		return -1;
	p = (uint32_t)(((ip->dst_addr[4] << 8 | ip->dst_addr[5]) - 1) << 16 |
		       ip->dst_addr[6] << 8 | ip->dst_addr[7]);
	peer_addr6(p, want);
	*len = (uint16_t)(rte_be_to_cpu_16(udp->dgram_len) - 8);
	if (p >= s->n || memcmp(want, ip->dst_addr, 16) ||
	    FRAME6_HDR + *len > m->data_len)
		return -1;
	*msg = (const uint8_t *)(udp + 1);
	return (int)p;
}

/* Frames received; 0 lets the caller sleep (the gateway shares the CPUs
 * with us: a generator spinning on them slows what it measures). */
static unsigned int poll_ports(struct storm *s)
{
	struct rte_mbuf *m[BURST];
	unsigned int got = 0, bursts;
	uint16_t q, i, n;
	int role;

	s->polling = true;
	/* a queue is emptied (up to 16 bursts): sending a wave, we poll
	 * every BURST sends and each may have made an answer; reading one
	 * burst a poll fell behind whenever the CPU was away, and the
	 * gateway's cookie replies found our ring full (drop_tx_queue_full) */
	for (role = 0; role < 2; role++)
		for (q = 0; q < s->g.ports[role].nb_rxq; q++) {
			for (bursts = 0, n = BURST; n == BURST && bursts < 16;
			     bursts++) {
				n = rte_eth_rx_burst(s->g.ports[role].id, q, m, BURST);
				got += n;
				for (i = 0; i < n; i++) {
					const uint8_t *msg;
					uint16_t len;
					int p;

					if (handle_arp(&s->g, role, m[i]) ||
					    role != WAN || handle_nd(s, m[i]) ||
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
						tally(s, s->cookies_by_s);
						wg_cookie_consume_reply(
							&s->p[p].cookie,
							(const void *)msg, mono_ns());
					}
					rte_pktmbuf_free(m[i]);
				}
			}
		}
	s->polling = false;
	return got;
}

struct prep_part {
	struct storm *s;
	uint32_t from, to;
	int ret;
};

/* Peers [from, to): keys and first k initiations. */
static void *prepare_part(void *arg)
{
	struct prep_part *pp = arg;
	struct storm *s = pp->s;
	uint8_t key[WG_KEY_LEN];

	for (uint32_t p = pp->from; p < pp->to && !pp->ret; p++) {
		struct speer *sp = &s->p[p];

		peer_key(s->seed, p, key);
		wg_identity_set(&sp->id, key);
		wg_cookie_maker_init(&sp->cookie, s->g.o.gw_pub);
		wg_handshake_init(&init_of(s, p, 0)->hs, &sp->id, s->g.o.gw_pub,
				  NULL);
		for (uint32_t k = s->k; k-- > 0 && !pp->ret;)
			pp->ret = make_initiation(s, p, k,
						  &init_of(s, p, 0)->hs,
						  init_of(s, p, k));
	}
	sodium_memzero(key, sizeof(key));
	return NULL;
}

/* Every peer's keys and first initiations, before the clock starts, on
 * every CPU (nothing else runs yet: the gateway waits for us). */
static int prepare(struct storm *s)
{
	long n_cpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int n_thr = n_cpu < 1 ? 1 : n_cpu > 8 ? 8 : (unsigned int)n_cpu;
	struct prep_part part[8];
	pthread_t thr[8];
	pthread_attr_t attr;
	cpu_set_t all;
	double t0 = now_s();
	unsigned int i;
	int ret = 0;

	s->p = calloc(s->n, sizeof(*s->p));
	s->init = calloc((size_t)s->n * s->k, sizeof(*s->init));
	s->next_ms = calloc(s->n, sizeof(*s->next_ms));
	s->done_at = calloc(s->n, sizeof(*s->done_at));
	if (!s->p || !s->init || !s->next_ms || !s->done_at)
		return -1;
	s->ts_base = unix_ns();
	CPU_ZERO(&all);
	for (i = 0; i < (unsigned int)n_cpu && i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(all), &all);
	for (i = 0; i < n_thr; i++) {
		part[i] = (struct prep_part){ s, (uint32_t)((uint64_t)s->n * i / n_thr),
					      (uint32_t)((uint64_t)s->n * (i + 1) / n_thr), 0 };
		/* part 0 here, on our own lcore */
		if (i && pthread_create(&thr[i], &attr, prepare_part, &part[i]))
			return -1;
	}
	prepare_part(&part[0]);
	ret = part[0].ret;
	for (i = 1; i < n_thr; i++) {
		pthread_join(thr[i], NULL);
		ret |= part[i].ret;
	}
	pthread_attr_destroy(&attr);
	printf("# %u peers and their first %u initiations each made in %.1f s on %u threads\n",
	       s->n, s->k, now_s() - t0, n_thr);
	return ret;
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
	s->k = STORM_INITIATIONS;
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
		else if (!strcmp(k, "--initiations"))
			s->k = (uint32_t)strtoul(v, NULL, 10);
		else
			return -1;
	}
	if (!gw_pub || s->n == 0 || s->n > (1u << 20) || s->k < 1 ||
	    s->k > 64 || s->limit > STORM_SECONDS ||
	    sodium_base642bin(s->g.o.gw_pub, WG_KEY_LEN, gw_pub,
			      strlen(gw_pub), NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != WG_KEY_LEN)
		return -1;
	return 0;
}

static void storm(struct storm *s)
{
	double t0, now, end, last_scan = 0;
	uint32_t p, now_ms;

	announce(&s->g);
	announce6(s);
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
		if (!poll_ports(s))
			usleep(50);
		if (now - last_scan < 0.01)
			continue;
		last_scan = now;
		confirm_old(s, now);
		now_ms = (uint32_t)((now - t0) * 1000.0);
		for (p = 0; p < s->n; p++)
			if (s->next_ms[p] <= now_ms) {
				initiate(s, p, now);
				if (p % BURST == 0)
					poll_ports(s);
			}
	}
	end = s->n_done ? s->last_done : now_s();
	confirm_all(s);
	/* the gateway takes the last keepalives off the link before we go */
	for (now = now_s(); now_s() - now < 1.0;)
		if (!poll_ports(s))
			usleep(1000);
	{
		unsigned int last = 0, i;

		for (i = 0; i < RTE_DIM(s->done_by_s); i++)
			if (s->done_by_s[i])
				last = i;
		printf("# sessions made per second of the storm:");
		for (i = 0; i <= last; i++)
			printf(" %u", s->done_by_s[i]);
		printf("\n# initiations sent per second:");
		for (i = 0; i <= last; i++)
			printf(" %u", s->sent_by_s[i]);
		printf("\n# cookie replies received per second:");
		for (i = 0; i <= last; i++)
			printf(" %u", s->cookies_by_s[i]);
		printf("\n");
	}
	printf("{\"bench\": \"storm\", \"peers\": %u, \"seconds\": %.2f, \"sessions\": %u, \"initiations\": %lu, \"cookie_replies\": %lu, \"responses\": %lu, \"stale_responses\": %lu, \"invalid_responses\": %lu, \"late_initiations\": %lu, \"initiations_made_before\": %u, \"tx_retries\": %lu}\n",
	       s->n, end - t0, s->n_done - (uint32_t)s->invalid,
	       (unsigned long)s->sent, (unsigned long)s->cookies,
	       (unsigned long)s->responses, (unsigned long)s->stale,
	       (unsigned long)s->invalid, (unsigned long)s->late, s->k,
	       (unsigned long)s->tx_fail);
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
			"       %s EAL-OPTIONS -- --gw-pub B64 --gw-lan-mac MAC --gw-wan-mac MAC --peers N [--seed S] [--limit S] [--initiations K]\n",
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
	if (s.init)
		sodium_memzero(s.init, (size_t)s.n * s.k * sizeof(*s.init));
	free(s.p);
	free(s.init);
	free(s.next_ms);
	free(s.done_at);
	perf_eal_cleanup();
	return s.n_done == s.n && !s.invalid ? 0 : 1;
}
