/* SPDX-License-Identifier: MIT */
/*
 * SIGHUP reload (gw_reload.c) through the one config model: the file at
 * start applied by gw_control_apply_config, then the file re-read and
 * applied as a difference by gw_reload_request (EAL --no-huge, no NIC, no
 * worker):
 *
 *  - peers the file no longer names go, new ones come, and a peer that
 *    stays keeps its session while its settings change, also to what
 *    the file leaves out (off);
 *  - a file with an error, or one that changes a field fixed at start,
 *    is refused and changes nothing at all.
 */
#include "peers_fixture.h"

#include "gw_policy.h"
#include "gw_reload.h"
#include "wg_keys.h"

#define DIR_TEMPLATE "/tmp/test_gw_reload.XXXXXX"

static char dir[sizeof(DIR_TEMPLATE)];
static char path[sizeof(dir) + 16];
static uint8_t key_a[WG_KEY_LEN], key_b[WG_KEY_LEN], key_c[WG_KEY_LEN];

static int reload_setup(void **state)
{
	struct gw_tables_size sz = { .peers = MAX, .routes4 = 1024,
				     .routes6 = 1024, .tbl8s4 = 16 };

	(void)state;
	if (setup_sized(&sz) != 0 || gw_policy_create(ctx) != 0)
		return -1;
	rand_key(key_a);
	rand_key(key_b);
	rand_key(key_c);
	/* the first byte picks the peer's /26 (write_conf) */
	key_a[0] = 0;
	key_b[0] = 1;
	key_c[0] = 2;
	memcpy(dir, DIR_TEMPLATE, sizeof(dir));
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/gw.conf", dir);
	return 0;
}

static int reload_teardown(void **state)
{
	if (ctx->cfg) {
		wg_config_free(ctx->cfg);
		free(ctx->cfg);
		ctx->cfg = NULL;
	}
	unlink(path);
	rmdir(dir);
	gw_policy_free(ctx);
	return teardown(state);
}

/* gw.conf: the interface (mtu given), then one peer per key with the
 * /26 its first byte picks; a keepalive on the first when keepalive,
 * extra settings on the last. */
static void write_conf(unsigned int mtu, const uint8_t (*keys)[WG_KEY_LEN],
		       unsigned int n, bool keepalive, const char *extra)
{
	FILE *f = fopen(path, "w");
	char b64[WG_KEY_B64_LEN + 1];

	assert_non_null(f);
	fprintf(f,
		"interface = { name = \"wg7\"; mtu = %u;\n"
		"  private_key = \"UJtCbWbjrpG2O7JPJu5v3CHuysExgQM+AXIMhE93KEQ=\"; };\n"
		"lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"
		"wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"
		"peers = (\n",
		mtu);
	for (unsigned int i = 0; i < n; i++) {
		wg_key_to_base64(b64, keys[i]);
		fprintf(f,
			"  { public_key = \"%s\"; allowed_ips = [\"203.0.113.%u/26\"];%s%s }%s\n",
			b64, 64u * keys[i][0],
			i == 0 && keepalive ? " persistent_keepalive = 25;" : "",
			i == n - 1 && extra ? extra : "", i + 1 < n ? "," : "");
	}
	fputs(");\n", f);
	assert_int_equal(fclose(f), 0);
}

/* The file at start (A and B), as main() applies it; A has a session. */
static struct gw_keypair *start(void)
{
	uint8_t keys[2][WG_KEY_LEN];
	struct wg_keypair kp = { .local_index = 91, .remote_index = 92,
				 .we_are_initiator = true };
	struct wg_diag diag;
	struct gw_peer *a;

	memcpy(keys[0], key_a, WG_KEY_LEN);
	memcpy(keys[1], key_b, WG_KEY_LEN);
	write_conf(1420, keys, 2, false, NULL);
	ctx->cfg = calloc(1, sizeof(*ctx->cfg));
	assert_non_null(ctx->cfg);
	wg_diag_init(&diag);
	assert_int_equal(wg_config_load(path, ctx->cfg, &diag), 0);
	wg_diag_free(&diag);
	ctx->config_path = path;
	assert_int_equal(gw_control_apply_config(ctx, ctx->cfg), 0);
	model_add(key_a);
	model_add(key_b);
	check_model();
	a = gw_peer_find(ctx, key_a);
	assert_non_null(a);
	assert_int_equal(gw_peer_install_keypair(ctx, a, &kp), 0);
	assert_non_null(a->kp_current);
	return a->kp_current;
}

static void test_reload_applies_the_difference(void **state)
{
	uint8_t keys[2][WG_KEY_LEN];
	struct gw_keypair *kp;
	struct gw_peer *a, *c;

	(void)state;
	kp = start();
	/* B goes, C comes, A stays with a keepalive now */
	memcpy(keys[0], key_a, WG_KEY_LEN);
	memcpy(keys[1], key_c, WG_KEY_LEN);
	write_conf(1420, keys, 2, true, NULL);
	assert_int_equal(gw_reload_request(ctx), 0);
	model_del(key_b);
	model_add(key_c);
	check_model();
	a = gw_peer_find(ctx, key_a);
	c = gw_peer_find(ctx, key_c);
	assert_non_null(a);
	assert_non_null(c);
	assert_null(gw_peer_find(ctx, key_b));
	assert_ptr_equal(a->kp_current, kp);
	assert_int_equal(a->persistent_keepalive, 25);
	assert_int_equal(c->n_allowed_ips, 1);
	assert_int_equal(c->allowed_ips[0].addr[3], 128);
	assert_int_equal(gw_stats_sum(ctx->stats, GW_CTR_RELOADS_APPLIED), 1);

	/* a file describes each peer whole: the keepalive it leaves out is
	 * off again (as `wg syncconf`), the session still kept */
	write_conf(1420, keys, 2, false, NULL);
	assert_int_equal(gw_reload_request(ctx), 0);
	check_model();
	assert_int_equal(a->persistent_keepalive, 0);
	assert_ptr_equal(a->kp_current, kp);
}

static void test_refused_reload_changes_nothing(void **state)
{
	uint8_t keys[2][WG_KEY_LEN];
	struct gw_keypair *kp;

	(void)state;
	kp = start();
	memcpy(keys[0], key_a, WG_KEY_LEN);
	memcpy(keys[1], key_c, WG_KEY_LEN);
	/* an error on C's line */
	write_conf(1420, keys, 2, true, " endpoint = \"203.0.113.300:1\";");
	assert_int_equal(gw_reload_request(ctx), -EINVAL);
	check_model();
	/* a field fixed at start */
	write_conf(1400, keys, 2, true, NULL);
	assert_int_equal(gw_reload_request(ctx), -EINVAL);
	check_model();
	assert_non_null(gw_peer_find(ctx, key_b));
	assert_null(gw_peer_find(ctx, key_c));
	assert_ptr_equal(gw_peer_find(ctx, key_a)->kp_current, kp);
	assert_int_equal(gw_peer_find(ctx, key_a)->persistent_keepalive, 0);
	assert_int_equal(gw_stats_sum(ctx->stats, GW_CTR_RELOADS_FAILED), 2);
	assert_int_equal(gw_stats_sum(ctx->stats, GW_CTR_RELOADS_APPLIED), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_reload_applies_the_difference, reload_setup,
			reload_teardown),
		cmocka_unit_test_setup_teardown(
			test_refused_reload_changes_nothing, reload_setup,
			reload_teardown),
	};

	(void)argc;
	return fixture_main(argv[0], "test_gw_reload", tests, RTE_DIM(tests));
}
