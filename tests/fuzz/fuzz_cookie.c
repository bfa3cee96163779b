/* SPDX-License-Identifier: MIT */
/*
 * Cookie reply (type 3) as the gateway receives it for an initiation it
 * sent: wg_cookie_consume_reply on the peer's cookie maker, then the mac2
 * the cookie makes, checked by the peer's side.
 *
 * Input: one flags byte, then
 *   flags & 0x80 clear: the reply itself, any length;
 *   flags & 0x80 set: [nonce 24][source length 1][source 18][dt 4]
 *     [damage 2]: the peer answers our initiation with a real cookie
 *     reply (for that source and nonce); we must accept it exactly when
 *     no authenticated byte was damaged, and the mac2 we then send must
 *     satisfy the peer while the cookie is fresh (dt seconds later).
 */
#include "fuzz_common.h"
#include "wg_cookie.h"
#include "wg_noise.h"

static struct wg_identity gw, peer;
static struct wg_cookie_maker our_maker;     /* ours, for the peer */
static struct wg_cookie_checker peer_checker;
static struct wg_msg_initiation sent;        /* what we sent */
enum { T0 = 1000 };                          /* seconds */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t k[WG_KEY_LEN], eph[WG_KEY_LEN], ts[WG_TIMESTAMP_LEN];
	struct wg_noise_inject inj = { .ephemeral_private = eph,
				       .timestamp = ts };
	struct wg_handshake hs = { 0 };  /* first init: from zero */

	(void)argc;
	(void)argv;
	fz_init();
	fz_key_b64(k, FZ_GW_PRIVATE);
	wg_identity_set(&gw, k);
	fz_key_b64(k, FZ_PEER_PRIVATE);
	wg_identity_set(&peer, k);
	fz_key_b64(eph, FZ_WE_EPHEMERAL);
	fz_hex(ts, sizeof(ts), FZ_WE_TIMESTAMP);
	wg_cookie_maker_init(&our_maker, peer.public_key);
	wg_cookie_checker_init(&peer_checker, peer.public_key);
	wg_handshake_init(&hs, &gw, peer.public_key, NULL);
	FZ_CHECK(wg_noise_create_initiation(&hs, &gw, &sent,
					    FZ_WE_SENDER_INDEX, 0, &inj) ==
		 WG_NOISE_OK);
	wg_cookie_add_macs(&our_maker, (uint8_t *)&sent, sizeof(sent),
			   (uint64_t)T0 * 1000000000);
	wg_handshake_destroy(&hs);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t flags = fz_u8(&in);
	struct wg_cookie_maker m = our_maker;
	struct wg_cookie_checker c = peer_checker;
	uint64_t now = (uint64_t)T0 * 1000000000;
	struct wg_msg_cookie_reply reply;
	uint8_t nonce[WG_COOKIE_NONCE_LEN], src[WG_COOKIE_SOURCE_MAX];
	struct wg_msg_initiation again;
	uint32_t dt;
	uint16_t damage, pos;
	size_t src_len;
	bool ok;

	if (!(flags & 0x80)) {
		if (in.n == sizeof(reply)) {
			memcpy(&reply, in.p, sizeof(reply));
			if (wg_cookie_consume_reply(&m, &reply, now)) {
				FZ_CHECK(m.is_cookie_valid);
				FZ_CHECK(!wg_cookie_consume_reply(&m, &reply,
								  now));
			}
		}
		wg_cookie_maker_wipe(&m);
		return 0;
	}

	fz_take(&in, nonce, sizeof(nonce));
	src_len = fz_u8(&in) % (WG_COOKIE_SOURCE_MAX + 1);
	fz_take(&in, src, sizeof(src));
	dt = fz_u32(&in);
	damage = fz_u16(&in);

	wg_cookie_create_reply(&c, &reply, (uint8_t *)&sent, sizeof(sent), src,
			       src_len, now, nonce);
	pos = damage % sizeof(reply);
	if (damage & 0x8000)
		((uint8_t *)&reply)[pos] ^= (uint8_t)(damage >> 7) | 1;
	ok = wg_cookie_consume_reply(&m, &reply, now);
	/* the receiver index is not authenticated (the caller looks it up);
	 * everything else is */
	FZ_CHECK(ok == (!(damage & 0x8000) || (pos >= 4 && pos < 8)));
	FZ_CHECK(!wg_cookie_consume_reply(&m, &reply, now));
	if (ok) {
		uint64_t later = now + (uint64_t)(dt % 400) * 1000000000 +
				 dt / 400;
		enum wg_mac_state st;
		unsigned int age = dt % 400;

		again = sent;
		wg_cookie_add_macs(&m, (uint8_t *)&again, sizeof(again), later);
		st = wg_cookie_validate(&c, (uint8_t *)&again, sizeof(again),
					src, src_len, true, later);
		FZ_CHECK(st != WG_MAC_INVALID);
		/* fresh cookie: mac2 accepted; stale (the maker stops
		 * using it 5 s before the checker rotates): mac1 only */
		if (age < WG_COOKIE_SECRET_MAX_AGE - WG_COOKIE_SECRET_LATENCY)
			FZ_CHECK(st == WG_MAC_VALID_MAC1_COOKIE);
		else
			FZ_CHECK(st == WG_MAC_VALID_MAC1);
	}
	wg_cookie_maker_wipe(&m);
	wg_cookie_checker_wipe(&c);
	return 0;
}
