/* SPDX-License-Identifier: MIT */
/*
 * Second pass of the config loader: what needs all peers at once. Both
 * checks sort instead of comparing pairs, so 100,000 peers stay fast.
 */
#include <stdlib.h>
#include <string.h>

#include "wg_config_priv.h"

/* More peers than the gateway will have tables for: named at the first
 * one too many, so that the message has a line to point at. */
void wg_config_check_peer_count(struct wg_config_loader *ld,
				const config_setting_t *peers)
{
	const struct wg_config *cfg = ld->cfg;
	uint32_t max = cfg->interface.max_peers;
	char where[48] = "the default";
	field_t f;

	if (cfg->n_peers <= max)
		return;
	if (ld->max_peers_setting)
		snprintf(where, sizeof(where), "line %u",
			 config_setting_source_line(ld->max_peers_setting));
	snprintf(f, sizeof(f), "peers[%u]", max);
	ld_error(ld, config_setting_get_elem(peers, max), f,
		 "%zu peers, more than interface.max_peers = %u (%s)",
		 cfg->n_peers, max, where);
}

static int cmp_peer_key(const void *a, const void *b, void *arg)
{
	const struct wg_peer_config *peers = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = memcmp(peers[i].public_key, peers[j].public_key, WG_KEY_LEN);

	return c ? c : (i > j) - (i < j);
}

void wg_config_check_peer_keys(struct wg_config_loader *ld)
{
	struct wg_config *cfg = ld->cfg;
	const struct wg_interface_config *ifc = &cfg->interface;
	size_t *order, *dup_of, n = cfg->n_peers;

	for (size_t i = 0; i < n && ifc->has_private_key; i++) {
		field_t f;

		if (!cfg->peers[i].has_public_key ||
		    memcmp(cfg->peers[i].public_key, ifc->public_key,
			   WG_KEY_LEN))
			continue;
		snprintf(f, sizeof(f), "peers[%zu].public_key", i);
		ld_error(ld, ld->peer_key_setting[i], f,
			 "is this interface's own public key");
	}
	if (n < 2)
		return;
	order = calloc(n, sizeof(*order));
	dup_of = calloc(n, sizeof(*dup_of));
	if (!order || !dup_of) {
		ld_error(ld, NULL, "peers", "out of memory");
		goto out;
	}
	/* sort by key, ties by index: the first of a run is the original */
	for (size_t i = 0; i < n; i++) {
		order[i] = i;
		dup_of[i] = SIZE_MAX;
	}
	qsort_r(order, n, sizeof(*order), cmp_peer_key, cfg->peers);
	for (size_t r = 0, k = 1; k < n; k++) {
		const struct wg_peer_config *a = &cfg->peers[order[r]];
		const struct wg_peer_config *b = &cfg->peers[order[k]];

		if (a->has_public_key && b->has_public_key &&
		    !memcmp(a->public_key, b->public_key, WG_KEY_LEN))
			dup_of[order[k]] = order[r];
		else
			r = k;
	}
	/* reported in file order */
	for (size_t j = 0; j < n; j++) {
		field_t f;

		if (dup_of[j] == SIZE_MAX)
			continue;
		snprintf(f, sizeof(f), "peers[%zu].public_key", j);
		ld_error(ld, ld->peer_key_setting[j], f,
			 "same public key as peers[%zu] (line %u)", dup_of[j],
			 config_setting_source_line(
			 ld->peer_key_setting[dup_of[j]]));
	}
out:
	free(order);
	free(dup_of);
}

/* A prefix listed twice: as WireGuard, the later listing takes it. */
struct ip_ref {
	const struct wg_prefix *p;
	size_t peer, index;
};

static int cmp_ref_pos(const struct ip_ref *x, const struct ip_ref *y)
{
	int c = (x->peer > y->peer) - (x->peer < y->peer);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int cmp_ip_ref(const void *a, const void *b)
{
	const struct ip_ref *x = a, *y = b;
	int c = (x->p->family > y->p->family) - (x->p->family < y->p->family);

	if (!c)
		c = (x->p->cidr > y->p->cidr) - (x->p->cidr < y->p->cidr);
	if (!c)
		c = memcmp(x->p->addr, y->p->addr, WG_ADDR_LEN);
	return c ? c : cmp_ref_pos(x, y);
}

/* loser and winner of one prefix, sorted back into file order */
struct ip_move {
	struct ip_ref from, to;
};

static int cmp_ip_move(const void *a, const void *b)
{
	const struct ip_move *x = a, *y = b;
	int c = cmp_ref_pos(&x->to, &y->to);

	return c ? c : cmp_ref_pos(&x->from, &y->from);
}

static const config_setting_t *ip_setting(const config_setting_t *peers,
					  const struct ip_ref *r)
{
	const config_setting_t *g = config_setting_get_elem(peers,
							     (unsigned)r->peer);

	return config_setting_get_elem(config_setting_get_member(g,
								 "allowed_ips"),
				       (unsigned)r->index);
}

void wg_config_resolve_allowed_ips(struct wg_config_loader *ld,
				   const config_setting_t *peers)
{
	struct wg_config *cfg = ld->cfg;
	struct ip_ref *refs;
	struct ip_move *moves;
	size_t total = 0, k = 0, n_moves = 0;

	for (size_t i = 0; i < cfg->n_peers; i++)
		total += cfg->peers[i].n_allowed_ips;
	if (total < 2)
		return;
	refs = calloc(total, sizeof(*refs));
	moves = calloc(total, sizeof(*moves));
	if (!refs || !moves) {
		ld_error(ld, NULL, "peers", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < cfg->n_peers; i++)
		for (size_t j = 0; j < cfg->peers[i].n_allowed_ips; j++)
			if (cfg->peers[i].allowed_ips[j].family)
				refs[k++] = (struct ip_ref){
					&cfg->peers[i].allowed_ips[j], i, j };
	total = k;
	qsort(refs, total, sizeof(*refs), cmp_ip_ref);
	for (size_t r = 0; r < total;) {
		size_t end = r + 1;

		while (end < total && wg_prefix_equal(refs[r].p, refs[end].p))
			end++;
		for (size_t l = r; l < end - 1; l++) /* last listed wins */
			moves[n_moves++] = (struct ip_move){ refs[l],
							     refs[end - 1] };
		r = end;
	}
	qsort(moves, n_moves, sizeof(*moves), cmp_ip_move);
	for (size_t m = 0; m < n_moves; m++) {
		const struct ip_ref *a = &moves[m].from, *b = &moves[m].to;
		char canon[WG_PREFIX_STR_LEN];
		field_t f;

		snprintf(f, sizeof(f), "peers[%zu].allowed_ips[%zu]", b->peer,
			 b->index);
		if (a->peer == b->peer)
			ld_warning(
			    ld, ip_setting(peers, b), f,
			    "%s is listed twice (also allowed_ips[%zu], line %u)",
			    wg_prefix_format(canon, b->p), a->index,
			    config_setting_source_line(ip_setting(peers, a)));
		else
			ld_warning(
			    ld, ip_setting(peers, b), f,
			    "%s is also in peers[%zu].allowed_ips[%zu] (line %u); "
			    "the later peers[%zu] takes it, as in WireGuard",
			    wg_prefix_format(canon, b->p), a->peer, a->index,
			    config_setting_source_line(ip_setting(peers, a)),
			    b->peer);
	}
	/* drop the losers only now: refs point into these arrays */
	for (size_t m = 0; m < n_moves; m++) {
		const struct ip_ref *loser = &moves[m].from;

		cfg->peers[loser->peer].allowed_ips[loser->index].family =
			WG_FAMILY_NONE;
	}
	for (size_t i = 0; i < cfg->n_peers && n_moves; i++) {
		struct wg_peer_config *peer = &cfg->peers[i];
		size_t kept = 0;

		for (size_t j = 0; j < peer->n_allowed_ips; j++)
			if (peer->allowed_ips[j].family)
				peer->allowed_ips[kept++] = peer->allowed_ips[j];
		peer->n_allowed_ips = kept;
	}
out:
	free(moves);
	free(refs);
}
