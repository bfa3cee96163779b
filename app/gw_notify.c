/* SPDX-License-Identifier: MIT */
/*
 * sd_notify(3) messages for systemd (gw_notify.h). The status walks only
 * the peers on the control lcore's tick list (every peer with a session
 * is on it), so it costs what one timer tick costs, every few seconds.
 */
#include "gw_notify.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "gw_control.h"

static void send_state(struct gw_notify *n, const char *state)
{
	int ret = sd_notify(0, state);

	/* 0: no $NOTIFY_SOCKET, not run by a service manager */
	if (ret < 0 && !n->warned) {
		n->warned = true;
		GW_LOG(WARNING, "sd_notify: %s", strerror(-ret));
	}
}

/* "STATUS=2 peers, 1 with a session, latest handshake 4 s ago;
 * handshake messages 3 in, 3 out" */
static void format_status(struct gw_ctx *ctx, char *buf, size_t len)
{
	struct gw_control *c = ctx->control;
	const struct gw_peer *p;
	unsigned int sessions = 0;
	uint64_t latest = 0;
	struct timespec ts;
	int o;

	for (p = c->tick_head; p; p = p->tick_next) {
		if (gw_kp_load((struct gw_keypair **)&p->kp_current))
			sessions++;
		if (p->last_handshake_unix_ns > latest)
			latest = p->last_handshake_unix_ns;
	}
	o = snprintf(buf, len, "STATUS=%u peer%s, %u with a session",
		     c->n_peers, c->n_peers == 1 ? "" : "s", sessions);
	clock_gettime(CLOCK_REALTIME, &ts);
	if (o > 0 && (size_t)o < len && latest) {
		uint64_t now = (uint64_t)ts.tv_sec * UINT64_C(1000000000) +
			       (uint64_t)ts.tv_nsec;

		o += snprintf(buf + o, len - (size_t)o,
			      ", latest handshake %" PRIu64 " s ago",
			      now > latest ? (now - latest) / UINT64_C(1000000000) : 0);
	}
	if (o > 0 && (size_t)o < len)
		snprintf(buf + o, len - (size_t)o,
			 "; handshake messages %" PRIu64 " in, %" PRIu64 " out",
			 gw_stats_sum(ctx->stats,
				      GW_CTR_HANDSHAKE_MESSAGES_RECEIVED),
			 gw_stats_sum(ctx->stats,
				      GW_CTR_HANDSHAKE_MESSAGES_SENT));
}

void gw_notify_ready(struct gw_ctx *ctx, struct gw_notify *n)
{
	static const char ready[] = "READY=1\n";
	char buf[256];

	/* one datagram: systemd sees the first status with the readiness */
	memcpy(buf, ready, sizeof(ready) - 1);
	format_status(ctx, buf + sizeof(ready) - 1,
		      sizeof(buf) - (sizeof(ready) - 1));
	send_state(n, buf);
	n->ready = true;
	n->last_status_ns = gw_now_ns(ctx);
}

void gw_notify_tick(struct gw_ctx *ctx, struct gw_notify *n, uint64_t now)
{
	char buf[256];

	if (!n->ready ||
	    now - n->last_status_ns < GW_NOTIFY_STATUS_S * UINT64_C(1000000000))
		return;
	n->last_status_ns = now;
	format_status(ctx, buf, sizeof(buf));
	send_state(n, buf);
}

void gw_notify_not_ready(struct gw_notify *n, const char *why)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "STATUS=not ready: %s", why);
	send_state(n, buf);
}

void gw_notify_stopping(void)
{
	struct gw_notify n = { 0 };

	send_state(&n, "STOPPING=1\nSTATUS=stopping");
}
