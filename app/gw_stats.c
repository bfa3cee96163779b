/* SPDX-License-Identifier: MIT */
/* Per-lcore counters and the project's log type (see gw_stats.h). */
#include "gw_stats.h"

#include <ctype.h>
#include <inttypes.h>

#include <rte_malloc.h>

/* The log type is the one process-wide value every file needs even before
 * a context exists (rte_log takes it as an argument); it is written once. */
int gw_logtype = RTE_LOGTYPE_USER1;

/* The ids as gw_stats.h writes them; printed in lower case. */
static const char *const counter_ids[GW_CTR_MAX] = {
#define GW_X_ID(id) [GW_CTR_##id] = #id,
	GW_COUNTERS(GW_X_ID)
#undef GW_X_ID
};

/* Its size is the longest id's, terminator included. */
union counter_id_sizes {
#define GW_X_SIZE(id) char id[sizeof(#id)];
	GW_COUNTERS(GW_X_SIZE)
#undef GW_X_SIZE
};

static char counter_names[GW_CTR_MAX][sizeof(union counter_id_sizes)];

/* Filled at load time, before main and so before any lcore or reporting
 * thread can ask: read-only from then on, without a lock. */
__attribute__((constructor)) static void counter_names_init(void)
{
	unsigned int c, i;

	for (c = 0; c < GW_CTR_MAX; c++)
		for (i = 0; counter_ids[c][i]; i++)
			counter_names[c][i] = (char)tolower(
				(unsigned char)counter_ids[c][i]);
}

void gw_log_init(void)
{
	int t = rte_log_register_type_and_pick_level("wg_dpdk",
						     RTE_LOG_INFO);

	if (t >= 0)
		gw_logtype = t;
}

struct gw_stats *gw_stats_create(void)
{
	return rte_zmalloc("gw_stats", sizeof(struct gw_stats),
			   RTE_CACHE_LINE_SIZE);
}

void gw_stats_free(struct gw_stats *st)
{
	rte_free(st);
}

const char *gw_counter_name(enum gw_counter c)
{
	return c < GW_CTR_MAX ? counter_names[c] : "?";
}

uint64_t gw_stats_sum(const struct gw_stats *st, enum gw_counter c)
{
	uint64_t sum = 0;
	unsigned int i;

	/* relaxed reads of other lcores' counters: a slightly stale total is
	 * fine for reporting */
	for (i = 0; i < RTE_MAX_LCORE; i++)
		sum += __atomic_load_n(&st->lcore[i].c[c], __ATOMIC_RELAXED);
	return sum;
}

void gw_stats_log(const struct gw_stats *st)
{
	unsigned int c;

	for (c = 0; c < GW_CTR_MAX; c++) {
		uint64_t v = gw_stats_sum(st, c);

		if (v)
			GW_LOG(INFO, "%-32s %" PRIu64, counter_names[c], v);
	}
}
