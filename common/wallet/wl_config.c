#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wallet/wl_config.h"

#define SECRET_MAX 4096
#define CONF_LINE_MAX 4096

/* A file that may hold a secret: ours alone. Checked on the open file, so
 * the answer is about what is read, not about what a path named before. */
static int
private_file(FILE *fp, const char *path, struct eb *e)
{
	struct stat sb;

	if (fstat(fileno(fp), &sb) != 0)
		return eb_set(e, "%s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return eb_set(e, "%s: not a regular file", path);
	if (sb.st_mode & (S_IRGRP | S_IROTH | S_IWGRP | S_IWOTH))
		return eb_set(e, "%s: readable or writable by group or others:"
		    " refused (chmod 600 %s)", path, path);
	return 0;
}

static int
nomem(struct eb *e)
{
	eb_set(e, "out of memory");
	return WL_CONFIG_NOMEM;
}

static int
clean_value(char *v)
{
	size_t n = strlen(v);

	while (n > 0 && (v[n - 1] == '\n' || v[n - 1] == '\r' ||
	    v[n - 1] == ' ' || v[n - 1] == '\t'))
		v[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return -1;
	return n > 0 ? 0 : -1;
}

int
wl_read_secret(const char *path, char **out, struct eb *e)
{
	char buf[SECRET_MAX];
	FILE *fp = fopen(path, "re");
	int rc = WL_CONFIG_BAD;

	*out = NULL;
	if (fp == NULL)
		return eb_set(e, "%s: %s", path, strerror(errno));
	if (private_file(fp, path, e) != 0)
		goto out;
	if (fgets(buf, sizeof(buf), fp) == NULL || clean_value(buf) != 0) {
		eb_set(e, "%s: no access key on its first line", path);
		goto out;
	}
	*out = strdup(buf);
	rc = *out ? WL_CONFIG_OK : nomem(e);
out:
	sodium_memzero(buf, sizeof(buf));
	fclose(fp);
	return rc;
}

struct file_values {
	char *api, *user_id, *access_key, *key_file;
};

static void
file_values_free(struct file_values *v)
{
	free(v->api);
	free(v->user_id);
	if (v->access_key)
		sodium_memzero(v->access_key, strlen(v->access_key));
	free(v->access_key);
	free(v->key_file);
}

/* "name = value" lines; '#' starts a comment line. */
static int
read_conf(const char *path, int must_exist, struct file_values *v,
    struct eb *e)
{
	char line[CONF_LINE_MAX];
	FILE *fp = fopen(path, "re");
	int lineno = 0, rc = 0;

	if (fp == NULL) {
		if (!must_exist && errno == ENOENT)
			return 1;
		return eb_set(e, "%s: %s", path, strerror(errno));
	}
	if (private_file(fp, path, e) != 0) {
		fclose(fp);
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
		char *p = line, *eq, *name, *val, **slot;
		size_t n;

		lineno++;
		p += strspn(p, " \t");
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		eq = strchr(p, '=');
		if (eq == NULL) {
			rc = eb_set(e, "%s:%d: want name = value", path, lineno);
			break;
		}
		name = p;
		n = (size_t)(eq - p);
		while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
			n--;
		name[n] = '\0';
		val = eq + 1 + strspn(eq + 1, " \t");
		if (strcmp(name, "api") == 0)
			slot = &v->api;
		else if (strcmp(name, "user_id") == 0)
			slot = &v->user_id;
		else if (strcmp(name, "access_key") == 0)
			slot = &v->access_key;
		else if (strcmp(name, "access_key_file") == 0)
			slot = &v->key_file;
		else {
			rc = eb_set(e, "%s:%d: unknown setting '%.40s'", path,
			    lineno, name);
			break;
		}
		if (clean_value(val) != 0) {
			rc = eb_set(e, "%s:%d: empty or bad value for %s", path,
			    lineno, name);
			break;
		}
		free(*slot);
		*slot = strdup(val);
		if (*slot == NULL)
			rc = nomem(e);
	}
	sodium_memzero(line, sizeof(line));
	fclose(fp);
	return rc;
}

static const char *
first(const char *a, const char *b, const char *c)
{
	if (a && *a)
		return a;
	if (b && *b)
		return b;
	return c;
}

/* The config file to read into *path (NULL: none to look for). */
static int
conf_path(const struct wl_flags *f, char **path, struct eb *e)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char buf[PATH_MAX];

	*path = NULL;
	if (f->config)
		*path = strdup(f->config);
	else if (xdg && *xdg == '/')
		snprintf(buf, sizeof(buf), "%s/kinpipe/wallet.conf", xdg);
	else if (home && *home)
		snprintf(buf, sizeof(buf), "%s/.config/kinpipe/wallet.conf", home);
	else
		return 0;
	if (f->config == NULL)
		*path = strdup(buf);
	return *path ? 0 : nomem(e);
}

int
wl_config_load(struct wl_config *c, const struct wl_flags *f, int need_key,
    struct eb *e)
{
	struct file_values fv = { 0 };
	const char *api, *user, *key, *key_file;
	char *conf;
	int rc = -1;
	size_t n;

	memset(c, 0, sizeof(*c));
	if ((rc = conf_path(f, &conf, e)) != 0)
		return rc;
	rc = WL_CONFIG_BAD;
	if (conf != NULL) {
		int r = read_conf(conf, f->config != NULL, &fv, e);

		if (r < 0) {
			rc = r;
			goto out;
		}
	}
	api = first(f->api, getenv("WALLET_API"), fv.api);
	user = first(f->user_id, getenv("WALLET_USER_ID"), fv.user_id);
	if (api == NULL) {
		eb_set(e, "no API address: set WALLET_API, --api or api = in the config file");
		goto out;
	}
	if (strncmp(api, "http://", 7) != 0 && strncmp(api, "https://", 8) != 0) {
		eb_set(e, "API address must start with http:// or https://");
		goto out;
	}
	if (user == NULL) {
		eb_set(e, "no user id: set WALLET_USER_ID, --user or user_id = in the config file");
		goto out;
	}
	n = strlen(api);
	c->api = malloc(n + 2);
	c->user_id = strdup(user);
	if (c->api == NULL || c->user_id == NULL) {
		rc = nomem(e);
		goto out;
	}
	/* the notebook writes {api}info/: the base ends with a slash */
	memcpy(c->api, api, n + 1);
	if (n == 0 || api[n - 1] != '/')
		memcpy(c->api + n, "/", 2);
	if (need_key) {
		/* a flag's key file beats every other source, then the
		 * environment's key, then its key file, then the config file's */
		key = getenv("WALLET_ACCESS_KEY");
		key_file = first(f->key_file, NULL, NULL);
		if (key_file == NULL && (key == NULL || *key == '\0')) {
			key_file = getenv("WALLET_ACCESS_KEY_FILE");
			if (key_file && *key_file == '\0')
				key_file = NULL;
			if (key_file == NULL && fv.access_key == NULL)
				key_file = fv.key_file;
			if (key_file == NULL)
				key = fv.access_key;
		}
		if (key_file != NULL) {
			if ((rc = wl_read_secret(key_file, &c->access_key, e)) != 0)
				goto out;
		} else if (key != NULL && *key != '\0') {
			c->access_key = strdup(key);
			if (c->access_key == NULL) {
				rc = nomem(e);
				goto out;
			}
		} else {
			rc = eb_set(e, "no access key: set WALLET_ACCESS_KEY,"
			    " WALLET_ACCESS_KEY_FILE, --access-key-file or"
			    " access_key = in the config file");
			goto out;
		}
	}
	rc = WL_CONFIG_OK;
out:
	file_values_free(&fv);
	free(conf);
	if (rc != 0)
		wl_config_free(c);
	return rc;
}

void
wl_config_free(struct wl_config *c)
{
	free(c->api);
	free(c->user_id);
	if (c->access_key) {
		sodium_memzero(c->access_key, strlen(c->access_key));
		free(c->access_key);
	}
	memset(c, 0, sizeof(*c));
}
