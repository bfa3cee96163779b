/* SPDX-License-Identifier: MIT */
/*
 * The config loader: wg_config_load on a file holding the input, next to
 * two key files (private_key_file = "wg0.key" is valid, "bad.key" is not)
 * whose contents are random per run and so never part of an input.
 *
 * Properties: a failed load leaves the output untouched; a successful one
 * has no errors; no message ever carries either key file's content.
 * libconfig 1.5 leaks inside its own lexer on some syntax errors: see
 * lsan.supp (libconfig's frames only).
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "wg_config.h"
#include "wg_diag.h"

static char dir[] = "/tmp/wg-fuzz-config-XXXXXX";
static char conf_path[64], key_path[64], bad_path[64];
static char key_b64[WG_KEY_B64_LEN + 1], bad_text[WG_KEY_B64_LEN + 1];

static void write_file(const char *path, const void *data, size_t len,
		       mode_t mode)
{
	FILE *f = fopen(path, "wb");

	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
		abort();
	chmod(path, mode);
}

static void cleanup(void)
{
	unlink(conf_path);
	unlink(key_path);
	unlink(bad_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t k[WG_KEY_LEN];

	(void)argc;
	(void)argv;
	fz_init();
	if (!mkdtemp(dir))
		abort();
	snprintf(conf_path, sizeof(conf_path), "%s/gw.conf", dir);
	snprintf(key_path, sizeof(key_path), "%s/wg0.key", dir);
	snprintf(bad_path, sizeof(bad_path), "%s/bad.key", dir);
	atexit(cleanup);
	wg_generate_private(k);
	wg_key_to_base64(key_b64, k);
	write_file(key_path, key_b64, strlen(key_b64), 0600);
	/* a malformed key: 43 random base64 characters and a '!' */
	wg_generate_private(k);
	wg_key_to_base64(bad_text, k);
	bad_text[WG_KEY_B64_LEN - 1] = '!';
	write_file(bad_path, bad_text, strlen(bad_text), 0600);
	wg_wipe(k, sizeof(k));
	return 0;
}

/* 16 characters are enough to recognise either key. libFuzzer sees the
 * strings compared here and may well write them into an input (as a
 * setting's name, say, which a message then rightly quotes): a key that
 * is in the input is not a secret of the key file, so it is skipped. */
static void no_secret(const char *msg, const uint8_t *data, size_t size)
{
	const char *keys[2] = { key_b64, bad_text };
	int i;

	for (i = 0; i < 2; i++) {
		char k[17];

		memcpy(k, keys[i], 16);
		k[16] = '\0';
		if (!memmem(data, size, k, 16))
			FZ_CHECK(!strstr(msg, k));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct wg_config zero;
	struct wg_config cfg;
	struct wg_diag diag;
	size_t i;
	int ret;

	write_file(conf_path, data, size, 0644);
	memset(&cfg, 0, sizeof(cfg));
	wg_diag_init(&diag);
	ret = wg_config_load(conf_path, &cfg, &diag);
	FZ_CHECK(ret == 0 || ret == -1);
	if (ret == 0) {
		FZ_CHECK(diag.n_errors == 0);
		FZ_CHECK(cfg.interface.has_private_key);
		FZ_CHECK(cfg.n_eal_args == 0 || cfg.eal_args[cfg.n_eal_args] ==
							NULL);
		wg_config_free(&cfg);
	} else {
		FZ_CHECK(diag.n_errors > 0 || diag.n_lost > 0);
	}
	FZ_CHECK(memcmp(&cfg, &zero, sizeof(cfg)) == 0);
	for (i = 0; i < diag.n_errors; i++)
		no_secret(diag.errors[i], data, size);
	for (i = 0; i < diag.n_warnings; i++)
		no_secret(diag.warnings[i], data, size);
	wg_diag_free(&diag);
	return 0;
}
