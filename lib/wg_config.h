/* SPDX-License-Identifier: MIT */
/*
 * The gateway's configuration: one data model, and the loader that fills it
 * from a libconfig file (schema: ARCHITECTURE.md §4).
 *
 * The model follows wireguard-tools: every optional value has a has_X flag
 * next to it, so that the UAPI (`set=1` carries only what changes) can fill
 * the same structs. The value fields always hold the effective setting
 * (defaults applied); has_X says whether the source specified it.
 *
 * Loading is all-or-nothing. The loader checks the whole file and collects
 * every problem, not just the first, into a struct wg_diag:
 *
 *   gw.conf:12: peers[1].allowed_ips[0]: '203.0.113.0/33' is not a valid prefix
 *   gw.conf:4: warning: interface.private_key_file: '/etc/wg0.key' is ...
 *
 * that is FILE:LINE: FIELD: MESSAGE, indexes from 0 as libconfig counts.
 * Problems that belong to no line (an unreadable file, a required
 * top-level group that is missing) read FILE: FIELD: MESSAGE. If there is
 * any error, the output struct is left untouched: nothing from a broken
 * file is ever applied. Warnings do not stop a load.
 *
 * Messages never contain key material, not even a malformed key.
 * Secrets (private and preshared keys) are wiped in wg_config_free() and
 * on every error path.
 */
#ifndef WG_CONFIG_H
#define WG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg_addr.h"
#include "wg_policy.h"
#include "wg_diag.h"
#include "wg_messages.h"

enum wg_config_limits {
	WG_IFNAME_MAX = 15,          /* Linux IFNAMSIZ - 1, as wg-quick */
	WG_DEFAULT_LISTEN_PORT = 51820,
	WG_DEFAULT_MTU = 1420,       /* as wg-quick on a 1500-byte link */
	/* inner MTU: 576 is the IPv4 minimum datagram every host takes; 1280
	 * is IPv6's minimum link MTU, required as soon as any IPv6 is
	 * configured (lan addresses or allowed_ips); 9000 is the usual jumbo
	 * frame (the WAN port must then carry mtu + 80 bytes of overhead) */
	WG_MTU_MIN = 576,
	WG_MTU_MIN_IPV6 = 1280,
	WG_MTU_MAX = 9000,
	WG_PERSISTENT_KEEPALIVE_MAX = 65535, /* seconds, as wg */
	WG_PORT_ID_MAX = 65534,      /* DPDK port ids are uint16_t */
	WG_LCORE_ID_MAX = 1023,      /* the app checks against RTE_MAX_LCORE */
	/* interface.max_peers: the gateway sizes its tables for this many
	 * peers at start (a few hundred bytes each, README) and refuses
	 * more, from the file or the UAPI */
	WG_DEFAULT_MAX_PEERS = 16384,
	WG_MAX_PEERS_MAX = 1 << 20,
};

/* One peer. Used by the config loader (which sets has_public_key and
 * replace_allowed_ips on every peer) and by the UAPI (set=1 semantics). */
struct wg_peer_config {
	uint8_t public_key[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN]; /* secret; zero when absent */
	struct wg_endpoint endpoint;
	struct wg_prefix *allowed_ips;     /* host bits zero, no duplicates */
	size_t n_allowed_ips;
	uint16_t persistent_keepalive;     /* seconds, 0 = off */
	unsigned int line;                 /* where declared, 0 if not a file */

	bool has_public_key;
	bool has_preshared_key;
	bool has_endpoint;
	bool has_persistent_keepalive;
	/* UAPI verbs; a config file describes the whole peer, so it replaces
	 * the allowed IPs and never removes */
	bool replace_allowed_ips;
	bool remove;
	bool update_only;

	/* config file only (the UAPI has no words for them) */
	struct wg_rate_limit rate_limit;
	bool has_rate_limit;
	uint32_t acl;                      /* 1 + index in wg_config.acls, 0: none */
};

struct wg_interface_config {
	char name[WG_IFNAME_MAX + 1];      /* [A-Za-z0-9_=+.-], not . or .. */
	uint8_t private_key[WG_KEY_LEN];   /* secret */
	uint8_t public_key[WG_KEY_LEN];    /* derived from private_key */
	uint16_t listen_port;              /* 1..65535 */
	uint16_t mtu;                      /* inner MTU */
	uint32_t max_peers;                /* 1..WG_MAX_PEERS_MAX */
	/* clamp the MSS option of TCP SYNs through the tunnel to mtu - 40
	 * (IPv4) / mtu - 60 (IPv6); default on */
	bool mss_clamp;

	bool has_private_key;
	bool has_listen_port;
	bool has_mtu;
	bool has_max_peers;
	bool replace_peers;                /* config: always true */
};

/* A DPDK port and the addresses the gateway answers ARP/ND for. */
struct wg_port_config {
	uint16_t port;                     /* DPDK port id */
	struct wg_prefix *addresses;       /* host bits kept; at least one */
	size_t n_addresses;
	struct wg_ip gateway;              /* next hop off the port's subnets */
	bool has_gateway;
};

/*
 * TEST-ONLY knobs, the `testing` group. They shorten the protocol's timers
 * or slow the control lcore down so that integration tests reach protocol
 * deadlines (rekey, give-up, key zeroing) and overload in seconds instead
 * of minutes. A gateway with any of them set does not follow the
 * WireGuard timing rules: never use them in production (the loader warns).
 * Zero means "the protocol's value" (or off).
 */
struct wg_testing_config {
	uint32_t rekey_after_time;   /* s (protocol: 120) */
	uint32_t reject_after_time;  /* s (180); keys zeroed after 3x this */
	uint32_t rekey_attempt_time; /* s (90): give up a handshake after */
	uint32_t rekey_timeout;      /* s (5): handshake retransmit */
	uint32_t keepalive_timeout;  /* s (10) */
	uint32_t handshake_cost_us;  /* extra busy time per handshake DH step */
	uint32_t stats_interval;     /* s between counter dumps to the log */
	bool has_testing;
};

/* The `metrics` group: GET /metrics (Prometheus text format). */
struct wg_metrics_config {
	bool enabled;                /* listen = "" turns it off */
	struct wg_endpoint listen;   /* default 127.0.0.1:9586 */
	bool per_peer;               /* per-peer series, default true */
};

#define WG_METRICS_DEFAULT_LISTEN "127.0.0.1:9586"

struct wg_config {
	/* EAL arguments from the file, NULL-terminated (the caller supplies
	 * argv[0]); n_eal_args == 0 when there is no `eal` list */
	char **eal_args;
	size_t n_eal_args;
	bool has_eal;

	struct wg_interface_config interface;
	struct wg_port_config lan;
	struct wg_port_config wan;

	/* worker lcore ids, distinct; without a `workers` group the app
	 * picks (every EAL lcore but the main one) */
	uint16_t *worker_lcores;
	size_t n_worker_lcores;
	bool has_workers;

	struct wg_peer_config *peers;      /* public keys distinct */
	size_t n_peers;

	struct wg_acl *acls;               /* names distinct */
	size_t n_acls;

	struct wg_metrics_config metrics;
	struct wg_testing_config testing;  /* test-only, see above */
};

/*
 * Read and check path. Returns 0 and fills *out (which the caller later
 * releases with wg_config_free) when there was no error; otherwise returns
 * -1 and leaves *out as it was. Messages are appended to diag (may be
 * NULL); warnings may be present either way.
 *
 * A relative private_key_file is taken relative to the config file's
 * directory, so that the result does not depend on the working directory.
 */
int wg_config_load(const char *path, struct wg_config *out,
		   struct wg_diag *diag);

/* Release everything and wipe the secrets; leaves *cfg zeroed. */
void wg_config_free(struct wg_config *cfg);

#endif /* WG_CONFIG_H */
