/* SPDX-License-Identifier: MIT */
/*
 * The reference meaning of access rules and rate-limit depths (see
 * wg_policy.h). Plain loops: the data plane's rte_acl classification is
 * checked against these in the tests.
 */
#include <stdlib.h>
#include <string.h>

#include "wg_policy.h"

static bool prefix_contains(const struct wg_prefix *pfx, const uint8_t *addr)
{
	unsigned int full = pfx->cidr / 8, rest = pfx->cidr % 8;

	if (memcmp(pfx->addr, addr, full))
		return false;
	if (!rest)
		return true;
	return ((pfx->addr[full] ^ addr[full]) & (0xff00 >> rest)) == 0;
}

bool wg_acl_rule_matches(const struct wg_acl_rule *r,
			 const struct wg_acl_packet *p)
{
	if (r->proto != WG_ACL_PROTO_ANY && r->proto != p->proto)
		return false;
	if (r->src.family != WG_FAMILY_NONE &&
	    (r->src.family != p->family || !prefix_contains(&r->src, p->src)))
		return false;
	if (r->dst.family != WG_FAMILY_NONE &&
	    (r->dst.family != p->family || !prefix_contains(&r->dst, p->dst)))
		return false;
	return p->src_port >= r->src_port_lo && p->src_port <= r->src_port_hi &&
	       p->dst_port >= r->dst_port_lo && p->dst_port <= r->dst_port_hi;
}

enum wg_acl_action wg_acl_match(const struct wg_acl *acl,
				const struct wg_acl_packet *p,
				size_t *rule_index)
{
	size_t i;

	for (i = 0; i < acl->n_rules; i++)
		if (wg_acl_rule_matches(&acl->rules[i], p))
			break;
	if (rule_index)
		*rule_index = i;
	return i < acl->n_rules ? (enum wg_acl_action)acl->rules[i].action :
				  WG_ACL_DENY;
}

uint64_t wg_rate_burst_bytes(const struct wg_rate_limit *l, uint32_t mbit)
{
	/* Mbit/s x 200 ms = mbit * 25,000 bytes */
	uint64_t def = (uint64_t)mbit * 25000;

	if (l->burst_kbyte)
		return (uint64_t)l->burst_kbyte * 1024;
	return def < 65536 ? 65536 : def;
}

void wg_acls_free(struct wg_acl *acls, size_t n)
{
	size_t i;

	if (!acls)
		return;
	for (i = 0; i < n; i++)
		free(acls[i].rules);
	free(acls);
}
