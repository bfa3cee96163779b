/* SPDX-License-Identifier: MIT */
/*
 * Access rules compiled for the workers (gw_acl.c): every named set of
 * the config file in one rte_acl context per IP family, the set's number
 * one of the fields, so one classification per burst serves packets of
 * peers under different sets. Built on the control lcore, published by
 * pointer and retired after an RCU grace period; workers only classify.
 */
#ifndef GW_ACL_H
#define GW_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg_policy.h"

/* What a worker fills per packet before classifying: every field in
 * network byte order, as rte_acl reads it. acl is the peer's set, 1 +
 * its index in the config's acls. */
struct gw_acl_key4 {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t acl;
	uint32_t src, dst;
	uint16_t src_port, dst_port;
};

struct gw_acl_key6 {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t acl;
	uint8_t src[16], dst[16];
	uint16_t src_port, dst_port;
};

struct gw_acl;

/* Compile acls[0..n-1] (rules in order, the first match wins), set i
 * under the number ids[i] (ids NULL: i + 1; never 0). Returns NULL with
 * a message in err when rte_acl refuses. */
struct gw_acl *gw_acl_build(const struct wg_acl *acls, const uint32_t *ids,
			    size_t n, int socket_id, char *err,
			    size_t err_len);

void gw_acl_free(struct gw_acl *acl);

/* Classify n keys of one family; allow[i] = the first matching rule
 * allows the packet (no matching rule: false). */
void gw_acl_classify4(const struct gw_acl *acl,
		      const struct gw_acl_key4 *const *keys, unsigned int n,
		      bool *allow);
void gw_acl_classify6(const struct gw_acl *acl,
		      const struct gw_acl_key6 *const *keys, unsigned int n,
		      bool *allow);

/* Rules compiled, over both families (a rule for any family counts
 * twice). */
unsigned int gw_acl_rule_count(const struct gw_acl *acl);

#endif /* GW_ACL_H */
