/* SPDX-License-Identifier: MIT */
/*
 * The `handshakes` group of the config file:
 *
 *   handshakes = { lcores = [3]; };
 *
 * The EAL lcores that take the X25519 work of responder handshakes off the
 * control lcore (app/gw_hs_lane.h). Without the group, or with an empty
 * list, the control lcore does every handshake itself. An lcore here is
 * neither a worker nor the main lcore (the app checks the EAL side; this
 * file checks what the file alone can tell: range, repeats, overlap with
 * workers.lcores).
 */
#include <stdio.h>
#include <string.h>

#include "wg_config_priv.h"

static bool is_worker(const struct wg_config *cfg, long long v)
{
	for (size_t i = 0; i < cfg->n_worker_lcores; i++)
		if (cfg->worker_lcores[i] == v)
			return true;
	return false;
}

void wg_config_load_handshakes(struct wg_config_loader *ld,
			       const config_setting_t *g)
{
	static const char *const known[] = { "lcores", NULL };
	struct wg_handshake_config *h = &ld->cfg->handshakes;
	const config_setting_t *s;
	unsigned int n, i, j;

	memset(h, 0, sizeof(*h));
	if (!g || !wg_config_is_group(ld, g, "handshakes"))
		return;
	wg_config_check_known(ld, g, "handshakes", known);
	s = config_setting_get_member(g, "lcores");
	if (!s)
		return;
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		ld_error(ld, s, "handshakes.lcores",
			 "must be a list of lcore ids such as [3], not %s",
			 wg_config_type_name(s));
		return;
	}
	n = (unsigned int)config_setting_length(s);
	if (n > WG_HANDSHAKE_LCORES_MAX) {
		ld_error(ld, s, "handshakes.lcores",
			 "%u lcores, at most %d", n, WG_HANDSHAKE_LCORES_MAX);
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		field_t f;
		long long v;

		snprintf(f, sizeof(f), "handshakes.lcores[%u]", i);
		if (config_setting_type(e) != CONFIG_TYPE_INT &&
		    config_setting_type(e) != CONFIG_TYPE_INT64) {
			ld_error(ld, e, f, "must be an integer, not %s",
				 wg_config_type_name(e));
			continue;
		}
		v = config_setting_get_int64(e);
		if (v < 0 || v > WG_LCORE_ID_MAX) {
			ld_error(ld, e, f, "%lld is out of range 0..%d", v,
				 WG_LCORE_ID_MAX);
			continue;
		}
		for (j = 0; j < h->n_lcores; j++)
			if (h->lcores[j] == v)
				break;
		if (j < h->n_lcores) {
			ld_error(ld, e, f, "lcore %lld is listed twice", v);
			continue;
		}
		if (is_worker(ld->cfg, v)) {
			ld_error(ld, e, f, "lcore %lld is also in workers.lcores",
				 v);
			continue;
		}
		h->lcores[h->n_lcores++] = (uint16_t)v;
	}
}
