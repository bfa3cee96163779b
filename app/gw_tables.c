/* SPDX-License-Identifier: MIT */
/* Lock-free tables and their RCU reclamation (see gw_tables.h). */
#include "gw_tables.h"

#include "gw_acl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_rib.h>

#include "wg_crypto.h"

struct retire_elem {
	void *ptr;
	uint32_t kind;
	uint32_t size;
};

static void retire_free(void *p, void *e, unsigned int n)
{
	struct retire_elem *el = e;
	unsigned int i;

	(void)p;
	for (i = 0; i < n; i++) {
		if (el[i].kind == GW_RETIRE_ACL) {
			gw_acl_free(el[i].ptr);
			continue;
		}
		if (el[i].kind == GW_RETIRE_WIPE_FREE)
			wg_wipe(el[i].ptr, el[i].size);
		rte_free(el[i].ptr);
	}
}

static struct rte_fib *fib4_create(const char *name, uint32_t routes,
				   uint32_t tbl8s)
{
	struct rte_fib_conf c = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = GW_NO_PEER,
		.max_routes = (int)routes,
		.dir24_8 = { .nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = tbl8s },
	};

	return rte_fib_create(name, (int)rte_socket_id(), &c);
}

int gw_tables_create(struct gw_ctx *ctx)
{
	uint32_t max = ctx->cfg ? ctx->cfg->interface.max_peers :
				  WG_DEFAULT_MAX_PEERS;
	uint64_t g6 = (uint64_t)GW_TBL8S6_PER_PEER * max;
	struct gw_tables_size sz = {
		.peers = max,
		.routes4 = RTE_MAX(max, (uint32_t)GW_MAX_ROUTES4),
		.routes6 = RTE_MAX(max, (uint32_t)GW_MAX_ROUTES6),
		/* one scattered /32 per peer, one scattered /128 per peer
		 * (gw_tables.h) */
		.tbl8s4 = RTE_MAX(max, (uint32_t)GW_MIN_TBL8S4),
		.tbl8s6 = (uint32_t)RTE_MIN(RTE_MAX(g6, (uint64_t)GW_MIN_TBL8S6),
					    (uint64_t)GW_MAX_TBL8S6),
		.indices = GW_INDICES_PER_PEER * max,
	};
	struct rte_malloc_socket_stats before, after;
	int socket = (int)rte_socket_id(), ret;

	rte_malloc_get_socket_stats(socket, &before);
	ret = gw_tables_create_sized(ctx, &sz);
	rte_malloc_get_socket_stats(socket, &after);
	if (ret != 0)
		return ret;
	/* what max_peers costs before any peer exists (README) */
	GW_LOG(INFO, "tables for %u peers: %zu MiB of heap",
	       max, (after.heap_allocsz_bytes -
		     before.heap_allocsz_bytes) >> 20);
	GW_LOG(INFO, "route tables: %u IPv4 and %u IPv6 tbl8 groups of 1 KiB "
	       "per copy (two copies each): %u MiB, so that one scattered "
	       "/32 and one scattered /128 per peer fit",
	       sz.tbl8s4, sz.tbl8s6, (2 * (sz.tbl8s4 + sz.tbl8s6)) >> 10);
	if (g6 > GW_MAX_TBL8S6)
		GW_LOG(WARNING, "%u peers: rte_lpm6 has at most %u tbl8 groups, "
		       "fewer than %u scattered /128s can take; a set that "
		       "does not fit is refused (ENOSPC)", max,
		       (unsigned int)GW_MAX_TBL8S6, max);
	return 0;
}

int gw_tables_create_sized(struct gw_ctx *ctx, const struct gw_tables_size *sz)
{
	struct gw_tables *t;
	uint32_t n_peers = sz->peers ? sz->peers : WG_DEFAULT_MAX_PEERS;
	uint32_t n_idx = RTE_MAX(RTE_MAX(sz->indices, (uint32_t)GW_MIN_INDICES),
				 GW_INDICES_PER_PEER * n_peers);
	struct rte_lpm6_config c6 = {
		.max_rules = sz->routes6 ? sz->routes6 : GW_MAX_ROUTES6,
		.number_tbl8s = sz->tbl8s6 ? sz->tbl8s6 : GW_MIN_TBL8S6,
	};
	struct rte_hash_parameters hp = {
		.name = "gw_index",
		.entries = n_idx,
		.key_len = sizeof(uint32_t),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
		/* readers never block and never see a torn entry; the
		 * control lcore is the only writer */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_hash_rcu_config rh = {
		.v = ctx->qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ,
	};
	struct rte_rcu_qsbr_dq_parameters dq = {
		.name = "gw_retire",
		/* like the index table: in steady state a peer has a few
		 * things waiting at most (old keypairs, endpoints); a burst
		 * beyond that (many peers removed by one set) is reclaimed
		 * as it goes, and only when nothing is due yet does the
		 * control lcore wait out a grace period (gw_tables_retire) */
		.size = n_idx,
		.esize = sizeof(struct retire_elem),
		.trigger_reclaim_limit = 64,
		.max_reclaim_size = 256,
		.free_fn = retire_free,
		.v = ctx->qsbr,
	};

	t = rte_zmalloc("gw_tables", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (!t)
		return -ENOMEM;
	ctx->tables = t;
	t->qsbr = ctx->qsbr;
	t->max_peers = n_peers;
	t->max_routes4 = sz->routes4;
	t->max_routes6 = c6.max_rules;
	t->tbl8s4 = sz->tbl8s4;
	t->tbl8s6 = c6.number_tbl8s;
	t->peers = rte_zmalloc("gw_peers", n_peers * sizeof(*t->peers),
			       RTE_CACHE_LINE_SIZE);
	if (!t->peers)
		goto fail;

	t->fib4[0] = fib4_create("gw_fib4a", sz->routes4, sz->tbl8s4);
	t->fib4[1] = fib4_create("gw_fib4b", sz->routes4, sz->tbl8s4);
	if (!t->fib4[0] || !t->fib4[1])
		goto fail;
	t->fib4_active = t->fib4[0];
	t->lpm6[0] = rte_lpm6_create("gw_lpm6a", (int)rte_socket_id(), &c6);
	t->lpm6[1] = rte_lpm6_create("gw_lpm6b", (int)rte_socket_id(), &c6);
	if (!t->lpm6[0] || !t->lpm6[1])
		goto fail;
	t->lpm6_active = t->lpm6[0];
	t->index = rte_hash_create(&hp);
	if (!t->index || rte_hash_rcu_qsbr_add(t->index, &rh) != 0)
		goto fail;
	t->retire_dq = rte_rcu_qsbr_dq_create(&dq);
	if (!t->retire_dq)
		goto fail;
	return 0;
fail:
	GW_LOG(ERR, "tables: %s", rte_strerror(rte_errno));
	gw_tables_free(ctx);
	return -ENOMEM;
}

static void tables_free(struct gw_ctx *ctx, bool routes)
{
	struct gw_tables *t = ctx->tables;

	if (!t)
		return;
	/* workers are stopped: everything queued can go now */
	if (t->retire_dq)
		rte_rcu_qsbr_dq_delete(t->retire_dq);
	rte_hash_free(t->index);
	if (routes) {
		rte_lpm6_free(t->lpm6[0]);
		rte_lpm6_free(t->lpm6[1]);
		rte_fib_free(t->fib4[0]);
		rte_fib_free(t->fib4[1]);
	}
	rte_free(t->peers);
	rte_free(t);
	ctx->tables = NULL;
}

void gw_tables_free(struct gw_ctx *ctx)
{
	tables_free(ctx, true);
}

/*
 * The route tables are ~300 MB of heap (each rte_lpm6 and DIR24-8 FIB
 * has a 64 MB first level), almost none of it ever touched. DPDK keeps
 * free heap memory zeroed, so rte_free() memsets all of it: under
 * --no-huge every page faults in (shared memory, charged to the cgroup)
 * just to be zeroed and unmapped again, seconds between SIGTERM and exit
 * on a loaded machine. At exit they are left to rte_eal_cleanup(), which
 * unmaps the whole heap: they hold prefixes and peer ids, no secret. What
 * holds secrets (the retire queue: keypairs and peers are wiped) still
 * goes through tables_free().
 */
void gw_tables_free_at_exit(struct gw_ctx *ctx)
{
	tables_free(ctx, false);
}

static uint32_t v4_host(const struct wg_prefix *p)
{
	uint32_t be;

	memcpy(&be, p->addr, 4);
	return rte_be_to_cpu_32(be);
}

static int fib4_one(struct rte_fib *f, const struct wg_prefix *p, bool del,
		    uint32_t nh)
{
	return del ? rte_fib_delete(f, v4_host(p), p->cidr) :
		     rte_fib_add(f, v4_host(p), p->cidr, nh);
}

static int lpm6_one(struct rte_lpm6 *l, const struct wg_prefix *p, bool del,
		    uint32_t nh)
{
	return del ? rte_lpm6_delete(l, p->addr, p->cidr) :
		     rte_lpm6_add(l, p->addr, p->cidr, nh);
}

/*
 * Neither rte_fib nor rte_lpm6 can be read while it changes (no RCU in
 * 22.11). A batch goes to the copies workers do not use (stage), which
 * are then switched in with one pointer store per family; once no worker
 * can still be inside the old ones (one grace period for the batch) they
 * get the same changes (commit). The control lcore blocks for that grace
 * period; workers never wait.
 *
 * Undoing is exact: rte_lpm6_add checks its tbl8 room before it writes
 * anything, rte_fib_add removes what it inserted when it fails, and what
 * an undo re-adds was in the table before the batch (the prefixes are
 * then a subset of what fitted before: rte_lpm6 and DIR-24-8 take as many
 * tbl8 groups for a set of prefixes whatever the order they came in).
 */
static bool route_family_ok(const struct wg_prefix *p)
{
	return p->family == WG_FAMILY_V4 || p->family == WG_FAMILY_V6;
}

/* The copy of p's family that workers do not read. */
static void *idle_copy(struct gw_tables *t, uint8_t family)
{
	if (family == WG_FAMILY_V4)
		return __atomic_load_n(&t->fib4_active, __ATOMIC_RELAXED) ==
				       t->fib4[0] ? (void *)t->fib4[1] :
						    (void *)t->fib4[0];
	return __atomic_load_n(&t->lpm6_active, __ATOMIC_RELAXED) ==
			       t->lpm6[0] ? (void *)t->lpm6[1] :
					    (void *)t->lpm6[0];
}

/* One change (or its undo) on one copy. */
static int op_do(void *copy, const struct gw_route_op *op, bool undo)
{
	uint32_t id = undo ? op->old_id : op->new_id;
	bool del = id == GW_NO_PEER;
	int ret = op->p.family == WG_FAMILY_V4 ?
			  fib4_one(copy, &op->p, del, id) :
			  lpm6_one(copy, &op->p, del, id);

	/* deleting an absent prefix is no error for the batch */
	return del && ret == -ENOENT ? 0 : ret;
}

/* Deletions first, then additions and moves: pass 0 and 1 of a batch. */
static bool op_in_pass(const struct gw_route_op *op, int pass)
{
	return (op->new_id == GW_NO_PEER) == (pass == 0);
}

int gw_tables_routes_stage(struct gw_tables *t, const struct gw_route_op *op,
			   uint32_t n)
{
	void *idle[2] = { idle_copy(t, WG_FAMILY_V4),
			  idle_copy(t, WG_FAMILY_V6) };
	uint32_t i = 0;
	int pass, ret = 0, r2;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			if (!route_family_ok(&op[i].p) ||
			    !op_in_pass(&op[i], pass))
				continue;
			ret = op_do(idle[op[i].p.family == WG_FAMILY_V6],
				    &op[i], false);
			if (ret < 0) {
				GW_LOG(DEBUG, "routes: staging refused (%d)", ret);
				goto undo;
			}
		}
	return 0;
undo:
	/* everything before (pass, i), newest first */
	for (; pass >= 0; pass--) {
		while (i-- > 0) {
			if (!route_family_ok(&op[i].p) ||
			    !op_in_pass(&op[i], pass))
				continue;
			r2 = op_do(idle[op[i].p.family == WG_FAMILY_V6], &op[i],
				   true);
			if (r2 < 0)
				GW_LOG(ERR, "routes: undo refused (%d): the "
				       "idle copy differs", r2);
		}
		i = n;
	}
	return ret;
}

void gw_tables_routes_commit(struct gw_tables *t, const struct gw_route_op *op,
			     uint32_t n)
{
	bool any[2] = { false, false };
	void *old[2], *idle[2];
	uint32_t i;
	int pass, f, ret;

	for (i = 0; i < n; i++)
		if (route_family_ok(&op[i].p))
			any[op[i].p.family == WG_FAMILY_V6] = true;
	if (!any[0] && !any[1])
		return;
	idle[0] = idle_copy(t, WG_FAMILY_V4);
	idle[1] = idle_copy(t, WG_FAMILY_V6);
	old[0] = __atomic_load_n(&t->fib4_active, __ATOMIC_RELAXED);
	old[1] = __atomic_load_n(&t->lpm6_active, __ATOMIC_RELAXED);
	if (any[0])
		__atomic_store_n(&t->fib4_active, (struct rte_fib *)idle[0],
				 __ATOMIC_RELEASE);
	if (any[1])
		__atomic_store_n(&t->lpm6_active, (struct rte_lpm6 *)idle[1],
				 __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
	t->commits++;
	if (t->commit_hook)
		t->commit_hook(t);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			if (!route_family_ok(&op[i].p) ||
			    !op_in_pass(&op[i], pass))
				continue;
			f = op[i].p.family == WG_FAMILY_V6;
			ret = op_do(old[f], &op[i], false);
			if (ret < 0)
				GW_LOG(ERR, "routes: second table refused a "
				       "change (%d)", ret);
		}
}

int gw_tables_routes_apply(struct gw_tables *t, const struct wg_prefix *p,
			   const uint32_t *peer_ids, uint32_t n, bool del)
{
	struct gw_route_op *op = n ? calloc(n, sizeof(*op)) : NULL;
	uint32_t i, m = 0;
	int ret;

	if (n && !op)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!route_family_ok(&p[i]))
			continue;
		op[m].p = p[i];
		if (!gw_tables_route_owner(t, &p[i], &op[m].old_id))
			op[m].old_id = GW_NO_PEER;
		op[m].new_id = del ? GW_NO_PEER : peer_ids[i];
		m++;
	}
	ret = gw_tables_routes_stage(t, op, m);
	if (ret == 0)
		gw_tables_routes_commit(t, op, m);
	free(op);
	return ret;
}

int gw_tables_route_add(struct gw_tables *t, const struct wg_prefix *p,
			uint32_t peer_id)
{
	if (!route_family_ok(p))
		return -EINVAL;
	return gw_tables_routes_apply(t, p, &peer_id, 1, false);
}

int gw_tables_route_del(struct gw_tables *t, const struct wg_prefix *p)
{
	if (!route_family_ok(p))
		return -EINVAL;
	return gw_tables_routes_apply(t, p, NULL, 1, true);
}

bool gw_tables_route_owner(struct gw_tables *t, const struct wg_prefix *p,
			   uint32_t *peer_id)
{
	if (p->family == WG_FAMILY_V4) {
		/* the published copy: a staged batch is not there yet */
		struct rte_rib *rib = rte_fib_get_rib(
			__atomic_load_n(&t->fib4_active, __ATOMIC_RELAXED));
		struct rte_rib_node *node;
		uint64_t nh;

		node = rte_rib_lookup_exact(rib, v4_host(p), p->cidr);
		if (!node || rte_rib_get_nh(node, &nh) != 0)
			return false;
		*peer_id = (uint32_t)nh;
		return true;
	}
	if (p->family == WG_FAMILY_V6)
		return rte_lpm6_is_rule_present(
			       __atomic_load_n(&t->lpm6_active,
					       __ATOMIC_RELAXED),
			       p->addr, p->cidr, peer_id) == 1;
	return false;
}

int gw_tables_index_add(struct gw_tables *t, uint32_t index, uintptr_t data)
{
	return rte_hash_add_key_data(t->index, &index, (void *)data);
}

void gw_tables_index_del(struct gw_tables *t, uint32_t index)
{
	/* with RCU attached, the slot is recycled after a grace period */
	rte_hash_del_key(t->index, &index);
}

uintptr_t gw_tables_index_get(struct gw_tables *t, uint32_t index)
{
	return gw_index_lookup(t, index);
}

uint32_t gw_tables_index_new(struct gw_tables *t)
{
	uint32_t idx;

	/* random, so that indices say nothing about how many sessions we
	 * have; the table is sparse, so this ends fast */
	do
		idx = wg_random_u32();
	while (idx == 0 || rte_hash_lookup(t->index, &idx) >= 0);
	return idx;
}

void gw_tables_retire(struct gw_tables *t, void *ptr, enum gw_retire_kind kind,
		      uint32_t size)
{
	struct retire_elem e = { .ptr = ptr, .kind = kind, .size = size };

	if (!ptr)
		return;
	if (rte_rcu_qsbr_dq_enqueue(t->retire_dq, &e) != 0) {
		/* queue full even after reclaiming: wait out a grace
		 * period here rather than leak or free too early */
		rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
		retire_free(NULL, &e, 1);
	}
}

void gw_tables_reclaim(struct gw_tables *t)
{
	unsigned int freed, pending, avail;

	rte_rcu_qsbr_dq_reclaim(t->retire_dq, 256, &freed, &pending, &avail);
}
