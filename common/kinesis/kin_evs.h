/* kin_evs: the application/vnd.amazon.eventstream framing of
 * SubscribeToShard, decoded as the bytes arrive. A message is
 *
 *   total length (4 bytes, big-endian), headers length (4),
 *   prelude CRC32 (4, of the 8 bytes before it),
 *   headers, payload,
 *   message CRC32 (4, of every byte before it)
 *
 * and a header is a name (1-byte length), a type (1 byte) and a value
 * whose size the type says. Both CRC32s are checked (zlib's CRC-32, the
 * one the format names); a bad frame is an error, never a message
 * silently skipped: after it the stream cannot be trusted to be in step. */
#ifndef KP_KIN_EVS_H
#define KP_KIN_EVS_H

#include <stddef.h>
#include <stdint.h>

#include "base/eb.h"
#include "base/sb.h"

#define KIN_EVS_PRELUDE 12
#define KIN_EVS_MIN (KIN_EVS_PRELUDE + 4)
/* larger than any SubscribeToShard event (a few MB at most) */
#define KIN_EVS_MAX (24u * 1024 * 1024)

struct kin_evs_str {
	const char *p;
	size_t n;
};

struct kin_evs_msg {
	struct kin_evs_str message_type;	/* ":message-type": event, exception, error */
	struct kin_evs_str event_type;		/* ":event-type" */
	struct kin_evs_str exception_type;	/* ":exception-type" */
	struct kin_evs_str error_code;		/* ":error-code" */
	struct kin_evs_str error_message;	/* ":error-message" */
	const char *payload;
	size_t plen;
};

struct kin_evs {
	struct sb buf;		/* bytes received, from off on not yet taken */
	size_t off;
};

void kin_evs_init(struct kin_evs *d);
void kin_evs_free(struct kin_evs *d);
void kin_evs_reset(struct kin_evs *d);
/* Append bytes received; -1 on out of memory. */
int kin_evs_feed(struct kin_evs *d, const void *p, size_t n);
/* The next whole message: 1 with m filled (its spans valid until the
 * next feed), 0 when more bytes are needed, -1 on a bad frame (e says
 * what is wrong). */
int kin_evs_next(struct kin_evs *d, struct kin_evs_msg *m, struct eb *e);
/* 1 when bytes of an unfinished message are held. */
int kin_evs_pending(const struct kin_evs *d);

#endif
