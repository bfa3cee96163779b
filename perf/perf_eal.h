/* SPDX-License-Identifier: MIT */
/* EAL start-up as every perf/ program does it (perf_eal.c). */
#ifndef PERF_EAL_H
#define PERF_EAL_H

/*
 * argv is "PROG [EAL options --] [own options]": without a "--", the EAL
 * gets def (def[0] is PROG). Starts libsodium, the log and the EAL.
 * Returns the index in argv of the first own option, or -1 (said on
 * stderr).
 */
int perf_eal_init(int argc, char **argv, char **def, int n_def);
/* rte_eal_cleanup, and the EAL's runtime directory (a file prefix of its
 * own per run) removed: nothing left behind. */
void perf_eal_cleanup(void);

#endif /* PERF_EAL_H */
