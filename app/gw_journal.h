/* SPDX-License-Identifier: MIT */
/*
 * Logging under systemd. DPDK 22.11's default log stream writes every
 * line to stdout and to syslog, so a service's journal would hold each
 * line twice, the stdout copy without its level. When stderr is the
 * journal ($JOURNAL_STREAM names it, as systemd sets it), rte_log lines
 * go only there, each prefixed "<N>" with its syslog priority, which
 * journald reads as the line's level (`journalctl -p warning` works).
 * Otherwise nothing changes.
 */
#ifndef GW_JOURNAL_H
#define GW_JOURNAL_H

#include <stdbool.h>

/* Before rte_eal_init, so that the EAL's own lines go the same way.
 * Returns whether the journal stream was taken. */
bool gw_journal_init(void);

#endif /* GW_JOURNAL_H */
