#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json/jx.h"
#include "kinesis/kin_ckpt.h"

int
kin_ckpt_load(const char *path, const char *stream, json_t **shards,
    struct eb *e)
{
	json_t *doc, *fmt, *st, *map, *v;
	const char *key, *f;

	*shards = NULL;
	if ((doc = jx_load_file(path, e)) == NULL)
		return -1;
	fmt = json_object_get(doc, "format");
	st = json_object_get(doc, "stream");
	map = json_object_get(doc, "shards");
	f = json_string_value(fmt);
	if (!json_is_object(doc) || (fmt != NULL && !json_is_string(fmt))) {
		json_decref(doc);
		return eb_set(e, "%s: not a checkpoint or state file", path);
	}
	if (f != NULL && strcmp(f, KIN_CKPT_FORMAT) != 0 &&
	    strcmp(f, "kinpipe-window-avg-state") != 0) {
		json_decref(doc);
		return eb_set(e, "%s: unknown format '%s'", path, f);
	}
	if (json_is_string(st) && strcmp(json_string_value(st), stream) != 0) {
		eb_set(e, "%s: positions are for stream '%s', not '%s'",
		    path, json_string_value(st), stream);
		json_decref(doc);
		return -1;
	}
	if (!json_is_object(map)) {
		json_decref(doc);
		return eb_set(e, "%s: no \"shards\" object", path);
	}
	json_object_foreach(map, key, v) {
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    strspn(json_string_value(v), "0123456789") != json_string_length(v)) {
			eb_set(e, "%s: shard %s: sequence number is not a "
			    "decimal string", path, key);
			json_decref(doc);
			return -1;
		}
	}
	*shards = json_incref(map);
	json_decref(doc);
	return 0;
}

static int
fsync_dir(const char *path, struct eb *e)
{
	char *copy = strdup(path), *dir;
	int fd, r = 0;

	if (copy == NULL)
		return eb_set(e, "out of memory");
	dir = dirname(copy);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) < 0 || fsync(fd) != 0)
		r = eb_set(e, "%s: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(copy);
	return r;
}

int
kin_write_atomic(const char *path, const char *text, size_t len, struct eb *e)
{
	char tmp[4096];
	int fd;
	ssize_t n;
	size_t off = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return eb_set(e, "%s: path too long", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return eb_set(e, "%s: %s", tmp, strerror(errno));
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) != 0)
		return eb_set(e, "%s: %s", path, strerror(errno));
	return fsync_dir(path, e);
fail:
	eb_set(e, "%s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int
kin_ckpt_save(const char *path, const char *stream, const json_t *shards,
    struct eb *e)
{
	json_t *doc = json_pack("{s:s,s:s,s:O}", "format", KIN_CKPT_FORMAT,
	    "stream", stream, "shards", (json_t *)shards);
	char *text, *nl;
	int r;

	if (doc == NULL || (text = jx_dumps(doc)) == NULL) {
		json_decref(doc);
		return eb_set(e, "out of memory");
	}
	json_decref(doc);
	/* one line, newline-terminated: pleasant to cat */
	if ((nl = realloc(text, strlen(text) + 2)) == NULL) {
		free(text);
		return eb_set(e, "out of memory");
	}
	text = nl;
	strcat(text, "\n");
	r = kin_write_atomic(path, text, strlen(text), e);
	free(text);
	return r;
}
