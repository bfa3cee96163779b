/* SPDX-License-Identifier: MIT */
/*
 * The loader's reading of one libconfig setting: its type, its range, the
 * names a group may hold, and the report of what is wrong with it as
 * FILE:LINE: FIELD: MESSAGE (wg_config.h). Shared by every part of the
 * loader through wg_config_priv.h.
 */
#include "wg_config_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
const char *wg_config_quote(char buf[72], const char *text)
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

const char *wg_config_type_name(const config_setting_t *s)
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
void wg_config_check_known(struct wg_config_loader *ld,
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

const char *wg_config_get_string(struct wg_config_loader *ld,
				 const config_setting_t *s, const char *field)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		ld_error(ld, s, field, "must be a string, not %s",
			 wg_config_type_name(s));
		return NULL;
	}
	return config_setting_get_string(s);
}

/* Integers only (no floats, no booleans), within [min, max]. Note that
 * libconfig 1.5 silently truncates literals beyond 32 bits. */
bool wg_config_get_int(struct wg_config_loader *ld, const config_setting_t *s,
		       const char *field, long long min, long long max,
		       long long *out)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		ld_error(ld, s, field, "must be an integer, not %s",
			 wg_config_type_name(s));
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

bool wg_config_is_group(struct wg_config_loader *ld,
			const config_setting_t *s, const char *field)
{
	if (config_setting_type(s) == CONFIG_TYPE_GROUP)
		return true;
	ld_error(ld, s, field, "must be a group { ... }, not %s",
		 wg_config_type_name(s));
	return false;
}

/* Arrays [...] and lists (...) both do for a list of scalars. */
bool wg_config_is_list(struct wg_config_loader *ld, const config_setting_t *s,
		       const char *field, const char *what)
{
	if (config_setting_is_array(s) || config_setting_is_list(s))
		return true;
	ld_error(ld, s, field, "must be a list [ %s, ... ], not %s", what,
		 wg_config_type_name(s));
	return false;
}

/* A list of groups ( { ... }, ... ), as the peers and the acls are. */
bool wg_config_is_group_list(struct wg_config_loader *ld,
			     const config_setting_t *s, const char *field)
{
	if (config_setting_is_list(s))
		return true;
	ld_error(ld, s, field, "must be a list ( { ... }, ... ), not %s",
		 wg_config_type_name(s));
	return false;
}

/* A required member: NULL (reported at the group's line) when absent. */
const config_setting_t *wg_config_need(struct wg_config_loader *ld,
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
