/* SPDX-License-Identifier: MIT */
/*
 * What one set (gw_device_set) does to sessions and routes (EAL
 * --no-huge, no NIC, no worker):
 *
 *  - all or nothing: a set that runs out of route-table room (IPv6 tbl8
 *    groups with 3,000 scattered /128s) returns -ENOSPC and leaves
 *    peers, keys, listen port and BOTH copies of both route tables
 *    exactly as they were, also with replace_peers (wg setconf);
 *  - what wg syncconf sends back (same private key, preshared key,
 *    endpoint, keepalive, AllowedIPs with replace) keeps the sessions
 *    and a handshake in flight, and touches no route;
 *  - a prefix moves from the peer that had it, in the set or not;
 *  - a set with more new peers than one slice is published at once and
 *    completed slice by slice;
 *  - {A,B} -> {A,C} never unroutes A (checked in both copies at the
 *    moment each batch is published), and the route changes of one set,
 *    over many peers, are one batch (one grace period);
 *  - a fwmark other than 0 refuses the whole set;
 *  - the config file at start goes through the set as loaded, the
 *    listen port it leaves at the default included.
 */
#include <rte_fib.h>
#include <rte_lpm6.h>

#include "peers_fixture.h"

static int setup(void **state)
{
	struct gw_tables_size sz = { .peers = MAX, .routes4 = 1024,
				     .routes6 = 1024, .tbl8s4 = 16 };

	(void)state;
	return setup_sized(&sz);
}

/* ---------------------------------------------- all or nothing, routes */

static int setup_small_routes(void **state)
{
	/* 2,000 IPv6 groups: 3,000 scattered /128s (~10 groups each) do
	 * not fit. (The IPv4 groups cannot be exhausted with documentation
	 * addresses: rte_fib rounds them up to 64, and the documentation
	 * ranges span three /24s.) */
	struct gw_tables_size sz = { .peers = MAX, .routes4 = 8192,
				     .routes6 = 8192, .tbl8s4 = 64,
				     .tbl8s6 = 2000 };

	(void)state;
	return setup_sized(&sz);
}

static struct wg_prefix pfx4(uint8_t a, uint8_t b, uint8_t c, uint8_t d,
			     uint8_t cidr)
{
	struct wg_prefix p = { .family = WG_FAMILY_V4, .cidr = cidr,
			       .addr = { a, b, c, d } };

	return p;
}

static struct wg_prefix pfx6(uint16_t w2, uint16_t w3, uint8_t cidr)
{
	struct wg_prefix p = { .family = WG_FAMILY_V6, .cidr = cidr,
			       .addr = { 0x20, 0x01, 0x0d, 0xb8,
					 (uint8_t)(w2 >> 8), (uint8_t)w2,
					 (uint8_t)(w3 >> 8), (uint8_t)w3 } };

	return p;
}

/* What each of the four tables (both copies of each family) routes the
 * probe addresses to. */
static void lookup_all(const struct wg_prefix *probe, uint32_t n,
		       uint64_t *out)
{
	struct gw_tables *t = ctx->tables;

	for (uint32_t i = 0; i < n; i++)
		for (int c = 0; c < 2; c++) {
			uint64_t nh = GW_NO_PEER;

			if (probe[i].family == WG_FAMILY_V4) {
				uint32_t be, h;

				memcpy(&be, probe[i].addr, 4);
				h = rte_be_to_cpu_32(be);
				rte_fib_lookup_bulk(t->fib4[c], &h, &nh, 1);
			} else {
				uint32_t nh6;

				if (rte_lpm6_lookup(t->lpm6[c], probe[i].addr,
						    &nh6) == 0)
					nh = nh6;
			}
			out[2 * i + c] = nh;
		}
}

struct snapshot {
	unsigned int n_peers;
	uint16_t port;
	bool has_key;
	uint8_t priv[WG_KEY_LEN];
	char peers[4096];
};

static int dump_peer(const struct wg_uapi_peer *info, void *arg)
{
	const struct wg_peer_config *pc = &info->config;
	struct snapshot *s = arg;
	size_t len = strlen(s->peers);
	char buf[WG_PREFIX_STR_LEN];
	char ep[WG_ENDPOINT_STR_LEN];

	snprintf(s->peers + len, sizeof(s->peers) - len, "%02x%02x psk%d %s ka%u:",
		 pc->public_key[0], pc->public_key[1], pc->has_preshared_key,
		 pc->endpoint.family ? wg_endpoint_format(ep, &pc->endpoint) :
				       "-",
		 pc->persistent_keepalive);
	for (size_t i = 0; i < pc->n_allowed_ips; i++) {
		len = strlen(s->peers);
		snprintf(s->peers + len, sizeof(s->peers) - len, " %s",
			 wg_prefix_format(buf, &pc->allowed_ips[i]));
	}
	len = strlen(s->peers);
	snprintf(s->peers + len, sizeof(s->peers) - len, "\n");
	return 0;
}

static void snapshot(struct snapshot *s)
{
	struct gw_device_info info;

	memset(s, 0, sizeof(*s));
	gw_device_get_info(&ctx->control->dev, &info);
	s->n_peers = info.n_peers;
	s->port = info.interface.listen_port;
	s->has_key = info.interface.has_private_key;
	memcpy(s->priv, info.interface.private_key, WG_KEY_LEN);
	wg_wipe(&info, sizeof(info));
	gw_device_foreach_peer(&ctx->control->dev, dump_peer, s);
}

static void assert_snapshot_equal(const struct snapshot *a,
				  const struct snapshot *b)
{
	assert_int_equal(a->n_peers, b->n_peers);
	assert_int_equal(a->port, b->port);
	assert_int_equal(a->has_key, b->has_key);
	assert_memory_equal(a->priv, b->priv, WG_KEY_LEN);
	assert_string_equal(a->peers, b->peers);
}

/* A running peer: 192.0.2.0/24, 2001:db8:1::/48 and one /128. */
static struct gw_peer *live_peer(uint8_t key[WG_KEY_LEN])
{
	struct wg_prefix ips[3] = { pfx4(192, 0, 2, 0, 24),
				    pfx6(1, 0, 48), pfx6(2, 7, 128) };
	struct wg_peer_config ps;
	struct gw_device_set set;
	struct wg_interface_config ifc;
	struct wg_keypair kp = { .local_index = 77, .remote_index = 78,
				 .we_are_initiator = true };
	struct gw_peer *p;

	ips[2].addr[15] = 9;
	rand_key(key);
	memset(&ps, 0, sizeof(ps));
	memset(&set, 0, sizeof(set));
	memset(&ifc, 0, sizeof(ifc));
	set.interface = &ifc;
	memcpy(ps.public_key, key, WG_KEY_LEN);
	ps.allowed_ips = ips;
	ps.n_allowed_ips = 3;
	ps.has_endpoint = true;
	ps.endpoint.family = WG_FAMILY_V4;
	ps.endpoint.port = 51820;
	ps.endpoint.addr[0] = 198;
	ps.endpoint.addr[1] = 51;
	ps.endpoint.addr[2] = 100;
	ps.endpoint.addr[3] = 2;
	set.peers = &ps;
	set.n_peers = 1;
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), 0);
	p = gw_peer_find(ctx, key);
	assert_non_null(p);
	assert_int_equal(gw_peer_install_keypair(ctx, p, &kp), 0);
	assert_non_null(p->kp_current);
	return p;
}

/* One set with a new listen port, a change to the live peer and a new
 * peer whose prefixes do not fit: refused whole. */
static void refused_whole(struct wg_prefix *extra, uint32_t n_extra,
			  const struct wg_prefix *probe, uint32_t n_probe)
{
	struct wg_peer_config ps[3];
	struct gw_device_set set;
	struct wg_interface_config ifc;
	struct snapshot before, after;
	uint64_t *l0 = calloc(2 * n_probe, sizeof(*l0));
	uint64_t *l1 = calloc(2 * n_probe, sizeof(*l1));
	struct gw_peer *live = ctx->control->peers;
	struct gw_keypair *kp = live->kp_current;
	uint8_t other[WG_KEY_LEN];
	/* its AllowedIPs replaced: both families' deletions and additions
	 * are staged before the new peer's prefixes run out of room */
	struct wg_prefix two[2] = { pfx4(198, 51, 100, 0, 25),
				    pfx6(3, 3, 64) };
	uint64_t commits = ctx->tables->commits;

	assert_non_null(l0);
	assert_non_null(l1);
	snapshot(&before);
	lookup_all(probe, n_probe, l0);
	memset(ps, 0, sizeof(ps));
	memset(&set, 0, sizeof(set));
	memset(&ifc, 0, sizeof(ifc));
	set.interface = &ifc;
	/* the live peer: endpoint moved, other AllowedIPs */
	memcpy(ps[0].public_key, live->public_key, WG_KEY_LEN);
	ps[0].has_endpoint = true;
	ps[0].endpoint = *live->endpoint;
	ps[0].endpoint.port = 4242;
	ps[0].replace_allowed_ips = true;
	ps[0].allowed_ips = two;
	ps[0].n_allowed_ips = 2;
	/* another new peer that would fit alone */
	rand_key(other);
	memcpy(ps[1].public_key, other, WG_KEY_LEN);
	/* the one that does not fit */
	rand_key(ps[2].public_key);
	ps[2].allowed_ips = extra;
	ps[2].n_allowed_ips = n_extra;
	ifc.has_listen_port = true;
	ifc.listen_port = 1234;
	ifc.has_private_key = true;
	rand_key(ifc.private_key);
	set.peers = ps;
	set.n_peers = 3;
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), -ENOSPC);
	snapshot(&after);
	assert_snapshot_equal(&before, &after);
	assert_null(gw_peer_find(ctx, other));
	assert_null(gw_peer_find(ctx, ps[2].public_key));
	assert_ptr_equal(live->kp_current, kp);
	assert_int_equal(ctx->tables->commits, commits);
	lookup_all(probe, n_probe, l1);
	assert_memory_equal(l0, l1, 2 * n_probe * sizeof(*l0));
	check_model();
	/* replace_peers too (wg setconf): the live peer stays */
	ifc.replace_peers = true;
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), -ENOSPC);
	snapshot(&after);
	assert_snapshot_equal(&before, &after);
	assert_ptr_equal(gw_peer_find(ctx, live->public_key), live);
	assert_ptr_equal(live->kp_current, kp);
	lookup_all(probe, n_probe, l1);
	assert_memory_equal(l0, l1, 2 * n_probe * sizeof(*l0));
	free(l0);
	free(l1);
}

static void test_enospc_v6_changes_nothing(void **state)
{
	enum { N = 3000 };
	struct wg_prefix *extra = calloc(N, sizeof(*extra));
	struct wg_prefix *probe = calloc(N + 8, sizeof(*probe));
	struct wg_prefix pfx;
	uint8_t key[WG_KEY_LEN];
	uint32_t i, n_probe = 0;

	(void)state;
	assert_non_null(extra);
	assert_non_null(probe);
	live_peer(key);
	model_add(key);
	/* 3,000 scattered /128s in 2001:db8::/32 */
	srand(99);
	for (i = 0; i < N; i++) {
		extra[i] = pfx6(0, 0, 128);
		for (int b = 4; b < 16; b++)
			extra[i].addr[b] = (uint8_t)rand();
		probe[n_probe++] = extra[i];
	}
	probe[n_probe++] = pfx4(192, 0, 2, 77, 32);
	probe[n_probe++] = pfx6(1, 5, 128);
	probe[n_probe] = pfx6(2, 7, 128);
	probe[n_probe++].addr[15] = 9;
	probe[n_probe++] = pfx6(3, 3, 128);
	pfx = pfx4(198, 51, 100, 1, 32);
	probe[n_probe++] = pfx;
	refused_whole(extra, N, probe, n_probe);
	/* the live peer's routes are there, in both copies, and only they */
	{
		uint64_t l[2 * 5];

		lookup_all(&probe[N], 5, l);
		for (i = 0; i < 6; i++)
			assert_int_equal(l[i], ctx->control->peers->id);
		for (i = 6; i < 10; i++)
			assert_int_equal(l[i], GW_NO_PEER);
	}
	/* a few hundred of them fit */
	{
		struct wg_peer_config ps;
		struct gw_device_set set;
		struct wg_interface_config ifc;

		memset(&ps, 0, sizeof(ps));
		memset(&set, 0, sizeof(set));
		memset(&ifc, 0, sizeof(ifc));
		set.interface = &ifc;
		rand_key(ps.public_key);
		ps.allowed_ips = extra;
		ps.n_allowed_ips = 150;
		set.peers = &ps;
		set.n_peers = 1;
		assert_int_equal(gw_device_set(&ctx->control->dev, &set), 0);
		model_add(ps.public_key);
		check_model();
	}
	free(extra);
	free(probe);
}

/* ------------------------------------------- what wg syncconf sends */

static void test_syncconf_keeps_sessions(void **state)
{
	uint8_t key[WG_KEY_LEN], psk[WG_KEY_LEN];
	struct gw_peer *p;
	struct gw_keypair *kp;
	struct wg_peer_config ps;
	struct gw_device_set set;
	struct wg_interface_config ifc;
	struct gw_device_info info;
	struct snapshot before, after;
	uint64_t commits;

	(void)state;
	gw_control_set_listen_port(ctx, 51820);
	p = live_peer(key);
	model_add(key);
	rand_key(psk);
	gw_peer_set_psk(ctx, p, psk);
	p->persistent_keepalive = 25;
	wg_timers_persistent_keepalive_set(&p->timers, 25);
	/* a handshake in flight must survive too */
	p->hs.state = WG_HS_CREATED_INITIATION;
	kp = p->kp_current;
	snapshot(&before);
	commits = ctx->tables->commits;

	/* what `wg syncconf gw <(wg showconf gw)` sends */
	gw_device_get_info(&ctx->control->dev, &info);
	memset(&set, 0, sizeof(set));
	memset(&ifc, 0, sizeof(ifc));
	set.interface = &ifc;
	memset(&ps, 0, sizeof(ps));
	ifc.has_private_key = true;
	memcpy(ifc.private_key, info.interface.private_key, WG_KEY_LEN);
	ifc.has_listen_port = true;
	ifc.listen_port = info.interface.listen_port;
	memcpy(ps.public_key, key, WG_KEY_LEN);
	ps.has_preshared_key = true;
	memcpy(ps.preshared_key, psk, WG_KEY_LEN);
	ps.has_endpoint = true;
	ps.endpoint = *p->endpoint;
	ps.has_persistent_keepalive = true;
	ps.persistent_keepalive = 25;
	ps.replace_allowed_ips = true;
	ps.allowed_ips = p->allowed_ips;
	ps.n_allowed_ips = p->n_allowed_ips;
	{
		struct wg_prefix copy[8];

		memcpy(copy, p->allowed_ips,
		       p->n_allowed_ips * sizeof(copy[0]));
		ps.allowed_ips = copy;
		set.peers = &ps;
		set.n_peers = 1;
		assert_int_equal(gw_device_set(&ctx->control->dev, &set), 0);
	}
	assert_ptr_equal(gw_peer_find(ctx, key), p);
	assert_ptr_equal(p->kp_current, kp);
	assert_int_equal(p->hs.state, WG_HS_CREATED_INITIATION);
	/* no route changed: no batch was published */
	assert_int_equal(ctx->tables->commits, commits);
	snapshot(&after);
	assert_snapshot_equal(&before, &after);
	wg_wipe(&info, sizeof(info));

	/* a different private key does end the sessions */
	set.n_peers = 0;
	ifc.private_key[0] ^= 1;
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), 0);
	assert_null(p->kp_current);
	check_model();
}

/* A prefix added to one peer leaves the peer that had it, whether that
 * one is in the same set (here with an endpoint change only) or not. */
static void test_prefix_moves(void **state)
{
	uint8_t kx[WG_KEY_LEN], ky[WG_KEY_LEN], kz[WG_KEY_LEN];
	struct wg_prefix a = pfx6(0xa, 0, 64), b = pfx6(0xb, 0, 64),
			 c = pfx6(0xc, 0, 64), d = pfx4(203, 0, 113, 0, 24);
	struct wg_prefix lx[2] = { a, b }, moved[2] = { b, d };
	struct wg_peer_config ps[3];
	struct gw_device_set set;
	struct wg_interface_config ifc;
	struct gw_peer *x, *y, *z;
	uint64_t l[2 * 4];
	struct wg_prefix probe[4] = { a, b, c, d };

	(void)state;
	rand_key(kx);
	rand_key(ky);
	rand_key(kz);
	memset(ps, 0, sizeof(ps));
	memset(&set, 0, sizeof(set));
	memset(&ifc, 0, sizeof(ifc));
	set.interface = &ifc;
	memcpy(ps[0].public_key, kx, WG_KEY_LEN);
	ps[0].allowed_ips = lx;
	ps[0].n_allowed_ips = 2;
	memcpy(ps[1].public_key, ky, WG_KEY_LEN);
	ps[1].allowed_ips = &c;
	ps[1].n_allowed_ips = 1;
	memcpy(ps[2].public_key, kz, WG_KEY_LEN);
	ps[2].allowed_ips = &d;
	ps[2].n_allowed_ips = 1;
	set.peers = ps;
	set.n_peers = 3;
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), 0);
	model_add(kx);
	model_add(ky);
	model_add(kz);
	x = gw_peer_find(ctx, kx);
	y = gw_peer_find(ctx, ky);
	z = gw_peer_find(ctx, kz);
	/* X: endpoint only; Y: takes B (X's) and D (Z's, not in the set) */
	memset(ps, 0, sizeof(ps));
	memcpy(ps[0].public_key, kx, WG_KEY_LEN);
	ps[0].has_endpoint = true;
	ps[0].endpoint.family = WG_FAMILY_V4;
	ps[0].endpoint.port = 1;
	ps[0].endpoint.addr[0] = 198;
	memcpy(ps[1].public_key, ky, WG_KEY_LEN);
	ps[1].allowed_ips = moved;
	ps[1].n_allowed_ips = 2;
	set.n_peers = 2;
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), 0);
	assert_int_equal(x->n_allowed_ips, 1);
	assert_true(wg_prefix_equal(&x->allowed_ips[0], &a));
	assert_int_equal(y->n_allowed_ips, 3);
	assert_true(wg_prefix_equal(&y->allowed_ips[0], &c));
	assert_true(wg_prefix_equal(&y->allowed_ips[1], &b));
	assert_true(wg_prefix_equal(&y->allowed_ips[2], &d));
	assert_int_equal(z->n_allowed_ips, 0);
	lookup_all(probe, 4, l);
	assert_int_equal(l[0], x->id);
	assert_int_equal(l[1], x->id);
	for (int i = 2; i < 8; i++)
		assert_int_equal(l[i], y->id);
	check_model();
}

/* A set with more new peers than one slice: checked, staged and
 * published at once (one batch), its peers added a slice per step, each
 * in the slot its routes were published for. */
static int setup_many(void **state)
{
	struct gw_tables_size sz = { .peers = 2 * GW_SET_PEERS_PER_STEP + 300,
				     .routes4 = 1024, .routes6 = 4096,
				     .tbl8s4 = 16 };

	(void)state;
	return setup_sized(&sz);
}

static void test_sliced_set(void **state)
{
	enum { N = 2 * GW_SET_PEERS_PER_STEP + 300 }; /* three slices */
	struct wg_peer_config *ps = calloc(N, sizeof(*ps));
	struct wg_prefix *ips = calloc(N, sizeof(*ips));
	struct gw_device_set set;
	struct wg_interface_config ifc;
	struct gw_set_job *job;
	uint64_t commits = ctx->tables->commits;
	unsigned int i, steps = 0;

	(void)state;
	assert_non_null(ps);
	assert_non_null(ips);
	memset(&set, 0, sizeof(set));
	memset(&ifc, 0, sizeof(ifc));
	set.interface = &ifc;
	for (i = 0; i < N; i++) {
		rand_key(ps[i].public_key);
		ips[i] = pfx6((uint16_t)(0x200 + i), 0, 64);
		ps[i].allowed_ips = &ips[i];
		ps[i].n_allowed_ips = 1;
	}
	set.peers = ps;
	set.n_peers = N;
	assert_int_equal(gw_device_set_start(&ctx->control->dev, &set, &job),
			 1);
	assert_non_null(job);
	assert_int_equal(ctx->control->n_peers, GW_SET_PEERS_PER_STEP);
	assert_int_equal(ctx->tables->commits, commits + 1);
	/* the set itself may go now */
	memset(ps, 0, N * sizeof(*ps));
	while (!gw_device_set_step(job, GW_SET_PEERS_PER_STEP))
		steps++;
	assert_int_equal(steps, 1);
	assert_int_equal(ctx->control->n_peers, N);
	assert_int_equal(ctx->tables->commits, commits + 1);
	for (i = 0; i < N; i++) {
		struct wg_prefix probe = ips[i];
		uint64_t l[2];
		struct gw_peer *p = ctx->tables->peers[i];

		assert_non_null(p);
		assert_int_equal(p->n_allowed_ips, 1);
		probe.addr[15] = 1;
		lookup_all(&probe, 1, l);
		assert_true(wg_prefix_equal(&p->allowed_ips[0], &ips[i]));
		assert_int_equal(l[0], p->id);
		assert_int_equal(l[1], p->id);
	}
	free(ps);
	free(ips);
}

/* ------------------------------------------------ add before delete */

static struct wg_prefix hook_probe;
static uint32_t hook_want, hook_calls, hook_bad;

/* At the moment a batch is published: the prefix that stays routes to
 * its peer in the copy workers now read, and in the one they just left. */
static void check_probe(struct gw_tables *t)
{
	uint32_t nh;
	int c;

	hook_calls++;
	for (c = 0; c < 2; c++)
		if (rte_lpm6_lookup(t->lpm6[c], hook_probe.addr, &nh) != 0 ||
		    nh != hook_want)
			hook_bad++;
}

static void test_replace_keeps_common_prefix(void **state)
{
	uint8_t key[WG_KEY_LEN];
	struct wg_prefix a = pfx6(0xa, 0, 64), b = pfx6(0xb, 0, 64),
			 c = pfx6(0xc, 0, 64), list[2];
	struct wg_peer_config ps;
	struct gw_device_set set;
	struct wg_interface_config ifc;
	struct gw_peer *p;
	uint32_t nh, round;

	(void)state;
	rand_key(key);
	memset(&set, 0, sizeof(set));
	memset(&ifc, 0, sizeof(ifc));
	set.interface = &ifc;
	memset(&ps, 0, sizeof(ps));
	memcpy(ps.public_key, key, WG_KEY_LEN);
	ps.replace_allowed_ips = true;
	ps.allowed_ips = list;
	ps.n_allowed_ips = 2;
	set.peers = &ps;
	set.n_peers = 1;
	list[0] = a;
	list[1] = b;
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), 0);
	model_add(key);
	p = gw_peer_find(ctx, key);
	hook_probe = a;
	hook_probe.addr[15] = 1;
	hook_want = p->id;
	hook_calls = hook_bad = 0;
	ctx->tables->commit_hook = check_probe;
	for (round = 0; round < 20; round++) {
		/* {A,B} -> {A,C} -> {A,B} ... */
		list[1] = round % 2 ? b : c;
		assert_int_equal(gw_device_set(&ctx->control->dev, &set), 0);
		assert_int_equal(p->n_allowed_ips, 2);
		assert_true(wg_prefix_equal(&p->allowed_ips[0], &a));
		assert_true(wg_prefix_equal(&p->allowed_ips[1], &list[1]));
	}
	ctx->tables->commit_hook = NULL;
	assert_int_equal(hook_calls, 20);
	assert_int_equal(hook_bad, 0);
	/* the last one was {A,B}: C is gone from both copies */
	for (int k = 0; k < 2; k++) {
		struct wg_prefix probe = c;

		probe.addr[15] = 1;
		assert_int_not_equal(rte_lpm6_lookup(ctx->tables->lpm6[k],
						     probe.addr, &nh), 0);
	}
	check_model();
}

/* The route changes of one set are one batch however many peers it has:
 * MAX - 1 peers with two prefixes each, one grace period. */
static void test_one_batch_per_set(void **state)
{
	enum { N = MAX - 1 };
	struct wg_peer_config ps[N];
	struct wg_prefix ips[N][2];
	struct gw_device_set set;
	struct wg_interface_config ifc;
	uint64_t commits = ctx->tables->commits;
	unsigned int i;

	(void)state;
	memset(ps, 0, sizeof(ps));
	memset(&set, 0, sizeof(set));
	memset(&ifc, 0, sizeof(ifc));
	set.interface = &ifc;
	for (i = 0; i < N; i++) {
		rand_key(ps[i].public_key);
		ips[i][0] = pfx6((uint16_t)(0x100 + i), 0, 64);
		ips[i][1] = pfx4(198, 51, 100, (uint8_t)(8 * i), 29);
		ps[i].allowed_ips = ips[i];
		ps[i].n_allowed_ips = 2;
	}
	set.peers = ps;
	set.n_peers = N;
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), 0);
	for (i = 0; i < N; i++)
		model_add(ps[i].public_key);
	assert_int_equal(ctx->tables->commits, commits + 1);
	check_model();
	/* and removing them all is one more */
	for (i = 0; i < N; i++) {
		ps[i].remove = true;
		model_del(ps[i].public_key);
	}
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), 0);
	assert_int_equal(ctx->tables->commits, commits + 2);
	check_model();
}

/* --------------------------------------- the interface in the set */

/* fwmark: the UAPI takes any, the device only 0. Anything else refuses
 * the whole set (-EINVAL), the listen port and the peer of the same set
 * included. */
static void test_fwmark_refused_changes_nothing(void **state)
{
	struct wg_interface_config ifc = { .has_fwmark = true, .fwmark = 7,
					   .has_listen_port = true,
					   .listen_port = 4000 };
	struct wg_peer_config ps = { .has_public_key = true };
	const struct gw_device_set set = { .interface = &ifc, .peers = &ps,
					   .n_peers = 1 };
	struct snapshot before, after;
	uint8_t key[WG_KEY_LEN];

	(void)state;
	gw_control_set_listen_port(ctx, 51820);
	live_peer(key);
	model_add(key);
	rand_key(ps.public_key);
	snapshot(&before);
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), -EINVAL);
	snapshot(&after);
	assert_snapshot_equal(&before, &after);
	check_model();

	ifc.fwmark = 0;
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), 0);
	model_add(ps.public_key);
	snapshot(&after);
	assert_int_equal(after.port, 4000);
	assert_int_equal(after.n_peers, before.n_peers + 1);
	check_model();
}

/* The file at start is applied as loaded (gw_control_apply_config): the
 * peers it names replace any there were, whole, and the listen port it
 * does not name (has_listen_port false: the default) is set all the
 * same. */
static void test_config_at_start(void **state)
{
	static const char text[] =
		"interface = { name = \"wg9\";\n"
		"  private_key = \"UJtCbWbjrpG2O7JPJu5v3CHuysExgQM+AXIMhE93KEQ=\"; };\n"
		"lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		"wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"
		"peers = ( { public_key = \"V8q9iCSCXtdWZFJL1BZ2NdA+AR9duPoOioNnBWU1/C4=\";\n"
		"  preshared_key = \"oCkXDQIsRJcMdoKpkboS3nFpFHEArU5O+tP5RzD0vq0=\";\n"
		"  endpoint = \"203.0.113.5:51820\"; persistent_keepalive = 25;\n"
		"  allowed_ips = [\"192.0.2.64/26\", \"2001:db8:9::/48\"]; } );\n";
	char path[] = "/tmp/test_gw_set.XXXXXX";
	struct wg_config cfg;
	struct wg_diag diag;
	struct snapshot s;
	uint8_t old_key[WG_KEY_LEN];
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
			 (ssize_t)(sizeof(text) - 1));
	close(fd);
	wg_diag_init(&diag);
	assert_int_equal(wg_config_load(path, &cfg, &diag), 0);
	unlink(path);
	wg_diag_free(&diag);
	assert_false(cfg.interface.has_listen_port);
	live_peer(old_key);

	assert_int_equal(gw_control_apply_config(ctx, &cfg), 0);
	model_add(cfg.peers[0].public_key);
	check_model();
	snapshot(&s);
	assert_int_equal(s.port, WG_DEFAULT_LISTEN_PORT);
	assert_true(s.has_key);
	assert_memory_equal(s.priv, cfg.interface.private_key, WG_KEY_LEN);
	assert_string_equal(s.peers, "57ca psk1 203.0.113.5:51820 ka25: "
				     "192.0.2.64/26 2001:db8:9::/48\n");
	assert_string_equal(ctx->control->name, "wg9");
	assert_null(gw_peer_find(ctx, old_key));
	wg_config_free(&cfg);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enospc_v6_changes_nothing,
						setup_small_routes, teardown),
		cmocka_unit_test_setup_teardown(test_syncconf_keeps_sessions,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_keeps_common_prefix,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_batch_per_set, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_prefix_moves, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sliced_set, setup_many,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_fwmark_refused_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_at_start, setup,
						teardown),
	};

	(void)argc;
	return fixture_main(argv[0], "test_gw_set", tests, RTE_DIM(tests));
}
