/* SPDX-License-Identifier: MIT */
/*
 * The cross-platform userspace configuration protocol that the stock `wg`
 * tool speaks over /var/run/wireguard/<name>.sock
 * (https://www.wireguard.com/xplatform/), without the socket: a streaming
 * parser for the body of a `set=1` request and a serializer for the body
 * of a `get=1` answer. No I/O happens here, so both are easy to fuzz.
 *
 * set=1: the parser only builds a transaction (struct wg_uapi_txn, in the
 * config data model of wg_config.h with its has_X flags). Every line is
 * checked before the caller sees anything; a request with any bad line is
 * refused whole, so the caller applies either all of it or nothing. The
 * request is always read up to its terminating blank line, also after an
 * error, so that the answer comes after the whole request, as `wg` expects.
 *
 * Errors are negative errnos, the ones wireguard-go answers (its
 * ipc/uapi_unix.go and device/uapi.go), which `wg` turns into its message:
 *   -EPROTO  a line without '=' ("failed to parse line"), or a request that
 *            ended before its blank line
 *   -EINVAL  an unknown key, a device key after the first public_key, or a
 *            bad value (including values wireguard-go would take but this
 *            gateway cannot: listen_port=0, endpoint port 0, host names)
 *   -ENOSPC  more peers or AllowedIPs than WG_UAPI_MAX_* in one request
 *   -ENOMEM  out of memory
 * On the wire the number is sent as wireguard-go does, negative
 * ("errno=-22"): `wg set` reads it with fscanf("errno=%d") and reports
 * strerror(-n).
 *
 * get=1: the caller describes the device (struct wg_uapi_device and one
 * struct wg_uapi_peer per peer) and the serializer appends the lines in
 * wireguard-go's order, then "errno=0\n\n". Keys are lower-case hex.
 */
#ifndef WG_UAPI_H
#define WG_UAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg_addr.h"
#include "wg_config.h"
#include "wg_diag.h"
#include "wg_messages.h"

enum wg_uapi_limits {
	/* The longest line `wg` can send is a preshared_key (78 characters);
	 * anything much longer is refused without being stored. */
	WG_UAPI_LINE_MAX = 256,
	/* Bounds on one transaction, so that a client cannot make the
	 * control core allocate without limit. The device has its own,
	 * smaller, capacity which it checks when applying. */
	WG_UAPI_MAX_PEERS = WG_MAX_PEERS_MAX, /* a whole `wg setconf` */
	WG_UAPI_MAX_ALLOWED_IPS = 1 << 20, /* over all peers of a request */
	WG_UAPI_PROTOCOL_VERSION = 1,
};

/*
 * A validated set=1 request. interface uses has_private_key,
 * has_listen_port, has_fwmark and replace_peers (name, mtu and has_mtu
 * stay zero); when has_private_key and the key is not all zero it is clamped and
 * public_key is derived from it. An all-zero private_key or preshared_key
 * means "remove it", as in the protocol.
 *
 * peers are in request order; the same public key may appear more than
 * once (apply them in order). Each has has_public_key set; allowed_ips
 * are masked, sorted and without duplicates; when replace_allowed_ips
 * came after some allowed_ip lines of the same peer, those lines are
 * already dropped, so "replace first, then add" is always the meaning.
 * A peer whose public key is the device's own must be ignored by whoever
 * applies the transaction (as the kernel and wireguard-go do).
 */
struct wg_uapi_txn {
	struct wg_interface_config interface;
	struct wg_peer_config *peers;
	size_t n_peers;
	size_t cap_peers;     /* private */
	size_t n_allowed_ips; /* over all peers */
};

/* Wipes the keys and frees; leaves an empty transaction. */
void wg_uapi_txn_free(struct wg_uapi_txn *txn);

/* Streaming parser of the lines after "set=1\n". Opaque in use; in the
 * header only so that it can live on the stack or in a connection. */
struct wg_uapi_parser {
	struct wg_uapi_txn txn;
	struct wg_diag *diag;
	char line[WG_UAPI_LINE_MAX + 1];
	size_t line_len;
	unsigned int line_no;
	bool line_bad;      /* too long or holds a NUL: refused whole */
	bool line_has_eq;   /* seen '=' in a refused line */
	bool done;          /* blank line consumed */
	int err;            /* first error, 0 if none yet */
};

/* diag (may be NULL) receives one message for the first error, of the
 * form "line N: ...", never with key material. */
void wg_uapi_parser_init(struct wg_uapi_parser *p, struct wg_diag *diag);

/*
 * Feed the next len bytes of the request (any split: byte by byte, line by
 * line, or all at once). Returns how many bytes belong to the request:
 * len, or fewer when the terminating blank line ended inside data (the
 * rest is the client's next command). Once wg_uapi_parser_done() is true,
 * further calls consume nothing.
 */
size_t wg_uapi_parser_feed(struct wg_uapi_parser *p, const char *data,
			   size_t len);

bool wg_uapi_parser_done(const struct wg_uapi_parser *p);

/* The first error so far (a request can be known bad before its end). */
int wg_uapi_parser_error(const struct wg_uapi_parser *p);

/*
 * End the request. Returns 0 and moves the transaction into *txn (the
 * caller frees it with wg_uapi_txn_free), or a negative errno and *txn is
 * left empty: -EPROTO when the blank line has not been seen. Either way
 * the parser is left empty (no key material), ready for wg_uapi_parser_init.
 */
int wg_uapi_parser_finish(struct wg_uapi_parser *p, struct wg_uapi_txn *txn);

/* Drop a request without finishing it (e.g. the client went away). */
void wg_uapi_parser_discard(struct wg_uapi_parser *p);

/*
 * Whole-request convenience: text is everything after "set=1\n" and must
 * be exactly one request, ending with its blank line. Returns 0 and fills
 * *txn, or a negative errno (-EPROTO also for bytes after the blank line).
 */
int wg_uapi_parse_set(const char *text, size_t len, struct wg_uapi_txn *txn,
		      struct wg_diag *diag);

/* ------------------------------------------------------------- get=1 */

/* A growable text buffer. It holds private keys: wg_uapi_buf_free wipes
 * it. Appending never fails visibly; an allocation failure is latched and
 * reported by wg_uapi_buf_error. */
struct wg_uapi_buf {
	char *data;
	size_t len;
	size_t cap;
	bool oom;
};

void wg_uapi_buf_init(struct wg_uapi_buf *b);
void wg_uapi_buf_free(struct wg_uapi_buf *b);
/* 0, or -ENOMEM when some append was lost. */
int wg_uapi_buf_error(const struct wg_uapi_buf *b);

/* A peer as get=1 reports it: its settings in the one config model
 * (public_key, preshared_key all zero when none, endpoint family
 * WG_FAMILY_NONE when none, persistent_keepalive, allowed_ips; the has_X
 * flags and the verbs are not read), and what only get reports. */
struct wg_uapi_peer {
	struct wg_peer_config config;      /* its preshared key is secret */
	uint64_t last_handshake_time_sec;  /* wall clock; 0/0: never */
	uint64_t last_handshake_time_nsec;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
};

/* The device as get=1 reports it: interface->private_key when
 * has_private_key and not all zero, listen_port and fwmark when not 0
 * (the rest of the interface is not read). */
struct wg_uapi_device {
	const struct wg_interface_config *interface;
	const struct wg_uapi_peer *peers;  /* may be NULL when peers are */
	size_t n_peers;                    /* appended one by one instead */
};

/* The three steps of an answer, for callers that visit peers one at a
 * time: the device lines, then each peer, then the errno line and the
 * blank line. wg_uapi_format_get does all three. */
void wg_uapi_format_device(struct wg_uapi_buf *b,
			   const struct wg_uapi_device *dev);
void wg_uapi_format_peer(struct wg_uapi_buf *b, const struct wg_uapi_peer *peer);
/* "errno=<err>\n\n"; err is 0 or a negative errno, sent as is. */
void wg_uapi_format_errno(struct wg_uapi_buf *b, int err);

/* The whole answer to get=1 for dev and its peers array, ending with
 * "errno=0\n\n". Returns 0 or -ENOMEM. */
int wg_uapi_format_get(struct wg_uapi_buf *b, const struct wg_uapi_device *dev);

#endif /* WG_UAPI_H */
