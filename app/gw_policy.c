/* SPDX-License-Identifier: MIT */
/*
 * Per-peer policy: the control lcore's book of the file's policy, and the
 * workers' per-burst checks (see gw_policy.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "gw_acl.h"
#include "gw_control.h"
#include "gw_flows.h"
#include "gw_policy.h"
#include "gw_tables.h"
#include "gw_worker.h"
#include "wg_crypto.h"

/* One peer of the file with a policy, by public key. */
struct policy_entry {
	uint8_t key[WG_KEY_LEN];
	uint32_t acl;                /* the set's number, 0: none */
	struct wg_rate_limit rate;
};

/* A set's name and the number it keeps across reloads. */
struct acl_name {
	char name[WG_ACL_NAME_MAX + 1];
	uint32_t id;
};

struct policy_book {
	struct policy_entry *entries;  /* sorted by key */
	size_t n_entries;
	struct acl_name *names;
	size_t n_names;
};

struct gw_policy {
	struct policy_book book;
	uint32_t next_id;
};

struct gw_policy_stage {
	struct policy_book book;
	struct gw_acl *acl;
	uint32_t next_id;
};

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(a, b, WG_KEY_LEN);
}

static void book_free(struct policy_book *b)
{
	free(b->entries);
	free(b->names);
	memset(b, 0, sizeof(*b));
}

int gw_policy_create(struct gw_ctx *ctx)
{
	ctx->policy = calloc(1, sizeof(*ctx->policy));
	ctx->flows = gw_flows_create(GW_POLICY_FLOWS, SOCKET_ID_ANY);
	if (!ctx->policy || !ctx->flows) {
		gw_policy_free(ctx);
		return -ENOMEM;
	}
	ctx->policy->next_id = 1;
	return 0;
}

void gw_policy_free(struct gw_ctx *ctx)
{
	if (ctx->policy)
		book_free(&ctx->policy->book);
	free(ctx->policy);
	ctx->policy = NULL;
	gw_acl_free(ctx->acl);
	ctx->acl = NULL;
	gw_flows_free(ctx->flows);
	ctx->flows = NULL;
}

static uint32_t known_id(const struct policy_book *b, const char *name)
{
	for (size_t i = 0; i < b->n_names; i++)
		if (strcmp(b->names[i].name, name) == 0)
			return b->names[i].id;
	return 0;
}

int gw_policy_stage(struct gw_ctx *ctx, const struct wg_config *cfg,
		    struct gw_policy_stage **out, char *err, size_t err_len)
{
	struct gw_policy_stage *st = calloc(1, sizeof(*st));
	uint32_t *ids = NULL;
	size_t n = 0;

	*out = NULL;
	if (!st)
		goto nomem;
	st->next_id = ctx->policy->next_id;
	if (cfg->n_acls &&
	    (!(ids = calloc(cfg->n_acls, sizeof(*ids))) ||
	     !(st->book.names = calloc(cfg->n_acls, sizeof(*st->book.names)))))
		goto nomem;
	for (size_t i = 0; i < cfg->n_acls; i++) {
		ids[i] = known_id(&ctx->policy->book, cfg->acls[i].name);
		if (!ids[i])
			ids[i] = st->next_id++;
		snprintf(st->book.names[i].name, sizeof(st->book.names[i].name),
			 "%s", cfg->acls[i].name);
		st->book.names[i].id = ids[i];
	}
	st->book.n_names = cfg->n_acls;
	if (cfg->n_acls &&
	    !(st->acl = gw_acl_build(cfg->acls, ids, cfg->n_acls,
				     SOCKET_ID_ANY, err, err_len))) {
		free(ids);
		gw_policy_discard(st);
		return -EINVAL;
	}
	for (size_t i = 0; i < cfg->n_peers; i++)
		n += cfg->peers[i].has_rate_limit || cfg->peers[i].acl;
	if (n && !(st->book.entries = calloc(n, sizeof(*st->book.entries))))
		goto nomem;
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct wg_peer_config *pc = &cfg->peers[i];
		struct policy_entry *e;

		/* entries is NULL when no peer has a policy: no pointer
		 * into it before one is known to be there */
		if (!pc->has_rate_limit && !pc->acl)
			continue;
		e = &st->book.entries[st->book.n_entries];
		memcpy(e->key, pc->public_key, WG_KEY_LEN);
		e->acl = pc->acl ? ids[pc->acl - 1] : 0;
		e->rate = pc->rate_limit;
		st->book.n_entries++;
	}
	if (st->book.n_entries) /* qsort's base must not be NULL */
		qsort(st->book.entries, st->book.n_entries,
		      sizeof(*st->book.entries), cmp_entry);
	free(ids);
	*out = st;
	return 0;
nomem:
	free(ids);
	gw_policy_discard(st);
	snprintf(err, err_len, "policy: out of memory");
	return -ENOMEM;
}

void gw_policy_discard(struct gw_policy_stage *st)
{
	if (!st)
		return;
	gw_acl_free(st->acl);
	book_free(&st->book);
	free(st);
}

static void apply(struct gw_peer *p, const struct policy_entry *e)
{
	static const struct wg_rate_limit none;
	const struct wg_rate_limit *r = e ? &e->rate : &none;

	gw_rate_set(&p->policy.to_peer, r->to_peer_mbit,
		    wg_rate_burst_bytes(r, r->to_peer_mbit));
	gw_rate_set(&p->policy.from_peer, r->from_peer_mbit,
		    wg_rate_burst_bytes(r, r->from_peer_mbit));
	__atomic_store_n(&p->policy.acl, e ? e->acl : 0, __ATOMIC_RELEASE);
	p->policy.to_peer_mbit = r->to_peer_mbit;
	p->policy.from_peer_mbit = r->from_peer_mbit;
}

static const struct policy_entry *find(const struct policy_book *b,
				       const uint8_t *key)
{
	return b->n_entries ? bsearch(key, b->entries, b->n_entries,
				      sizeof(*b->entries), cmp_entry) :
			      NULL;
}

void gw_policy_commit(struct gw_ctx *ctx, struct gw_policy_stage *st)
{
	struct gw_acl *old = ctx->acl;
	struct gw_peer *p;

	/* the rules first: a set whose number a peer still carries keeps
	 * its number, a set that is gone has no rules and denies */
	__atomic_store_n(&ctx->acl, st->acl, __ATOMIC_RELEASE);
	if (st->book.n_entries)
		__atomic_store_n(&ctx->policy_active, true, __ATOMIC_RELEASE);
	/* (no control lcore: a benchmark's world, whose peers it gives
	 * their policy one by one with gw_policy_peer_added) */
	for (p = ctx->control ? ctx->control->peers : NULL; p; p = p->list_next)
		apply(p, find(&st->book, p->public_key));
	if (!st->book.n_entries)
		__atomic_store_n(&ctx->policy_active, false, __ATOMIC_RELEASE);
	if (old)
		gw_tables_retire(ctx->tables, old, GW_RETIRE_ACL, 0);
	book_free(&ctx->policy->book);
	ctx->policy->book = st->book;
	ctx->policy->next_id = st->next_id;
	free(st);
}

void gw_policy_peer_added(struct gw_ctx *ctx, struct gw_peer *peer)
{
	if (ctx->policy)
		apply(peer, find(&ctx->policy->book, peer->public_key));
}

const char *gw_policy_acl_name(const struct gw_ctx *ctx, uint32_t acl)
{
	const struct policy_book *b = ctx->policy ? &ctx->policy->book : NULL;

	for (size_t i = 0; acl && b && i < b->n_names; i++)
		if (b->names[i].id == acl)
			return b->names[i].name;
	return NULL;
}

/* ------------------------------------------------------ the workers */

_Static_assert(GW_BURST <= GW_FLOWS_BURST, "a burst's flows in one call");

/* What the rules and reflexive entries look at in an inner packet. */
struct view {
	uint8_t proto;
	const uint8_t *src, *dst;
	uint16_t src_port, dst_port;  /* host order; 0 without ports */
	int icmp_type;                /* -1: not ICMP / ICMPv6 echo-able */
	uint16_t icmp_id;
};

static void view_of(const uint8_t *ip, uint32_t len, bool v6, struct view *v)
{
	uint32_t l4;
	bool first = true;

	v->src_port = v->dst_port = 0;
	v->icmp_type = -1;
	if (v6) {
		v->proto = ip[6];
		v->src = ip + 8;
		v->dst = ip + 24;
		l4 = 40;
	} else {
		v->proto = ip[9];
		v->src = ip + 12;
		v->dst = ip + 16;
		l4 = (uint32_t)(ip[0] & 0xf) * 4;
		/* a later fragment has no ports */
		first = !(((uint32_t)ip[6] << 8 | ip[7]) & 0x1fff);
	}
	if (!first)
		return;
	if ((v->proto == IPPROTO_TCP || v->proto == IPPROTO_UDP) &&
	    len >= l4 + 4) {
		v->src_port = (uint16_t)(ip[l4] << 8 | ip[l4 + 1]);
		v->dst_port = (uint16_t)(ip[l4 + 2] << 8 | ip[l4 + 3]);
	} else if ((v->proto == (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP)) &&
		   len >= l4 + 8) {
		v->icmp_type = ip[l4];
		v->icmp_id = (uint16_t)(ip[l4 + 4] << 8 | ip[l4 + 5]);
	}
}

/* The flow of v from the LAN host's side: to_peer, the LAN host sent it;
 * else it is the peer's packet toward the LAN host. False when v is
 * nothing a reflexive entry covers (only TCP, UDP and ICMP echo). */
static bool flow_of(const struct view *v, bool v6, uint32_t peer_id,
		    bool to_peer, struct gw_flow *f)
{
	unsigned int alen = v6 ? 16 : 4;

	memset(f, 0, sizeof(*f));
	f->peer_id = peer_id;
	f->family = v6 ? WG_FAMILY_V6 : WG_FAMILY_V4;
	f->proto = v->proto;
	memcpy(f->lan_addr, to_peer ? v->src : v->dst, alen);
	memcpy(f->remote_addr, to_peer ? v->dst : v->src, alen);
	if (v->proto == IPPROTO_TCP || v->proto == IPPROTO_UDP) {
		f->lan_port = to_peer ? v->src_port : v->dst_port;
		f->remote_port = to_peer ? v->dst_port : v->src_port;
		return true;
	}
	/* echo request out (8 / 128), echo reply back (0 / 129) */
	if (v->icmp_type == (to_peer ? (v6 ? 128 : 8) : (v6 ? 129 : 0))) {
		f->lan_port = v->icmp_id;
		return true;
	}
	return false;
}

/* One bucket per run of a peer's packets: why[] of those over the limit
 * become drop_rate_limited. */
static void rate_runs(struct gw_peer *const *peer, const uint32_t *len,
		      unsigned int n, uint64_t now, bool to_peer,
		      enum gw_counter *why)
{
	unsigned int i = 0;

	while (i < n) {
		struct gw_rate *r = to_peer ? &peer[i]->policy.to_peer :
					      &peer[i]->policy.from_peer;
		uint16_t lens[GW_BURST];
		unsigned int at[GW_BURST];
		bool pass[GW_BURST];
		unsigned int k = 0, j;

		if (!gw_rate_limited(r)) {
			i++;
			continue;
		}
		for (j = i; j < n && peer[j] == peer[i]; j++)
			if (why[j] == GW_CTR_MAX && k < GW_BURST) {
				lens[k] = (uint16_t)len[j];
				at[k++] = j;
			}
		gw_rate_run(r, now, lens, k, pass);
		for (unsigned int x = 0; x < k; x++)
			if (!pass[x])
				why[at[x]] = GW_CTR_DROP_RATE_LIMITED;
		i = j;
	}
}

void gw_policy_to_peer(struct gw_lcore *lc, struct gw_peer *const *peer,
		       uint8_t *const *ip, const uint32_t *len,
		       const bool *v6, unsigned int n, uint64_t now,
		       enum gw_counter *why)
{
	struct gw_ctx *ctx = lc->ctx;
	struct gw_flow f[GW_BURST];
	unsigned int nf = 0;

	for (unsigned int i = 0; i < n; i++)
		why[i] = GW_CTR_MAX;
	rate_runs(peer, len, n, now, true, why);
	for (unsigned int i = 0; i < n && nf < GW_BURST; i++) {
		struct view v;

		if (why[i] != GW_CTR_MAX ||
		    !__atomic_load_n(&peer[i]->policy.acl, __ATOMIC_RELAXED))
			continue;
		view_of(ip[i], len[i], v6[i], &v);
		if (!flow_of(&v, v6[i], peer[i]->id, true, &f[nf]))
			continue;
		/* a bulk flow fills the burst with one flow: noted once */
		if (nf && memcmp(&f[nf], &f[nf - 1], sizeof(f[0])) == 0)
			continue;
		nf++;
	}
	if (nf)
		gw_flows_note(ctx->flows, f, nf, now);
}

/* The classification key of v under set number set. */
static void key4_of(const struct view *v, uint32_t set, struct gw_acl_key4 *k)
{
	memset(k, 0, sizeof(*k));
	k->proto = v->proto;
	k->acl = rte_cpu_to_be_32(set);
	memcpy(&k->src, v->src, 4);
	memcpy(&k->dst, v->dst, 4);
	k->src_port = rte_cpu_to_be_16(v->src_port);
	k->dst_port = rte_cpu_to_be_16(v->dst_port);
}

static void key6_of(const struct view *v, uint32_t set, struct gw_acl_key6 *k)
{
	memset(k, 0, sizeof(*k));
	k->proto = v->proto;
	k->acl = rte_cpu_to_be_32(set);
	memcpy(k->src, v->src, 16);
	memcpy(k->dst, v->dst, 16);
	k->src_port = rte_cpu_to_be_16(v->src_port);
	k->dst_port = rte_cpu_to_be_16(v->dst_port);
}

/* An ICMP error from behind a peer (destination unreachable, packet too
 * big, time exceeded, parameter problem) about a packet a LAN host sent:
 * the flow of the quoted packet, as that host's packet noted it, so that
 * path MTU discovery and refused connections work for flows the LAN
 * opened, as conntrack lets RELATED errors in. False unless the error
 * goes back to the quoted packet's sender. */
static bool error_flow_of(const uint8_t *ip, uint32_t len, bool v6,
			  const struct view *v, uint32_t peer_id,
			  struct gw_flow *f)
{
	uint32_t l4 = v6 ? 40 : (uint32_t)(ip[0] & 0xf) * 4, qlen;
	const uint8_t *q;
	uint8_t type;
	struct view qv;

	if (v->proto != (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP) ||
	    len < l4 + 8 + (v6 ? 40 : 20) + 8)
		return false;
	type = ip[l4];
	if (v6 ? type < 1 || type > 4 : type != 3 && type != 11 && type != 12)
		return false;
	q = ip + l4 + 8;
	qlen = len - l4 - 8;
	if ((q[0] >> 4) != (v6 ? 6 : 4) ||
	    (!v6 && (uint32_t)(q[0] & 0xf) * 4 + 8 > qlen))
		return false;
	view_of(q, qlen, v6, &qv);
	if (memcmp(qv.src, v->dst, v6 ? 16 : 4) != 0)
		return false;
	return flow_of(&qv, v6, peer_id, true, f);
}

/* Packets the rules deny still pass when they answer a flow the LAN
 * opened: only those are looked up, so traffic the rules allow never
 * pays for the reflexive table (the decision is the same either way:
 * allowed by a rule, or a reply). */
static void replies_pass(const struct gw_ctx *ctx,
			 struct gw_peer *const *peer, uint8_t *const *ip,
			 const uint32_t *len, const bool *v6, unsigned int n,
			 uint64_t now, enum gw_counter *why)
{
	struct gw_flow f[GW_BURST];
	unsigned int at[GW_BURST], nf = 0;
	bool found[GW_BURST];

	for (unsigned int i = 0; i < n; i++) {
		struct view v;

		if (why[i] != GW_CTR_DROP_ACL_DENIED)
			continue;
		view_of(ip[i], len[i], v6[i], &v);
		if (flow_of(&v, v6[i], peer[i]->id, false, &f[nf]) ||
		    error_flow_of(ip[i], len[i], v6[i], &v, peer[i]->id,
				  &f[nf]))
			at[nf++] = i;
	}
	if (!nf)
		return;
	gw_flows_lookup(ctx->flows, f, nf, now, found);
	for (unsigned int i = 0; i < nf; i++)
		if (found[i])
			why[at[i]] = GW_CTR_MAX;
}

void gw_policy_from_peer(struct gw_lcore *lc, struct gw_peer *const *peer,
			 uint8_t *const *ip, const uint32_t *len,
			 const bool *v6, unsigned int n, uint64_t now,
			 enum gw_counter *why)
{
	struct gw_ctx *ctx = lc->ctx;
	const struct gw_acl *acl = __atomic_load_n(&ctx->acl, __ATOMIC_ACQUIRE);
	struct gw_acl_key4 k4[GW_BURST];
	struct gw_acl_key6 k6[GW_BURST];
	const struct gw_acl_key4 *p4[GW_BURST];
	const struct gw_acl_key6 *p6[GW_BURST];
	unsigned int at4[GW_BURST], at6[GW_BURST], n4 = 0, n6 = 0;
	bool allow[GW_BURST], denied = false;

	for (unsigned int i = 0; i < n; i++) {
		uint32_t set = __atomic_load_n(&peer[i]->policy.acl,
					       __ATOMIC_ACQUIRE);
		struct view v;

		why[i] = GW_CTR_MAX;
		if (!set)
			continue;
		view_of(ip[i], len[i], v6[i], &v);
		if (v6[i]) {
			key6_of(&v, set, &k6[n6]);
			p6[n6] = &k6[n6];
			at6[n6++] = i;
		} else {
			key4_of(&v, set, &k4[n4]);
			p4[n4] = &k4[n4];
			at4[n4++] = i;
		}
	}
	if (n4) {
		gw_acl_classify4(acl, p4, n4, allow);
		for (unsigned int i = 0; i < n4; i++)
			if (!allow[i]) {
				why[at4[i]] = GW_CTR_DROP_ACL_DENIED;
				denied = true;
			}
	}
	if (n6) {
		gw_acl_classify6(acl, p6, n6, allow);
		for (unsigned int i = 0; i < n6; i++)
			if (!allow[i]) {
				why[at6[i]] = GW_CTR_DROP_ACL_DENIED;
				denied = true;
			}
	}
	if (denied)
		replies_pass(ctx, peer, ip, len, v6, n, now, why);
	rate_runs(peer, len, n, now, false, why);
}
