/* The AWS CLI's credentials chain, in botocore's order:
 *
 *   environment keys (skipped when --profile is given)
 *   the profile's role_arn: STS AssumeRole with the credentials of its
 *     source_profile (itself resolved by this chain) or credential_source
 *   web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, or the
 *     profile's web_identity_token_file: STS AssumeRoleWithWebIdentity
 *   SSO: the profile's sso_session or sso_start_url
 *   the profile's keys in the credentials file
 *   the profile's credential_process
 *   the profile's keys in the config file
 *   the ECS container endpoint, EC2 instance metadata (IMDSv2)
 *
 * A profile setting is looked up as botocore merges the two files (the
 * credentials file's [NAME] over the config file's [profile NAME]). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "aws/aws.h"

#define CHAIN_DEPTH 16	/* source_profile hops before it is called a loop */

struct chain {
	const struct aws_conf *c;
	const char *visited[CHAIN_DEPTH];
	int nvisited;
};

void
aws_creds_free(struct aws_creds *c)
{
	if (c->secret_access_key)
		memset(c->secret_access_key, 0, strlen(c->secret_access_key));
	if (c->session_token)
		memset(c->session_token, 0, strlen(c->session_token));
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

static int
set_keys(struct aws_creds *c, const char *id, const char *secret,
    const char *token, struct eb *e)
{
	c->access_key_id = strdup(id);
	c->secret_access_key = strdup(secret);
	c->session_token = token ? strdup(token) : NULL;
	c->expires_us = 0;
	if (c->access_key_id == NULL || c->secret_access_key == NULL ||
	    (token != NULL && c->session_token == NULL)) {
		aws_creds_free(c);
		return eb_set(e, "out of memory");
	}
	return 0;
}

static int
from_env(struct aws_creds *c, struct eb *e)
{
	const char *id = aws_env("AWS_ACCESS_KEY_ID");
	const char *secret = aws_env("AWS_SECRET_ACCESS_KEY");

	if (id == NULL && secret == NULL)
		return 0;
	if (id == NULL || secret == NULL)
		return eb_set(e, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
		    "must be set together (only %s is)",
		    id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY");
	if (set_keys(c, id, secret, aws_env("AWS_SESSION_TOKEN"), e) != 0)
		return -1;
	snprintf(c->source, sizeof(c->source), "environment");
	return 1;
}

/* Keys of one section of one file: 1 found, 0 not there, -1 error. */
static int
from_ini(const struct aws_ini *ini, const char *section, struct aws_creds *c,
    struct eb *e)
{
	const char *id = aws_ini_find(ini, section, "aws_access_key_id");
	const char *secret = aws_ini_find(ini, section, "aws_secret_access_key");

	if (id == NULL && secret == NULL)
		return 0;
	if (id == NULL || secret == NULL)
		return eb_set(e, "%s: [%s] has %s but not %s", ini->path, section,
		    id ? "aws_access_key_id" : "aws_secret_access_key",
		    id ? "aws_secret_access_key" : "aws_access_key_id");
	if (check_private(ini->path, e) != 0 || set_keys(c, id, secret,
	    aws_ini_find(ini, section, "aws_session_token"), e) != 0)
		return -1;
	snprintf(c->source, sizeof(c->source), "[%s] in %s", section, ini->path);
	return 1;
}

static int
from_credentials_file(const struct chain *ch, const char *profile,
    struct aws_creds *c, struct eb *e)
{
	return from_ini(&ch->c->cred, profile, c, e);
}

static int
from_config_file(const struct chain *ch, const char *profile,
    struct aws_creds *c, struct eb *e)
{
	char section[300];

	if (strcmp(profile, "default") == 0)
		snprintf(section, sizeof(section), "default");
	else
		snprintf(section, sizeof(section), "profile %s", profile);
	return from_ini(&ch->c->config, section, c, e);
}

static int
has_keys(const struct chain *ch, const char *profile)
{
	return aws_conf_get(ch->c, profile, "aws_access_key_id") != NULL ||
	    aws_conf_get(ch->c, profile, "aws_secret_access_key") != NULL;
}

/* A profile that assumes a role with source credentials (a role with a
 * web_identity_token_file is the web identity source's). */
static int
assumes_role(const struct chain *ch, const char *profile)
{
	return aws_conf_get(ch->c, profile, "role_arn") != NULL &&
	    aws_conf_get(ch->c, profile, "web_identity_token_file") == NULL;
}

static void
session_name(char *buf, size_t cap)
{
	/* what botocore calls botocore-session-<time>, named for us */
	snprintf(buf, cap, "kinpipe-%lld", (long long)time(NULL));
}

/* duration_seconds as botocore takes it: an integer, else ignored. */
static long
duration(const char *v)
{
	char *end;
	long n;

	if (v == NULL)
		return 0;
	n = strtol(v, &end, 10);
	return end != v && *aws_trim(end) == '\0' && n > 0 ? n : 0;
}

static int
web_identity(struct chain *ch, const char *profile, int env_ok,
    struct aws_creds *c, struct eb *e)
{
	const char *file = env_ok ? aws_env("AWS_WEB_IDENTITY_TOKEN_FILE") : NULL;
	const char *arn = env_ok ? aws_env("AWS_ROLE_ARN") : NULL;
	const char *name = env_ok ? aws_env("AWS_ROLE_SESSION_NAME") : NULL;
	const char *where = file ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "web_identity_token_file";
	struct aws_sts_req r = { 0 };
	struct sb token = SB_INIT;
	char dflt[64];
	size_t n;
	int rc = -1;

	if (file == NULL)
		file = aws_conf_get(ch->c, profile, "web_identity_token_file");
	if (file == NULL)
		return 0;
	if (arn == NULL)
		arn = aws_conf_get(ch->c, profile, "role_arn");
	if (name == NULL)
		name = aws_conf_get(ch->c, profile, "role_session_name");
	if (arn == NULL)
		return eb_set(e, "%s is set but no role to assume: set AWS_ROLE_ARN "
		    "or role_arn in profile '%s'", where, profile);
	if (name == NULL) {
		session_name(dflt, sizeof(dflt));
		name = dflt;
	}
	/* read at every fetch: the token is rotated under us (EKS) */
	if (aws_read_small_file(file, &token, e) != 0) {
		eb_wrap(e, "web identity token (%s)", where);
		goto out;
	}
	/* a JWT has no blanks: a trailing newline is the editor's */
	n = token.len;
	while (n > 0 && (token.buf[n - 1] == '\n' || token.buf[n - 1] == '\r' ||
	    token.buf[n - 1] == ' '))
		token.buf[--n] = '\0';
	r.action = "AssumeRoleWithWebIdentity";
	r.role_arn = arn;
	r.session_name = name;
	r.web_identity_token = token.buf;
	if (aws_sts_call(ch->c, &r, NULL, c, e) != 0) {
		eb_wrap(e, "web identity (%s)", where);
		goto out;
	}
	snprintf(c->source, sizeof(c->source), "web identity, role %s", arn);
	rc = 1;
out:
	sb_free_secret(&token);
	return rc;
}

/* The profile's own chain (botocore's ProfileProviderBuilder): what a
 * source_profile without a role of its own yields, too. */
static int
profile_chain(struct chain *ch, const char *profile, int env_ok,
    struct aws_creds *c, struct eb *e)
{
	const char *cmd;
	int r;

	if ((r = web_identity(ch, profile, env_ok, c, e)) != 0)
		return r;
	if ((r = aws_creds_sso(ch->c, profile, c, e)) != 0)
		return r;
	if ((r = from_credentials_file(ch, profile, c, e)) != 0)
		return r;
	if ((cmd = aws_conf_get(ch->c, profile, "credential_process")) != NULL) {
		if (aws_creds_process(cmd, c, e) != 0)
			return eb_wrap(e, "profile '%s': credential_process", profile);
		snprintf(c->source, sizeof(c->source), "credential_process of "
		    "profile '%s'", profile);
		return 1;
	}
	return from_config_file(ch, profile, c, e);
}

static int
from_credential_source(const char *profile, const char *src,
    struct aws_creds *c, struct eb *e)
{
	int r;

	if (strcasecmp(src, "Environment") == 0)
		r = from_env(c, e);
	else if (strcasecmp(src, "Ec2InstanceMetadata") == 0)
		r = aws_creds_imds(c, e);
	else if (strcasecmp(src, "EcsContainer") == 0)
		r = aws_creds_ecs(c, e);
	else
		return eb_set(e, "profile '%s': credential_source '%s' is not one of "
		    "Environment, Ec2InstanceMetadata, EcsContainer", profile, src);
	if (r < 0)
		return eb_wrap(e, "profile '%s': credential_source %s", profile, src);
	if (r == 0)
		return eb_set(e, "profile '%s': credential_source %s has no "
		    "credentials", profile, src);
	return 1;
}

static int assume_role(struct chain *ch, const char *profile,
    struct aws_creds *c, struct eb *e);

static int
from_source_profile(struct chain *ch, const char *profile, const char *src,
    struct aws_creds *c, struct eb *e)
{
	char path[400] = "";
	int i, r;

	if (!aws_conf_has_profile(ch->c, src))
		return eb_set(e, "profile '%s': source_profile '%s' does not exist",
		    profile, src);
	for (i = 0; i < ch->nvisited; i++)
		if (strcmp(ch->visited[i], src) == 0)
			break;
	/* a profile may name itself, to take its own keys */
	if ((i < ch->nvisited && (strcmp(src, profile) != 0 ||
	    !has_keys(ch, src))) || ch->nvisited == CHAIN_DEPTH) {
		for (i = 0; i < ch->nvisited; i++)
			snprintf(path + strlen(path), sizeof(path) - strlen(path),
			    "%s -> ", ch->visited[i]);
		return eb_set(e, "profile '%s': source_profile loop: %s%s", profile,
		    path, src);
	}
	ch->visited[ch->nvisited++] = src;
	if (strcmp(src, profile) == 0) {
		if ((r = from_credentials_file(ch, src, c, e)) == 0)
			r = from_config_file(ch, src, c, e);
	} else if (has_keys(ch, src) || !assumes_role(ch, src)) {
		r = profile_chain(ch, src, 0, c, e);
		if (r == 0)
			r = eb_set(e, "profile '%s': source_profile '%s' has no "
			    "credentials", profile, src);
	} else {
		r = assume_role(ch, src, c, e);
	}
	return r;
}

static int
assume_role(struct chain *ch, const char *profile, struct aws_creds *c,
    struct eb *e)
{
	const char *arn = aws_conf_get(ch->c, profile, "role_arn");
	const char *sp = aws_conf_get(ch->c, profile, "source_profile");
	const char *cs = aws_conf_get(ch->c, profile, "credential_source");
	struct aws_sts_req r = { 0 };
	struct aws_creds src = { 0 };
	char dflt[64];
	int rc;

	if (aws_conf_get(ch->c, profile, "mfa_serial") != NULL)
		return eb_set(e, "profile '%s' has mfa_serial: kinpipe cannot ask "
		    "for an MFA code (a pipeline has no one to type it); use a "
		    "profile whose role needs no MFA", profile);
	if (sp != NULL && cs != NULL)
		return eb_set(e, "profile '%s' has both source_profile and "
		    "credential_source", profile);
	if (sp == NULL && cs == NULL)
		return eb_set(e, "profile '%s' has role_arn but neither "
		    "source_profile nor credential_source", profile);
	rc = cs != NULL ? from_credential_source(profile, cs, &src, e) :
	    from_source_profile(ch, profile, sp, &src, e);
	if (rc <= 0)
		return -1;
	r.action = "AssumeRole";
	r.role_arn = arn;
	r.external_id = aws_conf_get(ch->c, profile, "external_id");
	r.duration_s = duration(aws_conf_get(ch->c, profile, "duration_seconds"));
	if ((r.session_name = aws_conf_get(ch->c, profile, "role_session_name")) == NULL) {
		session_name(dflt, sizeof(dflt));
		r.session_name = dflt;
	}
	rc = aws_sts_call(ch->c, &r, &src, c, e);
	aws_creds_free(&src);
	if (rc != 0)
		return eb_wrap(e, "profile '%s'", profile);
	snprintf(c->source, sizeof(c->source), "role %s (profile '%s')", arn,
	    profile);
	return 1;
}

int
aws_creds_load_conf(const struct aws_conf *conf, struct aws_creds *c,
    struct eb *e)
{
	struct chain ch = { conf, { NULL }, 0 };
	const char *profile = conf->profile;
	int r = 0;
	struct eb why = { "" };

	memset(c, 0, sizeof(*c));
	/* an explicit --profile outranks the environment, as in botocore */
	if (!conf->explicit_profile && (r = from_env(c, e)) != 0)
		return r < 0 ? -1 : 0;
	ch.visited[ch.nvisited++] = profile;
	if (assumes_role(&ch, profile))
		r = assume_role(&ch, profile, c, e);
	else
		r = profile_chain(&ch, profile, !conf->explicit_profile, c, e);
	if (r == 0 && (conf->explicit_profile || getenv("AWS_PROFILE") != NULL) &&
	    !aws_conf_has_profile(conf, profile)) {
		eb_set(e, "profile '%s' not found in %s or %s", profile,
		    conf->cred.path, conf->config.path);
		r = -1;
	}
	if (r == 0 && (r = aws_creds_ecs(c, &why)) == 0)
		r = aws_creds_imds(c, &why);
	if (r == 0 || (r < 0 && why.msg[0] != '\0'))
		r = eb_set(e, "no AWS credentials: tried %s"
		    "profile '%s' in %s and %s, container endpoint, instance "
		    "metadata%s%s", conf->explicit_profile ? "" :
		    "environment (AWS_ACCESS_KEY_ID), ", profile, conf->cred.path,
		    conf->config.path, why.msg[0] ? ": " : "", why.msg);
	return r < 0 ? -1 : 0;
}

int
aws_creds_load(const struct aws_opts *o, struct aws_creds *c, struct eb *e)
{
	struct aws_conf conf;
	int rc;

	memset(c, 0, sizeof(*c));
	if (aws_conf_load(&conf, o, e) != 0)
		return -1;
	rc = aws_creds_load_conf(&conf, c, e);
	aws_conf_free(&conf);
	return rc;
}
