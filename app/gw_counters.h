/* SPDX-License-Identifier: MIT */
/*
 * Snapshots of the gateway's live state for the threads that report it:
 * DPDK telemetry (gw_telemetry.c) and GET /metrics (gw_metrics.c). Both
 * read the same snapshots; nothing is collected twice.
 *
 * Those threads are not the control lcore, and peers (with their
 * AllowedIPs and keypairs), the staged packets and the neighbour holds
 * belong to the control lcore, which frees them with no lock. So a
 * reporting thread does not read them itself: it posts a request in a
 * one-slot mailbox and waits, at most GW_SNAP_WAIT_MS, while the control
 * lcore, once per loop iteration, fills the requester's buffer and marks
 * it done. The control lcore never waits for anyone (one atomic load per
 * iteration when nobody asks, a compare-and-swap to take a request); a
 * request costs it at most one slice of GW_SNAP_SLICE peers, so a scrape
 * of 100,000 peers is many short turns between handshakes, never one
 * long stall, and workers are not involved at all.
 */
#ifndef GW_COUNTERS_H
#define GW_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

#include "gw_ctx.h"
#include "gw_device.h"
#include "gw_peer.h"

enum gw_snap_limits {
	GW_SNAP_SLICE = 512,          /* peers per request */
	GW_SNAP_PREFIXES = 8192,      /* AllowedIPs per request */
	GW_SNAP_PEER_PREFIXES = 256,  /* AllowedIPs shown per peer */
	GW_SNAP_SCAN = 65536,         /* peer slots looked at per request */
	GW_SNAP_WAIT_MS = 2000,       /* a requester's wait for the control lcore */
};

/* What one worker did, from its own counters. */
struct gw_worker_snap {
	unsigned int lcore_id;
	uint64_t rx[GW_NB_ROLES];     /* packets, by port */
	uint64_t tx[GW_NB_ROLES];
	uint64_t busy_cycles;         /* TSC cycles of polls with packets */
	uint64_t idle_cycles;         /* of polls without */
	bool spreads;                 /* hands decryption to a helper */
	uint32_t spread_outstanding;  /* chunks in its reorder buffer */
	uint32_t spread_queued;       /* chunks handed to it, not yet taken */
};

/* Everything but the peers. */
struct gw_totals {
	uint64_t c[GW_CTR_MAX];       /* gw_stats.h, summed over lcores */
	uint32_t mbufs_in_use;        /* rte_mempool_in_use_count */
	/* where mbufs are held outside the NIC rings */
	uint32_t mbufs_staged;        /* waiting for a handshake */
	uint32_t mbufs_neighbour;     /* waiting for ARP/ND */
	uint32_t mbufs_control_ring;  /* workers -> control lcore */
	uint32_t events_queued;       /* workers -> control events */
	uint32_t n_peers;
	uint32_t max_peers;
	uint64_t tsc_hz;
	char ifname[GW_DEVICE_NAME_LEN];
	unsigned int n_workers;
	struct gw_worker_snap w[GW_MAX_WORKERS];
};

#define GW_SNAP_NO_KEYPAIR UINT64_MAX

enum gw_kp_slot { GW_KP_CURRENT, GW_KP_PREVIOUS, GW_KP_NEXT, GW_KP_SLOTS };

/* One peer, as `wg show` and the telemetry see it. */
struct gw_peer_snap {
	uint32_t id;                  /* its slot: the index in the log */
	uint8_t public_key[WG_KEY_LEN];
	struct wg_endpoint endpoint;  /* family WG_FAMILY_NONE: none */
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t drops[GW_PDROP_MAX]; /* by gw_peer_drop (gw_peer.h) */
	uint64_t last_handshake_unix_ns; /* 0: never */
	uint64_t kp_age_ns[GW_KP_SLOTS]; /* GW_SNAP_NO_KEYPAIR: empty slot */
	uint32_t staged;              /* packets waiting for its handshake */
	uint32_t n_allowed_ips;       /* all of them */
	uint32_t first_prefix;        /* in the slice's prefixes[] */
	uint32_t n_prefixes;          /* <= GW_SNAP_PEER_PREFIXES */
	uint32_t to_peer_mbit, from_peer_mbit;  /* 0: no limit */
	char acl[WG_ACL_NAME_MAX + 1];          /* "": none */
};

/* A run of peers in slot order, from a cursor. */
struct gw_peer_slice {
	unsigned int n;
	uint32_t next;                /* cursor of the next slice */
	bool done;                    /* no peer after these */
	unsigned int n_prefixes;
	struct gw_peer_snap p[GW_SNAP_SLICE];
	struct wg_prefix prefixes[GW_SNAP_PREFIXES];
};

struct gw_counters;

/* Control lcore, before anyone asks. NULL when out of memory. */
struct gw_counters *gw_counters_create(struct gw_ctx *ctx);
/* From now on every request fails at once with -ESHUTDOWN. */
void gw_counters_close(struct gw_counters *k);
/* After close, once no requester can be inside. */
void gw_counters_free(struct gw_counters *k);

/* Control lcore, once per loop iteration: answer a waiting request. */
void gw_counters_serve(struct gw_counters *k);

/*
 * Any thread but the control lcore and the workers; each waits at most
 * GW_SNAP_WAIT_MS and returns 0, -ETIMEDOUT (the control lcore did not
 * come round) or -ESHUTDOWN (stopping). Concurrent requesters take turns.
 */
int gw_counters_totals(struct gw_counters *k, struct gw_totals *out);
/* Peers from slot cursor on (0: the first); out->next continues. */
int gw_counters_peers(struct gw_counters *k, uint32_t cursor,
		      struct gw_peer_slice *out);
/* One peer, by public key (key != NULL) or by slot id; -ENOENT if none. */
int gw_counters_peer(struct gw_counters *k, const uint8_t *key, uint32_t id,
		     struct gw_peer_slice *out);

#endif /* GW_COUNTERS_H */
