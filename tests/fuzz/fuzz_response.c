/* SPDX-License-Identifier: MIT */
/*
 * Handshake response (type 2) as the gateway receives it after it sent an
 * initiation: mac1/mac2, then wg_noise_consume_response on a handshake in
 * CREATED_INITIATION state (the transcripts' "we_initiate" cases, with and
 * without a preshared key), then the keypair.
 *
 * Input: one flags byte (& 2: preshared key; & 1: under load; & 4: fill
 * in mac1, which anyone who knows our public key can), then
 *   flags & 0x80 clear: the response itself, any length (seeds: the
 *     transcripts' responses from wireguard-go, which authenticate);
 *   flags & 0x80 set: [eph 32][sender index 4][damage 2]: the peer answers
 *     our initiation with that ephemeral key; both sides must then derive
 *     matching keys (unless a byte was damaged, which must be refused).
 */
#include "fuzz_common.h"
#include "wg_cookie.h"
#include "wg_noise.h"

static struct wg_identity gw, peer;
static struct wg_cookie_checker checker;      /* the gateway's */
static struct wg_cookie_maker peer_maker;     /* the peer's, our key */
static struct wg_handshake hs_sent[2];        /* CREATED_INITIATION */
static struct wg_handshake hs_peer[2];        /* the peer's, for us */
static struct wg_msg_initiation sent[2];      /* what we sent */
static const uint8_t source[6] = { 198, 51, 100, 2, 0xca, 0x6c };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t k[WG_KEY_LEN], psk[WG_KEY_LEN], eph[WG_KEY_LEN];
	uint8_t ts[WG_TIMESTAMP_LEN];
	struct wg_cookie_maker our_maker;
	struct wg_noise_inject inj = { .ephemeral_private = eph,
				       .timestamp = ts };
	int i;

	(void)argc;
	(void)argv;
	fz_init();
	fz_key_b64(k, FZ_GW_PRIVATE);
	wg_identity_set(&gw, k);
	fz_key_b64(k, FZ_PEER_PRIVATE);
	wg_identity_set(&peer, k);
	fz_key_b64(psk, FZ_PSK);
	fz_key_b64(eph, FZ_WE_EPHEMERAL);
	fz_hex(ts, sizeof(ts), FZ_WE_TIMESTAMP);
	wg_cookie_checker_init(&checker, gw.public_key);
	wg_cookie_maker_init(&peer_maker, gw.public_key);
	wg_cookie_maker_init(&our_maker, peer.public_key);
	for (i = 0; i < 2; i++) {
		wg_handshake_init(&hs_sent[i], &gw, peer.public_key,
				  i ? psk : NULL);
		FZ_CHECK(wg_noise_create_initiation(&hs_sent[i], &gw, &sent[i],
						    FZ_WE_SENDER_INDEX, 0,
						    &inj) == WG_NOISE_OK);
		wg_cookie_add_macs(&our_maker, (uint8_t *)&sent[i],
				   sizeof(sent[i]), 0);
		FZ_CHECK(hs_sent[i].state == WG_HS_CREATED_INITIATION);
		wg_handshake_init(&hs_peer[i], &peer, gw.public_key,
				  i ? psk : NULL);
	}
	return 0;
}

/* The control core's on_response, minus the tables. */
static bool receive(struct wg_handshake *hs, const uint8_t *msg, size_t len,
		    bool under_load, struct wg_keypair *kp)
{
	enum wg_mac_state st;
	bool mac1 = wg_cookie_mac1_ok(checker.mac1_key, msg, len);

	st = wg_cookie_validate(&checker, msg, len, source, sizeof(source),
				under_load, 1000);
	FZ_CHECK(mac1 == (st != WG_MAC_INVALID));
	if (len != WG_MSG_RESPONSE_LEN || !mac1)
		return false;
	if (wg_noise_consume_response(hs, &gw, (const void *)msg) !=
	    WG_NOISE_OK) {
		/* a failed step leaves the handshake as it was */
		FZ_CHECK(hs->state == WG_HS_CREATED_INITIATION);
		return false;
	}
	FZ_CHECK(hs->state == WG_HS_CONSUMED_RESPONSE);
	FZ_CHECK(wg_noise_derive_keypair(hs, kp) == WG_NOISE_OK);
	FZ_CHECK(kp->we_are_initiator && kp->local_index == FZ_WE_SENDER_INDEX);
	/* a second copy of the same response is refused */
	FZ_CHECK(wg_noise_consume_response(hs, &gw, (const void *)msg) !=
		 WG_NOISE_OK);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t flags = fz_u8(&in);
	int psk = (flags & 2) ? 1 : 0;
	struct wg_handshake hs = hs_sent[psk];
	struct wg_keypair kp;

	if (!(flags & 0x80)) {
		uint8_t *msg = malloc(in.n ? in.n : 1);

		memcpy(msg, in.p, in.n);
		/* mac1 is keyed with our public key: anyone can make it */
		if (flags & 4)
			wg_cookie_add_macs(&peer_maker, msg, in.n, 0);
		if (receive(&hs, msg, in.n, flags & 1, &kp))
			wg_keypair_wipe(&kp);
		free(msg);
	} else {
		struct wg_handshake ph = hs_peer[psk];
		struct wg_cookie_maker maker = peer_maker;
		struct wg_initiation_result res;
		struct wg_msg_response resp;
		struct wg_keypair pkp;
		uint8_t eph[WG_KEY_LEN];
		uint32_t idx;
		uint16_t damage, pos;
		bool ok;

		fz_take(&in, eph, sizeof(eph));
		idx = fz_u32(&in);
		damage = fz_u16(&in);
		FZ_CHECK(wg_noise_consume_initiation(&peer, &sent[psk], &res) ==
			 WG_NOISE_OK);
		FZ_CHECK(wg_noise_accept_initiation(&ph, &res, 1) ==
			 WG_NOISE_OK);
		wg_wipe(&res, sizeof(res));
		if (wg_noise_create_response(
			    &ph, &resp, idx,
			    &(struct wg_noise_inject){ .ephemeral_private =
							       eph }) !=
		    WG_NOISE_OK) {
			/* only a low-order ephemeral may fail */
			wg_handshake_destroy(&ph);
			wg_handshake_destroy(&hs);
			return 0;
		}
		FZ_CHECK(wg_noise_derive_keypair(&ph, &pkp) == WG_NOISE_OK);
		/* damage one byte, then make mac1 fit (anyone can) */
		pos = damage % WG_RESPONSE_MAC1_OFF;
		if (damage & 0x8000)
			((uint8_t *)&resp)[pos] ^= (uint8_t)(damage >> 7) | 1;
		wg_cookie_add_macs(&maker, (uint8_t *)&resp, sizeof(resp), 0);
		ok = receive(&hs, (uint8_t *)&resp, sizeof(resp), false, &kp);
		/* type, reserved bytes and our receiver index are checked,
		 * a flipped bit in e or the empty AEAD breaks the AEAD; only
		 * the sender index is not Noise's (mac1 covers it) */
		FZ_CHECK(ok == (!(damage & 0x8000) || (pos >= 4 && pos < 8)));
		idx = wg_get_le32(resp.sender_index);
		if (ok) {
			FZ_CHECK(wg_equal(kp.sending_key, pkp.receiving_key,
					  WG_KEY_LEN));
			FZ_CHECK(wg_equal(kp.receiving_key, pkp.sending_key,
					  WG_KEY_LEN));
			FZ_CHECK(kp.remote_index == idx);
			wg_keypair_wipe(&kp);
		}
		wg_keypair_wipe(&pkp);
		wg_handshake_destroy(&ph);
		wg_cookie_maker_wipe(&maker);
	}
	wg_handshake_destroy(&hs);
	return 0;
}
