/* SPDX-License-Identifier: MIT */
/*
 * A peer, in two parts: the data-plane part that workers read lock-free
 * (keypair slots, endpoint, per-lcore activity), and the control part
 * that only the control lcore touches (Noise handshake, cookie, timers,
 * AllowedIPs list, staged packets).
 */
#ifndef GW_PEER_H
#define GW_PEER_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "gw_ctx.h"
#include "gw_rate.h"
#include "wg_addr.h"
#include "wg_cookie.h"
#include "wg_noise.h"
#include "wg_replay.h"
#include "wg_timers.h"

/* A transport session as workers use it. Immutable once published except
 * for the sending counter and the replay window. Laid out for the data
 * path, one line per direction, so that with many peers a packet costs as
 * few misses as possible and no core writes a line another direction
 * reads: line 0 is everything encryption touches, the sending counter
 * included (every encrypting worker takes it with one fetch-add per
 * burst, so it bounces between encrypting cores anyway, and keeping it
 * next to the key saves a miss per packet); line 1 is everything
 * decryption reads before the replay window (its own copies of birth and
 * peer, so that it never reads the line encryptors write) and the
 * replay window's `top`, which every check compares against; the
 * window's slots, written by decrypting workers, follow. With the
 * window aligned to its own line, `top` shared a line with slots 0..6
 * only, so a real counter's check cost a second miss. Set identity and
 * birth with gw_kp_born(), which fills both copies. */
struct gw_keypair {
	/* line 0: encryption */
	uint8_t send_key[WG_KEY_LEN];
	uint64_t send_counter;           /* atomic fetch-add */
	uint64_t birth_ns;               /* gw_now_ns */
	uint32_t remote_index;
	uint32_t peer_id;
	bool we_are_initiator;
	/* line 1: decryption */
	uint8_t recv_key[WG_KEY_LEN] __rte_cache_aligned;
	uint64_t rx_birth_ns;            /* = birth_ns */
	uint32_t rx_peer_id;             /* = peer_id */
	uint32_t local_index;
	uint8_t used_reported;           /* worker told control it is used */
	bool from_pool;                  /* gw_keypair_pool.c's, not a test's */
	struct wg_replay replay;         /* its `top` still in line 1 */
} __rte_cache_aligned;
static_assert(offsetof(struct gw_keypair, we_are_initiator) <
		      RTE_CACHE_LINE_SIZE,
	      "what encryption touches is one line");
static_assert(offsetof(struct gw_keypair, used_reported) <
		      2 * RTE_CACHE_LINE_SIZE,
	      "what decryption reads before the window is one line");
static_assert(offsetof(struct gw_keypair, replay.top) + sizeof(uint64_t) <=
		      2 * RTE_CACHE_LINE_SIZE,
	      "the window's top is in decryption's line");
static_assert(sizeof(struct gw_keypair) == 1536,
	      "a keypair stays 1,536 bytes (the per-peer memory budget)");

/* Identity and birth of a keypair not yet published. */
static inline void gw_kp_born(struct gw_keypair *kp, uint32_t peer_id,
			      uint64_t now)
{
	kp->peer_id = kp->rx_peer_id = peer_id;
	kp->birth_ns = kp->rx_birth_ns = now;
}

/* The drops counted per peer: those of a packet that is known to come
 * from (or, staged, to go to) one peer, in the order of their slots.
 * Each is also counted, under the same name, in gw_stats.h. */
#define GW_PEER_DROPS(X)                                                   \
	X(DROP_AUTHENTICATION_FAILED)                                      \
	X(DROP_REPLAYED_COUNTER)                                           \
	X(DROP_COUNTER_OUTSIDE_WINDOW)                                     \
	X(DROP_KEYPAIR_EXPIRED)                                            \
	X(DROP_INNER_SOURCE_NOT_ALLOWED)                                   \
	X(DROP_TTL_EXCEEDED)                                               \
	X(DROP_MARTIAN_SOURCE)                                             \
	X(DROP_MARTIAN_DESTINATION)                                        \
	X(DROP_INNER_NEIGHBOUR_DISCOVERY)                                  \
	X(DROP_INNER_NOT_IP)                                               \
	X(DROP_INNER_BAD_LENGTH)                                           \
	X(DROP_INNER_IP_OPTIONS)                                           \
	X(DROP_INNER_FRAGMENT)                                             \
	X(DROP_STAGED_QUEUE_FULL)                                          \
	X(DROP_STAGED_GLOBAL_FULL)                                         \
	X(DROP_HANDSHAKE_GAVE_UP)                                          \
	X(DROP_RATE_LIMITED)                                               \
	X(DROP_ACL_DENIED)

enum gw_peer_drop {
#define X(id) GW_PDROP_##id,
	GW_PEER_DROPS(X)
#undef X
	GW_PDROP_MAX
};

/* A peer's rate limits and access rule set (gw_policy.h): written by the
 * control lcore, read by workers. */
struct gw_peer_policy {
	struct gw_rate to_peer, from_peer;
	uint32_t acl;                /* atomic: the set's number, 0: none */
	/* as configured, for telemetry and metrics (control only) */
	uint32_t to_peer_mbit, from_peer_mbit;
};

/* What one lcore saw of a peer. Written only by that lcore; the control
 * lcore polls these to drive the timers, so workers never call into
 * timer code. One line: what every packet's run touches. (The per-peer
 * drops are not here: 18 counters in every lcore's slot were 192 of its
 * 256 bytes, almost always zero; they are one set per peer, below.) */
struct gw_peer_act {
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t rx_packets;      /* transport and handshake messages */
	uint64_t tx_packets;
	uint64_t last_rx_ns;      /* any authenticated packet */
	uint64_t last_rx_data_ns; /* a non-empty one */
	uint64_t last_tx_ns;      /* any transport message sent */
	uint64_t last_tx_data_ns; /* a non-empty one */
} __rte_cache_aligned;
static_assert(sizeof(struct gw_peer_act) == RTE_CACHE_LINE_SIZE,
	      "what a packet's run writes is one line");

/* The per-peer slot of a gw_stats.h drop, or GW_PDROP_MAX when that drop
 * is not counted per peer (a constant for a constant reason). */
static inline enum gw_peer_drop gw_peer_drop_slot(enum gw_counter why)
{
	switch (why) {
#define X(id)                                                              \
	case GW_CTR_##id:                                                  \
		return GW_PDROP_##id;
		GW_PEER_DROPS(X)
#undef X
	default:
		return GW_PDROP_MAX;
	}
}

struct gw_peer {
	/* ---- read by workers */
	uint32_t id;
	struct gw_keypair *kp_current;   /* atomic pointers */
	struct gw_keypair *kp_previous;
	struct gw_keypair *kp_next;
	struct wg_endpoint *endpoint;    /* immutable; replaced + retired */
	/* atomic: a worker posted GW_EV_ENDPOINT and the control lcore has
	 * not taken it yet; other packets from the new source post none
	 * (one event per change, not per packet) */
	uint32_t endpoint_pending;

	/* ---- control lcore only */
	struct gw_peer *list_next;       /* insertion order, for the UAPI */
	struct gw_peer *list_prev;
	/* on the control lcore's tick list (gw_control.h) */
	struct gw_peer *tick_next;
	struct gw_peer *tick_prev;
	uint8_t public_key[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN];
	bool has_preshared_key;
	bool ticking;
	uint32_t txn_vpeer;              /* gw_device_set.c's plan only */
	uint16_t persistent_keepalive;
	struct wg_handshake hs;
	struct wg_cookie_maker cookie;
	uint32_t hs_index;               /* in the index table, 0: none */

	struct wg_prefix *allowed_ips;
	uint32_t n_allowed_ips;
	uint32_t cap_allowed_ips;

	/* GW_STAGED_MAX slots, allocated while something is staged: most
	 * of a million peers never stage, and the array was 512 bytes */
	struct rte_mbuf **staged;
	unsigned int n_staged;

	uint64_t last_handshake_unix_ns;
	struct wg_timers timers;         /* times in gw_now_ns */
	/* the activity stamps already turned into timer events */
	uint64_t seen_rx_ns, seen_rx_data_ns, seen_tx_ns, seen_tx_data_ns;
	/* when kp_previous goes back to the pool (gw_now_ns; 0: not yet
	 * known: the current keypair has authenticated nothing so far) */
	uint64_t previous_until_ns;

	/* ---- by gw_peer_drop slot: written by whichever lcore drops one
	 * of the peer's packets (an atomic add, gw_peer_count_drop), read
	 * by the control lcore. One set for all lcores: only dropped
	 * packets touch it, so it costs an atomic add on a drop, never a
	 * line on a delivered packet. */
	uint64_t drops[GW_PDROP_MAX];

	/* on its own line: workers of both directions update the buckets */
	struct gw_peer_policy policy __rte_cache_aligned;

	/* ---- written by workers: one slot per lcore that runs packets
	 * (n_workers + 1, the control lcore last), by worker_idx. Sized at
	 * start, not for GW_MAX_WORKERS: with 16 workers' room a peer took
	 * 3 KiB of slots no lcore ever wrote. Allocate with gw_peer_alloc()
	 * or gw_peer_size() bytes. Last: it is a flexible array. */
	struct gw_peer_act act[];
};
static_assert(offsetof(struct gw_peer, endpoint_pending) <
		      RTE_CACHE_LINE_SIZE,
	      "what a worker reads of a peer per packet is one line");

/* Bytes of one peer: the struct and its act slots (n_workers + 1 once
 * gw_peers_init() ran, GW_MAX_WORKERS + 1 before). Allocate a peer with
 * this size, not sizeof(struct gw_peer). */
size_t gw_peer_size(void);

/* The gw_stats.h counter, and so the name, of a per-peer slot. */
static inline enum gw_counter gw_peer_drop_counter(enum gw_peer_drop d)
{
	switch (d) {
#define X(id)                                                              \
	case GW_PDROP_##id:                                                \
		return GW_CTR_##id;
		GW_PEER_DROPS(X)
#undef X
	default:
		return GW_CTR_MAX;
	}
}

/* n packets of peer dropped for why, by the lcore of act slot w (any
 * lcore: the peer's drop counters are shared, so the add is atomic; w
 * is kept for the callers, which name their lcore everywhere). */
static inline void gw_peer_count_drop(struct gw_peer *peer, unsigned int w,
				      enum gw_counter why, uint64_t n)
{
	enum gw_peer_drop s = gw_peer_drop_slot(why);

	(void)w;
	if (!peer || s == GW_PDROP_MAX)
		return;
	__atomic_fetch_add(&peer->drops[s], n, __ATOMIC_RELAXED);
}

static inline struct gw_keypair *gw_kp_load(struct gw_keypair **slot)
{
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

static inline void gw_kp_store(struct gw_keypair **slot, struct gw_keypair *kp)
{
	__atomic_store_n(slot, kp, __ATOMIC_RELEASE);
}

static inline const struct wg_endpoint *gw_peer_endpoint(struct gw_peer *p)
{
	return __atomic_load_n(&p->endpoint, __ATOMIC_ACQUIRE);
}

/* ---- the peer API (gw_peer.c), control lcore only */

/* The registry (struct gw_control's peer fields), for tables->max_peers
 * peers; 0 or -ENOMEM. */
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
/* The previous keypair goes back to the pool (wiped after a grace
 * period, its index gone: what still arrives on it is counted
 * drop_unknown_receiver_index) once the peer has switched: rekey_timeout
 * after the control lcore saw the current keypair's first authenticated
 * packet, or when it expired (reject_after_time), whichever comes first.
 * The control tick calls it for every ticking peer; a peer holding a
 * previous keypair is never dormant. */
void gw_peer_tick_previous(struct gw_ctx *ctx, struct gw_peer *peer,
			   uint64_t now);
/* Bytes a peer with a session holds in steady state (the peer and one
 * pooled keypair), and while it holds a second one (after a rekey, until
 * the previous keypair is retired; or a responder's next keypair). */
size_t gw_peer_session_bytes(void);
size_t gw_peer_rekeying_bytes(void);
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

#endif /* GW_PEER_H */
