/* SPDX-License-Identifier: MIT */
/*
 * The gateway's context: everything one running instance owns, passed by
 * pointer to every part of app/ (no globals). Types shared by more than
 * one file live here; each concern's own API is in its gw_<concern>.h.
 */
#ifndef GW_CTX_H
#define GW_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_cycles.h>

#include <intel-ipsec-mb.h>

#include "wg_addr.h"
#include "wg_config.h"
#include "gw_stats.h"

enum gw_role { GW_LAN = 0, GW_WAN = 1, GW_NB_ROLES = 2 };

enum gw_limits {
	GW_BURST = 32,
	/* a burst's drops, freed together (gw_drop_flush) */
	GW_DROP_BIN = 2 * GW_BURST,
	GW_MAX_WORKERS = 16,
	GW_MAX_RXQ = 16,       /* per port per worker */
	GW_MAX_ADDRS = 8,      /* per port and family */
	GW_RX_DESC = 1024,
	GW_TX_DESC = 1024,
	/* workers -> control packets: one ring per kind (gw_ctrl_kind), so
	 * that no kind crowds out another (gw_ctrl_rings.h) */
	/* as Linux's MAX_QUEUED_INCOMING_HANDSHAKES, and "under load" at
	 * an eighth of it (512) as there: a restart storm's wave arrives
	 * at hundreds of thousands a second, and 1,024 overflowed whenever
	 * the control lcore lost its CPU for 3 ms (perf/storm.sh) */
	GW_HANDSHAKE_RING = 4096,
	GW_LOCAL_RING = 512,   /* ICMP and the rest for our addresses */
	GW_ARP_ND_RING = 256,  /* ARP, IPv6 neighbour discovery */
	GW_STAGE_RING = 1024,  /* packets of peers without a session */
	GW_NEIGH_RING = 512,   /* frames waiting for a neighbour */
	GW_TOO_BIG_RING = 256, /* frames answered with an ICMP error */
	GW_TTL_RING = 256,     /* packets answered with time exceeded */
	/* what all of them hold at most (the mbuf pool counts it) */
	GW_CTRL_RING = GW_HANDSHAKE_RING + GW_LOCAL_RING + GW_STAGE_RING +
		       GW_NEIGH_RING + GW_TOO_BIG_RING + GW_ARP_ND_RING +
		       GW_TTL_RING,
	GW_EVENT_RING = 1024,  /* workers -> control events */
	/* packets held for peers awaiting a handshake (gw_staging.c):
	 * per peer, and over all peers (in the mbuf pool, gw_port.c) */
	GW_STAGED_MAX = 64,
	GW_MAX_PEERS_STAGED = 4096,
	GW_MBUF_CACHE = 256,
	GW_OUTER_V4 = RTE_ETHER_HDR_LEN + 20 + 8 + 16,
	GW_OUTER_V6 = RTE_ETHER_HDR_LEN + 40 + 8 + 16,
};

/* One DPDK port and the addresses we own on it. */
struct gw_port {
	uint16_t port_id;
	enum gw_role role;
	struct rte_ether_addr mac;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint16_t ctrl_txq;           /* the control lcore's own TX queue (none
					* where ctrl_lc.tx_handoff is set) */
	uint16_t frame_mtu;          /* L3 MTU of the port */
	/* our addresses, network order (v4 as uint32_t, v6 as bytes) */
	uint32_t addr4[GW_MAX_ADDRS];
	uint8_t plen4[GW_MAX_ADDRS];
	unsigned int n_addr4;
	uint8_t addr6[GW_MAX_ADDRS][16];
	uint8_t plen6[GW_MAX_ADDRS];
	unsigned int n_addr6;
	uint8_t ll6[16];             /* our link-local address (from the MAC) */
	struct wg_ip gateway;
	bool has_gateway;
};

/*
 * What a worker (and the control lcore, when it sends staged packets)
 * needs to run the data path: its crypto manager, its TX queue on each
 * port and its counters.
 */
struct gw_lcore {
	struct gw_ctx *ctx;
	unsigned int lcore_id;
	unsigned int worker_idx;      /* QSBR thread id, activity slot */
	uint16_t txq;                 /* same queue index on both ports */
	uint16_t rxq[GW_NB_ROLES][GW_MAX_RXQ];
	uint16_t n_rxq[GW_NB_ROLES];
	IMB_MGR *mb;
	struct gw_lcore_stats *stats;
	struct gw_spread *spread;     /* decrypt spreading (gw_spread.c) */
	/* On ports where the control lcore has no TX queue (gw_ctrl_tx.h):
	 * it hands its frames to tx_handoff, and the worker that owns queue
	 * 0 also sends what waits in tx_collect. NULL: nothing of the kind. */
	struct rte_ring *tx_handoff[GW_NB_ROLES];
	struct rte_ring *tx_collect[GW_NB_ROLES];
	/* this worker's per-source initiation limit (gw_hs_limit.h);
	 * NULL: none */
	struct wg_ratelimit *hs_limit;
	/* what this lcore dropped in the call it is in: freed with one
	 * rte_pktmbuf_free_bulk at its end (gw_worker_priv.h's drop) */
	uint16_t n_drop_bin;
	struct rte_mbuf *drop_bin[GW_DROP_BIN];
} __rte_cache_aligned;

/* Tags in mbuf->hash.usr of packets handed to the control lcore. */
enum gw_ctrl_kind {
	GW_CTRL_LOCAL = 1,      /* ARP/ND/ICMP for us: whole frame */
	GW_CTRL_HANDSHAKE = 2,  /* WireGuard type 1..3, mac1 ok: whole frame */
	GW_CTRL_STAGE = 3,      /* inner IP packet of a peer without keys */
	GW_CTRL_NEIGH = 4,      /* frame whose next hop is not resolved */
	GW_CTRL_TOO_BIG = 5,    /* LAN frame over the MTU: ICMP error back */
	/* ARP and ND, which to_control() sorts out of GW_CTRL_LOCAL: an echo
	 * flood must not keep neighbours from being resolved */
	GW_CTRL_ARP_ND = 6,
	/* TTL/hop limit ran out: ICMP time exceeded back; arg is
	 * GW_CTRL_FROM_LAN (whole LAN frame) or the id of the peer whose
	 * decrypted inner packet it is (mbuf data = the IP header) */
	GW_CTRL_TTL = 7,
	GW_CTRL_NB_KINDS = 8,   /* one ring each (0 unused) */
};
#define GW_CTRL_FROM_LAN 0xffffffu /* above any peer id (WG_MAX_PEERS_MAX) */
#define GW_CTRL_TAG(kind, arg) ((uint32_t)(kind) << 24 | ((arg) & 0xffffff))
#define GW_CTRL_KIND(tag) ((tag) >> 24)
#define GW_CTRL_ARG(tag) ((tag) & 0xffffff)

/* Events from workers to the control lcore (fixed-size ring elements). */
enum gw_event_kind {
	GW_EV_ENDPOINT = 1,      /* authenticated packet from a new source */
	GW_EV_KEYPAIR_USED = 2,  /* first packet received on the next keypair */
};
struct gw_event {
	uint16_t kind;
	uint16_t pad;
	uint32_t peer_id;
	uint32_t local_index;
	struct wg_endpoint ep;   /* 20 bytes */
};

struct gw_tables;
struct gw_spread;
struct wg_ratelimit;
struct gw_neigh;
struct gw_control;
struct gw_counters;
struct gw_hs_lanes;
struct gw_hs_backlog;
struct rte_ring;
struct rte_mempool;
struct rte_rcu_qsbr;

struct gw_ctx {
	struct wg_config *cfg;        /* as loaded at start */
	const char *config_path;      /* re-read on SIGHUP (gw_reload.c) */
	struct gw_port port[GW_NB_ROLES];
	struct rte_mempool *pool;
	uint16_t mtu;                 /* inner MTU */
	uint16_t mss4, mss6;          /* TCP MSS clamp, 0: off */
	/* keypairs older than this carry no data (REJECT_AFTER_TIME, or
	 * shorter in tests) */
	uint64_t reject_after_ns;
	uint16_t listen_port;         /* network order; atomic (UAPI) */
	/* HASH(LABEL_MAC1 || our public key), for workers to check mac1;
	 * atomic pointer, NULL without a private key, retired via RCU */
	const uint8_t *mac1_key;

	unsigned int n_workers;
	struct gw_lcore workers[GW_MAX_WORKERS];
	struct gw_lcore ctrl_lc;      /* the control lcore's data-path handle */

	struct rte_rcu_qsbr *qsbr;
	struct gw_tables *tables;
	struct gw_neigh *neigh;
	struct gw_control *control;
	/* lcores taking responder X25519 work (gw_hs_lane.h); NULL: none */
	struct gw_hs_lanes *hs_lanes;
	/* initiations waiting for DH work (gw_hs_backlog.h) */
	struct gw_hs_backlog *hs_backlog;
	struct rte_ring *ctrl_ring[GW_CTRL_NB_KINDS]; /* by gw_ctrl_kind */
	struct rte_ring *event_ring;
	struct gw_stats *stats;
	/* snapshots for telemetry and metrics, served by the control loop */
	struct gw_counters *counters;

	/* per-peer policy (gw_policy.h): the control lcore's book, and what
	 * workers read: the compiled rules (atomic pointer, RCU), the
	 * reflexive entries, whether any peer has a policy (atomic) */
	struct gw_policy *policy;
	struct gw_acl *acl;
	struct gw_flows *flows;
	bool policy_active;

	uint64_t tsc_hz;
	volatile bool quit;
	volatile bool reload_requested;  /* SIGHUP; taken by the control loop */
};

/* Monotonic nanoseconds from the TSC: cheap enough for the data path and
 * the same clock on every lcore. */
static inline uint64_t gw_now_ns(const struct gw_ctx *ctx)
{
	uint64_t c = rte_get_tsc_cycles();

	return c / ctx->tsc_hz * UINT64_C(1000000000) +
	       c % ctx->tsc_hz * UINT64_C(1000000000) / ctx->tsc_hz;
}

#endif /* GW_CTX_H */
