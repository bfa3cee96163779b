/* SPDX-License-Identifier: MIT */
/* Collected errors and warnings (see wg_diag.h). */
#include "wg_diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void wg_diag_init(struct wg_diag *diag)
{
	memset(diag, 0, sizeof(*diag));
}

static void free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void wg_diag_free(struct wg_diag *diag)
{
	if (!diag)
		return;
	free_list(diag->errors, diag->n_errors);
	free_list(diag->warnings, diag->n_warnings);
	wg_diag_init(diag);
}

void wg_diag_print(const struct wg_diag *diag, FILE *out)
{
	if (!diag)
		return;
	for (size_t i = 0; i < diag->n_errors; i++)
		fprintf(out, "%s\n", diag->errors[i]);
	for (size_t i = 0; i < diag->n_warnings; i++)
		fprintf(out, "%s\n", diag->warnings[i]);
	if (diag->n_lost)
		fprintf(out, "(%zu more messages lost: out of memory)\n",
			diag->n_lost);
}

/* Append to a list that grows by doubling: a file with 100,000 bad peers
 * must not turn this quadratic. */
static void append(struct wg_diag *diag, char ***list, size_t *n,
		   const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		diag->n_lost++;
		return;
	}
	if ((*n & (*n - 1)) == 0) { /* 0 or a power of two: full */
		size_t cap = *n ? *n * 2 : 1;
		char **grown = realloc(*list, cap * sizeof(*grown));

		if (!grown) {
			free(msg);
			diag->n_lost++;
			return;
		}
		*list = grown;
	}
	(*list)[(*n)++] = msg;
}

void wg_diag_error(struct wg_diag *diag, const char *fmt, ...)
{
	va_list ap;

	if (!diag)
		return;
	va_start(ap, fmt);
	append(diag, &diag->errors, &diag->n_errors, fmt, ap);
	va_end(ap);
}

void wg_diag_warning(struct wg_diag *diag, const char *fmt, ...)
{
	va_list ap;

	if (!diag)
		return;
	va_start(ap, fmt);
	append(diag, &diag->warnings, &diag->n_warnings, fmt, ap);
	va_end(ap);
}
