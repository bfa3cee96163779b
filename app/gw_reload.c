/* SPDX-License-Identifier: MIT */
/*
 * SIGHUP: the config file re-read and applied as a difference (gw_reload.h).
 *
 * The whole file is loaded and checked first (FILE:LINE messages from
 * wg_config_load); fields that only take effect at start are compared with
 * the running configuration and any change refuses the reload, naming the
 * field. Only then is the file turned into one UAPI-shaped transaction, as
 * `wg syncconf` does: peers absent from the file are removed, every peer of
 * the file is set in full (AllowedIPs replaced). gw_device_set checks the
 * whole transaction before it changes anything and leaves what is equal
 * alone, so the sessions of unchanged peers and the routes that stay are
 * never touched.
 */
#include "gw_reload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gw_control.h"
#include "gw_device.h"
#include "gw_peer.h"
#include "gw_policy.h"
#include "wg_crypto.h"

/* ---------------------------------------------- fields fixed at start */

static bool same_prefixes(const struct wg_prefix *a, size_t na,
			  const struct wg_prefix *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

static bool same_port(const struct wg_port_config *a,
		      const struct wg_port_config *b)
{
	return a->port == b->port && a->has_gateway == b->has_gateway &&
	       (!a->has_gateway ||
		memcmp(&a->gateway, &b->gateway, sizeof(a->gateway)) == 0) &&
	       same_prefixes(a->addresses, a->n_addresses, b->addresses,
			     b->n_addresses);
}

static bool same_eal(const struct wg_config *a, const struct wg_config *b)
{
	if (a->n_eal_args != b->n_eal_args)
		return false;
	for (size_t i = 0; i < a->n_eal_args; i++)
		if (strcmp(a->eal_args[i], b->eal_args[i]) != 0)
			return false;
	return true;
}

static bool same_workers(const struct wg_config *a, const struct wg_config *b)
{
	return a->has_workers == b->has_workers &&
	       a->n_worker_lcores == b->n_worker_lcores &&
	       (a->n_worker_lcores == 0 ||
		memcmp(a->worker_lcores, b->worker_lcores,
		       a->n_worker_lcores * sizeof(*a->worker_lcores)) == 0);
}

/*
 * The first field whose change needs a restart (ports, lcores, tables,
 * EAL), or NULL. A private key or a listen port may change live; the
 * interface name may not (it names the UAPI socket).
 */
const char *gw_reload_fixed_field(const struct wg_config *run,
				  const struct wg_config *file)
{
	const struct wg_interface_config *a = &run->interface;
	const struct wg_interface_config *b = &file->interface;

	if (!same_eal(run, file))
		return "eal";
	if (strcmp(a->name, b->name) != 0)
		return "interface.name";
	if (a->mtu != b->mtu)
		return "interface.mtu";
	if (a->max_peers != b->max_peers)
		return "interface.max_peers";
	if (a->mss_clamp != b->mss_clamp)
		return "interface.mss_clamp";
	if (!same_port(&run->lan, &file->lan))
		return "lan";
	if (!same_port(&run->wan, &file->wan))
		return "wan";
	if (!same_workers(run, file))
		return "workers";
	if (memcmp(&run->testing, &file->testing, sizeof(run->testing)) != 0)
		return "testing";
	if (run->metrics.enabled != file->metrics.enabled ||
	    (run->metrics.enabled &&
	     memcmp(&run->metrics.listen, &file->metrics.listen,
		    sizeof(run->metrics.listen)) != 0))
		return "metrics.listen";
	if (run->metrics.per_peer != file->metrics.per_peer)
		return "metrics.per_peer";
	return NULL;
}

/* ------------------------------------------------- the difference */

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, WG_KEY_LEN);
}

/* Public keys of the running peers that the file does not name: the
 * file is the truth, so they go (peers added over the UAPI included). */
static int collect_removed(struct gw_ctx *ctx, const struct wg_config *file,
			   uint8_t (**out)[WG_KEY_LEN], uint32_t *n_out)
{
	uint8_t(*keys)[WG_KEY_LEN];
	uint8_t(*gone)[WG_KEY_LEN];
	struct gw_peer *p;
	uint32_t n = 0;

	keys = calloc(file->n_peers ? file->n_peers : 1, WG_KEY_LEN);
	gone = calloc(ctx->control->n_peers ? ctx->control->n_peers : 1,
		      WG_KEY_LEN);
	if (!keys || !gone) {
		free(keys);
		free(gone);
		return -ENOMEM;
	}
	for (size_t i = 0; i < file->n_peers; i++)
		memcpy(keys[i], file->peers[i].public_key, WG_KEY_LEN);
	qsort(keys, file->n_peers, WG_KEY_LEN, cmp_key);
	for (p = ctx->control->peers; p; p = p->list_next)
		if (!bsearch(p->public_key, keys, file->n_peers, WG_KEY_LEN,
			     cmp_key))
			memcpy(gone[n++], p->public_key, WG_KEY_LEN);
	free(keys);
	*out = gone;
	*n_out = n;
	return 0;
}

/* One peer of the file, described in full: what it lacks is off (no
 * preshared key, no keepalive), except the endpoint, which a responder
 * learns and which the file need not name (as `wg syncconf`). */
static void describe_peer(struct gw_peer_set *ps,
			  const struct wg_peer_config *pc)
{
	memcpy(ps->public_key, pc->public_key, WG_KEY_LEN);
	ps->has_preshared_key = true;
	memcpy(ps->preshared_key, pc->preshared_key, WG_KEY_LEN);
	ps->has_endpoint = pc->has_endpoint;
	ps->endpoint = pc->endpoint;
	ps->has_persistent_keepalive = true;
	ps->persistent_keepalive = pc->persistent_keepalive;
	ps->replace_allowed_ips = true;
	ps->n_allowed_ips = (uint32_t)pc->n_allowed_ips;
	ps->allowed_ips = pc->allowed_ips;
}

static int apply_difference(struct gw_ctx *ctx, const struct wg_config *file)
{
	struct gw_device_set set;
	struct gw_peer_set *ps;
	uint8_t(*gone)[WG_KEY_LEN] = NULL;
	uint32_t n_gone = 0, n = 0, i;
	int ret;

	ret = collect_removed(ctx, file, &gone, &n_gone);
	if (ret < 0)
		return ret;
	ps = calloc(n_gone + file->n_peers + 1, sizeof(*ps));
	if (!ps) {
		free(gone);
		return -ENOMEM;
	}
	/* removals first, so that a file that swaps peers near max_peers
	 * never counts both at once */
	for (i = 0; i < n_gone; i++, n++) {
		memcpy(ps[n].public_key, gone[i], WG_KEY_LEN);
		ps[n].remove = true;
	}
	for (i = 0; i < file->n_peers; i++, n++)
		describe_peer(&ps[n], &file->peers[i]);

	memset(&set, 0, sizeof(set));
	set.has_private_key = file->interface.has_private_key;
	memcpy(set.private_key, file->interface.private_key, WG_KEY_LEN);
	set.has_listen_port = true;
	set.listen_port = file->interface.listen_port;
	set.n_peers = n;
	set.peers = ps;
	ret = gw_device_set(&ctx->control->dev, &set);
	GW_LOG(INFO, "reload: %u peers in the file, %u removed", n - n_gone,
	       n_gone);
	wg_wipe(ps, (n_gone + file->n_peers + 1) * sizeof(*ps));
	free(ps);
	free(gone);
	wg_wipe(&set, sizeof(set));
	return ret;
}

/* ------------------------------------------------------------ entry */

static int reload(struct gw_ctx *ctx)
{
	struct wg_config file;
	struct wg_diag diag;
	const char *field;
	int ret;

	if (!ctx->config_path || !ctx->cfg) {
		GW_LOG(ERR, "reload: no config file to read");
		return -ENOENT;
	}
	memset(&file, 0, sizeof(file));
	wg_diag_init(&diag);
	ret = wg_config_load(ctx->config_path, &file, &diag);
	for (size_t i = 0; i < diag.n_errors; i++)
		GW_LOG(ERR, "reload: %s", diag.errors[i]);
	for (size_t i = 0; i < diag.n_warnings; i++)
		GW_LOG(WARNING, "reload: %s", diag.warnings[i]);
	wg_diag_free(&diag);
	if (ret < 0) {
		GW_LOG(ERR, "reload: %s has errors, nothing applied",
		       ctx->config_path);
		return -EINVAL;
	}
	field = gw_reload_fixed_field(ctx->cfg, &file);
	if (field) {
		GW_LOG(ERR,
		       "reload: %s: %s: cannot change while running (restart to apply), nothing applied",
		       ctx->config_path, field);
		ret = -EINVAL;
	} else if (!file.interface.has_private_key &&
		   ctx->cfg->interface.has_private_key) {
		GW_LOG(ERR,
		       "reload: %s: interface.private_key: missing; a reload does not remove the key, nothing applied",
		       ctx->config_path);
		ret = -EINVAL;
	} else {
		struct gw_policy_stage *st;
		char err[256];

		/* the rules compile before anything changes */
		ret = gw_policy_stage(ctx, &file, &st, err, sizeof(err));
		if (ret < 0)
			GW_LOG(ERR, "reload: %s: %s, nothing applied",
			       ctx->config_path, err);
		else
			ret = apply_difference(ctx, &file);
		if (ret < 0 && st)
			GW_LOG(ERR, "reload: %s: %s, nothing applied",
			       ctx->config_path, strerror(-ret));
		if (ret < 0)
			gw_policy_discard(st);
		else
			gw_policy_commit(ctx, st);
	}
	wg_config_free(&file);
	return ret;
}

int gw_reload_request(struct gw_ctx *ctx)
{
	int ret = reload(ctx);

	if (ret == 0)
		GW_LOG(INFO, "reload: %s applied", ctx->config_path);
	gw_count(ctx->ctrl_lc.stats,
		 ret == 0 ? GW_CTR_RELOAD_OK : GW_CTR_RELOAD_FAILED, 1);
	return ret;
}
