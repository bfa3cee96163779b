/* SPDX-License-Identifier: MIT */
/* Peer names and the log's token bucket (gw_peer_log.h). */
#include "gw_peer_log.h"

#include <string.h>

#include "wg_keys.h"

#define LINE_NS (UINT64_C(1000000000) / GW_PEER_LOG_PER_S)

const char *gw_peer_name(const uint8_t public_key[32],
			 char buf[GW_PEER_NAME_LEN])
{
	char b64[WG_KEY_B64_LEN + 1];

	wg_key_to_base64(b64, public_key);
	memcpy(buf, "peer ", 5);
	memcpy(buf + 5, b64, GW_PEER_NAME_CHARS);
	buf[5 + GW_PEER_NAME_CHARS] = '\0';
	return buf;
}

bool gw_log_bucket_take(struct gw_log_bucket *b, uint64_t now_ns,
			uint64_t *suppressed)
{
	uint64_t full = GW_PEER_LOG_BURST * LINE_NS;

	if (now_ns > b->last_ns) {
		uint64_t gained = now_ns - b->last_ns;

		b->credit_ns = gained >= full - b->credit_ns ? full :
							       b->credit_ns + gained;
		b->last_ns = now_ns;
	}
	if (b->credit_ns < LINE_NS) {
		b->suppressed++;
		return false;
	}
	b->credit_ns -= LINE_NS;
	*suppressed = b->suppressed;
	b->suppressed = 0;
	return true;
}
