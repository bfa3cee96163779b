/* SPDX-License-Identifier: MIT */
/*
 * libconfig file -> struct wg_config (see wg_config.h for the model).
 *
 * Two passes. The first walks the tree once, checks each setting where it
 * stands (type, range, syntax, unknown names) and fills a scratch config.
 * The second checks what needs the whole picture: duplicate and own public
 * keys, AllowedIPs claimed by two peers, the MTU against IPv6. Only a
 * scratch config without errors reaches the caller.
 */
#include "wg_config_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wg_crypto.h"
#include "wg_keys.h"

void wg_config_report(struct wg_config_loader *ld, bool warning,
		      const config_setting_t *s, const char *field,
		      const char *fmt, ...)
{
	const char *file = s ? config_setting_source_file(s) : NULL;
	unsigned int line = s ? config_setting_source_line(s) : 0;
	char where[32] = "";
	char *msg = NULL;
	va_list ap;

	if (!warning)
		ld->n_errors++;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg) {
		if (ld->diag)
			ld->diag->n_lost++;
		return;
	}
	if (line)
		snprintf(where, sizeof(where), ":%u", line);
	if (warning)
		wg_diag_warning(ld->diag, "%s%s: warning: %s: %s",
				file ? file : ld->path, where, field, msg);
	else
		wg_diag_error(ld->diag, "%s%s: %s: %s", file ? file : ld->path,
			      where, field, msg);
	free(msg);
}

/* User text quoted for a message: at most 64 characters, control bytes
 * shown as '?'. Never used on key settings. */
static const char *quote(char buf[72], const char *text)
{
	size_t n = 0;

	buf[n++] = '\'';
	for (size_t i = 0; text[i] && n < 65; i++)
		buf[n++] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ?
				   '?' : text[i];
	if (strlen(text) > 64) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n++] = '\'';
	buf[n] = '\0';
	return buf;
}

static const char *type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	}
	return "unknown";
}

/* Every member of group must be named in known (NULL-terminated). */
static void check_known(struct wg_config_loader *ld,
			const config_setting_t *group, const char *prefix,
			const char *const *known)
{
	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *m =
		    config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(m);
		const char *const *k;
		field_t f;

		for (k = known; *k && strcmp(*k, name) != 0; k++)
			;
		if (*k)
			continue;
		/* names are unbounded in the file; 32 characters identify */
		snprintf(f, sizeof(f), "%.32s%s%.32s", prefix,
			 *prefix ? "." : "", name);
		ld_error(ld, m, f, "unknown setting");
	}
}

static const char *get_string(struct wg_config_loader *ld,
			      const config_setting_t *s, const char *field)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		ld_error(ld, s, field, "must be a string, not %s", type_name(s));
		return NULL;
	}
	return config_setting_get_string(s);
}

/* Integers only (no floats, no booleans), within [min, max]. Note that
 * libconfig 1.5 silently truncates literals beyond 32 bits. */
static bool get_int(struct wg_config_loader *ld, const config_setting_t *s,
		    const char *field, long long min, long long max,
		    long long *out)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		ld_error(ld, s, field, "must be an integer, not %s", type_name(s));
		return false;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		ld_error(ld, s, field, "%lld is out of range %lld..%lld", v, min,
			 max);
		return false;
	}
	*out = v;
	return true;
}

bool wg_config_get_int(struct wg_config_loader *ld, const config_setting_t *s,
		       const char *field, long long min, long long max,
		       long long *out)
{
	return get_int(ld, s, field, min, max, out);
}

static bool is_group(struct wg_config_loader *ld, const config_setting_t *s,
		     const char *field)
{
	if (config_setting_type(s) == CONFIG_TYPE_GROUP)
		return true;
	ld_error(ld, s, field, "must be a group { ... }, not %s", type_name(s));
	return false;
}

/* Arrays [...] and lists (...) both do for a list of scalars. */
static bool is_list(struct wg_config_loader *ld, const config_setting_t *s,
		    const char *field, const char *what)
{
	if (config_setting_is_array(s) || config_setting_is_list(s))
		return true;
	ld_error(ld, s, field, "must be a list [ %s, ... ], not %s", what,
		 type_name(s));
	return false;
}

/* A required member: NULL (reported at the group's line) when absent. */
static const config_setting_t *need(struct wg_config_loader *ld,
				    const config_setting_t *group,
				    const char *prefix, const char *name)
{
	const config_setting_t *m = config_setting_get_member(group, name);
	field_t f;

	if (!m) {
		snprintf(f, sizeof(f), "%s.%s", prefix, name);
		ld_error(ld, group, f, "missing (required)");
	}
	return m;
}

static bool parse_key(struct wg_config_loader *ld, const config_setting_t *s,
		      const char *field, uint8_t key[WG_KEY_LEN])
{
	const char *text = get_string(ld, s, field);

	if (!text)
		return false;
	if (!wg_key_from_base64(key, text)) {
		/* no echo: a near-miss is still most of a secret */
		ld_error(ld, s, field,
			 "not a valid key (44 characters of base64, as wg genkey prints)");
		return false;
	}
	return true;
}

/* The key in a file of its own, as `wg genkey > file` writes it. */
static void read_key_file(struct wg_config_loader *ld,
			  const config_setting_t *s, const char *field,
			  uint8_t key[WG_KEY_LEN], bool *ok)
{
	const char *name = get_string(ld, s, field);
	char *path = NULL;
	char buf[128];
	ssize_t len = 0, r;
	struct stat st;
	int fd;

	*ok = false;
	if (!name)
		return;
	if (name[0] != '/' && ld->dir) {
		if (asprintf(&path, "%s/%s", ld->dir, name) < 0) {
			ld_error(ld, s, field, "out of memory");
			return;
		}
	} else if (!(path = strdup(name))) {
		ld_error(ld, s, field, "out of memory");
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		ld_error(ld, s, field, "cannot read '%s': %s", path,
			 strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ld_error(ld, s, field, "'%s' is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077)
		ld_warning(ld, s, field,
			   "'%s' is accessible by group or others (mode %03o); chmod 600 it",
			   path, (unsigned int)(st.st_mode & 0777));
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (r = read(fd, buf + len, sizeof(buf) - 1 - (size_t)len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ld_error(ld, s, field, "cannot read '%s': %s", path,
				 strerror(errno));
			goto out;
		}
		len += r;
	}
	/* trailing whitespace (the newline of `wg genkey > file`) is fine */
	while (len > 0 && strchr(" \t\r\n", buf[len - 1]))
		len--;
	buf[len] = '\0';
	if (!wg_key_from_base64(key, buf))
		ld_error(ld, s, field,
			 "'%s' does not hold a valid key (44 characters of base64, as wg genkey prints)",
			 path);
	else
		*ok = true;
out:
	wg_wipe(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	free(path);
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

	if (!is_list(ld, s, "eal", "\"-l\", \"0-2\""))
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
		arg = get_string(ld, e, f);
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
	if (!is_group(ld, g, "interface"))
		return;
	check_known(ld, g, "interface", known);

	if ((s = need(ld, g, "interface", "name")) &&
	    (name = get_string(ld, s, "interface.name"))) {
		if (valid_ifname(name))
			strcpy(ifc->name, name);
		else
			ld_error(ld, s, "interface.name",
				 "%s is not a valid interface name (1..%d of A-Z a-z 0-9 _ = + . -)",
				 quote(q, name), WG_IFNAME_MAX);
	}

	key = config_setting_get_member(g, "private_key");
	key_file = config_setting_get_member(g, "private_key_file");
	if (key && key_file)
		ld_error(ld, key_file, "interface.private_key_file",
			 "cannot be used together with private_key");
	else if (key)
		ok = parse_key(ld, key, "interface.private_key",
			       ifc->private_key);
	else if (key_file)
		read_key_file(ld, key_file, "interface.private_key_file",
			      ifc->private_key, &ok);
	else
		ld_error(ld, g, "interface.private_key",
			 "missing (set private_key or private_key_file)");
	if (ok) {
		ifc->has_private_key = true;
		wg_public_from_private(ifc->public_key, ifc->private_key);
	}

	if ((s = config_setting_get_member(g, "listen_port")) &&
	    get_int(ld, s, "interface.listen_port", 1, 65535, &v)) {
		ifc->listen_port = (uint16_t)v;
		ifc->has_listen_port = true;
	}
	if ((s = config_setting_get_member(g, "mtu")) &&
	    get_int(ld, s, "interface.mtu", WG_MTU_MIN, WG_MTU_MAX, &v)) {
		ifc->mtu = (uint16_t)v;
		ifc->has_mtu = true;
		ld->mtu_setting = s;
	}
	if ((s = config_setting_get_member(g, "max_peers")) &&
	    get_int(ld, s, "interface.max_peers", 1, WG_MAX_PEERS_MAX, &v)) {
		ifc->max_peers = (uint32_t)v;
		ifc->has_max_peers = true;
		ld->max_peers_setting = s;
	}
	if ((s = config_setting_get_member(g, "mss_clamp"))) {
		if (config_setting_type(s) == CONFIG_TYPE_BOOL)
			ifc->mss_clamp = config_setting_get_bool(s);
		else
			ld_error(ld, s, "interface.mss_clamp",
				 "must be true or false, not %s", type_name(s));
	}
}

/* The first IPv6 inside the tunnel's reach decides the MTU floor. */
static void note_ipv6(struct wg_config_loader *ld, const struct wg_prefix *p,
		      const char *field)
{
	if (p->family == WG_FAMILY_V6 && !ld->ipv6_field[0])
		snprintf(ld->ipv6_field, sizeof(ld->ipv6_field), "%s", field);
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

	if (!is_group(ld, g, name))
		return false;
	check_known(ld, g, name, known);

	snprintf(f, sizeof(f), "%s.port", name);
	if ((s = need(ld, g, name, "port")) &&
	    get_int(ld, s, f, 0, WG_PORT_ID_MAX, &v)) {
		pc->port = (uint16_t)v;
		port_ok = true;
	}

	snprintf(f, sizeof(f), "%s.address", name);
	if ((s = need(ld, g, name, "address")) &&
	    is_list(ld, s, f, "\"192.0.2.1/24\"")) {
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
			if (!(text = get_string(ld, e, f)))
				continue;
			if (!wg_ifaddr_parse(a, text)) {
				ld_error(ld, e, f,
					 "%s is not a valid address/prefix length",
					 quote(q, text));
				continue;
			}
			for (j = 0; j < i; j++)
				if (pc->addresses[j].family == a->family &&
				    !memcmp(pc->addresses[j].addr, a->addr,
					    WG_ADDR_LEN))
					break;
			if (j < i) {
				ld_error(ld, e, f, "%s repeats %s.address[%u]",
					 quote(q, text), name, j);
				continue;
			}
			if (!strcmp(name, "lan"))
				note_ipv6(ld, a, f);
		}
	}

	snprintf(f, sizeof(f), "%s.gateway", name);
	if ((s = config_setting_get_member(g, "gateway")) &&
	    (text = get_string(ld, s, f))) {
		size_t j;

		if (!wg_ip_parse(&pc->gateway, text)) {
			ld_error(ld, s, f, "%s is not a valid address",
				 quote(q, text));
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
				 quote(q, text), name);
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

	if (!is_group(ld, g, "workers"))
		return;
	check_known(ld, g, "workers", known);
	cfg->has_workers = true;
	if (!(s = need(ld, g, "workers", "lcores")) ||
	    !is_list(ld, s, "workers.lcores", "1"))
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
		if (!get_int(ld, e, f, 0, WG_LCORE_ID_MAX, &v))
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

	if (!is_group(ld, g, "testing"))
		return;
	check_known(ld, g, "testing", known);
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		const config_setting_t *s =
			config_setting_get_member(g, knobs[i].name);
		long long v;
		field_t f;

		if (!s)
			continue;
		snprintf(f, sizeof(f), "testing.%s", knobs[i].name);
		if (!get_int(ld, s, f, 0, knobs[i].max, &v))
			continue;
		*(uint32_t *)((char *)t + knobs[i].off) = (uint32_t)v;
		t->has_testing = true;
	}
	if (t->has_testing)
		ld_warning(ld, g, "testing",
			   "test-only settings: the gateway does not follow the protocol's timing");
}

static void load_allowed_ips(struct wg_config_loader *ld,
			     const config_setting_t *s, size_t idx,
			     struct wg_peer_config *peer)
{
	unsigned int n;
	field_t f;
	char q[72];

	snprintf(f, sizeof(f), "peers[%zu].allowed_ips", idx);
	if (!is_list(ld, s, f, "\"203.0.113.0/24\""))
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
		if (!(text = get_string(ld, e, f)))
			continue;
		if (!wg_prefix_parse(p, text, &masked)) {
			ld_error(ld, e, f, "%s is not a valid prefix",
				 quote(q, text));
			continue;
		}
		if (masked)
			ld_warning(ld, e, f, "%s has host bits set; using %s",
				   quote(q, text), wg_prefix_format(canon, p));
		note_ipv6(ld, p, f);
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
	if (!is_group(ld, g, prefix))
		return;
	check_known(ld, g, prefix, known);

	snprintf(f, sizeof(f), "%s.public_key", prefix);
	if ((s = need(ld, g, prefix, "public_key")) &&
	    parse_key(ld, s, f, peer->public_key)) {
		peer->has_public_key = true;
		ld->peer_key_setting[idx] = s;
	}
	snprintf(f, sizeof(f), "%s.preshared_key", prefix);
	if ((s = config_setting_get_member(g, "preshared_key")) &&
	    parse_key(ld, s, f, peer->preshared_key))
		peer->has_preshared_key = true;
	snprintf(f, sizeof(f), "%s.endpoint", prefix);
	if ((s = config_setting_get_member(g, "endpoint")) &&
	    (text = get_string(ld, s, f))) {
		if (wg_endpoint_parse(&peer->endpoint, text))
			peer->has_endpoint = true;
		else
			ld_error(ld, s, f,
				 "%s is not a valid endpoint (IPv4:PORT or [IPv6]:PORT)",
				 quote(q, text));
	}
	if ((s = config_setting_get_member(g, "allowed_ips")))
		load_allowed_ips(ld, s, idx, peer);
	snprintf(f, sizeof(f), "%s.persistent_keepalive", prefix);
	if ((s = config_setting_get_member(g, "persistent_keepalive")) &&
	    get_int(ld, s, f, 0, WG_PERSISTENT_KEEPALIVE_MAX, &v)) {
		peer->persistent_keepalive = (uint16_t)v;
		peer->has_persistent_keepalive = true;
	}
	wg_config_load_peer_policy(ld, g, prefix, peer);
}

static void load_peers(struct wg_config_loader *ld, const config_setting_t *s)
{
	struct wg_config *cfg = ld->cfg;
	unsigned int n;

	if (!config_setting_is_list(s)) {
		ld_error(ld, s, "peers", "must be a list ( { ... }, ... ), not %s",
			 type_name(s));
		return;
	}
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

/* libconfig keeps its own copy of the key text; wipe it before it goes. */
static void wipe_secret_text(config_t *lc)
{
	const config_setting_t *peers = config_lookup(lc, "peers");
	const config_setting_t *s = config_lookup(lc, "interface.private_key");
	char *text;

	if (s && config_setting_type(s) == CONFIG_TYPE_STRING &&
	    (text = (char *)config_setting_get_string(s)))
		wg_wipe(text, strlen(text));
	for (int i = 0; peers && config_setting_is_list(peers) &&
			i < config_setting_length(peers); i++) {
		const config_setting_t *g =
		    config_setting_get_elem(peers, (unsigned)i);

		s = config_setting_is_group(g)
			? config_setting_get_member(g, "preshared_key")
			: NULL;
		if (s && config_setting_type(s) == CONFIG_TYPE_STRING &&
		    (text = (char *)config_setting_get_string(s)))
			wg_wipe(text, strlen(text));
	}
}

static void load_tree(struct wg_config_loader *ld, config_t *lc)
{
	static const char *const known[] = { "eal", "interface", "lan", "wan",
		"workers", "peers", "testing", "metrics", "acls", NULL };
	const config_setting_t *root = config_root_setting(lc);
	const config_setting_t *s, *peers;
	struct wg_config *cfg = ld->cfg;
	bool lan_ok = false, wan_ok = false;

	check_known(ld, root, "", known);
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
		load_peers(ld, peers);
	if ((s = config_setting_get_member(root, "testing")))
		load_testing(ld, s);
	wg_config_load_metrics(ld, config_setting_get_member(root, "metrics"));

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

void wg_config_check_known(struct wg_config_loader *ld,
			   const config_setting_t *group, const char *prefix,
			   const char *const *known)
{
	check_known(ld, group, prefix, known);
}

bool wg_config_is_group(struct wg_config_loader *ld,
			const config_setting_t *s, const char *field)
{
	return is_group(ld, s, field);
}

const char *wg_config_get_string(struct wg_config_loader *ld,
				 const config_setting_t *s, const char *field)
{
	return get_string(ld, s, field);
}

const char *wg_config_quote(char buf[72], const char *text)
{
	return quote(buf, text);
}

const char *wg_config_type_name(const config_setting_t *s)
{
	return type_name(s);
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
		wipe_secret_text(&lc);
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
