/* kin_ckpt: kin-read's checkpoint, {"format":"kinpipe-kin-read-checkpoint",
 * "stream":S,"shards":{"<shardId>":"<last emitted sequenceNumber>"}}, and
 * reading the same "shards" map back from it or from window-avg's state
 * file. Written whole or not at all, by ck_write_atomic. */
#ifndef KP_KIN_CKPT_H
#define KP_KIN_CKPT_H

#include <jansson.h>

#include "base/eb.h"

#define KIN_CKPT_FORMAT "kinpipe-kin-read-checkpoint"

/* *shards: a new object shardId -> sequence number string. A file for
 * another stream (when it says which) is an error. */
int kin_ckpt_load(const char *path, const char *stream, json_t **shards,
    struct eb *e);
int kin_ckpt_save(const char *path, const char *stream, const json_t *shards,
    struct eb *e);

#endif
