/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the UAPI set=1 parser (lib/wg_uapi.c).
 *
 * The first input byte picks a chunk size; the rest is the request. It is
 * parsed twice, whole (wg_uapi_parse_set) and streamed in chunks through
 * wg_uapi_parser_feed as a socket would deliver it, and the two results
 * must agree exactly: same errno, same transaction. A failed parse must
 * leave an empty transaction. An accepted one is checked for the
 * invariants the device relies on (masked, sorted, unique AllowedIPs,
 * counts within bounds) and serialized back through the get=1 formatter.
 *
 * Build and run: scripts/fuzz uapi [seconds]
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wg_crypto.h"
#include "wg_uapi.h"

static void check_empty(const struct wg_uapi_txn *txn)
{
	static const struct wg_uapi_txn zero;

	if (memcmp(txn, &zero, sizeof(zero)) != 0)
		abort();
}

static void check_same(const struct wg_uapi_txn *a, const struct wg_uapi_txn *b)
{
	if (memcmp(&a->interface, &b->interface, sizeof(a->interface)) ||
	    a->n_peers != b->n_peers || a->n_allowed_ips != b->n_allowed_ips)
		abort();
	for (size_t i = 0; i < a->n_peers; i++) {
		const struct wg_peer_config *x = &a->peers[i], *y = &b->peers[i];

		if (memcmp(x->public_key, y->public_key, WG_KEY_LEN) ||
		    memcmp(x->preshared_key, y->preshared_key, WG_KEY_LEN) ||
		    memcmp(&x->endpoint, &y->endpoint, sizeof(x->endpoint)) ||
		    x->persistent_keepalive != y->persistent_keepalive ||
		    x->has_public_key != y->has_public_key ||
		    x->has_preshared_key != y->has_preshared_key ||
		    x->has_endpoint != y->has_endpoint ||
		    x->has_persistent_keepalive != y->has_persistent_keepalive ||
		    x->replace_allowed_ips != y->replace_allowed_ips ||
		    x->remove != y->remove || x->update_only != y->update_only ||
		    x->n_allowed_ips != y->n_allowed_ips)
			abort();
		if (x->n_allowed_ips &&
		    memcmp(x->allowed_ips, y->allowed_ips,
			   x->n_allowed_ips * sizeof(*x->allowed_ips)))
			abort();
	}
}

static void check_invariants(const struct wg_uapi_txn *txn)
{
	size_t total = 0;

	if (txn->n_peers > WG_UAPI_MAX_PEERS ||
	    txn->n_allowed_ips > WG_UAPI_MAX_ALLOWED_IPS)
		abort();
	if (txn->interface.has_listen_port && txn->interface.listen_port == 0)
		abort();
	for (size_t i = 0; i < txn->n_peers; i++) {
		const struct wg_peer_config *p = &txn->peers[i];

		if (!p->has_public_key)
			abort();
		for (size_t j = 0; j < p->n_allowed_ips; j++) {
			struct wg_prefix m = p->allowed_ips[j];

			if (wg_prefix_mask(&m))
				abort(); /* host bits left set */
			if (m.cidr > wg_family_bits(m.family))
				abort();
			if (j && memcmp(&p->allowed_ips[j - 1], &m, sizeof(m)) == 0)
				abort(); /* duplicate */
		}
		total += p->n_allowed_ips;
	}
	if (total != txn->n_allowed_ips)
		abort();
}

/* Serialize what was accepted, as a get=1 answer would. */
static void format_back(const struct wg_uapi_txn *txn)
{
	const struct wg_uapi_device dev = { .interface = &txn->interface };
	struct wg_uapi_buf b;

	wg_uapi_buf_init(&b);
	wg_uapi_format_device(&b, &dev);
	for (size_t i = 0; i < txn->n_peers; i++) {
		struct wg_uapi_peer up = { .config = txn->peers[i] };

		wg_uapi_format_peer(&b, &up);
		wg_wipe(&up, sizeof(up));
	}
	wg_uapi_format_errno(&b, 0);
	if (wg_uapi_buf_error(&b) || b.len < 9 ||
	    memcmp(b.data + b.len - 9, "errno=0\n\n", 9))
		abort();
	wg_uapi_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool inited;
	struct wg_uapi_txn whole, streamed;
	struct wg_uapi_parser p;
	const char *text;
	size_t len, chunk, off = 0, used = 0;
	int rc_whole, rc_streamed;

	if (!inited) {
		if (wg_crypto_init() != 0)
			abort();
		inited = true;
	}
	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 64 + 1;
	text = (const char *)data + 1;
	len = size - 1;

	rc_whole = wg_uapi_parse_set(text, len, &whole, NULL);
	if (rc_whole != 0 && rc_whole != -EINVAL && rc_whole != -EPROTO &&
	    rc_whole != -ENOSPC && rc_whole != -ENOMEM)
		abort();

	wg_uapi_parser_init(&p, NULL);
	while (off < len && !wg_uapi_parser_done(&p)) {
		size_t n = len - off < chunk ? len - off : chunk;
		size_t u = wg_uapi_parser_feed(&p, text + off, n);

		if (u > n)
			abort();
		used += u;
		off += n;
	}
	rc_streamed = wg_uapi_parser_finish(&p, &streamed);
	/* parse_set also refuses bytes after the blank line */
	if (rc_streamed == 0 && used != len)
		rc_streamed = -EPROTO;

	if (rc_whole != rc_streamed)
		abort();
	if (rc_whole) {
		check_empty(&whole);
	} else {
		check_same(&whole, &streamed);
		check_invariants(&whole);
		format_back(&whole);
	}
	wg_uapi_txn_free(&whole);
	wg_uapi_txn_free(&streamed);
	return 0;
}
