/* SPDX-License-Identifier: MIT */
/*
 * One measured case of gen_memif: the frames of one direction and size
 * (decrypt: every one sealed before the clock starts), sent without drops
 * into the gateway, the output counted on the other port until it goes
 * quiet, the gateway's worker CPU time over the same interval, the raw
 * AEAD reference, and the JSON line.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_memcpy.h>

#include "gen_memif.h"
#include "perf_aead.h"
#include "wg_transport.h"

/* utime + stime of the gateway's worker threads, in seconds; < 0 if
 * unknown. */
static double worker_cpu(int gw_pid)
{
	char path[64], buf[512];
	struct dirent *de;
	double sum = 0;
	bool found = false;
	DIR *d;

	if (gw_pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/task", gw_pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		FILE *f;
		char *p;
		unsigned long ut, st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(buf, sizeof(buf), "/proc/%d/task/%s/comm", gw_pid,
			 de->d_name);
		f = fopen(buf, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		/* EAL names them "rte-worker-N" (22.11), "lcore-worker-N"
		 * (older releases) */
		if (!p || (strncmp(buf, "rte-worker", 10) != 0 &&
			   strncmp(buf, "lcore-worker", 12) != 0))
			continue;
		snprintf(buf, sizeof(buf), "/proc/%d/task/%s/stat", gw_pid,
			 de->d_name);
		f = fopen(buf, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		p = p ? strrchr(buf, ')') : NULL;
		/* fields 14 and 15 (utime, stime); p is at the end of field 2 */
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				&ut, &st) == 2) {
			sum += (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
			found = true;
		}
	}
	closedir(d);
	return found ? sum : -1;
}

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double aead_ref(uint32_t size, bool decrypt)
{
	struct perf_aead_mix mix = { "e2e", &size, 1 };
	struct perf_aead_cfg cfg = { .arch = PERF_AEAD_ARCH_AUTO,
				     .api = PERF_AEAD_API_JOB, .burst = BURST,
				     .peers = 1, .max_seconds = 0.2,
				     .runs = 3 };
	struct perf_aead_result res;

	if (perf_aead_measure(&cfg, decrypt ? PERF_AEAD_DECRYPT :
					      PERF_AEAD_ENCRYPT,
			      &mix, &res) != 0)
		return 0;
	return res.mpps;
}

static void write_pcap(const char *path, const uint8_t *frames, size_t stride,
		       const uint16_t *lens, uint64_t n)
{
	FILE *f = fopen(path, "wb");
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	uint64_t i;

	if (!f) {
		fprintf(stderr, "gen_memif: %s: %s\n", path, strerror(errno));
		return;
	}
	fwrite(gh, sizeof(gh), 1, f);
	for (i = 0; i < n; i++) {
		uint32_t rh[4] = { (uint32_t)(i / 1000000),
				   (uint32_t)(i % 1000000), lens[i], lens[i] };

		fwrite(rh, sizeof(rh), 1, f);
		fwrite(frames + i * stride, lens[i], 1, f);
	}
	fclose(f);
	fprintf(stderr, "gen_memif: wrote %" PRIu64 " WAN frames to %s\n", n,
		path);
}

int run_case(struct gen *g, bool decrypt, uint32_t size)
{
	const int in_role = decrypt ? WAN : LAN;
	uint64_t n = g->o.count, sent = 0, i;
	size_t wg_len = wg_transport_sealed_len(size, MTU);
	size_t flen = decrypt ? FRAME_HDR + wg_len : RTE_ETHER_HDR_LEN + size;
	size_t stride = RTE_ALIGN_CEIL(flen, 64);
	uint8_t *frames = NULL;
	uint16_t *lens = NULL;
	uint8_t tmpl[RTE_ETHER_HDR_LEN + MTU];
	struct sink s = { .role = decrypt ? LAN : WAN,
			  .wg_len = (uint16_t)wg_len };
	struct rte_mbuf *m[BURST];
	unsigned int pend = 0, pend_off = 0;
	double aead = 0, t0, t1, cpu0, cpu1, gcpu0, gcpu1, quiet, mpps;
	double mpps_cpu = 0;
	uint8_t inner[MTU];

	if (size < 28 || size > MTU) {
		fprintf(stderr, "gen_memif: size %u outside 28..%d\n", size,
			MTU);
		return -1;
	}
	if (decrypt) {
		/* every frame sealed before the clock starts */
		frames = malloc(stride * n);
		lens = malloc(sizeof(*lens) * n);
		if (!frames || !lens) {
			free(frames);
			free(lens);
			return -1;
		}
		for (i = 0; i < n; i++) {
			uint8_t *f = frames + i * stride;

			put_inner(inner, size, tun_host, lan_host,
				  (uint16_t)i);
			wg_transport_seal(&g->session, g->send_counter++,
					  inner, size, MTU, f + FRAME_HDR);
			put_headers(f, &g->o.gw_mac[WAN], &g->ports[WAN].mac,
				    wan_peer, wan_gw, WG_PORT, WG_PORT,
				    (uint16_t)wg_len, 0);
			lens[i] = (uint16_t)flen;
			if ((i & 0xffff) == 0)
				/* keep ARP alive */
				poll_rx(g, NULL, NULL, NULL);
		}
		if (g->o.pcap) {
			write_pcap(g->o.pcap, frames, stride, lens, n);
			g->o.pcap = NULL;
		}
	} else {
		put_inner(tmpl + RTE_ETHER_HDR_LEN, size, lan_host, tun_host,
			  0);
		rte_ether_addr_copy(&g->o.gw_mac[LAN],
				    &((struct rte_ether_hdr *)tmpl)->dst_addr);
		rte_ether_addr_copy(&g->ports[LAN].mac,
				    &((struct rte_ether_hdr *)tmpl)->src_addr);
		((struct rte_ether_hdr *)tmpl)->ether_type =
			RTE_BE16(RTE_ETHER_TYPE_IPV4);
	}
	if (g->o.aead)
		aead = aead_ref(size, decrypt);

	/* let whatever is in flight settle, then go */
	quiet = now_s();
	while (now_s() - quiet < 0.05)
		poll_rx(g, NULL, NULL, NULL);
	cpu0 = worker_cpu(g->o.gw_pid);
	gcpu0 = thread_cpu();
	t0 = now_s();
	while (sent < n && now_s() - t0 < g->o.seconds) {
		if (!pend) {
			unsigned int k = (unsigned int)RTE_MIN((uint64_t)BURST,
							       n - sent);

			if (rte_pktmbuf_alloc_bulk(g->pool, m, k) != 0) {
				poll_rx(g, &s, NULL, NULL);
				continue;
			}
			for (i = 0; i < k; i++) {
				const uint8_t *src =
					decrypt ? frames + (sent + i) * stride :
						  tmpl;
				char *d = rte_pktmbuf_append(m[i],
							     (uint16_t)flen);

				rte_memcpy(d, src, flen);
			}
			pend = k;
			pend_off = 0;
		}
		{
			uint16_t k = rte_eth_tx_burst(g->ports[in_role].id, 0,
						      m + pend_off,
						      (uint16_t)pend);

			pend -= k;
			pend_off += k;
			sent += k;
		}
		poll_rx(g, &s, NULL, NULL);
	}
	if (pend)
		rte_pktmbuf_free_bulk(m + pend_off, pend);
	/* drain: until 100 ms without a counted frame, 2 s at most */
	quiet = now_s();
	while (now_s() - quiet < 2 &&
	       now_s() - (s.out ? s.last : quiet) < 0.1)
		poll_rx(g, &s, NULL, NULL);
	cpu1 = worker_cpu(g->o.gw_pid);
	gcpu1 = thread_cpu();
	t1 = now_s();

	mpps = s.out > 1 && s.last > s.first ?
		       (double)s.out / (s.last - s.first) / 1e6 : 0;
	if (cpu0 >= 0 && cpu1 > cpu0)
		mpps_cpu = (double)s.out / (cpu1 - cpu0) / 1e6;
	printf("{\"bench\": \"e2e\", \"path\": \"%s\", \"size\": %u, "
	       "\"peers\": 1, \"workers\": 1, \"mpps\": %.4f, "
	       "\"gbps\": %.4f, \"in\": %" PRIu64 ", \"out\": %" PRIu64
	       ", \"dropped\": %" PRId64 ", \"mpps_cpu\": %.4f, "
	       "\"worker_cpu_s\": %.3f, \"seconds\": %.3f, "
	       "\"aead_mpps\": %.4f, \"ratio\": %.4f, \"ratio_wall\": %.4f, "
	       "\"worker_cpu_share\": %.3f, \"gen_cpu_share\": %.3f}\n",
	       decrypt ? "decrypt" : "encrypt", size, mpps,
	       mpps * size * 8 / 1e3, sent, s.out, (int64_t)(sent - s.out),
	       mpps_cpu, cpu0 >= 0 ? cpu1 - cpu0 : -1.0, s.last - s.first,
	       aead, aead > 0 && mpps_cpu > 0 ? mpps_cpu / aead : 0,
	       aead > 0 ? mpps / aead : 0,
	       cpu0 >= 0 ? (cpu1 - cpu0) / (t1 - t0) : -1.0,
	       (gcpu1 - gcpu0) / (t1 - t0));
	fflush(stdout);
	free(frames);
	free(lens);
	return 0;
}
