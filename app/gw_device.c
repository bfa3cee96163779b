/* SPDX-License-Identifier: MIT */
/*
 * The device-level API (gw_device.h) over the control lcore's peer API,
 * and the two interface-wide settings: private key and listen port. The
 * config loader goes through the same functions as the UAPI.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_malloc.h>

#include "gw_control.h"
#include "gw_staging.h"
#include "gw_tables.h"
#include "wg_crypto.h"

void gw_control_set_private_key(struct gw_ctx *ctx,
				const uint8_t key[WG_KEY_LEN])
{
	struct gw_control *c = ctx->control;
	const uint8_t *old = ctx->mac1_key;
	uint8_t *mac1 = NULL;
	struct gw_peer *p;

	wg_identity_set(&c->id, key);
	if (c->id.has_private_key) {
		wg_cookie_checker_init(&c->checker, c->id.public_key);
		mac1 = rte_malloc("gw_mac1", WG_KEY_LEN, 0);
		if (mac1)
			memcpy(mac1, c->checker.mac1_key, WG_KEY_LEN);
	}
	__atomic_store_n(&ctx->mac1_key, mac1, __ATOMIC_RELEASE);
	gw_tables_retire(ctx->tables, (void *)(uintptr_t)old, GW_RETIRE_FREE,
			 0);
	/* without an identity no handshake can complete */
	if (!c->id.has_private_key)
		gw_staging_drop_all(ctx, GW_CTR_DROP_STAGED_NO_KEY);
	/* every session was made with the old identity */
	for (p = c->peers; p; p = p->list_next) {
		gw_peer_zero_keys(ctx, p);
		wg_handshake_init(&p->hs, &c->id, p->public_key,
				  p->has_preshared_key ? p->preshared_key :
							 NULL);
	}
}

void gw_control_set_listen_port(struct gw_ctx *ctx, uint16_t port)
{
	__atomic_store_n(&ctx->listen_port, rte_cpu_to_be_16(port),
			 __ATOMIC_RELAXED);
}

void gw_device_get_info(struct gw_device *dev, struct gw_device_info *out)
{
	struct gw_ctx *ctx = dev->ctx;
	struct gw_control *c = ctx->control;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", c->name);
	out->has_private_key = c->id.has_private_key;
	if (out->has_private_key) {
		memcpy(out->private_key, c->id.private_key, WG_KEY_LEN);
		memcpy(out->public_key, c->id.public_key, WG_KEY_LEN);
	}
	out->listen_port = rte_be_to_cpu_16(ctx->listen_port);
	out->n_peers = c->n_peers;
}

int gw_device_foreach_peer(struct gw_device *dev, gw_peer_fn fn, void *arg)
{
	struct gw_ctx *ctx = dev->ctx;
	struct gw_peer *p;
	struct gw_peer_info info;
	int ret = 0;

	for (p = ctx->control->peers; p && !ret; p = p->list_next) {
		const struct wg_endpoint *ep = p->endpoint;

		memset(&info, 0, sizeof(info));
		memcpy(info.public_key, p->public_key, WG_KEY_LEN);
		info.has_preshared_key = p->has_preshared_key;
		if (p->has_preshared_key)
			memcpy(info.preshared_key, p->preshared_key,
			       WG_KEY_LEN);
		if (ep)
			info.endpoint = *ep;
		info.persistent_keepalive = p->persistent_keepalive;
		info.last_handshake_sec =
			p->last_handshake_unix_ns / 1000000000ull;
		info.last_handshake_nsec =
			p->last_handshake_unix_ns % 1000000000ull;
		gw_peer_bytes(ctx, p, &info.rx_bytes, &info.tx_bytes);
		info.protocol_version = 1;
		info.n_allowed_ips = p->n_allowed_ips;
		info.allowed_ips = p->allowed_ips;
		ret = fn(&info, arg);
		wg_wipe(&info, sizeof(info));
	}
	return ret;
}

int gw_device_foreach_counter(struct gw_device *dev, gw_counter_fn fn,
			      void *arg)
{
	unsigned int c;
	int ret;

	for (c = 0; c < GW_CTR_MAX; c++) {
		ret = fn(gw_counter_name(c), gw_stats_sum(dev->ctx->stats, c),
			 arg);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Would the transaction, applied in order, ever hold more than max_peers
 * peers? Each peer that a remove takes out is marked, so that a key
 * removed and added again, or removed twice, counts as what applying it
 * does. Keys that are not there yet are counted at every add (a key
 * added twice in one set counts twice: that errs on the safe side). So
 * gw_peer_add cannot run out of slots half way through a set that
 * passed, e.g. a `wg syncconf` that removes some peers and adds as many
 * at max_peers.
 */
static int check_peer_count(struct gw_ctx *ctx,
			    const struct gw_device_set *set)
{
	struct gw_control *c = ctx->control;
	uint64_t n = set->replace_peers ? 0 : c->n_peers, peak = n;
	uint32_t i;

	for (i = 0; i < set->n_peers; i++) {
		const struct gw_peer_set *ps = &set->peers[i];
		struct gw_peer *p = set->replace_peers ?
					    NULL :
					    gw_peer_find(ctx, ps->public_key);

		if (ps->remove) {
			if (p && !p->txn_removed) {
				p->txn_removed = true;
				n--;
			}
		} else if (!ps->update_only && (!p || p->txn_removed)) {
			if (p)
				p->txn_removed = false;
			n++;
			peak = RTE_MAX(peak, n);
		}
	}
	for (i = 0; i < set->n_peers && !set->replace_peers; i++) {
		struct gw_peer *p = gw_peer_find(ctx, set->peers[i].public_key);

		if (p)
			p->txn_removed = false;
	}
	return peak > c->max_peers ? -ENOSPC : 0;
}

static int validate(struct gw_ctx *ctx, const struct gw_device_set *set)
{
	uint64_t n4 = 0, n6 = 0;
	uint32_t i, j;

	if (set->has_fwmark && set->fwmark != 0)
		return -EINVAL;
	if (set->has_listen_port && set->listen_port == 0)
		return -EINVAL;
	for (i = 0; i < set->n_peers; i++) {
		const struct gw_peer_set *ps = &set->peers[i];

		for (j = 0; j < ps->n_allowed_ips; j++) {
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
	/* more than a table holds can never fit (what is already in it is
	 * left to the table to refuse) */
	if (n4 > ctx->tables->max_routes4 || n6 > ctx->tables->max_routes6)
		return -ENOSPC;
	return check_peer_count(ctx, set);
}

static int apply_peer(struct gw_ctx *ctx, const struct gw_peer_set *ps)
{
	struct gw_peer *p = gw_peer_find(ctx, ps->public_key);
	bool kick = false;

	if (ps->remove) {
		if (p)
			gw_peer_remove(ctx, p);
		return 0;
	}
	if (!p) {
		if (ps->update_only)
			return 0;
		/* our own public key cannot be a peer */
		if (ctx->control->id.has_private_key &&
		    memcmp(ps->public_key, ctx->control->id.public_key,
			   WG_KEY_LEN) == 0)
			return 0;
		p = gw_peer_add(ctx, ps->public_key);
		if (!p) /* validate() counted: only memory can be short */
			return ctx->control->n_free ? -ENOMEM : -ENOSPC;
	}
	if (ps->has_preshared_key)
		gw_peer_set_psk(ctx, p, ps->preshared_key);
	if (ps->has_endpoint)
		gw_peer_set_endpoint(ctx, p, &ps->endpoint);
	if (ps->has_persistent_keepalive) {
		p->persistent_keepalive = ps->persistent_keepalive;
		kick = wg_timers_persistent_keepalive_set(
			&p->timers, ps->persistent_keepalive);
	}
	if (ps->replace_allowed_ips || ps->n_allowed_ips) {
		int ret = gw_peer_add_allowed_ips(ctx, p, ps->allowed_ips,
						  ps->n_allowed_ips,
						  ps->replace_allowed_ips);
		if (ret < 0)
			return ret;
	}
	/* switching persistent keepalive on sends one now (as wg does):
	 * that also starts a handshake when there is no session */
	if (kick)
		p->timers.deadline[WG_TIMER_ID_PERSISTENT] = 0;
	/* the tick decides whether anything changed that it must drive */
	gw_peer_wake(ctx, p);
	return 0;
}

int gw_device_set(struct gw_device *dev, const struct gw_device_set *set)
{
	struct gw_ctx *ctx = dev->ctx;
	uint32_t i;
	int ret = validate(ctx, set);

	if (ret < 0)
		return ret;
	if (set->has_private_key)
		gw_control_set_private_key(ctx, set->private_key);
	if (set->has_listen_port)
		gw_control_set_listen_port(ctx, set->listen_port);
	if (set->replace_peers)
		while (ctx->control->peers)
			gw_peer_remove(ctx, ctx->control->peers);
	for (i = 0; i < set->n_peers; i++) {
		ret = apply_peer(ctx, &set->peers[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int gw_control_apply_config(struct gw_ctx *ctx, const struct wg_config *cfg)
{
	struct gw_device_set set;
	struct gw_peer_set *ps;
	size_t i;
	int ret;

	memset(&set, 0, sizeof(set));
	snprintf(ctx->control->name, sizeof(ctx->control->name), "%s",
		 cfg->interface.name);
	set.has_private_key = cfg->interface.has_private_key;
	memcpy(set.private_key, cfg->interface.private_key, WG_KEY_LEN);
	set.has_listen_port = true;
	set.listen_port = cfg->interface.listen_port;
	set.replace_peers = true;
	ps = calloc(cfg->n_peers ? cfg->n_peers : 1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	for (i = 0; i < cfg->n_peers; i++) {
		const struct wg_peer_config *pc = &cfg->peers[i];

		memcpy(ps[i].public_key, pc->public_key, WG_KEY_LEN);
		ps[i].has_preshared_key = pc->has_preshared_key;
		memcpy(ps[i].preshared_key, pc->preshared_key, WG_KEY_LEN);
		ps[i].has_endpoint = pc->has_endpoint;
		ps[i].endpoint = pc->endpoint;
		ps[i].has_persistent_keepalive = pc->has_persistent_keepalive;
		ps[i].persistent_keepalive = pc->persistent_keepalive;
		ps[i].replace_allowed_ips = true;
		ps[i].n_allowed_ips = (uint32_t)pc->n_allowed_ips;
		ps[i].allowed_ips = pc->allowed_ips;
	}
	set.n_peers = (uint32_t)cfg->n_peers;
	set.peers = ps;
	ret = gw_device_set(&ctx->control->dev, &set);
	wg_wipe(ps, (cfg->n_peers ? cfg->n_peers : 1) * sizeof(*ps));
	free(ps);
	wg_wipe(&set, sizeof(set));
	return ret;
}
