/* SPDX-License-Identifier: MIT */
/*
 * Noise_IKpsk2 for WireGuard. Each step is commented with its Noise token.
 * State changes are computed on local copies and committed only when the
 * whole step succeeded, so a bad message never disturbs a handshake.
 */
#include "wg_noise.h"

#include <pthread.h>
#include <string.h>

#include "wg_crypto.h"

/* HASH(CONSTRUCTION) and HASH(HASH(CONSTRUCTION) || IDENTIFIER): constants,
 * computed once. */
static uint8_t construction_hash[WG_HASH_LEN];
static uint8_t identifier_hash[WG_HASH_LEN];
static pthread_once_t constants_once = PTHREAD_ONCE_INIT;

static void compute_constants(void)
{
	wg_hash2(construction_hash, (const uint8_t *)WG_CONSTRUCTION,
		 strlen(WG_CONSTRUCTION), NULL, 0);
	wg_hash2(identifier_hash, construction_hash, WG_HASH_LEN,
		 (const uint8_t *)WG_IDENTIFIER, strlen(WG_IDENTIFIER));
}

/* The state both sides start from for a given responder static key. */
static void handshake_start(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN],
			    const uint8_t responder_static[WG_KEY_LEN])
{
	pthread_once(&constants_once, compute_constants);
	memcpy(ck, construction_hash, WG_HASH_LEN);
	wg_hash2(h, identifier_hash, WG_HASH_LEN, responder_static,
		 WG_KEY_LEN);
}

static void mix_hash(uint8_t h[WG_HASH_LEN], const uint8_t *data, size_t len)
{
	wg_hash2(h, h, WG_HASH_LEN, data, len);
}

/* ck, key = KDF2(ck, DH(priv, pub)); false on an all-zero DH result. */
static bool mix_dh(uint8_t ck[WG_HASH_LEN], uint8_t *key,
		   const uint8_t priv[WG_KEY_LEN], const uint8_t pub[WG_KEY_LEN])
{
	uint8_t dh[WG_KEY_LEN];

	if (!wg_dh(dh, priv, pub))
		return false;
	wg_kdf(ck, key, NULL, ck, dh, WG_KEY_LEN);
	wg_wipe(dh, sizeof(dh));
	return true;
}

/* Identity generations, unique in the process (0 is "none"): 2^32 key
 * changes would be needed for a stale precomputation to match again. */
static uint32_t identity_generations;

static uint32_t next_identity_generation(void)
{
	uint32_t g;

	do
		g = __atomic_add_fetch(&identity_generations, 1,
				       __ATOMIC_RELAXED);
	while (g == 0);
	return g;
}

/* DH(our static, their static) for id's key: computed once per key and
 * peer, by the handshake's owner (it writes hs). False for a low-order
 * remote key (remembered, so refusing it again costs nothing). */
static bool static_static(struct wg_handshake *hs,
			  const struct wg_identity *id)
{
	if (hs->static_static_generation != id->generation) {
		hs->static_static_ok = wg_dh(hs->precomputed_static_static,
					     id->private_key,
					     hs->remote_static);
		hs->static_static_generation = id->generation;
	}
	return hs->static_static_ok;
}

/* ck, key = KDF2(ck, precomputed) */
static void mix_precomputed(uint8_t ck[WG_HASH_LEN], uint8_t key[WG_KEY_LEN],
			    const uint8_t dh[WG_KEY_LEN])
{
	wg_kdf(ck, key, NULL, ck, dh, WG_KEY_LEN);
}

static void encrypt_and_hash(uint8_t *dst, const uint8_t *src, size_t len,
			     const uint8_t key[WG_KEY_LEN],
			     uint8_t h[WG_HASH_LEN])
{
	wg_aead_encrypt(dst, src, len, h, WG_HASH_LEN, 0, key);
	mix_hash(h, dst, len + WG_AEAD_TAG_LEN);
}

static bool decrypt_and_hash(uint8_t *dst, const uint8_t *src, size_t len,
			     const uint8_t key[WG_KEY_LEN],
			     uint8_t h[WG_HASH_LEN])
{
	if (!wg_aead_decrypt(dst, src, len, h, WG_HASH_LEN, 0, key))
		return false;
	mix_hash(h, src, len);
	return true;
}

/* ck = KDF1(ck, e_pub); h = HASH(h || e_pub) */
static void mix_ephemeral(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN],
			  const uint8_t e_pub[WG_KEY_LEN])
{
	wg_kdf(ck, NULL, NULL, ck, e_pub, WG_KEY_LEN);
	mix_hash(h, e_pub, WG_KEY_LEN);
}

static void message_header(uint8_t type_and_reserved[4], uint8_t type)
{
	wg_put_le32(type_and_reserved, type);
}

const char *wg_noise_result_str(enum wg_noise_result r)
{
	switch (r) {
	case WG_NOISE_OK: return "ok";
	case WG_NOISE_NO_IDENTITY: return "no private key configured";
	case WG_NOISE_LOW_ORDER: return "low-order public key";
	case WG_NOISE_DECRYPT_FAILED: return "decryption failed";
	case WG_NOISE_BAD_STATE: return "unexpected handshake message";
	case WG_NOISE_STALE_TIMESTAMP: return "replayed initiation";
	case WG_NOISE_FLOOD: return "initiation flood";
	case WG_NOISE_BAD_MESSAGE: return "malformed message";
	}
	return "unknown";
}

void wg_identity_set(struct wg_identity *id,
		     const uint8_t private_key[WG_KEY_LEN])
{
	if (wg_is_zero(private_key, WG_KEY_LEN)) {
		wg_identity_clear(id);
		return;
	}
	memcpy(id->private_key, private_key, WG_KEY_LEN);
	/* clamp as the reference implementations store it */
	id->private_key[0] &= 248;
	id->private_key[31] = (id->private_key[31] & 127) | 64;
	wg_public_from_private(id->public_key, id->private_key);
	id->has_private_key = true;
	id->generation = next_identity_generation();
}

void wg_identity_clear(struct wg_identity *id)
{
	wg_wipe(id, sizeof(*id));
}

void wg_handshake_init(struct wg_handshake *hs, const struct wg_identity *id,
		       const uint8_t remote_static[WG_KEY_LEN],
		       const uint8_t *psk)
{
	uint8_t latest[WG_TIMESTAMP_LEN], remote[WG_KEY_LEN], key[WG_KEY_LEN];
	uint64_t last_consumption = hs->last_initiation_consumption_ns;
	bool has_consumed = hs->has_consumed_initiation;
	bool same_peer = wg_equal(hs->remote_static, remote_static, WG_KEY_LEN);
	bool has_psk = psk != NULL;

	/* The arguments may point into hs itself (re-initialising with the
	 * peer's own stored keys): copy them before wiping. */
	memcpy(remote, remote_static, WG_KEY_LEN);
	if (has_psk)
		memcpy(key, psk, WG_KEY_LEN);

	/* Replay protection survives re-initialisation for the same peer
	 * (a private key change must not re-open old initiations). */
	memcpy(latest, hs->latest_timestamp, sizeof(latest));
	wg_handshake_destroy(hs);
	if (same_peer) {
		memcpy(hs->latest_timestamp, latest, sizeof(latest));
		hs->last_initiation_consumption_ns = last_consumption;
		hs->has_consumed_initiation = has_consumed;
	}
	memcpy(hs->remote_static, remote, WG_KEY_LEN);
	if (has_psk)
		memcpy(hs->preshared_key, key, WG_KEY_LEN);
	/* the static-static waits for its first use (static_static) */
	(void)id;
	wg_wipe(latest, sizeof(latest));
	wg_wipe(key, sizeof(key));
}

void wg_handshake_clear(struct wg_handshake *hs)
{
	wg_wipe(hs->ephemeral_private, WG_KEY_LEN);
	wg_wipe(hs->remote_ephemeral, WG_KEY_LEN);
	wg_wipe(hs->hash, WG_HASH_LEN);
	wg_wipe(hs->chaining_key, WG_HASH_LEN);
	hs->local_index = 0;
	hs->remote_index = 0;
	hs->state = WG_HS_ZEROED;
}

void wg_handshake_destroy(struct wg_handshake *hs)
{
	wg_wipe(hs, sizeof(*hs));
}

void wg_tai64n(uint8_t out[WG_TIMESTAMP_LEN], uint64_t unix_ns)
{
	/* TAI64 label: 2^62 + 10 (the TAI-UTC offset at 1970) + seconds. The
	 * nanoseconds are rounded down to a power of two below
	 * 1 s / INITIATIONS_PER_SECOND so they do not leak a fine clock. */
	const uint64_t whitening = UINT64_C(1) << 24;
	uint64_t secs = (UINT64_C(1) << 62) + 10 + unix_ns / 1000000000u;
	uint32_t nanos = (uint32_t)((unix_ns % 1000000000u) & ~(whitening - 1));

	static_assert((UINT64_C(1) << 24) <= 1000000000u / WG_INITIATIONS_PER_SECOND,
		      "whitening must not exceed the initiation rate limit");
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(secs >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(nanos >> (24 - 8 * i));
}

enum wg_noise_result
wg_noise_create_initiation(struct wg_handshake *hs,
			   const struct wg_identity *id,
			   struct wg_msg_initiation *msg, uint32_t sender_index,
			   uint64_t unix_now_ns,
			   const struct wg_noise_inject *inject)
{
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], key[WG_KEY_LEN];
	uint8_t e_priv[WG_KEY_LEN], timestamp[WG_TIMESTAMP_LEN];
	enum wg_noise_result ret = WG_NOISE_OK;

	if (!id->has_private_key)
		return WG_NOISE_NO_IDENTITY;
	if (!static_static(hs, id))
		return WG_NOISE_LOW_ORDER;

	memset(msg, 0, sizeof(*msg));
	message_header(msg->type_and_reserved, WG_MSG_INITIATION);
	wg_put_le32(msg->sender_index, sender_index);
	handshake_start(ck, h, hs->remote_static);

	/* e */
	if (inject && inject->ephemeral_private)
		memcpy(e_priv, inject->ephemeral_private, WG_KEY_LEN);
	else
		wg_generate_private(e_priv);
	wg_public_from_private(msg->unencrypted_ephemeral, e_priv);
	mix_ephemeral(ck, h, msg->unencrypted_ephemeral);

	/* es */
	if (!mix_dh(ck, key, e_priv, hs->remote_static)) {
		ret = WG_NOISE_LOW_ORDER;
		goto out;
	}
	/* s */
	encrypt_and_hash(msg->encrypted_static, id->public_key, WG_KEY_LEN,
			 key, h);

	/* ss */
	mix_precomputed(ck, key, hs->precomputed_static_static);

	/* {t} */
	if (inject && inject->timestamp)
		memcpy(timestamp, inject->timestamp, WG_TIMESTAMP_LEN);
	else
		wg_tai64n(timestamp, unix_now_ns);
	encrypt_and_hash(msg->encrypted_timestamp, timestamp, WG_TIMESTAMP_LEN,
			 key, h);

	memcpy(hs->ephemeral_private, e_priv, WG_KEY_LEN);
	memcpy(hs->hash, h, WG_HASH_LEN);
	memcpy(hs->chaining_key, ck, WG_HASH_LEN);
	hs->local_index = sender_index;
	hs->remote_index = 0;
	hs->state = WG_HS_CREATED_INITIATION;
out:
	if (ret != WG_NOISE_OK)
		wg_wipe(msg, sizeof(*msg));
	wg_wipe(ck, sizeof(ck));
	wg_wipe(h, sizeof(h));
	wg_wipe(key, sizeof(key));
	wg_wipe(e_priv, sizeof(e_priv));
	wg_wipe(timestamp, sizeof(timestamp));
	return ret;
}

enum wg_noise_result
wg_noise_consume_initiation(const struct wg_identity *id,
			    const struct wg_msg_initiation *msg,
			    struct wg_initiation_result *out)
{
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], key[WG_KEY_LEN];
	uint8_t remote_static[WG_KEY_LEN], timestamp[WG_TIMESTAMP_LEN];
	uint8_t ss[WG_KEY_LEN];
	enum wg_noise_result ret = WG_NOISE_OK;

	if (!id->has_private_key)
		return WG_NOISE_NO_IDENTITY;
	if (wg_msg_type_word(msg->type_and_reserved) != WG_MSG_INITIATION)
		return WG_NOISE_BAD_MESSAGE;

	handshake_start(ck, h, id->public_key);

	/* e */
	mix_ephemeral(ck, h, msg->unencrypted_ephemeral);

	/* es */
	if (!mix_dh(ck, key, id->private_key, msg->unencrypted_ephemeral)) {
		ret = WG_NOISE_LOW_ORDER;
		goto out;
	}

	/* s */
	if (!decrypt_and_hash(remote_static, msg->encrypted_static,
			      sizeof(msg->encrypted_static), key, h)) {
		ret = WG_NOISE_DECRYPT_FAILED;
		goto out;
	}

	/* ss (kept for the peer's handshake: see accept) */
	if (!wg_dh(ss, id->private_key, remote_static)) {
		ret = WG_NOISE_LOW_ORDER;
		goto out;
	}
	mix_precomputed(ck, key, ss);

	/* {t} */
	if (!decrypt_and_hash(timestamp, msg->encrypted_timestamp,
			      sizeof(msg->encrypted_timestamp), key, h)) {
		ret = WG_NOISE_DECRYPT_FAILED;
		goto out;
	}

	memcpy(out->remote_static, remote_static, WG_KEY_LEN);
	memcpy(out->remote_ephemeral, msg->unencrypted_ephemeral, WG_KEY_LEN);
	memcpy(out->hash, h, WG_HASH_LEN);
	memcpy(out->chaining_key, ck, WG_HASH_LEN);
	memcpy(out->timestamp, timestamp, WG_TIMESTAMP_LEN);
	out->sender_index = wg_get_le32(msg->sender_index);
	memcpy(out->static_static, ss, WG_KEY_LEN);
	out->identity_generation = id->generation;
out:
	wg_wipe(ck, sizeof(ck));
	wg_wipe(h, sizeof(h));
	wg_wipe(key, sizeof(key));
	wg_wipe(ss, sizeof(ss));
	wg_wipe(remote_static, sizeof(remote_static));
	wg_wipe(timestamp, sizeof(timestamp));
	return ret;
}

enum wg_noise_result
wg_noise_accept_initiation(struct wg_handshake *hs,
			   const struct wg_initiation_result *res,
			   uint64_t mono_now_ns)
{
	const uint64_t min_gap = 1000000000u / WG_INITIATIONS_PER_SECOND;

	if (!wg_equal(hs->remote_static, res->remote_static, WG_KEY_LEN))
		return WG_NOISE_BAD_STATE;
	/* First use on the responder side: consume computed the ss DH (and
	 * refused an all-zero one) for the same remote key; adopting it
	 * costs no X25519. It is tagged with the identity consume used, so
	 * if our key changed since, the next use computes it again. */
	if (hs->static_static_generation != res->identity_generation) {
		memcpy(hs->precomputed_static_static, res->static_static,
		       WG_KEY_LEN);
		hs->static_static_ok =
			!wg_is_zero(res->static_static, WG_KEY_LEN);
		hs->static_static_generation = res->identity_generation;
	}
	if (!hs->static_static_ok)
		return WG_NOISE_LOW_ORDER;
	/* TAI64N is big-endian, so bytewise order is time order. */
	if (memcmp(res->timestamp, hs->latest_timestamp, WG_TIMESTAMP_LEN) <= 0)
		return WG_NOISE_STALE_TIMESTAMP;
	if (hs->has_consumed_initiation &&
	    mono_now_ns < hs->last_initiation_consumption_ns + min_gap)
		return WG_NOISE_FLOOD;

	wg_handshake_clear(hs);
	memcpy(hs->latest_timestamp, res->timestamp, WG_TIMESTAMP_LEN);
	hs->last_initiation_consumption_ns = mono_now_ns;
	hs->has_consumed_initiation = true;
	memcpy(hs->remote_ephemeral, res->remote_ephemeral, WG_KEY_LEN);
	memcpy(hs->hash, res->hash, WG_HASH_LEN);
	memcpy(hs->chaining_key, res->chaining_key, WG_HASH_LEN);
	hs->remote_index = res->sender_index;
	hs->state = WG_HS_CONSUMED_INITIATION;
	return WG_NOISE_OK;
}

/* psk: ck, t, key = KDF3(ck, psk); h = HASH(h || t) */
static void mix_psk(uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN],
		    uint8_t key[WG_KEY_LEN], const uint8_t psk[WG_KEY_LEN])
{
	uint8_t tau[WG_HASH_LEN];

	wg_kdf(ck, tau, key, ck, psk, WG_KEY_LEN);
	mix_hash(h, tau, WG_HASH_LEN);
	wg_wipe(tau, sizeof(tau));
}

enum wg_noise_result
wg_noise_create_response(struct wg_handshake *hs, struct wg_msg_response *msg,
			 uint32_t sender_index,
			 const struct wg_noise_inject *inject)
{
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], key[WG_KEY_LEN];
	uint8_t e_priv[WG_KEY_LEN];
	enum wg_noise_result ret = WG_NOISE_OK;

	if (hs->state != WG_HS_CONSUMED_INITIATION)
		return WG_NOISE_BAD_STATE;

	memset(msg, 0, sizeof(*msg));
	message_header(msg->type_and_reserved, WG_MSG_RESPONSE);
	wg_put_le32(msg->sender_index, sender_index);
	wg_put_le32(msg->receiver_index, hs->remote_index);
	memcpy(ck, hs->chaining_key, WG_HASH_LEN);
	memcpy(h, hs->hash, WG_HASH_LEN);

	/* e */
	if (inject && inject->ephemeral_private)
		memcpy(e_priv, inject->ephemeral_private, WG_KEY_LEN);
	else
		wg_generate_private(e_priv);
	wg_public_from_private(msg->unencrypted_ephemeral, e_priv);
	mix_ephemeral(ck, h, msg->unencrypted_ephemeral);

	/* ee */
	if (!mix_dh(ck, NULL, e_priv, hs->remote_ephemeral)) {
		ret = WG_NOISE_LOW_ORDER;
		goto out;
	}
	/* se */
	if (!mix_dh(ck, NULL, e_priv, hs->remote_static)) {
		ret = WG_NOISE_LOW_ORDER;
		goto out;
	}
	/* psk */
	mix_psk(ck, h, key, hs->preshared_key);

	/* {} */
	encrypt_and_hash(msg->encrypted_nothing, NULL, 0, key, h);

	memcpy(hs->ephemeral_private, e_priv, WG_KEY_LEN);
	memcpy(hs->hash, h, WG_HASH_LEN);
	memcpy(hs->chaining_key, ck, WG_HASH_LEN);
	hs->local_index = sender_index;
	hs->state = WG_HS_CREATED_RESPONSE;
out:
	if (ret != WG_NOISE_OK)
		wg_wipe(msg, sizeof(*msg));
	wg_wipe(ck, sizeof(ck));
	wg_wipe(h, sizeof(h));
	wg_wipe(key, sizeof(key));
	wg_wipe(e_priv, sizeof(e_priv));
	return ret;
}

enum wg_noise_result
wg_noise_consume_response(struct wg_handshake *hs,
			  const struct wg_identity *id,
			  const struct wg_msg_response *msg)
{
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], key[WG_KEY_LEN];
	uint8_t empty[1];
	enum wg_noise_result ret = WG_NOISE_OK;

	if (!id->has_private_key)
		return WG_NOISE_NO_IDENTITY;
	if (wg_msg_type_word(msg->type_and_reserved) != WG_MSG_RESPONSE)
		return WG_NOISE_BAD_MESSAGE;
	if (hs->state != WG_HS_CREATED_INITIATION ||
	    wg_get_le32(msg->receiver_index) != hs->local_index)
		return WG_NOISE_BAD_STATE;

	memcpy(ck, hs->chaining_key, WG_HASH_LEN);
	memcpy(h, hs->hash, WG_HASH_LEN);

	/* e */
	mix_ephemeral(ck, h, msg->unencrypted_ephemeral);

	/* ee */
	if (!mix_dh(ck, NULL, hs->ephemeral_private,
		    msg->unencrypted_ephemeral)) {
		ret = WG_NOISE_LOW_ORDER;
		goto out;
	}
	/* se */
	if (!mix_dh(ck, NULL, id->private_key, msg->unencrypted_ephemeral)) {
		ret = WG_NOISE_LOW_ORDER;
		goto out;
	}
	/* psk */
	mix_psk(ck, h, key, hs->preshared_key);

	/* {} */
	if (!decrypt_and_hash(empty, msg->encrypted_nothing,
			      sizeof(msg->encrypted_nothing), key, h)) {
		ret = WG_NOISE_DECRYPT_FAILED;
		goto out;
	}

	memcpy(hs->remote_ephemeral, msg->unencrypted_ephemeral, WG_KEY_LEN);
	memcpy(hs->hash, h, WG_HASH_LEN);
	memcpy(hs->chaining_key, ck, WG_HASH_LEN);
	hs->remote_index = wg_get_le32(msg->sender_index);
	hs->state = WG_HS_CONSUMED_RESPONSE;
out:
	wg_wipe(ck, sizeof(ck));
	wg_wipe(h, sizeof(h));
	wg_wipe(key, sizeof(key));
	return ret;
}

enum wg_noise_result wg_noise_derive_keypair(struct wg_handshake *hs,
					     struct wg_keypair *kp)
{
	uint8_t first[WG_KEY_LEN], second[WG_KEY_LEN];
	bool initiator;

	if (hs->state == WG_HS_CONSUMED_RESPONSE)
		initiator = true;
	else if (hs->state == WG_HS_CREATED_RESPONSE)
		initiator = false;
	else
		return WG_NOISE_BAD_STATE;

	/* T_send_i, T_recv_i = KDF2(ck, empty) */
	wg_kdf(first, second, NULL, hs->chaining_key, NULL, 0);
	memcpy(kp->sending_key, initiator ? first : second, WG_KEY_LEN);
	memcpy(kp->receiving_key, initiator ? second : first, WG_KEY_LEN);
	kp->local_index = hs->local_index;
	kp->remote_index = hs->remote_index;
	kp->we_are_initiator = initiator;

	wg_handshake_clear(hs);
	wg_wipe(first, sizeof(first));
	wg_wipe(second, sizeof(second));
	return WG_NOISE_OK;
}

void wg_keypair_wipe(struct wg_keypair *kp)
{
	wg_wipe(kp, sizeof(*kp));
}
