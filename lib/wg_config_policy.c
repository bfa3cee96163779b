/* SPDX-License-Identifier: MIT */
/*
 * Per-peer policy in the config file (see wg_policy.h):
 *
 *   acls = ( { name = "web-only";
 *              rules = ( { action = "allow"; proto = "tcp";
 *                          dst = "192.0.2.10/32"; dst_port = "443"; },
 *                        { action = "allow"; proto = "icmp"; } ); } );
 *   peers = ( { ...; rate_limit = { to_peer_mbit = 50; from_peer_mbit = 20; };
 *               acl = "web-only"; } );
 *
 * Every problem is a FILE:LINE: FIELD: error like the rest of the file.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg_config_priv.h"

static bool valid_acl_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > WG_ACL_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

static bool parse_proto(struct wg_config_loader *ld, const config_setting_t *s,
			const char *field, int16_t *out)
{
	static const struct { const char *name; int16_t number; } names[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 },
	};
	const char *text;
	char *end;
	long v;
	char q[72];

	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		long long n;

		if (!wg_config_get_int(ld, s, field, 0, 255, &n))
			return false;
		*out = (int16_t)n;
		return true;
	}
	if (!(text = wg_config_get_string(ld, s, field)))
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(text, names[i].name) == 0) {
			*out = names[i].number;
			return true;
		}
	errno = 0;
	v = strtol(text, &end, 10);
	if (*text && isdigit((unsigned char)*text) && !*end && !errno &&
	    v >= 0 && v <= 255) {
		*out = (int16_t)v;
		return true;
	}
	ld_error(ld, s, field,
		 "%s is not a protocol (tcp, udp, icmp, icmpv6 or a number 0..255)",
		 wg_config_quote(q, text));
	return false;
}

static bool parse_port_number(const char *text, const char **end,
			      uint16_t *out)
{
	unsigned long v = 0;
	const char *p = text;

	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535)
			return false;
	}
	*end = p;
	*out = (uint16_t)v;
	return true;
}

/* A port: an integer, "443" or "1000-2000". */
static bool parse_ports(struct wg_config_loader *ld, const config_setting_t *s,
			const char *field, uint16_t *lo, uint16_t *hi)
{
	const char *text, *end;
	char q[72];

	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		long long n;

		if (!wg_config_get_int(ld, s, field, 0, 65535, &n))
			return false;
		*lo = *hi = (uint16_t)n;
		return true;
	}
	if (!(text = wg_config_get_string(ld, s, field)))
		return false;
	if (parse_port_number(text, &end, lo)) {
		if (!*end) {
			*hi = *lo;
			return true;
		}
		if (*end == '-' && parse_port_number(end + 1, &end, hi) &&
		    !*end && *lo <= *hi)
			return true;
	}
	ld_error(ld, s, field,
		 "%s is not a port or a range (443, \"443\" or \"1000-2000\", 0..65535, low to high)",
		 wg_config_quote(q, text));
	return false;
}

static bool parse_rule_prefix(struct wg_config_loader *ld,
			      const config_setting_t *s, const char *field,
			      struct wg_prefix *out)
{
	const char *text = wg_config_get_string(ld, s, field);
	bool masked = false;
	char q[72];

	if (!text)
		return false;
	if (!wg_prefix_parse(out, text, &masked)) {
		ld_error(ld, s, field, "%s is not a valid prefix",
			 wg_config_quote(q, text));
		return false;
	}
	if (masked)
		ld_warning(ld, s, field,
			   "%s has host bits set; they are cleared",
			   wg_config_quote(q, text));
	return true;
}

static void load_rule(struct wg_config_loader *ld, const config_setting_t *g,
		      const char *prefix, struct wg_acl_rule *r)
{
	static const char *const known[] = { "action", "proto", "src", "dst",
		"src_port", "dst_port", NULL };
	const config_setting_t *s, *port_setting = NULL;
	const char *text;
	field_t f;
	char q[72];

	r->proto = WG_ACL_PROTO_ANY;
	r->src_port_hi = r->dst_port_hi = 65535;
	r->line = (unsigned int)config_setting_source_line(g);
	if (!wg_config_is_group(ld, g, prefix))
		return;
	wg_config_check_known(ld, g, prefix, known);

	snprintf(f, sizeof(f), "%s.action", prefix);
	if (!(s = config_setting_get_member(g, "action")))
		ld_error(ld, g, f, "missing (required: \"allow\" or \"deny\")");
	else if ((text = wg_config_get_string(ld, s, f))) {
		if (strcmp(text, "allow") == 0)
			r->action = WG_ACL_ALLOW;
		else if (strcmp(text, "deny") == 0)
			r->action = WG_ACL_DENY;
		else
			ld_error(ld, s, f, "%s is not \"allow\" or \"deny\"",
				 wg_config_quote(q, text));
	}
	snprintf(f, sizeof(f), "%s.proto", prefix);
	if ((s = config_setting_get_member(g, "proto")))
		parse_proto(ld, s, f, &r->proto);
	snprintf(f, sizeof(f), "%s.src", prefix);
	if ((s = config_setting_get_member(g, "src")))
		parse_rule_prefix(ld, s, f, &r->src);
	snprintf(f, sizeof(f), "%s.dst", prefix);
	if ((s = config_setting_get_member(g, "dst")) &&
	    parse_rule_prefix(ld, s, f, &r->dst) &&
	    r->src.family != WG_FAMILY_NONE && r->src.family != r->dst.family)
		ld_error(ld, s, f, "is IPv%u but src is IPv%u", r->dst.family,
			 r->src.family);
	snprintf(f, sizeof(f), "%s.src_port", prefix);
	if ((s = config_setting_get_member(g, "src_port")) &&
	    parse_ports(ld, s, f, &r->src_port_lo, &r->src_port_hi))
		port_setting = s;
	snprintf(f, sizeof(f), "%s.dst_port", prefix);
	if ((s = config_setting_get_member(g, "dst_port")) &&
	    parse_ports(ld, s, f, &r->dst_port_lo, &r->dst_port_hi))
		port_setting = s;
	if (port_setting && r->proto != 6 && r->proto != 17) {
		snprintf(f, sizeof(f), "%s.%s", prefix,
			 config_setting_name(port_setting));
		ld_error(ld, port_setting, f,
			 "ports need proto \"tcp\" or \"udp\"");
	}
	{
		uint8_t fam = r->src.family ? r->src.family : r->dst.family;

		snprintf(f, sizeof(f), "%s.proto", prefix);
		if (r->proto == 1 && fam == WG_FAMILY_V6)
			ld_error(ld, config_setting_get_member(g, "proto"), f,
				 "icmp is IPv4's; IPv6 prefixes need \"icmpv6\"");
		if (r->proto == 58 && fam == WG_FAMILY_V4)
			ld_error(ld, config_setting_get_member(g, "proto"), f,
				 "icmpv6 is IPv6's; IPv4 prefixes need \"icmp\"");
	}
}

static void load_acl(struct wg_config_loader *ld, const config_setting_t *g,
		     size_t idx, size_t *total_rules)
{
	static const char *const known[] = { "name", "rules", NULL };
	struct wg_acl *acl = &ld->cfg->acls[idx];
	const config_setting_t *s;
	const char *text;
	char prefix[32], rprefix[64];
	field_t f;
	char q[72];
	unsigned int n;

	snprintf(prefix, sizeof(prefix), "acls[%zu]", idx);
	acl->line = (unsigned int)config_setting_source_line(g);
	if (!wg_config_is_group(ld, g, prefix))
		return;
	wg_config_check_known(ld, g, prefix, known);
	snprintf(f, sizeof(f), "%s.name", prefix);
	if (!(s = config_setting_get_member(g, "name")))
		ld_error(ld, g, f, "missing (required)");
	else if ((text = wg_config_get_string(ld, s, f))) {
		if (!valid_acl_name(text))
			ld_error(ld, s, f,
				 "%s is not a name (1..%d of A-Z a-z 0-9 _ . -)",
				 wg_config_quote(q, text), WG_ACL_NAME_MAX);
		else
			snprintf(acl->name, sizeof(acl->name), "%s", text);
		for (size_t i = 0; acl->name[0] && i < idx; i++)
			if (strcmp(ld->cfg->acls[i].name, acl->name) == 0)
				ld_error(ld, s, f,
					 "%s is also the name of acls[%zu] (line %u)",
					 wg_config_quote(q, acl->name), i,
					 ld->cfg->acls[i].line);
	}
	snprintf(f, sizeof(f), "%s.rules", prefix);
	if (!(s = config_setting_get_member(g, "rules"))) {
		ld_error(ld, g, f, "missing (required; an empty list denies everything)");
		return;
	}
	if (!config_setting_is_list(s)) {
		ld_error(ld, s, f, "must be a list ( { ... }, ... ), not %s",
			 wg_config_type_name(s));
		return;
	}
	n = (unsigned int)config_setting_length(s);
	if (*total_rules + n > WG_ACL_RULES_MAX) {
		ld_error(ld, s, f, "more than %d rules over all acls",
			 WG_ACL_RULES_MAX);
		return;
	}
	*total_rules += n;
	if (n && !(acl->rules = calloc(n, sizeof(*acl->rules)))) {
		ld_error(ld, s, f, "out of memory");
		return;
	}
	acl->n_rules = n;
	for (unsigned int i = 0; i < n; i++) {
		snprintf(rprefix, sizeof(rprefix), "%s.rules[%u]", prefix, i);
		load_rule(ld, config_setting_get_elem(s, i), rprefix,
			  &acl->rules[i]);
	}
}

void wg_config_load_acls(struct wg_config_loader *ld,
			 const config_setting_t *s)
{
	struct wg_config *cfg = ld->cfg;
	size_t total = 0;
	unsigned int n;

	if (!config_setting_is_list(s)) {
		ld_error(ld, s, "acls", "must be a list ( { ... }, ... ), not %s",
			 wg_config_type_name(s));
		return;
	}
	n = (unsigned int)config_setting_length(s);
	if (n > WG_ACLS_MAX) {
		ld_error(ld, s, "acls", "%u sets, at most %d", n, WG_ACLS_MAX);
		return;
	}
	if (n == 0)
		return;
	if (!(cfg->acls = calloc(n, sizeof(*cfg->acls)))) {
		ld_error(ld, s, "acls", "out of memory");
		return;
	}
	cfg->n_acls = n;
	for (unsigned int i = 0; i < n; i++)
		load_acl(ld, config_setting_get_elem(s, i), i, &total);
}

static void load_rate_limit(struct wg_config_loader *ld,
			    const config_setting_t *g, const char *prefix,
			    struct wg_peer_config *peer)
{
	static const char *const known[] = { "to_peer_mbit", "from_peer_mbit",
		"burst_kbyte", NULL };
	static const struct {
		const char *name;
		long long max;
		size_t offset;
	} fields[] = {
		{ "to_peer_mbit", WG_RATE_MBIT_MAX,
		  offsetof(struct wg_rate_limit, to_peer_mbit) },
		{ "from_peer_mbit", WG_RATE_MBIT_MAX,
		  offsetof(struct wg_rate_limit, from_peer_mbit) },
		{ "burst_kbyte", WG_RATE_BURST_KBYTE_MAX,
		  offsetof(struct wg_rate_limit, burst_kbyte) },
	};
	char gprefix[48];
	field_t f;

	snprintf(gprefix, sizeof(gprefix), "%s.rate_limit", prefix);
	if (!wg_config_is_group(ld, g, gprefix))
		return;
	wg_config_check_known(ld, g, gprefix, known);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const config_setting_t *s =
		    config_setting_get_member(g, fields[i].name);
		long long v;

		snprintf(f, sizeof(f), "%s.%s", gprefix, fields[i].name);
		if (s && wg_config_get_int(ld, s, f, 0, fields[i].max, &v))
			*(uint32_t *)((char *)&peer->rate_limit +
				      fields[i].offset) = (uint32_t)v;
	}
	peer->has_rate_limit = peer->rate_limit.to_peer_mbit ||
			       peer->rate_limit.from_peer_mbit;
}

void wg_config_load_peer_policy(struct wg_config_loader *ld,
				const config_setting_t *g, const char *prefix,
				struct wg_peer_config *peer)
{
	const config_setting_t *s;
	const char *text;
	field_t f;

	if ((s = config_setting_get_member(g, "rate_limit")))
		load_rate_limit(ld, s, prefix, peer);
	snprintf(f, sizeof(f), "%s.acl", prefix);
	if ((s = config_setting_get_member(g, "acl")) &&
	    (text = wg_config_get_string(ld, s, f))) {
		/* resolved once every set is read */
		for (size_t i = 0; i < ld->cfg->n_acls; i++)
			if (strcmp(ld->cfg->acls[i].name, text) == 0)
				peer->acl = (uint32_t)i + 1;
		if (!peer->acl) {
			char q[72];

			ld_error(ld, s, f, "%s names no set of acls",
				 wg_config_quote(q, text));
		}
	}
}
