/* SPDX-License-Identifier: MIT */
/*
 * Lock-free RFC 6479 window; the semantics are in wg_replay.h.
 *
 * Correctness argument, for the record (names as in the code):
 *
 * (1) Every writer raises `top` to at least counter + 1 before its first
 *     slot CAS, and its slot CAS is a release. A reader loads the slot with
 *     acquire and only then loads `top`; if it sees the writer's slot value
 *     (or any later one, which carries the release sequence), coherence
 *     makes its `top` at least the writer's. So: a block found in a slot is
 *     never above the block of the `top` read right after it.
 *
 * (2) update() acts only on a counter inside the window of that `top`:
 *     its block B is at least TB - 170 (TB = block of MAX: the counter is
 *     at least MAX - 8128 >= 48 * TB - 8128 = 48 * (TB - 170) + 32).
 *     A slot with a different block S, S == B mod 171 and S <= TB by (1),
 *     has S <= B - 171 <= TB - 171, whose last counter 48 * TB - 8161 is
 *     below MAX - 8128: older and entirely outside the window. Replacing
 *     it loses nothing still needed. The same argument shows a slot's
 *     block never moves backwards.
 *
 * (3) Hence a counter marked in its slot stays marked for as long as it is
 *     inside the window: the only thing that removes it is a newer block
 *     taking the slot, which by (1) already put the counter out of window.
 *     And a counter is reported fresh only by the CAS that set its bit.
 *
 * (4) If `top` moves between our load and our CAS, the CAS either fails
 *     (slot changed: retry with fresh values) or succeeds on a slot that
 *     is still what we reasoned about; we then accepted a counter that was
 *     in the window when we looked, which is a valid linearisation.
 *
 * Tag truncation only ever makes a fresh counter look seen (see header).
 *
 * The loops retry only when another worker changed the same word between
 * our load and our CAS, which needs a packet of the same keypair in the
 * same 48-counter block (or a raise of `top`) in that window of a few
 * instructions; with two or three workers per keypair they end in a few
 * rounds.
 */
#include "wg_replay.h"

#include <assert.h>

static_assert(ATOMIC_LLONG_LOCK_FREE == 2,
	      "the replay window needs lock-free 64-bit atomics");
static_assert(WG_REPLAY_SLOT_BITS + 16 == 64 && WG_REPLAY_SLOT_BITS < 64,
	      "a 16-bit tag and the bitmap fill one word");
/* The oldest accepted counter's block must still own its slot: counters
 * MAX - 8128 .. MAX touch at most (8128 + 47) / 48 + 1 = 171 blocks (the
 * first one partly), at most one per slot; (2) needs exactly this. */
static_assert((WG_REPLAY_USABLE_BITS + WG_REPLAY_SLOT_BITS - 1) /
			      WG_REPLAY_SLOT_BITS +
		      1 <=
		      WG_REPLAY_SLOTS,
	      "the usable window fits in the slots without aliasing");
/* counter + WG_REPLAY_USABLE_BITS + 1 must not overflow for any counter
 * that passes the range check. */
static_assert(WG_REJECT_AFTER_MESSAGES < UINT64_MAX - WG_REPLAY_USABLE_BITS,
	      "window arithmetic cannot overflow");

void wg_replay_init(struct wg_replay *r)
{
	atomic_init(&r->top, 0);
	for (unsigned i = 0; i < WG_REPLAY_SLOTS; i++)
		atomic_init(&r->slot[i], 0);
}

static inline unsigned slot_index(uint64_t counter)
{
	return (unsigned)(counter / WG_REPLAY_SLOT_BITS) % WG_REPLAY_SLOTS;
}

static inline uint64_t slot_tag(uint64_t counter)
{
	return (counter / WG_REPLAY_SLOT_BITS) & 0xffff;
}

static inline uint64_t tag_of(uint64_t slot)
{
	return slot >> WG_REPLAY_TAG_SHIFT;
}

static inline uint64_t slot_bit(uint64_t counter)
{
	return UINT64_C(1) << (counter % WG_REPLAY_SLOT_BITS);
}

/* top is MAX + 1, or 0 before any packet: too old when more than
 * WG_REPLAY_USABLE_BITS behind MAX. Caller checked the range, so the sum
 * cannot overflow. */
static inline bool too_old(uint64_t counter, uint64_t top)
{
	return counter + WG_REPLAY_USABLE_BITS + 1 < top;
}

static inline bool marked(uint64_t slot, uint64_t counter)
{
	return tag_of(slot) == slot_tag(counter) &&
	       (slot & slot_bit(counter));
}

bool wg_replay_check(const struct wg_replay *r, uint64_t counter)
{
	uint64_t slot, top;

	if (counter >= WG_REJECT_AFTER_MESSAGES)
		return false;
	/* slot first, then top: see (1) */
	slot = atomic_load_explicit(&r->slot[slot_index(counter)],
				    memory_order_acquire);
	top = atomic_load_explicit(&r->top, memory_order_relaxed);
	if (too_old(counter, top))
		return false;
	return !marked(slot, counter);
}

/* top = max(top, v). */
static inline void raise_top(struct wg_replay *r, uint64_t v)
{
	uint64_t cur = atomic_load_explicit(&r->top, memory_order_relaxed);

	while (cur < v &&
	       !atomic_compare_exchange_weak_explicit(&r->top, &cur, v,
						      memory_order_relaxed,
						      memory_order_relaxed))
		;
}

bool wg_replay_update(struct wg_replay *r, uint64_t counter)
{
	_Atomic uint64_t *slot;
	uint64_t old, new, top;

	if (counter >= WG_REJECT_AFTER_MESSAGES)
		return false;

	/* Raise top before touching the slot: see (1). Relaxed is enough
	 * because the release of the slot CAS below publishes it. */
	raise_top(r, counter + 1);

	slot = &r->slot[slot_index(counter)];
	old = atomic_load_explicit(slot, memory_order_acquire);
	for (;;) {
		top = atomic_load_explicit(&r->top, memory_order_relaxed);
		if (too_old(counter, top))
			return false;
		if (tag_of(old) == slot_tag(counter)) {
			if (old & slot_bit(counter))
				return false;
			new = old | slot_bit(counter);
		} else {
			/* an older block, outside the window: see (2) */
			new = slot_tag(counter) << WG_REPLAY_TAG_SHIFT |
			      slot_bit(counter);
		}
		/* on failure `old` is reloaded with acquire, so the next
		 * top load again follows the slot load */
		if (atomic_compare_exchange_weak_explicit(slot, &old, new,
							  memory_order_acq_rel,
							  memory_order_acquire))
			return true;
	}
}

/*
 * The run's counters share what wg_replay_update() does per counter: top
 * is raised once, to first + n (each counter c of the run sees a top at
 * most n - 1 above c + 1, far below the window, so none is "too old"
 * where the one-by-one calls would have accepted it), then each 48-counter
 * block is marked with one CAS under the same rules as (1) and (2): the
 * counters that are too old for the top read after the slot are left out,
 * a slot holding an older block is overwritten, a bit already set is a
 * duplicate.
 */
uint64_t wg_replay_update_run(struct wg_replay *r, uint64_t first,
			      unsigned int n)
{
	uint64_t acc = 0;
	unsigned int done = 0;

	if (n > 64)
		n = 64;
	if (first >= WG_REJECT_AFTER_MESSAGES)
		return 0;
	if (n > WG_REJECT_AFTER_MESSAGES - first)
		n = (unsigned int)(WG_REJECT_AFTER_MESSAGES - first);
	if (!n)
		return 0;
	raise_top(r, first + n);

	while (done < n) {
		uint64_t c = first + done;
		uint64_t base = c - c % WG_REPLAY_SLOT_BITS;
		unsigned int off = (unsigned int)(c % WG_REPLAY_SLOT_BITS);
		unsigned int k = WG_REPLAY_SLOT_BITS - off;
		_Atomic uint64_t *slot = &r->slot[slot_index(c)];
		uint64_t bits, old, new, want, fresh, top;

		if (k > n - done)
			k = n - done;
		bits = ((UINT64_C(1) << k) - 1) << off; /* k <= 48 */
		old = atomic_load_explicit(slot, memory_order_acquire);
		for (;;) {
			top = atomic_load_explicit(&r->top,
						   memory_order_relaxed);
			want = bits;
			/* too old: c' + WG_REPLAY_USABLE_BITS + 1 < top */
			if (top > WG_REPLAY_USABLE_BITS + 1) {
				uint64_t oldest =
					top - WG_REPLAY_USABLE_BITS - 1;

				if (oldest >= base + WG_REPLAY_SLOT_BITS)
					want = 0;
				else if (oldest > base)
					want &= ~((UINT64_C(1)
						   << (oldest - base)) - 1);
			}
			if (!want)
				break;
			if (tag_of(old) == slot_tag(c)) {
				fresh = want & ~old;
				if (!fresh)
					break;
				new = old | want;
			} else {
				fresh = want;
				new = slot_tag(c) << WG_REPLAY_TAG_SHIFT | want;
			}
			if (atomic_compare_exchange_weak_explicit(
				    slot, &old, new, memory_order_acq_rel,
				    memory_order_acquire)) {
				acc |= (fresh >> off) << done;
				break;
			}
		}
		done += k;
	}
	return acc;
}
