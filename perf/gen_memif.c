/* SPDX-License-Identifier: MIT */
/*
 * gen_memif: traffic source and sink for the end-to-end benchmark
 * (perf/e2e.sh). A separate DPDK process whose two ports face the
 * gateway's LAN and WAN ports (net_memif here; any PMD works).
 *
 *   gen_memif [EAL options] -- --gw-pub B64 --priv B64
 *             --gw-lan-mac MAC --gw-wan-mac MAC
 *             [--path encrypt|decrypt|both] [--sizes 64,512,1420]
 *             [--count N] [--seconds S] [--gw-pid PID] [--no-aead]
 *             [--write-pcap FILE]
 *
 * It is a real WireGuard peer: it answers the gateway's ARP requests on
 * both ports, performs the Noise IK handshake as initiator over the WAN
 * port (lib/wg_noise + lib/wg_cookie), confirms the session (keepalive,
 * then a probe that must come back encrypted), and then, for each size:
 *
 *  encrypt: sends Ethernet/IPv4/UDP frames (inner IP length = size) from
 *           192.0.2.2 to 203.0.113.2 into the gateway's LAN port and
 *           counts the WireGuard transport messages of the right length
 *           that come out of its WAN port;
 *  decrypt: sends transport messages sealed under the session
 *           (lib/wg_transport, counters increasing, built before the
 *           clock starts) into the WAN port and counts the inner frames
 *           to 192.0.2.2 that come out of the LAN port.
 *
 * Sending never drops: a frame the port does not take is offered again.
 * in = frames accepted by our TX, out = frames counted on the other side,
 * dropped = in - out. mpps = out / (last out - first out) on wall time.
 * With --gw-pid, the CPU time of the gateway's worker thread(s)
 * ("rte-worker-*") over the same interval gives mpps_cpu (per second of
 * worker CPU), and ratio = mpps_cpu / (raw AEAD Mpps of this process, same
 * direction and size, per CPU second: perf_aead.h) — the same footing as
 * bench_dataplane. One JSON line per case, "bench": "e2e".
 *
 * --write-pcap FILE writes the WAN frames of the first decrypt case (after
 * the handshake, before sending them) as a pcap, for pktgen-dpdk's pcap
 * mode (perf/README.md): valid only against the gateway instance that
 * made this session, once per counter, until the session expires.
 *
 * Addresses: 192.0.2.0/24 (LAN), 198.51.100.0/24 (WAN), 203.0.113.0/24
 * (the peer's AllowedIPs). Nothing else is ever sent.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "perf_aead.h"
#include "wg_cookie.h"
#include "wg_crypto.h"
#include "wg_keys.h"
#include "wg_noise.h"
#include "wg_transport.h"

enum {
	LAN = 0,
	WAN = 1,
	BURST = 32,
	MAX_SIZES = 8,
	MAX_RXQ = 2,           /* the gateway's TX queues: 1 worker + control */
	MTU = 1420,
	WG_PORT = 51820,
	FRAME_HDR = RTE_ETHER_HDR_LEN + 20 + 8, /* Ethernet + IPv4 + UDP */
};

#define IP4(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static const rte_be32_t lan_host = IP4(192, 0, 2, 2);   /* us, LAN side */
static const rte_be32_t wan_peer = IP4(198, 51, 100, 2); /* us, WAN side */
static const rte_be32_t wan_gw = IP4(198, 51, 100, 1);
static const rte_be32_t tun_host = IP4(203, 0, 113, 2);  /* behind us */

struct opts {
	uint8_t gw_pub[WG_KEY_LEN];
	uint8_t priv[WG_KEY_LEN];
	struct rte_ether_addr gw_mac[2];
	bool enc, dec, aead;
	uint32_t sizes[MAX_SIZES];
	unsigned int n_sizes;
	uint64_t count;
	double seconds;
	int gw_pid;
	const char *pcap;
};

struct port {
	uint16_t id;
	uint16_t nb_rxq;
	struct rte_ether_addr mac;
};

static struct opts o;
static struct port ports[2];
static struct rte_mempool *pool;
static struct wg_keypair session;
static uint64_t send_counter;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t unix_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------ frames */

/* Ethernet + IPv4 + UDP headers in front of l4_len bytes of UDP payload. */
static void put_headers(uint8_t *f, const struct rte_ether_addr *dst,
			const struct rte_ether_addr *src, rte_be32_t sip,
			rte_be32_t dip, uint16_t sport, uint16_t dport,
			uint16_t l4_len, uint16_t ip_id)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(src, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + 8 + l4_len));
	ip->packet_id = rte_cpu_to_be_16(ip_id);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = sip;
	ip->dst_addr = dip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + l4_len));
	udp->dgram_cksum = 0; /* none: allowed for IPv4 */
}

/* An inner IPv4/UDP packet of ip_len bytes (>= 28). */
static void put_inner(uint8_t *p, uint32_t ip_len, rte_be32_t sip,
		      rte_be32_t dip, uint16_t id)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	memset(p, 0, ip_len);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)ip_len);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = sip;
	ip->dst_addr = dip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = RTE_BE16(9);
	udp->dst_port = RTE_BE16(9); /* discard */
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - 20));
}

static int send_raw(int role, const uint8_t *f, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *d;

	if (!m)
		return -1;
	d = rte_pktmbuf_append(m, len);
	if (!d) {
		rte_pktmbuf_free(m);
		return -1;
	}
	memcpy(d, f, len);
	if (rte_eth_tx_burst(ports[role].id, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

/* Answer an ARP request for our address on that port. True if m was ARP. */
static bool handle_arp(int role, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eh + 1);
	rte_be32_t mine = role == LAN ? lan_host : wan_peer;
	uint8_t f[RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr)];
	struct rte_ether_hdr *reh = (struct rte_ether_hdr *)f;
	struct rte_arp_hdr *ra = (struct rte_arp_hdr *)(reh + 1);

	if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_ARP))
		return false;
	if (m->data_len < sizeof(f) ||
	    a->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) ||
	    a->arp_data.arp_tip != mine)
		return true;
	rte_ether_addr_copy(&a->arp_data.arp_sha, &reh->dst_addr);
	rte_ether_addr_copy(&ports[role].mac, &reh->src_addr);
	reh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	*ra = *a;
	ra->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&ports[role].mac, &ra->arp_data.arp_sha);
	ra->arp_data.arp_sip = mine;
	rte_ether_addr_copy(&a->arp_data.arp_sha, &ra->arp_data.arp_tha);
	ra->arp_data.arp_tip = a->arp_data.arp_sip;
	send_raw(role, f, sizeof(f));
	return true;
}

/* Ask for the gateway's address on both ports: it learns ours from the
 * request (RFC 826), so no frame of a timed run waits for ARP. */
static void announce(void)
{
	uint8_t f[RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr)];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eh + 1);
	int role;

	for (role = 0; role < 2; role++) {
		memset(f, 0, sizeof(f));
		memset(&eh->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
		rte_ether_addr_copy(&ports[role].mac, &eh->src_addr);
		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
		a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
		a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		a->arp_hlen = RTE_ETHER_ADDR_LEN;
		a->arp_plen = 4;
		a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
		rte_ether_addr_copy(&ports[role].mac, &a->arp_data.arp_sha);
		a->arp_data.arp_sip = role == LAN ? lan_host : wan_peer;
		a->arp_data.arp_tip = role == LAN ? IP4(192, 0, 2, 1) : wan_gw;
		send_raw(role, f, sizeof(f));
	}
}

/* The UDP payload of a frame from the gateway's WAN address to our WAN
 * port, or NULL. */
static const uint8_t *wg_payload(struct rte_mbuf *m, uint16_t *len)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eh + 1);
	const struct rte_udp_hdr *udp;
	uint16_t ihl;

	if (m->data_len < FRAME_HDR ||
	    eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    ip->next_proto_id != IPPROTO_UDP || ip->src_addr != wan_gw)
		return NULL;
	ihl = (uint16_t)((ip->version_ihl & 0xf) * 4);
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + ihl);
	if (RTE_ETHER_HDR_LEN + ihl + 8u > m->data_len ||
	    udp->dst_port != RTE_BE16(WG_PORT))
		return NULL;
	*len = (uint16_t)(rte_be_to_cpu_16(udp->dgram_len) - 8);
	if ((const uint8_t *)(udp + 1) + *len >
	    rte_pktmbuf_mtod(m, const uint8_t *) + m->data_len)
		return NULL;
	return (const uint8_t *)(udp + 1);
}

/* What the counting loop looks for. */
struct sink {
	int role;           /* port the results come out of */
	uint16_t wg_len;    /* encrypt: transport message length */
	uint64_t out;
	double first, last;
};

static bool counts(const struct sink *s, struct rte_mbuf *m)
{
	if (s->role == WAN) {
		uint16_t len;
		const uint8_t *p = wg_payload(m, &len);

		return p && p[0] == WG_MSG_TRANSPORT && len == s->wg_len;
	} else {
		const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		const struct rte_ipv4_hdr *ip =
			(const struct rte_ipv4_hdr *)(eh + 1);

		return m->data_len >= RTE_ETHER_HDR_LEN + 20 &&
		       eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
		       ip->dst_addr == lan_host && ip->src_addr == tun_host;
	}
}

/* Poll every RX queue of both ports: ARP answered, counted frames
 * counted (s may be NULL), a handshake response copied to resp (may be
 * NULL), everything else freed. Returns frames received. */
static unsigned int poll_rx(struct sink *s, struct wg_msg_response *resp,
			    bool *got_resp)
{
	struct rte_mbuf *m[BURST];
	unsigned int total = 0;
	int role;
	uint16_t q, i, n;

	for (role = 0; role < 2; role++) {
		for (q = 0; q < ports[role].nb_rxq; q++) {
			uint64_t c = 0;

			n = rte_eth_rx_burst(ports[role].id, q, m, BURST);
			for (i = 0; i < n; i++) {
				if (s && s->role == role && counts(s, m[i])) {
					c++;
				} else if (!handle_arp(role, m[i]) &&
					   role == WAN && resp) {
					uint16_t len;
					const uint8_t *p = wg_payload(m[i], &len);

					if (p && len == WG_MSG_RESPONSE_LEN &&
					    p[0] == WG_MSG_RESPONSE) {
						memcpy(resp, p, len);
						*got_resp = true;
					}
				}
				rte_pktmbuf_free(m[i]);
			}
			if (c) {
				double t = now_s();

				if (!s->out)
					s->first = t;
				s->last = t;
				s->out += c;
			}
			total += n;
		}
	}
	return total;
}

/* ------------------------------------------------------------ handshake */

static void send_wg(const uint8_t *msg, uint16_t len)
{
	uint8_t f[FRAME_HDR + 256];

	put_headers(f, &o.gw_mac[WAN], &ports[WAN].mac, wan_peer,
		    wan_gw, WG_PORT, WG_PORT, len, 0);
	memcpy(f + FRAME_HDR, msg, len);
	send_raw(WAN, f, (uint16_t)(FRAME_HDR + len));
}

/* The responder may use a session only after its first packet from us:
 * send a keepalive and a LAN probe every 100 ms until the probe comes out
 * of the WAN port encrypted (10 s at most). */
static int confirm(void)
{
	uint8_t ka[WG_MSG_TRANSPORT_MIN_LEN];
	uint8_t f[RTE_ETHER_HDR_LEN + 64];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct sink s = { .role = WAN,
			  .wg_len = (uint16_t)wg_transport_sealed_len(64, MTU) };
	double start = now_s(), sent = 0;

	rte_ether_addr_copy(&o.gw_mac[LAN], &eh->dst_addr);
	rte_ether_addr_copy(&ports[LAN].mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	put_inner(f + RTE_ETHER_HDR_LEN, 64, lan_host, tun_host, 0);
	while (now_s() - start < 10) {
		if (now_s() - sent >= 0.1) {
			wg_transport_seal(&session, send_counter++, NULL, 0,
					  MTU, ka);
			send_wg(ka, sizeof(ka));
			send_raw(LAN, f, sizeof(f));
			sent = now_s();
		}
		poll_rx(&s, NULL, NULL);
		if (s.out)
			return 0;
	}
	fprintf(stderr, "gen_memif: session not confirmed within 10 s\n");
	return -1;
}

/* Initiation → response → keypair, then a keepalive so that the gateway
 * (responder) may use the session. Retries every second, 10 s at most. */
static int handshake(void)
{
	struct wg_identity id;
	struct wg_handshake hs;
	struct wg_cookie_maker cm;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	uint32_t sender;
	double start = now_s(), sent = 0;
	bool got = false;
	enum wg_noise_result r;

	wg_identity_set(&id, o.priv);
	wg_handshake_init(&hs, &id, o.gw_pub, NULL);
	wg_cookie_maker_init(&cm, o.gw_pub);
	announce();
	randombytes_buf(&sender, sizeof(sender));
	while (now_s() - start < 10) {
		if (now_s() - sent >= 1) {
			r = wg_noise_create_initiation(&hs, &id, &init, sender,
						       unix_ns(), NULL);
			if (r != WG_NOISE_OK) {
				fprintf(stderr, "gen_memif: initiation: %s\n",
					wg_noise_result_str(r));
				return -1;
			}
			wg_cookie_add_macs(&cm, (uint8_t *)&init, sizeof(init),
					   unix_ns());
			send_wg((const uint8_t *)&init, sizeof(init));
			sent = now_s();
		}
		poll_rx(NULL, &resp, &got);
		if (!got)
			continue;
		got = false;
		r = wg_noise_consume_response(&hs, &id, &resp);
		if (r != WG_NOISE_OK) {
			fprintf(stderr, "gen_memif: response: %s\n",
				wg_noise_result_str(r));
			continue;
		}
		r = wg_noise_derive_keypair(&hs, &session);
		if (r != WG_NOISE_OK)
			return -1;
		wg_handshake_destroy(&hs);
		wg_cookie_maker_wipe(&cm);
		wg_identity_clear(&id);
		return confirm();
	}
	fprintf(stderr, "gen_memif: no handshake response within 10 s\n");
	return -1;
}

/* ------------------------------------------------------------ one case */

/* utime + stime of the gateway's worker threads, in seconds; < 0 if
 * unknown. */
static double worker_cpu(void)
{
	char path[64], buf[512];
	struct dirent *de;
	double sum = 0;
	bool found = false;
	DIR *d;

	if (o.gw_pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/task", o.gw_pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		FILE *f;
		char *p;
		unsigned long ut, st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(buf, sizeof(buf), "/proc/%d/task/%s/comm", o.gw_pid,
			 de->d_name);
		f = fopen(buf, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		/* EAL names them "rte-worker-N" (22.11), "lcore-worker-N"
		 * (older releases) */
		if (!p || (strncmp(buf, "rte-worker", 10) != 0 &&
			   strncmp(buf, "lcore-worker", 12) != 0))
			continue;
		snprintf(buf, sizeof(buf), "/proc/%d/task/%s/stat", o.gw_pid,
			 de->d_name);
		f = fopen(buf, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		p = p ? strrchr(buf, ')') : NULL;
		/* fields 14 and 15 (utime, stime); p is at the end of field 2 */
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				&ut, &st) == 2) {
			sum += (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
			found = true;
		}
	}
	closedir(d);
	return found ? sum : -1;
}

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double aead_ref(uint32_t size, bool decrypt)
{
	struct perf_aead_mix mix = { "e2e", &size, 1 };
	struct perf_aead_cfg cfg = { .arch = PERF_AEAD_ARCH_AUTO,
				     .api = PERF_AEAD_API_JOB, .burst = BURST,
				     .peers = 1, .max_seconds = 0.2,
				     .runs = 3 };
	struct perf_aead_result res;

	if (perf_aead_measure(&cfg, decrypt ? PERF_AEAD_DECRYPT :
					      PERF_AEAD_ENCRYPT,
			      &mix, &res) != 0)
		return 0;
	return res.mpps;
}

static void write_pcap(const uint8_t *frames, size_t stride,
		       const uint16_t *lens, uint64_t n)
{
	FILE *f = fopen(o.pcap, "wb");
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	uint64_t i;

	if (!f) {
		fprintf(stderr, "gen_memif: %s: %s\n", o.pcap, strerror(errno));
		return;
	}
	fwrite(gh, sizeof(gh), 1, f);
	for (i = 0; i < n; i++) {
		uint32_t rh[4] = { (uint32_t)(i / 1000000),
				   (uint32_t)(i % 1000000), lens[i], lens[i] };

		fwrite(rh, sizeof(rh), 1, f);
		fwrite(frames + i * stride, lens[i], 1, f);
	}
	fclose(f);
	fprintf(stderr, "gen_memif: wrote %" PRIu64 " WAN frames to %s\n", n,
		o.pcap);
}

static int run_case(bool decrypt, uint32_t size)
{
	const int in_role = decrypt ? WAN : LAN;
	uint64_t n = o.count, sent = 0, i;
	size_t wg_len = wg_transport_sealed_len(size, MTU);
	size_t flen = decrypt ? FRAME_HDR + wg_len : RTE_ETHER_HDR_LEN + size;
	size_t stride = RTE_ALIGN_CEIL(flen, 64);
	uint8_t *frames = NULL;
	uint16_t *lens = NULL;
	uint8_t tmpl[RTE_ETHER_HDR_LEN + MTU];
	struct sink s = { .role = decrypt ? LAN : WAN,
			  .wg_len = (uint16_t)wg_len };
	struct rte_mbuf *m[BURST];
	unsigned int pend = 0, pend_off = 0;
	double aead = 0, t0, t1, cpu0, cpu1, gcpu0, gcpu1, quiet, mpps;
	double mpps_cpu = 0;
	uint8_t inner[MTU];

	if (size < 28 || size > MTU) {
		fprintf(stderr, "gen_memif: size %u outside 28..%d\n", size,
			MTU);
		return -1;
	}
	if (decrypt) {
		/* every frame sealed before the clock starts */
		frames = malloc(stride * n);
		lens = malloc(sizeof(*lens) * n);
		if (!frames || !lens) {
			free(frames);
			free(lens);
			return -1;
		}
		for (i = 0; i < n; i++) {
			uint8_t *f = frames + i * stride;

			put_inner(inner, size, tun_host, lan_host,
				  (uint16_t)i);
			wg_transport_seal(&session, send_counter++, inner, size,
					  MTU, f + FRAME_HDR);
			put_headers(f, &o.gw_mac[WAN], &ports[WAN].mac,
				    wan_peer, wan_gw, WG_PORT, WG_PORT,
				    (uint16_t)wg_len, 0);
			lens[i] = (uint16_t)flen;
			if ((i & 0xffff) == 0)
				poll_rx(NULL, NULL, NULL); /* keep ARP alive */
		}
		if (o.pcap) {
			write_pcap(frames, stride, lens, n);
			o.pcap = NULL;
		}
	} else {
		put_inner(tmpl + RTE_ETHER_HDR_LEN, size, lan_host, tun_host,
			  0);
		rte_ether_addr_copy(&o.gw_mac[LAN],
				    &((struct rte_ether_hdr *)tmpl)->dst_addr);
		rte_ether_addr_copy(&ports[LAN].mac,
				    &((struct rte_ether_hdr *)tmpl)->src_addr);
		((struct rte_ether_hdr *)tmpl)->ether_type =
			RTE_BE16(RTE_ETHER_TYPE_IPV4);
	}
	if (o.aead)
		aead = aead_ref(size, decrypt);

	/* let whatever is in flight settle, then go */
	quiet = now_s();
	while (now_s() - quiet < 0.05)
		poll_rx(NULL, NULL, NULL);
	cpu0 = worker_cpu();
	gcpu0 = thread_cpu();
	t0 = now_s();
	while (sent < n && now_s() - t0 < o.seconds) {
		if (!pend) {
			unsigned int k = (unsigned int)RTE_MIN((uint64_t)BURST,
							       n - sent);

			if (rte_pktmbuf_alloc_bulk(pool, m, k) != 0) {
				poll_rx(&s, NULL, NULL);
				continue;
			}
			for (i = 0; i < k; i++) {
				const uint8_t *src =
					decrypt ? frames + (sent + i) * stride :
						  tmpl;
				char *d = rte_pktmbuf_append(m[i],
							     (uint16_t)flen);

				rte_memcpy(d, src, flen);
			}
			pend = k;
			pend_off = 0;
		}
		{
			uint16_t k = rte_eth_tx_burst(ports[in_role].id, 0,
						      m + pend_off,
						      (uint16_t)pend);

			pend -= k;
			pend_off += k;
			sent += k;
		}
		poll_rx(&s, NULL, NULL);
	}
	if (pend)
		rte_pktmbuf_free_bulk(m + pend_off, pend);
	/* drain: until 100 ms without a counted frame, 2 s at most */
	quiet = now_s();
	while (now_s() - quiet < 2 &&
	       now_s() - (s.out ? s.last : quiet) < 0.1)
		poll_rx(&s, NULL, NULL);
	cpu1 = worker_cpu();
	gcpu1 = thread_cpu();
	t1 = now_s();

	mpps = s.out > 1 && s.last > s.first ?
		       (double)s.out / (s.last - s.first) / 1e6 : 0;
	if (cpu0 >= 0 && cpu1 > cpu0)
		mpps_cpu = (double)s.out / (cpu1 - cpu0) / 1e6;
	printf("{\"bench\": \"e2e\", \"path\": \"%s\", \"size\": %u, "
	       "\"peers\": 1, \"workers\": 1, \"mpps\": %.4f, "
	       "\"gbps\": %.4f, \"in\": %" PRIu64 ", \"out\": %" PRIu64
	       ", \"dropped\": %" PRId64 ", \"mpps_cpu\": %.4f, "
	       "\"worker_cpu_s\": %.3f, \"seconds\": %.3f, "
	       "\"aead_mpps\": %.4f, \"ratio\": %.4f, \"ratio_wall\": %.4f, "
	       "\"worker_cpu_share\": %.3f, \"gen_cpu_share\": %.3f}\n",
	       decrypt ? "decrypt" : "encrypt", size, mpps,
	       mpps * size * 8 / 1e3, sent, s.out, (int64_t)(sent - s.out),
	       mpps_cpu, cpu0 >= 0 ? cpu1 - cpu0 : -1.0, s.last - s.first,
	       aead, aead > 0 && mpps_cpu > 0 ? mpps_cpu / aead : 0,
	       aead > 0 ? mpps / aead : 0,
	       cpu0 >= 0 ? (cpu1 - cpu0) / (t1 - t0) : -1.0,
	       (gcpu1 - gcpu0) / (t1 - t0));
	fflush(stdout);
	free(frames);
	free(lens);
	return 0;
}

/* ------------------------------------------------------------ setup */

static int port_setup(int role)
{
	struct rte_eth_conf conf;
	struct rte_eth_link link;
	struct port *p = &ports[role];
	double start;
	uint16_t q;
	int ret;

	memset(&conf, 0, sizeof(conf));
	p->id = (uint16_t)role;
	p->nb_rxq = MAX_RXQ;
	ret = rte_eth_dev_configure(p->id, p->nb_rxq, 1, &conf);
	if (ret < 0)
		return ret;
	for (q = 0; q < p->nb_rxq; q++) {
		ret = rte_eth_rx_queue_setup(p->id, q, 1024, rte_socket_id(),
					     NULL, pool);
		if (ret < 0)
			return ret;
	}
	ret = rte_eth_tx_queue_setup(p->id, 0, 1024, rte_socket_id(), NULL);
	if (ret < 0)
		return ret;
	ret = rte_eth_dev_start(p->id);
	if (ret < 0)
		return ret;
	rte_eth_macaddr_get(p->id, &p->mac);
	start = now_s();
	do {
		rte_eth_link_get_nowait(p->id, &link);
		if (link.link_status)
			return 0;
		usleep(10000);
	} while (now_s() - start < 10);
	fprintf(stderr, "gen_memif: port %u: no link within 10 s\n", p->id);
	return -ETIMEDOUT;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: gen_memif [EAL options] -- --gw-pub B64 --priv B64 "
		"--gw-lan-mac MAC --gw-wan-mac MAC [--path encrypt|decrypt|both] "
		"[--sizes 64,512,1420] [--count N] [--seconds S] [--gw-pid PID] "
		"[--no-aead] [--write-pcap FILE]\n");
	exit(2);
}

static void parse(int argc, char **argv)
{
	bool pub = false, priv = false, mac[2] = { false, false };
	int i;

	o.enc = o.dec = o.aead = true;
	o.count = 1000000;
	o.seconds = 3;
	o.sizes[0] = 64;
	o.sizes[1] = 512;
	o.sizes[2] = 1420;
	o.n_sizes = 3;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-aead")) {
			o.aead = false;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--gw-pub")) {
			pub = wg_key_from_base64(o.gw_pub, v);
		} else if (!strcmp(a, "--priv")) {
			priv = wg_key_from_base64(o.priv, v);
		} else if (!strcmp(a, "--gw-lan-mac")) {
			mac[0] = rte_ether_unformat_addr(v, &o.gw_mac[LAN]) == 0;
		} else if (!strcmp(a, "--gw-wan-mac")) {
			mac[1] = rte_ether_unformat_addr(v, &o.gw_mac[WAN]) == 0;
		} else if (!strcmp(a, "--path")) {
			o.enc = !strcmp(v, "encrypt") || !strcmp(v, "both");
			o.dec = !strcmp(v, "decrypt") || !strcmp(v, "both");
			if (!o.enc && !o.dec)
				usage();
		} else if (!strcmp(a, "--sizes")) {
			char *dup = strdup(v), *tok, *save = NULL;

			o.n_sizes = 0;
			for (tok = strtok_r(dup, ",", &save);
			     tok && o.n_sizes < MAX_SIZES;
			     tok = strtok_r(NULL, ",", &save))
				o.sizes[o.n_sizes++] =
					(uint32_t)strtoul(tok, NULL, 10);
			free(dup);
		} else if (!strcmp(a, "--count")) {
			o.count = strtoull(v, NULL, 10);
		} else if (!strcmp(a, "--seconds")) {
			o.seconds = strtod(v, NULL);
		} else if (!strcmp(a, "--gw-pid")) {
			o.gw_pid = atoi(v);
		} else if (!strcmp(a, "--write-pcap")) {
			o.pcap = v;
		} else {
			usage();
		}
	}
	if (!pub || !priv || !mac[0] || !mac[1] || !o.n_sizes || !o.count)
		usage();
}

int main(int argc, char **argv)
{
	unsigned int i;
	int ret, status = 0;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "gen_memif: EAL init failed\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	parse(argc, argv);
	if (wg_crypto_init() != 0 || rte_eth_dev_count_avail() < 2) {
		fprintf(stderr, "gen_memif: needs libsodium and two ports (LAN = port 0, WAN = port 1)\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("gen_pool", 16383, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (!pool || port_setup(LAN) < 0 || port_setup(WAN) < 0) {
		fprintf(stderr, "gen_memif: port setup failed\n");
		return 1;
	}
	if (handshake() != 0)
		return 1;
	fprintf(stderr, "gen_memif: session up (local index %08x, remote %08x)\n",
		session.local_index, session.remote_index);
	for (i = 0; i < o.n_sizes; i++) {
		if (o.enc && run_case(false, o.sizes[i]) != 0)
			status = 1;
		if (o.dec && run_case(true, o.sizes[i]) != 0)
			status = 1;
	}
	wg_keypair_wipe(&session);
	rte_eth_dev_stop(ports[LAN].id);
	rte_eth_dev_stop(ports[WAN].id);
	rte_eal_cleanup();
	return status;
}
