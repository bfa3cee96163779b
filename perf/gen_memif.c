/* SPDX-License-Identifier: MIT */
/*
 * gen_memif: traffic source and sink for the end-to-end benchmark
 * (perf/e2e.sh). A separate DPDK process whose two ports face the
 * gateway's LAN and WAN ports (net_memif here; any PMD works).
 *
 *   gen_memif [EAL options] -- --gw-pub B64 --priv B64
 *             --gw-lan-mac MAC --gw-wan-mac MAC
 *             [--path encrypt|decrypt|both] [--sizes 64,512,1420]
 *             [--count N] [--seconds S] [--gw-pid PID] [--no-aead]
 *             [--write-pcap FILE]
 *
 * It is a real WireGuard peer: it answers the gateway's ARP requests on
 * both ports, performs the Noise IK handshake as initiator over the WAN
 * port (lib/wg_noise + lib/wg_cookie), confirms the session (keepalive,
 * then a probe that must come back encrypted), and then, for each size:
 *
 *  encrypt: sends Ethernet/IPv4/UDP frames (inner IP length = size) from
 *           192.0.2.2 to 203.0.113.2 into the gateway's LAN port and
 *           counts the WireGuard transport messages of the right length
 *           that come out of its WAN port;
 *  decrypt: sends transport messages sealed under the session
 *           (lib/wg_transport, counters increasing, built before the
 *           clock starts) into the WAN port and counts the inner frames
 *           to 192.0.2.2 that come out of the LAN port.
 *
 * Sending never drops: a frame the port does not take is offered again.
 * in = frames accepted by our TX, out = frames counted on the other side,
 * dropped = in - out. mpps = out / (last out - first out) on wall time.
 * With --gw-pid, the CPU time of the gateway's worker thread(s)
 * ("rte-worker-*") over the same interval gives mpps_cpu (per second of
 * worker CPU), and ratio = mpps_cpu / (raw AEAD Mpps of this process, same
 * direction and size, per CPU second: perf_aead.h) — the same footing as
 * bench_dataplane. One JSON line per case, "bench": "e2e".
 *
 * --write-pcap FILE writes the WAN frames of the first decrypt case (after
 * the handshake, before sending them) as a pcap, for pktgen-dpdk's pcap
 * mode (perf/README.md): valid only against the gateway instance that
 * made this session, once per counter, until the session expires.
 *
 * Addresses: 192.0.2.0/24 (LAN), 198.51.100.0/24 (WAN), 203.0.113.0/24
 * (the peer's AllowedIPs). Nothing else is ever sent.
 *
 * Files: gen_memif.h lists them; this one parses the options and runs the
 * cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>

#include "gen_memif.h"
#include "wg_crypto.h"
#include "wg_keys.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: gen_memif [EAL options] -- --gw-pub B64 --priv B64 "
		"--gw-lan-mac MAC --gw-wan-mac MAC [--path encrypt|decrypt|both] "
		"[--sizes 64,512,1420] [--count N] [--seconds S] [--gw-pid PID] "
		"[--no-aead] [--write-pcap FILE]\n");
	exit(2);
}

static void parse(struct opts *o, int argc, char **argv)
{
	bool pub = false, priv = false, mac[2] = { false, false };
	int i;

	o->enc = o->dec = o->aead = true;
	o->count = 1000000;
	o->seconds = 3;
	o->sizes[0] = 64;
	o->sizes[1] = 512;
	o->sizes[2] = 1420;
	o->n_sizes = 3;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-aead")) {
			o->aead = false;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--gw-pub")) {
			pub = wg_key_from_base64(o->gw_pub, v);
		} else if (!strcmp(a, "--priv")) {
			priv = wg_key_from_base64(o->priv, v);
		} else if (!strcmp(a, "--gw-lan-mac")) {
			mac[0] = rte_ether_unformat_addr(v, &o->gw_mac[LAN]) == 0;
		} else if (!strcmp(a, "--gw-wan-mac")) {
			mac[1] = rte_ether_unformat_addr(v, &o->gw_mac[WAN]) == 0;
		} else if (!strcmp(a, "--path")) {
			o->enc = !strcmp(v, "encrypt") || !strcmp(v, "both");
			o->dec = !strcmp(v, "decrypt") || !strcmp(v, "both");
			if (!o->enc && !o->dec)
				usage();
		} else if (!strcmp(a, "--sizes")) {
			char *dup = strdup(v), *tok, *save = NULL;

			o->n_sizes = 0;
			for (tok = strtok_r(dup, ",", &save);
			     tok && o->n_sizes < MAX_SIZES;
			     tok = strtok_r(NULL, ",", &save))
				o->sizes[o->n_sizes++] =
					(uint32_t)strtoul(tok, NULL, 10);
			free(dup);
		} else if (!strcmp(a, "--count")) {
			o->count = strtoull(v, NULL, 10);
		} else if (!strcmp(a, "--seconds")) {
			o->seconds = strtod(v, NULL);
		} else if (!strcmp(a, "--gw-pid")) {
			o->gw_pid = atoi(v);
		} else if (!strcmp(a, "--write-pcap")) {
			o->pcap = v;
		} else {
			usage();
		}
	}
	if (!pub || !priv || !mac[0] || !mac[1] || !o->n_sizes || !o->count)
		usage();
}

int main(int argc, char **argv)
{
	/* the generator, handed to everything that needs it */
	struct gen gen, *g = &gen;
	unsigned int i;
	int ret, status = 0;

	memset(&gen, 0, sizeof(gen));

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "gen_memif: EAL init failed\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	parse(&g->o, argc, argv);
	if (wg_crypto_init() != 0 || rte_eth_dev_count_avail() < 2) {
		fprintf(stderr, "gen_memif: needs libsodium and two ports (LAN = port 0, WAN = port 1)\n");
		return 1;
	}
	g->pool = rte_pktmbuf_pool_create("gen_pool", 16383, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  rte_socket_id());
	if (!g->pool || port_setup(g, LAN) < 0 || port_setup(g, WAN) < 0) {
		fprintf(stderr, "gen_memif: port setup failed\n");
		return 1;
	}
	if (handshake(g) != 0)
		return 1;
	fprintf(stderr, "gen_memif: session up (local index %08x, remote %08x)\n",
		g->session.local_index, g->session.remote_index);
	for (i = 0; i < g->o.n_sizes; i++) {
		if (g->o.enc && run_case(g, false, g->o.sizes[i]) != 0)
			status = 1;
		if (g->o.dec && run_case(g, true, g->o.sizes[i]) != 0)
			status = 1;
	}
	wg_keypair_wipe(&g->session);
	rte_eth_dev_stop(g->ports[LAN].id);
	rte_eth_dev_stop(g->ports[WAN].id);
	rte_eal_cleanup();
	return status;
}
