/* SPDX-License-Identifier: MIT */
/*
 * bench_dataplane's world: for one peer count, a gateway context built by
 * app/gw_testbed.c as gw_setup builds one (ports described, neighbours
 * resolved, one ipsec-mb manager per worker), the peers added one after
 * the other as `wg set` adds them (gw_peer_add, endpoint, one route batch
 * each), each with its session installed through gw_peer_install_keypair.
 *
 * The 100,000-peer case: 1,000,000 IPv4 prefixes (10 per peer: nine /24
 * and one /24 or /28). These prefixes and the peers' endpoints
 * (203.0.113.0/24) never leave the process: nothing is sent anywhere.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "bench_dataplane.h"
#include "gw_testbed.h"

/* Peer p's prefix j's length: every 100th is a /28. */
static uint8_t prefix_len(uint32_t p, unsigned int j)
{
	return (p * PREFIXES_PER_PEER + j) % 100 == 99 ? 28 : 24;
}

/* Keys that differ per peer and purpose; their values do not matter. */
static void fill_key(uint8_t *k, uint32_t p, uint8_t salt)
{
	unsigned int i;

	for (i = 0; i < WG_KEY_LEN; i++)
		k[i] = (uint8_t)(p * 131 + i * 7 + salt);
	/* distinct public keys however the bytes above repeat */
	memcpy(k + WG_KEY_LEN - 4, &p, 4);
}

void world_keys(uint32_t p, struct wg_keypair *k)
{
	memset(k, 0, sizeof(*k));
	fill_key(k->sending_key, p, 1);
	fill_key(k->receiving_key, p, 2);
	k->local_index = p + 1;
	k->remote_index = 0x80000000u + p;
}

/* The configured peers: key, endpoint, PREFIXES_PER_PEER prefixes. */
static struct gw_testbed_peer *peers_config(struct world *w,
					    struct wg_prefix **pfx_out)
{
	struct gw_testbed_peer *tp = calloc(w->n_peers, sizeof(*tp));
	struct wg_prefix *pfx = calloc((size_t)w->n_peers * PREFIXES_PER_PEER,
				       sizeof(*pfx));
	uint32_t p, n = 0;
	unsigned int j;

	*pfx_out = pfx;
	if (!tp || !pfx) {
		free(tp);
		return NULL;
	}
	for (p = 0; p < w->n_peers; p++) {
		uint32_t ep_ip = rte_cpu_to_be_32(RTE_IPV4(203, 0, 113,
							   1 + p % 250));

		fill_key(tp[p].public_key, p, 3);
		w->eps[p].family = WG_FAMILY_V4;
		memcpy(w->eps[p].addr, &ep_ip, 4);
		w->eps[p].port = (uint16_t)(1024 + p / 250);
		tp[p].endpoint = w->eps[p];
		tp[p].allowed_ips = &pfx[n];
		tp[p].n_allowed_ips = PREFIXES_PER_PEER;
		for (j = 0; j < PREFIXES_PER_PEER; j++) {
			uint32_t be = rte_cpu_to_be_32(prefix_addr(p, j));

			pfx[n].family = WG_FAMILY_V4;
			memcpy(pfx[n].addr, &be, 4);
			pfx[n++].cidr = prefix_len(p, j);
		}
	}
	return tp;
}

/* n_peers peers, each with a current keypair, an endpoint, a receiver
 * index and PREFIXES_PER_PEER AllowedIPs prefixes. */
int world_build(struct world *w, uint32_t n_peers)
{
	struct gw_tables_size sz = {
		.peers = n_peers,
		.routes4 = n_peers * PREFIXES_PER_PEER + 64,
		.tbl8s4 = 1 << 14,
		.indices = 4 * n_peers,
	};
	struct gw_testbed_neigh nb[2] = {
		{ .role = GW_WAN, .family = WG_FAMILY_V4, .addr4 = WAN_ROUTER },
		{ .role = GW_LAN, .family = WG_FAMILY_V4, .addr4 = LAN_HOST },
	};
	struct gw_testbed_opts o = {
		.lcores = 2, .workers = 1, .mtu = MTU, .listen_port = LISTEN,
		.max_peers = n_peers, .size = &sz, .pool = w->pool,
		/* the test-only knob: on a loaded machine a world can live
		 * past REJECT_AFTER_TIME (180 s), and its packets would be
		 * dropped as expired */
		.reject_after_s = UINT32_MAX,
		.lan = { .addr4 = LAN_ADDR, .plen4 = 24 },
		.wan = { .addr4 = WAN_ADDR, .plen4 = 24, .gateway4 = WAN_ROUTER },
		.neigh = nb, .n_neigh = 2,
	};
	struct gw_testbed_peer *tp;
	struct wg_prefix *pfx;
	uint64_t t0 = rte_rdtsc();
	uint32_t p;

	w->n_peers = n_peers;
	w->kps = calloc(n_peers, sizeof(*w->kps));
	w->eps = calloc(n_peers, sizeof(*w->eps));
	if (!w->kps || !w->eps)
		return -ENOMEM;
	tp = peers_config(w, &pfx);
	if (!tp)
		return -ENOMEM;
	memcpy(o.lan.mac, lan_mac, 6);
	memcpy(o.wan.mac, wan_mac, 6);
	memcpy(nb[0].mac, router_mac, 6);
	memcpy(nb[1].mac, host_mac, 6);
	w->tb = gw_testbed_create(&o);
	if (!w->tb) {
		free(tp);
		free(pfx);
		return -EINVAL;
	}
	w->ctx = w->tb->ctx;
	/* peer after peer, each one's handshake right after it came in:
	 * a peer, its endpoint and its keypair next to each other in the
	 * heap. (All peers of a config file first, the keypairs later,
	 * costs ~5% in the 100,000-peer decrypt case under --no-huge: one
	 * more page per packet.) */
	for (p = 0; p < n_peers; p++) {
		struct gw_peer *peer;
		struct wg_keypair k;

		if (gw_testbed_add_peers(w->tb, &tp[p], 1) != 0)
			break;
		peer = gw_testbed_peer(w->tb, tp[p].public_key);
		world_keys(p, &k);
		w->kps[p] = peer ? gw_testbed_session(w->tb, peer, &k) : NULL;
		if (!w->kps[p])
			break;
	}
	free(tp);
	free(pfx);
	if (p < n_peers)
		return -ENOSPC;
	printf("# %u peer(s), %u AllowedIPs prefixes, index table and keys built in %.2f s\n",
	       n_peers, n_peers * PREFIXES_PER_PEER,
	       (double)(rte_rdtsc() - t0) / (double)rte_get_tsc_hz());
	return 0;
}

void world_free(struct world *w)
{
	gw_testbed_free(w->tb);
	w->tb = NULL;
	w->ctx = NULL;
	free(w->kps);
	free(w->eps);
	w->kps = NULL;
	w->eps = NULL;
}
