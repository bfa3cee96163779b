/* SPDX-License-Identifier: MIT */
/*
 * Every WireGuard timer of one peer as events and a poll, with the time
 * passed in: no clock is read here, nothing sleeps, nothing is sent. Each
 * function says what happened; wg_timers_poll() says what is due now and
 * wg_timers_next_deadline() when the next thing will be. The policy follows
 * the Linux driver's timers.c and wireguard-go's timers.go:
 *
 *   retransmit handshake  REKEY_TIMEOUT + jitter after an initiation with
 *                         no response; after WG_MAX_TIMER_HANDSHAKES
 *                         retries (20 initiations in all, ~100 s) give up
 *   send keepalive        KEEPALIVE_TIMEOUT after data was received if we
 *                         sent nothing back (an ack)
 *   new handshake         KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter after
 *                         data was sent if nothing at all came back
 *   zero key material     3 * REJECT_AFTER_TIME after the last new session
 *                         (or after giving up), drop every key
 *   persistent keepalive  every N s of silence in both directions, if set
 *
 * A timer is a deadline in ns (WG_TIMER_OFF when not armed). It fires once
 * when polled at or after its deadline, then is off unless its handler
 * re-arms it. Times are monotonic nanoseconds from any origin (the caller
 * converts TSC ticks).
 *
 * Not thread-safe: one owner, the control lcore. Because the time is an
 * argument, the owner can replay events that workers stamped earlier (for
 * example "data received at t" sampled from a per-peer atomic).
 */
#ifndef WG_TIMERS_H
#define WG_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "wg_messages.h"

#define WG_NSEC_PER_SEC  UINT64_C(1000000000)
#define WG_NSEC_PER_MSEC UINT64_C(1000000)
#define WG_TIMER_OFF     UINT64_MAX

/* Jitter added to the handshake retransmit and new-handshake timers so
 * that peers that lost packets together do not retry in lockstep: uniform
 * in [0, WG_REKEY_TIMEOUT_JITTER_MAX_MS) ms, as both reference drivers. */
#define WG_TIMERS_JITTER_MAX_NS \
	((uint64_t)WG_REKEY_TIMEOUT_JITTER_MAX_MS * WG_NSEC_PER_MSEC)

/* Actions returned by wg_timers_poll(), as a bit mask (several may be due
 * at once; doing them in this order is sensible). */
enum wg_timer_action {
	/* Drop the packets queued for this peer: the handshake failed. */
	WG_TIMER_GIVE_UP = 1u << 0,
	/* Wipe the handshake state and every keypair of the peer. */
	WG_TIMER_ZERO_KEYS = 1u << 1,
	/* Retransmit: send an initiation as a retry (is_retry = true). */
	WG_TIMER_SEND_HANDSHAKE = 1u << 2,
	/* Data went unanswered: forget the cached source address of the
	 * endpoint and start a fresh handshake (is_retry = false). */
	WG_TIMER_NEW_HANDSHAKE = 1u << 3,
	/* Send an empty transport message (acknowledge received data). */
	WG_TIMER_SEND_KEEPALIVE = 1u << 4,
	/* Send an empty transport message (keep NAT state alive). One
	 * keepalive serves both bits when both are set. */
	WG_TIMER_PERSISTENT_KEEPALIVE = 1u << 5,
};

/* The timers, indexing wg_timers.deadline[]. */
enum wg_timer_id {
	WG_TIMER_ID_RETRANSMIT,
	WG_TIMER_ID_KEEPALIVE,
	WG_TIMER_ID_NEW_HANDSHAKE,
	WG_TIMER_ID_ZERO_KEYS,
	WG_TIMER_ID_PERSISTENT,
	WG_TIMER_COUNT,
};

/*
 * The protocol's durations, in ns. A peer's timers and the keypair age
 * predicates use the protocol's values unless given other ones; only
 * tests shorten them (wg_config.h, the `testing` group).
 */
struct wg_timer_params {
	uint64_t rekey_after_time;   /* WG_REKEY_AFTER_TIME */
	uint64_t reject_after_time;  /* WG_REJECT_AFTER_TIME */
	uint64_t rekey_attempt_time; /* WG_REKEY_ATTEMPT_TIME */
	uint64_t rekey_timeout;      /* WG_REKEY_TIMEOUT */
	uint64_t keepalive_timeout;  /* WG_KEEPALIVE_TIMEOUT */
};

/* The protocol's values. */
void wg_timer_params_init(struct wg_timer_params *p);

/* Returns jitter in ns; values >= WG_TIMERS_JITTER_MAX_NS are reduced
 * modulo it. Tests pass a fixed one; NULL means uniform random from
 * wg_random_u32(). */
typedef uint64_t (*wg_timers_jitter_fn)(void *ctx);

struct wg_timers {
	uint64_t deadline[WG_TIMER_COUNT]; /* ns, WG_TIMER_OFF when off */
	uint64_t last_initiation_ns;       /* valid if initiation_sent */
	uint64_t last_handshake_ns;        /* valid if handshake_completed */
	uint32_t handshake_attempts;       /* retries since the first */
	uint16_t persistent_keepalive_s;   /* 0 = off */
	bool initiation_sent;
	bool handshake_completed;
	bool need_another_keepalive;
	bool sent_lastminute_handshake;
	wg_timers_jitter_fn jitter;
	void *jitter_ctx;
	const struct wg_timer_params *params; /* NULL: the protocol's */
};

/* All timers off, no handshake sent yet. jitter may be NULL. */
void wg_timers_init(struct wg_timers *t, wg_timers_jitter_fn jitter,
		    void *jitter_ctx);

/* Use other durations than the protocol's (p must outlive t; NULL: back
 * to the protocol's). Applies to timers armed from now on. */
void wg_timers_set_params(struct wg_timers *t,
			  const struct wg_timer_params *p);

/* Disarm everything (peer removed or interface down). */
void wg_timers_stop(struct wg_timers *t);

/* ---- events --------------------------------------------------------------
 * Sending an initiation is, for the caller:
 *	if (wg_timers_want_handshake(t, now, is_retry)) {
 *		build and send it;
 *		wg_timers_any_authenticated_packet_traversal(t, now);
 *		wg_timers_any_authenticated_packet_sent(t);
 *		wg_timers_handshake_initiated(t, now);
 *	}
 * A handshake response sent or a transport message sent or received also
 * counts as an authenticated packet sent / received / traversing.
 */

/* A transport message with a non-empty payload was sent: arm the
 * new-handshake timer unless it is already running, so it measures from
 * the oldest unanswered data. */
void wg_timers_data_sent(struct wg_timers *t, uint64_t now_ns);

/* A transport message with a payload was received: owe the peer a
 * keepalive in KEEPALIVE_TIMEOUT, or one more after the pending one. */
void wg_timers_data_received(struct wg_timers *t, uint64_t now_ns);

/* Anything authenticated went out (data, keepalive, handshake message):
 * the owed keepalive is paid. */
void wg_timers_any_authenticated_packet_sent(struct wg_timers *t);

/* Anything authenticated came in: the peer is alive, no new handshake. */
void wg_timers_any_authenticated_packet_received(struct wg_timers *t);

/* Anything authenticated went either way: restart persistent keepalive. */
void wg_timers_any_authenticated_packet_traversal(struct wg_timers *t,
						  uint64_t now_ns);

/* We sent an initiation: remember when (rate rule) and arm the retransmit
 * at REKEY_TIMEOUT + jitter. */
void wg_timers_handshake_initiated(struct wg_timers *t, uint64_t now_ns);

/* We sent a handshake response: for the rate rule it counts as a
 * handshake sent (Linux's last_sent_handshake), so data that finds the
 * responder's session not yet confirmed waits REKEY_TIMEOUT before it
 * asks for an initiation of ours. Arms nothing: answering is not
 * initiating. */
void wg_timers_handshake_response_sent(struct wg_timers *t, uint64_t now_ns);

/* A handshake completed (initiator: response received; responder: first
 * data with the new keypair): stop retransmitting, reset the attempts. */
void wg_timers_handshake_complete(struct wg_timers *t, uint64_t now_ns);

/* New keys were derived: zero them all unless another session comes
 * within 3 * REJECT_AFTER_TIME. */
void wg_timers_session_derived(struct wg_timers *t, uint64_t now_ns);

/* Set the persistent keepalive interval in seconds (0 = off). Returns true
 * when it was just switched on: send one keepalive now, as the reference
 * drivers do, which then arms the timer through the traversal event. */
bool wg_timers_persistent_keepalive_set(struct wg_timers *t,
					uint16_t interval_s);

/* ---- polling ------------------------------------------------------------ */

/* Fire every timer due at now_ns (deadline <= now_ns), earliest first, and
 * return the union of their actions (0 if none). */
unsigned wg_timers_poll(struct wg_timers *t, uint64_t now_ns);

/* Earliest armed deadline, or WG_TIMER_OFF when nothing is armed. */
uint64_t wg_timers_next_deadline(const struct wg_timers *t);

/* ---- handshake initiation rules ----------------------------------------- */

/* Rate rule: no initiation within REKEY_TIMEOUT of the previous one. */
bool wg_timers_initiation_allowed(const struct wg_timers *t, uint64_t now_ns);

/* Something wants an initiation sent: a timer action, data with no usable
 * keypair, or a rekey predicate below. A non-retry request starts a new
 * round of attempts. Returns whether the rate rule lets it go now; if not,
 * the caller sends nothing (the pending attempt covers it). */
bool wg_timers_want_handshake(struct wg_timers *t, uint64_t now_ns,
			      bool is_retry);

/* The receive-side rekey (below) fires once per handshake: true the first
 * time it is asked after a handshake completed, then false until the next
 * wg_timers_handshake_complete(). */
bool wg_timers_claim_lastminute_handshake(struct wg_timers *t);

/* ---- keypair age policy --------------------------------------------------
 * birth_ns is when the keypair was derived; counter is its sending counter,
 * i.e. the nonce the next message would use (= messages sent so far). Ages
 * are "at or after": a limit of L seconds is reached when now >= birth + L
 * (Linux's birthdate_has_expired). A clock that reads before birth counts
 * as age 0. p gives the durations; NULL: the protocol's.
 */

/* After sending: start a handshake when more than REKEY_AFTER_MESSAGES have
 * been sent, or, for the initiator of the keypair, when it is
 * REKEY_AFTER_TIME old. (Only the initiator rekeys by age, so both sides do
 * not start handshakes at once.) */
bool wg_keypair_needs_rekey_on_send(const struct wg_timer_params *p,
				    uint64_t birth_ns, uint64_t now_ns,
				    uint64_t counter, bool is_initiator);

/* After receiving: the initiator starts a handshake when its keypair is
 * REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT old, its last
 * chance before the keypair dies if the peer only receives. Combine with
 * wg_timers_claim_lastminute_handshake() to do it once. */
bool wg_keypair_needs_rekey_on_receive(const struct wg_timer_params *p,
				       uint64_t birth_ns, uint64_t now_ns,
				       bool is_initiator);

/* Neither send nor accept with it: REJECT_AFTER_TIME old, or counter at
 * WG_REJECT_AFTER_MESSAGES (for sending, the nonce about to be used; for
 * receiving, the replay window rejects such counters itself). */
bool wg_keypair_expired(const struct wg_timer_params *p, uint64_t birth_ns,
			uint64_t now_ns, uint64_t counter);

#endif /* WG_TIMERS_H */
