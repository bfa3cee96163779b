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

void wg_config_check_peer_count(struct wg_config_loader *ld,
				 const config_setting_t *peers);
void wg_config_check_peer_keys(struct wg_config_loader *ld);
void wg_config_resolve_allowed_ips(struct wg_config_loader *ld,
				   const config_setting_t *peers);

#endif /* WG_CONFIG_PRIV_H */
