#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/ck_path.h"

/* A relative link target counts from the link's directory. */
static char *
beside(const char *link, const char *target)
{
	const char *slash = strrchr(link, '/');
	size_t dlen = slash != NULL ? (size_t)(slash - link) + 1 : 0;
	size_t tlen = strlen(target);
	char *p = malloc(dlen + tlen + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, link, dlen);
	memcpy(p + dlen, target, tlen + 1);
	return p;
}

char *
ck_path_resolve(const char *path, struct eb *e)
{
	char buf[PATH_MAX], *cur = strdup(path), *next;
	struct stat st;
	ssize_t n;

	if (cur == NULL) {
		eb_set(e, "%s: out of memory", path);
		return NULL;
	}
	for (int hops = 0;; hops++) {
		/* absent, or there but not a link: the file to replace (what
		 * else lstat may say, the write will say better) */
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		if (hops == CK_PATH_MAX_LINKS) {
			eb_set(e, "%s: %s", path, strerror(ELOOP));
			break;
		}
		n = readlink(cur, buf, sizeof(buf));
		if (n < 0 || (size_t)n >= sizeof(buf)) {
			eb_set(e, "%s: %s", cur, strerror(n < 0 ? errno :
			    ENAMETOOLONG));
			break;
		}
		buf[n] = '\0';
		next = buf[0] == '/' ? strdup(buf) : beside(cur, buf);
		if (next == NULL) {
			eb_set(e, "%s: out of memory", path);
			break;
		}
		free(cur);
		cur = next;
	}
	free(cur);
	return NULL;
}

static const char *
kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* What a sink is once resolved: its canonical name (the real path of its
 * directory, then its own name) and, when it exists, its inode. */
struct ident {
	char *target, *canon;
	int exists;
	dev_t dev;
	ino_t ino;
};

static void
ident_free(struct ident *id)
{
	free(id->target);
	free(id->canon);
	id->target = id->canon = NULL;
}

/* Resolve and check one path. opt names it in messages (NULL: the path
 * alone); check 0 only resolves. */
static int
identify(const char *opt, const char *path, int check, struct ident *id,
    struct eb *e)
{
	char real[PATH_MAX], *slash, *dir;
	const char *name, *sep = opt != NULL ? " " : "";
	struct stat st;
	size_t rlen;

	if (opt == NULL)
		opt = "";
	memset(id, 0, sizeof(*id));
	if ((id->target = ck_path_resolve(path, e)) == NULL)
		return *opt != '\0' ? eb_wrap(e, "%s", opt) : -1;
	if (lstat(id->target, &st) == 0) {
		if (check && !S_ISREG(st.st_mode)) {
			if (strcmp(id->target, path) != 0)
				eb_set(e, "%s%s%s: its target %s is %s: refusing "
				    "to replace it", opt, sep, path, id->target,
				    kind(st.st_mode));
			else
				eb_set(e, "%s%s%s: %s: refusing to replace it",
				    opt, sep, path, kind(st.st_mode));
			goto fail;
		}
		id->exists = 1;
		id->dev = st.st_dev;
		id->ino = st.st_ino;
	} else if (errno != ENOENT) {
		eb_set(e, "%s%s%s: %s", opt, sep, id->target, strerror(errno));
		goto fail;
	}
	if ((dir = strdup(id->target)) == NULL) {
		eb_set(e, "out of memory");
		goto fail;
	}
	slash = strrchr(dir, '/');
	name = slash != NULL ? id->target + (slash - dir) + 1 : id->target;
	if (slash == dir)
		slash[1] = '\0';	/* a file in / */
	else if (slash != NULL)
		*slash = '\0';
	else
		strcpy(dir, ".");
	/* the temporary file is created there and renamed there */
	if ((check && access(dir, W_OK | X_OK) != 0) ||
	    realpath(dir, real) == NULL) {
		eb_set(e, "%s%s%s: directory %s: %s", opt, sep, path, dir,
		    strerror(errno));
		free(dir);
		goto fail;
	}
	free(dir);
	rlen = strlen(real);
	if ((id->canon = malloc(rlen + strlen(name) + 2)) == NULL) {
		eb_set(e, "out of memory");
		goto fail;
	}
	memcpy(id->canon, real, rlen);
	id->canon[rlen] = '/';
	strcpy(id->canon + rlen + 1, name);
	return 0;
fail:
	ident_free(id);
	return -1;
}

static int
same(const struct ident *a, const struct ident *b)
{
	if (a->exists && b->exists)
		return a->dev == b->dev && a->ino == b->ino;
	return strcmp(a->canon, b->canon) == 0;
}

enum ck_sinks_status
ck_sinks_check(const struct ck_sink *v, size_t n, struct eb *e)
{
	struct ident *id = calloc(n ? n : 1, sizeof(*id));
	enum ck_sinks_status st = CK_SINKS_OK;
	size_t i, j;

	if (id == NULL) {
		eb_set(e, "out of memory");
		return CK_SINKS_UNUSABLE;
	}
	for (i = 0; i < n && st == CK_SINKS_OK; i++)
		if (v[i].path != NULL &&
		    identify(v[i].opt, v[i].path, 1, &id[i], e) != 0)
			st = CK_SINKS_UNUSABLE;
	for (i = 0; i < n && st == CK_SINKS_OK; i++)
		for (j = i + 1; j < n && st == CK_SINKS_OK; j++)
			if (id[i].canon != NULL && id[j].canon != NULL &&
			    same(&id[i], &id[j])) {
				eb_set(e, "%s %s and %s %s are the same file: "
				    "each needs its own", v[i].opt, v[i].path,
				    v[j].opt, v[j].path);
				st = CK_SINKS_SAME;
			}
	for (i = 0; i < n; i++)
		ident_free(&id[i]);
	free(id);
	return st;
}

int
ck_path_same(const char *a, const char *b)
{
	struct ident ia, ib;
	int r = 0;

	if (identify(NULL, a, 0, &ia, NULL) != 0)
		return 0;
	if (identify(NULL, b, 0, &ib, NULL) == 0) {
		r = same(&ia, &ib);
		ident_free(&ib);
	}
	ident_free(&ia);
	return r;
}
