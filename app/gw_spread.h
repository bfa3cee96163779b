/* SPDX-License-Identifier: MIT */
/*
 * Decrypt spreading (gw_spread.c): one tunnel's WAN traffic arrives on one
 * RX queue, hence on one worker. With two or more workers, that worker
 * (the owner) hands the newer part of each burst, as received, to a
 * helper worker through an SP/SC ring and classifies and decrypts the
 * older part itself (gw_decap.h). Each part is a chunk with a sequence
 * number in arrival order, and each worker transmits the chunks it
 * decrypted on its own LAN TX queue, but only in turn: the owner's `tail`
 * is the next sequence number to transmit, and whoever holds that chunk
 * appends it to its TX buffer (gw_wan_collect), sends it, and only then
 * advances `tail` (gw_wan_sent). A chunk not yet due stays where it is
 * until a later loop turn; nobody waits. Every packet therefore leaves its worker's TX
 * call in the order it arrived on its RX queue (per-peer order, hence
 * per-flow order), each frame crosses cores once, and the shared replay
 * window is updated by both workers lock-free (wg_replay.h).
 */
#ifndef GW_SPREAD_H
#define GW_SPREAD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "gw_ctx.h"
#include "gw_decap.h"

struct gw_txbuf;
struct rte_ring;

enum gw_spread_limits {
	GW_ROB = 16,                 /* chunks in flight per owner */
	GW_SPREAD_MIN = 8,           /* smaller bursts are not split */
	/* a worker that had a full RX burst of its own this recently is
	 * busy: nothing is handed to it */
	GW_BUSY_NS = 50000,
	/* bounds of the helper's share of a burst, in 1/32 */
	GW_SHARE_MIN = 4,
	GW_SHARE_MAX = 28,
};

/*
 * WAN → LAN: n (<= GW_BURST) frames received on the WAN port. Decrypted
 * inner frames are appended to lan_tx (room for n more needed), or, when
 * the lcore spreads its decryption, kept in its reorder buffer until
 * gw_wan_collect() releases them. With spreading on, call only when
 * gw_wan_room() is true. Consumes the mbufs.
 */
void gw_wan_burst(struct gw_lcore *lc, struct rte_mbuf **pkts, unsigned int n,
		  struct gw_txbuf *lan_tx, uint64_t now);

/* Whether gw_wan_burst() may be called (reorder buffer not full). */
bool gw_wan_room(const struct gw_lcore *lc);

/* Append the decrypted frames whose turn has come, in arrival order, to
 * lan_tx as far as it has room: the lcore's own chunks as an owner and
 * those it decrypted as a helper. Returns how many were appended. While
 * gw_wan_turn() is true, the caller must transmit lan_tx (the TX call)
 * and then call gw_wan_sent(), soon: the other worker's next chunk waits
 * for it. */
unsigned int gw_wan_collect(struct gw_lcore *lc, struct gw_txbuf *lan_tx);

/* Whether lc holds a turn: frames in its LAN TX buffer that later chunks
 * (possibly the other worker's) must not overtake. gw_wan_burst's
 * direct output takes a turn too. */
static inline bool gw_wan_turn(const struct gw_lcore *lc);

/* After the TX call that sent everything collected: pass the turn on. */
void gw_wan_sent(struct gw_lcore *lc);

/* Whether everything the lcore received as an owner has been
 * transmitted (by itself or its helper) and the turn passed on. */
bool gw_wan_idle(const struct gw_lcore *lc);

/* Helper side: decrypt the chunks the worker before lc handed to it; they
 * stay with lc until their turn (gw_wan_collect). Returns how many chunks
 * were decrypted. Never waits. */
unsigned int gw_assist(struct gw_lcore *lc, uint64_t now);

/*
 * Decrypt spreading between the workers of ctx (worker i hands work to
 * worker i+1 mod n). No-op with one worker. gw_spread_free() undoes it
 * (workers stopped). Returns 0 or a negative errno.
 */
int gw_spread_setup(struct gw_ctx *ctx);
void gw_spread_free(struct gw_ctx *ctx);

/* Frames handed from their owner to a helper worker as received, and
 * the result; or the owner's own result waiting for its turn. */
struct gw_chunk {
	uint32_t seq;                /* transmit turn, in arrival order */
	uint16_t n;
	uint16_t n_out;
	bool handed;                 /* the helper decrypts and sends it */
	struct rte_mbuf *pkts[GW_BURST];   /* handed over */
	struct gw_decap_item items[GW_BURST]; /* the helper's classification */
	struct rte_mbuf *out[GW_BURST];
} __rte_cache_aligned;

/* A turn taken: frames in the TX buffer; `to` is published after TX. */
struct gw_turn {
	bool held;
	uint32_t to;
};

struct gw_spread {
	/* owner side (this worker's RX queues), owner only */
	struct rte_ring *to_helper;  /* the helper's `in` */
	struct gw_spread *helper;
	uint32_t head;               /* next sequence number to give */
	/* the helper's share of a burst, in 1/32 (GW_SHARE_MIN..MAX), moved
	 * by one step per burst: up when the owner's part is due at once
	 * (gw_wan_burst) */
	unsigned int share;
	struct gw_turn own;          /* on this worker's `tail` */
	/* helper side (helping the worker before it), helper only */
	struct rte_ring *in;         /* chunks handed to this worker */
	struct gw_spread *owner;
	struct gw_turn help;         /* on the owner's `tail` */
	uint32_t held_head, held_tail; /* held[] FIFO: decrypted, not sent */
	struct gw_chunk *held[GW_ROB];
	/* the owner's chunks; [tail, head) are not transmitted yet */
	struct gw_chunk rob[GW_ROB];
	/* the next sequence number to transmit: written by whoever holds
	 * the turn (release, after its TX call), read by both. Own line. */
	uint32_t tail __rte_cache_aligned;
	/* last time this worker had a full RX burst of its own (gw_now_ns);
	 * a worker that busy gets nothing handed over. Own line: the worker
	 * before it reads it. */
	uint64_t full_ns __rte_cache_aligned;
} __rte_cache_aligned;

static inline bool gw_wan_turn(const struct gw_lcore *lc)
{
	const struct gw_spread *sp = lc->spread;

	return sp && (sp->own.held || sp->help.held);
}

/* Chunks given a sequence number and not yet transmitted (owner). */
static inline unsigned int rob_used(const struct gw_spread *sp)
{
	return sp->head - __atomic_load_n(&sp->tail, __ATOMIC_ACQUIRE);
}

/* Every RX burst, either direction: a full one marks the worker busy
 * (inline: the LAN side's hot path asks too). */
static inline void note_full(struct gw_lcore *lc, unsigned int n,
			     uint64_t now)
{
	struct gw_spread *sp = lc->spread;

	if (sp && n >= GW_BURST && now - sp->full_ns > 1000)
		__atomic_store_n(&sp->full_ns, now, __ATOMIC_RELAXED);
}

#endif /* GW_SPREAD_H */
