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
 * Layout: WG_REPLAY_SLOTS slots of 64 bits, each one atomic word holding
 * a block tag in the upper half (counter / 32, truncated to 32 bits) and
 * the bitmap of that block's 32 counters in the lower half; slot index is
 * (counter / 32) % 256. 256 blocks cover 8192 counters, more than the
 * 8129 (255 blocks at worst) the window needs. `top` is MAX + 1 (0 before
 * the first packet), raised with an atomic max.
 *
 * Why it is safe without a lock (full argument in wg_replay.c): a writer
 * raises `top` before it writes a slot, and a reader loads a slot before
 * it loads `top`; so a block seen in a slot is never newer than the top
 * the reader compares against. For a counter inside the window, a slot
 * holding another block therefore holds an older one, outside the window,
 * and may be overwritten; a slot's block only ever moves forward; all
 * changes are single-word compare-and-swaps.
 *
 * The only bound: tags are 32 bits, so blocks 2^32 apart (counters 2^37
 * apart) share a tag. This can never accept a replay (a counter that far
 * behind is outside the window); its only effect is that a fresh counter
 * may be rejected as a duplicate when its slot was last written by a block
 * exactly k * 2^32 older that had the same bit set. Counters that advance
 * one per message rewrite every slot each 256 blocks, so a slot is never
 * that stale; it takes a jump of >= 2^37 in the peer's own (authenticated)
 * counter, and then only that peer loses a few of its own packets. Nor can
 * a keypair live long enough to wrap by counting: it dies after
 * WG_REJECT_AFTER_TIME (180 s), and 2^37 messages in 180 s is 760 Mpps
 * from one peer, beyond any link this gateway drives.
 */
#ifndef WG_REPLAY_H
#define WG_REPLAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "wg_messages.h"

enum wg_replay_layout {
	WG_REPLAY_SLOT_BITS = 32, /* counters per slot: the bitmap half */
	WG_REPLAY_SLOTS = WG_REPLAY_WINDOW_BITS / WG_REPLAY_SLOT_BITS,
};

struct wg_replay {
	_Atomic uint64_t top; /* highest accepted counter + 1; 0: none yet */
	_Atomic uint64_t slot[WG_REPLAY_SLOTS]; /* tag << 32 | bitmap */
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
 * and one compare-and-swap per 32-counter block instead of two per
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
