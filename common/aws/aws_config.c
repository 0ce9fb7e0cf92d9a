/* The shared config files (~/.aws/credentials, ~/.aws/config) read the way
 * botocore reads them, the profile in use, and the region. The INI reader
 * is by hand because the AWS files are a loose INI dialect (nested
 * indented values, "[profile x]" in one file and "[x]" in the other) that
 * no Debian library reads the way botocore does. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/aws.h"
#include "base/sb.h"

const char *
aws_profile_name(const char *profile_opt)
{
	const char *p;

	if (profile_opt != NULL)
		return profile_opt;
	if ((p = aws_env("AWS_PROFILE")) != NULL)
		return p;
	if ((p = aws_env("AWS_DEFAULT_PROFILE")) != NULL)
		return p;
	return "default";
}

/* Section name of a "[...]" line with inner blanks collapsed, so that
 * "[profile  x]" and "[ profile x ]" both read as "profile x". */
static void
section_name(char *line, char *out, size_t cap)
{
	char *p = line + 1, *end = strchr(p, ']');
	size_t n = 0;
	int space = 0;

	if (end)
		*end = '\0';
	p = aws_trim(p);
	for (; *p && n + 1 < cap; p++) {
		if (*p == ' ' || *p == '\t') {
			space = 1;
			continue;
		}
		if (space && n > 0)
			out[n++] = ' ';
		space = 0;
		if (n + 1 < cap)
			out[n++] = *p;
	}
	out[n] = '\0';
}

static void
ent_free(struct aws_ini_ent *en)
{
	/* values may be secrets: wiped before they go back to malloc */
	if (en->val != NULL)
		memset(en->val, 0, strlen(en->val));
	free(en->section);
	free(en->key);
	free(en->sub);
	free(en->val);
}

void
aws_ini_free(struct aws_ini *ini)
{
	size_t i;

	for (i = 0; i < ini->n; i++)
		ent_free(&ini->v[i]);
	free(ini->v);
	free(ini->path);
	memset(ini, 0, sizeof(*ini));
}

/* Keys are case-insensitive (ConfigParser lowers them); sections and
 * values are kept as written. */
static char *
lower_dup(const char *s)
{
	char *d = strdup(s), *p;

	for (p = d; p != NULL && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static int
ini_add(struct aws_ini *ini, const char *section, const char *key,
    const char *sub, const char *val)
{
	struct aws_ini_ent *en, *nv;

	if (ini->n == ini->cap) {
		size_t ncap = ini->cap ? ini->cap * 2 : 16;

		if ((nv = realloc(ini->v, ncap * sizeof(*nv))) == NULL)
			return -1;
		ini->v = nv;
		ini->cap = ncap;
	}
	en = &ini->v[ini->n];
	memset(en, 0, sizeof(*en));
	en->section = strdup(section);
	en->key = key ? lower_dup(key) : NULL;
	en->sub = sub ? lower_dup(sub) : NULL;
	en->val = val ? strdup(val) : NULL;
	if (en->section == NULL || (key && en->key == NULL) ||
	    (sub && en->sub == NULL) || (val && en->val == NULL)) {
		ent_free(en);
		return -1;
	}
	ini->n++;
	return 0;
}

/* A section with no keys is still a profile that exists: it is kept as
 * an entry without key. */
int
aws_ini_load(struct aws_ini *ini, const char *path, struct eb *e)
{
	FILE *f;
	char *line = NULL, name[256] = "", parent[256] = "", *p, *eq;
	size_t cap = 0;
	int in = 0, rc = 0;

	memset(ini, 0, sizeof(*ini));
	if ((ini->path = strdup(path)) == NULL)
		return eb_set(e, "out of memory");
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		rc = eb_set(e, "%s: %s", path, strerror(errno));
		aws_ini_free(ini);
		return rc;
	}
	while (rc == 0 && getline(&line, &cap, f) != -1) {
		int indented = line[0] == ' ' || line[0] == '\t';

		p = aws_trim(line);
		if (*p == '#' || *p == ';' || *p == '\0')
			continue;
		if (!indented && *p == '[') {
			section_name(p, name, sizeof(name));
			in = 1;
			parent[0] = '\0';
			if (ini_add(ini, name, NULL, NULL, NULL) != 0)
				rc = eb_set(e, "out of memory");
			continue;
		}
		if (!in || (eq = strchr(p, '=')) == NULL)
			continue;
		*eq = '\0';
		if (indented) {
			/* "s3 =" then indented "key = value": a nested value;
			 * other indented lines continue a value: not ours */
			if (parent[0] != '\0' && ini_add(ini, name, parent,
			    aws_trim(p), aws_trim(eq + 1)) != 0)
				rc = eb_set(e, "out of memory");
			continue;
		}
		snprintf(parent, sizeof(parent), "%s", *aws_trim(eq + 1) == '\0' ?
		    aws_trim(p) : "");
		if (ini_add(ini, name, aws_trim(p), NULL, aws_trim(eq + 1)) != 0)
			rc = eb_set(e, "out of memory");
	}
	free(line);
	if (rc == 0 && ferror(f))
		rc = eb_set(e, "%s: read error", path);
	fclose(f);
	if (rc != 0)
		aws_ini_free(ini);
	return rc;
}

const char *
aws_ini_find(const struct aws_ini *ini, const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < ini->n; i++) {
		const struct aws_ini_ent *en = &ini->v[i];

		if (en->key != NULL && en->sub == NULL &&
		    strcmp(en->section, section) == 0 &&
		    strcasecmp(en->key, key) == 0)
			return en->val;
	}
	return NULL;
}

const char *
aws_ini_find_sub(const struct aws_ini *ini, const char *section,
    const char *key, const char *sub)
{
	size_t i;

	for (i = 0; i < ini->n; i++) {
		const struct aws_ini_ent *en = &ini->v[i];

		if (en->sub != NULL && strcmp(en->section, section) == 0 &&
		    strcasecmp(en->key, key) == 0 && strcasecmp(en->sub, sub) == 0)
			return en->val;
	}
	return NULL;
}

int
aws_ini_has(const struct aws_ini *ini, const char *section)
{
	size_t i;

	for (i = 0; i < ini->n; i++)
		if (strcmp(ini->v[i].section, section) == 0)
			return 1;
	return 0;
}

int
aws_ini_get(const char *path, const char *section, const char *key,
    char **out, int *section_seen, struct eb *e)
{
	struct aws_ini ini;
	const char *v;

	*out = NULL;
	if (section_seen)
		*section_seen = 0;
	if (aws_ini_load(&ini, path, e) != 0)
		return -1;
	if (section_seen)
		*section_seen = aws_ini_has(&ini, section);
	v = aws_ini_find(&ini, section, key);
	if (v != NULL && (*out = strdup(v)) == NULL) {
		aws_ini_free(&ini);
		return eb_set(e, "out of memory");
	}
	aws_ini_free(&ini);
	return v != NULL;
}

/* 0, or -1 out of memory. */
static int
home_path(struct sb *s, const char *env, const char *rel)
{
	const char *v = aws_env(env), *home;

	sb_reset(s);
	if (v != NULL) {
		sb_adds(s, v);
	} else {
		home = aws_env("HOME");
		sb_adds(s, home ? home : "");
		sb_adds(s, rel);
	}
	return sb_failed(s) || sb_cstr(s) == NULL ? -1 : 0;
}

/* The config file names a non-default profile "[profile NAME]". */
static void
config_section(char *buf, size_t cap, const char *profile)
{
	if (strcmp(profile, "default") == 0)
		snprintf(buf, cap, "default");
	else
		snprintf(buf, cap, "profile %s", profile);
}

char *
aws_region(const char *region_opt, const char *profile_opt, struct eb *e)
{
	const char *v;
	char section[300], *out = NULL;
	struct sb path = SB_INIT;
	int r;

	if ((v = region_opt) != NULL || (v = aws_env("AWS_REGION")) != NULL ||
	    (v = aws_env("AWS_DEFAULT_REGION")) != NULL) {
		if ((out = strdup(v)) == NULL)
			eb_set(e, "out of memory");
		return out;
	}
	if (home_path(&path, "AWS_CONFIG_FILE", "/.aws/config") != 0) {
		sb_free(&path);
		eb_set(e, "out of memory");
		return NULL;
	}
	config_section(section, sizeof(section), aws_profile_name(profile_opt));
	r = aws_ini_get(path.buf, section, "region", &out, NULL, e);
	if (r == 0)
		eb_set(e, "no region: give --region, or set AWS_REGION, or "
		    "region in [%s] of %s", section, path.buf);
	sb_free(&path);
	return r == 1 ? out : NULL;
}

int
aws_conf_load(struct aws_conf *c, const struct aws_opts *o, struct eb *e)
{
	struct sb cpath = SB_INIT, fpath = SB_INIT;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	c->profile = aws_profile_name(o ? o->profile : NULL);
	c->explicit_profile = o != NULL && o->profile != NULL;
	c->region_opt = o ? o->region : NULL;
	if (home_path(&cpath, "AWS_SHARED_CREDENTIALS_FILE", "/.aws/credentials") != 0 ||
	    home_path(&fpath, "AWS_CONFIG_FILE", "/.aws/config") != 0)
		eb_set(e, "out of memory");
	else if (aws_ini_load(&c->cred, cpath.buf, e) == 0) {
		if (aws_ini_load(&c->config, fpath.buf, e) == 0)
			rc = 0;
		else
			aws_ini_free(&c->cred);
	}
	sb_free(&cpath);
	sb_free(&fpath);
	if (rc == 0)
		c->ca_bundle = o != NULL && o->ca_bundle != NULL ? o->ca_bundle :
		    aws_env("AWS_CA_BUNDLE") != NULL ? aws_env("AWS_CA_BUNDLE") :
		    aws_conf_get(c, c->profile, "ca_bundle");
	return rc;
}

void
aws_conf_free(struct aws_conf *c)
{
	aws_ini_free(&c->cred);
	aws_ini_free(&c->config);
}

/* botocore merges the credentials file into the config file's profiles,
 * the credentials file winning. */
const char *
aws_conf_get(const struct aws_conf *c, const char *profile, const char *key)
{
	char section[300];
	const char *v;

	if ((v = aws_ini_find(&c->cred, profile, key)) != NULL)
		return v;
	config_section(section, sizeof(section), profile);
	return aws_ini_find(&c->config, section, key);
}

int
aws_conf_has_profile(const struct aws_conf *c, const char *profile)
{
	char section[300];

	config_section(section, sizeof(section), profile);
	return aws_ini_has(&c->cred, profile) || aws_ini_has(&c->config, section);
}

const char *
aws_conf_sso_session(const struct aws_conf *c, const char *session,
    const char *key)
{
	char section[300];

	snprintf(section, sizeof(section), "sso-session %s", session);
	return aws_ini_find(&c->config, section, key);
}

int
aws_conf_has_sso_session(const struct aws_conf *c, const char *session)
{
	char section[300];

	snprintf(section, sizeof(section), "sso-session %s", session);
	return aws_ini_has(&c->config, section);
}

int
aws_conf_flag(const struct aws_conf *c, const char *env, const char *key)
{
	const char *v = aws_env(env);

	if (v == NULL && c != NULL)
		v = aws_conf_get(c, c->profile, key);
	return v != NULL && strcasecmp(v, "true") == 0;
}

const char *
aws_conf_region(const struct aws_conf *c)
{
	const char *v;

	if ((v = c->region_opt) != NULL || (v = aws_env("AWS_REGION")) != NULL ||
	    (v = aws_env("AWS_DEFAULT_REGION")) != NULL)
		return v;
	return aws_conf_get(c, c->profile, "region");
}
