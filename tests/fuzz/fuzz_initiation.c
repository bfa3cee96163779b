/* SPDX-License-Identifier: MIT */
/*
 * Handshake initiation (type 1) as the gateway receives it: mac1 (the
 * worker's check and the control core's), mac2 and the cookie reply under
 * load, then wg_noise_consume_initiation, and for the known peer
 * wg_noise_accept_initiation (timestamp replay, flood), the response and
 * the keypair.
 *
 * Input: one flags byte, then
 *   flags & 0x80 clear: the message itself, any length (seeds: the
 *     transcripts' initiations, which authenticate);
 *   flags & 0x80 set: records of 18 bytes [op][timestamp 12][dt 4][eph],
 *     each made into a valid initiation by the peer (timestamp and
 *     ephemeral chosen by the input), so that the accept logic sees
 *     ordered and replayed timestamps and close arrivals.
 * flags & 1: under load (mac2 demanded); & 2: preshared key; & 4: fill in
 * mac1 (keyed with our public key, so anyone can) before it is checked.
 */
#include "fuzz_common.h"
#include "wg_cookie.h"
#include "wg_noise.h"

static struct wg_identity gw, peer;
static struct wg_cookie_checker checker;   /* the gateway's */
static struct wg_cookie_maker peer_maker;  /* the peer's, for our key */
static struct wg_handshake hs_gw[2];       /* gateway's, for the peer */
static struct wg_handshake hs_peer[2];     /* peer's, for the gateway */
static const uint8_t source[6] = { 198, 51, 100, 2, 0xca, 0x6c };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t k[WG_KEY_LEN], psk[WG_KEY_LEN];

	(void)argc;
	(void)argv;
	fz_init();
	fz_key_b64(k, FZ_GW_PRIVATE);
	wg_identity_set(&gw, k);
	fz_key_b64(k, FZ_PEER_PRIVATE);
	wg_identity_set(&peer, k);
	fz_key_b64(psk, FZ_PSK);
	wg_cookie_checker_init(&checker, gw.public_key);
	wg_cookie_maker_init(&peer_maker, gw.public_key);
	wg_handshake_init(&hs_gw[0], &gw, peer.public_key, NULL);
	wg_handshake_init(&hs_gw[1], &gw, peer.public_key, psk);
	wg_handshake_init(&hs_peer[0], &peer, gw.public_key, NULL);
	wg_handshake_init(&hs_peer[1], &peer, gw.public_key, psk);
	return 0;
}

/* What the worker and the control core do with one initiation. */
static void receive(struct wg_handshake *hs, const uint8_t *msg, size_t len,
		    bool under_load, uint64_t now)
{
	struct wg_initiation_result res;
	struct wg_msg_response resp;
	struct wg_msg_cookie_reply reply;
	struct wg_keypair kp;
	enum wg_mac_state st;
	bool mac1 = wg_cookie_mac1_ok(checker.mac1_key, msg, len);

	st = wg_cookie_validate(&checker, msg, len, source, sizeof(source),
				under_load, now);
	/* the worker's cheap check and the full one agree on mac1 */
	FZ_CHECK(mac1 == (st != WG_MAC_INVALID));
	FZ_CHECK(!mac1 || len == WG_MSG_INITIATION_LEN ||
		 len == WG_MSG_RESPONSE_LEN);
	if (under_load && st == WG_MAC_VALID_MAC1)
		wg_cookie_create_reply(&checker, &reply, msg, len, source,
				       sizeof(source), now, NULL);
	if (len != WG_MSG_INITIATION_LEN || !mac1)
		return;
	if (wg_noise_consume_initiation(&gw, (const void *)msg, &res) !=
	    WG_NOISE_OK)
		return;
	if (!wg_equal(res.remote_static, peer.public_key, WG_KEY_LEN) ||
	    wg_noise_accept_initiation(hs, &res, now) != WG_NOISE_OK) {
		wg_wipe(&res, sizeof(res));
		return;
	}
	wg_wipe(&res, sizeof(res));
	FZ_CHECK(hs->state == WG_HS_CONSUMED_INITIATION);
	FZ_CHECK(wg_noise_create_response(hs, &resp, 0x01020304, NULL) ==
		 WG_NOISE_OK);
	FZ_CHECK(wg_noise_derive_keypair(hs, &kp) == WG_NOISE_OK);
	FZ_CHECK(kp.local_index == 0x01020304);
	wg_keypair_wipe(&kp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t flags = fz_u8(&in);
	bool psk = flags & 2, under_load = flags & 1;
	struct wg_handshake hs = hs_gw[psk];
	uint64_t now = UINT64_C(1000000000000);
	unsigned int i;

	if (!(flags & 0x80)) {
		/* a copy: the message must not depend on the input buffer's
		 * alignment or lifetime */
		uint8_t *msg = malloc(in.n ? in.n : 1);

		memcpy(msg, in.p, in.n);
		/* mac1 is keyed with our public key: anyone can make it */
		if (flags & 4) {
			struct wg_cookie_maker m = peer_maker;

			wg_cookie_add_macs(&m, msg, in.n, now);
		}
		receive(&hs, msg, in.n, under_load, now);
		free(msg);
		wg_handshake_destroy(&hs);
		return 0;
	}

	for (i = 0; i < 16 && in.n; i++) {
		struct wg_handshake ph = hs_peer[psk];
		struct wg_cookie_maker maker = peer_maker;
		struct wg_msg_initiation msg;
		struct wg_noise_inject inj;
		uint8_t ts[WG_TIMESTAMP_LEN], eph[WG_KEY_LEN];
		uint8_t op = fz_u8(&in);

		fz_take(&in, ts, sizeof(ts));
		now += (uint64_t)fz_u32(&in) * 1000;
		memset(eph, 0x40 + (fz_u8(&in) & 0x3f), sizeof(eph));
		inj = (struct wg_noise_inject){ .ephemeral_private = eph,
						.timestamp = ts };
		FZ_CHECK(wg_noise_create_initiation(&ph, &peer, &msg,
						    0x10000 + i, 0, &inj) ==
			 WG_NOISE_OK);
		if (op & 2) /* damage one byte that Noise or mac1 covers */
			((uint8_t *)&msg)[(op >> 2) % WG_INITIATION_MAC1_OFF] ^=
				ts[0] | 1;
		wg_cookie_add_macs(&maker, (uint8_t *)&msg, sizeof(msg), now);
		if (op & 1) {
			/* under load: get a cookie reply and resend with mac2,
			 * as a peer does; the round trip must authenticate */
			struct wg_msg_cookie_reply reply;

			FZ_CHECK(wg_cookie_validate(&checker, (uint8_t *)&msg,
						    sizeof(msg), source,
						    sizeof(source), true,
						    now) == WG_MAC_VALID_MAC1);
			wg_cookie_create_reply(&checker, &reply,
					       (uint8_t *)&msg, sizeof(msg),
					       source, sizeof(source), now,
					       NULL);
			FZ_CHECK(wg_cookie_consume_reply(&maker, &reply, now));
			wg_cookie_add_macs(&maker, (uint8_t *)&msg,
					   sizeof(msg), now);
			FZ_CHECK(wg_cookie_validate(&checker, (uint8_t *)&msg,
						    sizeof(msg), source,
						    sizeof(source), true,
						    now) ==
				 WG_MAC_VALID_MAC1_COOKIE);
		}
		receive(&hs, (uint8_t *)&msg, sizeof(msg), under_load, now);
		wg_handshake_destroy(&ph);
		wg_cookie_maker_wipe(&maker);
	}
	wg_handshake_destroy(&hs);
	return 0;
}
