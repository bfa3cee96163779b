/* SPDX-License-Identifier: MIT */
/* WireGuard's per-peer timers as pure state; the policy is in wg_timers.h. */
#include "wg_timers.h"

#include "wg_crypto.h"

#define SEC(s) ((uint64_t)(s) * WG_NSEC_PER_SEC)

static const struct wg_timer_params protocol = {
	.rekey_after_time = SEC(WG_REKEY_AFTER_TIME),
	.reject_after_time = SEC(WG_REJECT_AFTER_TIME),
	.rekey_attempt_time = SEC(WG_REKEY_ATTEMPT_TIME),
	.rekey_timeout = SEC(WG_REKEY_TIMEOUT),
	.keepalive_timeout = SEC(WG_KEEPALIVE_TIMEOUT),
};

void wg_timer_params_init(struct wg_timer_params *p)
{
	*p = protocol;
}

static const struct wg_timer_params *P(const struct wg_timers *t)
{
	return t->params ? t->params : &protocol;
}

static const struct wg_timer_params *PP(const struct wg_timer_params *p)
{
	return p ? p : &protocol;
}

void wg_timers_set_params(struct wg_timers *t,
			  const struct wg_timer_params *p)
{
	t->params = p;
}

/* Uniform in [0, max): multiply-shift instead of modulo, no bias worth
 * the name at 333 ms over 2^32. */
static uint64_t random_jitter(void *ctx)
{
	(void)ctx;
	return (uint64_t)wg_random_u32() * WG_TIMERS_JITTER_MAX_NS >> 32;
}

static uint64_t jitter(const struct wg_timers *t)
{
	return t->jitter(t->jitter_ctx) % WG_TIMERS_JITTER_MAX_NS;
}

/* now + delay, saturating below WG_TIMER_OFF so an armed timer never reads
 * as off. */
static void arm(struct wg_timers *t, enum wg_timer_id id, uint64_t now_ns,
		uint64_t delay_ns)
{
	t->deadline[id] = now_ns < WG_TIMER_OFF - 1 - delay_ns ?
				  now_ns + delay_ns :
				  WG_TIMER_OFF - 1;
}

static void disarm(struct wg_timers *t, enum wg_timer_id id)
{
	t->deadline[id] = WG_TIMER_OFF;
}

static bool armed(const struct wg_timers *t, enum wg_timer_id id)
{
	return t->deadline[id] != WG_TIMER_OFF;
}

void wg_timers_init(struct wg_timers *t, wg_timers_jitter_fn jitter_fn,
		    void *jitter_ctx)
{
	*t = (struct wg_timers){
		.jitter = jitter_fn ? jitter_fn : random_jitter,
		.jitter_ctx = jitter_ctx,
	};
	wg_timers_stop(t);
}

void wg_timers_stop(struct wg_timers *t)
{
	for (int id = 0; id < WG_TIMER_COUNT; id++)
		disarm(t, id);
	t->need_another_keepalive = false;
}

/* ---- events ------------------------------------------------------------- */

void wg_timers_data_sent(struct wg_timers *t, uint64_t now_ns)
{
	if (!armed(t, WG_TIMER_ID_NEW_HANDSHAKE))
		arm(t, WG_TIMER_ID_NEW_HANDSHAKE, now_ns,
		    P(t)->keepalive_timeout + P(t)->rekey_timeout + jitter(t));
}

void wg_timers_data_received(struct wg_timers *t, uint64_t now_ns)
{
	/* One keepalive already owed covers this packet too, but the peer
	 * may keep sending after it went out: ask for one more then. */
	if (!armed(t, WG_TIMER_ID_KEEPALIVE))
		arm(t, WG_TIMER_ID_KEEPALIVE, now_ns, P(t)->keepalive_timeout);
	else
		t->need_another_keepalive = true;
}

void wg_timers_any_authenticated_packet_sent(struct wg_timers *t)
{
	disarm(t, WG_TIMER_ID_KEEPALIVE);
}

void wg_timers_any_authenticated_packet_received(struct wg_timers *t)
{
	disarm(t, WG_TIMER_ID_NEW_HANDSHAKE);
}

void wg_timers_any_authenticated_packet_traversal(struct wg_timers *t,
						  uint64_t now_ns)
{
	if (t->persistent_keepalive_s)
		arm(t, WG_TIMER_ID_PERSISTENT, now_ns,
		    SEC(t->persistent_keepalive_s));
}

void wg_timers_handshake_initiated(struct wg_timers *t, uint64_t now_ns)
{
	t->last_initiation_ns = now_ns;
	t->initiation_sent = true;
	arm(t, WG_TIMER_ID_RETRANSMIT, now_ns, P(t)->rekey_timeout + jitter(t));
}

void wg_timers_handshake_response_sent(struct wg_timers *t, uint64_t now_ns)
{
	t->last_initiation_ns = now_ns;
	t->initiation_sent = true;
}

void wg_timers_handshake_complete(struct wg_timers *t, uint64_t now_ns)
{
	disarm(t, WG_TIMER_ID_RETRANSMIT);
	t->handshake_attempts = 0;
	t->sent_lastminute_handshake = false;
	t->last_handshake_ns = now_ns;
	t->handshake_completed = true;
}

void wg_timers_session_derived(struct wg_timers *t, uint64_t now_ns)
{
	arm(t, WG_TIMER_ID_ZERO_KEYS, now_ns, 3 * P(t)->reject_after_time);
}

bool wg_timers_persistent_keepalive_set(struct wg_timers *t,
					uint16_t interval_s)
{
	bool switched_on = !t->persistent_keepalive_s && interval_s;

	t->persistent_keepalive_s = interval_s;
	if (!interval_s)
		disarm(t, WG_TIMER_ID_PERSISTENT);
	return switched_on;
}

/* ---- expiry ------------------------------------------------------------- */

static unsigned expired_retransmit(struct wg_timers *t, uint64_t now_ns)
{
	uint64_t max = P(t)->rekey_timeout ?
			       P(t)->rekey_attempt_time / P(t)->rekey_timeout :
			       0;

	if (t->handshake_attempts > max) {
		/* The first initiation and MAX + 1 retries went unanswered.
		 * Nothing is owed any more, and keys from an old session,
		 * if any, go at the latest 3 * REJECT_AFTER_TIME from now. */
		disarm(t, WG_TIMER_ID_KEEPALIVE);
		if (!armed(t, WG_TIMER_ID_ZERO_KEYS))
			arm(t, WG_TIMER_ID_ZERO_KEYS, now_ns,
			    3 * P(t)->reject_after_time);
		return WG_TIMER_GIVE_UP;
	}
	t->handshake_attempts++;
	return WG_TIMER_SEND_HANDSHAKE;
}

static unsigned expired_keepalive(struct wg_timers *t, uint64_t now_ns)
{
	if (t->need_another_keepalive) {
		t->need_another_keepalive = false;
		arm(t, WG_TIMER_ID_KEEPALIVE, now_ns, P(t)->keepalive_timeout);
	}
	return WG_TIMER_SEND_KEEPALIVE;
}

static unsigned expired_new_handshake(struct wg_timers *t, uint64_t now_ns)
{
	(void)t;
	(void)now_ns;
	return WG_TIMER_NEW_HANDSHAKE;
}

static unsigned expired_zero_keys(struct wg_timers *t, uint64_t now_ns)
{
	(void)t;
	(void)now_ns;
	return WG_TIMER_ZERO_KEYS;
}

static unsigned expired_persistent(struct wg_timers *t, uint64_t now_ns)
{
	(void)now_ns;
	return t->persistent_keepalive_s ? WG_TIMER_PERSISTENT_KEEPALIVE : 0;
}

static unsigned (*const expired[WG_TIMER_COUNT])(struct wg_timers *,
						 uint64_t) = {
	[WG_TIMER_ID_RETRANSMIT] = expired_retransmit,
	[WG_TIMER_ID_KEEPALIVE] = expired_keepalive,
	[WG_TIMER_ID_NEW_HANDSHAKE] = expired_new_handshake,
	[WG_TIMER_ID_ZERO_KEYS] = expired_zero_keys,
	[WG_TIMER_ID_PERSISTENT] = expired_persistent,
};

/* Earliest armed timer (lowest id on ties), or -1. */
static int earliest(const struct wg_timers *t)
{
	int best = -1;

	for (int id = 0; id < WG_TIMER_COUNT; id++)
		if (armed(t, id) &&
		    (best < 0 || t->deadline[id] < t->deadline[best]))
			best = id;
	return best;
}

unsigned wg_timers_poll(struct wg_timers *t, uint64_t now_ns)
{
	unsigned actions = 0;

	/* Earliest first, so that a handler that cancels another timer
	 * (give-up cancels the keepalive) acts as it would have in real
	 * time. Handlers re-arm only into the future, so each timer fires at
	 * most once per poll and WG_TIMER_COUNT rounds suffice. */
	for (int round = 0; round < WG_TIMER_COUNT; round++) {
		int id = earliest(t);

		if (id < 0 || t->deadline[id] > now_ns)
			break;
		disarm(t, id);
		actions |= expired[id](t, now_ns);
	}
	return actions;
}

uint64_t wg_timers_next_deadline(const struct wg_timers *t)
{
	int id = earliest(t);

	return id < 0 ? WG_TIMER_OFF : t->deadline[id];
}

/* ---- handshake initiation rules ----------------------------------------- */

bool wg_timers_initiation_allowed(const struct wg_timers *t, uint64_t now_ns)
{
	return !t->initiation_sent ||
	       (now_ns >= t->last_initiation_ns &&
		now_ns - t->last_initiation_ns >= P(t)->rekey_timeout);
}

bool wg_timers_want_handshake(struct wg_timers *t, uint64_t now_ns,
			      bool is_retry)
{
	if (!is_retry)
		t->handshake_attempts = 0;
	return wg_timers_initiation_allowed(t, now_ns);
}

bool wg_timers_claim_lastminute_handshake(struct wg_timers *t)
{
	if (t->sent_lastminute_handshake)
		return false;
	t->sent_lastminute_handshake = true;
	return true;
}

/* ---- keypair age policy ------------------------------------------------- */

static bool age_reached(uint64_t birth_ns, uint64_t now_ns, uint64_t limit_ns)
{
	return now_ns >= birth_ns && now_ns - birth_ns >= limit_ns;
}

bool wg_keypair_needs_rekey_on_send(const struct wg_timer_params *p,
				    uint64_t birth_ns, uint64_t now_ns,
				    uint64_t counter, bool is_initiator)
{
	return counter > WG_REKEY_AFTER_MESSAGES ||
	       (is_initiator &&
		age_reached(birth_ns, now_ns, PP(p)->rekey_after_time));
}

bool wg_keypair_needs_rekey_on_receive(const struct wg_timer_params *p,
				       uint64_t birth_ns, uint64_t now_ns,
				       bool is_initiator)
{
	/* REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT */
	uint64_t last = PP(p)->keepalive_timeout + PP(p)->rekey_timeout;
	uint64_t at = PP(p)->reject_after_time > last ?
			      PP(p)->reject_after_time - last :
			      0;

	return is_initiator && age_reached(birth_ns, now_ns, at);
}

bool wg_keypair_expired(const struct wg_timer_params *p, uint64_t birth_ns,
			uint64_t now_ns, uint64_t counter)
{
	return counter >= WG_REJECT_AFTER_MESSAGES ||
	       age_reached(birth_ns, now_ns, PP(p)->reject_after_time);
}
