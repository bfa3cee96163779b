/* SPDX-License-Identifier: MIT */
/*
 * gw_device_set (gw_device.h): one UAPI `set` (or the config at start),
 * all or nothing.
 *
 * A set is first played on a plan, without touching a peer or a table:
 * every key it names gets a "planned peer" (one per life: a key removed
 * and added again in one set is two), the prefixes it adds are claimed in
 * a map (prefix -> planned peer), and at the end the plan knows every
 * peer's final AllowedIPs and every prefix whose owner changes. Only
 * those prefixes are touched: a prefix a peer keeps (wg syncconf sends
 * `replace_allowed_ips` and the same list back) is not deleted and
 * re-added, so it is never unrouted, and replacing {A,B} by {A,C} adds C
 * and deletes B in one batch, A untouched.
 *
 * Then, in an order where only the first steps can fail:
 *   1. allocate everything (new peers, endpoints, AllowedIPs lists);
 *   2. stage the route batch on the copies no worker reads
 *      (gw_tables_routes_stage): out of prefixes or tbl8 groups, it is
 *      undone there and the set returns -ENOSPC having changed nothing;
 *   3. private key (only if it differs), listen port, removals, changes
 *      to existing peers;
 *   4. publish the batch (one grace period for the whole set);
 *   5. add the new peers, in the slots the plan predicted: a slot that a
 *      removal of this set freed is filled only after the grace period,
 *      so no worker can send a removed peer's traffic to a new one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "gw_control.h"
#include "gw_tables.h"
#include "wg_crypto.h"

#define NONE UINT32_MAX

/* One life of one key in the set. */
struct vpeer {
	uint8_t key[WG_KEY_LEN];
	struct gw_peer *p0;          /* the existing peer, NULL: a new one */
	bool removed;
	bool cleared;                /* p0's AllowedIPs no longer count */
	bool ips_touched;            /* its list is rebuilt */
	uint32_t final_id;           /* p0->id, or the predicted slot */
	/* the values the set gives, copied: the set is gone by the time
	 * the last new peers are added */
	bool has_psk, has_ep, has_ka;
	uint8_t psk[WG_KEY_LEN];     /* wiped in plan_free */
	struct wg_endpoint ep;
	uint16_t ka;
	struct wg_prefix *added;     /* claims, in order */
	uint32_t n_added, cap_added;
	struct wg_prefix *final;     /* the list it ends with */
	uint32_t n_final, cap_final;
	struct gw_peer *mem;         /* new: allocated in step 1 */
	struct wg_endpoint *ep_mem;
};

struct claim {
	struct wg_prefix p;
	uint32_t owner;              /* vpeer index, NONE: unrouted */
	bool used;                   /* slot taken */
	bool listed;                 /* already in a final list */
};

struct plan {
	struct gw_ctx *ctx;
	const struct gw_device_set *set;
	struct vpeer *vp;
	uint32_t n_vp;
	uint32_t *key_slots;         /* key hash -> its latest vpeer + 1 */
	uint32_t key_mask;
	struct claim *claims;
	uint32_t claim_mask;
	struct gw_peer **victims;    /* untouched peers losing a prefix */
	struct wg_prefix **victim_lists;
	uint32_t *victim_n;
	uint32_t n_victims;
	struct gw_route_op *ops;
	uint32_t n_ops;
	uint32_t n_new;              /* surviving new peers */
	uint32_t next_new;           /* add_new()'s cursor in vp[] */
};

static uint32_t pow2_at_least(uint64_t n)
{
	uint32_t m = 16;

	while (m < n && m < (1u << 31))
		m <<= 1;
	return m;
}

/* ---------------------------------------------------------- lookups */

/* FNV-1a: keys and prefixes are byte arrays of any alignment, and the
 * tables are the control lcore's, sized for the set. */
static uint32_t hash_bytes(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h ^ (h >> 16);
}

static uint32_t *key_slot(struct plan *pl, const uint8_t *key)
{
	uint32_t h = hash_bytes(key, WG_KEY_LEN) & pl->key_mask;

	for (;; h = (h + 1) & pl->key_mask) {
		uint32_t v = pl->key_slots[h];

		if (!v || memcmp(pl->vp[v - 1].key, key, WG_KEY_LEN) == 0)
			return &pl->key_slots[h];
	}
}

static struct claim *claim_find(struct plan *pl, const struct wg_prefix *p,
				bool add)
{
	uint32_t h = hash_bytes(p, sizeof(*p)) & pl->claim_mask;

	for (;; h = (h + 1) & pl->claim_mask) {
		struct claim *c = &pl->claims[h];

		if (!c->used) {
			if (!add)
				return NULL;
			c->used = true;
			c->p = *p;
			c->owner = NONE;
			return c;
		}
		if (memcmp(&c->p, p, sizeof(*p)) == 0)
			return c;
	}
}

/* The peer slot that routes p once the set is applied (GW_NO_PEER:
 * none). current: the slot routing it now. */
static uint32_t final_owner(struct plan *pl, const struct wg_prefix *p,
			    uint32_t current)
{
	struct claim *c = claim_find(pl, p, false);
	struct gw_peer *x;

	if (c)
		return c->owner == NONE ? GW_NO_PEER : pl->vp[c->owner].final_id;
	if (current == GW_NO_PEER || pl->set->interface->replace_peers)
		return GW_NO_PEER;
	x = pl->ctx->tables->peers[current];
	if (x && x->txn_vpeer && x->txn_vpeer != NONE &&
	    pl->vp[x->txn_vpeer - 1].cleared)
		return GW_NO_PEER;
	return current;
}

/* ---------------------------------------------------------- playing */

static int vpeer_new(struct plan *pl, const uint8_t *key, struct gw_peer *p0)
{
	struct vpeer *v = &pl->vp[pl->n_vp];

	memset(v, 0, sizeof(*v));
	memcpy(v->key, key, WG_KEY_LEN);
	v->p0 = p0;
	v->final_id = p0 ? p0->id : GW_NO_PEER;
	if (p0)
		p0->txn_vpeer = pl->n_vp + 1;
	*key_slot(pl, key) = ++pl->n_vp;
	return (int)pl->n_vp - 1;
}

/* Its claims go, and with them what p0 had. */
static void vpeer_clear(struct plan *pl, uint32_t vi)
{
	struct vpeer *v = &pl->vp[vi];

	for (uint32_t i = 0; i < v->n_added; i++) {
		struct claim *c = claim_find(pl, &v->added[i], false);

		if (c && c->owner == vi)
			c->owner = NONE;
	}
	v->n_added = 0;
	v->cleared = true;
	v->ips_touched = true;
}

static int vpeer_claim(struct plan *pl, uint32_t vi, const struct wg_prefix *p)
{
	struct vpeer *v = &pl->vp[vi];

	if (v->n_added == v->cap_added) {
		uint32_t cap = v->cap_added ? 2 * v->cap_added : 8;
		struct wg_prefix *a = realloc(v->added, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		v->added = a;
		v->cap_added = cap;
	}
	v->added[v->n_added++] = *p;
	claim_find(pl, p, true)->owner = vi;
	v->ips_touched = true;
	return 0;
}

/* The set in order, on the plan. Counts peers as it goes: more than
 * max_peers at any point is -ENOSPC. */
static int play(struct plan *pl)
{
	struct gw_ctx *ctx = pl->ctx;
	const struct gw_device_set *set = pl->set;
	struct gw_control *c = ctx->control;
	uint64_t n = set->interface->replace_peers ? 0 : c->n_peers;
	int ret;

	for (uint32_t i = 0; i < set->n_peers; i++) {
		const struct wg_peer_config *ps = &set->peers[i];
		uint32_t slot = *key_slot(pl, ps->public_key);
		uint32_t vi = NONE;

		/* the key's latest life, unless it ended in this set */
		if (slot) {
			if (!pl->vp[slot - 1].removed)
				vi = slot - 1;
		} else if (!set->interface->replace_peers) {
			struct gw_peer *p0 = gw_peer_find(ctx, ps->public_key);

			if (p0)
				vi = (uint32_t)vpeer_new(pl, ps->public_key, p0);
		}
		if (ps->remove) {
			if (vi != NONE) {
				vpeer_clear(pl, vi);
				pl->vp[vi].removed = true;
				n--;
			}
			continue;
		}
		if (vi == NONE) {
			if (ps->update_only)
				continue;
			/* our own public key cannot be a peer */
			if (c->id.has_private_key &&
			    memcmp(ps->public_key, c->id.public_key,
				   WG_KEY_LEN) == 0)
				continue;
			if (++n > c->max_peers)
				return -ENOSPC;
			vi = (uint32_t)vpeer_new(pl, ps->public_key, NULL);
			pl->vp[vi].cleared = true;
			pl->vp[vi].ips_touched = true;
		}
		if (ps->has_preshared_key) {
			pl->vp[vi].has_psk = true;
			memcpy(pl->vp[vi].psk, ps->preshared_key, WG_KEY_LEN);
		}
		if (ps->has_endpoint) {
			pl->vp[vi].has_ep = true;
			pl->vp[vi].ep = ps->endpoint;
		}
		if (ps->has_persistent_keepalive) {
			pl->vp[vi].has_ka = true;
			pl->vp[vi].ka = ps->persistent_keepalive;
		}
		if (ps->replace_allowed_ips)
			vpeer_clear(pl, vi);
		for (uint32_t j = 0; j < ps->n_allowed_ips; j++) {
			ret = vpeer_claim(pl, vi, &ps->allowed_ips[j]);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* The slots the new peers will take: the free ones in order, then those
 * this set's removals free, in the order they are removed (apply()). */
static void predict_ids(struct plan *pl)
{
	struct gw_ctx *ctx = pl->ctx;
	struct gw_peer *p = ctx->control->peers;
	uint32_t k = 0, ri = 0;

	for (uint32_t i = 0; i < pl->n_vp; i++) {
		struct vpeer *v = &pl->vp[i];
		uint32_t id;

		if (v->p0 || v->removed)
			continue;
		id = gw_peer_next_id(ctx, k++);
		if (id == UINT32_MAX) {
			/* the r-th removed peer's slot */
			if (pl->set->interface->replace_peers) {
				id = p->id;
				p = p->list_next;
			} else {
				while (!(pl->vp[ri].p0 && pl->vp[ri].removed))
					ri++;
				id = pl->vp[ri++].p0->id;
			}
		}
		v->final_id = id;
		pl->n_new++;
	}
}

static int op_add(struct plan *pl, const struct wg_prefix *p, uint32_t old,
		  uint32_t new_id, uint32_t *cap)
{
	if (old == new_id)
		return 0;
	if (pl->n_ops == *cap) {
		uint32_t ncap = *cap ? 2 * *cap : 64;
		struct gw_route_op *o = realloc(pl->ops, ncap * sizeof(*o));

		if (!o)
			return -ENOMEM;
		pl->ops = o;
		*cap = ncap;
	}
	pl->ops[pl->n_ops].p = *p;
	pl->ops[pl->n_ops].old_id = old;
	pl->ops[pl->n_ops].new_id = new_id;
	pl->n_ops++;
	return 0;
}

static uint32_t current_owner(struct plan *pl, const struct wg_prefix *p)
{
	uint32_t id;

	return gw_tables_route_owner(pl->ctx->tables, p, &id) ? id :
								GW_NO_PEER;
}

/* The peer routing a prefix that moves away must drop it from its list:
 * a planned peer's list is rebuilt anyway, any other is a victim. */
static bool note_victim(struct plan *pl, uint32_t id, uint32_t *cap)
{
	struct gw_peer *x = id == GW_NO_PEER ? NULL : pl->ctx->tables->peers[id];

	if (!x || pl->set->interface->replace_peers || x->txn_vpeer == NONE)
		return true;
	if (x->txn_vpeer) {
		pl->vp[x->txn_vpeer - 1].ips_touched = true;
		return true;
	}
	if (pl->n_victims == *cap) {
		uint32_t ncap = *cap ? 2 * *cap : 16;
		struct gw_peer **v = realloc(pl->victims, ncap * sizeof(*v));

		if (!v)
			return false;
		pl->victims = v;
		*cap = ncap;
	}
	/* marked like a planned peer that keeps everything not claimed */
	x->txn_vpeer = NONE;
	pl->victims[pl->n_victims++] = x;
	return true;
}

/* Every prefix whose owner changes. */
static int diff(struct plan *pl)
{
	struct gw_ctx *ctx = pl->ctx;
	uint32_t cap = 0, vcap = 0;
	int ret;

	for (uint32_t h = 0; h <= pl->claim_mask; h++) {
		struct claim *c = &pl->claims[h];
		uint32_t old;

		if (!c->used)
			continue;
		old = current_owner(pl, &c->p);
		ret = op_add(pl, &c->p, old, final_owner(pl, &c->p, old), &cap);
		if (ret < 0)
			return ret;
		if (old != final_owner(pl, &c->p, old) &&
		    !note_victim(pl, old, &vcap))
			return -ENOMEM;
	}
	/* what removed and cleared peers had and nobody claimed */
	for (struct gw_peer *p = ctx->control->peers; p; p = p->list_next) {
		if (!pl->set->interface->replace_peers &&
		    !(p->txn_vpeer && p->txn_vpeer != NONE &&
		      pl->vp[p->txn_vpeer - 1].cleared))
			continue;
		for (uint32_t i = 0; i < p->n_allowed_ips; i++) {
			if (claim_find(pl, &p->allowed_ips[i], false))
				continue;
			ret = op_add(pl, &p->allowed_ips[i], p->id, GW_NO_PEER,
				     &cap);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* ------------------------------------------------------- final lists */

static bool list_push(struct wg_prefix **l, uint32_t *n, uint32_t *cap,
		      const struct wg_prefix *p)
{
	if (*n == *cap) {
		uint32_t ncap = *cap ? 2 * *cap : 8;
		struct wg_prefix *a = realloc(*l, ncap * sizeof(*a));

		if (!a)
			return false;
		*l = a;
		*cap = ncap;
	}
	(*l)[(*n)++] = *p;
	return true;
}

/* What a peer keeps of its list (in order), then what it claimed. */
static int build_list(struct plan *pl, struct gw_peer *p0, uint32_t my_id,
		      const struct vpeer *v, struct wg_prefix **out,
		      uint32_t *n_out, uint32_t *cap_out)
{
	*out = NULL;
	*n_out = *cap_out = 0;
	for (uint32_t i = 0; p0 && (!v || !v->cleared) &&
			     i < p0->n_allowed_ips; i++) {
		const struct wg_prefix *p = &p0->allowed_ips[i];
		struct claim *c = claim_find(pl, p, false);

		if (final_owner(pl, p, p0->id) != my_id || (c && c->listed))
			continue;
		if (c)
			c->listed = true;
		if (!list_push(out, n_out, cap_out, p))
			return -ENOMEM;
	}
	for (uint32_t i = 0; v && i < v->n_added; i++) {
		struct claim *c = claim_find(pl, &v->added[i], false);

		if (c->listed || c->owner == NONE || &pl->vp[c->owner] != v)
			continue;
		c->listed = true;
		if (!list_push(out, n_out, cap_out, &v->added[i]))
			return -ENOMEM;
	}
	/* a peer with no prefix has no list, as after a removal */
	if (!*n_out) {
		free(*out);
		*out = NULL;
		*cap_out = 0;
	}
	return 0;
}

static int build_lists(struct plan *pl)
{
	int ret;

	for (uint32_t i = 0; i < pl->n_vp; i++) {
		struct vpeer *v = &pl->vp[i];

		if (v->removed || !v->ips_touched)
			continue;
		ret = build_list(pl, v->p0, v->final_id, v, &v->final,
				 &v->n_final, &v->cap_final);
		if (ret < 0)
			return ret;
	}
	pl->victim_lists = calloc(pl->n_victims + 1, sizeof(*pl->victim_lists));
	pl->victim_n = calloc(pl->n_victims + 1, sizeof(*pl->victim_n) * 2);
	if (!pl->victim_lists || !pl->victim_n)
		return -ENOMEM;
	for (uint32_t i = 0; i < pl->n_victims; i++) {
		struct gw_peer *x = pl->victims[i];

		ret = build_list(pl, x, x->id, NULL, &pl->victim_lists[i],
				 &pl->victim_n[2 * i], &pl->victim_n[2 * i + 1]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---------------------------------------------------------- applying */

static int allocate(struct plan *pl)
{
	for (uint32_t i = 0; i < pl->n_vp; i++) {
		struct vpeer *v = &pl->vp[i];
		const struct wg_endpoint *ep =
			v->has_ep ? &v->ep : NULL;

		if (v->removed)
			continue;
		if (!v->p0) {
			v->mem = gw_peer_alloc();
			if (!v->mem)
				return -ENOMEM;
		}
		if (ep && ep->family != WG_FAMILY_NONE &&
		    !(v->p0 && v->p0->endpoint &&
		      memcmp(v->p0->endpoint, ep, sizeof(*ep)) == 0)) {
			v->ep_mem = gw_endpoint_new(ep);
			if (!v->ep_mem)
				return -ENOMEM;
		}
	}
	return 0;
}

/* psk, endpoint, keepalive, AllowedIPs list of a peer that stays or
 * arrives; cannot fail. */
static void apply_fields(struct gw_ctx *ctx, struct vpeer *v,
			 struct gw_peer *p)
{
	bool kick = false;

	if (v->has_psk)
		gw_peer_set_psk(ctx, p, v->psk);
	if (v->has_ep) {
		if (v->ep_mem || v->ep.family == WG_FAMILY_NONE)
			gw_peer_use_endpoint(ctx, p, v->ep_mem);
		v->ep_mem = NULL;
	}
	if (v->has_ka) {
		p->persistent_keepalive = v->ka;
		kick = wg_timers_persistent_keepalive_set(&p->timers, v->ka);
	}
	if (v->ips_touched) {
		gw_peer_use_allowed_ips(p, v->final, v->n_final, v->cap_final);
		v->final = NULL;
	}
	/* switching persistent keepalive on sends one now (as wg does):
	 * that also starts a handshake when there is no session */
	if (kick)
		p->timers.deadline[WG_TIMER_ID_PERSISTENT] = 0;
	/* the tick decides whether anything changed that it must drive */
	gw_peer_wake(ctx, p);
}

/* Everything up to the publication of the route batch; the new peers
 * are added afterwards by add_new(). Cannot fail. */
static void apply(struct plan *pl)
{
	struct gw_ctx *ctx = pl->ctx;
	const struct gw_device_set *set = pl->set;

	if (set->interface->has_private_key)
		gw_control_set_private_key(ctx, set->interface->private_key);
	if (set->interface->has_listen_port)
		gw_control_set_listen_port(ctx, set->interface->listen_port);
	/* removals first, in the order predict_ids() assumed */
	if (set->interface->replace_peers) {
		while (ctx->control->peers)
			gw_peer_remove_unrouted(ctx, ctx->control->peers);
	} else {
		for (uint32_t i = 0; i < pl->n_vp; i++)
			if (pl->vp[i].p0 && pl->vp[i].removed) {
				pl->vp[i].p0->txn_vpeer = 0;
				gw_peer_remove_unrouted(ctx, pl->vp[i].p0);
				pl->vp[i].p0 = NULL;
			}
	}
	for (uint32_t i = 0; i < pl->n_vp; i++)
		if (pl->vp[i].p0 && !pl->vp[i].removed)
			apply_fields(ctx, &pl->vp[i], pl->vp[i].p0);
	for (uint32_t i = 0; i < pl->n_victims; i++) {
		gw_peer_use_allowed_ips(pl->victims[i], pl->victim_lists[i],
					pl->victim_n[2 * i],
					pl->victim_n[2 * i + 1]);
		pl->victim_lists[i] = NULL;
	}
	gw_tables_routes_commit(ctx->tables, pl->ops, pl->n_ops);
}

/* Up to budget of the new peers, in order; true when all are in. A big
 * set adds them a slice per control-loop iteration (a peer costs no
 * X25519 any more: the static-static term waits for the first
 * handshake, wg_noise.h). */
static bool add_new(struct plan *pl, uint32_t budget)
{
	struct gw_ctx *ctx = pl->ctx;

	for (; pl->next_new < pl->n_vp && budget; pl->next_new++) {
		struct vpeer *v = &pl->vp[pl->next_new];
		struct gw_peer *p;

		if (v->p0 || v->removed)
			continue;
		budget--;
		p = gw_peer_add_in(ctx, v->key, v->mem);
		if (!p) { /* play() counted the slots: cannot happen */
			GW_LOG(ERR, "UAPI set: no slot for a planned peer");
			continue;
		}
		v->mem = NULL;
		if (p->id != v->final_id)
			GW_LOG(ERR, "UAPI set: peer %u is not in its planned "
			       "slot %u", p->id, v->final_id);
		apply_fields(ctx, v, p);
	}
	return pl->next_new == pl->n_vp;
}

/* What only planning needs: gone once the batch is published. */
static void plan_release(struct plan *pl)
{
	for (uint32_t i = 0; i < pl->n_vp; i++) {
		struct vpeer *v = &pl->vp[i];

		if (v->p0)
			v->p0->txn_vpeer = 0;
		free(v->added);
		v->added = NULL;
	}
	for (uint32_t i = 0; i < pl->n_victims; i++) {
		pl->victims[i]->txn_vpeer = 0;
		if (pl->victim_lists)
			free(pl->victim_lists[i]);
	}
	free(pl->victims);
	free(pl->victim_lists);
	free(pl->victim_n);
	free(pl->ops);
	free(pl->claims);
	free(pl->key_slots);
	pl->victims = NULL;
	pl->victim_lists = NULL;
	pl->victim_n = NULL;
	pl->n_victims = 0;
	pl->ops = NULL;
	pl->claims = NULL;
	pl->key_slots = NULL;
	pl->set = NULL;
}

static void plan_free(struct plan *pl)
{
	plan_release(pl);
	for (uint32_t i = 0; i < pl->n_vp; i++) {
		struct vpeer *v = &pl->vp[i];

		free(v->final);
		rte_free(v->mem);
		rte_free(v->ep_mem);
	}
	if (pl->vp)
		wg_wipe(pl->vp, pl->n_vp * sizeof(*pl->vp));
	free(pl->vp);
	free(pl);
}

static int validate(struct gw_ctx *ctx, const struct gw_device_set *set,
		    uint64_t *n_prefixes)
{
	uint64_t n4 = 0, n6 = 0;

	if (set->interface->has_fwmark && set->interface->fwmark != 0)
		return -EINVAL;
	if (set->interface->has_listen_port && set->interface->listen_port == 0)
		return -EINVAL;
	for (uint32_t i = 0; i < set->n_peers; i++) {
		const struct wg_peer_config *ps = &set->peers[i];

		for (uint32_t j = 0; j < ps->n_allowed_ips; j++) {
			uint8_t f = ps->allowed_ips[j].family;

			if (wg_family_bits(f) == 0 ||
			    ps->allowed_ips[j].cidr > wg_family_bits(f))
				return -EINVAL;
			if (f == WG_FAMILY_V4)
				n4++;
			else
				n6++;
		}
		if (ps->has_endpoint &&
		    ps->endpoint.family != WG_FAMILY_V4 &&
		    ps->endpoint.family != WG_FAMILY_V6)
			return -EINVAL;
	}
	/* more than a table holds can never fit (the rest is found out
	 * by staging the batch) */
	if (n4 > ctx->tables->max_routes4 || n6 > ctx->tables->max_routes6)
		return -ENOSPC;
	*n_prefixes = n4 + n6;
	return 0;
}

int gw_device_set_start(struct gw_device *dev, const struct gw_device_set *set,
			struct gw_set_job **job)
{
	struct gw_ctx *ctx = dev->ctx;
	struct plan *pl;
	uint64_t n_pfx = 0;
	int ret = validate(ctx, set, &n_pfx);

	*job = NULL;
	if (ret < 0)
		return ret;
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return -ENOMEM;
	pl->ctx = ctx;
	pl->set = set;
	pl->key_mask = pow2_at_least(2 * (uint64_t)set->n_peers) - 1;
	pl->claim_mask = pow2_at_least(2 * n_pfx) - 1;
	pl->vp = calloc(set->n_peers ? set->n_peers : 1, sizeof(*pl->vp));
	pl->key_slots = calloc(pl->key_mask + 1, sizeof(*pl->key_slots));
	pl->claims = calloc(pl->claim_mask + 1, sizeof(*pl->claims));
	ret = !pl->vp || !pl->key_slots || !pl->claims ? -ENOMEM : play(pl);
	if (ret == 0) {
		predict_ids(pl);
		ret = diff(pl);
	}
	if (ret == 0)
		ret = build_lists(pl);
	if (ret == 0)
		ret = allocate(pl);
	if (ret == 0)
		ret = gw_tables_routes_stage(ctx->tables, pl->ops, pl->n_ops);
	if (ret < 0) {
		plan_free(pl);
		return ret;
	}
	/* nothing below fails */
	apply(pl);
	plan_release(pl);
	if (!pl->n_new || add_new(pl, GW_SET_PEERS_PER_STEP)) {
		plan_free(pl);
		return 0;
	}
	*job = (struct gw_set_job *)pl;
	return 1;
}

bool gw_device_set_step(struct gw_set_job *job, uint32_t budget)
{
	struct plan *pl = (struct plan *)job;

	if (!add_new(pl, budget ? budget : 1))
		return false;
	plan_free(pl);
	return true;
}

int gw_device_set(struct gw_device *dev, const struct gw_device_set *set)
{
	struct gw_set_job *job;
	int ret = gw_device_set_start(dev, set, &job);

	if (ret > 0)
		while (!gw_device_set_step(job, UINT32_MAX))
			;
	return ret < 0 ? ret : 0;
}
