/* SPDX-License-Identifier: MIT */
/*
 * The device-level API: what the UAPI socket server (gw_uapi.c) and the
 * metrics code may ask of the gateway. It is the whole contract between
 * the UAPI and the rest of app/; nothing else in app/ is visible to them.
 *
 * Threading: every function here runs on the control lcore (the main
 * lcore). The UAPI server does not get a thread of its own: the control
 * loop calls gw_uapi_poll() once per iteration, and the server must never
 * block in it (non-blocking sockets, bounded work per call). Because of
 * that the device needs no lock, and a set transaction is applied between
 * two control-loop iterations, never concurrently with a handshake.
 *
 * Keys cross this interface as raw 32-byte arrays (the UAPI converts from
 * and to hex with lib/wg_keys.h). Whoever fills a struct holding a private
 * or preshared key wipes it afterwards (wg_wipe).
 */
#ifndef GW_DEVICE_H
#define GW_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "wg_addr.h"
#include "wg_config.h"
#include "wg_messages.h"
#include "wg_uapi.h"

struct gw_device;

enum gw_device_limits {
	GW_DEVICE_NAME_LEN = 16,   /* IFNAMSIZ, with the NUL */
	/* new peers a set adds per control-loop iteration: a peer costs
	 * no X25519 any more (its static-static waits for its first
	 * handshake), about 2 us, so ~2 ms of the control lcore */
	GW_SET_PEERS_PER_STEP = 1024,
	/* peers: interface.max_peers (wg_config.h), fixed at start */
	/* AllowedIPs: per family, what the route tables hold
	 * (gw_tables.h) */
};

/* ---------------------------------------------------------------- get */

/* The interface in the one config model: name, has_private_key,
 * private_key (wipe after use), public_key (valid when
 * has_private_key), listen_port; fwmark always 0 (no fwmark on DPDK). */
struct gw_device_info {
	struct wg_interface_config interface;
	uint32_t n_peers;
};

void gw_device_get_info(struct gw_device *dev, struct gw_device_info *out);

/* Calls fn once per peer, in the order the peers were added, with the
 * peer as get=1 reports it (wg_uapi.h): its settings in the config model
 * (config.has_preshared_key says whether it has one), its last handshake
 * and byte counts summed over all workers. config.allowed_ips is valid
 * only during the call. Stops early and returns fn's value when fn
 * returns non-zero; 0 otherwise. What fn got (preshared key included)
 * is wiped after it returns. */
typedef int (*gw_peer_fn)(const struct wg_uapi_peer *peer, void *arg);
int gw_device_foreach_peer(struct gw_device *dev, gw_peer_fn fn, void *arg);

/* The same a slice at a time, for a get that streams: up to max peers
 * from where cur stands (a zeroed cursor: the first peer); cur->done
 * once every peer was visited. The cursor points at a peer: it stays
 * valid only while no peer is removed, so no set may run while a get
 * streams (the UAPI server holds sets back, gw_uapi_busy). */
struct gw_peer;
struct gw_peer_cursor {
	const struct gw_peer *next;
	bool started, done;
};
int gw_device_foreach_peer_slice(struct gw_device *dev,
				 struct gw_peer_cursor *cur, uint32_t max,
				 gw_peer_fn fn, void *arg);

/* Calls fn once per named counter (drop reasons and packet counts, summed
 * over lcores), e.g. for metrics/telemetry. Same early-stop rule. */
typedef int (*gw_counter_fn)(const char *name, uint64_t value, void *arg);
int gw_device_foreach_counter(struct gw_device *dev, gw_counter_fn fn,
			      void *arg);

/* ---------------------------------------------------------------- set */

/*
 * A validated `set=1` transaction, in the one config model of
 * lib/wg_config.h: the UAPI parser's transaction, the config file at
 * start and a reload's difference are all handed over as they are, the
 * set only points at them (nothing is copied, keys included). "has_"
 * flags say which values are present; the fields mean exactly what the
 * protocol says (wireguard.com/xplatform):
 *   interface->private_key all zero    remove the private key
 *   interface->has_fwmark              accepted only with fwmark 0
 *   interface->replace_peers           remove every existing peer first,
 *                                      then apply peers
 *   peer preshared_key all zero        remove the preshared key
 *   peer persistent_keepalive 0        off
 *   peer remove                        remove this peer (other fields
 *                                      ignored)
 *   peer update_only                   only change the peer if it
 *                                      already exists
 *   peer replace_allowed_ips           drop the peer's AllowedIPs before
 *                                      adding allowed_ips (host bits
 *                                      already masked)
 * Every entry names its peer by public_key (has_public_key is not
 * read). The interface's name, mtu, max_peers and a peer's policy
 * fields are not the set's business (fixed at start; per-peer policy:
 * gw_policy.h).
 */
struct gw_device_set {
	const struct wg_interface_config *interface;
	const struct wg_peer_config *peers;
	size_t n_peers;
};

/*
 * Apply a transaction (app/gw_device_set.c), all or nothing: it is played
 * on a plan first and checked as a whole (limits, families, fwmark,
 * ports, peer count at every point, route-table room on the copies no
 * worker reads), and only then applied, so that a refused transaction
 * changes nothing at all: peers, keys, port, both copies of the route
 * tables. Values equal to what the gateway holds change nothing (the
 * private key, a preshared key, an endpoint, an AllowedIPs list sent
 * again with replace_allowed_ips): `wg syncconf` keeps every session and
 * every route. Only prefixes whose owner changes are touched, in one
 * batch with one RCU grace period for the whole transaction. Returns 0
 * or a negative errno that the UAPI reports as errno=<positive value>:
 *   -EINVAL   a value the gateway cannot take (e.g. fwmark != 0)
 *   -ENOSPC   more peers than interface.max_peers at any point of the
 *             transaction, or AllowedIPs the route tables have no room
 *             for (prefixes, IPv4/IPv6 tbl8 groups)
 *   -ENOMEM   an allocation failed (nothing changed either)
 */
int gw_device_set(struct gw_device *dev, const struct gw_device_set *set);

/*
 * The same in slices, so that a big set never stops handshakes, timers
 * or ARP/ND for long: gw_device_set_start() checks and applies what can
 * fail, then everything but the new peers, publishes the route batch and
 * adds the first GW_SET_PEERS_PER_STEP new peers. It returns <0 (refused,
 * nothing changed), 0 (done) or 1: then *job holds the rest (the set
 * itself may be freed), and gw_device_set_step() adds up to budget more
 * new peers per call, returning true (and freeing the job) once the set
 * is complete. The set can no longer fail once started; until the job is
 * done no other set may start (the UAPI server holds them back).
 */
struct gw_set_job;
int gw_device_set_start(struct gw_device *dev, const struct gw_device_set *set,
			struct gw_set_job **job);
bool gw_device_set_step(struct gw_set_job *job, uint32_t budget);

/* Identity and port, applied by a set (gw_device.c). */
struct gw_ctx;
void gw_control_set_private_key(struct gw_ctx *ctx,
				const uint8_t key[WG_KEY_LEN]);
void gw_control_set_listen_port(struct gw_ctx *ctx, uint16_t port);

/* ------------------------------------------- implemented by gw_uapi.c */

/*
 * The UAPI server, owned by the UAPI engineer. gw_uapi_open creates the
 * socket /var/run/wireguard/<name>.sock (mode 0700 as wireguard-go makes
 * it, directory 0755) and returns NULL with errno set on failure;
 * gw_uapi_poll serves whatever is ready without blocking; gw_uapi_close
 * closes every connection and unlinks the socket. All three run on the
 * control lcore.
 */
struct gw_uapi;
struct gw_uapi *gw_uapi_open(struct gw_device *dev, const char *name);
void gw_uapi_poll(struct gw_uapi *uapi);
/* True while a set is still adding its peers a slice per poll, or a get
 * is still streaming its peers: nothing else may change the device until
 * it is done (a SIGHUP reload waits). */
bool gw_uapi_busy(const struct gw_uapi *uapi);
void gw_uapi_close(struct gw_uapi *uapi);

#endif /* GW_DEVICE_H */
