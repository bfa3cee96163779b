/* SPDX-License-Identifier: MIT */
/*
 * wg-dpdk [EAL options] -- -c FILE     run
 * wg-dpdk -c FILE                       run, EAL options from the file
 * wg-dpdk --check -c FILE               validate the file, no EAL
 *
 * EAL init → setup → launch → control loop → wait → teardown.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "gw_control.h"
#include "gw_counters.h"
#include "gw_journal.h"
#include "gw_lcore.h"
#include "gw_metrics.h"
#include "gw_notify.h"
#include "gw_telemetry.h"
#include "wg_config.h"
#include "wg_crypto.h"

/* The signal handler's only way to the context; set once, before the
 * handlers are installed, and private to this file. */
static struct gw_ctx *signal_ctx;

/* SIGINT/SIGTERM stop; SIGHUP asks the control loop for a reload (it
 * logs and acts at its next tick: nothing else is safe in a handler). */
static void on_signal(int sig)
{
	if (!signal_ctx)
		return;
	if (sig == SIGHUP)
		__atomic_store_n(&signal_ctx->reload_requested, true,
				 __ATOMIC_RELAXED);
	else
		__atomic_store_n(&signal_ctx->quit, true, __ATOMIC_RELAXED);
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- -c FILE\n"
		"       %s -c FILE            (EAL options from the file's eal list)\n"
		"       %s --check -c FILE    (validate the file and exit)\n",
		prog, prog, prog);
}

/* App options: -c FILE, --check. */
static int parse_app(int argc, char **argv, const char **file, bool *check)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			*file = argv[++i];
		else if (strcmp(argv[i], "--check") == 0)
			*check = true;
		else
			return -1;
	}
	return *file ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct wg_config cfg;
	struct wg_diag diag;
	struct gw_ctx *ctx;
	struct gw_metrics *metrics = NULL;
	const char *file = NULL;
	bool check = false;
	char **eal_argv;
	int eal_argc, sep, ret, status = 1;
	size_t i;

	/* everything before "--" belongs to the EAL */
	for (sep = 1; sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	if (sep < argc) {
		ret = parse_app(argc - sep - 1, argv + sep + 1, &file, &check);
	} else {
		ret = parse_app(argc - 1, argv + 1, &file, &check);
		sep = 0;
	}
	if (ret < 0) {
		usage(argv[0]);
		return 2;
	}
	if (wg_crypto_init() != 0)
		return 1;

	memset(&cfg, 0, sizeof(cfg));
	wg_diag_init(&diag);
	ret = wg_config_load(file, &cfg, &diag);
	wg_diag_print(&diag, stderr);
	wg_diag_free(&diag);
	if (check || ret < 0) {
		if (ret == 0)
			wg_config_free(&cfg);
		return ret < 0 ? 1 : 0;
	}

	if (sep) {
		eal_argc = sep;
		eal_argv = calloc((size_t)eal_argc + 1, sizeof(char *));
		if (eal_argv)
			memcpy(eal_argv, argv, (size_t)eal_argc * sizeof(char *));
	} else {
		eal_argc = (int)cfg.n_eal_args + 1;
		eal_argv = calloc((size_t)eal_argc + 1, sizeof(char *));
		if (eal_argv) {
			eal_argv[0] = argv[0];
			for (i = 0; i < cfg.n_eal_args; i++)
				eal_argv[i + 1] = cfg.eal_args[i];
		}
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!eal_argv || !ctx)
		goto out_cfg;

	gw_log_init();
	gw_journal_init();
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "wg-dpdk: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		goto out_cfg;
	}
	gw_log_init();

	signal_ctx = ctx;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	/* live counters first: a metrics address that cannot be bound
	 * stops the start before any port is touched */
	ctx->counters = gw_counters_create(ctx);
	ret = ctx->counters ? 0 : -ENOMEM;
	if (ret == 0) {
		bool off;

		metrics = gw_metrics_start(ctx, ctx->counters, &cfg.metrics,
					   &off);
		if (!metrics && !off)
			ret = -EADDRNOTAVAIL;
		gw_telemetry_start(ctx->counters);
	}
	ctx->config_path = file;
	if (ret == 0)
		ret = gw_setup(ctx, &cfg);
	if (ret == 0)
		ret = gw_launch(ctx);
	if (ret == 0) {
		GW_LOG(INFO, "running; SIGINT or SIGTERM to stop, SIGHUP to reload");
		gw_control_loop(ctx);
		status = 0;
	}
	gw_notify_stopping();
	/* nobody reads a snapshot once the control loop is gone */
	gw_counters_close(ctx->counters);
	gw_metrics_stop(metrics);
	gw_telemetry_stop();
	__atomic_store_n(&ctx->quit, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	gw_teardown(ctx);
	gw_counters_free(ctx->counters);
	rte_eal_cleanup();
	GW_LOG(INFO, "stopped");
out_cfg:
	wg_config_free(&cfg);
	free(eal_argv);
	free(ctx);
	return status;
}
