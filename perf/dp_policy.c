/* SPDX-License-Identifier: MIT */
/*
 * bench_dataplane --policy: per-peer policy on every peer of a world, put
 * in force through the gateway's own code (gw_policy_stage / commit, as
 * a reload does), so that a case measures what the workers pay for it.
 *
 *   none  no policy: the workers skip it with one load per burst
 *   rate  every peer limited both ways, at 400 Gbit/s so that nothing is
 *         dropped: the cost of the shared buckets, not of dropping
 *   acl   1,000 rules over 100 sets, peer p under set p % 100; each set
 *         denies nine services the frames never use, then allows UDP to
 *         the LAN, so every decrypted frame is classified and passes,
 *         and every encrypted one leaves a reflexive entry
 *
 * The rules and keys stay inside the process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

#include "bench_dataplane.h"
#include "gw_control.h"
#include "gw_policy.h"
#include "gw_tables.h"
#include "wg_config.h"

enum {
	POLICY_SETS = 100,
	POLICY_RULES_PER_SET = 10,
};

const char *policy_name(enum policy_mode m)
{
	static const char *const names[] = { "none", "rate", "acl" };

	return m < POLICY_MODES ? names[m] : "?";
}

int policy_parse(const char *s, enum policy_mode *m)
{
	for (int i = 0; i < POLICY_MODES; i++)
		if (strcmp(s, policy_name((enum policy_mode)i)) == 0) {
			*m = (enum policy_mode)i;
			return 0;
		}
	return -EINVAL;
}

static void prefix_v4(struct wg_prefix *pfx, uint32_t addr, uint8_t cidr)
{
	uint32_t be = rte_cpu_to_be_32(addr);

	memset(pfx, 0, sizeof(*pfx));
	pfx->family = WG_FAMILY_V4;
	memcpy(pfx->addr, &be, 4);
	pfx->cidr = cidr;
}

/* Set s: deny TCP to nine ports of its own server, then allow UDP to the
 * LAN's /24 (where the decrypted frames go, dp_frames.c). */
static void acl_fill(struct wg_acl *a, unsigned int s)
{
	unsigned int r;

	snprintf(a->name, sizeof(a->name), "set-%u", s);
	for (r = 0; r + 1 < POLICY_RULES_PER_SET; r++) {
		struct wg_acl_rule *x = &a->rules[r];

		x->action = WG_ACL_DENY;
		x->proto = 6;
		prefix_v4(&x->dst, RTE_IPV4(192, 0, 2, 10 + s % 200), 32);
		x->src_port_lo = 0;
		x->src_port_hi = 65535;
		x->dst_port_lo = x->dst_port_hi = (uint16_t)(1000 + s * 16 + r);
	}
	a->rules[r].action = WG_ACL_ALLOW;
	a->rules[r].proto = 17;
	prefix_v4(&a->rules[r].dst, LAN_HOST & 0xffffff00u, 24);
	a->rules[r].src_port_hi = a->rules[r].dst_port_hi = 65535;
	a->n_rules = POLICY_RULES_PER_SET;
}

static void config_free(struct wg_config *cfg)
{
	for (size_t i = 0; i < cfg->n_acls; i++)
		free(cfg->acls[i].rules);
	free(cfg->acls);
	free(cfg->peers);
	memset(cfg, 0, sizeof(*cfg));
}

static int config_build(struct wg_config *cfg, const struct world *w,
			enum policy_mode m)
{
	memset(cfg, 0, sizeof(*cfg));
	if (m == POLICY_NONE)
		return 0;
	cfg->peers = calloc(w->n_peers, sizeof(*cfg->peers));
	if (!cfg->peers)
		return -ENOMEM;
	cfg->n_peers = w->n_peers;
	if (m == POLICY_ACL) {
		cfg->acls = calloc(POLICY_SETS, sizeof(*cfg->acls));
		if (!cfg->acls)
			return -ENOMEM;
		cfg->n_acls = POLICY_SETS;
		for (unsigned int s = 0; s < POLICY_SETS; s++) {
			cfg->acls[s].rules = calloc(POLICY_RULES_PER_SET,
						    sizeof(struct wg_acl_rule));
			if (!cfg->acls[s].rules)
				return -ENOMEM;
			acl_fill(&cfg->acls[s], s);
		}
	}
	/* the world's peers in the order they were added; the book finds
	 * each by its public key */
	const struct gw_peer *peer = w->ctx->control->peers;

	for (uint32_t p = 0; p < w->n_peers && peer;
	     p++, peer = peer->list_next) {
		struct wg_peer_config *pc = &cfg->peers[p];

		memcpy(pc->public_key, peer->public_key, WG_KEY_LEN);
		pc->has_public_key = true;
		if (m == POLICY_RATE) {
			pc->rate_limit.to_peer_mbit = WG_RATE_MBIT_MAX;
			pc->rate_limit.from_peer_mbit = WG_RATE_MBIT_MAX;
			pc->has_rate_limit = true;
		} else {
			pc->acl = 1 + p % POLICY_SETS;
		}
	}
	return 0;
}

int policy_apply(struct world *w, enum policy_mode m)
{
	struct gw_ctx *ctx = w->ctx;
	struct gw_policy_stage *st = NULL;
	struct wg_config cfg;
	char err[256] = "";
	int ret;

	if (!ctx->policy && (ret = gw_policy_create(ctx)) != 0)
		return ret;
	ret = config_build(&cfg, w, m);
	if (ret == 0)
		ret = gw_policy_stage(ctx, &cfg, &st, err, sizeof(err));
	config_free(&cfg);
	if (ret != 0) {
		fprintf(stderr, "bench_dataplane: policy %s: %s\n",
			policy_name(m), err[0] ? err : strerror(-ret));
		return ret;
	}
	/* every peer of the world gets its entry, as after a reload */
	gw_policy_commit(ctx, st);
	/* what the previous mode retired goes now: nothing reads it */
	gw_tables_reclaim(ctx->tables);
	return 0;
}
