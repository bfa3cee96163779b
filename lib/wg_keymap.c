/* SPDX-License-Identifier: MIT */
/* Public key -> id, open addressing (see wg_keymap.h). */
#include "wg_keymap.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "wg_crypto.h"

int wg_keymap_init(struct wg_keymap *m, uint32_t max_entries,
		   wg_keymap_key_fn key_of, const void *arg,
		   const uint8_t *hash_key)
{
	uint32_t n = 2;

	memset(m, 0, sizeof(*m));
	if (max_entries == 0 || max_entries > WG_KEYMAP_MAX_ENTRIES || !key_of)
		return -1;
	/* at most half full: a miss ends after about two probes */
	while (n < 2 * max_entries)
		n <<= 1;
	m->slot = calloc(n, sizeof(*m->slot));
	if (!m->slot)
		return -1;
	m->mask = n - 1;
	m->max = max_entries;
	m->key_of = key_of;
	m->arg = arg;
	if (hash_key)
		memcpy(m->hash_key, hash_key, sizeof(m->hash_key));
	else
		wg_random(m->hash_key, sizeof(m->hash_key));
	return 0;
}

void wg_keymap_free(struct wg_keymap *m)
{
	free(m->slot);
	wg_wipe(m, sizeof(*m));
}

static uint32_t hash(const struct wg_keymap *m, const uint8_t *key)
{
	uint8_t h[crypto_shorthash_siphash24_BYTES];
	uint32_t v;

	crypto_shorthash_siphash24(h, key, WG_KEY_LEN, m->hash_key);
	memcpy(&v, h, sizeof(v));
	return v;
}

/* The slot holding key, or the empty slot that ends its probe run. */
static uint32_t probe(const struct wg_keymap *m, const uint8_t *key,
		      uint32_t h)
{
	uint32_t i = h & m->mask;

	for (;;) {
		const struct wg_keymap_slot *s = &m->slot[i];

		if (!s->id1)
			return i;
		if (s->hash == h &&
		    memcmp(m->key_of(m->arg, s->id1 - 1), key, WG_KEY_LEN) == 0)
			return i;
		i = (i + 1) & m->mask;
	}
}

uint32_t wg_keymap_find(const struct wg_keymap *m,
			const uint8_t key[WG_KEY_LEN])
{
	uint32_t i;

	if (!m->slot)
		return WG_KEYMAP_NONE;
	i = probe(m, key, hash(m, key));
	return m->slot[i].id1 ? m->slot[i].id1 - 1 : WG_KEYMAP_NONE;
}

int wg_keymap_add(struct wg_keymap *m, const uint8_t key[WG_KEY_LEN],
		  uint32_t id)
{
	uint32_t h, i;

	if (!m->slot || m->n >= m->max || id == WG_KEYMAP_NONE)
		return -1;
	h = hash(m, key);
	/* the caller knows key is absent: the first empty slot is ours */
	for (i = h & m->mask; m->slot[i].id1; i = (i + 1) & m->mask)
		;
	m->slot[i].hash = h;
	m->slot[i].id1 = id + 1;
	m->n++;
	return 0;
}

bool wg_keymap_del(struct wg_keymap *m, const uint8_t key[WG_KEY_LEN])
{
	uint32_t hole, j, home;

	if (!m->slot)
		return false;
	hole = probe(m, key, hash(m, key));
	if (!m->slot[hole].id1)
		return false;
	/* Backward shift: an entry further along the run moves into the
	 * hole unless its home slot lies cyclically in (hole, j], where it
	 * would then be unreachable from. Every run stays gap-free. */
	for (j = (hole + 1) & m->mask; m->slot[j].id1; j = (j + 1) & m->mask) {
		home = m->slot[j].hash & m->mask;
		if (hole <= j ? (hole < home && home <= j) :
				(hole < home || home <= j))
			continue;
		m->slot[hole] = m->slot[j];
		hole = j;
	}
	m->slot[hole].hash = 0;
	m->slot[hole].id1 = 0;
	m->n--;
	return true;
}
