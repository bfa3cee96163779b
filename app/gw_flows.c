/* SPDX-License-Identifier: MIT */
/*
 * Reflexive entries (see gw_flows.h). An entry is tag << 24 | expiry; 0
 * is empty. The tag is the top 40 bits of SipHash-2-4 (libsodium's
 * crypto_shorthash) under a key drawn at start: a peer cannot aim a
 * packet at another flow's entry (a CRC would let it, being linear).
 */
#include <string.h>

#include <rte_common.h>
#include <rte_debug.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <sodium.h>

#include "gw_flows.h"

enum { SLOTS = 4, EXPIRY_BITS = 24 };
#define EXPIRY_MASK ((UINT64_C(1) << EXPIRY_BITS) - 1)

struct gw_flows {
	uint64_t mask;               /* buckets - 1 */
	uint8_t key[crypto_shorthash_KEYBYTES];
	uint64_t slot[][SLOTS];      /* atomic */
};

static uint64_t flow_hash(const struct gw_flows *fl, const struct gw_flow *f)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, (const unsigned char *)f, sizeof(*f), fl->key);
	memcpy(&v, h, sizeof(v));
	return v;
}

static uint64_t tag_of(uint64_t hash)
{
	uint64_t tag = hash >> EXPIRY_BITS;

	return tag ? tag : 1;
}

static uint64_t timeout_ticks(uint8_t proto)
{
	return proto == 6 ? GW_FLOW_TCP_TICKS :
	       proto == 17 ? GW_FLOW_UDP_TICKS : GW_FLOW_ICMP_TICKS;
}

/* Ticks an entry has left at now (0 when expired), modulo the 24 bits. */
static uint64_t left(uint64_t entry, uint64_t now)
{
	uint64_t d = ((entry & EXPIRY_MASK) - now) & EXPIRY_MASK;

	return d <= GW_FLOW_TCP_TICKS ? d : 0;
}

struct gw_flows *gw_flows_create(uint32_t n_entries, int socket_id)
{
	uint64_t buckets = rte_align64pow2((n_entries + SLOTS - 1) / SLOTS);
	struct gw_flows *fl;

	if (buckets < 1)
		buckets = 1;
	fl = rte_zmalloc_socket("gw_flows",
				sizeof(*fl) + buckets * sizeof(fl->slot[0]),
				RTE_CACHE_LINE_SIZE, socket_id);
	if (!fl)
		return NULL;
	fl->mask = buckets - 1;
	crypto_shorthash_keygen(fl->key);
	return fl;
}

void gw_flows_free(struct gw_flows *fl)
{
	if (fl)
		sodium_memzero(fl->key, sizeof(fl->key));
	rte_free(fl);
}

uint32_t gw_flows_capacity(const struct gw_flows *fl)
{
	return (uint32_t)((fl->mask + 1) * SLOTS);
}

/* Note one flow whose hash is known and whose bucket has been asked
 * for. */
static void note_hashed(struct gw_flows *fl, uint64_t hash, uint8_t proto,
			uint64_t now)
{
	uint64_t tag = tag_of(hash);
	uint64_t *b = fl->slot[hash & fl->mask];
	uint64_t ticks = timeout_ticks(proto);
	uint64_t entry = tag << EXPIRY_BITS | ((now + ticks) & EXPIRY_MASK);
	unsigned int i, victim = 0;
	uint64_t victim_left = UINT64_MAX;

	for (i = 0; i < SLOTS; i++) {
		uint64_t e = __atomic_load_n(&b[i], __ATOMIC_RELAXED);
		uint64_t l = e ? left(e, now) : 0;

		if (e >> EXPIRY_BITS == tag) {
			/* refreshed once a tick at most: the line stays
			 * shared between workers while a flow is busy */
			if (l < ticks)
				__atomic_store_n(&b[i], entry,
						 __ATOMIC_RELAXED);
			return;
		}
		if (l < victim_left) {
			victim_left = l;
			victim = i;
		}
	}
	__atomic_store_n(&b[victim], entry, __ATOMIC_RELAXED);
}

static bool lookup_hashed(const struct gw_flows *fl, uint64_t hash,
			  uint64_t now)
{
	uint64_t tag = tag_of(hash);
	const uint64_t *b = fl->slot[hash & fl->mask];

	for (unsigned int i = 0; i < SLOTS; i++) {
		uint64_t e = __atomic_load_n(&b[i], __ATOMIC_RELAXED);

		if (e >> EXPIRY_BITS == tag && left(e, now))
			return true;
	}
	return false;
}

/* Every flow's hash first and its bucket asked for, so that the misses
 * of a burst overlap instead of coming one after the other (the table is
 * larger than a core's cache). */
static void hash_burst(const struct gw_flows *fl, const struct gw_flow *f,
		       unsigned int n, uint64_t *hash)
{
	for (unsigned int i = 0; i < n; i++) {
		hash[i] = flow_hash(fl, &f[i]);
		rte_prefetch0(fl->slot[hash[i] & fl->mask]);
	}
}

void gw_flows_note(struct gw_flows *fl, const struct gw_flow *f,
		   unsigned int n, uint64_t now_ns)
{
	uint64_t now = (now_ns >> GW_FLOW_TICK_SHIFT) & EXPIRY_MASK;
	uint64_t hash[GW_FLOWS_BURST];

	RTE_ASSERT(n <= GW_FLOWS_BURST);
	hash_burst(fl, f, n, hash);
	for (unsigned int i = 0; i < n; i++)
		note_hashed(fl, hash[i], f[i].proto, now);
}

void gw_flows_lookup(const struct gw_flows *fl, const struct gw_flow *f,
		     unsigned int n, uint64_t now_ns, bool *found)
{
	uint64_t now = (now_ns >> GW_FLOW_TICK_SHIFT) & EXPIRY_MASK;
	uint64_t hash[GW_FLOWS_BURST];

	RTE_ASSERT(n <= GW_FLOWS_BURST);
	hash_burst(fl, f, n, hash);
	for (unsigned int i = 0; i < n; i++)
		found[i] = lookup_hashed(fl, hash[i], now);
}
