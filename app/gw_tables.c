/* SPDX-License-Identifier: MIT */
/* Lock-free tables and their RCU reclamation (see gw_tables.h). */
#include "gw_tables.h"

#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

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
		if (el[i].kind == GW_RETIRE_WIPE_FREE)
			wg_wipe(el[i].ptr, el[i].size);
		rte_free(el[i].ptr);
	}
}

int gw_tables_create(struct gw_ctx *ctx)
{
	struct gw_tables *t;
	struct rte_lpm_config c4 = {
		.max_rules = GW_MAX_ROUTES4,
		.number_tbl8s = 1 << 12,
	};
	struct rte_lpm6_config c6 = {
		.max_rules = GW_MAX_ROUTES6,
		.number_tbl8s = 1 << 14,
	};
	struct rte_lpm_rcu_config r4 = {
		.v = ctx->qsbr,
		.mode = RTE_LPM_QSBR_MODE_DQ,
	};
	struct rte_hash_parameters hp = {
		.name = "gw_index",
		.entries = GW_MAX_INDICES,
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
		.size = GW_RETIRE_QUEUE,
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

	t->lpm4 = rte_lpm_create("gw_lpm4", (int)rte_socket_id(), &c4);
	if (!t->lpm4 || rte_lpm_rcu_qsbr_add(t->lpm4, &r4) != 0)
		goto fail;
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

void gw_tables_free(struct gw_ctx *ctx)
{
	struct gw_tables *t = ctx->tables;

	if (!t)
		return;
	/* workers are stopped: everything queued can go now */
	if (t->retire_dq)
		rte_rcu_qsbr_dq_delete(t->retire_dq);
	rte_hash_free(t->index);
	rte_lpm6_free(t->lpm6[0]);
	rte_lpm6_free(t->lpm6[1]);
	rte_lpm_free(t->lpm4);
	rte_free(t);
	ctx->tables = NULL;
}

static uint32_t v4_host(const struct wg_prefix *p)
{
	uint32_t be;

	memcpy(&be, p->addr, 4);
	return rte_be_to_cpu_32(be);
}

/*
 * rte_lpm6 cannot be read while it changes. Apply the change to the
 * table workers do not use, switch them to it with one pointer store,
 * wait until no worker can still be inside the old one, then bring the
 * old one level. The control lcore blocks for one grace period: workers
 * never wait.
 */
static int lpm6_apply(struct gw_tables *t, const struct wg_prefix *p,
		      bool add, uint32_t nh)
{
	struct rte_lpm6 *active =
		__atomic_load_n(&t->lpm6_active, __ATOMIC_RELAXED);
	struct rte_lpm6 *idle = active == t->lpm6[0] ? t->lpm6[1] : t->lpm6[0];
	int ret;

	ret = add ? rte_lpm6_add(idle, p->addr, p->cidr, nh) :
		    rte_lpm6_delete(idle, p->addr, p->cidr);
	if (ret < 0)
		return ret;
	__atomic_store_n(&t->lpm6_active, idle, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
	ret = add ? rte_lpm6_add(active, p->addr, p->cidr, nh) :
		    rte_lpm6_delete(active, p->addr, p->cidr);
	if (ret < 0) {
		/* keep the two identical: undo on the one now in use */
		GW_LOG(ERR, "lpm6: second table refused a change (%d)", ret);
	}
	return ret;
}

int gw_tables_route_add(struct gw_tables *t, const struct wg_prefix *p,
			uint32_t peer_id)
{
	if (p->family == WG_FAMILY_V4)
		return rte_lpm_add(t->lpm4, v4_host(p), p->cidr, peer_id);
	if (p->family == WG_FAMILY_V6)
		return lpm6_apply(t, p, true, peer_id);
	return -EINVAL;
}

int gw_tables_route_del(struct gw_tables *t, const struct wg_prefix *p)
{
	if (p->family == WG_FAMILY_V4)
		return rte_lpm_delete(t->lpm4, v4_host(p), p->cidr);
	if (p->family == WG_FAMILY_V6)
		return lpm6_apply(t, p, false, 0);
	return -EINVAL;
}

bool gw_tables_route_owner(struct gw_tables *t, const struct wg_prefix *p,
			   uint32_t *peer_id)
{
	if (p->family == WG_FAMILY_V4)
		return rte_lpm_is_rule_present(t->lpm4, v4_host(p), p->cidr,
					       peer_id) == 1;
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
