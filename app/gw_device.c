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
	bool none = wg_is_zero(key, WG_KEY_LEN);

	/* the key the gateway already holds (wg syncconf sends it back):
	 * nothing changes, as with Linux and wireguard-go; every session
	 * would go otherwise (constant time: a secret) */
	if (none ? !c->id.has_private_key :
		   c->id.has_private_key &&
			   wg_equal(key, c->id.private_key, WG_KEY_LEN))
		return;
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
		gw_staging_drop_all(ctx, GW_CTR_DROP_STAGED_NO_PRIVATE_KEY);
	/* every session was made with the old identity; the peers' static-
	 * static terms need nothing (the identity's generation changed, so
	 * each is computed again at its peer's next handshake) */
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
	struct wg_interface_config *ifc = &out->interface;

	memset(out, 0, sizeof(*out));
	snprintf(ifc->name, sizeof(ifc->name), "%s", c->name);
	ifc->has_private_key = c->id.has_private_key;
	if (ifc->has_private_key) {
		memcpy(ifc->private_key, c->id.private_key, WG_KEY_LEN);
		memcpy(ifc->public_key, c->id.public_key, WG_KEY_LEN);
	}
	ifc->listen_port = rte_be_to_cpu_16(ctx->listen_port);
	ifc->has_listen_port = true;
	out->n_peers = c->n_peers;
}

int gw_device_foreach_peer_slice(struct gw_device *dev,
				 struct gw_peer_cursor *cur, uint32_t max,
				 gw_peer_fn fn, void *arg)
{
	struct gw_ctx *ctx = dev->ctx;
	const struct gw_peer *p;
	struct wg_uapi_peer info;
	int ret = 0;

	if (cur->done)
		return 0;
	p = cur->started ? cur->next : ctx->control->peers;
	cur->started = true;
	for (; p && !ret && max; p = p->list_next, max--) {
		struct wg_peer_config *pc = &info.config;
		const struct wg_endpoint *ep = p->endpoint;

		memset(&info, 0, sizeof(info));
		memcpy(pc->public_key, p->public_key, WG_KEY_LEN);
		pc->has_public_key = true;
		pc->has_preshared_key = p->has_preshared_key;
		if (p->has_preshared_key)
			memcpy(pc->preshared_key, p->preshared_key,
			       WG_KEY_LEN);
		pc->has_endpoint = ep != NULL;
		if (ep)
			pc->endpoint = *ep;
		pc->persistent_keepalive = p->persistent_keepalive;
		pc->has_persistent_keepalive = true;
		pc->allowed_ips = p->allowed_ips;
		pc->n_allowed_ips = p->n_allowed_ips;
		info.last_handshake_time_sec =
			p->last_handshake_unix_ns / 1000000000ull;
		info.last_handshake_time_nsec =
			p->last_handshake_unix_ns % 1000000000ull;
		gw_peer_bytes(ctx, p,
			      &info.rx_bytes, &info.tx_bytes);
		ret = fn(&info, arg);
		wg_wipe(&info, sizeof(info));
	}
	cur->next = p;
	cur->done = !p;
	return ret;
}

int gw_device_foreach_peer(struct gw_device *dev, gw_peer_fn fn, void *arg)
{
	struct gw_peer_cursor cur = { 0 };

	return gw_device_foreach_peer_slice(dev, &cur, UINT32_MAX, fn, arg);
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
 * The file at start, in the device's own model: the set points at the
 * loaded config (a file names every peer whole, with replace_peers and
 * replace_allowed_ips; what a peer lacks is off on a new peer anyway).
 * The listen port has a value even where the file named none (the
 * default), so it is set from the value, after the set succeeded.
 */
int gw_control_apply_config(struct gw_ctx *ctx, const struct wg_config *cfg)
{
	const struct gw_device_set set = {
		.interface = &cfg->interface,
		.peers = cfg->peers,
		.n_peers = cfg->n_peers,
	};
	int ret;

	snprintf(ctx->control->name, sizeof(ctx->control->name), "%s",
		 cfg->interface.name);
	ret = gw_device_set(&ctx->control->dev, &set);
	if (ret == 0)
		gw_control_set_listen_port(ctx, cfg->interface.listen_port);
	return ret;
}
