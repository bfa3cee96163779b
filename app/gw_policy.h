/* SPDX-License-Identifier: MIT */
/*
 * Per-peer policy (gw_policy.c): rate limits and access rules from the
 * config file, applied by the workers to the packets of each peer.
 *
 * Control side: the file's policy is kept by public key, so a peer gets
 * it whenever it exists (at start, after a reload, re-added by `wg
 * setconf`); a reload compiles the new rules first (an error refuses the
 * reload), then publishes them by pointer and retires the old ones after
 * an RCU grace period. Sets keep their number across reloads by name, so
 * no packet is ever classified under another set's rules.
 *
 * Worker side: once per burst and direction, only when some peer has a
 * policy. LAN -> peer (before encryption): the peer's to_peer limit, and
 * for a peer with an acl a reflexive entry (gw_flows.h). Peer -> LAN
 * (after authentication and the source check): replies to flows the LAN
 * opened pass; the rest is classified with rte_acl (gw_acl.h), denied
 * packets are dropped; then the from_peer limit.
 */
#ifndef GW_POLICY_H
#define GW_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "gw_ctx.h"
#include "gw_peer.h"
#include "gw_stats.h"
#include "wg_config.h"

/* Reflexive entries the table holds (8 bytes each). */
#define GW_POLICY_FLOWS 65536

int gw_policy_create(struct gw_ctx *ctx);
void gw_policy_free(struct gw_ctx *ctx);

/* A config's policy, compiled but not yet in force. */
struct gw_policy_stage;

/* Compile cfg's acls and index its peers' policy. Nothing changes; on an
 * error *out stays NULL and err says why. */
int gw_policy_stage(struct gw_ctx *ctx, const struct wg_config *cfg,
		    struct gw_policy_stage **out, char *err, size_t err_len);
/* Put a staged policy in force on every existing peer. */
void gw_policy_commit(struct gw_ctx *ctx, struct gw_policy_stage *st);
void gw_policy_discard(struct gw_policy_stage *st);

/* A peer came into being (gw_peer.c): give it the file's policy. */
void gw_policy_peer_added(struct gw_ctx *ctx, struct gw_peer *peer);

/* The set name of a number (NULL: none or unknown), for telemetry. */
const char *gw_policy_acl_name(const struct gw_ctx *ctx, uint32_t acl);

/* Whether any peer may have a policy (workers skip everything if not). */
static inline bool gw_policy_active(const struct gw_ctx *ctx)
{
	return __atomic_load_n(&ctx->policy_active, __ATOMIC_RELAXED);
}

/* LAN -> peer: ip[i] the inner IP packet of len[i] bytes for peer[i];
 * why[i] = GW_CTR_MAX to send it, or the drop. */
void gw_policy_to_peer(struct gw_lcore *lc, struct gw_peer *const *peer,
		       uint8_t *const *ip, const uint32_t *len,
		       const bool *v6, unsigned int n, uint64_t now,
		       enum gw_counter *why);

/* Peer -> LAN, the same for authenticated packets whose source passed. */
void gw_policy_from_peer(struct gw_lcore *lc, struct gw_peer *const *peer,
			 uint8_t *const *ip, const uint32_t *len,
			 const bool *v6, unsigned int n, uint64_t now,
			 enum gw_counter *why);

#endif /* GW_POLICY_H */
