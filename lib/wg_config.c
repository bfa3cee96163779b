/* SPDX-License-Identifier: MIT */
/*
 * libconfig file -> struct wg_config (see wg_config.h for the model): the
 * load itself, the top of the tree and its interface-wide groups.
 *
 * Two passes. The first walks the tree once, checks each setting where it
 * stands (type, range, syntax, unknown names) and fills a scratch config;
 * the peers (wg_config_peers.c), keys (wg_config_keys.c), policy and
 * metrics have files of their own, and every part reads settings through
 * wg_config_setting.c. The second pass (wg_config_check.c) checks what
 * needs the whole picture: duplicate and own public keys, AllowedIPs
 * claimed by two peers, the MTU against IPv6. Only a scratch config
 * without errors reaches the caller.
 */
#include "wg_config_priv.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg_crypto.h"

/* The first IPv6 inside the tunnel's reach decides the MTU floor. */
void wg_config_note_ipv6(struct wg_config_loader *ld,
			 const struct wg_prefix *p, const char *field)
{
	if (p->family == WG_FAMILY_V6 && !ld->ipv6_field[0])
		snprintf(ld->ipv6_field, sizeof(ld->ipv6_field), "%s", field);
}

/* Interface names as the kernel and wg-quick accept them. */
static bool valid_ifname(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > WG_IFNAME_MAX || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_=+.-") == n;
}

static void load_eal(struct wg_config_loader *ld, const config_setting_t *s)
{
	struct wg_config *cfg = ld->cfg;
	unsigned int n;

	if (!wg_config_is_list(ld, s, "eal", "\"-l\", \"0-2\""))
		return;
	n = (unsigned int)config_setting_length(s);
	cfg->has_eal = true;
	cfg->eal_args = calloc(n + 1, sizeof(char *));
	if (!cfg->eal_args) {
		ld_error(ld, s, "eal", "out of memory");
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *arg;
		field_t f;

		snprintf(f, sizeof(f), "eal[%u]", i);
		arg = wg_config_get_string(ld, e, f);
		if (!arg)
			continue;
		if (!(cfg->eal_args[cfg->n_eal_args] = strdup(arg)))
			ld_error(ld, e, f, "out of memory");
		else
			cfg->n_eal_args++;
	}
}

static void load_interface(struct wg_config_loader *ld,
			   const config_setting_t *g)
{
	static const char *const known[] = {
	    "name",	   "private_key", "private_key_file",
	    "listen_port", "mtu",	  "mss_clamp", "max_peers", NULL};
	struct wg_interface_config *ifc = &ld->cfg->interface;
	const config_setting_t *s, *key, *key_file;
	const char *name;
	long long v;
	bool ok = false;
	char q[72];

	ifc->listen_port = WG_DEFAULT_LISTEN_PORT;
	ifc->mtu = WG_DEFAULT_MTU;
	ifc->max_peers = WG_DEFAULT_MAX_PEERS;
	ifc->mss_clamp = true;
	ifc->replace_peers = true;
	if (!wg_config_is_group(ld, g, "interface"))
		return;
	wg_config_check_known(ld, g, "interface", known);

	if ((s = wg_config_need(ld, g, "interface", "name")) &&
	    (name = wg_config_get_string(ld, s, "interface.name"))) {
		if (valid_ifname(name))
			strcpy(ifc->name, name);
		else
			ld_error(ld, s, "interface.name",
				 "%s is not a valid interface name (1..%d of A-Z a-z 0-9 _ = + . -)",
				 wg_config_quote(q, name), WG_IFNAME_MAX);
	}

	key = config_setting_get_member(g, "private_key");
	key_file = config_setting_get_member(g, "private_key_file");
	if (key && key_file)
		ld_error(ld, key_file, "interface.private_key_file",
			 "cannot be used together with private_key");
	else if (key)
		ok = wg_config_parse_key(ld, key, "interface.private_key",
					 ifc->private_key);
	else if (key_file)
		wg_config_read_key_file(ld, key_file,
					"interface.private_key_file",
					ifc->private_key, &ok);
	else
		ld_error(ld, g, "interface.private_key",
			 "missing (set private_key or private_key_file)");
	if (ok) {
		ifc->has_private_key = true;
		wg_public_from_private(ifc->public_key, ifc->private_key);
	}

	if ((s = config_setting_get_member(g, "listen_port")) &&
	    wg_config_get_int(ld, s, "interface.listen_port", 1, 65535, &v)) {
		ifc->listen_port = (uint16_t)v;
		ifc->has_listen_port = true;
	}
	if ((s = config_setting_get_member(g, "mtu")) &&
	    wg_config_get_int(ld, s, "interface.mtu", WG_MTU_MIN, WG_MTU_MAX,
			      &v)) {
		ifc->mtu = (uint16_t)v;
		ifc->has_mtu = true;
		ld->mtu_setting = s;
	}
	if ((s = config_setting_get_member(g, "max_peers")) &&
	    wg_config_get_int(ld, s, "interface.max_peers", 1,
			      WG_MAX_PEERS_MAX, &v)) {
		ifc->max_peers = (uint32_t)v;
		ifc->has_max_peers = true;
		ld->max_peers_setting = s;
	}
	if ((s = config_setting_get_member(g, "mss_clamp"))) {
		if (config_setting_type(s) == CONFIG_TYPE_BOOL)
			ifc->mss_clamp = config_setting_get_bool(s);
		else
			ld_error(ld, s, "interface.mss_clamp",
				 "must be true or false, not %s",
				 wg_config_type_name(s));
	}
}

/* Returns whether pc->port holds a valid port id. */
static bool load_port(struct wg_config_loader *ld, const config_setting_t *g,
		      const char *name, struct wg_port_config *pc)
{
	static const char *const known[] = { "port", "address", "gateway",
					     NULL };
	const config_setting_t *s;
	const char *text;
	bool port_ok = false;
	long long v;
	field_t f;
	char q[72];

	if (!wg_config_is_group(ld, g, name))
		return false;
	wg_config_check_known(ld, g, name, known);

	snprintf(f, sizeof(f), "%s.port", name);
	if ((s = wg_config_need(ld, g, name, "port")) &&
	    wg_config_get_int(ld, s, f, 0, WG_PORT_ID_MAX, &v)) {
		pc->port = (uint16_t)v;
		port_ok = true;
	}

	snprintf(f, sizeof(f), "%s.address", name);
	if ((s = wg_config_need(ld, g, name, "address")) &&
	    wg_config_is_list(ld, s, f, "\"192.0.2.1/24\"")) {
		unsigned int n = (unsigned int)config_setting_length(s);

		if (n == 0)
			ld_error(ld, s, f, "needs at least one address");
		pc->addresses = calloc(n ? n : 1, sizeof(*pc->addresses));
		if (!pc->addresses) {
			ld_error(ld, s, f, "out of memory");
			return port_ok;
		}
		pc->n_addresses = n; /* holes as in load_allowed_ips */
		for (unsigned int i = 0; i < n; i++) {
			const config_setting_t *e =
			    config_setting_get_elem(s, i);
			struct wg_prefix *a = &pc->addresses[i];
			unsigned int j;

			snprintf(f, sizeof(f), "%s.address[%u]", name, i);
			if (!(text = wg_config_get_string(ld, e, f)))
				continue;
			if (!wg_ifaddr_parse(a, text)) {
				ld_error(ld, e, f,
					 "%s is not a valid address/prefix length",
					 wg_config_quote(q, text));
				continue;
			}
			for (j = 0; j < i; j++)
				if (pc->addresses[j].family == a->family &&
				    !memcmp(pc->addresses[j].addr, a->addr,
					    WG_ADDR_LEN))
					break;
			if (j < i) {
				ld_error(ld, e, f, "%s repeats %s.address[%u]",
					 wg_config_quote(q, text), name, j);
				continue;
			}
			if (!strcmp(name, "lan"))
				wg_config_note_ipv6(ld, a, f);
		}
	}

	snprintf(f, sizeof(f), "%s.gateway", name);
	if ((s = config_setting_get_member(g, "gateway")) &&
	    (text = wg_config_get_string(ld, s, f))) {
		size_t j;

		if (!wg_ip_parse(&pc->gateway, text)) {
			ld_error(ld, s, f, "%s is not a valid address",
				 wg_config_quote(q, text));
			return port_ok;
		}
		/* a next hop must be on-link, or ARP/ND cannot reach it */
		for (j = 0; j < pc->n_addresses; j++)
			if (wg_prefix_contains(&pc->addresses[j],
					       pc->gateway.family,
					       pc->gateway.addr))
				break;
		if (j == pc->n_addresses && pc->n_addresses)
			ld_error(ld, s, f, "%s is not on a subnet of %s.address",
				 wg_config_quote(q, text), name);
		else
			pc->has_gateway = true;
	}
	return port_ok;
}

static void load_workers(struct wg_config_loader *ld, const config_setting_t *g)
{
	static const char *const known[] = { "lcores", NULL };
	struct wg_config *cfg = ld->cfg;
	const config_setting_t *s;
	int first[WG_LCORE_ID_MAX + 1];
	unsigned int n;

	if (!wg_config_is_group(ld, g, "workers"))
		return;
	wg_config_check_known(ld, g, "workers", known);
	cfg->has_workers = true;
	if (!(s = wg_config_need(ld, g, "workers", "lcores")) ||
	    !wg_config_is_list(ld, s, "workers.lcores", "1"))
		return;
	n = (unsigned int)config_setting_length(s);
	if (n == 0) {
		ld_error(ld, s, "workers.lcores", "needs at least one lcore");
		return;
	}
	if (!(cfg->worker_lcores = calloc(n, sizeof(uint16_t)))) {
		ld_error(ld, s, "workers.lcores", "out of memory");
		return;
	}
	memset(first, -1, sizeof(first));
	for (unsigned int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		long long v;
		field_t f;

		snprintf(f, sizeof(f), "workers.lcores[%u]", i);
		if (!wg_config_get_int(ld, e, f, 0, WG_LCORE_ID_MAX, &v))
			continue;
		if (first[v] >= 0) {
			ld_error(ld, e, f, "lcore %lld is already workers.lcores[%d]",
				 v, first[v]);
			continue;
		}
		first[v] = (int)i;
		cfg->worker_lcores[cfg->n_worker_lcores++] = (uint16_t)v;
	}
}

/* The test-only `testing` group (wg_config.h): integers, 0 = default. */
static void load_testing(struct wg_config_loader *ld, const config_setting_t *g)
{
	static const struct {
		const char *name;
		long long max;
		size_t off;
	} knobs[] = {
#define K(n, max) { #n, max, offsetof(struct wg_testing_config, n) }
		K(rekey_after_time, 86400),  K(reject_after_time, 86400),
		K(rekey_attempt_time, 86400), K(rekey_timeout, 3600),
		K(keepalive_timeout, 3600),  K(handshake_cost_us, 1000000),
		K(stats_interval, 3600),
#undef K
	};
	static const char *const known[] = { "rekey_after_time",
		"reject_after_time", "rekey_attempt_time", "rekey_timeout",
		"keepalive_timeout", "handshake_cost_us", "stats_interval",
		NULL };
	struct wg_testing_config *t = &ld->cfg->testing;

	if (!wg_config_is_group(ld, g, "testing"))
		return;
	wg_config_check_known(ld, g, "testing", known);
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		const config_setting_t *s =
			config_setting_get_member(g, knobs[i].name);
		long long v;
		field_t f;

		if (!s)
			continue;
		snprintf(f, sizeof(f), "testing.%s", knobs[i].name);
		if (!wg_config_get_int(ld, s, f, 0, knobs[i].max, &v))
			continue;
		*(uint32_t *)((char *)t + knobs[i].off) = (uint32_t)v;
		t->has_testing = true;
	}
	if (t->has_testing)
		ld_warning(ld, g, "testing",
			   "test-only settings: the gateway does not follow the protocol's timing");
}
static void load_tree(struct wg_config_loader *ld, config_t *lc)
{
	static const char *const known[] = { "eal", "interface", "lan", "wan",
		"workers", "peers", "testing", "metrics", "acls", "handshakes",
		NULL };
	const config_setting_t *root = config_root_setting(lc);
	const config_setting_t *s, *peers;
	struct wg_config *cfg = ld->cfg;
	bool lan_ok = false, wan_ok = false;

	wg_config_check_known(ld, root, "", known);
	if ((s = config_setting_get_member(root, "eal")))
		load_eal(ld, s);
	if ((s = config_setting_get_member(root, "interface")))
		load_interface(ld, s);
	else
		ld_error(ld, NULL, "interface", "missing (required)");
	if ((s = config_setting_get_member(root, "lan")))
		lan_ok = load_port(ld, s, "lan", &cfg->lan);
	else
		ld_error(ld, NULL, "lan", "missing (required)");
	if ((s = config_setting_get_member(root, "wan"))) {
		wan_ok = load_port(ld, s, "wan", &cfg->wan);
		if (lan_ok && wan_ok && cfg->lan.port == cfg->wan.port)
			ld_error(ld, config_setting_get_member(s, "port"),
				 "wan.port", "%u is also lan.port", cfg->wan.port);
	} else {
		ld_error(ld, NULL, "wan", "missing (required)");
	}
	if ((s = config_setting_get_member(root, "workers")))
		load_workers(ld, s);
	/* before the peers, which name them */
	if ((s = config_setting_get_member(root, "acls")))
		wg_config_load_acls(ld, s);
	if ((peers = config_setting_get_member(root, "peers")))
		wg_config_load_peers(ld, peers);
	if ((s = config_setting_get_member(root, "testing")))
		load_testing(ld, s);
	wg_config_load_metrics(ld, config_setting_get_member(root, "metrics"));
	wg_config_load_handshakes(ld,
				  config_setting_get_member(root, "handshakes"));

	if (peers && cfg->peers)
		wg_config_check_peer_count(ld, peers);
	wg_config_check_peer_keys(ld);
	if (peers && cfg->peers)
		wg_config_resolve_allowed_ips(ld, peers);
	if (ld->ipv6_field[0] && cfg->interface.mtu < WG_MTU_MIN_IPV6)
		ld_error(ld, ld->mtu_setting, "interface.mtu",
			 "%u is below %d, the minimum with IPv6 (%s)",
			 cfg->interface.mtu, WG_MTU_MIN_IPV6, ld->ipv6_field);
}

int wg_config_load(const char *path, struct wg_config *out,
		   struct wg_diag *diag)
{
	struct wg_config cfg = { 0 };
	struct wg_config_loader ld = {.path = path, .diag = diag, .cfg = &cfg};
	const char *slash = strrchr(path, '/');
	config_t lc;
	FILE *f;

	/* libconfig only says "file I/O error"; ask the system why */
	f = fopen(path, "r");
	if (!f) {
		wg_diag_error(diag, "%s: cannot read: %s", path,
			      strerror(errno));
		return -1;
	}
	fclose(f);
	if (slash && !(ld.dir = strndup(path, (size_t)(slash - path)))) {
		wg_diag_error(diag, "%s: out of memory", path);
		return -1;
	}
	config_init(&lc);
	if (!config_read_file(&lc, path)) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			wg_diag_error(diag, "%s: cannot read: %s", path,
				      config_error_text(&lc));
		else
			wg_diag_error(diag, "%s:%d: %s",
				      config_error_file(&lc) ?
					      config_error_file(&lc) : path,
				      config_error_line(&lc),
				      config_error_text(&lc));
		ld.n_errors++;
	} else {
		load_tree(&ld, &lc);
		wg_config_wipe_secret_text(&lc);
	}
	config_destroy(&lc);
	free(ld.peer_key_setting);
	free(ld.dir);
	if (ld.n_errors) {
		wg_config_free(&cfg);
		return -1;
	}
	*out = cfg;
	/* the caller's copy is the only one that keeps the private key */
	wg_wipe(&cfg, sizeof(cfg));
	return 0;
}

void wg_config_free(struct wg_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_eal_args; i++)
		free(cfg->eal_args[i]);
	free(cfg->eal_args);
	free(cfg->lan.addresses);
	free(cfg->wan.addresses);
	free(cfg->worker_lcores);
	for (size_t i = 0; i < cfg->n_peers; i++) {
		wg_wipe(cfg->peers[i].preshared_key, WG_KEY_LEN);
		free(cfg->peers[i].allowed_ips);
	}
	free(cfg->peers);
	wg_acls_free(cfg->acls, cfg->n_acls);
	wg_wipe(&cfg->interface, sizeof(cfg->interface));
	memset(cfg, 0, sizeof(*cfg));
}
