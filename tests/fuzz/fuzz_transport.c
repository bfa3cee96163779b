/* SPDX-License-Identifier: MIT */
/*
 * Transport data (type 4) as the gateway receives it: the read-only replay
 * pre-check, wg_transport_open, then the replay update, in the data path's
 * order, on the keypair of the transcripts' go_initiates case.
 *
 * Input: one flags byte, then
 *   mode 0 (flags & 3 == 0): the message itself, any length (seeds: the
 *     transcript's data packet, which authenticates);
 *   mode 1: a sequence of [counter 8]: replay window against a naive
 *     reference model (accept once, at most 8128 behind the highest);
 *     flags & 4 lets counters span all 64 bits, otherwise they stay
 *     within 2^28 (see wg_replay.h for the one documented bound);
 *   mode 2: a sequence of [counter 8][len 2][bytes]: sealed by the peer
 *     with flags-chosen MTU, opened by us, must round-trip exactly.
 */
#include "fuzz_common.h"
#include "wg_noise.h"
#include "wg_replay.h"
#include "wg_transport.h"

static struct wg_keypair ours, theirs;
static struct wg_replay replay;
enum { FZ_BUF = 9000 + 64 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init();
	fz_hex(ours.sending_key, WG_KEY_LEN, FZ_GO_RESP_SEND);
	fz_hex(ours.receiving_key, WG_KEY_LEN, FZ_GO_RESP_RECV);
	ours.local_index = FZ_GO_RESP_INDEX;
	ours.remote_index = FZ_GO_INIT_INDEX;
	memcpy(theirs.sending_key, ours.receiving_key, WG_KEY_LEN);
	memcpy(theirs.receiving_key, ours.sending_key, WG_KEY_LEN);
	theirs.local_index = ours.remote_index;
	theirs.remote_index = ours.local_index;
	theirs.we_are_initiator = true;
	return 0;
}

/* The worker's receive path for one message; true if delivered. */
static bool receive(const uint8_t *msg, size_t len, uint8_t *out,
		    size_t *out_len)
{
	uint64_t ctr = 0;
	bool pre;

	if (len < WG_MSG_TRANSPORT_HEADER_LEN)
		return false;
	pre = wg_replay_check(&replay, wg_get_le64(msg + 8));
	if (!pre)
		return false;
	if (!wg_transport_open(&ours, msg, len, out, out_len, &ctr))
		return false;
	FZ_CHECK(ctr == wg_get_le64(msg + 8));
	FZ_CHECK(*out_len == len - WG_MSG_TRANSPORT_MIN_LEN);
	/* single-threaded, the pre-check's answer is the update's */
	FZ_CHECK(wg_replay_update(&replay, ctr));
	FZ_CHECK(!wg_replay_check(&replay, ctr));
	FZ_CHECK(!wg_replay_update(&replay, ctr));
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void replay_model(struct fz_in *in, bool wide)
{
	enum { MAX = 1024 };
	static uint64_t seen[MAX];
	size_t n_seen = 0, i;
	uint64_t max = 0;
	bool any = false;

	while (in->n >= 8 && n_seen < MAX) {
		uint64_t c = fz_u64(in);
		bool dup = false, want, pre, got;

		if (!wide)
			c &= (UINT64_C(1) << 28) - 1;
		for (i = 0; i < n_seen && !dup; i++)
			dup = seen[i] == c;
		want = c < WG_REJECT_AFTER_MESSAGES && !dup &&
		       (!any || c + WG_REPLAY_USABLE_BITS >= max);
		pre = wg_replay_check(&replay, c);
		got = wg_replay_update(&replay, c);
		FZ_CHECK(pre == got);
		/* never a replay, never a counter outside the window */
		FZ_CHECK(!got || want);
		/* and, below the documented bound (WG_REPLAY_ALIAS_COUNTERS,
		 * ~2^29), nothing fresh lost */
		if (!wide)
			FZ_CHECK(got == want);
		if (got) {
			seen[n_seen++] = c;
			if (!any || c > max)
				max = c;
			any = true;
		}
	}
	/* every accepted counter still in the window stays refused */
	qsort(seen, n_seen, sizeof(seen[0]), cmp_u64);
	for (i = 0; i < n_seen; i++)
		FZ_CHECK(!wg_replay_check(&replay, seen[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t flags = fz_u8(&in);
	static uint8_t msg[FZ_BUF], out[FZ_BUF], plain[FZ_BUF];
	size_t out_len;

	wg_replay_init(&replay);
	switch (flags & 3) {
	case 0:
	case 3:
		if (in.n <= sizeof(msg)) {
			memcpy(msg, in.p, in.n);
			receive(msg, in.n, out, &out_len);
		}
		break;
	case 1:
		replay_model(&in, flags & 4);
		break;
	case 2: {
		uint32_t mtu = 576 + (flags >> 2) % 32 * 256; /* <= 8512 */

		while (in.n >= 10) {
			uint64_t c = fz_u64(&in) % WG_REJECT_AFTER_MESSAGES;
			size_t len = fz_u16(&in) % (mtu + 1), sealed, got;
			bool fresh = wg_replay_check(&replay, c);

			len = fz_take(&in, plain, len);
			sealed = wg_transport_seal(&theirs, c, plain, len, mtu,
						   msg);
			FZ_CHECK(sealed == wg_transport_sealed_len(len, mtu));
			FZ_CHECK(sealed <= sizeof(msg));
			FZ_CHECK((sealed - WG_MSG_TRANSPORT_MIN_LEN) %
					 WG_PADDING_MULTIPLE ==
				 0 ||
				 sealed - WG_MSG_TRANSPORT_MIN_LEN == mtu);
			got = 0;
			FZ_CHECK(receive(msg, sealed, out, &got) == fresh);
			if (fresh) {
				FZ_CHECK(got >= len);
				FZ_CHECK(memcmp(out, plain, len) == 0);
				FZ_CHECK(wg_is_zero(out + len, got - len));
			}
		}
		break;
	}
	}
	return 0;
}
