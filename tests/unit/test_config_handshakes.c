/* SPDX-License-Identifier: MIT */
/*
 * The `handshakes` group of the config file (lib/wg_config_handshake.c):
 * `lcores` parses into the model, no group means no handshake lcores, and
 * each mistake is exactly one FILE:LINE: FIELD: error that leaves no
 * lcores behind.
 */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wg_config.h"

#define GW_PRIV "UJtCbWbjrpG2O7JPJu5v3CHuysExgQM+AXIMhE93KEQ="

/* Lines 1..3; the case's own lines start on line 4. */
#define HEAD                                                          \
	"interface = { name = \"wg0\"; private_key = \"" GW_PRIV "\"; };\n" \
	"lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n"        \
	"wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"

static char path[64];

/* The text in a file of its own, loaded. */
static int load(const char *text, struct wg_config *cfg, struct wg_diag *d)
{
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/wg-test-hs.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	memset(cfg, 0, sizeof(*cfg));
	wg_diag_init(d);
	return wg_config_load(path, cfg, d);
}

static void test_lcores_parse(void **state)
{
	struct wg_config cfg;
	struct wg_diag d;

	(void)state;
	assert_int_equal(load(HEAD "workers = { lcores = [1]; };\n"
				   "handshakes = { lcores = [3, 2]; };\n",
			      &cfg, &d),
			 0);
	unlink(path);
	assert_int_equal(cfg.handshakes.n_lcores, 2);
	assert_int_equal(cfg.handshakes.lcores[0], 3);
	assert_int_equal(cfg.handshakes.lcores[1], 2);
	wg_config_free(&cfg);
	wg_diag_free(&d);
}

static void test_no_group_no_lcores(void **state)
{
	struct wg_config cfg;
	struct wg_diag d;

	(void)state;
	assert_int_equal(load(HEAD, &cfg, &d), 0);
	unlink(path);
	assert_int_equal(cfg.handshakes.n_lcores, 0);
	wg_config_free(&cfg);
	wg_diag_free(&d);
}

/* The file fails with exactly this one error (after "FILE:"). */
static void expect_error(const char *lines, const char *want)
{
	char text[1024], full[256];
	struct wg_config cfg;
	struct wg_diag d;
	int ret;

	snprintf(text, sizeof(text), "%s%s", HEAD, lines);
	ret = load(text, &cfg, &d);
	unlink(path);
	snprintf(full, sizeof(full), "%s:%s", path, want);
	if (ret != -1 || d.n_errors != 1 || strcmp(d.errors[0], full) != 0) {
		wg_diag_print(&d, stdout);
		fail_msg("want exactly: %s", full);
	}
	assert_int_equal(cfg.handshakes.n_lcores, 0);
	wg_diag_free(&d);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("handshakes = 3;\n",
		     "4: handshakes: must be a group { ... }, not an integer");
	expect_error("handshakes = { lanes = 2; };\n",
		     "4: handshakes.lanes: unknown setting");
	expect_error("handshakes = { lcores = 3; };\n",
		     "4: handshakes.lcores: must be a list of lcore ids such as [3], not an integer");
	expect_error("handshakes = { lcores = [1, 2, 3, 4, 5, 6, 7, 8, 9]; };\n",
		     "4: handshakes.lcores: 9 lcores, at most 8");
	expect_error("handshakes = { lcores = [\"a\"]; };\n",
		     "4: handshakes.lcores[0]: must be an integer, not a string");
	expect_error("handshakes = { lcores = [-1]; };\n",
		     "4: handshakes.lcores[0]: -1 is out of range 0..1023");
	expect_error("handshakes = { lcores = [2, 2]; };\n",
		     "4: handshakes.lcores[1]: lcore 2 is listed twice");
	expect_error("workers = { lcores = [1]; };\n"
		     "handshakes = { lcores = [1]; };\n",
		     "5: handshakes.lcores[0]: lcore 1 is also in workers.lcores");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lcores_parse),
		cmocka_unit_test(test_no_group_no_lcores),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
