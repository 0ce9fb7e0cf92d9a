/* ck_sum: the checksum that seals a durable JSON document (window-avg's
 * state, kin-read's checkpoint), so that a damaged file is refused rather
 * than trusted. The seal is the document's last member,
 *
 *   {...,"sha256":"<64 lowercase hex digits>"}
 *
 * the SHA-256 of every byte before its comma, as written: anyone can
 * check it (drop the last 77 bytes and the newline, hash the rest), and
 * no JSON parser has to agree with ours on spelling. A file that does
 * not end with a well-formed seal has none; whether that is allowed
 * (a file of an older version) is the reader's to say. */
#ifndef KP_CK_SUM_H
#define KP_CK_SUM_H

#include <stddef.h>

#include "base/sb.h"

#define CK_SUM_MEMBER "sha256"
#define CK_SUM_HEX 64

enum ck_sum_status {
	CK_SUM_OK,	/* sealed, and the seal matches */
	CK_SUM_NONE,	/* no well-formed seal at the end */
	CK_SUM_BAD	/* sealed, and the content is not what was sealed */
};

/* out holds, from offset from on, a JSON object without its closing
 * brace: append the seal, the brace and a newline. */
void ck_sum_seal(struct sb *out, size_t from);

/* Check the seal of a whole document (a trailing newline allowed). */
enum ck_sum_status ck_sum_check(const char *text, size_t len);

#endif
