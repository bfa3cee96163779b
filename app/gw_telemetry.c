/* SPDX-License-Identifier: MIT */
/* The /wg_dpdk/ telemetry commands (see gw_telemetry.h). */
#include "gw_telemetry.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "wg_keys.h"

/* Telemetry callbacks take no argument, so the snapshots they answer
 * from are this file's: set by start, cleared by stop under tel_lock,
 * which every callback holds while it uses them. */
static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gw_counters *tel_counters;
static bool tel_registered;

static const char *const role_name[GW_NB_ROLES] = { "lan", "wan" };

static void put_counters(struct rte_tel_data *d, const struct gw_totals *t)
{
	unsigned int i;

	for (i = 0; i < GW_CTR_MAX; i++)
		rte_tel_data_add_dict_u64(d, gw_counter_name(i), t->c[i]);
	rte_tel_data_add_dict_u64(d, "mbufs_in_use", t->mbufs_in_use);
	rte_tel_data_add_dict_u64(d, "mbufs_staged", t->mbufs_staged);
	rte_tel_data_add_dict_u64(d, "mbufs_held_for_neighbours",
				  t->mbufs_neighbour);
	rte_tel_data_add_dict_u64(d, "mbufs_in_control_ring",
				  t->mbufs_control_ring);
	rte_tel_data_add_dict_u64(d, "events_queued", t->events_queued);
}

static void add_worker(struct rte_tel_data *d, unsigned int i,
		       const struct gw_worker_snap *w)
{
	char name[RTE_TEL_MAX_STRING_LEN];
	unsigned int r;

#define ADD(field, v)                                                      \
	do {                                                               \
		snprintf(name, sizeof(name), "worker%u/%s", i, field);     \
		rte_tel_data_add_dict_u64(d, name, v);                     \
	} while (0)
	ADD("lcore", w->lcore_id);
	for (r = 0; r < GW_NB_ROLES; r++) {
		char f[32];

		snprintf(f, sizeof(f), "rx_%s_packets", role_name[r]);
		ADD(f, w->rx[r]);
		snprintf(f, sizeof(f), "tx_%s_packets", role_name[r]);
		ADD(f, w->tx[r]);
	}
	ADD("poll_busy_cycles", w->busy_cycles);
	ADD("poll_idle_cycles", w->idle_cycles);
	ADD("spreads", w->spreads);
	ADD("spread_outstanding_chunks", w->spread_outstanding);
	ADD("spread_queued_chunks", w->spread_queued);
#undef ADD
}

static void put_workers(struct rte_tel_data *d, const struct gw_totals *t)
{
	unsigned int i;

	rte_tel_data_add_dict_u64(d, "workers", t->n_workers);
	rte_tel_data_add_dict_u64(d, "tsc_hz", t->tsc_hz);
	for (i = 0; i < t->n_workers; i++)
		add_worker(d, i, &t->w[i]);
}

static void put_peers(struct rte_tel_data *d, const struct gw_totals *t)
{
	rte_tel_data_add_dict_string(d, "interface", t->ifname);
	rte_tel_data_add_dict_u64(d, "count", t->n_peers);
	rte_tel_data_add_dict_u64(d, "max", t->max_peers);
}

/* /wg_dpdk/counters, /workers and /peers: one snapshot of the totals,
 * formatted by the command. */
static int tel_totals_cb(const char *cmd, const char *params,
			 struct rte_tel_data *d)
{
	struct gw_totals *t = malloc(sizeof(*t));
	int ret;

	(void)params;
	if (!t)
		return -ENOMEM;
	pthread_mutex_lock(&tel_lock);
	ret = gw_counters_totals(tel_counters, t);
	pthread_mutex_unlock(&tel_lock);
	if (ret == 0) {
		rte_tel_data_start_dict(d);
		if (strcmp(cmd, "/wg_dpdk/counters") == 0)
			put_counters(d, t);
		else if (strcmp(cmd, "/wg_dpdk/workers") == 0)
			put_workers(d, t);
		else
			put_peers(d, t);
	}
	free(t);
	return ret;
}

/* "drops": reason (gw_stats.h name) -> count, the reasons seen only. */
static void add_peer_drops(struct rte_tel_data *d, const struct gw_peer_snap *p)
{
	struct rte_tel_data *drops = rte_tel_data_alloc();
	unsigned int i;

	if (!drops)
		return;
	rte_tel_data_start_dict(drops);
	for (i = 0; i < GW_PDROP_MAX; i++)
		if (p->drops[i])
			rte_tel_data_add_dict_u64(
				drops, gw_counter_name(gw_peer_drop_counter(i)),
				p->drops[i]);
	rte_tel_data_add_dict_container(d, "drops", drops, 0);
}

static void add_peer(struct rte_tel_data *d, const struct gw_peer_slice *s,
		     const struct gw_peer_snap *p)
{
	static const char *const kp_name[GW_KP_SLOTS] = {
		"current_keypair_age_ms", "previous_keypair_age_ms",
		"next_keypair_age_ms" };
	char b64[WG_KEY_B64_LEN + 1], ep[WG_ENDPOINT_STR_LEN];
	char pfx[WG_PREFIX_STR_LEN];
	struct rte_tel_data *ips = rte_tel_data_alloc();
	unsigned int i;

	rte_tel_data_start_dict(d);
	wg_key_to_base64(b64, p->public_key);
	rte_tel_data_add_dict_string(d, "public_key", b64);
	rte_tel_data_add_dict_u64(d, "index", p->id);
	rte_tel_data_add_dict_string(d, "endpoint",
				     p->endpoint.family == WG_FAMILY_NONE ?
					     "" :
					     wg_endpoint_format(ep, &p->endpoint));
	rte_tel_data_add_dict_u64(d, "rx_bytes", p->rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_bytes", p->tx_bytes);
	rte_tel_data_add_dict_u64(d, "rx_packets", p->rx_packets);
	rte_tel_data_add_dict_u64(d, "tx_packets", p->tx_packets);
	/* unix seconds, 0: never (as `wg show latest-handshakes`) */
	rte_tel_data_add_dict_u64(d, "latest_handshake",
				  p->last_handshake_unix_ns / 1000000000ull);
	/* an empty slot has no age: the entry is left out */
	for (i = 0; i < GW_KP_SLOTS; i++)
		if (p->kp_age_ns[i] != GW_SNAP_NO_KEYPAIR)
			rte_tel_data_add_dict_u64(d, kp_name[i],
						  p->kp_age_ns[i] / 1000000);
	rte_tel_data_add_dict_u64(d, "staged_packets", p->staged);
	rte_tel_data_add_dict_u64(d, "allowed_ips_count", p->n_allowed_ips);
	/* the policy from the config file: 0 and "" when none */
	rte_tel_data_add_dict_u64(d, "rate_limit_to_peer_mbit", p->to_peer_mbit);
	rte_tel_data_add_dict_u64(d, "rate_limit_from_peer_mbit",
				  p->from_peer_mbit);
	rte_tel_data_add_dict_string(d, "acl", p->acl);
	add_peer_drops(d, p);
	if (!ips)
		return;
	rte_tel_data_start_array(ips, RTE_TEL_STRING_VAL);
	for (i = 0; i < p->n_prefixes; i++)
		rte_tel_data_add_array_string(
			ips, wg_prefix_format(pfx,
					      &s->prefixes[p->first_prefix + i]));
	rte_tel_data_add_dict_container(d, "allowed_ips", ips, 0);
}

/* params: a base64 public key, or a slot id in decimal. */
static int tel_peer_cb(const char *cmd, const char *params,
		       struct rte_tel_data *d)
{
	uint8_t key[WG_KEY_LEN];
	struct gw_peer_slice *s;
	unsigned long id = 0;
	bool by_key;
	char *end;
	int ret;

	(void)cmd;
	if (!params || !*params)
		return -EINVAL;
	by_key = wg_key_from_base64(key, params);
	if (!by_key) {
		errno = 0;
		id = strtoul(params, &end, 10);
		if (errno || *end || end == params || id > UINT32_MAX)
			return -EINVAL;
	}
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_lock(&tel_lock);
	ret = gw_counters_peer(tel_counters, by_key ? key : NULL,
			       (uint32_t)id, s);
	pthread_mutex_unlock(&tel_lock);
	if (ret == 0 && s->n == 1)
		add_peer(d, s, &s->p[0]);
	else if (ret == 0)
		ret = -ENOENT;
	free(s);
	return ret;
}

void gw_telemetry_start(struct gw_counters *k)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/wg_dpdk/counters", tel_totals_cb,
		  "Every wg-dpdk counter summed over lcores, and where mbufs are held. No parameters" },
		{ "/wg_dpdk/workers", tel_totals_cb,
		  "Per worker: packets per port and direction, busy/idle poll cycles, spreading backlog. No parameters" },
		{ "/wg_dpdk/peers", tel_totals_cb,
		  "How many peers there are. No parameters" },
		{ "/wg_dpdk/peer", tel_peer_cb,
		  "One peer. Parameter: its base64 public key or its index" },
	};
	size_t i;

	pthread_mutex_lock(&tel_lock);
	tel_counters = k;
	pthread_mutex_unlock(&tel_lock);
	if (tel_registered)
		return;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn,
					       cmds[i].help) != 0) {
			GW_LOG(WARNING, "telemetry command %s not registered",
			       cmds[i].cmd);
			return;
		}
	tel_registered = true;
}

void gw_telemetry_stop(void)
{
	pthread_mutex_lock(&tel_lock);
	tel_counters = NULL;
	pthread_mutex_unlock(&tel_lock);
}
