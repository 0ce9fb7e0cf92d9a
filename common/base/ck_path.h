/* ck_path: where a durable file really is, and whether it may be replaced.
 * A durable write replaces the file at a path by rename (ck_write_atomic),
 * which would turn a device into a regular file and a symbolic link into
 * a file beside its stale target. So: a symbolic link is followed to its
 * target, which is what gets replaced, in the target's own directory; a
 * path that exists and is not a regular file is refused; and the tool's
 * sinks are checked together at start, before any input is read, so that
 * a missing directory or two options naming one file stop the run before
 * it has done work that it could not keep. */
#ifndef KP_CK_PATH_H
#define KP_CK_PATH_H

#include <stddef.h>

#include "base/eb.h"

/* Symbolic links are followed this many times at most, as the kernel
 * does (ELOOP beyond). */
#define CK_PATH_MAX_LINKS 40

/* The path a write to path must replace: path itself unless it is a
 * symbolic link, else its target (relative targets taken from the link's
 * directory), followed to the end of the chain. The target need not
 * exist: a dangling link is followed to the file it would create. A
 * malloc'd string, or NULL with e set. */
char *ck_path_resolve(const char *path, struct eb *e);

/* One file a tool keeps: the option that named it ("--state") and the
 * path given. A NULL path is an option not given. */
struct ck_sink {
	const char *opt;
	const char *path;
};

enum ck_sinks_status {
	CK_SINKS_OK,
	CK_SINKS_UNUSABLE,	/* not a regular file, no such directory, ... */
	CK_SINKS_SAME		/* two options name one file: a usage error */
};

/* The check every tool runs on its sinks at start: each path, after its
 * symbolic links, is a regular file or nothing yet, in a directory that
 * exists and can be written; and no two name the same file, however
 * spelled (links, "..", hard links). e says which and why. */
enum ck_sinks_status ck_sinks_check(const struct ck_sink *v, size_t n,
    struct eb *e);

/* 1 when a and b name the same file (both resolved as above, the file
 * or, when it does not exist yet, its directory and name); 0 otherwise,
 * also when either cannot be resolved. */
int ck_path_same(const char *a, const char *b);

#endif
