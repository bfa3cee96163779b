/* SPDX-License-Identifier: MIT */
/*
 * gen_memif's two ports (LAN = port 0, WAN = port 1): setup, ARP (it
 * answers the gateway's requests and announces itself), sending a single
 * frame, and the poll of every RX queue that counts a case's frames and
 * picks up handshake responses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_ethdev.h>
#include <rte_ip.h>

#include "gen_memif.h"

/* Port role (LAN = 0, WAN = 1): MAX_RXQ RX queues, one TX queue, started,
 * link up within 10 s. */
int port_setup(struct gen *g, int role)
{
	struct rte_eth_conf conf;
	struct rte_eth_link link;
	struct port *p = &g->ports[role];
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
					     NULL, g->pool);
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

/* One frame on the port's TX queue 0; -1 if it did not go. */
int send_raw(struct gen *g, int role, const uint8_t *f, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
	char *d;

	if (!m)
		return -1;
	d = rte_pktmbuf_append(m, len);
	if (!d) {
		rte_pktmbuf_free(m);
		return -1;
	}
	memcpy(d, f, len);
	if (rte_eth_tx_burst(g->ports[role].id, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

/* Answer an ARP request for our address on that port. True if m was ARP. */
bool handle_arp(struct gen *g, int role, struct rte_mbuf *m)
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
	rte_ether_addr_copy(&g->ports[role].mac, &reh->src_addr);
	reh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	*ra = *a;
	ra->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&g->ports[role].mac, &ra->arp_data.arp_sha);
	ra->arp_data.arp_sip = mine;
	rte_ether_addr_copy(&a->arp_data.arp_sha, &ra->arp_data.arp_tha);
	ra->arp_data.arp_tip = a->arp_data.arp_sip;
	send_raw(g, role, f, sizeof(f));
	return true;
}

/* Ask for the gateway's address on both ports: it learns ours from the
 * request (RFC 826), so no frame of a timed run waits for ARP. */
void announce(struct gen *g)
{
	uint8_t f[RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr)];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eh + 1);
	int role;

	for (role = 0; role < 2; role++) {
		memset(f, 0, sizeof(f));
		memset(&eh->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
		rte_ether_addr_copy(&g->ports[role].mac, &eh->src_addr);
		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
		a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
		a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		a->arp_hlen = RTE_ETHER_ADDR_LEN;
		a->arp_plen = 4;
		a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
		rte_ether_addr_copy(&g->ports[role].mac, &a->arp_data.arp_sha);
		a->arp_data.arp_sip = role == LAN ? lan_host : wan_peer;
		a->arp_data.arp_tip = role == LAN ? IP4(192, 0, 2, 1) : wan_gw;
		send_raw(g, role, f, sizeof(f));
	}
}

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
unsigned int poll_rx(struct gen *g, struct sink *s,
		     struct wg_msg_response *resp, bool *got_resp)
{
	struct rte_mbuf *m[BURST];
	unsigned int total = 0;
	int role;
	uint16_t q, i, n;

	for (role = 0; role < 2; role++) {
		for (q = 0; q < g->ports[role].nb_rxq; q++) {
			uint64_t c = 0;

			n = rte_eth_rx_burst(g->ports[role].id, q, m, BURST);
			for (i = 0; i < n; i++) {
				if (s && s->role == role && counts(s, m[i])) {
					c++;
				} else if (!handle_arp(g, role, m[i]) &&
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
