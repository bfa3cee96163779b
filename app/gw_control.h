/* SPDX-License-Identifier: MIT */
/*
 * The control lcore: handshakes, timers, the packets workers hand over,
 * and the internal peer API that the config loader and the UAPI (through
 * gw_device.h) use. Everything here runs on the main lcore only.
 */
#ifndef GW_CONTROL_H
#define GW_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "gw_ctx.h"
#include "gw_device.h"
#include "gw_notify.h"
#include "gw_peer.h"
#include "gw_peer_log.h"
#include "wg_config.h"
#include "wg_cookie.h"
#include "wg_keymap.h"
#include "wg_noise.h"
#include "wg_ratelimit.h"

struct gw_device {
	struct gw_ctx *ctx;
};

struct gw_control {
	struct gw_device dev;
	char name[GW_DEVICE_NAME_LEN];
	struct wg_identity id;
	struct wg_cookie_checker checker;
	struct wg_load_state load;
	struct wg_ratelimit rl;         /* DH work per source under load */
	struct wg_timer_params timer_params; /* every peer's durations */
	/* The peers: a list in insertion order (what `wg show` prints),
	 * public key -> slot in tables->peers[], and the free slots. Every
	 * operation on them is O(1) (gw_peer.c). */
	struct gw_peer *peers;          /* head */
	struct gw_peer *peers_tail;
	unsigned int n_peers;
	uint32_t max_peers;             /* interface.max_peers */
	struct wg_keymap by_key;
	uint32_t *free_ids;             /* FIFO of max_peers slots */
	uint32_t free_head;             /* next to hand out */
	uint32_t n_free;
	struct gw_kp_pool *kp_pool;     /* keypairs (gw_keypair_pool.h) */
	/* The peers the timer tick visits: a peer without keypairs, staged
	 * packets, handshake or armed timer has nothing to tick (no worker
	 * can stamp activity on it either: that takes a keypair), and
	 * leaves the list; whatever can change that wakes it
	 * (gw_peer_wake). With many configured but silent peers the tick
	 * then costs what the live ones do. */
	struct gw_peer *tick_head;
	struct gw_peer *tick_tail;
	unsigned int n_ticking;
	/* packets staged over all peers (gw_staging.c), at most
	 * GW_MAX_PEERS_STAGED */
	unsigned int n_staged_total;
	struct gw_uapi *uapi;
	uint64_t last_tick_ns;
	uint64_t last_stats_ns;         /* testing.stats_interval dumps */
	uint64_t stats_seq;
	struct gw_notify notify;        /* systemd READY=1 / STATUS= */
	struct gw_log_bucket peer_log;  /* per-peer event lines (INFO) */
};

int gw_control_create(struct gw_ctx *ctx);
/* Peers removed, keys wiped, UAPI socket removed. */
void gw_control_free(struct gw_ctx *ctx);
/* Apply the loaded config (identity, port, peers). */
int gw_control_apply_config(struct gw_ctx *ctx, const struct wg_config *cfg);
/* Runs until ctx->quit. */
void gw_control_loop(struct gw_ctx *ctx);

/* ---- peer API (gw_peer.c) */
/* The registry above, for tables->max_peers peers; 0 or -ENOMEM. */
int gw_peers_init(struct gw_ctx *ctx);
/* Every peer removed, registry freed. */
void gw_peers_free(struct gw_ctx *ctx);
struct gw_peer *gw_peer_find(struct gw_ctx *ctx, const uint8_t pub[WG_KEY_LEN]);
/* NULL when max_peers are in (or out of memory); pub must be new. */
struct gw_peer *gw_peer_add(struct gw_ctx *ctx, const uint8_t pub[WG_KEY_LEN]);
/* The same in memory from gw_peer_alloc() (zeroed; rte_free it if this
 * returns NULL), so that a set can allocate before it changes anything. */
struct gw_peer *gw_peer_alloc(void);
struct gw_peer *gw_peer_add_in(struct gw_ctx *ctx,
			       const uint8_t pub[WG_KEY_LEN],
			       struct gw_peer *mem);
/* The slot the k-th next gw_peer_add takes (k from 0) when no peer is
 * removed meanwhile; UINT32_MAX past the free ones. A removal appends
 * its slot after those. */
uint32_t gw_peer_next_id(const struct gw_ctx *ctx, uint32_t k);
/* Put peer on the tick list (no-op when it is); leave it when it has
 * nothing left to tick (gw_peer_dormant). */
void gw_peer_wake(struct gw_ctx *ctx, struct gw_peer *peer);
void gw_peer_sleep(struct gw_ctx *ctx, struct gw_peer *peer);
bool gw_peer_dormant(const struct gw_peer *peer);
/* Removes the peer and its prefixes from the route tables (one batch). */
void gw_peer_remove(struct gw_ctx *ctx, struct gw_peer *peer);
/* The same, for a caller whose own batch takes its prefixes out. */
void gw_peer_remove_unrouted(struct gw_ctx *ctx, struct gw_peer *peer);
/* psk NULL or all zero: none. The key it already has changes nothing. */
void gw_peer_set_psk(struct gw_ctx *ctx, struct gw_peer *peer,
		     const uint8_t *psk);
void gw_peer_set_endpoint(struct gw_ctx *ctx, struct gw_peer *peer,
			  const struct wg_endpoint *ep);
/* An endpoint object for gw_peer_use_endpoint (rte_malloc; NULL when out
 * of memory), which takes it (nep NULL: none; equal to the current one:
 * freed, nothing changes). */
struct wg_endpoint *gw_endpoint_new(const struct wg_endpoint *ep);
void gw_peer_use_endpoint(struct gw_ctx *ctx, struct gw_peer *peer,
			  struct wg_endpoint *nep);
void gw_peer_set_keepalive(struct gw_ctx *ctx, struct gw_peer *peer,
			   uint16_t seconds);
/* The peer's AllowedIPs list (malloc'd, cap entries; taken over, the old
 * one freed). Control-side only: the route tables are the caller's. */
void gw_peer_use_allowed_ips(struct gw_peer *peer, struct wg_prefix *list,
			     uint32_t n, uint32_t cap);
/* Install a freshly derived keypair in the peer's slots. */
int gw_peer_install_keypair(struct gw_ctx *ctx, struct gw_peer *peer,
			    const struct wg_keypair *wkp);
/* The responder's next keypair saw its first packet: make it current. */
bool gw_peer_confirm_next(struct gw_ctx *ctx, struct gw_peer *peer,
			  uint32_t local_index);
/* The same when a worker saw the next keypair's first packet but its
 * event found the ring full (the control tick sweeps for it). */
bool gw_peer_confirm_used_next(struct gw_ctx *ctx, struct gw_peer *peer);
/* Retire every keypair and the handshake (key zeroing, removal). */
void gw_peer_zero_keys(struct gw_ctx *ctx, struct gw_peer *peer);
/* Totals over lcores. */
void gw_peer_bytes(const struct gw_ctx *ctx, const struct gw_peer *peer,
		   uint64_t *rx, uint64_t *tx);
void gw_peer_packets(const struct gw_ctx *ctx, const struct gw_peer *peer,
		     uint64_t *rx, uint64_t *tx);
/* By gw_peer_drop slot (gw_peer_drop_counter names each). */
void gw_peer_drops(const struct gw_ctx *ctx, const struct gw_peer *peer,
		   uint64_t drops[GW_PDROP_MAX]);

/* Identity and port (gw_device.c). */
void gw_control_set_private_key(struct gw_ctx *ctx,
				const uint8_t key[WG_KEY_LEN]);
void gw_control_set_listen_port(struct gw_ctx *ctx, uint16_t port);

#endif /* GW_CONTROL_H */
