/* kin_env: one GetRecords record as the Kinesis envelope of CONVENTIONS
 * §1, and the base64 and UTF-8 rules that decide how "data" travels. */
#ifndef KP_KIN_ENV_H
#define KP_KIN_ENV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "eb.h"
#include "sb.h"

/* 1 when p[0..n) is well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
int kin_utf8_valid(const unsigned char *p, size_t n);

/* Standard padded base64 (RFC 4648 §4) to bytes in out (reset first). */
int kin_b64_decode(const char *b64, size_t len, struct sb *out, struct eb *e);
/* Bytes to standard padded base64, appended to out. */
void kin_b64_encode(const unsigned char *p, size_t n, struct sb *out);

/* Append the envelope of record rec (a GetRecords "Records" element) to
 * out; scratch holds the decoded payload. *arrival_us gets the record's
 * ApproximateArrivalTimestamp, *bytes the payload size. */
int kin_env_put(struct sb *out, const char *stream, const char *shard,
    const json_t *rec, struct sb *scratch, int64_t *arrival_us,
    size_t *bytes, struct eb *e);

#endif
