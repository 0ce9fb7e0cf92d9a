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
};

void kin_env_init(struct kin_env *ev);
void kin_env_free(struct kin_env *ev);

/* Append the envelope of the record object p[0..n) (a GetRecords
 * "Records" element) to out. ids is the JSON text of the stream and shard
 * members, `,"stream":"S","shardId":"ID"`. Hands back the record's
 * sequence number span (valid while p is), arrival time and payload size. */
int kin_env_put(struct kin_env *ev, struct sb *out, const char *p, size_t n,
    const struct sb *ids, struct rec_span *seq, int64_t *arrival_us,
    size_t *bytes, struct eb *e);

/* --raw: the record's payload alone (the caller ends the line). A payload
 * that holds a newline, or is not UTF-8, cannot be a line of text: it is
 * refused, never escaped (an escaped line could not be told from a
 * payload that looks the same), and e names its sequence number. */
int kin_env_put_raw(struct kin_env *ev, struct sb *out, const char *p,
    size_t n, struct rec_span *seq, int64_t *arrival_us, size_t *bytes,
    struct eb *e);

/* The same RFC 3339 text as tm_fmt_rfc3339, reusing the date and time of
 * day when the second has not changed (records come in bursts). */
size_t kin_env_stamp(struct kin_env *ev, int64_t us, char buf[TM_RFC3339_MAX]);

#endif
