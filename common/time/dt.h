/* dt: Spark 3's datetime patterns for parsing ("Datetime Patterns for
 * Formatting and Parsing" in the Spark SQL reference), as to_timestamp
 * applies them: the pattern is compiled once into a list of operations
 * (what java.time's DateTimeFormatterBuilder builds from it, after
 * Spark's DateTimeFormatterHelper has rewritten it: 'y' read as the
 * proleptic year, fractions of 1..n digits, case-insensitive text), and
 * every value is then parsed strictly (ResolverStyle.STRICT, the whole
 * value consumed) without allocating. Also Spark's default cast of a
 * string to a timestamp (DateTimeUtils.stringToTimestamp).
 *
 * Letters: G y M L d D H h K k a m s S VV z O X x Z, quoted literals,
 * '' and optional sections [...]. Spark refuses E F q Q for parsing, the
 * week-based Y w W u e c, and A n N p; so does dt_compile. */
#ifndef KP_DT_H
#define KP_DT_H

#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"
#include "time/tz.h"

#define DT_MAX_OPS	64
#define DT_MAX_LIT	256

struct dt_op {
	unsigned char kind, field, minw, maxw, sign, style;
	short subsequent;	/* digits reserved by following fixed-width
				   numbers (java.time's adjacent parsing) */
	unsigned short lit, nlit;	/* literal text in dt_pattern.lit */
	unsigned short end;	/* optional section: index of its end */
};

/* A pattern of fixed-width numbers between literals ("yyyy-MM-dd'T'HH:mm:ss")
 * matches only values of one length, each byte a digit or a literal one:
 * dt_fixed.c reads those without going through the operations. */
#define DT_FIXED_MAX 64

struct dt_fixed {
	unsigned char len;		/* 0: the pattern is not of that kind */
	char tmpl[DT_FIXED_MAX];	/* the literal bytes, '\0' for digits */
	/* the same, eight bytes at offsets 0, 8, ... and len - 8: which
	 * bytes are literal, their values, which are digits */
	uint64_t lit_mask[DT_FIXED_MAX / 8 + 1], lit[DT_FIXED_MAX / 8 + 1];
	uint64_t digit_mask[DT_FIXED_MAX / 8 + 1];
	unsigned char nword;
	/* the same, for a template of 16 to 32 bytes, as two blocks of
	 * sixteen at 0 and len - 16 (nvec 2; 0 for other lengths): the
	 * literal bytes, 0xFF where a byte is literal */
	unsigned char vtmpl[2][16], vlit[2][16];
	unsigned char nvec;
	unsigned char nnum;
	struct {
		unsigned char field, at, width;
	} num[6];
	/* where each field's digits start, by DT_FIXED_YEAR..SEC;
	 * DT_FIXED_ABSENT for a field the pattern lacks */
	unsigned char where[6];
};

enum { DT_FIXED_YEAR, DT_FIXED_MONTH, DT_FIXED_DOM, DT_FIXED_HOD,
    DT_FIXED_MIN, DT_FIXED_SEC };
#define DT_FIXED_ABSENT 0xFF

struct dt_pattern {
	struct dt_op op[DT_MAX_OPS];
	int nop;
	char lit[DT_MAX_LIT];
	size_t nlit;
	struct dt_fixed fixed;
};

/* Compile a Spark datetime pattern; on error e says why, in Spark's
 * words where it has them. */
int dt_compile(struct dt_pattern *p, const char *pattern, struct eb *e);

/* Parse s[0..n) with p into microseconds since the epoch. Values that
 * name no zone or offset are local time in deflt. Zones named in the
 * value are loaded through zones. 0, or -1 (e set if not NULL) when the
 * value does not match, as to_timestamp's null. */
int dt_parse(const struct dt_pattern *p, const char *s, size_t n,
    const struct tz *deflt, struct tz_cache *zones, int64_t *us,
    struct eb *e);

/* CAST(s AS TIMESTAMP): [+-]yyyy[-[m]m[-[d]d[( |T)[h]h[:[m]m[:[s]s[.f]]]]]]
 * with an optional zone after the seconds, or a time alone (today's
 * date in the zone). Same results as dt_parse. */
int dt_cast(const char *s, size_t n, const struct tz *deflt,
    struct tz_cache *zones, int64_t *us, struct eb *e);

#endif
