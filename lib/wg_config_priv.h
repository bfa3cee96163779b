/* SPDX-License-Identifier: MIT */
/*
 * Shared between the two passes of the config loader (wg_config.c walks
 * the file, wg_config_check.c checks across peers). Not a public header.
 */
#ifndef WG_CONFIG_PRIV_H
#define WG_CONFIG_PRIV_H

#include <libconfig.h>

#include "wg_config.h"

/* Field names are short, but they include peer and list indexes. */
typedef char field_t[80];

struct wg_config_loader {
	const char *path;
	char *dir;              /* of path, for relative key files */
	struct wg_diag *diag;
	size_t n_errors;        /* own count: diag may be NULL or full */
	struct wg_config *cfg;  /* scratch, handed out only without errors */
	/* per peer, for the second pass: where its key was written */
	const config_setting_t **peer_key_setting;
	/* the first IPv6 we met inside the tunnel's reach, for the MTU rule */
	field_t ipv6_field;
	const config_setting_t *mtu_setting;
	const config_setting_t *max_peers_setting;
};


/* Append "FILE:LINE: [warning: ]FIELD: MESSAGE" to the diag; s gives the
 * file and line (NULL: the file as a whole). Errors are counted. */
void wg_config_report(struct wg_config_loader *ld, bool warning,
		      const config_setting_t *s, const char *field,
		      const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#define ld_error(ld, s, field, ...) \
	wg_config_report(ld, false, s, field, __VA_ARGS__)
#define ld_warning(ld, s, field, ...) \
	wg_config_report(ld, true, s, field, __VA_ARGS__)

/* The walker's helpers, for the loader's other files (wg_config.c). */
void wg_config_check_known(struct wg_config_loader *ld,
			   const config_setting_t *group, const char *prefix,
			   const char *const *known);
bool wg_config_is_group(struct wg_config_loader *ld,
			const config_setting_t *s, const char *field);
const char *wg_config_get_string(struct wg_config_loader *ld,
				 const config_setting_t *s, const char *field);
const char *wg_config_quote(char buf[72], const char *text);
const char *wg_config_type_name(const config_setting_t *s);

bool wg_config_get_int(struct wg_config_loader *ld, const config_setting_t *s,
		       const char *field, long long min, long long max,
		       long long *out);

/* Per-peer policy (wg_config_policy.c): the `acls` list, read before the
 * peers; a peer's `rate_limit` and `acl`. */
void wg_config_load_acls(struct wg_config_loader *ld,
			 const config_setting_t *s);
void wg_config_load_peer_policy(struct wg_config_loader *ld,
				const config_setting_t *g, const char *prefix,
				struct wg_peer_config *peer);

/* The `metrics` group (wg_config_metrics.c); g NULL: the defaults. */
void wg_config_load_metrics(struct wg_config_loader *ld,
			    const config_setting_t *g);

void wg_config_check_peer_count(struct wg_config_loader *ld,
				 const config_setting_t *peers);
void wg_config_check_peer_keys(struct wg_config_loader *ld);
void wg_config_resolve_allowed_ips(struct wg_config_loader *ld,
				   const config_setting_t *peers);

#endif /* WG_CONFIG_PRIV_H */
