/* SPDX-License-Identifier: MIT */
#include "wg_cookie.h"

#include <string.h>

#include "wg_crypto.h"

enum { NS_PER_SEC = 1000000000 };

/* HASH(label || public key): the keys for mac1 and for cookie encryption. */
static void derive_key(uint8_t out[WG_KEY_LEN], const char *label,
		       const uint8_t public_key[WG_KEY_LEN])
{
	wg_hash2(out, (const uint8_t *)label, strlen(label), public_key,
		 WG_KEY_LEN);
}

/* Where mac1 sits: both messages end with mac1 then mac2. */
static bool mac_offsets(size_t len, size_t *mac1_off, size_t *mac2_off)
{
	if (len != WG_MSG_INITIATION_LEN && len != WG_MSG_RESPONSE_LEN)
		return false;
	*mac1_off = len - 2 * WG_MAC_LEN;
	*mac2_off = len - WG_MAC_LEN;
	return true;
}

static bool expired(uint64_t birth_ns, uint64_t now_ns, uint64_t max_age_s)
{
	return now_ns < birth_ns || now_ns - birth_ns >= max_age_s * NS_PER_SEC;
}

void wg_cookie_checker_init(struct wg_cookie_checker *c,
			    const uint8_t our_public[WG_KEY_LEN])
{
	wg_cookie_checker_wipe(c);
	derive_key(c->mac1_key, WG_LABEL_MAC1, our_public);
	derive_key(c->cookie_encryption_key, WG_LABEL_COOKIE, our_public);
}

void wg_cookie_checker_wipe(struct wg_cookie_checker *c)
{
	wg_wipe(c, sizeof(*c));
}

void wg_cookie_maker_init(struct wg_cookie_maker *m,
			  const uint8_t peer_public[WG_KEY_LEN])
{
	wg_cookie_maker_wipe(m);
	derive_key(m->mac1_key, WG_LABEL_MAC1, peer_public);
	derive_key(m->cookie_decryption_key, WG_LABEL_COOKIE, peer_public);
}

void wg_cookie_maker_wipe(struct wg_cookie_maker *m)
{
	wg_wipe(m, sizeof(*m));
}

bool wg_cookie_mac1_ok(const uint8_t mac1_key[WG_KEY_LEN], const uint8_t *msg,
		       size_t len)
{
	uint8_t computed[WG_MAC_LEN];
	size_t mac1_off, mac2_off;

	if (!mac_offsets(len, &mac1_off, &mac2_off))
		return false;
	wg_mac(computed, mac1_key, WG_KEY_LEN, msg, mac1_off);
	return wg_equal(computed, msg + mac1_off, WG_MAC_LEN);
}

/* cookie = MAC(secret, source address || port), rotating the secret. */
static void make_cookie(struct wg_cookie_checker *c,
			uint8_t cookie[WG_COOKIE_LEN], const uint8_t *source,
			size_t source_len, uint64_t now_ns)
{
	if (!c->has_secret ||
	    expired(c->secret_birth_ns, now_ns, WG_COOKIE_SECRET_MAX_AGE)) {
		wg_random(c->secret, sizeof(c->secret));
		c->secret_birth_ns = now_ns;
		c->has_secret = true;
	}
	wg_mac(cookie, c->secret, sizeof(c->secret), source, source_len);
}

enum wg_mac_state wg_cookie_validate(struct wg_cookie_checker *c,
				     const uint8_t *msg, size_t len,
				     const uint8_t *source, size_t source_len,
				     bool check_mac2, uint64_t now_ns)
{
	uint8_t cookie[WG_COOKIE_LEN], computed[WG_MAC_LEN];
	size_t mac1_off, mac2_off;
	enum wg_mac_state ret = WG_MAC_VALID_MAC1;

	if (!wg_cookie_mac1_ok(c->mac1_key, msg, len))
		return WG_MAC_INVALID;
	if (!check_mac2 || source_len > WG_COOKIE_SOURCE_MAX ||
	    !mac_offsets(len, &mac1_off, &mac2_off))
		return WG_MAC_VALID_MAC1;

	make_cookie(c, cookie, source, source_len, now_ns);
	wg_mac(computed, cookie, WG_COOKIE_LEN, msg, mac2_off);
	if (wg_equal(computed, msg + mac2_off, WG_MAC_LEN))
		ret = WG_MAC_VALID_MAC1_COOKIE;
	wg_wipe(cookie, sizeof(cookie));
	return ret;
}

void wg_cookie_add_macs(struct wg_cookie_maker *m, uint8_t *msg, size_t len,
			uint64_t now_ns)
{
	size_t mac1_off, mac2_off;

	if (!mac_offsets(len, &mac1_off, &mac2_off))
		return;
	wg_mac(msg + mac1_off, m->mac1_key, WG_KEY_LEN, msg, mac1_off);
	memcpy(m->last_mac1_sent, msg + mac1_off, WG_MAC_LEN);
	m->have_sent_mac1 = true;

	/* A cookie is used only while the secret that made it surely still
	 * lives on the other side. */
	if (m->is_cookie_valid &&
	    !expired(m->cookie_birth_ns, now_ns,
		     WG_COOKIE_SECRET_MAX_AGE - WG_COOKIE_SECRET_LATENCY))
		wg_mac(msg + mac2_off, m->cookie, WG_COOKIE_LEN, msg, mac2_off);
	else
		memset(msg + mac2_off, 0, WG_MAC_LEN);
}

void wg_cookie_create_reply(struct wg_cookie_checker *c,
			    struct wg_msg_cookie_reply *reply,
			    const uint8_t *msg, size_t len,
			    const uint8_t *source, size_t source_len,
			    uint64_t now_ns, const uint8_t *nonce)
{
	uint8_t cookie[WG_COOKIE_LEN];
	size_t mac1_off, mac2_off;

	memset(reply, 0, sizeof(*reply));
	if (!mac_offsets(len, &mac1_off, &mac2_off) ||
	    source_len > WG_COOKIE_SOURCE_MAX)
		return;
	wg_put_le32(reply->type_and_reserved, WG_MSG_COOKIE_REPLY);
	/* both initiation and response carry their sender index at 4 */
	memcpy(reply->receiver_index, msg + 4, 4);
	if (nonce)
		memcpy(reply->nonce, nonce, WG_COOKIE_NONCE_LEN);
	else
		wg_random(reply->nonce, WG_COOKIE_NONCE_LEN);

	make_cookie(c, cookie, source, source_len, now_ns);
	wg_xaead_encrypt(reply->encrypted_cookie, cookie, WG_COOKIE_LEN,
			 msg + mac1_off, WG_MAC_LEN, reply->nonce,
			 c->cookie_encryption_key);
	wg_wipe(cookie, sizeof(cookie));
}

bool wg_cookie_consume_reply(struct wg_cookie_maker *m,
			     const struct wg_msg_cookie_reply *reply,
			     uint64_t now_ns)
{
	uint8_t cookie[WG_COOKIE_LEN];

	if (wg_msg_type_word(reply->type_and_reserved) != WG_MSG_COOKIE_REPLY)
		return false;
	if (!m->have_sent_mac1)
		return false;
	if (!wg_xaead_decrypt(cookie, reply->encrypted_cookie,
			      sizeof(reply->encrypted_cookie),
			      m->last_mac1_sent, WG_MAC_LEN, reply->nonce,
			      m->cookie_decryption_key))
		return false;

	memcpy(m->cookie, cookie, WG_COOKIE_LEN);
	m->cookie_birth_ns = now_ns;
	m->is_cookie_valid = true;
	/* one reply per message we sent: a second copy is ignored */
	m->have_sent_mac1 = false;
	wg_wipe(cookie, sizeof(cookie));
	return true;
}

bool wg_under_load(struct wg_load_state *s, unsigned queue_depth,
		   unsigned queue_capacity, uint64_t now_ns)
{
	bool loaded = queue_capacity > 0 && queue_depth >= queue_capacity / 8;

	if (loaded) {
		s->last_under_load_ns = now_ns;
		s->has_been_under_load = true;
		return true;
	}
	/* stay "under load" for a second after the queue drained, so an
	 * attacker cannot toggle us out of cookie mode by pausing */
	return s->has_been_under_load &&
	       !expired(s->last_under_load_ns, now_ns, 1);
}
