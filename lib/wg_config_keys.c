/* SPDX-License-Identifier: MIT */
/*
 * Key settings of the config file: base64 in the file or in a key file of
 * its own. A key is never echoed in a message (a near-miss is still most
 * of a secret), and libconfig's copy of the key text is wiped before the
 * tree goes.
 */
#include "wg_config_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wg_crypto.h"
#include "wg_keys.h"

bool wg_config_parse_key(struct wg_config_loader *ld,
			 const config_setting_t *s, const char *field,
			 uint8_t key[WG_KEY_LEN])
{
	const char *text = wg_config_get_string(ld, s, field);

	if (!text)
		return false;
	if (!wg_key_from_base64(key, text)) {
		/* no echo: a near-miss is still most of a secret */
		ld_error(ld, s, field,
			 "not a valid key (44 characters of base64, as wg genkey prints)");
		return false;
	}
	return true;
}

/* The key in a file of its own, as `wg genkey > file` writes it. */
void wg_config_read_key_file(struct wg_config_loader *ld,
			     const config_setting_t *s, const char *field,
			     uint8_t key[WG_KEY_LEN], bool *ok)
{
	const char *name = wg_config_get_string(ld, s, field);
	char *path = NULL;
	char buf[128];
	ssize_t len = 0, r;
	struct stat st;
	int fd;

	*ok = false;
	if (!name)
		return;
	if (name[0] != '/' && ld->dir) {
		if (asprintf(&path, "%s/%s", ld->dir, name) < 0) {
			ld_error(ld, s, field, "out of memory");
			return;
		}
	} else if (!(path = strdup(name))) {
		ld_error(ld, s, field, "out of memory");
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		ld_error(ld, s, field, "cannot read '%s': %s", path,
			 strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ld_error(ld, s, field, "'%s' is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077)
		ld_warning(ld, s, field,
			   "'%s' is accessible by group or others (mode %03o); chmod 600 it",
			   path, (unsigned int)(st.st_mode & 0777));
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (r = read(fd, buf + len, sizeof(buf) - 1 - (size_t)len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ld_error(ld, s, field, "cannot read '%s': %s", path,
				 strerror(errno));
			goto out;
		}
		len += r;
	}
	/* trailing whitespace (the newline of `wg genkey > file`) is fine */
	while (len > 0 && strchr(" \t\r\n", buf[len - 1]))
		len--;
	buf[len] = '\0';
	if (!wg_key_from_base64(key, buf))
		ld_error(ld, s, field,
			 "'%s' does not hold a valid key (44 characters of base64, as wg genkey prints)",
			 path);
	else
		*ok = true;
out:
	wg_wipe(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	free(path);
}

/* libconfig keeps its own copy of the key text; wipe it before it goes. */
void wg_config_wipe_secret_text(config_t *lc)
{
	const config_setting_t *peers = config_lookup(lc, "peers");
	const config_setting_t *s = config_lookup(lc, "interface.private_key");
	char *text;

	if (s && config_setting_type(s) == CONFIG_TYPE_STRING &&
	    (text = (char *)config_setting_get_string(s)))
		wg_wipe(text, strlen(text));
	for (int i = 0; peers && config_setting_is_list(peers) &&
			i < config_setting_length(peers); i++) {
		const config_setting_t *g =
		    config_setting_get_elem(peers, (unsigned)i);

		s = config_setting_is_group(g)
			? config_setting_get_member(g, "preshared_key")
			: NULL;
		if (s && config_setting_type(s) == CONFIG_TYPE_STRING &&
		    (text = (char *)config_setting_get_string(s)))
			wg_wipe(text, strlen(text));
	}
}
