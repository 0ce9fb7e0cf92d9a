/* Small helpers the credential sources share. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws.h"
#include "time/tm.h"

char *
aws_trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

char *
aws_one_line(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < ' ')
			*p = ' ';
	return s;
}

int
aws_read_small_file(const char *path, struct sb *out, struct eb *e)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t n;

	sb_reset(out);
	if (f == NULL)
		return eb_set(e, "%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (out->len + n > AWS_XFER_MAX) {
			fclose(f);
			return eb_set(e, "%s: larger than %d bytes", path, AWS_XFER_MAX);
		}
		sb_add(out, buf, n);
	}
	memset(buf, 0, sizeof(buf));
	if (ferror(f)) {
		fclose(f);
		return eb_set(e, "%s: read error", path);
	}
	fclose(f);
	if (sb_failed(out) || sb_cstr(out) == NULL)
		return eb_set(e, "out of memory");
	return 0;
}

/* RFC 3339, and the "2024-01-01T00:00:00UTC" form that older AWS CLI
 * versions wrote into the SSO token cache. */
int
aws_parse_time(const char *s, int64_t *us, struct eb *e)
{
	char buf[64];
	size_t n = strlen(s);

	if (n > 3 && n < sizeof(buf) && strcmp(s + n - 3, "UTC") == 0) {
		memcpy(buf, s, n - 3);
		buf[n - 3] = 'Z';
		buf[n - 2] = '\0';
		return tm_parse_rfc3339(buf, n - 2, us, e);
	}
	return tm_parse_rfc3339(s, n, us, e);
}

const char *
aws_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

void
aws_put_uri_escaped(struct sb *s, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)v; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~') {
			sb_addc(s, (char)*p);
		} else {
			sb_addc(s, '%');
			sb_addc(s, hex[*p >> 4]);
			sb_addc(s, hex[*p & 15]);
		}
	}
}

int
aws_is_auth_error(long status, const char *type)
{
	static const char *const common[] = { "UnrecognizedClientException",
	    "InvalidSignatureException", "MissingAuthenticationTokenException",
	    "AccessDeniedException", "ExpiredTokenException",
	    "IncompleteSignatureException", "InvalidClientTokenId",
	    "SignatureDoesNotMatch", NULL };

	for (int i = 0; common[i]; i++)
		if (strcmp(type, common[i]) == 0)
			return 1;
	return status == 401 || status == 403;
}
