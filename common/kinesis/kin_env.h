/* kin_env: one GetRecords record as the Kinesis envelope of kinpipe(7),
 * and the base64 and UTF-8 rules that decide how "data" travels. This
 * is kin-read's per-record path, so it works on byte spans (rec.h), not
 * on a jansson tree: jansson cost four times the CPU budget per record. */
#ifndef KP_KIN_ENV_H
#define KP_KIN_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"
#include "json/rec.h"
#include "base/sb.h"
#include "kinesis/kin_kpl.h"
#include "time/tm.h"

/* 1 when p[0..n) is well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
int kin_utf8_valid(const unsigned char *p, size_t n);

/* Standard padded base64 (RFC 4648 §4) to bytes in out (reset first). */
int kin_b64_decode(const char *b64, size_t len, struct sb *out, struct eb *e);
/* Bytes to standard padded base64, appended to out. */
void kin_b64_encode(const unsigned char *p, size_t n, struct sb *out);

struct kin_env {
	struct rec rec;
	struct sb data;		/* decoded payload */
	struct sb text;		/* decoded escaped strings */
	int64_t sec;		/* second whose text is in stamp */
	char stamp[TM_RFC3339_MAX];
	size_t stamp_len;
	/* the record at hand, after kin_env_parse */
	const struct rec_member *key;	/* its PartitionKey */
	struct rec_span seq;	/* its SequenceNumber (valid while p is) */
	int64_t arrival_us;
	char ts[TM_RFC3339_MAX];
	size_t tslen;
	struct kin_kpl kpl;	/* its user records when a KPL aggregate */
	enum kin_kpl_kind kind;
	size_t nuser;		/* envelopes it makes: 1 unless an aggregate */
};

void kin_env_init(struct kin_env *ev);
void kin_env_free(struct kin_env *ev);

/* Take the record object p[0..n) (a GetRecords "Records" element, or
 * one of a subscription event's): its members checked, its payload
 * decoded, a KPL aggregate unpacked as KCL does (kin_kpl.h). */
int kin_env_parse(struct kin_env *ev, const char *p, size_t n,
    struct eb *e);

/* KCL's check after resharding: 1 when every user record of the
 * aggregate at hand maps into [lo, hi] (or it is no aggregate), 0 when
 * one does not and the whole aggregate is to be dropped, -1 when the
 * MD5 fails. */
int kin_env_in_range(struct kin_env *ev, kin_hash lo, kin_hash hi,
    struct eb *e);

/* Append envelope i (0..nuser-1) of the record at hand to out. ids is
 * the JSON text of the stream and shard members,
 * `,"stream":"S","shardId":"ID"`. A user record of an aggregate carries
 * its "subSequenceNumber", its own "partitionKey" and, when it has one,
 * its "explicitHashKey". */
int kin_env_put(struct kin_env *ev, struct sb *out, const struct sb *ids,
    size_t i, struct eb *e);

/* --raw: the payload of envelope i alone (the caller ends the line), a
 * user record's own for an aggregate. A payload that holds a newline, or
 * is not UTF-8, cannot be a line of text: it is refused, never escaped
 * (an escaped line could not be told from a payload that looks the
 * same), and e names its sequence number (and subSequenceNumber). */
int kin_env_put_raw(struct kin_env *ev, struct sb *out, size_t i,
    struct eb *e);

/* The same RFC 3339 text as tm_fmt_rfc3339, reusing the date and time of
 * day when the second has not changed (records come in bursts). */
size_t kin_env_stamp(struct kin_env *ev, int64_t us, char buf[TM_RFC3339_MAX]);

#endif
