/* SPDX-License-Identifier: MIT */
/* Rate limits of ICMP echo replies (see gw_echo_limit.h). */
#include "gw_echo_limit.h"

#include <stddef.h>

#define ECHO_COST_NS (UINT64_C(1000000000) / GW_ECHO_PER_SECOND)
#define ECHO_TOKEN_MAX (ECHO_COST_NS * GW_ECHO_BURST)

int gw_echo_limit_init(struct gw_echo_limit *l)
{
	l->tokens_ns = ECHO_TOKEN_MAX;
	l->last_ns = 0;
	return wg_ratelimit_init(&l->per_source, GW_ECHO_SOURCES, NULL);
}

void gw_echo_limit_free(struct gw_echo_limit *l)
{
	wg_ratelimit_free(&l->per_source);
}

bool gw_echo_limit_allow(struct gw_echo_limit *l, uint8_t family,
			 const uint8_t *src, uint64_t now)
{
	uint64_t tokens = l->tokens_ns;

	if (now > l->last_ns)
		tokens += now - l->last_ns;
	if (tokens > ECHO_TOKEN_MAX)
		tokens = ECHO_TOKEN_MAX;
	l->tokens_ns = tokens;
	l->last_ns = now > l->last_ns ? now : l->last_ns;
	/* the global bucket first: a refusal there costs the source
	 * nothing; the per-source check takes its token only on yes */
	if (tokens < ECHO_COST_NS ||
	    !wg_ratelimit_allow(&l->per_source, family, src, now))
		return false;
	l->tokens_ns -= ECHO_COST_NS;
	return true;
}
