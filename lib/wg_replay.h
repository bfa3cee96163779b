/* SPDX-License-Identifier: MIT */
/*
 * The receive-side anti-replay window of one keypair (RFC 6479), safe for
 * several data-plane workers at once without a lock.
 *
 * It is split the way DPDK's ipsec library splits it: a read-only
 * wg_replay_check() before decryption, so forged or replayed packets cost
 * no AEAD work and cannot touch the window, and wg_replay_update() after
 * the packet authenticated, which is the only thing that marks a counter.
 *
 * Acceptance is exactly the Linux driver's (and wireguard-go's): with MAX
 * the highest counter accepted so far, a counter is accepted once if
 *
 *	counter < WG_REJECT_AFTER_MESSAGES  and
 *	counter + WG_REPLAY_USABLE_BITS >= MAX  (i.e. at most 8128 behind)
 *
 * and every counter above MAX is accepted and becomes the new MAX. So
 * MAX - 8128 is the oldest counter still accepted, MAX - 8129 is too old.
 *
 * Layout: WG_REPLAY_SLOTS = 171 slots of 64 bits, each one atomic word
 * holding a block tag in the upper 16 bits (the block, counter / 48,
 * truncated to 16 bits) and the bitmap of that block's 48 counters in the
 * lower 48; slot index is (counter / 48) % 171. The counters MAX - 8128 ..
 * MAX touch at most 171 blocks ((8128 + 47) / 48 + 1), one per slot.
 * `top` is MAX + 1 (0 before the first packet), raised with an atomic max.
 * 1,376 bytes a keypair (it was 2,056 with 32-counter blocks and 32-bit
 * tags): with a million peers the window is most of a session's memory.
 *
 * Why it is safe without a lock (full argument in wg_replay.c): a writer
 * raises `top` before it writes a slot, and a reader loads a slot before
 * it loads `top`; so a block seen in a slot is never newer than the top
 * the reader compares against. For a counter inside the window, a slot
 * holding another block therefore holds an older one, outside the window,
 * and may be overwritten; a slot's block only ever moves forward; all
 * changes are single-word compare-and-swaps.
 *
 * The only bound: tags are 16 bits, so two blocks in the same slot (171
 * apart) share a tag when they are a multiple of 171 * 2^16 blocks apart
 * (WG_REPLAY_ALIAS_COUNTERS = 171 * 2^16 * 48, about 2^29 counters). This
 * can never accept a replay (a counter that far behind is outside the
 * window); its only effect is that a fresh counter may be rejected as a
 * duplicate when its slot was last written by such an older block that
 * had the same bit set. Counters that advance one per message rewrite
 * every slot each 171 blocks, so a slot is never that stale; it takes a
 * jump of >= 2^29 in the peer's own (authenticated) counter, i.e. 538
 * million of its messages never arriving in a row, and then only that
 * peer loses a few of its own packets. A keypair dies after
 * WG_REJECT_AFTER_TIME (180 s): such a gap needs 3 Mpps from one peer, all
 * of it lost, for three minutes.
 */
#ifndef WG_REPLAY_H
#define WG_REPLAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "wg_messages.h"

enum wg_replay_layout {
	WG_REPLAY_SLOT_BITS = 48, /* counters per slot: the bitmap */
	WG_REPLAY_TAG_SHIFT = WG_REPLAY_SLOT_BITS, /* tag above the bitmap */
	/* the blocks MAX - 8128 .. MAX can touch, one slot each */
	WG_REPLAY_SLOTS = (WG_REPLAY_USABLE_BITS + WG_REPLAY_SLOT_BITS - 1) /
				  WG_REPLAY_SLOT_BITS +
			  1,
	/* blocks in one slot share a tag this many counters apart */
	WG_REPLAY_ALIAS_COUNTERS = WG_REPLAY_SLOTS * 65536 * WG_REPLAY_SLOT_BITS,
};

struct wg_replay {
	_Atomic uint64_t top; /* highest accepted counter + 1; 0: none yet */
	_Atomic uint64_t slot[WG_REPLAY_SLOTS]; /* tag << 48 | bitmap */
};

/* Empty window. Not concurrent: call before the keypair is published. */
void wg_replay_init(struct wg_replay *r);

/*
 * Pre-check before decryption: false if counter >= WG_REJECT_AFTER_MESSAGES,
 * too old for the window, or already marked. Never writes. A true answer is
 * advisory (another worker may mark the counter meanwhile); only
 * wg_replay_update() decides.
 */
bool wg_replay_check(const struct wg_replay *r, uint64_t counter);

/*
 * After authentication: mark counter as received. True exactly once per
 * counter; false if it is out of range, too old (also when a concurrent
 * update moved the window past it), or already marked (a duplicate that
 * passed the pre-check concurrently). Drop the packet on false.
 */
bool wg_replay_update(struct wg_replay *r, uint64_t counter);

/*
 * wg_replay_update() for the n (1..64) consecutive counters first,
 * first + 1, ..., first + n - 1, in that order, with one raise of `top`
 * and one compare-and-swap per 48-counter block instead of two per
 * counter: what a worker calls for a run of authenticated packets of one
 * keypair whose counters follow each other. Bit i of the result is set
 * exactly when counter first + i was accepted; the result equals n calls
 * of wg_replay_update() in ascending order (and keeps its lock-free
 * exactly-once guarantee against concurrent updates).
 */
uint64_t wg_replay_update_run(struct wg_replay *r, uint64_t first,
			      unsigned int n);

/*
 * For counting drops: whether a counter that check or update refused lies
 * outside what the window can ever accept (too old, or at/after
 * WG_REJECT_AFTER_MESSAGES) rather than being a duplicate inside it.
 */
static inline bool wg_replay_outside(const struct wg_replay *r,
				     uint64_t counter)
{
	uint64_t top = atomic_load_explicit(&r->top, memory_order_relaxed);

	return counter >= WG_REJECT_AFTER_MESSAGES ||
	       (top > 0 && counter + WG_REPLAY_USABLE_BITS < top - 1);
}

#endif /* WG_REPLAY_H */
