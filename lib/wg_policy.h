/* SPDX-License-Identifier: MIT */
/*
 * Per-peer policy as the config file describes it: named access rule sets
 * (`acls`, attached with `peers[].acl`) and per-peer rate limits
 * (`peers[].rate_limit`). No DPDK here: the data plane compiles these
 * into rte_acl contexts and token buckets (app/gw_acl.c, app/gw_rate.h);
 * wg_acl_match() is the plain reference they are tested against.
 */
#ifndef WG_POLICY_H
#define WG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg_addr.h"

enum wg_policy_limits {
	WG_ACL_NAME_MAX = 63,
	WG_ACLS_MAX = 4096,          /* named sets in one file */
	WG_ACL_RULES_MAX = 65536,    /* rules over all sets */
	WG_RATE_MBIT_MAX = 400000,   /* 400 Gbit/s */
	WG_RATE_BURST_KBYTE_MAX = 1048576,
};

enum wg_acl_action {
	WG_ACL_DENY = 0,
	WG_ACL_ALLOW = 1,
};

/* Any IP protocol. */
#define WG_ACL_PROTO_ANY (-1)

struct wg_acl_rule {
	uint8_t action;              /* enum wg_acl_action */
	int16_t proto;               /* 0..255, WG_ACL_PROTO_ANY */
	/* family WG_FAMILY_NONE: any; when both are set they agree */
	struct wg_prefix src, dst;
	/* inclusive ranges; 0..65535 when the rule names no port */
	uint16_t src_port_lo, src_port_hi;
	uint16_t dst_port_lo, dst_port_hi;
	unsigned int line;           /* where declared, 0 if not a file */
};

struct wg_acl {
	char name[WG_ACL_NAME_MAX + 1];
	struct wg_acl_rule *rules;   /* in order: the first match wins */
	size_t n_rules;
	unsigned int line;
};

/* Mbit/s (10^6 bits) of inner IP bytes; 0 = no limit. */
struct wg_rate_limit {
	uint32_t to_peer_mbit;       /* LAN -> peer, before encryption */
	uint32_t from_peer_mbit;     /* peer -> LAN, after authentication */
	uint32_t burst_kbyte;        /* bucket depth; 0 = the default */
};

/* What one packet looks like to the rules. Addresses in network order,
 * ports in host order (0 for protocols without ports). */
struct wg_acl_packet {
	uint8_t family;              /* WG_FAMILY_V4 or WG_FAMILY_V6 */
	uint8_t proto;
	uint8_t src[WG_ADDR_LEN], dst[WG_ADDR_LEN];
	uint16_t src_port, dst_port;
};

/* Whether rule r matches packet p. */
bool wg_acl_rule_matches(const struct wg_acl_rule *r,
			 const struct wg_acl_packet *p);

/* The reference decision: the action of the first matching rule, and
 * WG_ACL_DENY when none matches (a peer with an acl loses what no rule
 * allows). *rule_index (may be NULL) gets the matching rule's index, or
 * acl->n_rules when none matched. */
enum wg_acl_action wg_acl_match(const struct wg_acl *acl,
				const struct wg_acl_packet *p,
				size_t *rule_index);

/* The bucket depth in bytes for one direction of l: burst_kbyte, or the
 * default, what the rate carries in 200 ms but at least 64 KiB. A policer
 * drops rather than queues, so TCP keeps its rate only when the bucket
 * holds the flights its window sends between losses: through 20 Mbit/s
 * in t_rate_limit, iperf3 TCP reached 3.1 Mbit/s with a 64 KiB bucket,
 * 15 with 384 KiB and 19.9 with 512 KiB (about 200 ms of the rate). */
uint64_t wg_rate_burst_bytes(const struct wg_rate_limit *l, uint32_t mbit);

/* Free every set's rules and the array; NULL-safe. */
void wg_acls_free(struct wg_acl *acls, size_t n);

#endif /* WG_POLICY_H */
