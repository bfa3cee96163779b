/* SPDX-License-Identifier: MIT */
/*
 * What the files of bench_dataplane share (the method is described at the
 * top of bench_dataplane.c):
 *
 *   dp_world.c    the gateway context (app/gw_testbed.h), peers, sessions
 *   dp_frames.c   each worker's pristine frames and their restore
 *   dp_run.c      one timed run of a case on one or two workers
 *   dp_stats.c    the raw AEAD reference and the median
 *   dp_policy.c   --policy: rate limits or access rules on every peer
 *   bench_dataplane.c  options, the case loop, the table and JSON lines
 */
#ifndef BENCH_DATAPLANE_H
#define BENCH_DATAPLANE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "gw_ctx.h"
#include "gw_peer.h"
#include "wg_noise.h"

enum {
	ROUND = 1024,              /* frames per timed section */
	SET = 8192,                /* pristine frames per worker */
	FRAME = 1536,              /* bytes per pristine frame */
	PREFIXES_PER_PEER = 10,
	MTU = 1420,
	LISTEN = 51820,
};

/* Nothing leaves the process: the ports are never started. */
static const uint8_t lan_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t wan_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0, 0x03 };
static const uint8_t router_mac[6] = { 0x02, 0, 0, 0, 0, 0x04 };
#define LAN_ADDR RTE_IPV4(192, 0, 2, 1)
#define LAN_HOST RTE_IPV4(192, 0, 2, 2)
#define WAN_ADDR RTE_IPV4(198, 51, 100, 1)
#define WAN_ROUTER RTE_IPV4(198, 51, 100, 254)

/* One --sizes entry: a single size, or the IMIX mix. */
struct size_case {
	char name[16];
	uint32_t sizes[16];
	unsigned int n_sizes;
	double avg;
};

/* The world one peer count lives in (app/gw_testbed.h). */
struct world {
	struct gw_testbed *tb;
	struct gw_ctx *ctx;        /* tb's */
	uint32_t n_peers;
	struct gw_keypair **kps;   /* peer p's current keypair */
	struct wg_endpoint *eps;   /* peer p's endpoint */
	struct rte_mempool *pool;  /* the caller's, kept across worlds */
};

/* One worker's frames for a case. */
struct wset {
	struct rte_mbuf *m[SET];
	uint8_t *pristine;         /* SET frames of FRAME bytes */
	uint16_t len[SET];         /* frame length */
	uint32_t peer[SET];
	uint32_t n_reset;          /* decrypt: distinct keypairs in the set */
	struct gw_keypair **reset; /* their windows are reset per pass */
	/* --cold: the restore leaves an encryption frame's payload alone,
	 * as a NIC writing by DMA into DRAM would */
	bool cold_payload;
};

/* One timed run's figures (bench_run). */
struct case_result {
	double mpps, gbps, cpp, mpps_wall, cpu_share;
	/* TSC cycles per packet of the median burst during which the
	 * other worker ran too (finished a burst of its own) and of the
	 * median other one, and the first kind's share of the bursts: what
	 * the two cores cost each other, seen whatever the machine's load
	 * (dp_run.c) */
	double cpp_concurrent, cpp_alone, concurrent_share;
	/* TSC cycles per packet of the owners' rounds at their 10th
	 * percentile, summed as rates: undisturbed by descheduling */
	double cpp_round_p10;
	uint64_t order_errors, drops;
};

/* Peer p's prefix j: 16.0.0.0/4 cut in /24s (dp_world.c gives every
 * 100th a /28). */
static inline uint32_t prefix_addr(uint32_t p, unsigned int j)
{
	return RTE_IPV4(16, 0, 0, 0) + ((p * PREFIXES_PER_PEER + j) << 8);
}

/* dp_world.c */
/* A context with two worker handles (one active), n_peers peers and
 * their sessions. */
int world_build(struct world *w, uint32_t n_peers);
/* Peer p's session keys and indices, our side. */
void world_keys(uint32_t p, struct wg_keypair *k);
void world_free(struct world *w);

/* dp_frames.c */
int set_build(struct world *w, struct wset *s, const struct size_case *sc,
	      bool decrypt, bool cold_payload, unsigned int wi,
	      unsigned int nw);
void set_free(struct wset *s);
void set_restore(struct wset *s, unsigned int from, unsigned int n,
		 bool decrypt);

/* dp_run.c */
int bench_run(struct world *w, struct wset *sets, bool decrypt,
	      unsigned int nw, double seconds, struct case_result *r);

/* dp_policy.c */
enum policy_mode {
	POLICY_NONE,
	POLICY_RATE,
	POLICY_ACL,
	POLICY_MODES,
};
const char *policy_name(enum policy_mode m);
int policy_parse(const char *s, enum policy_mode *m);
/* Put mode m in force on every peer of w (replacing the previous one). */
int policy_apply(struct world *w, enum policy_mode m);

/* dp_stats.c */
double median(double *v, unsigned int n);
double aead_ref(const struct size_case *sc, bool decrypt, double seconds);
/* aead_ref on nw (1 or 2) lcores at once, summed */
double aead_ref_workers(const struct size_case *sc, bool decrypt,
			double seconds, unsigned int nw);

#endif /* BENCH_DATAPLANE_H */
