/* SPDX-License-Identifier: MIT */
/*
 * The peer registry behind gw_device_set (EAL --no-huge, no NIC, no
 * worker): public key -> peer, free slots handed out oldest first, the
 * insertion-ordered list `wg show` prints, and the max_peers bound.
 *
 *  - a set that would exceed max_peers at any point returns -ENOSPC and
 *    changes nothing; one that removes and adds as many at the bound
 *    passes (wg syncconf); so does one with more prefixes of a family
 *    than its route table holds;
 *  - removal at the head, in the middle and at the tail keeps the list
 *    (both directions), the key lookup and the slot array consistent;
 *  - peers with nothing to tick leave the tick list and come back on a
 *    change; removal unlinks them from it;
 *  - long random sequences of adds and removals against a naive model.
 * What a set does to sessions and routes: test_gw_set.c.
 */
#include "peers_fixture.h"

/* 2001:db8:1000:n::/64, one per key so that routes move nothing */
static void key_prefix(struct wg_prefix *p, const uint8_t k[WG_KEY_LEN])
{
	memset(p, 0, sizeof(*p));
	p->family = WG_FAMILY_V6;
	p->cidr = 64;
	p->addr[0] = 0x20;
	p->addr[1] = 0x01;
	p->addr[2] = 0x0d;
	p->addr[3] = 0xb8;
	p->addr[4] = 0x10;
	p->addr[6] = k[0];
	p->addr[7] = k[1];
}

/* One set: peers to add (with a prefix each) and peers to remove, in
 * that order unless remove_first. */
static int set_peers(const uint8_t (*add)[WG_KEY_LEN], unsigned int n_add,
		     const uint8_t (*del)[WG_KEY_LEN], unsigned int n_del,
		     bool remove_first, bool replace)
{
	struct wg_peer_config ps[2 * MAX + 2];
	struct wg_prefix pfx[2 * MAX + 2];
	struct gw_device_set set;
	struct wg_interface_config ifc;
	unsigned int i, n = 0;

	assert_true(n_add + n_del <= RTE_DIM(ps));
	memset(&set, 0, sizeof(set));
	memset(&ifc, 0, sizeof(ifc));
	set.interface = &ifc;
	memset(ps, 0, sizeof(ps));
	for (i = 0; remove_first && i < n_del; i++, n++) {
		memcpy(ps[n].public_key, del[i], WG_KEY_LEN);
		ps[n].remove = true;
	}
	for (i = 0; i < n_add; i++, n++) {
		memcpy(ps[n].public_key, add[i], WG_KEY_LEN);
		key_prefix(&pfx[n], add[i]);
		ps[n].allowed_ips = &pfx[n];
		ps[n].n_allowed_ips = 1;
		ps[n].replace_allowed_ips = true;
	}
	for (i = 0; !remove_first && i < n_del; i++, n++) {
		memcpy(ps[n].public_key, del[i], WG_KEY_LEN);
		ps[n].remove = true;
	}
	set.peers = ps;
	set.n_peers = n;
	ifc.replace_peers = replace;
	return gw_device_set(&ctx->control->dev, &set);
}

static void tick_sleep_dormant(void)
{
	struct gw_peer *p, *next;

	for (p = ctx->control->tick_head; p; p = next) {
		next = p->tick_next;
		if (gw_peer_dormant(p))
			gw_peer_sleep(ctx, p);
	}
}

static int setup(void **state)
{
	struct gw_tables_size sz = { .peers = MAX, .routes4 = 1024,
				     .routes6 = 1024, .tbl8s4 = 16 };

	(void)state;
	return setup_sized(&sz);
}

static void test_bound(void **state)
{
	uint8_t keys[MAX + 2][WG_KEY_LEN];
	unsigned int i;

	(void)state;
	for (i = 0; i < MAX + 2; i++)
		rand_key(keys[i]);
	/* one too many in a single set: nothing at all */
	assert_int_equal(set_peers(keys, MAX + 1, NULL, 0, false, false),
			 -ENOSPC);
	check_model();
	assert_int_equal(set_peers(keys, MAX, NULL, 0, false, false), 0);
	for (i = 0; i < MAX; i++)
		model_add(keys[i]);
	check_model();
	/* new peers are ticked once, then, with no session, timer or
	 * staged packet, leave the tick list; a change wakes one again */
	assert_int_equal(ctx->control->n_ticking, MAX);
	tick_sleep_dormant();
	assert_int_equal(ctx->control->n_ticking, 0);
	check_model();
	assert_int_equal(set_peers(&keys[5], 1, NULL, 0, false, false), 0);
	assert_int_equal(ctx->control->n_ticking, 1);
	assert_true(gw_peer_find(ctx, keys[5])->ticking);
	check_model();
	/* full: a new one is refused, changing an existing one is not */
	assert_int_equal(set_peers(&keys[MAX], 1, NULL, 0, false, false),
			 -ENOSPC);
	assert_int_equal(set_peers(&keys[3], 1, NULL, 0, false, false), 0);
	check_model();
	/* add then remove: one over the bound in between, refused */
	assert_int_equal(set_peers(&keys[MAX], 1, &keys[0], 1, false, false),
			 -ENOSPC);
	check_model();
	/* a key removed twice frees one slot, not two */
	{
		uint8_t twice[2][WG_KEY_LEN];

		memcpy(twice[0], keys[0], WG_KEY_LEN);
		memcpy(twice[1], keys[0], WG_KEY_LEN);
		assert_int_equal(set_peers(&keys[MAX], 2, twice, 2, true,
					   false),
				 -ENOSPC);
		check_model();
	}
	/* remove then add as many (wg syncconf at the bound): passes */
	assert_int_equal(set_peers(&keys[MAX], 2, keys, 2, true, false), 0);
	model_del(keys[0]);
	model_del(keys[1]);
	model_add(keys[MAX]);
	model_add(keys[MAX + 1]);
	check_model();
	/* replace: everything goes, the new ones come in order */
	assert_int_equal(set_peers(&keys[2], 3, NULL, 0, false, true), 0);
	n_model = 0;
	for (i = 2; i < 5; i++)
		model_add(keys[i]);
	check_model();
	/* replacing with more than the bound: refused, nothing changes */
	assert_int_equal(set_peers(keys, MAX + 1, NULL, 0, false, true),
			 -ENOSPC);
	check_model();
}

/* More prefixes of one family than its table holds: refused whole. */
static void test_allowed_ips_bound(void **state)
{
	uint32_t i, n = ctx->tables->max_routes6 + 1;
	struct wg_prefix *pfx = calloc(n, sizeof(*pfx));
	struct wg_peer_config ps;
	struct gw_device_set set;
	struct wg_interface_config ifc;

	(void)state;
	assert_non_null(pfx);
	for (i = 0; i < n; i++) {
		uint8_t k[WG_KEY_LEN] = { (uint8_t)i, (uint8_t)(i >> 8) };

		key_prefix(&pfx[i], k);
	}
	memset(&ps, 0, sizeof(ps));
	rand_key(ps.public_key);
	ps.allowed_ips = pfx;
	ps.n_allowed_ips = n;
	memset(&set, 0, sizeof(set));
	memset(&ifc, 0, sizeof(ifc));
	set.interface = &ifc;
	set.peers = &ps;
	set.n_peers = 1;
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), -ENOSPC);
	check_model();
	/* one fewer fits */
	ps.n_allowed_ips = n - 1;
	assert_int_equal(gw_device_set(&ctx->control->dev, &set), 0);
	model_add(ps.public_key);
	check_model();
	assert_int_equal(gw_peer_find(ctx, ps.public_key)->n_allowed_ips, n - 1);
	free(pfx);
}

/* Head, middle and tail removals; freed slots come back oldest first. */
static void test_remove_and_slots(void **state)
{
	uint8_t keys[6][WG_KEY_LEN];
	struct gw_peer *p;
	uint32_t id_d;
	unsigned int i;

	(void)state;
	for (i = 0; i < 6; i++)
		rand_key(keys[i]);
	assert_int_equal(set_peers(keys, 5, NULL, 0, false, false), 0);
	for (i = 0; i < 5; i++) {
		model_add(keys[i]);
		assert_int_equal(gw_peer_find(ctx, keys[i])->id, i);
	}
	id_d = gw_peer_find(ctx, keys[3])->id;
	assert_int_equal(set_peers(NULL, 0, &keys[3], 1, false, false), 0);
	model_del(keys[3]);
	check_model();
	assert_int_equal(set_peers(NULL, 0, &keys[0], 1, false, false), 0);
	model_del(keys[0]);
	check_model();
	assert_int_equal(set_peers(NULL, 0, &keys[4], 1, false, false), 0);
	model_del(keys[4]);
	check_model();
	assert_int_equal(set_peers(NULL, 0, &keys[1], 1, false, false), 0);
	model_del(keys[1]);
	check_model();
	/* slots 5..MAX-1 were never used: they come before the freed ones,
	 * then the freed ones in the order they were freed */
	for (i = 5; i < MAX; i++) {
		uint8_t k[WG_KEY_LEN];

		rand_key(k);
		assert_int_equal(set_peers((const uint8_t(*)[WG_KEY_LEN])k, 1,
					   NULL, 0, false, false),
				 0);
		model_add(k);
		assert_int_equal(gw_peer_find(ctx, k)->id, i);
	}
	assert_int_equal(set_peers(&keys[5], 1, NULL, 0, false, false), 0);
	model_add(keys[5]);
	p = gw_peer_find(ctx, keys[5]);
	assert_non_null(p);
	assert_int_equal(p->id, id_d);
	assert_ptr_equal(ctx->control->peers_tail, p);
	check_model();
}

static void test_random_against_model(void **state)
{
	unsigned int step;

	(void)state;
	srand(4242);
	for (step = 0; step < 3000; step++) {
		if (n_model && (n_model == MAX || rand() % 2)) {
			uint8_t k[WG_KEY_LEN];

			memcpy(k, model[(unsigned int)rand() % n_model],
			       WG_KEY_LEN);
			assert_int_equal(set_peers(NULL, 0,
						   (const uint8_t(*)[WG_KEY_LEN])k,
						   1, false, false),
					 0);
			model_del(k);
		} else {
			uint8_t k[WG_KEY_LEN];

			rand_key(k);
			assert_int_equal(set_peers((const uint8_t(*)[WG_KEY_LEN])k,
						   1, NULL, 0, false, false),
					 0);
			model_add(k);
		}
		if (step % 5 == 0)
			tick_sleep_dormant();
		if (step % 7 == 0)
			check_model();
		/* what the workers would do: let retired peers go */
		gw_tables_reclaim(ctx->tables);
	}
	check_model();
}


int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_and_slots, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_allowed_ips_bound, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_random_against_model,
						setup, teardown),
	};

	(void)argc;
	return fixture_main(argv[0], "test_gw_peers", tests, RTE_DIM(tests));
}
