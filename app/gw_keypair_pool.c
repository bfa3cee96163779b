/* SPDX-License-Identifier: MIT */
/* The keypair pool (see gw_keypair_pool.h). */
#include "gw_keypair_pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "gw_peer.h"
#include "wg_crypto.h"

/* A free keypair: wiped, its first bytes reused as the list link. */
struct free_kp {
	struct free_kp *next;
};

struct gw_kp_pool {
	struct rte_rcu_qsbr *qsbr;
	struct rte_rcu_qsbr_dq *dq;    /* retired, waiting for grace */
	struct free_kp *free;
	uint32_t n_free;
	uint32_t cap;
	uint32_t allocated;
	uint32_t in_use;
	uint32_t in_grace;  /* ours only */
	uint64_t empty;
	struct gw_keypair **chunks;    /* libc array of chunk starts */
	uint32_t n_chunks;
};

static void put_free(struct gw_kp_pool *pool, struct gw_keypair *kp)
{
	struct free_kp *f = (struct free_kp *)kp;

	f->next = pool->free;
	pool->free = f;
	pool->n_free++;
}

/* The defer queue's callback: the grace period is over. */
static void back_to_pool(void *p, void *e, unsigned int n)
{
	struct gw_kp_pool *pool = p;
	struct gw_keypair **kps = e;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct gw_keypair *kp = kps[i];
		bool ours = kp->from_pool;

		/* sodium_memzero: keys and window gone before reuse */
		wg_wipe(kp, sizeof(*kp));
		if (ours) {
			pool->in_grace--;
			put_free(pool, kp);
		} else {
			rte_free(kp);
		}
	}
}

struct gw_kp_pool *gw_kp_pool_create(struct rte_rcu_qsbr *qsbr,
				     uint32_t max_peers, uint32_t cap)
{
	struct gw_kp_pool *pool = calloc(1, sizeof(*pool));
	uint64_t bound = cap ? cap :
			       2ull * max_peers + GW_KP_POOL_SLACK;
	struct rte_rcu_qsbr_dq_parameters dq = {
		.name = "gw_kp_pool",
		.size = GW_KP_POOL_SLACK,
		.esize = sizeof(struct gw_keypair *),
		/* reclaim as retirements come in; a grace period is short */
		.trigger_reclaim_limit = 64,
		.max_reclaim_size = 256,
		.free_fn = back_to_pool,
		.v = qsbr,
	};

	if (!pool)
		return NULL;
	if (bound > UINT32_MAX)
		bound = UINT32_MAX;
	pool->qsbr = qsbr;
	pool->cap = (uint32_t)bound;
	dq.p = pool;
	pool->dq = rte_rcu_qsbr_dq_create(&dq);
	if (!pool->dq) {
		free(pool);
		return NULL;
	}
	return pool;
}

void gw_kp_pool_destroy(struct gw_kp_pool *pool)
{
	uint32_t i;

	if (!pool)
		return;
	gw_kp_pool_reclaim(pool);
	if (rte_rcu_qsbr_dq_delete(pool->dq) != 0) {
		/* some still in grace: wait it out (not when none is: the
		 * caller may be a registered reader itself) */
		rte_rcu_qsbr_synchronize(pool->qsbr, RTE_QSBR_THRID_INVALID);
		rte_rcu_qsbr_dq_delete(pool->dq);
	}
	for (i = 0; i < pool->n_chunks; i++) {
		/* every keypair in a chunk is free, so wiped already; wipe
		 * the whole chunk anyway: cheap, and no assumption */
		wg_wipe(pool->chunks[i], GW_KP_POOL_CHUNK *
						 sizeof(struct gw_keypair));
		rte_free(pool->chunks[i]);
	}
	free(pool->chunks);
	free(pool);
}

/* One more chunk on the free list, within the bound; false if none. */
static bool grow(struct gw_kp_pool *pool)
{
	uint32_t n = pool->cap - pool->allocated, i;
	struct gw_keypair *chunk, **chunks;

	if (n == 0)
		return false;
	if (n > GW_KP_POOL_CHUNK)
		n = GW_KP_POOL_CHUNK;
	chunks = realloc(pool->chunks,
			 (pool->n_chunks + 1) * sizeof(*pool->chunks));
	if (!chunks)
		return false;
	pool->chunks = chunks;
	/* a whole chunk even when n is smaller: destroy wipes chunks */
	chunk = rte_zmalloc("gw_kp_chunk",
			    GW_KP_POOL_CHUNK * sizeof(*chunk),
			    RTE_CACHE_LINE_SIZE);
	if (!chunk)
		return false;
	pool->chunks[pool->n_chunks++] = chunk;
	for (i = n; i-- > 0;)
		put_free(pool, &chunk[i]);
	pool->allocated += n;
	return true;
}

void gw_kp_pool_reclaim(struct gw_kp_pool *pool)
{
	unsigned int freed, pending, avail;

	rte_rcu_qsbr_dq_reclaim(pool->dq, UINT32_MAX, &freed, &pending,
				&avail);
}

struct gw_keypair *gw_kp_pool_get(struct gw_kp_pool *pool)
{
	struct gw_keypair *kp;

	if (!pool->free && pool->in_grace) {
		gw_kp_pool_reclaim(pool);
		if (!pool->free && pool->allocated == pool->cap) {
			/* all but the retired are in use: wait them out */
			rte_rcu_qsbr_synchronize(pool->qsbr,
						 RTE_QSBR_THRID_INVALID);
			gw_kp_pool_reclaim(pool);
		}
	}
	if (!pool->free && !grow(pool)) {
		pool->empty++;
		return NULL;
	}
	kp = (struct gw_keypair *)pool->free;
	pool->free = pool->free->next;
	pool->n_free--;
	/* the rest was wiped when it came back (or zeroed by rte_zmalloc) */
	memset(kp, 0, sizeof(struct free_kp));
	kp->from_pool = true;
	pool->in_use++;
	return kp;
}

void gw_kp_pool_retire(struct gw_kp_pool *pool, struct gw_keypair *kp)
{
	if (!kp)
		return;
	if (kp->from_pool) {
		pool->in_use--;
		pool->in_grace++;
	}
	if (rte_rcu_qsbr_dq_enqueue(pool->dq, &kp) != 0) {
		/* the queue is full even after reclaiming: wait out a grace
		 * period here rather than hand it out too early */
		rte_rcu_qsbr_synchronize(pool->qsbr, RTE_QSBR_THRID_INVALID);
		back_to_pool(pool, &kp, 1);
	}
}

uint32_t gw_kp_pool_cap(const struct gw_kp_pool *pool)
{
	return pool->cap;
}

void gw_kp_pool_stats(const struct gw_kp_pool *pool,
		      struct gw_kp_pool_stats *st)
{
	st->cap = pool->cap;
	st->allocated = pool->allocated;
	st->in_grace = pool->in_grace;
	st->in_use = pool->in_use;
	st->empty = pool->empty;
}
