/* SPDX-License-Identifier: MIT */
/*
 * GET /metrics: the Prometheus text format (0.0.4), served by
 * libmicrohttpd on its own thread, pinned to the control lcore's CPU (so
 * never on a worker's), from gw_counters.h's snapshots. Per-peer series
 * keep prometheus_wireguard_exporter's names and labels
 * (wireguard_sent_bytes_total, wireguard_received_bytes_total,
 * wireguard_latest_handshake_seconds; interface, public_key,
 * allowed_ips); everything else is wg_dpdk_*. The body is streamed: the
 * peers are read one slice at a time while the response goes out, so a
 * scrape of 100,000 peers holds neither the control lcore nor memory for
 * more than a slice.
 */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include "gw_counters.h"
#include "wg_config.h"

enum gw_metrics_limits {
	GW_METRICS_CONNS = 8,         /* scrapers at once */
	GW_METRICS_TIMEOUT_S = 10,    /* an idle connection is closed */
	GW_METRICS_BLOCK = 64 << 10,  /* text formatted per turn */
};

struct gw_metrics;

/*
 * Listen on cfg->listen and serve. Returns NULL with a logged reason
 * (which address, why) when the address cannot be bound; a disabled
 * cfg returns NULL too, with *disabled set, and logs nothing.
 */
struct gw_metrics *gw_metrics_start(struct gw_ctx *ctx, struct gw_counters *k,
				    const struct wg_metrics_config *cfg,
				    bool *disabled);
/* Stops the thread (a scrape in flight is cut) and closes the socket. */
void gw_metrics_stop(struct gw_metrics *m);

#endif /* GW_METRICS_H */
