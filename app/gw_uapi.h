/* SPDX-License-Identifier: MIT */
/*
 * The UAPI socket server: /var/run/wireguard/<name>.sock speaking the
 * cross-platform userspace protocol (lib/wg_uapi.h), so that the stock
 * `wg show`, `wg set`, `wg setconf` and `wg syncconf` work on the gateway.
 *
 * It runs on the control lcore with no thread of its own: gw_uapi_poll()
 * is called from the control loop and never blocks (one poll(2) with a
 * zero timeout, non-blocking sockets, a bounded number of accepts, reads
 * and bytes per call). A set=1 request is read whole, validated whole and
 * only then handed to gw_device_set(), so a refused request changes
 * nothing. A get=1 answer streams: the interface, then the peers a slice
 * at a time as the client reads them; a set that arrives meanwhile waits
 * until every streaming get is sent, so each answer is one consistent
 * view. Idle timeouts count only the time the server was free to serve:
 * its own work (a slow set, a get's slices) is no client's silence. The device API it uses is app/gw_device.h, where gw_uapi_open,
 * gw_uapi_poll and gw_uapi_close are declared as well.
 */
#ifndef GW_UAPI_H
#define GW_UAPI_H

#include <stdbool.h>
#include <stdint.h>

#include "gw_device.h"

#define GW_UAPI_DIR "/var/run/wireguard"

enum gw_uapi_limits {
	GW_UAPI_MAX_CONNS = 16,        /* more wait in the listen backlog */
	GW_UAPI_BACKLOG = 16,
	GW_UAPI_ACCEPTS_PER_POLL = 4,
	/* per connection, of GW_UAPI_IOBUF: 512 KiB a poll (a poll every
	 * 10 ms), so `wg addconf` of 1,000,000 peers (~110 MB) reads in
	 * ~2 s; parsing it costs ~1 ms a poll */
	GW_UAPI_READS_PER_POLL = 128,
	GW_UAPI_IOBUF = 4096,
	GW_UAPI_IDLE_MS = 10000,       /* a silent client loses its slot */
	/* a get streams its peers in slices, so that a million of them
	 * never hold the control lcore for long (nor a 200 MB buffer) */
	GW_UAPI_GET_PEERS_PER_SLICE = 256,
	GW_UAPI_GET_SLICES_PER_POLL = 4, /* per connection */
	GW_UAPI_MAX_REQUEST = 64 << 20, /* bytes in one set=1 request */
	GW_UAPI_CHECK_MS = 1000,       /* how often the socket file is checked */
};

/*
 * gw_uapi_open with another directory than GW_UAPI_DIR (tests). The
 * directory is created with mode 0755 if missing; the socket gets mode
 * 0700 (as wireguard-go: bound under umask 077; connecting needs write
 * permission, so only root can). A socket file that a live process
 * listens on is refused with EADDRINUSE and a log line naming it; a stale
 * one (nobody listening) is replaced; any other kind of file is refused
 * with EEXIST. Returns NULL with errno set on failure.
 */
struct gw_uapi *gw_uapi_open_at(struct gw_device *dev, const char *dir,
				const char *name);

/*
 * False once the socket file was removed or replaced by someone else
 * (checked every GW_UAPI_CHECK_MS inside gw_uapi_poll). The protocol asks
 * an implementation to shut down gracefully then, as wireguard-go does;
 * the control loop may check this and stop.
 */
bool gw_uapi_alive(const struct gw_uapi *uapi);

/* Tests: the millisecond clock of the idle timeouts (NULL: the
 * monotonic clock). */
void gw_uapi_set_clock(struct gw_uapi *uapi, uint64_t (*clock_ms)(void));

#endif /* GW_UAPI_H */
