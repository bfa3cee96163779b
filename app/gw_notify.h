/* SPDX-License-Identifier: MIT */
/*
 * Telling the service manager how the gateway is (systemd's Type=notify,
 * config/wg-dpdk@.service.in): READY=1 once both ports are started and
 * the UAPI socket listens, a STATUS= line with peers and handshakes that
 * the control lcore refreshes every GW_NOTIFY_STATUS_S seconds, and
 * STOPPING=1 when it shuts down. Without $NOTIFY_SOCKET (started by hand,
 * most tests) nothing is sent. Control lcore (main thread) only.
 */
#ifndef GW_NOTIFY_H
#define GW_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "gw_ctx.h"

enum { GW_NOTIFY_STATUS_S = 5 };

struct gw_notify {
	bool ready;                /* READY=1 sent */
	bool warned;               /* a failed send was logged once */
	uint64_t last_status_ns;   /* gw_now_ns of the last STATUS= */
};

/* READY=1 with the first STATUS=; call once the UAPI socket listens. */
void gw_notify_ready(struct gw_ctx *ctx, struct gw_notify *n);
/* A STATUS= line when GW_NOTIFY_STATUS_S have passed since the last. */
void gw_notify_tick(struct gw_ctx *ctx, struct gw_notify *n, uint64_t now);
/* STATUS=<why> without READY=1: the gateway runs but is not ready. */
void gw_notify_not_ready(struct gw_notify *n, const char *why);
/* STOPPING=1: shutdown has begun. */
void gw_notify_stopping(void);

#endif /* GW_NOTIFY_H */
