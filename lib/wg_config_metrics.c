/* SPDX-License-Identifier: MIT */
/*
 * The `metrics` group of the config file:
 *
 *   metrics = { listen = "127.0.0.1:9586"; per_peer = true; };
 *
 * listen is IPv4:PORT or [IPv6]:PORT, "" turns GET /metrics off; without
 * the group the defaults hold (127.0.0.1:9586, the port of
 * prometheus_wireguard_exporter, per-peer series on).
 */
#include <stdio.h>
#include <string.h>

#include "wg_config_priv.h"

void wg_config_load_metrics(struct wg_config_loader *ld,
			    const config_setting_t *g)
{
	static const char *const known[] = { "listen", "per_peer", NULL };
	struct wg_metrics_config *m = &ld->cfg->metrics;
	const config_setting_t *s;
	const char *text;
	char q[72];

	m->enabled = wg_endpoint_parse(&m->listen, WG_METRICS_DEFAULT_LISTEN);
	m->per_peer = true;
	if (!g || !wg_config_is_group(ld, g, "metrics"))
		return;
	wg_config_check_known(ld, g, "metrics", known);
	if ((s = config_setting_get_member(g, "listen")) &&
	    (text = wg_config_get_string(ld, s, "metrics.listen"))) {
		if (!*text) {
			m->enabled = false;
			memset(&m->listen, 0, sizeof(m->listen));
		} else if (!wg_endpoint_parse(&m->listen, text)) {
			ld_error(ld, s, "metrics.listen",
				 "%s is not an address to listen on (IPv4:PORT or [IPv6]:PORT, port 1..65535; \"\" turns metrics off)",
				 wg_config_quote(q, text));
		}
	}
	if ((s = config_setting_get_member(g, "per_peer"))) {
		if (config_setting_type(s) == CONFIG_TYPE_BOOL)
			m->per_peer = config_setting_get_bool(s);
		else
			ld_error(ld, s, "metrics.per_peer",
				 "must be true or false, not %s",
				 wg_config_type_name(s));
	}
}
