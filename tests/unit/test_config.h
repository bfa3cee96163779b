/* SPDX-License-Identifier: MIT */
/*
 * What the tests of the config loader (lib/wg_config*.c) share: test keys,
 * the usual head of a file, and loading a text that must pass or must fail
 * with exactly the given errors. Each test program writes its files into
 * a temporary directory and works from there, so it controls every line
 * number and the messages read "gw.conf:N: ...".
 *
 *   test_config.c         the model: what a good file parses into
 *   test_config_errors.c  each class of mistake as FILE:LINE: FIELD
 *   test_config_keys.c    private key, key files, preshared keys; no key
 *                         material in any message
 *   test_config_policy.c  acls, rate_limit, acl (its own head of file)
 */
#ifndef TEST_CONFIG_H
#define TEST_CONFIG_H

#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wg_config.h"
#include "wg_crypto.h"
#include "wg_keys.h"

/* Throwaway keys from `wg genkey` / `wg pubkey` / `wg genpsk`. */
#define GW_PRIV "UJtCbWbjrpG2O7JPJu5v3CHuysExgQM+AXIMhE93KEQ="
#define GW_PUB "UC24oC9pzgcQA+EQPOXQpETjJ9nBLBrIopxkJORq4VA="
#define P1_PUB "V8q9iCSCXtdWZFJL1BZ2NdA+AR9duPoOioNnBWU1/C4="
#define P2_PUB "BVxJ5iXVkrkKegOv+j2fnT9klFPT2beK/yU/WhMIK0o="
#define PSK "oCkXDQIsRJcMdoKpkboS3nFpFHEArU5O+tP5RzD0vq0="

/* Lines 1..7 of most test files; peers start on line 8. */
#define HEAD                                                   \
	"interface = {\n"                                      \
	"  name = \"wg0\";\n"                                  \
	"  private_key = \"" GW_PRIV "\";\n"                   \
	"  listen_port = 51820;\n"                             \
	"};\n"                                                 \
	"lan = { port = 0; address = [\"192.0.2.1/24\"]; };\n" \
	"wan = { port = 1; address = [\"198.51.100.1/24\"]; };\n"

/* each test program works in a directory of its own */
static char tmpdir[] = "/tmp/wg-test-config.XXXXXX";
static char olddir[4096];

static inline int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir) || !getcwd(olddir, sizeof(olddir)) ||
	    chdir(tmpdir) != 0)
		return -1;
	return 0;
}

static inline int teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (chdir(olddir) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static inline void write_file(const char *name, const char *text, mode_t mode)
{
	FILE *f = fopen(name, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(name, mode), 0);
}

/* Write gw.conf and load it; returns wg_config_load's result. */
static inline int load_text(const char *text, struct wg_config *cfg,
		     struct wg_diag *diag)
{
	write_file("gw.conf", text, 0600);
	wg_diag_init(diag);
	return wg_config_load("gw.conf", cfg, diag);
}

/* Loading path must fail with exactly these errors, in order, and leave
 * the output as it was: nothing of a file with errors is applied. */
static inline void expect_file_errors(const char *path,
				      const char *const *want, size_t n_want)
{
	struct wg_config cfg, before;
	struct wg_diag diag;

	memset(&cfg, 0xa5, sizeof(cfg));
	before = cfg;
	wg_diag_init(&diag);
	assert_int_equal(wg_config_load(path, &cfg, &diag), -1);
	for (size_t i = 0; i < diag.n_errors && i < n_want; i++)
		assert_string_equal(diag.errors[i], want[i]);
	if (diag.n_errors != n_want) {
		wg_diag_print(&diag, stdout);
		fail_msg("%zu errors, want %zu", diag.n_errors, n_want);
	}
	assert_memory_equal(&cfg, &before, sizeof(cfg));
	wg_diag_free(&diag);
}

#define EXPECT_FILE_ERRORS(path, ...)                                  \
	do {                                                           \
		const char *const want_[] = { __VA_ARGS__ };           \
		expect_file_errors(path, want_,                        \
				   sizeof(want_) / sizeof(want_[0]));  \
	} while (0)

/* The same for text written to gw.conf. */
#define EXPECT_ERRORS(text, ...)                                       \
	do {                                                           \
		write_file("gw.conf", text, 0600);                     \
		EXPECT_FILE_ERRORS("gw.conf", __VA_ARGS__);            \
	} while (0)

static inline void expect_ok(const char *text, struct wg_config *cfg,
		      struct wg_diag *diag)
{
	if (load_text(text, cfg, diag) != 0) {
		wg_diag_print(diag, stdout);
		fail_msg("load failed");
	}
	assert_int_equal(diag->n_errors, 0);
}

static inline void key_b64(char out[WG_KEY_B64_LEN + 1], const uint8_t *key)
{
	wg_key_to_base64(out, key);
}

#endif /* TEST_CONFIG_H */
