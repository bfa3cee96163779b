/* SPDX-License-Identifier: MIT */
/*
 * AllowedIPs against a naive model, as the Linux allowedips selftest does
 * it (EAL --no-huge, no NIC, no worker): seeded random batches of peer
 * additions, removals and AllowedIPs additions/replacements through
 * gw_device_set (what the UAPI and the config use), v4 and v6 prefixes of
 * mixed lengths that overlap, /0 included. After every batch EVERY copy
 * of each table (fib4[0], fib4[1], lpm6[0], lpm6[1] and its default-route
 * slot) must answer like a longest-prefix match over a plain list: the
 * exact prefixes, and lookups of each prefix's first and last address,
 * the addresses just outside it and random ones.
 *
 * Batches that fail (a prefix longer than its family, more peers than
 * max_peers, tbl8 groups or prefixes run out while the batch also
 * removes and replaces) must change nothing in either copy; random ones
 * may only fail for IPv6 room. A second copy that refuses the batch after
 * the first was published (filled behind the tables' back from the commit
 * hook) must end like the first, and one left stale is rebuilt before
 * the next batch. A /32 with its parent's peer, added and removed, must
 * not use up rte_fib's tbl8 count (gw_tables.c, fib4_add).
 *
 * The IPv4 tbl8 tests need more /24s than the documentation ranges have:
 * 10.0.0.0/8, in tables only (no packet). WG_MODEL_SEED=<n> replays a run.
 */
#include "peers_fixture.h"

#include <rte_rib.h>

enum {
	NKEYS = 10,      /* <= MAX: random batches never hit max_peers */
	UNI_GEN = 40,    /* prefixes per family the random batches use */
	UNI_CAP = 512,   /* and those the fixed batches add */
	BATCHES = 300,
	NRANDOM = 48,    /* random probe addresses per check */
	F4 = 0,
	F6 = 1,
};

static uint8_t keys[NKEYS][WG_KEY_LEN];
static bool present[NKEYS];
/* Every prefix a batch ever named, and its owner in the model. */
static struct wg_prefix uni[2][UNI_CAP];
static int owner[2][UNI_CAP];    /* key index, -1: not routed */
static int n_uni[2];
static uint64_t rng;

static uint64_t rnd(void)
{
	/* splitmix64: a run replays from its seed */
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned int rnd_below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

static unsigned int fam_bits(int f)
{
	return f == F4 ? 32 : 128;
}

static void mask(struct wg_prefix *p)
{
	unsigned int bits = wg_family_bits(p->family), i;

	for (i = p->cidr; i < bits; i++)
		p->addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

static bool same(const struct wg_prefix *a, const struct wg_prefix *b)
{
	return a->family == b->family && a->cidr == b->cidr &&
	       memcmp(a->addr, b->addr, 16) == 0;
}

static bool covers(const struct wg_prefix *p, const uint8_t *ip)
{
	unsigned int i;

	for (i = 0; i < p->cidr; i++)
		if ((p->addr[i / 8] ^ ip[i / 8]) & (0x80u >> (i % 8)))
			return false;
	return true;
}

/* Prefixes that overlap a lot: few anchors, few distinct bytes. */
static void gen_prefix(int f, struct wg_prefix *p)
{
	static const uint8_t v4_anchor[][4] = {
		{ 192, 0, 2, 0 }, { 198, 51, 100, 0 }, { 203, 0, 113, 0 } };
	static const uint8_t v4_depth[] = { 0, 4, 8, 12, 16, 20, 23, 24,
					    25, 26, 28, 30, 31, 32 };
	static const uint8_t v6_depth[] = { 0, 3, 16, 32, 40, 48, 56, 64,
					    72, 96, 112, 120, 127, 128 };
	static const uint8_t bytes[] = { 0x00, 0x01, 0x80, 0xff };
	unsigned int i;

	memset(p, 0, sizeof(*p));
	if (f == F4) {
		p->family = WG_FAMILY_V4;
		memcpy(p->addr, v4_anchor[rnd_below(3)], 4);
		p->addr[3] = bytes[rnd_below(4)] ^ (uint8_t)rnd_below(2);
		p->cidr = v4_depth[rnd_below(sizeof(v4_depth))];
	} else {
		/* 2001:db8::/32, then bytes from a small set */
		p->family = WG_FAMILY_V6;
		p->addr[0] = 0x20;
		p->addr[1] = 0x01;
		p->addr[2] = 0x0d;
		p->addr[3] = 0xb8;
		for (i = 4; i < 16; i++)
			p->addr[i] = bytes[rnd_below(4)];
		p->cidr = v6_depth[rnd_below(sizeof(v6_depth))];
	}
	mask(p);
}

static void gen_universe(void)
{
	int f, u, v;

	for (f = 0; f < 2; f++)
		for (u = 0, n_uni[f] = UNI_GEN; u < n_uni[f]; u++) {
			do {
				gen_prefix(f, &uni[f][u]);
				for (v = 0; v < u; v++)
					if (same(&uni[f][u], &uni[f][v]))
						break;
			} while (v < u);
			owner[f][u] = -1;
		}
	/* both default routes are in, always */
	uni[F4][0].cidr = 0;
	uni[F6][0].cidr = 0;
	mask(&uni[F4][0]);
	mask(&uni[F6][0]);
	for (f = 0; f < 2; f++)
		for (u = 1; u < n_uni[f]; u++)
			if (uni[f][u].cidr == 0)
				uni[f][u].cidr = 8 * (unsigned int)f + 8;
}

/* A fixed prefix into the universe (checked from now on). */
static int add_uni(int f, const struct wg_prefix *p)
{
	assert_true(n_uni[f] < UNI_CAP);
	uni[f][n_uni[f]] = *p;
	owner[f][n_uni[f]] = -1;
	return n_uni[f]++;
}

static uint32_t slot_of(int k)
{
	struct gw_peer *p;

	if (k < 0)
		return GW_NO_PEER;
	p = gw_peer_find(ctx, keys[k]);
	assert_non_null(p);
	return p->id;
}

/* The naive answer: the longest universe prefix routed, or none. */
static uint32_t model_lookup(int f, const uint8_t *ip)
{
	int u, best = -1;

	for (u = 0; u < n_uni[f]; u++)
		if (owner[f][u] >= 0 && covers(&uni[f][u], ip) &&
		    (best < 0 || uni[f][u].cidr > uni[f][best].cidr))
			best = u;
	return best < 0 ? GW_NO_PEER : slot_of(owner[f][best]);
}

/* One copy's answers, read the way a worker reads the published one. */
static uint32_t copy_lookup(int f, int c, const uint8_t *ip)
{
	struct gw_tables *t = ctx->tables;
	uint32_t be, nh6;
	uint64_t nh;

	if (f == F4) {
		memcpy(&be, ip, 4);
		be = rte_be_to_cpu_32(be);
		rte_fib_lookup_bulk(t->fib4[c], &be, &nh, 1);
		return (uint32_t)nh;
	}
	if (rte_lpm6_lookup(t->lpm6[c], ip, &nh6) == 0)
		return nh6;
	/* ::/0 is beside the lpm6 */
	return t->lpm6_default[c];
}

/* Whether a copy holds exactly this prefix, and for which slot. */
static bool copy_exact(int f, int c, const struct wg_prefix *p,
		       uint32_t *slot)
{
	struct gw_tables *t = ctx->tables;
	struct rte_rib_node *n;
	uint64_t nh;
	uint32_t be;

	if (f == F4) {
		memcpy(&be, p->addr, 4);
		n = rte_rib_lookup_exact(rte_fib_get_rib(t->fib4[c]),
					 rte_be_to_cpu_32(be), p->cidr);
		if (!n || rte_rib_get_nh(n, &nh) != 0)
			return false;
		*slot = (uint32_t)nh;
		return true;
	}
	if (p->cidr == 0) {
		*slot = t->lpm6_default[c];
		return *slot != GW_NO_PEER;
	}
	return rte_lpm6_is_rule_present(t->lpm6[c], p->addr, p->cidr,
					slot) == 1;
}

/* IPv4 prefixes in one copy (rte_fib's tree), to catch extra ones. */
static unsigned int copy_count4(int c)
{
	struct rte_rib *rib = rte_fib_get_rib(ctx->tables->fib4[c]);
	struct rte_rib_node *n = NULL;
	unsigned int count = 0;
	bool root_seen = false;
	uint8_t depth;

	while ((n = rte_rib_get_nxt(rib, 0, 0, n, RTE_RIB_GET_NXT_ALL))) {
		count++;
		rte_rib_get_depth(n, &depth);
		root_seen |= depth == 0;
	}
	if (!root_seen && rte_rib_lookup_exact(rib, 0, 0))
		count++;
	return count;
}

static void bump(uint8_t *ip, unsigned int len, int delta)
{
	int i;

	for (i = (int)len - 1; i >= 0; i--) {
		ip[i] = (uint8_t)(ip[i] + delta);
		if ((delta > 0 && ip[i] != 0) || (delta < 0 && ip[i] != 0xff))
			return;
	}
}

/* What a worker finds for ip (gw_route4_bulk, gw_route6): a peer or NULL. */
static struct gw_peer *worker_lookup(int f, const uint8_t *ip)
{
	struct gw_tables *t = ctx->tables;
	uint32_t h;
	uint64_t nh;

	if (f == F6)
		return gw_route6(t, ip);
	memcpy(&h, ip, 4);
	h = rte_be_to_cpu_32(h);
	gw_route4_bulk(t, &h, &nh, 1);
	return gw_tables_peer(t, (uint32_t)nh);
}

/* Commit hook: between the publication and the second copies' update
 * the two copies differ, and a worker must read the published one (its
 * ::/0 slot too). New peers are not in their slots yet: slots compared. */
static void check_window(struct gw_tables *t)
{
	int pub[2] = { t->fib4_active == t->fib4[1],
		       t->lpm6_active == t->lpm6[1] };
	uint8_t ip[16];
	int f, u;

	for (f = 0; f < 2; f++)
		for (u = 0; u < n_uni[f]; u++) {
			memcpy(ip, uni[f][u].addr, 16);
			/* just below the prefix: often only /0 covers it */
			bump(ip, fam_bits(f) / 8, -1);
			assert_ptr_equal(worker_lookup(f, ip),
					 gw_tables_peer(t, copy_lookup(f, pub[f],
								       ip)));
		}
}

static void check_addr(int f, const uint8_t *ip)
{
	uint32_t want = model_lookup(f, ip);
	int c;

	/* the published copy as the data plane reads it */
	assert_ptr_equal(worker_lookup(f, ip),
			 want == GW_NO_PEER ? NULL : ctx->tables->peers[want]);
	for (c = 0; c < 2; c++)
		if (copy_lookup(f, c, ip) != want) {
			struct wg_ip a = { .family = f == F4 ? WG_FAMILY_V4 :
							      WG_FAMILY_V6 };
			char buf[WG_IP_STR_LEN];

			memcpy(a.addr, ip, fam_bits(f) / 8);
			fail_msg("%s copy %d: %s -> %u, the model says %u",
				 f == F4 ? "fib4" : "lpm6", c,
				 wg_ip_format(buf, &a), copy_lookup(f, c, ip),
				 want);
		}
}

/* Every copy of both tables agrees with the model. */
static void check_tables(void)
{
	unsigned int n4 = 0, i, len;
	uint8_t ip[16];
	uint32_t slot, pub;
	int f, u, c, k;
	bool has;

	for (k = 0; k < NKEYS; k++)
		assert_int_equal(present[k], gw_peer_find(ctx, keys[k]) != NULL);
	for (f = 0; f < 2; f++) {
		len = fam_bits(f) / 8;
		for (u = 0; u < n_uni[f]; u++) {
			const struct wg_prefix *p = &uni[f][u];
			uint32_t want = slot_of(owner[f][u]);

			n4 += f == F4 && owner[f][u] >= 0;
			for (c = 0; c < 2; c++) {
				has = copy_exact(f, c, p, &slot);
				if (has != (owner[f][u] >= 0) ||
				    (has && slot != want))
					fail_msg("%s copy %d, universe prefix %d "
						 "(/%u): %s %u, the model says %u",
						 f == F4 ? "fib4" : "lpm6", c, u,
						 p->cidr, has ? "slot" : "absent",
						 has ? slot : 0, want);
			}
			has = gw_tables_route_owner(ctx->tables, p, &pub);
			assert_int_equal(has, owner[f][u] >= 0);
			if (has)
				assert_int_equal(pub, want);
			/* first, last, and just outside on both sides */
			memcpy(ip, p->addr, len);
			check_addr(f, ip);
			bump(ip, len, -1);
			check_addr(f, ip);
			memcpy(ip, p->addr, len);
			for (i = p->cidr; i < fam_bits(f); i++)
				ip[i / 8] |= (uint8_t)(0x80u >> (i % 8));
			check_addr(f, ip);
			bump(ip, len, 1);
			check_addr(f, ip);
		}
		for (i = 0; i < NRANDOM; i++) {
			/* inside a universe prefix, or anywhere */
			memcpy(ip, uni[f][rnd_below((unsigned int)n_uni[f])].addr,
			       len);
			for (k = 0; k < (int)len; k++)
				if (rnd_below(3) == 0)
					ip[k] = (uint8_t)rnd();
			check_addr(f, ip);
		}
	}
	for (c = 0; c < 2; c++)
		assert_int_equal(copy_count4(c), n4);
}

/* ---- batches */

enum { BATCH_PEERS = MAX + 4, BATCH_PFX = 256 };

struct batch {
	struct wg_peer_config ps[BATCH_PEERS];
	struct wg_prefix pfx[BATCH_PEERS][BATCH_PFX];
	unsigned int n;
	int key[BATCH_PEERS];
	/* family * UNI_CAP + universe index of each prefix, -1: outside */
	int uix[BATCH_PEERS][BATCH_PFX];
};

static struct wg_peer_config *batch_peer(struct batch *b, int k,
				      const uint8_t *key)
{
	struct wg_peer_config *ps = &b->ps[b->n];

	assert_true(b->n < BATCH_PEERS);
	memset(ps, 0, sizeof(*ps));
	memcpy(ps->public_key, key, WG_KEY_LEN);
	ps->allowed_ips = b->pfx[b->n];
	b->key[b->n++] = k;
	return ps;
}

/* Universe prefix u, or p (one that no table may take) with u < 0. */
static void batch_prefix(struct batch *b, struct wg_peer_config *ps, int f,
			 int u, const struct wg_prefix *p)
{
	unsigned int i = (unsigned int)(ps - b->ps);

	assert_true(ps->n_allowed_ips < BATCH_PFX);
	b->uix[i][ps->n_allowed_ips] = u >= 0 ? f * UNI_CAP + u : -1;
	b->pfx[i][ps->n_allowed_ips++] = u >= 0 ? uni[f][u] : *p;
}

/* Whether a batch adds an IPv6 prefix. */
static bool adds_v6(const struct batch *b)
{
	unsigned int i, j;

	for (i = 0; i < b->n; i++)
		for (j = 0; j < b->ps[i].n_allowed_ips; j++)
			if (b->pfx[i][j].family == WG_FAMILY_V6)
				return true;
	return false;
}

static int run_batch(struct batch *b)
{
	static const struct wg_interface_config none; /* peers only */
	struct gw_device_set set = { .interface = &none, .peers = b->ps,
				     .n_peers = b->n };

	return gw_device_set(&ctx->control->dev, &set);
}

/* What WireGuard does with the same batch, on the model. */
static void model_apply(const struct batch *b)
{
	unsigned int i, j;
	int k, f, u;

	for (i = 0; i < b->n; i++) {
		k = b->key[i];
		if (b->ps[i].remove || b->ps[i].replace_allowed_ips)
			for (f = 0; f < 2; f++)
				for (u = 0; u < n_uni[f]; u++)
					if (owner[f][u] == k)
						owner[f][u] = -1;
		present[k] = !b->ps[i].remove;
		for (j = 0; j < b->ps[i].n_allowed_ips; j++) {
			assert_true(b->uix[i][j] >= 0);
			owner[b->uix[i][j] / UNI_CAP][b->uix[i][j] % UNI_CAP] = k;
		}
	}
}

static void random_batch(struct batch *b)
{
	unsigned int i, j, n = 1 + rnd_below(4), m;
	struct wg_peer_config *ps;
	int k;

	b->n = 0;
	for (i = 0; i < n; i++) {
		k = (int)rnd_below(NKEYS);
		ps = batch_peer(b, k, keys[k]);
		switch (rnd_below(7)) {
		case 0:
			ps->remove = true;
			break;
		case 1:
		case 2:
			ps->replace_allowed_ips = true;
			/* fall through */
		default:
			m = rnd_below(6);
			for (j = 0; j < m; j++)
				batch_prefix(b, ps, (int)rnd_below(2),
					     (int)rnd_below(UNI_GEN), NULL);
		}
	}
}

static void seed(void)
{
	const char *s = getenv("WG_MODEL_SEED");
	int k;

	rng = s ? strtoull(s, NULL, 0) : 20261204;
	printf("# WG_MODEL_SEED=%llu\n", (unsigned long long)rng);
	for (k = 0; k < NKEYS; k++) {
		rand_key(keys[k]);
		present[k] = false;
	}
	gen_universe();
}

static void random_batches(unsigned int n)
{
	static struct batch b;
	unsigned int i, ok = 0, refused = 0;
	int ret;

	for (i = 0; i < n; i++) {
		random_batch(&b);
		ctx->tables->commit_hook = check_window;
		ret = run_batch(&b);
		ctx->tables->commit_hook = NULL;
		if (ret == 0) {
			model_apply(&b);
			ok++;
		} else {
			/* only room can run out (tbl8 groups: ENOSPC;
			 * rte_fib's tree nodes: ENOMEM): nothing changed.
			 * IPv4 prefixes longer than /24 sit in three /24s
			 * here, far fewer than the 64 groups: only IPv6
			 * ones can run out of them. */
			assert_true(ret == -ENOSPC || ret == -ENOMEM);
			if (ret == -ENOSPC && !adds_v6(&b))
				fail_msg("batch %u: IPv4 only, refused with "
					 "ENOSPC", i);
			refused++;
		}
		check_tables();
	}
	printf("# %u batches applied, %u refused (no room)\n", ok, refused);
	assert_true(ok > n / 2);
}

static void test_random_batches(void **state)
{
	(void)state;
	seed();
	random_batches(BATCHES);
}

/* v4 prefix a.b.c.d/len outside the universe */
static struct wg_prefix p4(uint8_t a, uint8_t b, uint8_t c, uint8_t d,
			   uint8_t len)
{
	struct wg_prefix p = { .family = WG_FAMILY_V4, .cidr = len,
			       .addr = { a, b, c, d } };

	return p;
}

/* a.b.i.d/len for i < n, new in the universe, to ps */
static void batch_v4_run(struct batch *b, struct wg_peer_config *ps, uint8_t a,
			 uint8_t b1, uint8_t d, uint8_t len, unsigned int n)
{
	struct wg_prefix p;
	unsigned int i;

	for (i = 0; i < n; i++) {
		p = p4(a, b1, (uint8_t)i, d, len);
		batch_prefix(b, ps, F4, add_uni(F4, &p), NULL);
	}
}

/* A batch that must be taken: on the model too, then compared. */
static void run_ok(struct batch *b)
{
	assert_int_equal(run_batch(b), 0);
	model_apply(b);
	check_tables();
}

/* A failing batch that also removes a peer and replaces another's list:
 * none of it may show in either copy. */
static void failing_batch_around(struct batch *b)
{
	int k;

	b->n = 0;
	for (k = 0; k < 2; k++)
		if (!present[k]) {
			struct wg_peer_config *ps = batch_peer(b, k, keys[k]);

			batch_prefix(b, ps, F4, 1 + k, NULL);
			batch_prefix(b, ps, F6, 1 + k, NULL);
			assert_int_equal(run_batch(b), 0);
			model_apply(b);
			b->n = 0;
		}
	batch_peer(b, 0, keys[0])->remove = true;
	batch_peer(b, 1, keys[1])->replace_allowed_ips = true;
	batch_prefix(b, &b->ps[1], F6, 3, NULL);
}

static void test_failing_batches(void **state)
{
	static struct batch b;
	uint8_t extra[MAX + 1][WG_KEY_LEN];
	struct wg_prefix p;
	unsigned int i;

	(void)state;
	seed();
	random_batches(BATCHES / 3);

	/* a prefix longer than its family */
	failing_batch_around(&b);
	p = p4(192, 0, 2, 0, 33);
	batch_prefix(&b, &b.ps[1], F4, -1, &p);
	assert_int_equal(run_batch(&b), -EINVAL);
	check_tables();

	/* more peers than max_peers */
	failing_batch_around(&b);
	for (i = 0; i <= MAX; i++) {
		rand_key(extra[i]);
		batch_prefix(&b, batch_peer(&b, -1, extra[i]), F4, 4, NULL);
	}
	assert_int_equal(run_batch(&b), -ENOSPC);
	check_tables();

	/* IPv4 tbl8 groups: a /32 in more fresh /24s than there are */
	failing_batch_around(&b);
	batch_v4_run(&b, batch_peer(&b, 2, keys[2]), 10, 0, 1, 32, 70);
	assert_int_equal(run_batch(&b), -ENOSPC);
	check_tables();

	/* IPv4 prefixes: fewer than the table takes in one set, but more
	 * than its tree has nodes for with what another peer keeps */
	b.n = 0;
	batch_v4_run(&b, batch_peer(&b, 4, keys[4]), 10, 1, 0, 24, 100);
	run_ok(&b);
	failing_batch_around(&b);
	batch_v4_run(&b, batch_peer(&b, 2, keys[2]), 10, 4, 0, 24, 200);
	assert_int_equal(run_batch(&b), -ENOMEM);
	check_tables();

	/* and the model goes on agreeing afterwards */
	random_batches(BATCHES / 3);
}

/* A prefix longer than /24 with the same peer as the prefix around it,
 * added and removed over and over: rte_fib must not count the tbl8
 * group of its /24 as given back more often than it counted it taken,
 * or (the count wraps) every later scattered /32 is refused. */
static void test_child_with_parents_peer(void **state)
{
	static struct batch b;
	struct wg_peer_config *ps;
	struct wg_prefix p;
	unsigned int step;
	int u24, u32;

	(void)state;
	seed();
	p = p4(10, 5, 0, 0, 24);
	u24 = add_uni(F4, &p);
	p = p4(10, 5, 0, 1, 32);
	u32 = add_uni(F4, &p);
	/* key 0: the /24 and the /32 in it, then the /24 alone */
	for (step = 0; step < 6; step++) {
		b.n = 0;
		ps = batch_peer(&b, 0, keys[0]);
		ps->replace_allowed_ips = true;
		batch_prefix(&b, ps, F4, u24, NULL);
		if (step % 2 == 0)
			batch_prefix(&b, ps, F4, u32, NULL);
		run_ok(&b);
	}
	/* fewer scattered /32s than there are groups: all must fit */
	b.n = 0;
	batch_v4_run(&b, batch_peer(&b, 1, keys[1]), 10, 6, 1, 32, 16);
	run_ok(&b);
}

/* ---- the second copy refuses */

/* Commit hook: fill the copies not published yet (no worker reads them)
 * with /32s and /128s outside the universe until their tbl8 groups run
 * out, so that the batch, which needs one more on each, fails there. */
static void fill_old_copies(struct gw_tables *t)
{
	int c4 = t->fib4_active == t->fib4[0] ? 1 : 0;
	int c6 = t->lpm6_active == t->lpm6[0] ? 1 : 0;
	uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xee, 0xee };
	unsigned int i;

	t->commit_hook = NULL;
	for (i = 0; i < 256; i++)
		if (rte_fib_add(t->fib4[c4], (10u << 24) | (2u << 16) | i << 8 | 1,
				32, 0) < 0)
			break;
	assert_true(i > 0 && i < 256);
	for (i = 0; i < 256; i++) {
		ip6[6] = (uint8_t)i;
		ip6[15] = 1;
		if (rte_lpm6_add(t->lpm6[c6], ip6, 128, 0) < 0)
			break;
	}
	assert_true(i > 0 && i < 256);
}

/* The addresses fill_old_copies() put in: as the model says now. */
static void check_fillers(void)
{
	uint8_t ip4[4] = { 10, 2, 0, 1 };
	uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xee, 0xee };
	unsigned int i;

	ip6[15] = 1;
	for (i = 0; i < 256; i++) {
		ip4[2] = (uint8_t)i;
		ip6[6] = (uint8_t)i;
		check_addr(F4, ip4);
		check_addr(F6, ip6);
	}
}

static void test_second_copy_refuses(void **state)
{
	static struct batch b;
	struct wg_peer_config *ps;
	struct wg_prefix p4x, p6x;
	int u4, u6;

	(void)state;
	seed();
	random_batches(BATCHES / 3);
	/* fresh areas: each needs new tbl8 groups on either copy */
	p4x = p4(10, 3, 0, 1, 32);
	memset(&p6x, 0, sizeof(p6x));
	p6x.family = WG_FAMILY_V6;
	p6x.cidr = 128;
	memcpy(p6x.addr, (uint8_t[]){ 0x20, 0x01, 0x0d, 0xb8, 0xdd, 0xdd }, 6);
	p6x.addr[15] = 1;
	u4 = add_uni(F4, &p4x);
	u6 = add_uni(F6, &p6x);
	b.n = 0;
	ps = batch_peer(&b, 3, keys[3]);
	batch_prefix(&b, ps, F4, u4, NULL);
	batch_prefix(&b, ps, F6, u6, NULL);
	batch_prefix(&b, ps, F4, 5, NULL);
	ctx->tables->commit_hook = fill_old_copies;
	/* the first copy took it, so the set stands */
	assert_int_equal(run_batch(&b), 0);
	assert_null(ctx->tables->commit_hook);
	/* both second copies refused and were rebuilt */
	assert_int_equal(ctx->tables->rebuilds, 2);
	assert_false(ctx->tables->stale[0] || ctx->tables->stale[1]);
	model_apply(&b);
	check_tables();
	check_fillers();
	random_batches(BATCHES / 3);
}

/* A copy marked stale (an earlier rebuild failed) and changed behind
 * the tables' back is rebuilt before the next batch is staged on it. */
static void test_stale_copy_mended(void **state)
{
	static struct batch b;
	struct gw_tables *t;

	(void)state;
	seed();
	random_batches(BATCHES / 3);
	t = ctx->tables;
	fill_old_copies(t);
	t->stale[0] = t->stale[1] = true;
	random_batch(&b);
	assert_int_equal(run_batch(&b), 0);
	assert_int_equal(t->rebuilds, 2);
	model_apply(&b);
	check_tables();
	check_fillers();
	random_batches(BATCHES / 3);
}

static int setup(void **state)
{
	/* small, so that random batches and the failing ones reach the
	 * limits: 64 IPv4 tbl8 groups (rte_fib's least: it rounds up to
	 * 64), 160 IPv6 ones, 256 / 64 prefixes */
	struct gw_tables_size sz = { .peers = MAX, .routes4 = 256,
				     .routes6 = 64, .tbl8s4 = 64,
				     .tbl8s6 = 160 };

	(void)state;
	return setup_sized(&sz);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_random_batches, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failing_batches, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_child_with_parents_peer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_copy_refuses,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_copy_mended,
						setup, teardown),
	};

	(void)argc;
	return fixture_main(argv[0], "test_gw_routes_model", tests,
			    RTE_DIM(tests));
}
