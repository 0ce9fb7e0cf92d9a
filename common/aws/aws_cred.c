/* The AWS CLI's credentials chain, region and endpoint lookup. The INI
 * reader is by hand because the AWS files are a loose INI dialect (nested
 * indented values, "[profile x]" in one file and "[x]" in the other) that
 * no Debian library reads the way botocore does. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "aws/aws.h"
#include "base/sb.h"
#include "time/tm.h"

static char *
xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

const char *
aws_profile_name(const char *profile_opt)
{
	const char *p;

	if (profile_opt != NULL)
		return profile_opt;
	if ((p = env_nonempty("AWS_PROFILE")) != NULL)
		return p;
	if ((p = env_nonempty("AWS_DEFAULT_PROFILE")) != NULL)
		return p;
	return "default";
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
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
	p = trim(p);
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

int
aws_ini_get(const char *path, const char *section, const char *key,
    char **out, int *section_seen, struct eb *e)
{
	FILE *f;
	char *line = NULL, name[256], *p, *eq;
	size_t cap = 0;
	int in = 0, found = 0;

	*out = NULL;
	if (section_seen)
		*section_seen = 0;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return eb_set(e, "%s: %s", path, strerror(errno));
	}
	while (!found && getline(&line, &cap, f) != -1) {
		/* indented lines continue a nested value: never a key of ours */
		if (line[0] == ' ' || line[0] == '\t')
			continue;
		p = trim(line);
		if (*p == '#' || *p == ';' || *p == '\0')
			continue;
		if (*p == '[') {
			section_name(p, name, sizeof(name));
			in = strcmp(name, section) == 0;
			if (in && section_seen)
				*section_seen = 1;
			continue;
		}
		if (!in || (eq = strchr(p, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcmp(trim(p), key) == 0) {
			*out = strdup(trim(eq + 1));
			found = *out != NULL ? 1 : -1;
		}
	}
	free(line);
	if (ferror(f) || found < 0) {
		fclose(f);
		free(*out);
		*out = NULL;
		return found < 0 ? eb_set(e, "out of memory") :
		    eb_set(e, "%s: read error", path);
	}
	fclose(f);
	return found;
}

/* 0, or -1 out of memory. */
static int
home_path(struct sb *s, const char *env, const char *rel)
{
	const char *v = env_nonempty(env), *home;

	sb_reset(s);
	if (v != NULL) {
		sb_adds(s, v);
	} else {
		home = env_nonempty("HOME");
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

	if ((v = region_opt) != NULL || (v = env_nonempty("AWS_REGION")) != NULL ||
	    (v = env_nonempty("AWS_DEFAULT_REGION")) != NULL) {
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

char *
aws_endpoint(const char *endpoint_opt, const char *service, const char *region)
{
	char env[64], *out = NULL;
	const char *v = endpoint_opt, *text;
	size_t i, n;
	struct sb s = SB_INIT;

	if (v == NULL) {
		n = (size_t)snprintf(env, sizeof(env), "AWS_ENDPOINT_URL_%s", service);
		for (i = 17; i < n && i < sizeof(env); i++)
			env[i] = (char)toupper((unsigned char)env[i]);
		v = env_nonempty(env);
	}
	if (v == NULL)
		v = env_nonempty("AWS_ENDPOINT_URL");
	if (v != NULL) {
		sb_adds(&s, v);
		while (s.len > 0 && s.buf[s.len - 1] == '/')
			s.len--;
	} else {
		sb_printf(&s, "https://%s.%s.amazonaws.com", service, region);
	}
	if (!sb_failed(&s) && (text = sb_cstr(&s)) != NULL)
		out = strdup(text);
	sb_free(&s);
	return out;
}

void
aws_creds_free(struct aws_creds *c)
{
	if (c->secret_access_key)
		memset(c->secret_access_key, 0, strlen(c->secret_access_key));
	free(c->access_key_id);
	free(c->secret_access_key);
	free(c->session_token);
	c->access_key_id = c->secret_access_key = c->session_token = NULL;
	c->expires_us = 0;
}

/* A file that holds a secret must be the user's alone (kinpipe(7)). */
static int
check_private(const char *path, struct eb *e)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return eb_set(e, "%s: %s", path, strerror(errno));
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return eb_set(e, "%s: holds a secret key but is accessible by "
		    "group or others (chmod 600 it)", path);
	return 0;
}

/* Keys from one INI section: 1 found, 0 not there, -1 error. */
static int
creds_from_ini(const char *path, const char *section, struct aws_creds *c,
    int *seen, struct eb *e)
{
	char *id = NULL, *secret = NULL, *token = NULL, *other = NULL;
	int r1, r2, r3, s2;
	static const char *unsupported[] = { "role_arn", "credential_process",
	    "sso_start_url", "sso_session", "web_identity_token_file", NULL };
	int i;

	r1 = aws_ini_get(path, section, "aws_access_key_id", &id, seen, e);
	if (r1 < 0)
		return -1;
	r2 = aws_ini_get(path, section, "aws_secret_access_key", &secret, &s2, e);
	r3 = r2 < 0 ? -1 : aws_ini_get(path, section, "aws_session_token", &token, NULL, e);
	if (r2 < 0 || r3 < 0)
		goto fail;
	if (r1 == 0 && r2 == 0) {
		for (i = 0; *seen && unsupported[i]; i++) {
			if (aws_ini_get(path, section, unsupported[i], &other, NULL, e) == 1) {
				free(other);
				eb_set(e, "%s: [%s] uses %s, which kinpipe does not "
				    "support: export the credentials it yields instead",
				    path, section, unsupported[i]);
				goto fail;
			}
		}
		return 0;
	}
	if (r1 == 0 || r2 == 0) {
		eb_set(e, "%s: [%s] has %s but not %s", path, section,
		    r1 ? "aws_access_key_id" : "aws_secret_access_key",
		    r1 ? "aws_secret_access_key" : "aws_access_key_id");
		goto fail;
	}
	if (check_private(path, e) != 0)
		goto fail;
	c->access_key_id = id;
	c->secret_access_key = secret;
	c->session_token = token;
	snprintf(c->source, sizeof(c->source), "[%s] in %s", section, path);
	return 1;
fail:
	free(id);
	if (secret)
		memset(secret, 0, strlen(secret));
	free(secret);
	free(token);
	return -1;
}

/* The text of s, or NULL (and e says so) when building it ran out of
 * memory. */
static const char *
built(struct sb *s, struct eb *e)
{
	const char *t = sb_failed(s) ? NULL : sb_cstr(s);

	if (t == NULL)
		eb_set(e, "out of memory");
	return t;
}

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	sb_add(arg, p, size * n);
	return size * n;
}

/* One small HTTP exchange with a metadata service: short timeouts, since
 * off EC2/ECS nothing answers and the chain must fail fast. */
static long
meta_http(const char *url, const char *method, struct curl_slist *hdrs,
    struct sb *out, struct eb *e)
{
	CURL *h = curl_easy_init();
	CURLcode rc;
	long status = 0, timeout_ms = 1000;
	const char *t = env_nonempty("AWS_METADATA_SERVICE_TIMEOUT");
	char errbuf[CURL_ERROR_SIZE] = "";

	if (h == NULL)
		return eb_set(e, "out of memory");
	if (t != NULL && atof(t) > 0)
		timeout_ms = (long)(atof(t) * 1000);
	sb_reset(out);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	if (strcmp(method, "PUT") == 0)
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	else
		eb_set(e, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	curl_easy_cleanup(h);
	if (rc == CURLE_OK && built(out, e) == NULL)
		return -1;
	return rc == CURLE_OK ? status : -1;
}

/* {"AccessKeyId","SecretAccessKey","Token","Expiration"}: the document
 * both the ECS and the EC2 metadata services answer with. */
static int
creds_from_doc(const char *text, size_t len, const char *what,
    struct aws_creds *c, struct eb *e)
{
	json_t *doc, *id, *secret, *token, *exp;
	json_error_t je;
	int64_t us = 0;

	if ((doc = json_loadb(text, len, 0, &je)) == NULL)
		return eb_set(e, "%s: bad credentials document: %s", what, je.text);
	id = json_object_get(doc, "AccessKeyId");
	secret = json_object_get(doc, "SecretAccessKey");
	token = json_object_get(doc, "Token");
	exp = json_object_get(doc, "Expiration");
	if (!json_is_string(id) || !json_is_string(secret)) {
		json_decref(doc);
		return eb_set(e, "%s: credentials document lacks AccessKeyId "
		    "or SecretAccessKey", what);
	}
	if (json_is_string(exp) && tm_parse_rfc3339(json_string_value(exp),
	    json_string_length(exp), &us, e) != 0) {
		json_decref(doc);
		return eb_wrap(e, "%s: Expiration", what);
	}
	c->access_key_id = strdup(json_string_value(id));
	c->secret_access_key = strdup(json_string_value(secret));
	c->session_token = json_is_string(token) ? strdup(json_string_value(token)) : NULL;
	if (c->access_key_id == NULL || c->secret_access_key == NULL ||
	    (json_is_string(token) && c->session_token == NULL)) {
		json_decref(doc);
		aws_creds_free(c);
		return eb_set(e, "%s: out of memory", what);
	}
	json_decref(doc);
	c->expires_us = us;
	snprintf(c->source, sizeof(c->source), "%s", what);
	return 1;
}

static int
creds_from_ecs(struct aws_creds *c, struct eb *e)
{
	const char *rel = env_nonempty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env_nonempty("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *tok = env_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	struct sb url = SB_INIT, body = SB_INIT, auth = SB_INIT;
	struct curl_slist *h = NULL;
	const char *u, *a = NULL;
	long st;
	int r;

	if (rel == NULL && full == NULL)
		return 0;
	if (rel != NULL)
		sb_printf(&url, "http://169.254.170.2%s", rel);
	else
		sb_adds(&url, full);
	if (tok != NULL)
		sb_printf(&auth, "Authorization: %s", tok);
	if ((u = built(&url, e)) == NULL)
		r = -1;
	else if (tok != NULL && ((a = built(&auth, e)) == NULL ||
	    (h = curl_slist_append(NULL, a)) == NULL))
		r = eb_set(e, "out of memory");
	else if ((st = meta_http(u, "GET", h, &body, e)) < 0)
		r = eb_wrap(e, "container credentials endpoint %s", u);
	else if (st != 200)
		r = eb_set(e, "container credentials endpoint %s: HTTP %ld", u, st);
	else
		r = creds_from_doc(body.buf, body.len, "container credentials endpoint", c, e);
	curl_slist_free_all(h);
	sb_free(&url);
	sb_free(&body);
	sb_free(&auth);
	return r;
}

/* IMDSv2: a session token by PUT, then the role name, then its keys. */
static int
creds_from_imds(struct aws_creds *c, struct eb *e)
{
	const char *base = env_nonempty("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *off = env_nonempty("AWS_EC2_METADATA_DISABLED");
	struct sb url = SB_INIT, body = SB_INIT, hdr = SB_INIT;
	struct curl_slist *h = NULL;
	const char *u, *t;
	char *nl;
	long st;
	int r = -1;

	if (off != NULL && strcasecmp(off, "true") == 0)
		return 0;
	if (base == NULL)
		base = "http://169.254.169.254";
	sb_printf(&url, "%.*s/latest/api/token", (int)(strlen(base) -
	    (base[strlen(base) - 1] == '/')), base);
	if ((u = built(&url, e)) == NULL)
		goto out;
	if ((h = curl_slist_append(NULL,
	    "X-aws-ec2-metadata-token-ttl-seconds: 21600")) == NULL) {
		eb_set(e, "out of memory");
		goto out;
	}
	st = meta_http(u, "PUT", h, &body, e);
	curl_slist_free_all(h);
	h = NULL;
	if (st != 200) {
		if (st > 0)
			eb_set(e, "HTTP %ld", st);
		goto out;
	}
	sb_printf(&hdr, "X-aws-ec2-metadata-token: %s", body.buf);
	if ((t = built(&hdr, e)) == NULL)
		goto out;
	if ((h = curl_slist_append(NULL, t)) == NULL) {
		eb_set(e, "out of memory");
		goto out;
	}
	url.len -= strlen("api/token");
	sb_adds(&url, "meta-data/iam/security-credentials/");
	if ((u = built(&url, e)) == NULL)
		goto out;
	st = meta_http(u, "GET", h, &body, e);
	if (st != 200) {
		if (st > 0)
			eb_set(e, "%s: HTTP %ld (no instance role?)", u, st);
		goto out;
	}
	/* the role's name, on the first line */
	if ((nl = strchr(body.buf, '\n')) != NULL)
		*nl = '\0';
	sb_adds(&url, trim(body.buf));
	if ((u = built(&url, e)) == NULL)
		goto out;
	st = meta_http(u, "GET", h, &body, e);
	if (st != 200) {
		if (st > 0)
			eb_set(e, "%s: HTTP %ld", url.buf, st);
		goto out;
	}
	r = creds_from_doc(body.buf, body.len, "instance metadata (IMDSv2)", c, e);
out:
	if (r < 0)
		eb_wrap(e, "instance metadata at %s", base);
	curl_slist_free_all(h);
	sb_free(&url);
	sb_free(&body);
	sb_free(&hdr);
	return r;
}

int
aws_creds_load(const char *profile_opt, struct aws_creds *c, struct eb *e)
{
	const char *id = env_nonempty("AWS_ACCESS_KEY_ID");
	const char *secret = env_nonempty("AWS_SECRET_ACCESS_KEY");
	const char *profile = aws_profile_name(profile_opt);
	struct sb cpath = SB_INIT, fpath = SB_INIT;
	char section[300];
	int seen_c = 0, seen_f = 0, r;
	struct eb why = { "" };

	memset(c, 0, sizeof(*c));
	/* an explicit --profile outranks the environment, as in botocore */
	if (profile_opt == NULL && (id != NULL || secret != NULL)) {
		if (id == NULL || secret == NULL)
			return eb_set(e, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
			    "must be set together (only %s is)",
			    id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY");
		c->access_key_id = strdup(id);
		c->secret_access_key = strdup(secret);
		c->session_token = xstrdup(env_nonempty("AWS_SESSION_TOKEN"));
		if (c->access_key_id == NULL || c->secret_access_key == NULL ||
		    (env_nonempty("AWS_SESSION_TOKEN") && c->session_token == NULL)) {
			aws_creds_free(c);
			return eb_set(e, "out of memory");
		}
		snprintf(c->source, sizeof(c->source), "environment");
		return 0;
	}
	if (home_path(&cpath, "AWS_SHARED_CREDENTIALS_FILE", "/.aws/credentials") != 0 ||
	    home_path(&fpath, "AWS_CONFIG_FILE", "/.aws/config") != 0) {
		sb_free(&cpath);
		sb_free(&fpath);
		return eb_set(e, "out of memory");
	}
	r = creds_from_ini(cpath.buf, profile, c, &seen_c, e);
	if (r == 0) {
		config_section(section, sizeof(section), profile);
		r = creds_from_ini(fpath.buf, section, c, &seen_f, e);
	}
	if (r == 0 && (profile_opt != NULL || getenv("AWS_PROFILE") != NULL) &&
	    !seen_c && !seen_f) {
		eb_set(e, "profile '%s' not found in %s or %s", profile,
		    cpath.buf, fpath.buf);
		r = -1;
	}
	if (r == 0 && (r = creds_from_ecs(c, &why)) == 0)
		r = creds_from_imds(c, &why);
	if (r == 0 || (r < 0 && why.msg[0] != '\0'))
		r = eb_set(e, "no AWS credentials: tried %s"
		    "profile '%s' in %s and %s, container endpoint, instance "
		    "metadata%s%s", profile_opt ? "" : "environment (AWS_ACCESS_KEY_ID), ",
		    profile, cpath.buf, fpath.buf, why.msg[0] ? ": " : "", why.msg);
	sb_free(&cpath);
	sb_free(&fpath);
	return r < 0 ? -1 : 0;
}
