/* SPDX-License-Identifier: MIT */
/*
 * Two in-process peers run the whole handshake as the control core does:
 * macs, cookies under load, Noise, key derivation and transport messages.
 * Every single-byte corruption of every message must be refused.
 */
#include "test_support.h"

#include <string.h>

#include "wg_cookie.h"
#include "wg_crypto.h"
#include "wg_noise.h"
#include "wg_transport.h"

enum { MTU = 1420, SEC = 1000000000 };

/* One side of the conversation, with a single configured peer. */
struct side {
	struct wg_identity id;
	struct wg_cookie_checker checker;
	struct wg_handshake hs;      /* our handshake with the other side */
	struct wg_cookie_maker maker; /* macs we put on messages to them */
	struct wg_keypair kp;
	bool has_keypair;
	bool under_load;
	uint8_t source[6];           /* the other side's address, as seen */
	uint32_t next_index;
};

enum outcome {
	DROPPED_MAC1,
	SENT_COOKIE_REPLY,
	REJECTED,
	ACCEPTED,
};

static void side_setup(struct side *s, const uint8_t priv[32],
		       const uint8_t peer_pub[32], const uint8_t *psk,
		       uint32_t index_base, uint8_t last_octet)
{
	memset(s, 0, sizeof(*s));
	wg_identity_set(&s->id, priv);
	wg_cookie_checker_init(&s->checker, s->id.public_key);
	wg_handshake_init(&s->hs, &s->id, peer_pub, psk);
	wg_cookie_maker_init(&s->maker, peer_pub);
	s->next_index = index_base;
	memcpy(s->source, (uint8_t[]){ 198, 51, 100, last_octet, 0xca, 0x6c }, 6);
}

static void side_destroy(struct side *s)
{
	wg_keypair_wipe(&s->kp);
	wg_handshake_destroy(&s->hs);
	wg_cookie_checker_wipe(&s->checker);
	wg_cookie_maker_wipe(&s->maker);
	wg_identity_clear(&s->id);
}

static void make_initiation(struct side *s, struct wg_msg_initiation *msg,
			    uint64_t now)
{
	assert_int_equal(wg_noise_create_initiation(&s->hs, &s->id, msg,
						    s->next_index++, now, NULL),
			 WG_NOISE_OK);
	wg_cookie_add_macs(&s->maker, (uint8_t *)msg, sizeof(*msg), now);
}

/* The responder's control-core path for an initiation. On ACCEPTED the
 * response is in *resp; on SENT_COOKIE_REPLY the reply is in *cookie. */
static enum outcome receive_initiation(struct side *s,
				       const struct wg_msg_initiation *msg,
				       struct wg_msg_response *resp,
				       struct wg_msg_cookie_reply *cookie,
				       uint64_t now)
{
	struct wg_initiation_result res;
	enum wg_mac_state mac;

	mac = wg_cookie_validate(&s->checker, (const uint8_t *)msg,
				 sizeof(*msg), s->source, sizeof(s->source),
				 s->under_load, now);
	if (mac == WG_MAC_INVALID)
		return DROPPED_MAC1;
	if (s->under_load && mac != WG_MAC_VALID_MAC1_COOKIE) {
		wg_cookie_create_reply(&s->checker, cookie, (const uint8_t *)msg,
				       sizeof(*msg), s->source,
				       sizeof(s->source), now, NULL);
		return SENT_COOKIE_REPLY;
	}
	if (wg_noise_consume_initiation(&s->id, msg, &res) != WG_NOISE_OK)
		return REJECTED;
	if (!wg_equal(res.remote_static, s->hs.remote_static, 32))
		return REJECTED; /* unknown peer */
	if (wg_noise_accept_initiation(&s->hs, &res, now) != WG_NOISE_OK)
		return REJECTED;
	assert_int_equal(wg_noise_create_response(&s->hs, resp,
						  s->next_index++, NULL),
			 WG_NOISE_OK);
	wg_cookie_add_macs(&s->maker, (uint8_t *)resp, sizeof(*resp), now);
	assert_int_equal(wg_noise_derive_keypair(&s->hs, &s->kp), WG_NOISE_OK);
	s->has_keypair = true;
	return ACCEPTED;
}

static enum outcome receive_response(struct side *s,
				     const struct wg_msg_response *msg,
				     uint64_t now)
{
	enum wg_mac_state mac;

	mac = wg_cookie_validate(&s->checker, (const uint8_t *)msg,
				 sizeof(*msg), s->source, sizeof(s->source),
				 s->under_load, now);
	if (mac == WG_MAC_INVALID)
		return DROPPED_MAC1;
	if (s->under_load && mac != WG_MAC_VALID_MAC1_COOKIE)
		return SENT_COOKIE_REPLY;
	if (wg_noise_consume_response(&s->hs, &s->id, msg) != WG_NOISE_OK)
		return REJECTED;
	assert_int_equal(wg_noise_derive_keypair(&s->hs, &s->kp), WG_NOISE_OK);
	s->has_keypair = true;
	return ACCEPTED;
}

struct pair {
	struct side a, b;
};

static void pair_setup(struct pair *p, bool with_psk)
{
	uint8_t pa[32], pb[32], pub_a[32], pub_b[32], psk[32];

	wg_generate_private(pa);
	wg_generate_private(pb);
	wg_public_from_private(pub_a, pa);
	wg_public_from_private(pub_b, pb);
	wg_random(psk, sizeof(psk));
	side_setup(&p->a, pa, pub_b, with_psk ? psk : NULL, 100, 1);
	side_setup(&p->b, pb, pub_a, with_psk ? psk : NULL, 200, 2);
	wg_wipe(pa, 32);
	wg_wipe(pb, 32);
	wg_wipe(psk, 32);
}

static void pair_destroy(struct pair *p)
{
	side_destroy(&p->a);
	side_destroy(&p->b);
}

/* Data both ways over the derived keypairs. */
static void assert_transport_works(struct side *x, struct side *y)
{
	const uint8_t payload[] = "hello through the tunnel, 43 bytes long..";
	uint8_t msg[256], out[256];
	size_t len, out_len;
	uint64_t ctr;

	assert_int_equal(x->kp.sending_key[0], y->kp.receiving_key[0]);
	len = wg_transport_seal(&x->kp, 7, payload, sizeof(payload), MTU, msg);
	assert_int_equal(len, 16 + 48 + 16);
	assert_true(wg_transport_open(&y->kp, msg, len, out, &out_len, &ctr));
	assert_int_equal(ctr, 7);
	assert_memory_equal(out, payload, sizeof(payload));
	len = wg_transport_seal(&y->kp, 0, NULL, 0, MTU, msg); /* keepalive */
	assert_int_equal(len, WG_MSG_TRANSPORT_MIN_LEN);
	assert_true(wg_transport_open(&x->kp, msg, len, out, &out_len, &ctr));
	assert_int_equal(out_len, 0);
}

static void handshake(struct side *init, struct side *resp_side, uint64_t now)
{
	struct wg_msg_initiation init_msg;
	struct wg_msg_response resp;
	struct wg_msg_cookie_reply cookie;

	make_initiation(init, &init_msg, now);
	assert_int_equal(receive_initiation(resp_side, &init_msg, &resp,
					    &cookie, now),
			 ACCEPTED);
	assert_int_equal(receive_response(init, &resp, now), ACCEPTED);
	assert_true(init->kp.we_are_initiator);
	assert_false(resp_side->kp.we_are_initiator);
	assert_memory_equal(init->kp.sending_key, resp_side->kp.receiving_key, 32);
	assert_memory_equal(init->kp.receiving_key, resp_side->kp.sending_key, 32);
	assert_int_equal(init->kp.remote_index, resp_side->kp.local_index);
	assert_int_equal(resp_side->kp.remote_index, init->kp.local_index);
}

static void test_full_handshake_both_ways(void **state)
{
	(void)state;
	for (int psk = 0; psk < 2; psk++) {
		struct pair p;

		pair_setup(&p, psk);
		handshake(&p.a, &p.b, 10ull * SEC);
		assert_transport_works(&p.a, &p.b);
		assert_transport_works(&p.b, &p.a);
		/* now the other side initiates, a little later */
		handshake(&p.b, &p.a, 20ull * SEC);
		assert_transport_works(&p.b, &p.a);
		pair_destroy(&p);
	}
}

/* A PSK known only to one side: the handshake must not complete. */
static void test_psk_mismatch_fails(void **state)
{
	struct pair p;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_msg_cookie_reply cookie;
	uint8_t psk[32];

	(void)state;
	pair_setup(&p, false);
	wg_random(psk, 32);
	wg_handshake_init(&p.b.hs, &p.b.id, p.b.hs.remote_static, psk);
	make_initiation(&p.a, &init, SEC);
	/* the responder mixes its PSK only into the response ... */
	assert_int_equal(receive_initiation(&p.b, &init, &resp, &cookie, SEC),
			 ACCEPTED);
	/* ... which the initiator cannot authenticate */
	assert_int_equal(receive_response(&p.a, &resp, SEC), REJECTED);
	assert_false(p.a.has_keypair);
	pair_destroy(&p);
}

static void test_flipped_initiation_bytes_refused(void **state)
{
	struct pair p;
	struct wg_msg_initiation good, bad;
	struct wg_msg_response resp;
	struct wg_msg_cookie_reply cookie;

	(void)state;
	pair_setup(&p, false);
	make_initiation(&p.a, &good, SEC);
	/* Without load mac2 is not examined (by design of the protocol), so
	 * every byte up to mac2 must break the message. */
	for (size_t i = 0; i < offsetof(struct wg_msg_initiation, mac2); i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			memcpy(&bad, &good, sizeof(bad));
			((uint8_t *)&bad)[i] ^= (uint8_t)(1u << bit);
			assert_int_not_equal(receive_initiation(&p.b, &bad, &resp,
								&cookie, SEC),
					     ACCEPTED);
		}
	}
	/* mac1 is no authentication: anyone who knows b's public key can
	 * recompute it. Noise itself must refuse every altered byte it
	 * covers (all but the sender index, which it does not bind). */
	for (size_t i = 0; i < WG_INITIATION_MAC1_OFF; i++) {
		if (i >= 4 && i < 8)
			continue;
		memcpy(&bad, &good, sizeof(bad));
		((uint8_t *)&bad)[i] ^= 0x20;
		wg_cookie_add_macs(&p.a.maker, (uint8_t *)&bad, sizeof(bad), SEC);
		assert_int_equal(receive_initiation(&p.b, &bad, &resp, &cookie,
						    SEC),
				 REJECTED);
	}
	/* the untouched message still goes through afterwards */
	assert_int_equal(receive_initiation(&p.b, &good, &resp, &cookie, SEC),
			 ACCEPTED);
	pair_destroy(&p);
}

static void test_flipped_response_bytes_refused(void **state)
{
	struct pair p;
	struct wg_msg_initiation init;
	struct wg_msg_response good, bad;
	struct wg_msg_cookie_reply cookie;

	(void)state;
	pair_setup(&p, true);
	make_initiation(&p.a, &init, SEC);
	assert_int_equal(receive_initiation(&p.b, &init, &good, &cookie, SEC),
			 ACCEPTED);
	for (size_t i = 0; i < offsetof(struct wg_msg_response, mac2); i++) {
		struct wg_handshake saved = p.a.hs;

		memcpy(&bad, &good, sizeof(bad));
		((uint8_t *)&bad)[i] ^= 0x01;
		assert_int_not_equal(receive_response(&p.a, &bad, SEC), ACCEPTED);
		/* a refused response leaves the handshake untouched */
		assert_memory_equal(&saved, &p.a.hs, sizeof(saved));
	}
	assert_int_equal(receive_response(&p.a, &good, SEC), ACCEPTED);
	pair_destroy(&p);
}

/* Under load, mac2 is checked too: then every byte of both messages,
 * including mac2, matters. */
static void test_flipped_bytes_under_load_with_cookie(void **state)
{
	struct pair p;
	struct wg_msg_initiation init, bad;
	struct wg_msg_response resp, bad_resp;
	struct wg_msg_cookie_reply cookie;
	uint64_t now = 3ull * SEC;

	(void)state;
	pair_setup(&p, false);
	p.a.under_load = p.b.under_load = true;

	/* get a cookie from b, retry with mac2 */
	make_initiation(&p.a, &init, now);
	assert_int_equal(receive_initiation(&p.b, &init, &resp, &cookie, now),
			 SENT_COOKIE_REPLY);
	assert_true(wg_cookie_consume_reply(&p.a.maker, &cookie, now));
	make_initiation(&p.a, &init, now + SEC);
	for (size_t i = 0; i < sizeof(init); i++) {
		memcpy(&bad, &init, sizeof(bad));
		((uint8_t *)&bad)[i] ^= 0x80;
		assert_int_not_equal(receive_initiation(&p.b, &bad, &resp,
							&cookie, now + SEC),
				     ACCEPTED);
	}
	assert_int_equal(receive_initiation(&p.b, &init, &resp, &cookie,
					    now + SEC),
			 ACCEPTED);

	/* a is under load too: b's response needs a cookie from a; get one
	 * (a cookie reply to the response), then check every response byte */
	{
		struct wg_msg_cookie_reply c2;

		wg_cookie_create_reply(&p.a.checker, &c2, (uint8_t *)&resp,
				       sizeof(resp), p.a.source,
				       sizeof(p.a.source), now + SEC, NULL);
		assert_true(wg_cookie_consume_reply(&p.b.maker, &c2, now + SEC));
		wg_cookie_add_macs(&p.b.maker, (uint8_t *)&resp, sizeof(resp),
				   now + SEC);
	}
	for (size_t i = 0; i < sizeof(resp); i++) {
		memcpy(&bad_resp, &resp, sizeof(bad_resp));
		((uint8_t *)&bad_resp)[i] ^= 0x80;
		assert_int_not_equal(receive_response(&p.a, &bad_resp, now + SEC),
				     ACCEPTED);
	}
	assert_int_equal(receive_response(&p.a, &resp, now + SEC), ACCEPTED);
	pair_destroy(&p);
}

static void test_flipped_transport_bytes_refused(void **state)
{
	struct pair p;
	uint8_t msg[128], bad[128], out[128];
	size_t len, out_len;
	uint64_t ctr;

	(void)state;
	pair_setup(&p, false);
	handshake(&p.a, &p.b, SEC);
	len = wg_transport_seal(&p.a.kp, 1, (const uint8_t *)"ping", 4, MTU, msg);
	for (size_t i = 0; i < len; i++) {
		memcpy(bad, msg, len);
		bad[i] ^= 0x04;
		assert_false(wg_transport_open(&p.b.kp, bad, len, out, &out_len,
					       &ctr));
	}
	/* truncated by one byte, and shorter than a keepalive */
	assert_false(wg_transport_open(&p.b.kp, msg, len - 1, out, &out_len,
				       &ctr));
	assert_false(wg_transport_open(&p.b.kp, msg, 31, out, &out_len, &ctr));
	assert_true(wg_transport_open(&p.b.kp, msg, len, out, &out_len, &ctr));
	pair_destroy(&p);
}

static void test_replayed_initiation_refused(void **state)
{
	struct pair p;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_msg_cookie_reply cookie;

	(void)state;
	pair_setup(&p, false);
	make_initiation(&p.a, &init, 5ull * SEC);
	assert_int_equal(receive_initiation(&p.b, &init, &resp, &cookie,
					    5ull * SEC),
			 ACCEPTED);
	/* the very same bytes a minute later: the timestamp is not newer */
	assert_int_equal(receive_initiation(&p.b, &init, &resp, &cookie,
					    65ull * SEC),
			 REJECTED);
	pair_destroy(&p);
}

static void test_initiation_flood_refused(void **state)
{
	struct pair p;
	struct wg_msg_initiation i1, i2;
	struct wg_msg_response resp;
	struct wg_msg_cookie_reply cookie;
	const uint64_t t = 7ull * SEC;

	(void)state;
	pair_setup(&p, false);
	/* two initiations with newer timestamps, 10 ms apart at the receiver:
	 * the second is refused (at most 50 per second per peer) */
	make_initiation(&p.a, &i1, t);
	make_initiation(&p.a, &i2, t + SEC);
	assert_int_equal(receive_initiation(&p.b, &i1, &resp, &cookie, t),
			 ACCEPTED);
	assert_int_equal(receive_initiation(&p.b, &i2, &resp, &cookie,
					    t + 10000000),
			 REJECTED);
	assert_int_equal(receive_initiation(&p.b, &i2, &resp, &cookie,
					    t + 30000000),
			 ACCEPTED);
	pair_destroy(&p);
}

static void test_wrong_mac1_refused(void **state)
{
	struct pair p;
	struct side stranger;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_msg_cookie_reply cookie;
	uint8_t priv[32], other_pub[32], other_priv[32];

	(void)state;
	pair_setup(&p, false);
	/* mac1 keyed for someone else's public key */
	wg_generate_private(priv);
	wg_generate_private(other_priv);
	wg_public_from_private(other_pub, other_priv);
	side_setup(&stranger, priv, other_pub, NULL, 1, 9);
	make_initiation(&stranger, &init, SEC);
	assert_int_equal(receive_initiation(&p.b, &init, &resp, &cookie, SEC),
			 DROPPED_MAC1);
	/* the right mac1 but a peer b does not know: decrypts, then refused */
	wg_handshake_init(&stranger.hs, &stranger.id, p.b.id.public_key, NULL);
	wg_cookie_maker_init(&stranger.maker, p.b.id.public_key);
	make_initiation(&stranger, &init, SEC);
	assert_int_equal(receive_initiation(&p.b, &init, &resp, &cookie, SEC),
			 REJECTED);
	side_destroy(&stranger);
	pair_destroy(&p);
}

static void test_cookie_reply_under_load(void **state)
{
	struct pair p;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_msg_cookie_reply cookie, replay;
	const uint64_t t = 100ull * SEC;

	(void)state;
	pair_setup(&p, true);
	p.b.under_load = true;
	make_initiation(&p.a, &init, t);
	assert_int_equal(receive_initiation(&p.b, &init, &resp, &cookie, t),
			 SENT_COOKIE_REPLY);
	assert_int_equal(wg_get_le32(cookie.receiver_index),
			 wg_get_le32(init.sender_index));
	memcpy(&replay, &cookie, sizeof(replay));
	assert_false(p.a.has_keypair);
	assert_true(wg_cookie_consume_reply(&p.a.maker, &cookie, t));
	/* the same reply twice is ignored */
	assert_false(wg_cookie_consume_reply(&p.a.maker, &replay, t));

	/* the retried initiation carries mac2 and succeeds */
	make_initiation(&p.a, &init, t + 2ull * SEC);
	assert_false(wg_is_zero(init.mac2, sizeof(init.mac2)));
	assert_int_equal(receive_initiation(&p.b, &init, &resp, &cookie,
					    t + 2ull * SEC),
			 ACCEPTED);
	assert_int_equal(receive_response(&p.a, &resp, t + 2ull * SEC),
			 ACCEPTED);
	assert_transport_works(&p.a, &p.b);

	/* a cookie from another source address is worthless */
	make_initiation(&p.a, &init, t + 4ull * SEC);
	p.b.source[3] ^= 1;
	assert_int_equal(receive_initiation(&p.b, &init, &resp, &cookie,
					    t + 4ull * SEC),
			 SENT_COOKIE_REPLY);
	pair_destroy(&p);
}

static void test_cookie_expires(void **state)
{
	struct pair p;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_msg_cookie_reply cookie;
	const uint64_t t = 50ull * SEC;

	(void)state;
	pair_setup(&p, false);
	p.b.under_load = true;
	make_initiation(&p.a, &init, t);
	assert_int_equal(receive_initiation(&p.b, &init, &resp, &cookie, t),
			 SENT_COOKIE_REPLY);
	assert_true(wg_cookie_consume_reply(&p.a.maker, &cookie, t));
	/* 115 s later (120 s secret lifetime less 5 s latency) the maker no
	 * longer uses the cookie */
	make_initiation(&p.a, &init, t + 115ull * SEC);
	assert_true(wg_is_zero(init.mac2, sizeof(init.mac2)));
	pair_destroy(&p);
}

static void test_under_load_policy(void **state)
{
	struct wg_load_state s = { 0 };

	(void)state;
	assert_false(wg_under_load(&s, 0, 4096, 1ull * SEC));
	assert_false(wg_under_load(&s, 511, 4096, 1ull * SEC));
	assert_true(wg_under_load(&s, 512, 4096, 2ull * SEC));
	/* sticky for one second after the queue drains */
	assert_true(wg_under_load(&s, 0, 4096, 2ull * SEC + 999999999ull));
	assert_false(wg_under_load(&s, 0, 4096, 3ull * SEC));
}

/* Low-order points: a peer key or an ephemeral that makes DH zero. */
static void test_low_order_keys_refused(void **state)
{
	/* The all-zero point and a known order-8 point of Curve25519. */
	static const uint8_t low_order[][32] = {
		{ 0 },
		{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3,
		  0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32,
		  0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00 },
	};
	struct pair p;
	struct wg_msg_initiation init, bad;
	struct wg_initiation_result res;

	(void)state;
	pair_setup(&p, false);
	for (size_t i = 0; i < 2; i++) {
		struct wg_handshake hs = { 0 };
		struct wg_msg_initiation m;

		wg_handshake_init(&hs, &p.a.id, low_order[i], NULL);
		assert_int_equal(wg_noise_create_initiation(&hs, &p.a.id, &m, 1,
							    SEC, NULL),
				 WG_NOISE_LOW_ORDER);
		assert_false(hs.static_static_ok);
		wg_handshake_destroy(&hs);
	}
	/* an initiation whose ephemeral is low order */
	make_initiation(&p.a, &init, SEC);
	memcpy(&bad, &init, sizeof(bad));
	memcpy(bad.unencrypted_ephemeral, low_order[1], 32);
	assert_int_equal(wg_noise_consume_initiation(&p.b.id, &bad, &res),
			 WG_NOISE_LOW_ORDER);
	pair_destroy(&p);
}

static void test_response_without_initiation(void **state)
{
	struct pair p, q;
	struct wg_msg_initiation init;
	struct wg_msg_response resp;
	struct wg_msg_cookie_reply cookie;

	(void)state;
	pair_setup(&p, false);
	pair_setup(&q, false);
	/* b answers a's initiation; a second, fresh a never initiated */
	make_initiation(&p.a, &init, SEC);
	assert_int_equal(receive_initiation(&p.b, &init, &resp, &cookie, SEC),
			 ACCEPTED);
	assert_int_equal(wg_noise_consume_response(&q.a.hs, &q.a.id, &resp),
			 WG_NOISE_BAD_STATE);
	/* after a completes, the same response again finds no initiation */
	assert_int_equal(receive_response(&p.a, &resp, SEC), ACCEPTED);
	assert_int_equal(wg_noise_consume_response(&p.a.hs, &p.a.id, &resp),
			 WG_NOISE_BAD_STATE);
	/* and no keys can be derived from an idle handshake */
	assert_int_equal(wg_noise_derive_keypair(&q.b.hs, &q.b.kp),
			 WG_NOISE_BAD_STATE);
	pair_destroy(&p);
	pair_destroy(&q);
}

static void test_no_identity(void **state)
{
	struct wg_identity id = { 0 };
	struct wg_handshake hs = { 0 };
	struct wg_msg_initiation m;
	struct wg_initiation_result res;
	uint8_t zero[32] = { 0 }, pub[32];

	(void)state;
	wg_identity_set(&id, zero);
	assert_false(id.has_private_key);
	wg_random(pub, 32);
	wg_handshake_init(&hs, &id, pub, NULL);
	assert_int_equal(wg_noise_create_initiation(&hs, &id, &m, 1, 0, NULL),
			 WG_NOISE_NO_IDENTITY);
	memset(&m, 0, sizeof(m));
	assert_int_equal(wg_noise_consume_initiation(&id, &m, &res),
			 WG_NOISE_NO_IDENTITY);
}

static void test_padding(void **state)
{
	(void)state;
	assert_int_equal(wg_padded_len(0, 1420), 0);
	assert_int_equal(wg_padded_len(1, 1420), 16);
	assert_int_equal(wg_padded_len(16, 1420), 16);
	assert_int_equal(wg_padded_len(17, 1420), 32);
	assert_int_equal(wg_padded_len(1419, 1420), 1420); /* capped at MTU */
	assert_int_equal(wg_padded_len(1420, 1420), 1420);
	assert_int_equal(wg_padded_len(1500, 1420), 1504); /* over MTU: plain */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_handshake_both_ways),
		cmocka_unit_test(test_psk_mismatch_fails),
		cmocka_unit_test(test_flipped_initiation_bytes_refused),
		cmocka_unit_test(test_flipped_response_bytes_refused),
		cmocka_unit_test(test_flipped_bytes_under_load_with_cookie),
		cmocka_unit_test(test_flipped_transport_bytes_refused),
		cmocka_unit_test(test_replayed_initiation_refused),
		cmocka_unit_test(test_initiation_flood_refused),
		cmocka_unit_test(test_wrong_mac1_refused),
		cmocka_unit_test(test_cookie_reply_under_load),
		cmocka_unit_test(test_cookie_expires),
		cmocka_unit_test(test_under_load_policy),
		cmocka_unit_test(test_low_order_keys_refused),
		cmocka_unit_test(test_response_without_initiation),
		cmocka_unit_test(test_no_identity),
		cmocka_unit_test(test_padding),
	};

	if (wg_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("handshake", tests, NULL, NULL);
}
