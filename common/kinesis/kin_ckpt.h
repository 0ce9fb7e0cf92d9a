/* kin_ckpt: kin-read's checkpoint, {"format":"kinpipe-kin-read-checkpoint",
 * "stream":S,"shards":{"<shardId>":"<last emitted sequenceNumber>"},
 * "subSequenceNumbers":{"<shardId>":K}}, and reading the same two maps
 * back from it or from window-avg's state file. "subSequenceNumbers" is
 * there only for the shards whose last record handed out was user record
 * K of a KPL aggregate with more after it. Written whole or not at all,
 * by ck_write_atomic. */
#ifndef KP_KIN_CKPT_H
#define KP_KIN_CKPT_H

#include <jansson.h>

#include "base/eb.h"

#define KIN_CKPT_FORMAT "kinpipe-kin-read-checkpoint"

/* *shards: a new object shardId -> sequence number string; *subs: one
 * shardId -> subSequenceNumber (empty when none). A file for another
 * stream (when it says which) is an error. */
int kin_ckpt_load(const char *path, const char *stream, json_t **shards,
    json_t **subs, struct eb *e);
int kin_ckpt_save(const char *path, const char *stream, const json_t *shards,
    const json_t *subs, struct eb *e);

#endif
