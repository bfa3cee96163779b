/* SPDX-License-Identifier: MIT */
/*
 * DPDK telemetry commands (the socket EAL opens under
 * /var/run/dpdk/<file-prefix>/, read with dpdk-telemetry.py):
 *
 *   /wg_dpdk/counters   every counter of gw_stats.h summed over lcores, by
 *                       its printed name; mbufs in use and where they are held
 *   /wg_dpdk/workers    per worker: packets per port and direction, busy and
 *                       idle poll cycles, decrypt-spreading backlog
 *   /wg_dpdk/peers      how many peers there are (and may be)
 *   /wg_dpdk/peer,KEY   one peer, by base64 public key or by slot id (the
 *                       "peer N" of the log)
 *
 * The callbacks run on DPDK's telemetry threads and read everything
 * through gw_counters.h's snapshots, never the control lcore's state.
 */
#ifndef GW_TELEMETRY_H
#define GW_TELEMETRY_H

#include "gw_counters.h"

/* Register the commands (once per process) and answer them from k.
 * A telemetry-less EAL (--no-telemetry) only gets a log line. */
void gw_telemetry_start(struct gw_counters *k);
/* No callback reads k after this returns; the commands stay registered
 * (DPDK cannot unregister) and fail from now on. */
void gw_telemetry_stop(void);

#endif /* GW_TELEMETRY_H */
