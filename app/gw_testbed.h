/* SPDX-License-Identifier: MIT */
/*
 * A gateway context for tests, fuzzers and benchmarks, built the way
 * gw_setup() builds it (gw_lcore.c), in the same order and by the same
 * functions, without a NIC: counters, QSBR, rings, the per-source
 * initiation limit, worker handles with their crypto managers, decrypt
 * spreading, tables, neighbours, the control state, the policy staged and
 * committed from the configuration, and the peers applied from it
 * (gw_control_apply_config: gw_device_set, gw_peer_add, one route batch).
 * What differs is what a NIC would give: the ports' MACs and frame MTU
 * are the caller's, the ports are never started, no lcore is launched.
 *
 * Sessions go in through gw_peer_install_keypair() with keys the caller
 * chooses, so that the caller can make the peer's side of the traffic
 * (gw_testbed_frames.h). Nothing here writes a keypair slot or a table
 * slot by hand: a world built here is one the gateway can be in.
 */
#ifndef GW_TESTBED_H
#define GW_TESTBED_H

#include <stdbool.h>
#include <stdint.h>

#include "gw_ctx.h"
#include "gw_peer.h"
#include "gw_tables.h"
#include "wg_config.h"
#include "wg_noise.h"

/* One port as the config file and the NIC would describe it. */
struct gw_testbed_port {
	uint8_t mac[6];
	uint32_t addr4;            /* host order; 0: none */
	uint8_t plen4;
	uint8_t addr6[16];         /* all zero: none */
	uint8_t plen6;
	uint32_t gateway4;         /* host order; 0: no gateway */
	uint16_t frame_mtu;        /* 0: 1500 */
};

/* One configured peer (what a [peer] section holds). */
struct gw_testbed_peer {
	uint8_t public_key[WG_KEY_LEN];
	struct wg_endpoint endpoint;     /* family WG_FAMILY_NONE: none */
	const struct wg_prefix *allowed_ips;
	uint32_t n_allowed_ips;
};

/* A neighbour whose ARP reply or ND advertisement came in before the
 * peers were applied (so that no solicitation goes to a port that was
 * never started). */
struct gw_testbed_neigh {
	enum gw_role role;
	uint8_t family;            /* WG_FAMILY_V4: addr4, V6: addr6 */
	uint32_t addr4;            /* host order */
	uint8_t addr6[16];
	uint8_t mac[6];
};

struct gw_testbed_opts {
	unsigned int lcores;       /* worker handles built (QSBR threads), >= 1 */
	unsigned int workers;      /* ctx->n_workers at the start, <= lcores;
				    * spreading is set up when >= 2 */
	uint16_t mtu;              /* inner MTU; 0: 1420 */
	uint16_t listen_port;      /* host order; 0: 51820 */
	bool mss_clamp;
	/* testing.reject_after_time (wg_config.h), 0: the protocol's */
	uint32_t reject_after_s;
	const uint8_t *private_key; /* NULL: the interface has none */
	uint32_t max_peers;        /* 0: the config default */
	/* tables of this size instead of what max_peers gives */
	const struct gw_tables_size *size;
	struct gw_testbed_port lan, wan;
	const struct gw_testbed_neigh *neigh;
	unsigned int n_neigh;
	const struct gw_testbed_peer *peers;
	uint32_t n_peers;
	/* the packet pool: the caller's (kept at free), or one made here of
	 * n_mbufs (cache mbuf_cache) with data_room bytes after headroom */
	struct rte_mempool *pool;
	unsigned int n_mbufs;
	unsigned int mbuf_cache;
	uint16_t data_room;        /* 0: RTE_MBUF_DEFAULT_DATAROOM */
};

struct gw_testbed {
	struct gw_ctx *ctx;
	struct rte_mempool *pool;
	unsigned int lcores;
	bool own_pool;
	/* the configuration the context was built from (ctx->cfg) */
	struct wg_config cfg;
};

/* The context of o, or NULL (the reason logged). */
struct gw_testbed *gw_testbed_create(const struct gw_testbed_opts *o);
/* Every peer removed and every key wiped, as gw_teardown does; tables
 * freed (a bench builds one testbed after the other). */
void gw_testbed_free(struct gw_testbed *tb);

/* The configured peer with this key, NULL if none. */
struct gw_peer *gw_testbed_peer(struct gw_testbed *tb,
				const uint8_t pub[WG_KEY_LEN]);
/* Peers added later, as a `wg set` adds them (gw_peer_add, the
 * endpoint, the prefixes in one route batch), all or nothing; 0 or a
 * negative errno. */
int gw_testbed_add_peers(struct gw_testbed *tb,
			 const struct gw_testbed_peer *peers, uint32_t n);
/* A peer removed with its routes, as `wg set ... remove` does. */
void gw_testbed_remove_peer(struct gw_testbed *tb, struct gw_peer *peer);
/* The peer's endpoint set (ep NULL or family NONE: none). */
void gw_testbed_endpoint(struct gw_testbed *tb, struct gw_peer *peer,
			 const struct wg_endpoint *ep);

/* A session as a finished handshake leaves it (gw_peer_install_keypair,
 * as initiator: it becomes current at once). The keys and indices are
 * ours: k->sending_key is what we encrypt with, k->local_index what the
 * peer puts in its messages. Returns the peer's current keypair, NULL on
 * failure. */
struct gw_keypair *gw_testbed_session(struct gw_testbed *tb,
				      struct gw_peer *peer,
				      const struct wg_keypair *k);
/* The same as responder (gw_peer_install_keypair): the keypair waits
 * in kp_next until the peer's first packet on it; returns it. */
struct gw_keypair *gw_testbed_session_next(struct gw_testbed *tb,
					   struct gw_peer *peer,
					   const struct wg_keypair *k);
/* The peer's side of session k: what the peer encrypts with and the
 * receiver index it sends to. */
void gw_testbed_peer_side(const struct wg_keypair *k, struct wg_keypair *out);
/* Every keypair and handshake of the peer retired (key zeroing). */
void gw_testbed_no_session(struct gw_testbed *tb, struct gw_peer *peer);

/* A neighbour resolved as an ARP reply or ND advertisement leaves it;
 * addr in network order (4 or 16 bytes by family). */
bool gw_testbed_neighbour(struct gw_testbed *tb, enum gw_role role,
			  uint8_t family, const void *addr, const uint8_t mac[6]);
bool gw_testbed_neighbour4(struct gw_testbed *tb, enum gw_role role,
			   uint32_t addr_host, const uint8_t mac[6]);

#endif /* GW_TESTBED_H */
