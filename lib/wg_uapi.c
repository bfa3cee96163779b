/* SPDX-License-Identifier: MIT */
/* The userspace configuration protocol as text (see wg_uapi.h). */
#include "wg_uapi.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg_crypto.h"
#include "wg_keys.h"

/* ------------------------------------------------------------ helpers */

/* Grow an array that may hold secrets: never realloc, which would leave
 * the old copy unwiped in freed memory. */
static int grow_secret(void **arr, size_t *cap, size_t elem, size_t need)
{
	size_t ncap = *cap ? *cap : 4;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	n = calloc(ncap, elem);
	if (!n)
		return -ENOMEM;
	if (*arr) {
		memcpy(n, *arr, *cap * elem);
		wg_wipe(*arr, *cap * elem);
		free(*arr);
	}
	*arr = n;
	*cap = ncap;
	return 0;
}

/* Decimal as Go's strconv.ParseUint(s, 10, bits) takes it, which is what
 * wireguard-go accepts: one or more digits, leading zeros allowed, no sign
 * or spaces, at most max. */
static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* The flag keys take exactly "true", as in wireguard-go; `wg` sends
 * nothing else. */
static bool parse_true(const char *s)
{
	return strcmp(s, "true") == 0;
}

/* wg_peer_config keeps no capacity for allowed_ips: it is 4 and then the
 * next power of two, so the array is full exactly at these counts. A
 * replace_allowed_ips that resets the count to 0 only shrinks it. */
static bool array_full(size_t n)
{
	return n == 0 || (n >= 4 && (n & (n - 1)) == 0);
}

static int prefix_cmp(const void *a, const void *b)
{
	const struct wg_prefix *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->addr, y->addr, WG_ADDR_LEN);
	if (c)
		return c;
	return x->cidr < y->cidr ? -1 : x->cidr > y->cidr;
}

/* ---------------------------------------------------------- transaction */

static void peer_free(struct wg_peer_config *peer)
{
	free(peer->allowed_ips);
	wg_wipe(peer, sizeof(*peer));
}

void wg_uapi_txn_free(struct wg_uapi_txn *txn)
{
	for (size_t i = 0; i < txn->n_peers; i++)
		peer_free(&txn->peers[i]);
	if (txn->peers) {
		wg_wipe(txn->peers, txn->cap_peers * sizeof(*txn->peers));
		free(txn->peers);
	}
	wg_wipe(txn, sizeof(*txn));
}

/* ---------------------------------------------------------------- set */

void wg_uapi_parser_init(struct wg_uapi_parser *p, struct wg_diag *diag)
{
	memset(p, 0, sizeof(*p));
	p->diag = diag;
}

bool wg_uapi_parser_done(const struct wg_uapi_parser *p)
{
	return p->done;
}

int wg_uapi_parser_error(const struct wg_uapi_parser *p)
{
	return p->err;
}

/* Latch the first error; the transaction is dropped at once since it can
 * never be applied. The rest of the request is still read (and only
 * checked for its blank line). */
static void fail(struct wg_uapi_parser *p, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct wg_uapi_parser *p, int err, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (p->err)
		return;
	p->err = err;
	wg_uapi_txn_free(&p->txn);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	wg_diag_error(p->diag, "uapi set: line %u: %s", p->line_no, msg);
}

/* A key name is echoed in messages only if it looks like one: a mistyped
 * key could be anything, including a secret pasted in the wrong place. */
static const char *printable_key(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > 32 || strspn(key, "abcdefghijklmnopqrstuvwxyz_") != n)
		return "(unprintable)";
	return key;
}

static struct wg_peer_config *cur_peer(struct wg_uapi_parser *p)
{
	return &p->txn.peers[p->txn.n_peers - 1];
}

/* A peer's block is over: make its AllowedIPs canonical (sorted, no
 * duplicates: adding the same prefix twice means adding it once). */
static void close_peer(struct wg_uapi_parser *p)
{
	struct wg_peer_config *peer;
	size_t n = 0;

	if (p->err || p->txn.n_peers == 0)
		return;
	peer = cur_peer(p);
	if (peer->n_allowed_ips < 2)
		return;
	qsort(peer->allowed_ips, peer->n_allowed_ips, sizeof(struct wg_prefix),
	      prefix_cmp);
	for (size_t i = 0; i < peer->n_allowed_ips; i++) {
		if (n && wg_prefix_equal(&peer->allowed_ips[n - 1],
					 &peer->allowed_ips[i]))
			continue;
		peer->allowed_ips[n++] = peer->allowed_ips[i];
	}
	p->txn.n_allowed_ips -= peer->n_allowed_ips - n;
	peer->n_allowed_ips = n;
}

static void begin_peer(struct wg_uapi_parser *p, const char *value)
{
	struct wg_uapi_txn *txn = &p->txn;
	struct wg_peer_config *peer;

	close_peer(p);
	if (txn->n_peers >= WG_UAPI_MAX_PEERS) {
		fail(p, -ENOSPC, "more than %d peers", WG_UAPI_MAX_PEERS);
		return;
	}
	if (grow_secret((void **)&txn->peers, &txn->cap_peers,
			sizeof(*txn->peers), txn->n_peers + 1)) {
		fail(p, -ENOMEM, "out of memory");
		return;
	}
	peer = &txn->peers[txn->n_peers];
	memset(peer, 0, sizeof(*peer));
	if (!wg_key_from_hex(peer->public_key, value)) {
		wg_wipe(peer->public_key, WG_KEY_LEN);
		fail(p, -EINVAL, "public_key is not 64 hex digits");
		return;
	}
	peer->has_public_key = true;
	txn->n_peers++;
}

static void device_line(struct wg_uapi_parser *p, const char *key,
			const char *value)
{
	struct wg_interface_config *ifc = &p->txn.interface;
	uint64_t v;

	if (strcmp(key, "private_key") == 0) {
		if (!wg_key_from_hex(ifc->private_key, value)) {
			wg_wipe(ifc->private_key, WG_KEY_LEN);
			fail(p, -EINVAL, "private_key is not 64 hex digits");
			return;
		}
		ifc->has_private_key = true;
		memset(ifc->public_key, 0, WG_KEY_LEN);
		if (!wg_is_zero(ifc->private_key, WG_KEY_LEN)) {
			/* stored clamped, as the kernel and wireguard-go do,
			 * so that get=1 prints the key in use */
			ifc->private_key[0] &= 248;
			ifc->private_key[31] = (ifc->private_key[31] & 127) | 64;
			wg_public_from_private(ifc->public_key,
					       ifc->private_key);
		}
	} else if (strcmp(key, "listen_port") == 0) {
		/* 0 asks the kernel for a random port; there is no kernel
		 * socket here to pick one */
		if (!parse_uint(value, UINT16_MAX, &v) || v == 0) {
			fail(p, -EINVAL, "listen_port must be 1..65535");
			return;
		}
		ifc->listen_port = (uint16_t)v;
		ifc->has_listen_port = true;
	} else if (strcmp(key, "fwmark") == 0) {
		if (!parse_uint(value, UINT32_MAX, &v)) {
			fail(p, -EINVAL, "fwmark must be 0..4294967295");
			return;
		}
		ifc->fwmark = (uint32_t)v;
		ifc->has_fwmark = true;
	} else if (strcmp(key, "replace_peers") == 0) {
		if (!parse_true(value)) {
			fail(p, -EINVAL, "replace_peers takes only 'true'");
			return;
		}
		ifc->replace_peers = true;
	} else {
		fail(p, -EINVAL, "invalid device key '%s'", printable_key(key));
	}
}

static void peer_line(struct wg_uapi_parser *p, const char *key,
		      const char *value)
{
	struct wg_peer_config *peer = cur_peer(p);
	uint64_t v;

	if (strcmp(key, "remove") == 0) {
		if (!parse_true(value)) {
			fail(p, -EINVAL, "remove takes only 'true'");
			return;
		}
		peer->remove = true;
	} else if (strcmp(key, "update_only") == 0) {
		if (!parse_true(value)) {
			fail(p, -EINVAL, "update_only takes only 'true'");
			return;
		}
		peer->update_only = true;
	} else if (strcmp(key, "preshared_key") == 0) {
		if (!wg_key_from_hex(peer->preshared_key, value)) {
			wg_wipe(peer->preshared_key, WG_KEY_LEN);
			fail(p, -EINVAL, "preshared_key is not 64 hex digits");
			return;
		}
		peer->has_preshared_key = true;
	} else if (strcmp(key, "endpoint") == 0) {
		if (!wg_endpoint_parse(&peer->endpoint, value)) {
			fail(p, -EINVAL, "endpoint is not IPv4:port or [IPv6]:port");
			return;
		}
		peer->has_endpoint = true;
	} else if (strcmp(key, "persistent_keepalive_interval") == 0) {
		if (!parse_uint(value, UINT16_MAX, &v)) {
			fail(p, -EINVAL,
			     "persistent_keepalive_interval must be 0..65535");
			return;
		}
		peer->persistent_keepalive = (uint16_t)v;
		peer->has_persistent_keepalive = true;
	} else if (strcmp(key, "replace_allowed_ips") == 0) {
		if (!parse_true(value)) {
			fail(p, -EINVAL, "replace_allowed_ips takes only 'true'");
			return;
		}
		/* wireguard-go applies lines in order: a replace drops what
		 * earlier lines of this peer added */
		p->txn.n_allowed_ips -= peer->n_allowed_ips;
		peer->n_allowed_ips = 0;
		peer->replace_allowed_ips = true;
	} else if (strcmp(key, "allowed_ip") == 0) {
		struct wg_prefix pfx;

		if (!wg_prefix_parse(&pfx, value, NULL)) {
			fail(p, -EINVAL, "allowed_ip is not a prefix");
			return;
		}
		if (p->txn.n_allowed_ips >= WG_UAPI_MAX_ALLOWED_IPS) {
			fail(p, -ENOSPC, "more than %d allowed_ip lines",
			     WG_UAPI_MAX_ALLOWED_IPS);
			return;
		}
		if (array_full(peer->n_allowed_ips)) {
			size_t ncap = peer->n_allowed_ips ?
				      peer->n_allowed_ips * 2 : 4;
			struct wg_prefix *n = realloc(peer->allowed_ips,
						      ncap * sizeof(*n));

			if (!n) {
				fail(p, -ENOMEM, "out of memory");
				return;
			}
			peer->allowed_ips = n;
		}
		peer->allowed_ips[peer->n_allowed_ips++] = pfx;
		p->txn.n_allowed_ips++;
	} else if (strcmp(key, "protocol_version") == 0) {
		if (strcmp(value, "1") != 0) {
			fail(p, -EINVAL, "protocol_version must be 1");
			return;
		}
	} else {
		fail(p, -EINVAL, "invalid peer key '%s'", printable_key(key));
	}
}

/* One complete line, without its '\n'. */
static void handle_line(struct wg_uapi_parser *p)
{
	char *line = p->line, *eq;
	size_t len = p->line_len;

	p->line_no++;
	/* Go's bufio.ScanLines, which wireguard-go reads with, drops one
	 * '\r' before the '\n' */
	if (len && line[len - 1] == '\r')
		len--;
	if (len == 0 && !p->line_bad) {
		p->done = true;
		return;
	}
	if (p->err)
		return;
	if (p->line_bad) {
		/* wireguard-go would see a key=value whose key or value is
		 * unknown (EINVAL), or no '=' at all (EPROTO) */
		if (p->line_has_eq)
			fail(p, -EINVAL, "line too long or holds a NUL byte");
		else
			fail(p, -EPROTO, "line without '='");
		return;
	}
	line[len] = '\0';
	eq = strchr(line, '=');
	if (!eq) {
		fail(p, -EPROTO, "line without '='");
		return;
	}
	*eq = '\0';
	if (strcmp(line, "public_key") == 0)
		begin_peer(p, eq + 1);
	else if (p->txn.n_peers == 0)
		device_line(p, line, eq + 1);
	else
		peer_line(p, line, eq + 1);
}

size_t wg_uapi_parser_feed(struct wg_uapi_parser *p, const char *data,
			   size_t len)
{
	size_t i;

	for (i = 0; i < len && !p->done; i++) {
		char c = data[i];

		if (c == '\n') {
			handle_line(p);
			wg_wipe(p->line, p->line_len);
			p->line_len = 0;
			p->line_bad = false;
			p->line_has_eq = false;
			continue;
		}
		if (c == '=')
			p->line_has_eq = true;
		if (c == '\0' || p->line_len >= WG_UAPI_LINE_MAX) {
			p->line_bad = true;
			continue;
		}
		if (!p->line_bad)
			p->line[p->line_len++] = c;
	}
	return i;
}

void wg_uapi_parser_discard(struct wg_uapi_parser *p)
{
	struct wg_diag *diag = p->diag;

	wg_uapi_txn_free(&p->txn);
	wg_wipe(p, sizeof(*p));
	p->diag = diag;
}

int wg_uapi_parser_finish(struct wg_uapi_parser *p, struct wg_uapi_txn *txn)
{
	int err;

	memset(txn, 0, sizeof(*txn));
	if (!p->done && !p->err)
		fail(p, -EPROTO, "request ended before its blank line");
	close_peer(p);
	err = p->err;
	if (!err) {
		*txn = p->txn;
		memset(&p->txn, 0, sizeof(p->txn));
	}
	wg_uapi_parser_discard(p);
	return err;
}

int wg_uapi_parse_set(const char *text, size_t len, struct wg_uapi_txn *txn,
		      struct wg_diag *diag)
{
	struct wg_uapi_parser p;
	size_t used;

	wg_uapi_parser_init(&p, diag);
	used = wg_uapi_parser_feed(&p, text, len);
	if (used != len)
		fail(&p, -EPROTO, "data after the blank line");
	return wg_uapi_parser_finish(&p, txn);
}

/* ---------------------------------------------------------------- get */

void wg_uapi_buf_init(struct wg_uapi_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void wg_uapi_buf_free(struct wg_uapi_buf *b)
{
	if (b->data) {
		wg_wipe(b->data, b->cap);
		free(b->data);
	}
	wg_uapi_buf_init(b);
}

int wg_uapi_buf_error(const struct wg_uapi_buf *b)
{
	return b->oom ? -ENOMEM : 0;
}

static bool buf_reserve(struct wg_uapi_buf *b, size_t more)
{
	if (b->oom)
		return false;
	if (b->len + more + 1 > b->cap &&
	    grow_secret((void **)&b->data, &b->cap, 1, b->len + more + 1)) {
		b->oom = true;
		return false;
	}
	return true;
}

static void buf_printf(struct wg_uapi_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void buf_printf(struct wg_uapi_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void buf_key(struct wg_uapi_buf *b, const char *name,
		    const uint8_t key[WG_KEY_LEN])
{
	char hex[WG_KEY_HEX_LEN + 1];

	wg_key_to_hex(hex, key);
	buf_printf(b, "%s=%s\n", name, hex);
	wg_wipe(hex, sizeof(hex));
}

/* Order and conditions as wireguard-go's IpcGetOperation, so that a
 * transcript of ours and of wireguard-go compare line by line. */
void wg_uapi_format_device(struct wg_uapi_buf *b,
			   const struct wg_uapi_device *dev)
{
	const struct wg_interface_config *ifc = dev->interface;

	if (ifc->has_private_key && !wg_is_zero(ifc->private_key, WG_KEY_LEN))
		buf_key(b, "private_key", ifc->private_key);
	if (ifc->listen_port)
		buf_printf(b, "listen_port=%u\n", ifc->listen_port);
	if (ifc->fwmark)
		buf_printf(b, "fwmark=%" PRIu32 "\n", ifc->fwmark);
}

void wg_uapi_format_peer(struct wg_uapi_buf *b, const struct wg_uapi_peer *peer)
{
	const struct wg_peer_config *pc = &peer->config;
	char text[WG_ENDPOINT_STR_LEN > WG_PREFIX_STR_LEN ?
		  WG_ENDPOINT_STR_LEN : WG_PREFIX_STR_LEN];

	buf_key(b, "public_key", pc->public_key);
	/* always present, all zero when there is none, as wireguard-go */
	buf_key(b, "preshared_key", pc->preshared_key);
	buf_printf(b, "protocol_version=%d\n", WG_UAPI_PROTOCOL_VERSION);
	if (wg_family_bits(pc->endpoint.family))
		buf_printf(b, "endpoint=%s\n",
			   wg_endpoint_format(text, &pc->endpoint));
	buf_printf(b, "last_handshake_time_sec=%" PRIu64 "\n"
		      "last_handshake_time_nsec=%" PRIu64 "\n"
		      "tx_bytes=%" PRIu64 "\n"
		      "rx_bytes=%" PRIu64 "\n"
		      "persistent_keepalive_interval=%u\n",
		   peer->last_handshake_time_sec,
		   peer->last_handshake_time_nsec, peer->tx_bytes,
		   peer->rx_bytes, pc->persistent_keepalive);
	for (size_t i = 0; i < pc->n_allowed_ips; i++)
		buf_printf(b, "allowed_ip=%s\n",
			   wg_prefix_format(text, &pc->allowed_ips[i]));
}

void wg_uapi_format_errno(struct wg_uapi_buf *b, int err)
{
	buf_printf(b, "errno=%d\n\n", err);
}

int wg_uapi_format_get(struct wg_uapi_buf *b, const struct wg_uapi_device *dev)
{
	wg_uapi_format_device(b, dev);
	for (size_t i = 0; i < dev->n_peers; i++)
		wg_uapi_format_peer(b, &dev->peers[i]);
	wg_uapi_format_errno(b, 0);
	return wg_uapi_buf_error(b);
}
