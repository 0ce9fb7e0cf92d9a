#include "window/wa_fmt.h"

size_t
wa_fmt_time(int64_t us, char buf[TM_RFC3339_MAX])
{
	int64_t secs = tm_floordiv(us, TM_US_PER_S), days = tm_floordiv(secs, 86400);
	int64_t y, sod = secs - days * 86400;
	int mo, d, v[6];
	char *p = buf;

	if (us % TM_US_PER_S != 0)
		return tm_fmt_rfc3339(us, buf);
	tm_civil_from_days(days, &y, &mo, &d);
	if (y < 1 || y > 9999)
		return tm_fmt_rfc3339(us, buf);
	v[0] = (int)y;
	v[1] = mo;
	v[2] = d;
	v[3] = (int)(sod / 3600);
	v[4] = (int)(sod / 60 % 60);
	v[5] = (int)(sod % 60);
	*p++ = (char)('0' + v[0] / 1000);
	*p++ = (char)('0' + v[0] / 100 % 10);
	*p++ = (char)('0' + v[0] / 10 % 10);
	*p++ = (char)('0' + v[0] % 10);
	for (int i = 1; i < 6; i++) {
		*p++ = "--T::"[i - 1];
		*p++ = (char)('0' + v[i] / 10);
		*p++ = (char)('0' + v[i] % 10);
	}
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}

void
wa_fmt_put_time(struct wa_fmt_cache *c, struct sb *s, int64_t us)
{
	unsigned i;

	if (!c->ready) {
		for (i = 0; i < WA_FMT_CACHED; i++)
			c->us[i] = INT64_MIN;
		c->ready = 1;
	}
	for (i = 0; i < WA_FMT_CACHED; i++)
		if (c->us[i] == us) {
			sb_add(s, c->text[i], c->n[i]);
			return;
		}
	i = c->next++ % WA_FMT_CACHED;
	c->text[i][0] = '"';
	c->n[i] = wa_fmt_time(us, c->text[i] + 1) + 2;
	c->text[i][c->n[i] - 1] = '"';
	c->us[i] = us;
	sb_add(s, c->text[i], c->n[i]);
}
