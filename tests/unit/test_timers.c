/* SPDX-License-Identifier: MIT */
/* Peer timers over a fake clock: one scenario table per timer, a simulated
 * control core retransmitting until it gives up, and the keypair age
 * predicates at their exact boundaries. */
#include "test_support.h"

#include <stdio.h>

#include "wg_crypto.h"
#include "wg_timers.h"

#define S(x)  ((uint64_t)(x) * WG_NSEC_PER_SEC)
#define MS(x) ((uint64_t)(x) * WG_NSEC_PER_MSEC)
#define OFF   WG_TIMER_OFF

/* Jitter from a list, cycling. */
struct fake_jitter {
	const uint64_t *vals;
	size_t n, next;
};

static uint64_t fake_jitter(void *ctx)
{
	struct fake_jitter *f = ctx;

	return f->vals[f->next++ % f->n];
}

/* ---- scenario tables ---------------------------------------------------- */

enum op {
	DATA_SENT,
	DATA_RECV,
	ANY_SENT,
	ANY_RECV,
	TRAVERSAL,
	INITIATED,
	COMPLETE,
	DERIVED,
	PKA_SET,  /* arg: interval s; want: whether to send a keepalive now */
	POLL,     /* want: action mask */
	DEADLINE, /* want: next deadline */
	WANT_HS,  /* arg: is_retry; want: allowed */
	ATTEMPTS, /* want: handshake_attempts */
	CLAIM,    /* want: wg_timers_claim_lastminute_handshake() */
};

struct row {
	uint64_t at; /* fake clock, ns */
	enum op op;
	uint64_t arg;
	uint64_t want;
};

struct scenario {
	const char *name;
	uint64_t jitter_ns;
	const struct row *rows;
	size_t n;
};

#define SCENARIO(name, jitter, rows) \
	{ name, jitter, rows, sizeof(rows) / sizeof(rows[0]) }

static const struct row keepalive_rows[] = {
	/* data received, nothing sent: keepalive 10 s later */
	{ S(0), DATA_RECV, 0, 0 },
	{ S(0), DEADLINE, 0, S(10) },
	{ S(10) - 1, POLL, 0, 0 },
	{ S(10), POLL, 0, WG_TIMER_SEND_KEEPALIVE },
	{ S(10), ANY_SENT, 0, 0 }, /* the keepalive went out */
	{ S(10), DEADLINE, 0, OFF },
	{ S(15), POLL, 0, 0 },
	/* data received, then we send something: nothing owed */
	{ S(20), DATA_RECV, 0, 0 },
	{ S(25), ANY_SENT, 0, 0 },
	{ S(25), DEADLINE, 0, OFF },
	{ S(30), POLL, 0, 0 },
	/* more data while one is owed: one more keepalive after it */
	{ S(50), DATA_RECV, 0, 0 },
	{ S(55), DATA_RECV, 0, 0 },
	{ S(55), DEADLINE, 0, S(60) },
	{ S(60), POLL, 0, WG_TIMER_SEND_KEEPALIVE },
	{ S(60), DEADLINE, 0, S(70) },
	{ S(70), POLL, 0, WG_TIMER_SEND_KEEPALIVE },
	{ S(70), DEADLINE, 0, OFF },
	/* but sending the first keepalive pays for all of it */
	{ S(80), DATA_RECV, 0, 0 },
	{ S(81), DATA_RECV, 0, 0 },
	{ S(90), POLL, 0, WG_TIMER_SEND_KEEPALIVE },
	{ S(90), ANY_SENT, 0, 0 },
	{ S(100), POLL, 0, 0 },
	{ S(100), DEADLINE, 0, OFF },
};

static const struct row new_handshake_rows[] = {
	/* data sent, nothing back: new handshake 15 s after the first */
	{ S(0), DATA_SENT, 0, 0 },
	{ S(0), DEADLINE, 0, S(15) },
	{ S(3), DATA_SENT, 0, 0 },
	{ S(3), DEADLINE, 0, S(15) }, /* measured from the oldest */
	{ S(15) - 1, POLL, 0, 0 },
	{ S(15), POLL, 0, WG_TIMER_NEW_HANDSHAKE },
	{ S(15), DEADLINE, 0, OFF },
	/* anything authenticated back cancels it */
	{ S(20), DATA_SENT, 0, 0 },
	{ S(30), ANY_RECV, 0, 0 },
	{ S(30), DEADLINE, 0, OFF },
	{ S(40), POLL, 0, 0 },
	/* a new handshake request starts a new round of attempts */
	{ S(40), WANT_HS, false, true },
	{ S(40), ATTEMPTS, 0, 0 },
};

static const struct row new_handshake_jitter_rows[] = {
	{ S(0), DATA_SENT, 0, 0 },
	{ S(0), DEADLINE, 0, S(15) + MS(250) },
	{ S(15) + MS(250) - 1, POLL, 0, 0 },
	{ S(15) + MS(250), POLL, 0, WG_TIMER_NEW_HANDSHAKE },
};

static const struct row persistent_rows[] = {
	{ S(0), PKA_SET, 25, true }, /* switched on: send one now */
	{ S(0), TRAVERSAL, 0, 0 },   /* which traverses */
	{ S(0), DEADLINE, 0, S(25) },
	{ S(25) - 1, POLL, 0, 0 },
	{ S(25), POLL, 0, WG_TIMER_PERSISTENT_KEEPALIVE },
	{ S(25), TRAVERSAL, 0, 0 }, /* the keepalive went out */
	{ S(25), DEADLINE, 0, S(50) },
	{ S(30), TRAVERSAL, 0, 0 }, /* other traffic pushes it back */
	{ S(50), POLL, 0, 0 },
	{ S(55), POLL, 0, WG_TIMER_PERSISTENT_KEEPALIVE },
	{ S(55), TRAVERSAL, 0, 0 },
	{ S(80), POLL, 0, WG_TIMER_PERSISTENT_KEEPALIVE },
	{ S(80), TRAVERSAL, 0, 0 },
	{ S(80), PKA_SET, 25, false }, /* unchanged */
	{ S(80), PKA_SET, 5, false },  /* changed, not switched on */
	{ S(80), DEADLINE, 0, S(105) }, /* applies from the next packet */
	{ S(81), TRAVERSAL, 0, 0 },
	{ S(86), POLL, 0, WG_TIMER_PERSISTENT_KEEPALIVE },
	{ S(86), TRAVERSAL, 0, 0 },
	{ S(87), PKA_SET, 0, false }, /* off */
	{ S(87), DEADLINE, 0, OFF },
	{ S(88), TRAVERSAL, 0, 0 },
	{ S(88), DEADLINE, 0, OFF },
	{ S(200), POLL, 0, 0 },
	{ S(200), PKA_SET, 10, true },
};

static const struct row zero_keys_rows[] = {
	{ S(0), DERIVED, 0, 0 },
	{ S(0), DEADLINE, 0, S(540) },
	{ S(100), DERIVED, 0, 0 }, /* a newer session restarts it */
	{ S(100), DEADLINE, 0, S(640) },
	{ S(540), POLL, 0, 0 },
	{ S(640) - 1, POLL, 0, 0 },
	{ S(640), POLL, 0, WG_TIMER_ZERO_KEYS },
	{ S(640), DEADLINE, 0, OFF },
	{ S(2000), POLL, 0, 0 },
};

static const struct row complete_rows[] = {
	{ S(0), WANT_HS, false, true }, /* nothing sent yet */
	{ S(0), INITIATED, 0, 0 },
	{ S(0), DEADLINE, 0, S(5) + MS(100) },
	{ S(5), WANT_HS, true, true }, /* 5 s after: allowed again */
	{ S(5) + MS(100), POLL, 0, WG_TIMER_SEND_HANDSHAKE },
	{ S(5) + MS(100), ATTEMPTS, 0, 1 },
	{ S(5) + MS(100), WANT_HS, true, true },
	{ S(5) + MS(100), INITIATED, 0, 0 },
	{ S(5) + MS(100), DEADLINE, 0, S(10) + MS(200) },
	/* the rate rule: nothing within REKEY_TIMEOUT of the last one */
	{ S(7), WANT_HS, false, false },
	{ S(7), ATTEMPTS, 0, 0 }, /* a new request still resets the count */
	{ S(7), COMPLETE, 0, 0 },
	{ S(7), DEADLINE, 0, OFF }, /* no more retransmits */
	{ S(7), ATTEMPTS, 0, 0 },
	{ S(10) + MS(100) - 1, WANT_HS, false, false },
	{ S(10) + MS(100), WANT_HS, false, true },
	{ S(20), POLL, 0, 0 },
	/* the receive-side last-minute rekey fires once per handshake */
	{ S(30), CLAIM, 0, true },
	{ S(31), CLAIM, 0, false },
	{ S(40), COMPLETE, 0, 0 },
	{ S(41), CLAIM, 0, true },
};

static const struct row earliest_rows[] = {
	{ S(0), DERIVED, 0, 0 },      /* 540 s */
	{ S(0), DATA_SENT, 0, 0 },    /* 15 s */
	{ S(0), DATA_RECV, 0, 0 },    /* 10 s */
	{ S(0), PKA_SET, 25, true },
	{ S(0), TRAVERSAL, 0, 0 },    /* 25 s */
	{ S(0), DEADLINE, 0, S(10) },
	{ S(0), INITIATED, 0, 0 },    /* 5 s */
	{ S(0), DEADLINE, 0, S(5) },
	{ S(5), POLL, 0, WG_TIMER_SEND_HANDSHAKE },
	{ S(5), DEADLINE, 0, S(10) },
	{ S(10), POLL, 0, WG_TIMER_SEND_KEEPALIVE },
	{ S(10), DEADLINE, 0, S(15) },
	{ S(15), POLL, 0, WG_TIMER_NEW_HANDSHAKE },
	{ S(15), DEADLINE, 0, S(25) },
	{ S(25), POLL, 0, WG_TIMER_PERSISTENT_KEEPALIVE },
	{ S(25), DEADLINE, 0, S(540) },
	{ S(540), POLL, 0, WG_TIMER_ZERO_KEYS },
	{ S(540), DEADLINE, 0, OFF },
};

/* Polled late, everything due fires in one poll. */
static const struct row late_poll_rows[] = {
	{ S(0), DERIVED, 0, 0 },
	{ S(0), DATA_SENT, 0, 0 },
	{ S(0), DATA_RECV, 0, 0 },
	{ S(0), PKA_SET, 25, true },
	{ S(0), TRAVERSAL, 0, 0 },
	{ S(0), INITIATED, 0, 0 },
	{ S(30), POLL, 0,
	  WG_TIMER_SEND_HANDSHAKE | WG_TIMER_SEND_KEEPALIVE |
		  WG_TIMER_NEW_HANDSHAKE | WG_TIMER_PERSISTENT_KEEPALIVE },
	{ S(30), DEADLINE, 0, S(540) },
	{ S(30), POLL, 0, 0 },
	{ S(600), POLL, 0, WG_TIMER_ZERO_KEYS },
};

static const struct scenario scenarios[] = {
	SCENARIO("keepalive", 0, keepalive_rows),
	SCENARIO("new handshake", 0, new_handshake_rows),
	SCENARIO("new handshake + jitter", MS(250), new_handshake_jitter_rows),
	SCENARIO("persistent keepalive", MS(100), persistent_rows),
	SCENARIO("zero keys", 0, zero_keys_rows),
	SCENARIO("handshake complete", MS(100), complete_rows),
	SCENARIO("earliest deadline", 0, earliest_rows),
	SCENARIO("late poll", 0, late_poll_rows),
};

static uint64_t run_row(struct wg_timers *t, const struct row *r)
{
	switch (r->op) {
	case DATA_SENT:
		wg_timers_data_sent(t, r->at);
		return 0;
	case DATA_RECV:
		wg_timers_data_received(t, r->at);
		return 0;
	case ANY_SENT:
		wg_timers_any_authenticated_packet_sent(t);
		return 0;
	case ANY_RECV:
		wg_timers_any_authenticated_packet_received(t);
		return 0;
	case TRAVERSAL:
		wg_timers_any_authenticated_packet_traversal(t, r->at);
		return 0;
	case INITIATED:
		wg_timers_handshake_initiated(t, r->at);
		return 0;
	case COMPLETE:
		wg_timers_handshake_complete(t, r->at);
		return 0;
	case DERIVED:
		wg_timers_session_derived(t, r->at);
		return 0;
	case PKA_SET:
		return wg_timers_persistent_keepalive_set(t,
							  (uint16_t)r->arg);
	case POLL:
		return wg_timers_poll(t, r->at);
	case DEADLINE:
		return wg_timers_next_deadline(t);
	case WANT_HS:
		return wg_timers_want_handshake(t, r->at, r->arg != 0);
	case ATTEMPTS:
		return t->handshake_attempts;
	case CLAIM:
		return wg_timers_claim_lastminute_handshake(t);
	}
	return UINT64_MAX;
}

static void test_scenarios(void **state)
{
	(void)state;
	for (size_t s = 0; s < sizeof(scenarios) / sizeof(scenarios[0]); s++) {
		const struct scenario *sc = &scenarios[s];
		struct fake_jitter fj = { &sc->jitter_ns, 1, 0 };
		struct wg_timers t;

		wg_timers_init(&t, fake_jitter, &fj);
		for (size_t i = 0; i < sc->n; i++) {
			uint64_t got = run_row(&t, &sc->rows[i]);

			if (got != sc->rows[i].want)
				fail_msg("%s, row %zu (op %d at %llu ns): got "
					 "%llu want %llu", sc->name, i,
					 (int)sc->rows[i].op,
					 (unsigned long long)sc->rows[i].at,
					 (unsigned long long)got,
					 (unsigned long long)sc->rows[i].want);
		}
	}
}

/* ---- retransmit until give-up, as a control core would drive it --------- */

static void send_initiation(struct wg_timers *t, uint64_t now)
{
	wg_timers_any_authenticated_packet_traversal(t, now);
	wg_timers_any_authenticated_packet_sent(t);
	wg_timers_handshake_initiated(t, now);
}

static void run_until_give_up(const uint64_t *jit, size_t n_jit,
			      bool session_before)
{
	struct fake_jitter fj = { jit, n_jit, 0 };
	struct wg_timers t;
	uint64_t now = S(1000), expect, zero_at = OFF, give_up_at = now;
	unsigned initiations = 0, a;

	wg_timers_init(&t, fake_jitter, &fj);
	if (session_before) {
		wg_timers_session_derived(&t, S(900));
		zero_at = S(900 + 540);
	}
	/* data to send and no keypair: a new handshake */
	assert_true(wg_timers_want_handshake(&t, now, false));
	send_initiation(&t, now);
	initiations++;
	expect = now + S(5) + jit[0] % WG_TIMERS_JITTER_MAX_NS;

	for (;;) {
		/* the control core sleeps until the next deadline */
		assert_int_equal(wg_timers_next_deadline(&t), expect);
		assert_int_equal(wg_timers_poll(&t, expect - 1), 0);
		now = expect;
		/* the peer sent data meanwhile: a keepalive is owed */
		wg_timers_data_received(&t, now - S(1));
		a = wg_timers_poll(&t, now);
		if (a & WG_TIMER_GIVE_UP)
			break;
		assert_int_equal(a, WG_TIMER_SEND_HANDSHAKE);
		assert_int_equal(t.handshake_attempts, initiations);
		assert_true(wg_timers_want_handshake(&t, now, true));
		send_initiation(&t, now);
		expect = now + S(5) +
			 jit[initiations % n_jit] % WG_TIMERS_JITTER_MAX_NS;
		initiations++;
	}
	assert_int_equal(a, WG_TIMER_GIVE_UP);
	/* the first initiation and WG_MAX_TIMER_HANDSHAKES + 1 retries */
	assert_int_equal(initiations, WG_MAX_TIMER_HANDSHAKES + 2);
	assert_int_equal(initiations, 20);
	/* 20 timeouts of REKEY_TIMEOUT + that initiation's jitter */
	for (unsigned i = 0; i < initiations; i++)
		give_up_at += S(5) + jit[i % n_jit] % WG_TIMERS_JITTER_MAX_NS;
	assert_int_equal(now, give_up_at);
	/* no further retransmits, the owed keepalive is dropped, and keys
	 * go 540 s after giving up unless a session had already armed it */
	if (zero_at == OFF)
		zero_at = now + S(540);
	assert_int_equal(wg_timers_next_deadline(&t), zero_at);
	assert_int_equal(wg_timers_poll(&t, zero_at - 1), 0);
	assert_int_equal(wg_timers_poll(&t, zero_at), WG_TIMER_ZERO_KEYS);
	assert_int_equal(wg_timers_next_deadline(&t), OFF);
	/* new data later starts a fresh round */
	assert_true(wg_timers_want_handshake(&t, zero_at + S(1), false));
	assert_int_equal(t.handshake_attempts, 0);
}

static void test_retransmit_give_up(void **state)
{
	static const uint64_t none[] = { 0 };
	static const uint64_t varied[] = {
		MS(1), WG_TIMERS_JITTER_MAX_NS - 1, 0,
		MS(500), /* out of range: reduced modulo 333 ms */
		MS(123),
	};

	(void)state;
	/* without jitter: tries at 0, 5, ..., 95 s, gives up at 100 s */
	run_until_give_up(none, 1, false);
	run_until_give_up(varied, 5, false);
	run_until_give_up(varied, 5, true);
}

/* Real jitter: within [0, 333 ms), and not constant. */
static void test_default_jitter(void **state)
{
	struct wg_timers t;
	uint64_t lo = UINT64_MAX, hi = 0;

	(void)state;
	wg_timers_init(&t, NULL, NULL);
	for (int i = 0; i < 1000; i++) {
		uint64_t j;

		wg_timers_handshake_initiated(&t, S(10));
		j = wg_timers_next_deadline(&t) - S(15);
		assert_true(j < WG_TIMERS_JITTER_MAX_NS);
		lo = j < lo ? j : lo;
		hi = j > hi ? j : hi;
	}
	assert_true(hi - lo > MS(100));
}

/* A response sent counts as a handshake sent for the rate rule (no
 * initiation of ours within REKEY_TIMEOUT of it), and arms nothing. */
static void test_response_sent(void **state)
{
	struct wg_timers t;

	(void)state;
	wg_timers_init(&t, NULL, NULL);
	assert_true(wg_timers_want_handshake(&t, S(10), false));
	wg_timers_handshake_response_sent(&t, S(10));
	assert_int_equal(wg_timers_next_deadline(&t), OFF);
	assert_false(wg_timers_want_handshake(&t, S(10), false));
	assert_false(wg_timers_want_handshake(&t, S(15) - 1, false));
	assert_true(wg_timers_want_handshake(&t, S(15), false));
	assert_int_equal(wg_timers_poll(&t, S(100)), 0);
}

/* ---- keypair age predicates at their boundaries -------------------------- */

struct age_row {
	uint64_t birth, now, counter;
	bool send_init, send_resp, recv_init, recv_resp, expired;
};

static void test_keypair_age(void **state)
{
	const uint64_t b = S(1000);
	const uint64_t rekey = WG_REKEY_AFTER_MESSAGES;
	const uint64_t reject = WG_REJECT_AFTER_MESSAGES;
	const struct age_row rows[] = {
		/* birth, now, counter: send i/r, recv i/r, expired */
		{ b, b, 0, false, false, false, false, false },
		{ b, b + S(120) - 1, 0, false, false, false, false, false },
		{ b, b + S(120), 0, true, false, false, false, false },
		{ b, b + S(120) + 1, 0, true, false, false, false, false },
		{ b, b + S(165) - 1, 0, true, false, false, false, false },
		{ b, b + S(165), 0, true, false, true, false, false },
		{ b, b + S(180) - 1, 0, true, false, true, false, false },
		{ b, b + S(180), 0, true, false, true, false, true },
		{ b, UINT64_MAX, 0, true, false, true, false, true },
		{ b, b, rekey, false, false, false, false, false },
		{ b, b, rekey + 1, true, true, false, false, false },
		{ b, b, reject - 1, true, true, false, false, false },
		{ b, b, reject, true, true, false, false, true },
		{ b, b, UINT64_MAX, true, true, false, false, true },
		/* a clock reading before birth is age 0, not 584 years */
		{ b, b - 1, 0, false, false, false, false, false },
		{ b, 0, 0, false, false, false, false, false },
	};

	(void)state;
	assert_int_equal(WG_REKEY_AFTER_TIME_RECV, 165);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct age_row *r = &rows[i];
		bool got[5] = {
			wg_keypair_needs_rekey_on_send(NULL, r->birth, r->now,
						       r->counter, true),
			wg_keypair_needs_rekey_on_send(NULL, r->birth, r->now,
						       r->counter, false),
			wg_keypair_needs_rekey_on_receive(NULL, r->birth, r->now,
							  true),
			wg_keypair_needs_rekey_on_receive(NULL, r->birth, r->now,
							  false),
			wg_keypair_expired(NULL, r->birth, r->now, r->counter),
		};
		bool want[5] = { r->send_init, r->send_resp, r->recv_init,
				 r->recv_resp, r->expired };

		for (int k = 0; k < 5; k++)
			if (got[k] != want[k])
				fail_msg("age row %zu, predicate %d: got %d",
					 i, k, got[k]);
	}
}

/* Shorter durations (the test-only knobs): every timer and predicate
 * follows them, and NULL params still mean the protocol's. */
static uint64_t no_jitter(void *ctx)
{
	(void)ctx;
	return 0;
}

static void test_params(void **state)
{
	struct wg_timer_params p, proto;
	struct wg_timers t;
	unsigned int sends = 0, act = 0;
	uint64_t now = S(100);

	(void)state;
	wg_timer_params_init(&proto);
	assert_int_equal(proto.reject_after_time, S(WG_REJECT_AFTER_TIME));
	p = (struct wg_timer_params){ .rekey_after_time = S(5),
				      .reject_after_time = S(12),
				      .rekey_attempt_time = S(6),
				      .rekey_timeout = S(1),
				      .keepalive_timeout = S(2) };
	wg_timers_init(&t, no_jitter, NULL);
	wg_timers_set_params(&t, &p);
	/* retransmits every second; as with the protocol's 90 s / 5 s (18:
	 * 19 retries, 20 initiations), 6 s / 1 s gives up after 7 retries */
	assert_true(wg_timers_want_handshake(&t, now, false));
	wg_timers_handshake_initiated(&t, now);
	assert_int_equal(wg_timers_next_deadline(&t), now + S(1));
	assert_false(wg_timers_initiation_allowed(&t, now + S(1) - 1));
	assert_true(wg_timers_initiation_allowed(&t, now + S(1)));
	for (int i = 0; i < 20 && !(act & WG_TIMER_GIVE_UP); i++) {
		now = wg_timers_next_deadline(&t);
		act = wg_timers_poll(&t, now);
		if (act & WG_TIMER_SEND_HANDSHAKE) {
			sends++;
			wg_timers_handshake_initiated(&t, now);
		}
	}
	assert_true(act & WG_TIMER_GIVE_UP);
	assert_int_equal(sends, 7);
	/* ... and zeroes keys 3 * 12 s later */
	assert_int_equal(wg_timers_next_deadline(&t), now + S(36));
	assert_int_equal(wg_timers_poll(&t, now + S(36)), WG_TIMER_ZERO_KEYS);
	/* keepalive and new-handshake timers */
	wg_timers_data_received(&t, now);
	assert_int_equal(wg_timers_next_deadline(&t), now + S(2));
	wg_timers_any_authenticated_packet_sent(&t);
	wg_timers_data_sent(&t, now);
	assert_int_equal(wg_timers_next_deadline(&t), now + S(3));
	/* keypair ages */
	assert_false(wg_keypair_needs_rekey_on_send(&p, 0, S(5) - 1, 0, true));
	assert_true(wg_keypair_needs_rekey_on_send(&p, 0, S(5), 0, true));
	assert_false(wg_keypair_needs_rekey_on_send(&p, 0, S(5), 0, false));
	assert_false(wg_keypair_needs_rekey_on_receive(&p, 0, S(9) - 1, true));
	assert_true(wg_keypair_needs_rekey_on_receive(&p, 0, S(9), true));
	assert_false(wg_keypair_expired(&p, 0, S(12) - 1, 0));
	assert_true(wg_keypair_expired(&p, 0, S(12), 0));
	assert_false(wg_keypair_expired(NULL, 0, S(12), 0));
	/* back to the protocol's */
	wg_timers_set_params(&t, NULL);
	wg_timers_handshake_initiated(&t, now);
	assert_int_equal(t.deadline[WG_TIMER_ID_RETRANSMIT],
			 now + S(WG_REKEY_TIMEOUT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_retransmit_give_up),
		cmocka_unit_test(test_default_jitter),
		cmocka_unit_test(test_response_sent),
		cmocka_unit_test(test_keypair_age),
		cmocka_unit_test(test_params),
	};

	if (wg_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests_name("timers", tests, NULL, NULL);
}
