/* STS AssumeRole (signed with the source credentials) and
 * AssumeRoleWithWebIdentity (unsigned), over STS's query protocol: a form
 * POST answered in XML. The XML is read with libxml2, a real parser,
 * rather than picked apart by hand: namespaces, entities and whatever
 * else STS may put around the four values are then the parser's problem,
 * and a malformed answer is an error instead of a guess. It parses
 * without network access or entity substitution. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws.h"

#define STS_ATTEMPTS 3
#define STS_TIMEOUT_MS 30000

static void
form_field(struct sb *s, const char *name, const char *v)
{
	if (v == NULL)
		return;
	sb_addc(s, '&');
	sb_adds(s, name);
	sb_addc(s, '=');
	aws_put_uri_escaped(s, v);
}

static const xmlNode *
child(const xmlNode *n, const char *name)
{
	const xmlNode *c;

	for (c = n ? n->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

/* The text of element n, malloc'd (NULL: absent, or out of memory). */
static char *
text_of(const xmlNode *n)
{
	xmlChar *x;
	char *s;

	if (n == NULL || (x = xmlNodeGetContent(n)) == NULL)
		return NULL;
	s = strdup((const char *)x);
	memset(x, 0, strlen((const char *)x));
	xmlFree(x);
	return s;
}

static xmlDoc *
parse(const char *xml, size_t len)
{
	return xmlReadMemory(xml, (int)len, "sts.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

int
aws_sts_parse(const char *xml, size_t len, const char *action,
    struct aws_creds *c, struct eb *e)
{
	char name[64];
	const xmlNode *cred, *exp;
	xmlDoc *doc;
	char *when = NULL;
	int64_t us = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (len > AWS_XFER_MAX || (doc = parse(xml, len)) == NULL)
		return eb_set(e, "%s: answer is not XML", action);
	snprintf(name, sizeof(name), "%sResponse", action);
	cred = xmlDocGetRootElement(doc);
	if (cred == NULL || strcmp((const char *)cred->name, name) != 0) {
		xmlFreeDoc(doc);
		return eb_set(e, "%s: answer is not an %s", action, name);
	}
	snprintf(name, sizeof(name), "%sResult", action);
	cred = child(child(cred, name), "Credentials");
	exp = child(cred, "Expiration");
	c->access_key_id = text_of(child(cred, "AccessKeyId"));
	c->secret_access_key = text_of(child(cred, "SecretAccessKey"));
	c->session_token = text_of(child(cred, "SessionToken"));
	when = text_of(exp);
	if (c->access_key_id == NULL || c->secret_access_key == NULL ||
	    c->session_token == NULL || when == NULL)
		rc = eb_set(e, "%s: answer without AccessKeyId, SecretAccessKey, "
		    "SessionToken and Expiration", action);
	else if (aws_parse_time(when, &us, e) != 0)
		rc = eb_set(e, "%s: Expiration is not an RFC 3339 time", action);
	free(when);
	xmlFreeDoc(doc);
	if (rc != 0) {
		aws_creds_free(c);
		return rc;
	}
	c->expires_us = us;
	return 0;
}

/* "Code: Message" of an ErrorResponse, or the start of whatever came. */
static void
sts_error(const char *xml, size_t len, char *code, size_t ccap, char *msg,
    size_t mcap)
{
	xmlDoc *doc = len <= AWS_XFER_MAX ? parse(xml, len) : NULL;
	const xmlNode *err = child(xmlDocGetRootElement(doc), "Error");
	char *c = text_of(child(err, "Code")), *m = text_of(child(err, "Message"));

	snprintf(code, ccap, "%s", c ? c : "");
	if (m != NULL)
		snprintf(msg, mcap, "%s", m);
	else if (c == NULL)
		snprintf(msg, mcap, "%.*s", len > 200 ? 200 : (int)len, xml);
	else
		snprintf(msg, mcap, "%s", "");
	free(c);
	free(m);
	if (doc != NULL)
		xmlFreeDoc(doc);
	aws_one_line(code);
	aws_one_line(msg);
}

/* Throttling, server errors and broken connections are worth a second
 * try, as botocore's retry handler thinks. */
static int
retryable(long status, const char *code)
{
	return status < 0 || status >= 500 || strcmp(code, "Throttling") == 0 ||
	    strcmp(code, "IDPCommunicationError") == 0;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int
aws_sts_call(const struct aws_conf *conf, const struct aws_sts_req *r,
    const struct aws_creds *signer, struct aws_creds *out, struct eb *e)
{
	const char *region = aws_conf_region(conf);
	struct aws_ep ep = { NULL, "" };
	struct aws_xfer x = { 0 };
	struct sb body = SB_INIT, resp = SB_INIT;
	struct curl_slist *h = NULL;
	char sigv4[128], code[128], msg[300], dur[32];
	long status = -1;
	int attempt, rc = -1;

	memset(out, 0, sizeof(*out));
	/* with no region at all, botocore calls the global endpoint */
	if (region == NULL)
		region = "aws-global";
	if (aws_endpoint_resolve(conf, NULL, "sts", region, &ep, e) != 0)
		return eb_wrap(e, "STS endpoint");
	if (strcmp(ep.region, "aws-global") == 0)
		snprintf(ep.region, sizeof(ep.region), "us-east-1");
	snprintf(dur, sizeof(dur), "%ld", r->duration_s);
	sb_printf(&body, "Action=%s&Version=2011-06-15", r->action);
	form_field(&body, "RoleArn", r->role_arn);
	form_field(&body, "RoleSessionName", r->session_name);
	form_field(&body, "ExternalId", r->external_id);
	form_field(&body, "DurationSeconds", r->duration_s > 0 ? dur : NULL);
	form_field(&body, "WebIdentityToken", r->web_identity_token);
	if (sb_failed(&body) || sb_cstr(&body) == NULL ||
	    aws_header(&h, "Content-Type",
	    "application/x-www-form-urlencoded; charset=utf-8") != 0 ||
	    (signer != NULL && signer->session_token != NULL &&
	    aws_header(&h, "X-Amz-Security-Token", signer->session_token) != 0)) {
		eb_set(e, "out of memory");
		goto out;
	}
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:sts", ep.region);
	x.url = ep.url;
	x.method = "POST";
	x.headers = h;
	x.body = body.buf;
	x.len = body.len;
	x.timeout_ms = STS_TIMEOUT_MS;
	x.signer = signer;
	x.sigv4 = sigv4;
	x.stop = conf->stop;
	x.ca_bundle = conf->ca_bundle;
	for (attempt = 1; attempt <= STS_ATTEMPTS; attempt++) {
		code[0] = '\0';
		if ((status = aws_xfer(&x, &resp, e)) >= 0 && status != 200)
			sts_error(resp.buf, resp.len, code, sizeof(code), msg,
			    sizeof(msg));
		if (status == 200 || !retryable(status, code) ||
		    (conf->stop != NULL && *conf->stop))
			break;
		if (attempt < STS_ATTEMPTS)
			pause_ms(250L << attempt);
	}
	if (status < 0)
		eb_wrap(e, "%s %s", r->action, ep.url);
	else if (status != 200)
		eb_set(e, "%s %s: %s%s%s (HTTP %ld)", r->action, ep.url,
		    code[0] ? code : "error", msg[0] ? ": " : "", msg, status);
	else if (aws_sts_parse(resp.buf, resp.len, r->action, out, e) != 0)
		eb_wrap(e, "%s", ep.url);
	else
		rc = 0;
out:
	curl_slist_free_all(h);
	sb_free_secret(&body);	/* the web identity token */
	sb_free_secret(&resp);
	aws_ep_free(&ep);
	return rc;
}
