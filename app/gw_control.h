/* SPDX-License-Identifier: MIT */
/*
 * The control lcore: handshakes, timers, the packets workers hand over,
 * and the state they work on: the identity and the peer registry (whose
 * API is gw_peer.h; the device API over it gw_device.h). Everything here
 * runs on the main lcore only.
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
	/* where the next tick goes on (a tick visits a bounded number of
	 * peers, gw_control.c); NULL: at the head */
	struct gw_peer *tick_cursor;
	unsigned int n_ticking;
	/* packets staged over all peers (gw_staging.c), at most
	 * GW_MAX_PEERS_STAGED */
	unsigned int n_staged_total;
	struct gw_uapi *uapi;
	uint64_t last_tick_ns;
	uint64_t last_stats_ns;         /* testing.stats_interval dumps */
	uint64_t stats_seq;
	/* TSC cycles of the loop's parts since the last stats dump (logged
	 * with it: where a storm's control time goes) */
	uint64_t cycles_tick, cycles_hs, cycles_uapi;
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
/* One turn of the loop without the timer tick: what workers and
 * handshake lanes handed over, each ring within its budget, and events.
 * Returns how much was taken (benchmarks and tests drive it). */
unsigned int gw_control_poll(struct gw_ctx *ctx);
/* The timer tick's peers (a bounded share of the ticking ones, a pass
 * over them all within 50 ticks); returns how many it visited. */
unsigned int gw_control_tick_peers(struct gw_ctx *ctx, uint64_t now);

#endif /* GW_CONTROL_H */
