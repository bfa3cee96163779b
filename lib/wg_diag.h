/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics of a control-path operation (config load, UAPI set): every
 * error and warning, in order, each a complete line without '\n'. Callers
 * collect all problems instead of stopping at the first, so that a user
 * fixes a file in one pass.
 */
#ifndef WG_DIAG_H
#define WG_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct wg_diag {
	char **errors;
	size_t n_errors;
	char **warnings;
	size_t n_warnings;
	/* messages that could not be stored (out of memory) */
	size_t n_lost;
};

void wg_diag_init(struct wg_diag *diag);
/* Frees the strings; leaves an empty, reusable diag. */
void wg_diag_free(struct wg_diag *diag);
/* Errors first, then warnings, one per line. */
void wg_diag_print(const struct wg_diag *diag, FILE *out);

/* Append one message. diag may be NULL (the message is dropped). */
void wg_diag_error(struct wg_diag *diag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void wg_diag_warning(struct wg_diag *diag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* WG_DIAG_H */
