/* SPDX-License-Identifier: MIT */
/*
 * The `peers` list of the config file, one peer where it stands: keys,
 * endpoint, AllowedIPs, keepalive (its policy: wg_config_policy.c). What
 * needs all peers at once is the second pass (wg_config_check.c).
 */
#include "wg_config_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void load_allowed_ips(struct wg_config_loader *ld,
			     const config_setting_t *s, size_t idx,
			     struct wg_peer_config *peer)
{
	unsigned int n;
	field_t f;
	char q[72];

	snprintf(f, sizeof(f), "peers[%zu].allowed_ips", idx);
	if (!wg_config_is_list(ld, s, f, "\"203.0.113.0/24\""))
		return;
	n = (unsigned int)config_setting_length(s);
	if (n && !(peer->allowed_ips = calloc(n, sizeof(struct wg_prefix)))) {
		ld_error(ld, s, f, "out of memory");
		return;
	}
	/* entries keep their file index; a bad one leaves a hole (family
	 * NONE), which only a config with errors, never returned, has */
	peer->n_allowed_ips = n;
	for (unsigned int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		struct wg_prefix *p = &peer->allowed_ips[i];
		const char *text;
		char canon[WG_PREFIX_STR_LEN];
		bool masked;

		snprintf(f, sizeof(f), "peers[%zu].allowed_ips[%u]", idx, i);
		if (!(text = wg_config_get_string(ld, e, f)))
			continue;
		if (!wg_prefix_parse(p, text, &masked)) {
			ld_error(ld, e, f, "%s is not a valid prefix",
				 wg_config_quote(q, text));
			continue;
		}
		if (masked)
			ld_warning(ld, e, f, "%s has host bits set; using %s",
				   wg_config_quote(q, text),
				   wg_prefix_format(canon, p));
		wg_config_note_ipv6(ld, p, f);
	}
}

static void load_peer(struct wg_config_loader *ld, const config_setting_t *g,
		      size_t idx)
{
	static const char *const known[] = { "public_key", "preshared_key",
		"endpoint", "allowed_ips", "persistent_keepalive", "rate_limit",
		"acl", NULL };
	struct wg_peer_config *peer = &ld->cfg->peers[idx];
	const config_setting_t *s;
	const char *text;
	long long v;
	char prefix[32];
	field_t f;
	char q[72];

	snprintf(prefix, sizeof(prefix), "peers[%zu]", idx);
	peer->line = config_setting_source_line(g);
	peer->replace_allowed_ips = true;
	if (!wg_config_is_group(ld, g, prefix))
		return;
	wg_config_check_known(ld, g, prefix, known);

	snprintf(f, sizeof(f), "%s.public_key", prefix);
	if ((s = wg_config_need(ld, g, prefix, "public_key")) &&
	    wg_config_parse_key(ld, s, f, peer->public_key)) {
		peer->has_public_key = true;
		ld->peer_key_setting[idx] = s;
	}
	snprintf(f, sizeof(f), "%s.preshared_key", prefix);
	if ((s = config_setting_get_member(g, "preshared_key")) &&
	    wg_config_parse_key(ld, s, f, peer->preshared_key))
		peer->has_preshared_key = true;
	snprintf(f, sizeof(f), "%s.endpoint", prefix);
	if ((s = config_setting_get_member(g, "endpoint")) &&
	    (text = wg_config_get_string(ld, s, f))) {
		if (wg_endpoint_parse(&peer->endpoint, text))
			peer->has_endpoint = true;
		else
			ld_error(ld, s, f,
				 "%s is not a valid endpoint (IPv4:PORT or [IPv6]:PORT)",
				 wg_config_quote(q, text));
	}
	if ((s = config_setting_get_member(g, "allowed_ips")))
		load_allowed_ips(ld, s, idx, peer);
	snprintf(f, sizeof(f), "%s.persistent_keepalive", prefix);
	if ((s = config_setting_get_member(g, "persistent_keepalive")) &&
	    wg_config_get_int(ld, s, f, 0, WG_PERSISTENT_KEEPALIVE_MAX, &v)) {
		peer->persistent_keepalive = (uint16_t)v;
		peer->has_persistent_keepalive = true;
	}
	wg_config_load_peer_policy(ld, g, prefix, peer);
}

void wg_config_load_peers(struct wg_config_loader *ld,
			  const config_setting_t *s)
{
	struct wg_config *cfg = ld->cfg;
	unsigned int n;

	if (!wg_config_is_group_list(ld, s, "peers"))
		return;
	n = (unsigned int)config_setting_length(s);
	if (n == 0)
		return;
	cfg->peers = calloc(n, sizeof(*cfg->peers));
	ld->peer_key_setting = calloc(n, sizeof(*ld->peer_key_setting));
	if (!cfg->peers || !ld->peer_key_setting) {
		ld_error(ld, s, "peers", "out of memory");
		return;
	}
	cfg->n_peers = n;
	for (unsigned int i = 0; i < n; i++)
		load_peer(ld, config_setting_get_elem(s, i), i);
}
