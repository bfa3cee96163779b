/* SPDX-License-Identifier: MIT */
/*
 * Public key -> small integer id (a peer's slot), in O(1): what a
 * handshake initiation and every UAPI `set` need, for up to a million
 * peers. Open addressing with linear probing over a power-of-two array
 * at most half full; deletion shifts the rest of the probe run back
 * (no tombstones), so a table that sees adds and removals for ever never
 * degrades.
 *
 * The map stores no key, only the id and the key's 32-bit hash: the
 * owner already holds every key, and key_of(arg, id) hands it out when a
 * hash matches. That keeps a slot at 8 bytes. The hash is SipHash-2-4
 * with a random key: public keys are chosen by the peers, and a peer
 * that could aim keys at one probe run could make every lookup slow.
 *
 * Not thread-safe: one owner (the control lcore). Ids are < UINT32_MAX.
 */
#ifndef WG_KEYMAP_H
#define WG_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "wg_messages.h"

#define WG_KEYMAP_NONE UINT32_MAX

enum wg_keymap_limits {
	WG_KEYMAP_HASH_KEY_LEN = 16,
	WG_KEYMAP_MAX_ENTRIES = 1 << 24,
};

/* The key of an id that is in the map (never called for other ids). */
typedef const uint8_t *(*wg_keymap_key_fn)(const void *arg, uint32_t id);

struct wg_keymap_slot {
	uint32_t hash;
	uint32_t id1;      /* id + 1; 0: empty */
};

struct wg_keymap {
	struct wg_keymap_slot *slot;
	uint32_t mask;     /* slots - 1 */
	uint32_t n;        /* ids in the map */
	uint32_t max;      /* what init was asked for */
	wg_keymap_key_fn key_of;
	const void *arg;
	uint8_t hash_key[WG_KEYMAP_HASH_KEY_LEN];
};

/*
 * Room for max_entries (1..WG_KEYMAP_MAX_ENTRIES) ids: 2 to 4 slots of 8
 * bytes each. hash_key may be NULL (random); tests pass one to be
 * reproducible. Returns 0, or -1 (bad size, out of memory).
 */
int wg_keymap_init(struct wg_keymap *m, uint32_t max_entries,
		   wg_keymap_key_fn key_of, const void *arg,
		   const uint8_t *hash_key);
void wg_keymap_free(struct wg_keymap *m);

/* The id of key, or WG_KEYMAP_NONE. */
uint32_t wg_keymap_find(const struct wg_keymap *m,
			const uint8_t key[WG_KEY_LEN]);
/* key must not be in the map yet. Returns 0, or -1 when max_entries are
 * already in. */
int wg_keymap_add(struct wg_keymap *m, const uint8_t key[WG_KEY_LEN],
		  uint32_t id);
/* Removes key (its id's key must still be readable through key_of while
 * this runs). Returns whether it was there. */
bool wg_keymap_del(struct wg_keymap *m, const uint8_t key[WG_KEY_LEN]);

#endif /* WG_KEYMAP_H */
