/* SPDX-License-Identifier: MIT */
/*
 * What the files of gen_memif share (what the program does: the comment
 * at the top of gen_memif.c):
 *
 *   gen_frames.c     frame layouts: headers to send, payloads received
 *   gen_ports.c      the two ports: setup, ARP, sending, polling, counting
 *   gen_handshake.c  the WireGuard peer: handshake and session confirmation
 *   gen_case.c       one measured case: frames, timed send, drain, JSON line
 *   gen_memif.c      options and main
 *
 * The generator's state is one struct gen, made in main and handed down.
 */
#ifndef GEN_MEMIF_H
#define GEN_MEMIF_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "wg_messages.h"
#include "wg_noise.h"

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

/* The generator: its options, its two ports (LAN, WAN) and its session
 * with the gateway. */
struct gen {
	struct opts o;
	struct port ports[2];
	struct rte_mempool *pool;
	struct wg_keypair session;
	uint64_t send_counter;      /* the session's next transport counter */
};

/* What the counting loop looks for. */
struct sink {
	int role;           /* port the results come out of */
	uint16_t wg_len;    /* encrypt: transport message length */
	uint64_t out;
	double first, last;
};

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* gen_frames.c */
void put_headers(uint8_t *f, const struct rte_ether_addr *dst,
		 const struct rte_ether_addr *src, rte_be32_t sip,
		 rte_be32_t dip, uint16_t sport, uint16_t dport,
		 uint16_t l4_len, uint16_t ip_id);
void put_inner(uint8_t *p, uint32_t ip_len, rte_be32_t sip, rte_be32_t dip,
	       uint16_t id);
const uint8_t *wg_payload(struct rte_mbuf *m, uint16_t *len);

/* gen_ports.c */
int port_setup(struct gen *g, int role);
int send_raw(struct gen *g, int role, const uint8_t *f, uint16_t len);
void announce(struct gen *g);
/* Answer an ARP request for our address on that port; true if m was ARP
 * (m is the caller's either way). */
bool handle_arp(struct gen *g, int role, struct rte_mbuf *m);
unsigned int poll_rx(struct gen *g, struct sink *s,
		     struct wg_msg_response *resp, bool *got_resp);

/* gen_handshake.c */
int handshake(struct gen *g);

/* gen_case.c */
int run_case(struct gen *g, bool decrypt, uint32_t size);

#endif /* GEN_MEMIF_H */
