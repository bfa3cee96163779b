/* SPDX-License-Identifier: MIT */
/*
 * bench_dataplane: the gateway's real worker code (app/gw_worker.c:
 * gw_lan_burst, gw_wan_burst, gw_assist, gw_wan_collect) on pre-built
 * mbufs, without a NIC, on one and two cores, against the raw ipsec-mb
 * AEAD measured in the same process (perf_aead.h).
 *
 *   bench_dataplane [EAL options --] [--quick] [--seconds S] [--pairs N]
 *                   [--sizes 64,1420,imix] [--peers 1,100000]
 *                   [--workers 1,2] [--path encrypt|decrypt|both] [--cold]
 *
 * Without EAL options: -l 0-1 --no-huge -m 3072 --no-pci (the 100,000-peer
 * tables need about 700 MB).
 *
 * Encrypt: LAN frames (Ethernet + IPv4 + UDP, the given inner IP size)
 * toward addresses inside the peers' AllowedIPs go through gw_lan_burst;
 * the WireGuard frames it queues for WAN TX are the output. Decrypt: WAN
 * frames pre-encrypted with each peer's keys (counters increasing per
 * peer) go through gw_wan_burst; the inner frames queued for LAN TX are
 * the output, checked for arrival order (the inner IP id carries the
 * sequence). Each round restores 1024 frames from pristine copies (and,
 * once per pass over the set, every replay window the set touches) outside
 * the timed section, then times 32 bursts of 32 through the worker,
 * including the final drain of the reorder buffer. mpps = packets per
 * second of timed section; with two workers the sum over the workers
 * (encrypt: each has its own frames; decrypt, one tunnel: worker 0 owns
 * the RX queue and spreads to worker 1). cycles_per_packet = TSC cycles
 * on all workers per packet. aead_mpps = raw single-core AEAD Mpps of the
 * same direction and sizes (the better of ipsec-mb's job and burst APIs)
 * times the workers, so ratio = mpps / aead_mpps is per core. Each case
 * alternates AEAD runs and bench runs (--pairs) and reports medians.
 *
 * The 100,000-peer case: 1,000,000 IPv4 prefixes (10 per peer: nine /24
 * and one /24 or /28), loaded with one gw_tables_routes_apply() call;
 * packets go to pseudo-random peers and prefixes. These prefixes and the
 * peers' endpoints (203.0.113.0/24) never leave the process: nothing is
 * sent anywhere.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_udp.h>

#include "gw_crypto.h"
#include "gw_ctx.h"
#include "gw_neighbour.h"
#include "gw_peer.h"
#include "gw_tables.h"
#include "gw_worker.h"
#include "perf_aead.h"
#include "wg_crypto.h"
#include "wg_replay.h"

enum {
	ROUND = 1024,              /* frames per timed section */
	SET = 8192,                /* pristine frames per worker */
	MAX_SIZES = 8,
	MAX_PEERS_CASES = 4,
	PREFIXES_PER_PEER = 10,
	MTU = 1420,
	LISTEN = 51820,
};

static const uint8_t lan_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t wan_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0, 0x03 };
static const uint8_t router_mac[6] = { 0x02, 0, 0, 0, 0, 0x04 };
#define LAN_ADDR RTE_IPV4(192, 0, 2, 1)
#define LAN_HOST RTE_IPV4(192, 0, 2, 2)
#define WAN_ADDR RTE_IPV4(198, 51, 100, 1)
#define WAN_ROUTER RTE_IPV4(198, 51, 100, 254)

struct size_case {
	char name[16];
	uint32_t sizes[16];
	unsigned int n_sizes;
	double avg;
};

struct opts {
	double seconds;
	unsigned int pairs;
	struct size_case sizes[MAX_SIZES];
	unsigned int n_sizes;
	uint32_t peers[MAX_PEERS_CASES];
	unsigned int n_peers;
	unsigned int workers[2];
	unsigned int n_workers;
	bool enc, dec;
	bool no_aead;              /* profiling: skip the reference */
};

/* The world one peer count lives in. */
struct world {
	struct gw_ctx *ctx;
	uint32_t n_peers;
	struct gw_peer **peers;
	struct gw_keypair **kps;
	struct wg_endpoint *eps;
	struct rte_mempool *pool;
};

/* One worker's frames for a case. */
struct wset {
	struct rte_mbuf *m[SET];
	uint8_t *pristine;         /* SET frames of FRAME bytes */
	uint16_t len[SET];         /* frame length */
	uint32_t peer[SET];
	uint32_t n_reset;          /* decrypt: distinct keypairs in the set */
	struct gw_keypair **reset; /* their windows are reset per pass */
};

enum { FRAME = 1536 };

struct job {
	struct world *w;
	struct gw_lcore *lc;
	struct wset *set;          /* NULL: helper only */
	bool decrypt;
	unsigned int rounds_max;
	uint64_t deadline;         /* TSC */
	/* results */
	uint64_t packets;
	uint64_t cycles;           /* TSC, timed sections */
	uint64_t cpu_ns;           /* thread CPU time, timed sections */
	uint64_t run_cpu_ns, run_wall_ns; /* whole run, for the CPU share */
	uint64_t bytes;            /* inner bytes */
	uint64_t order_errors;
	uint64_t lost;
	int err;
};

/* owners that have finished their rounds; everybody keeps helping until
 * all owners are done (their last chunks may be with another worker) */
static unsigned int owners_done, owners_total;

/* ------------------------------------------------------------ helpers */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* Peer p's prefix j: 16.0.0.0/4 cut in /24s; every 100th is a /28. */
static uint32_t prefix_addr(uint32_t p, unsigned int j)
{
	return RTE_IPV4(16, 0, 0, 0) + ((p * PREFIXES_PER_PEER + j) << 8);
}

static uint8_t prefix_len(uint32_t p, unsigned int j)
{
	return (p * PREFIXES_PER_PEER + j) % 100 == 99 ? 28 : 24;
}

static void put_ipv4(uint8_t *b, uint32_t src, uint32_t dst, uint16_t len,
		     uint16_t id)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)b;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(10000);
	udp->dst_port = rte_cpu_to_be_16(20000);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*ip)));
	udp->dgram_cksum = 0;
}

static void put_eth(uint8_t *b, const uint8_t *dst, const uint8_t *src)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;

	memcpy(eh->dst_addr.addr_bytes, dst, 6);
	memcpy(eh->src_addr.addr_bytes, src, 6);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
}

static void neigh_put(struct gw_neigh *n, enum gw_role role, uint32_t ip,
		      const uint8_t *mac)
{
	struct gw_neigh_key k = { .role = (uint8_t)role,
				  .family = WG_FAMILY_V4 };
	unsigned int i = n->n++;
	uint32_t be = rte_cpu_to_be_32(ip);
	uint64_t v = 0;

	memcpy(k.ip, &be, 4);
	memcpy(&v, mac, 6);
	n->e[i].key = k;
	n->e[i].in_use = true;
	n->e[i].mac = v | GW_NEIGH_VALID;
	rte_hash_add_key_data(n->hash, &k, (void *)(uintptr_t)i);
}

/* ------------------------------------------------------------ world */

static struct gw_ctx *ctx_create(unsigned int n_lcores)
{
	struct gw_ctx *ctx = calloc(1, sizeof(*ctx));
	unsigned int i;
	size_t qsz;

	if (!ctx)
		return NULL;
	ctx->tsc_hz = rte_get_tsc_hz();
	ctx->mtu = MTU;
	ctx->reject_after_ns = (uint64_t)WG_REJECT_AFTER_TIME * 1000000000ull;
	ctx->listen_port = rte_cpu_to_be_16(LISTEN);
	ctx->stats = gw_stats_create();
	qsz = rte_rcu_qsbr_get_memsize(n_lcores);
	ctx->qsbr = rte_zmalloc("bench_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	ctx->ctrl_ring = rte_ring_create("gw_ctrl", GW_CTRL_RING,
					 (int)rte_socket_id(), RING_F_SC_DEQ);
	ctx->event_ring = rte_ring_create_elem("gw_events",
					       sizeof(struct gw_event),
					       GW_EVENT_RING,
					       (int)rte_socket_id(),
					       RING_F_SC_DEQ);
	if (!ctx->stats || !ctx->qsbr || !ctx->ctrl_ring || !ctx->event_ring ||
	    rte_rcu_qsbr_init(ctx->qsbr, n_lcores) != 0)
		return NULL;
	for (i = 0; i < GW_NB_ROLES; i++) {
		struct gw_port *p = &ctx->port[i];

		p->port_id = (uint16_t)i;
		p->role = (enum gw_role)i;
		memcpy(p->mac.addr_bytes, i == GW_LAN ? lan_mac : wan_mac, 6);
		p->addr4[0] = rte_cpu_to_be_32(i == GW_LAN ? LAN_ADDR : WAN_ADDR);
		p->plen4[0] = 24;
		p->n_addr4 = 1;
	}
	ctx->port[GW_WAN].has_gateway = true;
	ctx->port[GW_WAN].gateway.family = WG_FAMILY_V4;
	{
		uint32_t be = rte_cpu_to_be_32(WAN_ROUTER);

		memcpy(ctx->port[GW_WAN].gateway.addr, &be, 4);
	}
	if (gw_neigh_create(ctx) != 0)
		return NULL;
	neigh_put(ctx->neigh, GW_WAN, WAN_ROUTER, router_mac);
	neigh_put(ctx->neigh, GW_LAN, LAN_HOST, host_mac);
	for (i = 0; i < n_lcores && i < GW_MAX_WORKERS; i++) {
		struct gw_lcore *lc = &ctx->workers[i];

		lc->ctx = ctx;
		lc->worker_idx = i;
		lc->txq = (uint16_t)i;
		lc->stats = &ctx->stats->lcore[i];
		lc->mb = gw_crypto_mgr_create();
		if (!lc->mb)
			return NULL;
	}
	return ctx;
}

static void fill_key(uint8_t *k, uint32_t p, uint8_t salt)
{
	unsigned int i;

	for (i = 0; i < WG_KEY_LEN; i++)
		k[i] = (uint8_t)(p * 131 + i * 7 + salt);
}

static int world_build(struct world *w, uint32_t n_peers)
{
	struct gw_ctx *ctx = w->ctx;
	struct gw_tables_size sz = {
		.peers = n_peers,
		.routes4 = n_peers * PREFIXES_PER_PEER + 64,
		.tbl8s4 = 1 << 14,
		.indices = 4 * n_peers,
	};
	struct wg_prefix *pfx;
	uint32_t *ids, p, n = 0;
	uint64_t t0 = rte_rdtsc(), now = gw_now_ns(ctx);
	unsigned int j;
	int ret;

	w->n_peers = n_peers;
	ret = gw_tables_create_sized(ctx, &sz);
	if (ret < 0)
		return ret;
	w->peers = calloc(n_peers, sizeof(*w->peers));
	w->kps = calloc(n_peers, sizeof(*w->kps));
	w->eps = calloc(n_peers, sizeof(*w->eps));
	pfx = calloc((size_t)n_peers * PREFIXES_PER_PEER, sizeof(*pfx));
	ids = calloc((size_t)n_peers * PREFIXES_PER_PEER, sizeof(*ids));
	if (!w->peers || !w->kps || !w->eps || !pfx || !ids)
		return -ENOMEM;
	for (p = 0; p < n_peers; p++) {
		/* allocated as the control lcore does (gw_peer.c): one by
		 * one from DPDK memory, hugepages when there are some */
		struct gw_peer *peer = rte_zmalloc("bench_peer", sizeof(*peer),
						   RTE_CACHE_LINE_SIZE);
		struct gw_keypair *kp = rte_zmalloc("bench_kp", sizeof(*kp),
						    RTE_CACHE_LINE_SIZE);
		struct wg_endpoint *ep = rte_malloc("bench_ep", sizeof(*ep),
						    0);
		uint32_t ep_ip = RTE_IPV4(203, 0, 113, 1 + p % 250);

		if (!peer || !kp || !ep)
			return -ENOMEM;
		fill_key(kp->send_key, p, 1);
		fill_key(kp->recv_key, p, 2);
		kp->local_index = p + 1;
		kp->remote_index = 0x80000000u + p;
		gw_kp_born(kp, p, now);
		wg_replay_init(&kp->replay);
		w->eps[p].family = WG_FAMILY_V4;
		ep_ip = rte_cpu_to_be_32(ep_ip);
		memcpy(w->eps[p].addr, &ep_ip, 4);
		w->eps[p].port = (uint16_t)(1024 + p / 250);
		peer->id = p;
		peer->kp_current = kp;
		*ep = w->eps[p];
		peer->endpoint = ep;
		w->peers[p] = peer;
		w->kps[p] = kp;
		ctx->tables->peers[p] = peer;
		if (gw_tables_index_add(ctx->tables, kp->local_index,
					(uintptr_t)kp) < 0)
			return -ENOSPC;
		for (j = 0; j < PREFIXES_PER_PEER; j++) {
			uint32_t be = rte_cpu_to_be_32(prefix_addr(p, j));

			pfx[n].family = WG_FAMILY_V4;
			memcpy(pfx[n].addr, &be, 4);
			pfx[n].cidr = prefix_len(p, j);
			ids[n++] = p;
		}
	}
	ret = gw_tables_routes_apply(ctx->tables, pfx, ids, n, false);
	free(pfx);
	free(ids);
	if (ret < 0)
		return ret;
	printf("# %u peer(s), %u AllowedIPs prefixes, index table and keys built in %.2f s\n",
	       n_peers, n, (double)(rte_rdtsc() - t0) / (double)ctx->tsc_hz);
	return 0;
}

static void world_free(struct world *w)
{
	uint32_t p;

	gw_tables_free(w->ctx);
	for (p = 0; p < w->n_peers; p++) {
		rte_free(w->peers[p]->endpoint);
		rte_free(w->peers[p]);
		rte_free(w->kps[p]);
	}
	free(w->peers);
	free(w->kps);
	free(w->eps);
	w->peers = NULL;
	w->kps = NULL;
	w->eps = NULL;
}

/* ------------------------------------------------------------ frames */

/* Worker wi of nw gets peers p with p % nw == wi (one RX queue per peer,
 * as RSS would have it), except that one peer is shared by everybody. */
static uint32_t pick_peer(const struct world *w, unsigned int wi,
			  unsigned int nw)
{
	uint32_t per;

	if (w->n_peers == 1)
		return 0;
	per = w->n_peers / nw;
	return (rnd() % per) * nw + wi;
}

static int set_build(struct world *w, struct wset *s, const struct size_case *sc,
		     bool decrypt, unsigned int wi, unsigned int nw)
{
	struct gw_aead_op op;
	uint64_t *ctr = calloc(w->n_peers, sizeof(*ctr));
	uint8_t *seen = calloc(w->n_peers, 1);
	IMB_MGR *mb = w->ctx->workers[0].mb;
	unsigned int i;

	s->pristine = malloc((size_t)SET * FRAME);
	s->reset = calloc(SET, sizeof(*s->reset));
	if (!ctr || !seen || !s->pristine || !s->reset)
		return -ENOMEM;
	s->n_reset = 0;
	if (rte_pktmbuf_alloc_bulk(w->pool, s->m, SET) != 0)
		return -ENOMEM;
	for (i = 0; i < SET; i++) {
		uint8_t *f = s->pristine + (size_t)i * FRAME;
		uint32_t p = pick_peer(w, wi, nw);
		unsigned int j = rnd() % PREFIXES_PER_PEER;
		uint32_t inner = prefix_addr(p, j) + 1 + rnd() % 14;
		uint16_t size = (uint16_t)sc->sizes[i % sc->n_sizes];
		/* the sequence within a round, checked after decryption */
		uint16_t seq = (uint16_t)(i % ROUND);

		s->peer[i] = p;
		memset(f, 0, FRAME);
		if (!decrypt) {
			put_eth(f, lan_mac, host_mac);
			put_ipv4(f + RTE_ETHER_HDR_LEN, LAN_HOST, inner, size,
				 seq);
			s->len[i] = (uint16_t)(RTE_ETHER_HDR_LEN + size);
		} else {
			struct gw_keypair *kp = w->kps[p];
			uint8_t *ip = f + RTE_ETHER_HDR_LEN;
			uint8_t *udp = ip + sizeof(struct rte_ipv4_hdr);
			uint8_t *wg = udp + sizeof(struct rte_udp_hdr);
			uint8_t *pl = wg + WG_MSG_TRANSPORT_HEADER_LEN;
			uint32_t padded = wg_padded_len(size, MTU);
			uint32_t wg_len = WG_MSG_TRANSPORT_HEADER_LEN + padded +
					  WG_AEAD_TAG_LEN;
			uint32_t ep_ip;
			struct rte_ipv4_hdr *oh = (struct rte_ipv4_hdr *)ip;
			struct rte_udp_hdr *uh = (struct rte_udp_hdr *)udp;

			if (!seen[p]) {
				seen[p] = 1;
				s->reset[s->n_reset++] = kp;
			}
			put_ipv4(pl, inner, LAN_HOST, size, seq);
			memset(&op, 0, sizeof(op));
			op.data = pl;
			op.len = padded;
			op.tag = pl + padded;
			op.key = kp->recv_key;
			op.counter = ctr[p]++;
			gw_aead_encrypt_burst(mb, &op, 1);
			if (!op.ok)
				return -EIO;
			wg_put_le32(wg, WG_MSG_TRANSPORT);
			wg_put_le32(wg + 4, kp->local_index);
			wg_put_le64(wg + 8, op.counter);
			memcpy(&ep_ip, w->eps[p].addr, 4);
			put_eth(f, wan_mac, router_mac);
			put_ipv4(ip, rte_be_to_cpu_32(ep_ip), WAN_ADDR,
				 (uint16_t)(sizeof(*oh) + sizeof(*uh) + wg_len),
				 0);
			uh->src_port = rte_cpu_to_be_16(w->eps[p].port);
			uh->dst_port = rte_cpu_to_be_16(LISTEN);
			uh->dgram_len =
				rte_cpu_to_be_16((uint16_t)(sizeof(*uh) + wg_len));
			s->len[i] = (uint16_t)(RTE_ETHER_HDR_LEN + sizeof(*oh) +
					       sizeof(*uh) + wg_len);
		}
	}
	free(ctr);
	free(seen);
	return 0;
}

static void set_free(struct wset *s)
{
	rte_pktmbuf_free_bulk(s->m, SET);
	free(s->pristine);
	free(s->reset);
	memset(s, 0, sizeof(*s));
}

/* Whether the restore leaves an encryption frame's payload alone: what
 * a NIC writing by DMA into DRAM would do (see --cold). */
static bool cold_payload;

/* Restore frames [from, from + n) to their pristine state. */
static void set_restore(struct wset *s, unsigned int from, unsigned int n,
			bool decrypt)
{
	unsigned int i;

	for (i = from; i < from + n; i++) {
		struct rte_mbuf *m = s->m[i];
		const uint8_t *f = s->pristine + (size_t)i * FRAME;

		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->data_len = s->len[i];
		m->pkt_len = s->len[i];
		/* the whole frame, as a PMD that copies (memif, vhost,
		 * af_packet) leaves it: in this core's cache, as the raw
		 * AEAD's buffers are. Encryption needs only the headers back
		 * (the payload is whatever the last round left), so --cold
		 * restores just those and the payload comes from memory, as
		 * it would behind a DMA NIC without DDIO. */
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), f,
		       decrypt || !cold_payload ?
			       s->len[i] :
			       RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr));
	}
}

/* ------------------------------------------------------------ run */

/* TX stand-in: count, check the order of decrypted inner packets. */
static void sink(struct job *jb, struct gw_txbuf *tx, uint16_t *expect)
{
	unsigned int i;

	for (i = 0; i < tx->n; i++) {
		struct rte_mbuf *m = tx->m[i];

		jb->bytes += m->pkt_len - RTE_ETHER_HDR_LEN;
		if (jb->decrypt) {
			const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
				m, const struct rte_ipv4_hdr *,
				RTE_ETHER_HDR_LEN);

			if (rte_be_to_cpu_16(ip->packet_id) != *expect)
				jb->order_errors++;
			*expect = (uint16_t)(rte_be_to_cpu_16(ip->packet_id) + 1);
		}
	}
	tx->n = 0;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int job_main(void *arg)
{
	struct job *jb = arg;
	struct gw_lcore *lc = jb->lc;
	struct gw_ctx *ctx = lc->ctx;
	struct wset *s = jb->set;
	struct gw_txbuf tx = { .n = 0 };
	unsigned int round, b, passes = SET / ROUND;

	uint64_t run_cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	uint64_t run_wall0 = clock_ns(CLOCK_MONOTONIC);

	rte_rcu_qsbr_thread_register(ctx->qsbr, lc->worker_idx);
	rte_rcu_qsbr_thread_online(ctx->qsbr, lc->worker_idx);
	if (!s)
		goto help;
	for (round = 0; round <= jb->rounds_max; round++) {
		unsigned int from = (round % passes) * ROUND;
		uint64_t t0, t1, c0, c1, excl, out0 = 0, bytes0 = jb->bytes;
		uint16_t expect = 0;

		/* round 0 is the warm-up: at least one timed round, even
		 * when a loaded machine made the warm-up outlast the run */
		if (round > 1 && rte_rdtsc() > jb->deadline)
			break;
		if (jb->decrypt && from == 0) {
			unsigned int i;

			for (i = 0; i < s->n_reset; i++)
				wg_replay_init(&s->reset[i]->replay);
		}
		(void)out0;

		excl = 0;
		c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		t0 = rte_rdtsc();
		for (b = 0; b < ROUND; b += GW_BURST) {
			uint64_t now, r0 = rte_rdtsc();

			/* what the PMD would have done: the frames of this
			 * burst as they arrive (not timed) */
			set_restore(s, from + b, GW_BURST, jb->decrypt);
			now = gw_now_ns(ctx);
			excl += rte_rdtsc() - r0;

			if (!jb->decrypt) {
				gw_lan_burst(lc, s->m + from + b, GW_BURST,
					     &tx, now);
			} else {
				/* a full reorder buffer holds RX back */
				while (!gw_wan_room(lc)) {
					gw_wan_collect(lc, &tx);
					sink(jb, &tx, &expect);
					gw_assist(lc, now);
				}
				gw_wan_burst(lc, s->m + from + b, GW_BURST,
					     &tx, now);
				gw_wan_collect(lc, &tx);
				gw_assist(lc, now);
			}
			sink(jb, &tx, &expect);
			gw_worker_quiescent(lc);
		}
		/* the last chunks still with the helper */
		while (!gw_wan_idle(lc)) {
			gw_wan_collect(lc, &tx);
			sink(jb, &tx, &expect);
			gw_assist(lc, gw_now_ns(ctx));
		}
		gw_worker_quiescent(lc);
		t1 = rte_rdtsc();
		c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		if (round == 0) {
			jb->bytes = bytes0;   /* warm-up */
			continue;
		}
		jb->cycles += t1 - t0 - excl;
		/* the restores' share of the round's CPU time: the same
		 * fraction as of its wall time (subtracting their wall time
		 * from CPU time goes negative when the thread was
		 * descheduled during a restore, as on a loaded machine) */
		jb->cpu_ns += (uint64_t)((double)(c1 - c0) *
					 (double)(t1 - t0 - excl) /
					 (double)(t1 - t0));
		jb->packets += ROUND;
		(void)bytes0;
	}
	__atomic_fetch_add(&owners_done, 1, __ATOMIC_RELEASE);
help:
	while (__atomic_load_n(&owners_done, __ATOMIC_ACQUIRE) < owners_total) {
		gw_assist(lc, gw_now_ns(ctx));
		gw_worker_quiescent(lc);
	}
	jb->run_cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - run_cpu0;
	jb->run_wall_ns = clock_ns(CLOCK_MONOTONIC) - run_wall0;
	rte_rcu_qsbr_thread_offline(ctx->qsbr, lc->worker_idx);
	rte_rcu_qsbr_thread_unregister(ctx->qsbr, lc->worker_idx);
	return 0;
}

struct case_result {
	double mpps, gbps, cpp, mpps_wall, cpu_share;
	uint64_t order_errors, drops;
};

static uint64_t drops_total(const struct gw_ctx *ctx)
{
	uint64_t n = 0;
	unsigned int c, l;

	for (l = 0; l < 2; l++)
		for (c = 0; c < GW_CTR_MAX; c++)
			if (strncmp(gw_counter_name(c), "drop_", 5) == 0 ||
			    c == GW_CTR_TO_CONTROL)
				n += ctx->stats->lcore[l].c[c];
	return n;
}

/* One timed bench run of a case: sets already built. */
static int bench_run(struct world *w, struct wset *sets, bool decrypt,
		     unsigned int nw, double seconds, struct case_result *r)
{
	struct gw_ctx *ctx = w->ctx;
	struct job jobs[2];
	uint64_t hz = ctx->tsc_hz, deadline, drops0 = drops_total(ctx);
	unsigned int i, lcore1 = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	bool spread = decrypt && nw == 2 && w->n_peers == 1;
	double rate = 0, rate_wall = 0, share = 1;
	uint64_t cyc = 0, pk = 0, bytes = 0;

	memset(jobs, 0, sizeof(jobs));
	deadline = rte_rdtsc() + (uint64_t)(seconds * (double)hz);
	for (i = 0; i < nw; i++) {
		jobs[i].w = w;
		jobs[i].lc = &ctx->workers[i];
		jobs[i].set = spread && i == 1 ? NULL : &sets[i];
		jobs[i].decrypt = decrypt;
		jobs[i].rounds_max = 1000000;
		jobs[i].deadline = deadline;
	}
	owners_done = 0;
	owners_total = spread ? 1 : nw;
	if (nw == 2 && rte_eal_remote_launch(job_main, &jobs[1], lcore1) != 0)
		return -EBUSY;
	job_main(&jobs[0]);
	if (nw == 2)
		rte_eal_wait_lcore(lcore1);
	memset(r, 0, sizeof(*r));
	for (i = 0; i < nw; i++) {
		double sh = (double)jobs[i].run_cpu_ns /
			    (double)jobs[i].run_wall_ns;

		if (sh < share)
			share = sh;
		if (!jobs[i].set)
			continue;
		/* each worker's rate over its own timed sections: per second
		 * of its CPU time (time the machine gave to other processes
		 * does not count, as in perf_aead), and per wall second */
		rate += (double)jobs[i].packets * 1e9 / (double)jobs[i].cpu_ns;
		rate_wall += (double)jobs[i].packets * (double)hz /
			     (double)jobs[i].cycles;
		pk += jobs[i].packets;
		cyc += jobs[i].cycles;
		bytes += jobs[i].bytes;
		r->order_errors += jobs[i].order_errors;
	}
	if (!pk)
		return -EIO;
	r->mpps = rate / 1e6;
	r->mpps_wall = rate_wall / 1e6;
	r->cpu_share = share;
	r->gbps = r->mpps * 8.0 * (double)bytes / (double)pk / 1e3;
	r->cpp = (double)nw * (double)hz / rate;
	(void)cyc;
	r->drops = drops_total(ctx) - drops0;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double aead_ref(const struct size_case *sc, bool decrypt,
		       double seconds)
{
	struct perf_aead_mix mix = { sc->name, sc->sizes, sc->n_sizes };
	struct perf_aead_cfg cfg = { .arch = PERF_AEAD_ARCH_AUTO,
				     .burst = GW_BURST, .peers = 1,
				     .max_seconds = seconds, .runs = 1 };
	struct perf_aead_result res;
	double best = 0;
	int api;

	for (api = PERF_AEAD_API_JOB; api <= PERF_AEAD_API_BURST; api++) {
		cfg.api = (enum perf_aead_api)api;
		if (perf_aead_measure(&cfg, decrypt ? PERF_AEAD_DECRYPT :
						      PERF_AEAD_ENCRYPT,
				      &mix, &res) == 0 &&
		    res.mpps > best)
			best = res.mpps;
	}
	return best;
}

/* ------------------------------------------------------------ options */

static int parse_sizes(struct opts *o, char *arg)
{
	char *tok, *save = NULL;

	o->n_sizes = 0;
	for (tok = strtok_r(arg, ",", &save); tok && o->n_sizes < MAX_SIZES;
	     tok = strtok_r(NULL, ",", &save)) {
		struct size_case *sc = &o->sizes[o->n_sizes++];
		unsigned int i;

		memset(sc, 0, sizeof(*sc));
		snprintf(sc->name, sizeof(sc->name), "%s", tok);
		if (strcmp(tok, "imix") == 0) {
			for (i = 0; i < perf_aead_imix.n_sizes && i < 16; i++)
				sc->sizes[i] = perf_aead_imix.sizes[i];
			sc->n_sizes = i;
		} else {
			sc->sizes[0] = (uint32_t)atoi(tok);
			sc->n_sizes = 1;
			if (sc->sizes[0] < 28 || sc->sizes[0] > MTU)
				return -1;
		}
		sc->avg = 0;
		for (i = 0; i < sc->n_sizes; i++)
			sc->avg += sc->sizes[i];
		sc->avg /= sc->n_sizes;
	}
	return 0;
}

static void parse_list(uint32_t *v, unsigned int *n, unsigned int max,
		       char *arg)
{
	char *tok, *save = NULL;

	*n = 0;
	for (tok = strtok_r(arg, ",", &save); tok && *n < max;
	     tok = strtok_r(NULL, ",", &save))
		v[(*n)++] = (uint32_t)atoi(tok);
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	char sizes[] = "64,128,256,512,1024,1420,imix";
	char peers[] = "1,100000";
	uint32_t wk[2] = { 1, 2 };
	int i;

	memset(o, 0, sizeof(*o));
	o->seconds = 0.3;
	o->pairs = 3;
	o->enc = o->dec = true;
	parse_sizes(o, sizes);
	parse_list(o->peers, &o->n_peers, MAX_PEERS_CASES, peers);
	o->workers[0] = wk[0];
	o->workers[1] = wk[1];
	o->n_workers = 2;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--quick") == 0) {
			o->seconds = 0.1;
			o->pairs = 1;
		} else if (strcmp(a, "--no-aead") == 0) {
			o->no_aead = true;
		} else if (strcmp(a, "--cold") == 0) {
			cold_payload = true;
		} else if (strcmp(a, "--seconds") == 0 && v) {
			o->seconds = atof(v);
			i++;
		} else if (strcmp(a, "--pairs") == 0 && v) {
			o->pairs = (unsigned int)atoi(v);
			i++;
		} else if (strcmp(a, "--sizes") == 0 && v) {
			if (parse_sizes(o, v) < 0)
				return -1;
			i++;
		} else if (strcmp(a, "--peers") == 0 && v) {
			parse_list(o->peers, &o->n_peers, MAX_PEERS_CASES, v);
			i++;
		} else if (strcmp(a, "--workers") == 0 && v) {
			parse_list(o->workers, &o->n_workers, 2, v);
			i++;
		} else if (strcmp(a, "--path") == 0 && v) {
			o->enc = strcmp(v, "decrypt") != 0;
			o->dec = strcmp(v, "encrypt") != 0;
			i++;
		} else {
			return -1;
		}
	}
	if (o->pairs < 1 || o->pairs > 15 || !o->n_sizes || !o->n_peers)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	char prefix[64];
	char *def_eal[] = { argv[0], "-l", "0-1", "--no-huge", "-m", "3072",
			    "--no-pci", "--file-prefix", prefix,
			    "--log-level", "*:error" };
	int sep, eal_argc, pi, si, wi, di;
	char **eal_argv;
	struct opts o;
	struct world w;
	struct gw_ctx *ctx;
	unsigned int n_lcores;

	snprintf(prefix, sizeof(prefix), "bench_dp_%d", (int)getpid());
	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	if (sep < argc) {
		eal_argc = sep;
		eal_argv = argv;
		sep++;
	} else {
		eal_argc = (int)RTE_DIM(def_eal);
		eal_argv = def_eal;
		sep = 1;
	}
	if (parse_opts(&o, argc - sep, argv + sep) < 0) {
		fprintf(stderr,
			"usage: %s [EAL options --] [--quick] [--seconds S] [--pairs N]\n"
			"       [--sizes 64,...,imix] [--peers 1,100000] [--workers 1,2]\n"
			"       [--path encrypt|decrypt|both]\n",
			argv[0]);
		return 2;
	}
	if (wg_crypto_init() != 0)
		return 1;
	gw_log_init();
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "bench_dataplane: EAL init failed\n");
		return 1;
	}
	gw_log_init();
	n_lcores = rte_lcore_count();
	ctx = ctx_create(2);
	if (!ctx) {
		fprintf(stderr, "bench_dataplane: setup failed\n");
		return 1;
	}
	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.pool = rte_pktmbuf_pool_create("bench_pool", 2 * SET + 1024, 256, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE,
					 (int)rte_socket_id());
	if (!w.pool) {
		fprintf(stderr, "bench_dataplane: mbuf pool\n");
		return 1;
	}

	printf("# bench_dataplane: app/gw_worker.c on pre-built mbufs, no NIC; ipsec-mb %s (%s)\n",
	       imb_get_version_str(), gw_crypto_arch_name(ctx->workers[0].mb));
	printf("# %u lcores on %ld CPUs; 2 workers = main lcore + lcore 1 (nothing else runs: no control lcore)\n",
	       n_lcores, sysconf(_SC_NPROCESSORS_ONLN));
	printf("# rounds of %u frames (32 bursts of 32) restored outside the timed section (%s); median of %u pairs (AEAD run, bench run) of %.2f s\n",
	       ROUND,
	       cold_payload ? "--cold: encryption payload left in memory" :
			      "whole frames, as a copying PMD leaves them",
	       o.pairs, o.seconds);
	printf("# aead = raw ipsec-mb Mpps on one core (better of job/burst API) x workers; ratio = mpps / aead\n");
	printf("# 2-worker decrypt = one tunnel: worker 0 owns the RX queue, spreads to worker 1, per-queue order restored\n\n");
	printf("%-8s %-5s %7s %3s %9s %8s %9s %9s %7s %7s %6s %6s\n", "path",
	       "size", "peers", "wk", "Mpps", "Gbit/s", "cyc/pkt", "aead",
	       "ratio", "x1wk", "order", "cpu");

	for (pi = 0; pi < (int)o.n_peers; pi++) {
		double one_wk[2][MAX_SIZES] = { { 0 } };

		if (world_build(&w, o.peers[pi]) != 0) {
			fprintf(stderr, "bench_dataplane: building %u peers failed\n",
				o.peers[pi]);
			return 1;
		}
		for (di = 0; di < 2; di++) {
			bool decrypt = di == 1;

			if ((decrypt && !o.dec) || (!decrypt && !o.enc))
				continue;
			for (si = 0; si < (int)o.n_sizes; si++) {
				for (wi = 0; wi < (int)o.n_workers; wi++) {
					unsigned int nw = o.workers[wi], k;
					struct wset sets[2];
					double mp[16], gb[16], cp[16], ra[16], ae[16];
					double mw[16], sh[16];
					struct case_result r = { 0 };
					uint64_t oerr = 0, drops = 0;
					double m, x1;
					/* one tunnel: worker 0 owns its RX
					 * queue, worker 1 only helps */
					bool spread = decrypt && nw == 2 &&
						      w.n_peers == 1;

					if (nw < 1 || nw > 2 ||
					    (nw == 2 && n_lcores < 2))
						continue;
					memset(sets, 0, sizeof(sets));
					ctx->n_workers = nw;
					if (nw == 2 && gw_spread_setup(ctx) != 0)
						return 1;
					for (k = 0; k < nw; k++) {
						if (spread && k == 1)
							continue;
						if (set_build(&w, &sets[k],
							      &o.sizes[si],
							      decrypt,
							      spread ? 0 : k,
							      spread ? 1 : nw) != 0) {
							fprintf(stderr, "set build failed\n");
							return 1;
						}
					}
					for (k = 0; k < o.pairs; k++) {
						ae[k] = o.no_aead ? 1e-9 :
							aead_ref(&o.sizes[si],
								 decrypt,
								 o.seconds) * nw;
						if (bench_run(&w, sets, decrypt,
							      nw, o.seconds,
							      &r) != 0) {
							fprintf(stderr, "run failed\n");
							return 1;
						}
						mp[k] = r.mpps;
						mw[k] = r.mpps_wall;
						sh[k] = r.cpu_share;
						gb[k] = r.gbps;
						cp[k] = r.cpp;
						ra[k] = r.mpps / ae[k];
						oerr += r.order_errors;
						drops += r.drops;
					}
					for (k = 0; k < nw; k++)
						if (sets[k].pristine)
							set_free(&sets[k]);
					if (nw == 2)
						gw_spread_free(ctx);
					m = median(mp, o.pairs);
					if (nw == 1)
						one_wk[di][si] = m;
					x1 = one_wk[di][si] > 0 ?
						     m / one_wk[di][si] : 0;
					printf("%-8s %-5s %7u %3u %9.3f %8.3f %9.1f %9.3f %7.3f %7.2f %6s %5.0f%%%s\n",
					       decrypt ? "decrypt" : "encrypt",
					       o.sizes[si].name, o.peers[pi],
					       nw, m, median(gb, o.pairs),
					       median(cp, o.pairs),
					       median(ae, o.pairs),
					       median(ra, o.pairs), x1,
					       oerr ? "BAD" : "ok",
					       100 * median(sh, o.pairs),
					       drops ? "  (drops!)" : "");
					printf("{\"bench\": \"dataplane\", \"path\": \"%s\", \"size\": %s%s%s, \"peers\": %u, \"workers\": %u, \"mpps\": %.4f, \"gbps\": %.4f, \"cycles_per_packet\": %.1f, \"aead_mpps\": %.4f, \"ratio\": %.3f, \"avg_payload\": %.2f, \"scaling_vs_1_worker\": %.3f, \"mpps_wall\": %.4f, \"cpu_share\": %.3f, \"order_errors\": %" PRIu64 ", \"drops\": %" PRIu64 ", \"pairs\": %u, \"payload\": \"%s\", \"hugepages\": %s}\n",
					       decrypt ? "decrypt" : "encrypt",
					       o.sizes[si].n_sizes > 1 ? "\"" : "",
					       o.sizes[si].name,
					       o.sizes[si].n_sizes > 1 ? "\"" : "",
					       o.peers[pi], nw, m,
					       median(gb, o.pairs),
					       median(cp, o.pairs),
					       median(ae, o.pairs),
					       median(ra, o.pairs),
					       o.sizes[si].avg, x1,
					       median(mw, o.pairs),
					       median(sh, o.pairs), oerr, drops,
					       o.pairs,
					       cold_payload ? "cold" : "warm",
					       rte_eal_has_hugepages() ? "true" :
									 "false");
					fflush(stdout);
				}
			}
		}
		world_free(&w);
	}
	rte_eal_cleanup();
	return 0;
}
