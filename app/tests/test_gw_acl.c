/* SPDX-License-Identifier: MIT */
/*
 * The compiled access rules against the reference (EAL --no-huge, no
 * NIC): random sets of random rules (protocols, v4/v6/any prefixes of
 * every length, port ranges, allow and deny), random packets biased to
 * hit the rules' edges, and for every packet rte_acl's answer through
 * gw_acl_classify4/6 must be wg_acl_match's. Seeded, so a failure
 * repeats; the seed is printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_memory.h>

#include "gw_acl.h"
#include "wg_policy.h"

enum { N_SETS = 24, MAX_RULES = 40, N_PACKETS = 20000, ROUNDS = 6 };

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: test data only */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static const int16_t protos[] = { 6, 17, 1, 58, 47, WG_ACL_PROTO_ANY };

static void random_prefix(struct wg_prefix *p, uint8_t family)
{
	unsigned int bits = family == WG_FAMILY_V4 ? 32 : 128;

	memset(p, 0, sizeof(*p));
	p->family = family;
	/* few distinct addresses, so packets hit them */
	p->addr[0] = family == WG_FAMILY_V4 ? 192 : 0x20;
	p->addr[1] = family == WG_FAMILY_V4 ? 0 : 0x01;
	p->addr[2] = (uint8_t)(rnd() % 4);
	for (unsigned int i = 3; i < bits / 8; i++)
		p->addr[i] = (uint8_t)(rnd() % 3);
	p->cidr = (uint8_t)(rnd() % (bits + 1));
	for (unsigned int b = p->cidr; b < bits; b++)
		p->addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
}

static void random_ports(uint16_t *lo, uint16_t *hi)
{
	switch (rnd() % 3) {
	case 0:
		*lo = 0, *hi = 65535;
		break;
	case 1:
		*lo = *hi = (uint16_t)(rnd() % 8 * 1000);
		break;
	default:
		*lo = (uint16_t)(rnd() % 4000);
		*hi = (uint16_t)(*lo + rnd() % 3000);
	}
}

static void random_rule(struct wg_acl_rule *r)
{
	uint8_t fam = (uint8_t)(rnd() % 3 == 0 ? WG_FAMILY_NONE :
				rnd() % 2 ? WG_FAMILY_V4 : WG_FAMILY_V6);

	memset(r, 0, sizeof(*r));
	r->action = (uint8_t)(rnd() % 2);
	r->proto = protos[rnd() % RTE_DIM(protos)];
	if (fam && rnd() % 2)
		random_prefix(&r->src, fam);
	if (fam && (rnd() % 2 || !r->src.family))
		random_prefix(&r->dst, fam);
	r->src_port_hi = r->dst_port_hi = 65535;
	if (r->proto == 6 || r->proto == 17) {
		random_ports(&r->src_port_lo, &r->src_port_hi);
		random_ports(&r->dst_port_lo, &r->dst_port_hi);
	}
}

static void random_packet(struct wg_acl_packet *p)
{
	struct wg_prefix a, b;

	memset(p, 0, sizeof(*p));
	p->family = rnd() % 2 ? WG_FAMILY_V4 : WG_FAMILY_V6;
	p->proto = (uint8_t)(protos[rnd() % (RTE_DIM(protos) - 1)]);
	random_prefix(&a, p->family);
	random_prefix(&b, p->family);
	memcpy(p->src, a.addr, 16);
	memcpy(p->dst, b.addr, 16);
	/* host bits too */
	p->src[rnd() % (p->family == WG_FAMILY_V4 ? 4 : 16)] ^=
	    (uint8_t)(rnd() % 2);
	if (p->proto == 6 || p->proto == 17) {
		uint16_t lo, hi;

		random_ports(&lo, &hi);
		p->src_port = (uint16_t)(rnd() % 2 ? lo : hi);
		random_ports(&lo, &hi);
		p->dst_port = (uint16_t)(rnd() % 3 ? lo + rnd() % 2 : hi);
	}
}

static bool classify_one(const struct gw_acl *c, uint32_t set,
			 const struct wg_acl_packet *p)
{
	bool allow = true;

	if (p->family == WG_FAMILY_V4) {
		struct gw_acl_key4 k = { .proto = p->proto,
					 .acl = rte_cpu_to_be_32(set),
					 .src_port = rte_cpu_to_be_16(p->src_port),
					 .dst_port = rte_cpu_to_be_16(p->dst_port) };
		const struct gw_acl_key4 *kp = &k;

		memcpy(&k.src, p->src, 4);
		memcpy(&k.dst, p->dst, 4);
		gw_acl_classify4(c, &kp, 1, &allow);
	} else {
		struct gw_acl_key6 k = { .proto = p->proto,
					 .acl = rte_cpu_to_be_32(set),
					 .src_port = rte_cpu_to_be_16(p->src_port),
					 .dst_port = rte_cpu_to_be_16(p->dst_port) };
		const struct gw_acl_key6 *kp = &k;

		memcpy(k.src, p->src, 16);
		memcpy(k.dst, p->dst, 16);
		gw_acl_classify6(c, &kp, 1, &allow);
	}
	return allow;
}

static void test_matches_reference(void **state)
{
	(void)state;
	for (unsigned int round = 0; round < ROUNDS; round++) {
		struct wg_acl sets[N_SETS];
		struct gw_acl *c;
		char err[256];
		unsigned int allowed = 0, mismatches = 0;

		for (unsigned int s = 0; s < N_SETS; s++) {
			snprintf(sets[s].name, sizeof(sets[s].name), "set%u", s);
			sets[s].n_rules = rnd() % (MAX_RULES + 1);
			sets[s].rules = calloc(sets[s].n_rules + 1,
					       sizeof(*sets[s].rules));
			assert_non_null(sets[s].rules);
			for (size_t r = 0; r < sets[s].n_rules; r++)
				random_rule(&sets[s].rules[r]);
		}
		c = gw_acl_build(sets, NULL, N_SETS, SOCKET_ID_ANY, err, sizeof(err));
		if (!c)
			fail_msg("%s", err);
		for (unsigned int i = 0; i < N_PACKETS; i++) {
			struct wg_acl_packet p;
			uint32_t set = rnd() % N_SETS;
			bool want, got;

			random_packet(&p);
			want = wg_acl_match(&sets[set], &p, NULL) == WG_ACL_ALLOW;
			got = classify_one(c, set + 1, &p);
			allowed += want;
			if (want != got && mismatches++ < 5)
				print_error("round %u packet %u set %u: rte_acl %d, reference %d\n",
					    round, i, set, got, want);
		}
		/* both answers are common, or the test proves little */
		assert_true(allowed > N_PACKETS / 20);
		assert_true(allowed < N_PACKETS - N_PACKETS / 20);
		assert_int_equal(mismatches, 0);
		gw_acl_free(c);
		for (unsigned int s = 0; s < N_SETS; s++)
			free(sets[s].rules);
	}
}

/* A burst of keys of several sets in one call gives each its own set's
 * answer; a set with no rules, or a family without rules, denies. */
static void test_burst_and_empty(void **state)
{
	struct wg_acl_rule allow_tcp443 = { .action = WG_ACL_ALLOW, .proto = 6,
					    .src_port_hi = 65535,
					    .dst_port_lo = 443,
					    .dst_port_hi = 443 };
	struct wg_acl sets[2] = { { .name = "web", .rules = &allow_tcp443,
				    .n_rules = 1 },
				  { .name = "none" } };
	struct gw_acl_key4 k[4];
	const struct gw_acl_key4 *kp[4];
	struct gw_acl_key6 k6 = { .proto = 6, .acl = rte_cpu_to_be_32(1),
				  .dst_port = rte_cpu_to_be_16(443) };
	const struct gw_acl_key6 *k6p = &k6;
	bool allow[4];
	struct gw_acl *c;
	char err[256];

	(void)state;
	bool masked;
	assert_true(wg_prefix_parse(&allow_tcp443.dst, "192.0.2.10/32", &masked));
	c = gw_acl_build(sets, NULL, 2, SOCKET_ID_ANY, err, sizeof(err));
	if (!c)
		fail_msg("%s", err);
	for (unsigned int i = 0; i < 4; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		k[i].proto = 6;
		k[i].dst = rte_cpu_to_be_32(0xc000020a); /* 192.0.2.10 */
		k[i].dst_port = rte_cpu_to_be_16(443);
		k[i].acl = rte_cpu_to_be_32(1);
		kp[i] = &k[i];
	}
	k[1].acl = rte_cpu_to_be_32(2);              /* the empty set */
	k[2].dst_port = rte_cpu_to_be_16(80);       /* no rule */
	k[3].dst = rte_cpu_to_be_32(0xc000020b);    /* 192.0.2.11 */
	gw_acl_classify4(c, kp, 4, allow);
	assert_true(allow[0]);
	assert_false(allow[1]);
	assert_false(allow[2]);
	assert_false(allow[3]);
	/* the only rule is IPv4's: no IPv6 context, everything denied */
	allow[0] = true;
	gw_acl_classify6(c, &k6p, 1, allow);
	assert_false(allow[0]);
	assert_int_equal(gw_acl_rule_count(c), 1);
	gw_acl_free(c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_reference),
		cmocka_unit_test(test_burst_and_empty),
	};
	char prefix[64];
	char *eal[] = { argv[0], "-l", "0", "--no-huge", "-m", "256",
			"--no-pci", "--no-shconf", "--file-prefix", prefix,
			"--log-level", "*:error" };
	const char *seed = getenv("GW_TEST_SEED");

	(void)argc;
	snprintf(prefix, sizeof(prefix), "test_gw_acl_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rng_state = seed ? strtoull(seed, NULL, 0) : (uint64_t)getpid() * 2654435761u + 1;
	printf("seed %llu (GW_TEST_SEED= repeats it)\n",
	       (unsigned long long)rng_state);
	return cmocka_run_group_tests(tests, NULL, NULL) | rte_eal_cleanup();
}
