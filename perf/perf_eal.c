/* SPDX-License-Identifier: MIT */
/* EAL start-up for perf/ programs (perf_eal.h). */
#include "perf_eal.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include <rte_eal.h>

#include "gw_stats.h"
#include "wg_crypto.h"

int perf_eal_init(int argc, char **argv, char **def, int n_def)
{
	int sep, eal_argc;
	char **eal_argv;

	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	if (sep < argc) {
		eal_argc = sep;
		eal_argv = argv;
		sep++;
	} else {
		eal_argc = n_def;
		eal_argv = def;
		sep = 1;
	}
	if (wg_crypto_init() != 0)
		return -1;
	gw_log_init();
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "%s: EAL init failed\n", argv[0]);
		return -1;
	}
	/* again: the EAL resets the log level */
	gw_log_init();
	return sep;
}

void perf_eal_cleanup(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 260];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(dir);
}
