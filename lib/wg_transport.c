/* SPDX-License-Identifier: MIT */
#include "wg_transport.h"

#include <string.h>

#include "wg_crypto.h"

size_t wg_transport_sealed_len(size_t len, uint32_t mtu)
{
	return WG_MSG_TRANSPORT_HEADER_LEN + wg_padded_len((uint32_t)len, mtu) +
	       WG_AEAD_TAG_LEN;
}

size_t wg_transport_seal(const struct wg_keypair *kp, uint64_t counter,
			 const uint8_t *plain, size_t len, uint32_t mtu,
			 uint8_t *out)
{
	struct wg_msg_transport_header *hdr = (void *)out;
	uint8_t *payload = out + WG_MSG_TRANSPORT_HEADER_LEN;
	size_t padded = wg_padded_len((uint32_t)len, mtu);

	wg_put_le32(hdr->type_and_reserved, WG_MSG_TRANSPORT);
	wg_put_le32(hdr->receiver_index, kp->remote_index);
	wg_put_le64(hdr->counter, counter);
	/* memmove: callers may seal in place behind the header */
	if (len)
		memmove(payload, plain, len);
	memset(payload + len, 0, padded - len);
	wg_aead_encrypt(payload, payload, padded, NULL, 0, counter,
			kp->sending_key);
	return WG_MSG_TRANSPORT_HEADER_LEN + padded + WG_AEAD_TAG_LEN;
}

bool wg_transport_open(const struct wg_keypair *kp, const uint8_t *msg,
		       size_t len, uint8_t *out, size_t *out_len,
		       uint64_t *counter)
{
	const struct wg_msg_transport_header *hdr = (const void *)msg;
	uint64_t ctr;

	if (len < WG_MSG_TRANSPORT_MIN_LEN ||
	    wg_msg_type_word(hdr->type_and_reserved) != WG_MSG_TRANSPORT ||
	    wg_get_le32(hdr->receiver_index) != kp->local_index)
		return false;
	ctr = wg_get_le64(hdr->counter);
	if (!wg_aead_decrypt(out, msg + WG_MSG_TRANSPORT_HEADER_LEN,
			     len - WG_MSG_TRANSPORT_HEADER_LEN, NULL, 0, ctr,
			     kp->receiving_key))
		return false;
	*out_len = len - WG_MSG_TRANSPORT_MIN_LEN;
	*counter = ctr;
	return true;
}
