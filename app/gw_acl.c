/* SPDX-License-Identifier: MIT */
/*
 * Access rules in rte_acl (see gw_acl.h). One context per family holds
 * every set; the set's number is a field of the key, so a burst with
 * peers under different sets is still one classification call. A rule
 * for any family goes into both contexts. The first rule wins through
 * the priority (earlier rules rank higher); the userdata carries the
 * action, and 0 (no rule matched) denies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "gw_acl.h"

enum { F4_PROTO, F4_ACL, F4_SRC, F4_DST, F4_SPORT, F4_DPORT, F4_N };
enum { F6_PROTO, F6_ACL, F6_SRC, F6_DST = F6_SRC + 4, F6_SPORT = F6_DST + 4,
       F6_DPORT, F6_N };

RTE_ACL_RULE_DEF(acl_rule4, F4_N);
RTE_ACL_RULE_DEF(acl_rule6, F6_N);

/* userdata: bit 0 the action, the rest 1 + the rule's index over all
 * sets (never 0, which rte_acl returns for "no match") */
#define USERDATA(idx, action) ((((uint32_t)(idx) + 1) << 1) | (action))

struct gw_acl {
	struct rte_acl_ctx *ctx4, *ctx6;  /* NULL: no rule of that family */
	unsigned int n4, n6;
};

static const struct rte_acl_field_def defs4[F4_N] = {
	{ .type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
	  .field_index = F4_PROTO, .input_index = 0,
	  .offset = offsetof(struct gw_acl_key4, proto) },
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 4,
	  .field_index = F4_ACL, .input_index = 1,
	  .offset = offsetof(struct gw_acl_key4, acl) },
	{ .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
	  .field_index = F4_SRC, .input_index = 2,
	  .offset = offsetof(struct gw_acl_key4, src) },
	{ .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
	  .field_index = F4_DST, .input_index = 3,
	  .offset = offsetof(struct gw_acl_key4, dst) },
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
	  .field_index = F4_SPORT, .input_index = 4,
	  .offset = offsetof(struct gw_acl_key4, src_port) },
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
	  .field_index = F4_DPORT, .input_index = 4,
	  .offset = offsetof(struct gw_acl_key4, dst_port) },
};

static void defs6(struct rte_acl_field_def *d)
{
	d[F6_PROTO] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
		.field_index = F6_PROTO, .input_index = 0,
		.offset = offsetof(struct gw_acl_key6, proto) };
	d[F6_ACL] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 4,
		.field_index = F6_ACL, .input_index = 1,
		.offset = offsetof(struct gw_acl_key6, acl) };
	for (unsigned int w = 0; w < 4; w++) {
		d[F6_SRC + w] = (struct rte_acl_field_def){
			.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
			.field_index = (uint8_t)(F6_SRC + w),
			.input_index = (uint8_t)(2 + w),
			.offset = (uint32_t)(offsetof(struct gw_acl_key6, src) +
					     4 * w) };
		d[F6_DST + w] = (struct rte_acl_field_def){
			.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
			.field_index = (uint8_t)(F6_DST + w),
			.input_index = (uint8_t)(6 + w),
			.offset = (uint32_t)(offsetof(struct gw_acl_key6, dst) +
					     4 * w) };
	}
	d[F6_SPORT] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F6_SPORT, .input_index = 10,
		.offset = offsetof(struct gw_acl_key6, src_port) };
	d[F6_DPORT] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F6_DPORT, .input_index = 10,
		.offset = offsetof(struct gw_acl_key6, dst_port) };
}

static uint32_t word(const uint8_t *addr, unsigned int w)
{
	uint32_t v;

	memcpy(&v, addr + 4 * w, 4);
	return rte_be_to_cpu_32(v);
}

/* The bits of a /cidr that fall into 32-bit word w. */
static uint32_t word_bits(unsigned int cidr, unsigned int w)
{
	int bits = (int)cidr - 32 * (int)w;

	return bits <= 0 ? 0 : bits >= 32 ? 32 : (uint32_t)bits;
}

static void common_fields(struct rte_acl_field *f, const struct wg_acl_rule *r,
			  uint32_t set, unsigned int proto_i, unsigned int acl_i)
{
	f[proto_i].value.u8 = r->proto == WG_ACL_PROTO_ANY ? 0 :
							   (uint8_t)r->proto;
	f[proto_i].mask_range.u8 = r->proto == WG_ACL_PROTO_ANY ? 0 : 0xff;
	f[acl_i].value.u32 = set;
	f[acl_i].mask_range.u32 = set;
}

static void rule4(struct acl_rule4 *out, const struct wg_acl_rule *r,
		  uint32_t set, uint32_t idx)
{
	memset(out, 0, sizeof(*out));
	out->data.category_mask = 1;
	out->data.priority = (int32_t)(RTE_ACL_MAX_PRIORITY - idx);
	out->data.userdata = USERDATA(idx, r->action);
	common_fields(out->field, r, set, F4_PROTO, F4_ACL);
	if (r->src.family == WG_FAMILY_V4) {
		out->field[F4_SRC].value.u32 = word(r->src.addr, 0);
		out->field[F4_SRC].mask_range.u32 = r->src.cidr;
	}
	if (r->dst.family == WG_FAMILY_V4) {
		out->field[F4_DST].value.u32 = word(r->dst.addr, 0);
		out->field[F4_DST].mask_range.u32 = r->dst.cidr;
	}
	out->field[F4_SPORT].value.u16 = r->src_port_lo;
	out->field[F4_SPORT].mask_range.u16 = r->src_port_hi;
	out->field[F4_DPORT].value.u16 = r->dst_port_lo;
	out->field[F4_DPORT].mask_range.u16 = r->dst_port_hi;
}

static void rule6(struct acl_rule6 *out, const struct wg_acl_rule *r,
		  uint32_t set, uint32_t idx)
{
	memset(out, 0, sizeof(*out));
	out->data.category_mask = 1;
	out->data.priority = (int32_t)(RTE_ACL_MAX_PRIORITY - idx);
	out->data.userdata = USERDATA(idx, r->action);
	common_fields(out->field, r, set, F6_PROTO, F6_ACL);
	for (unsigned int w = 0; w < 4; w++) {
		if (r->src.family == WG_FAMILY_V6) {
			out->field[F6_SRC + w].value.u32 = word(r->src.addr, w);
			out->field[F6_SRC + w].mask_range.u32 =
			    word_bits(r->src.cidr, w);
		}
		if (r->dst.family == WG_FAMILY_V6) {
			out->field[F6_DST + w].value.u32 = word(r->dst.addr, w);
			out->field[F6_DST + w].mask_range.u32 =
			    word_bits(r->dst.cidr, w);
		}
	}
	out->field[F6_SPORT].value.u16 = r->src_port_lo;
	out->field[F6_SPORT].mask_range.u16 = r->src_port_hi;
	out->field[F6_DPORT].value.u16 = r->dst_port_lo;
	out->field[F6_DPORT].mask_range.u16 = r->dst_port_hi;
}

/* Create, fill and build one context from n rules of rule_size bytes. */
static struct rte_acl_ctx *make_ctx(const char *family, const void *rules,
				    unsigned int n, size_t rule_size,
				    const struct rte_acl_field_def *defs,
				    unsigned int n_defs, int socket_id,
				    char *err, size_t err_len)
{
	/* rte_acl names its contexts globally: a new one per build */
	static unsigned int generation;
	struct rte_acl_config cfg = { .num_categories = 1,
				      .num_fields = n_defs };
	struct rte_acl_param p = { .socket_id = socket_id,
				   .rule_size = (uint32_t)rule_size,
				   .max_rule_num = n };
	struct rte_acl_ctx *ctx;
	char name[RTE_ACL_NAMESIZE];
	int rc;

	snprintf(name, sizeof(name), "gw_acl%s_%u", family, ++generation);
	p.name = name;
	memcpy(cfg.defs, defs, n_defs * sizeof(*defs));
	if (!(ctx = rte_acl_create(&p))) {
		snprintf(err, err_len, "acls: cannot create the IPv%s context: %s",
			 family, rte_strerror(rte_errno));
		return NULL;
	}
	rc = rte_acl_add_rules(ctx, rules, n);
	if (rc == 0)
		rc = rte_acl_build(ctx, &cfg);
	if (rc != 0) {
		snprintf(err, err_len, "acls: cannot build %u IPv%s rules: %s",
			 n, family, rte_strerror(-rc));
		rte_acl_free(ctx);
		return NULL;
	}
	return ctx;
}

struct gw_acl *gw_acl_build(const struct wg_acl *acls, const uint32_t *ids,
			    size_t n, int socket_id, char *err,
			    size_t err_len)
{
	struct rte_acl_field_def d6[F6_N];
	struct acl_rule4 *r4 = NULL;
	struct acl_rule6 *r6 = NULL;
	struct gw_acl *acl = calloc(1, sizeof(*acl));
	size_t total = 0;
	uint32_t idx = 0;

	if (!acl) {
		snprintf(err, err_len, "acls: out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		total += acls[i].n_rules;
	if (total && (!(r4 = calloc(total, sizeof(*r4))) ||
		      !(r6 = calloc(total, sizeof(*r6))))) {
		snprintf(err, err_len, "acls: out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < acls[i].n_rules; j++, idx++) {
			const struct wg_acl_rule *r = &acls[i].rules[j];
			uint8_t fam = r->src.family ? r->src.family :
						      r->dst.family;

			uint32_t set = ids ? ids[i] : (uint32_t)i + 1;

			if (fam != WG_FAMILY_V6)
				rule4(&r4[acl->n4++], r, set, idx);
			if (fam != WG_FAMILY_V4)
				rule6(&r6[acl->n6++], r, set, idx);
		}
	defs6(d6);
	if (acl->n4 && !(acl->ctx4 = make_ctx("4", r4, acl->n4, sizeof(*r4),
					      defs4, F4_N, socket_id, err,
					      err_len)))
		goto fail;
	if (acl->n6 && !(acl->ctx6 = make_ctx("6", r6, acl->n6, sizeof(*r6),
					      d6, F6_N, socket_id, err,
					      err_len)))
		goto fail;
	free(r4);
	free(r6);
	return acl;
fail:
	free(r4);
	free(r6);
	gw_acl_free(acl);
	return NULL;
}

void gw_acl_free(struct gw_acl *acl)
{
	if (!acl)
		return;
	rte_acl_free(acl->ctx4);
	rte_acl_free(acl->ctx6);
	free(acl);
}

static void classify(const struct rte_acl_ctx *ctx, const uint8_t **data,
		     unsigned int n, bool *allow)
{
	uint32_t res[n];

	if (!ctx || rte_acl_classify(ctx, data, res, n, 1) != 0) {
		/* no rule of this family, or bad arguments: nothing allowed */
		memset(allow, 0, n * sizeof(*allow));
		return;
	}
	for (unsigned int i = 0; i < n; i++)
		allow[i] = res[i] & 1;
}

void gw_acl_classify4(const struct gw_acl *acl,
		      const struct gw_acl_key4 *const *keys, unsigned int n,
		      bool *allow)
{
	if (n)
		classify(acl ? acl->ctx4 : NULL, (const uint8_t **)keys, n,
			 allow);
}

void gw_acl_classify6(const struct gw_acl *acl,
		      const struct gw_acl_key6 *const *keys, unsigned int n,
		      bool *allow)
{
	if (n)
		classify(acl ? acl->ctx6 : NULL, (const uint8_t **)keys, n,
			 allow);
}

unsigned int gw_acl_rule_count(const struct gw_acl *acl)
{
	return acl ? acl->n4 + acl->n6 : 0;
}
