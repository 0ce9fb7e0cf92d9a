#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/metrics.h"

void
metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
}

void
metrics_free(struct metrics *m)
{
	for (size_t i = 0; i < m->nfam; i++) {
		free(m->fam[i].name);
		free(m->fam[i].help);
	}
	for (size_t i = 0; i < m->n; i++) {
		free(m->s[i].series);
		free(m->s[i].line);
	}
	free(m->fam);
	free(m->s);
	memset(m, 0, sizeof(*m));
}

static void
fail(struct metrics *m, const char *what, const char *name)
{
	if (m->failed)
		return;
	m->failed = 1;
	eb_set(&m->why, "%s%s%.200s%s", what, name ? " '" : "",
	    name ? name : "", name ? "'" : "");
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* for metrics; labels have no ':' and names
 * beginning with "__" are Prometheus's own. */
static int
name_ok(const char *s, int label)
{
	const char *extra = label ? "_" : "_:";

	if (*s == '\0' || (label && strncmp(s, "__", 2) == 0))
		return 0;
	for (const char *p = s; *p; p++) {
		int alpha = (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z');
		int digit = *p >= '0' && *p <= '9';

		if (!alpha && !strchr(extra, *p) && (!digit || p == s))
			return 0;
	}
	return 1;
}

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

static struct metrics_family *
find(struct metrics *m, const char *name, size_t *ix)
{
	for (size_t i = 0; i < m->nfam; i++)
		if (strcmp(m->fam[i].name, name) == 0) {
			*ix = i;
			return &m->fam[i];
		}
	return NULL;
}

void
metrics_family(struct metrics *m, const char *name, enum metrics_type type,
    const char *help)
{
	struct metrics_family *f, *grown;
	size_t ix;

	if (m->failed)
		return;
	if (!name_ok(name, 0)) {
		fail(m, "bad metric name", name);
		return;
	}
	if (type == METRICS_COUNTER && !ends_with(name, "_total")) {
		fail(m, "a counter's name must end in _total:", name);
		return;
	}
	if ((f = find(m, name, &ix)) != NULL) {
		if (f->type != type || strcmp(f->help, help) != 0)
			fail(m, "declared twice, differently:", name);
		return;
	}
	if (m->nfam == m->capfam) {
		size_t cap = m->capfam ? m->capfam * 2 : 16;

		if ((grown = realloc(m->fam, cap * sizeof(*grown))) == NULL) {
			fail(m, "out of memory", NULL);
			return;
		}
		m->fam = grown;
		m->capfam = cap;
	}
	f = &m->fam[m->nfam];
	f->name = strdup(name);
	f->help = strdup(help);
	f->type = type;
	if (f->name == NULL || f->help == NULL) {
		free(f->name);
		free(f->help);
		fail(m, "out of memory", NULL);
		return;
	}
	m->nfam++;
}

/* The exposition format escapes a label value's backslash, double quote
 * and newline; HELP text only its backslash and newline. */
static void
put_escaped(struct sb *out, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			sb_adds(out, "\\\\");
		else if (*s == '\n')
			sb_adds(out, "\\n");
		else if (*s == '"' && quote)
			sb_adds(out, "\\\"");
		else
			sb_addc(out, *s);
	}
}

void
metrics_format_value(double v, char buf[32])
{
	if (isnan(v)) {
		strcpy(buf, "NaN");
		return;
	}
	if (isinf(v)) {
		strcpy(buf, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	/* the fewest digits that read back exactly, but no exponent for the
	 * likes of 10 or 120 (at least %.6g, as Go's client writes them):
	 * a histogram's le is matched as text */
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, 32, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* {a="x",b="y"} with le appended when given; "" for no labels. */
static int
put_labels(struct metrics *m, struct sb *out, const struct metrics_label *l,
    size_t nl, const char *le)
{
	if (nl == 0 && le == NULL)
		return 0;
	sb_addc(out, '{');
	for (size_t i = 0; i < nl; i++) {
		if (!name_ok(l[i].name, 1) || strcmp(l[i].name, "le") == 0) {
			fail(m, "bad label name", l[i].name);
			return -1;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(l[k].name, l[i].name) == 0) {
				fail(m, "label given twice:", l[i].name);
				return -1;
			}
		sb_adds(out, i ? ",": "");
		sb_adds(out, l[i].name);
		sb_adds(out, "=\"");
		put_escaped(out, l[i].value, 1);
		sb_addc(out, '"');
	}
	if (le != NULL) {
		sb_adds(out, nl ? ",le=\"" : "le=\"");
		sb_adds(out, le);
		sb_addc(out, '"');
	}
	sb_addc(out, '}');
	return 0;
}

/* One line: NAME{labels[,le]} VALUE. */
static void
add_line(struct metrics *m, size_t fam, const char *suffix,
    const struct metrics_label *l, size_t nl, const char *le,
    const char *value)
{
	struct sb series = SB_INIT, line = SB_INIT;
	struct metrics_sample *grown;

	if (m->failed)
		return;
	if (put_labels(m, &series, l, nl, NULL) != 0)
		goto out;
	sb_adds(&line, m->fam[fam].name);
	sb_adds(&line, suffix);
	if (put_labels(m, &line, l, nl, le) != 0)
		goto out;
	sb_addc(&line, ' ');
	sb_adds(&line, value);
	if (sb_cstr(&series) == NULL || sb_cstr(&line) == NULL) {
		fail(m, "out of memory", NULL);
		goto out;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;

		if ((grown = realloc(m->s, cap * sizeof(*grown))) == NULL) {
			fail(m, "out of memory", NULL);
			goto out;
		}
		m->s = grown;
		m->cap = cap;
	}
	m->s[m->n] = (struct metrics_sample){ fam, series.buf, line.buf, m->n };
	m->n++;
	return;
out:
	sb_free(&series);
	sb_free(&line);
}

/* The family of a sample, which must have been declared with type t. */
static int
family_of(struct metrics *m, const char *name, int histogram, size_t *ix)
{
	struct metrics_family *f;

	if (m->failed)
		return -1;
	if ((f = find(m, name, ix)) == NULL) {
		fail(m, "sample of an undeclared family", name);
		return -1;
	}
	if ((f->type == METRICS_HISTOGRAM) != histogram) {
		fail(m, "sample of the wrong type for", name);
		return -1;
	}
	return 0;
}

void
metrics_add(struct metrics *m, const char *name, const struct metrics_label *l,
    size_t nl, double v)
{
	char buf[32];
	size_t ix;

	if (family_of(m, name, 0, &ix) != 0)
		return;
	metrics_format_value(v, buf);
	add_line(m, ix, "", l, nl, NULL, buf);
}

void
metrics_add_u64(struct metrics *m, const char *name,
    const struct metrics_label *l, size_t nl, uint64_t v)
{
	char buf[32];
	size_t ix;

	if (family_of(m, name, 0, &ix) != 0)
		return;
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	add_line(m, ix, "", l, nl, NULL, buf);
}

void
metrics_add_histogram(struct metrics *m, const char *name,
    const struct metrics_label *l, size_t nl, const double *bound,
    const uint64_t *count, size_t nb, double sum)
{
	char le[32], buf[32];
	uint64_t cum = 0;
	size_t ix;

	if (family_of(m, name, 1, &ix) != 0)
		return;
	for (size_t i = 0; i <= nb; i++) {
		if (i < nb && i > 0 && !(bound[i] > bound[i - 1])) {
			fail(m, "histogram bounds not ascending:", name);
			return;
		}
		cum += count[i];
		if (i < nb)
			metrics_format_value(bound[i], le);
		else
			strcpy(le, "+Inf");
		snprintf(buf, sizeof(buf), "%" PRIu64, cum);
		add_line(m, ix, "_bucket", l, nl, le, buf);
	}
	metrics_format_value(sum, buf);
	add_line(m, ix, "_sum", l, nl, NULL, buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, cum);
	add_line(m, ix, "_count", l, nl, NULL, buf);
}

static int
by_family(const void *a, const void *b, void *arg)
{
	const struct metrics *m = arg;
	const struct metrics_sample *x = a, *y = b;
	int c = strcmp(m->fam[x->family].name, m->fam[y->family].name);

	if (c == 0)
		c = strcmp(x->series, y->series);
	if (c == 0)
		c = x->seq < y->seq ? -1 : x->seq > y->seq;
	return c;
}

int
metrics_render(struct metrics *m, struct sb *out, struct eb *e)
{
	static const char *const type_name[] = {
		[METRICS_COUNTER] = "counter",
		[METRICS_GAUGE] = "gauge",
		[METRICS_HISTOGRAM] = "histogram",
	};
	size_t i = 0, f;

	if (m->failed) {
		*e = m->why;
		return -1;
	}
	if (m->n > 1)	/* m->s is NULL while there is no sample */
		qsort_r(m->s, m->n, sizeof(*m->s), by_family, m);
	while (i < m->n) {
		f = m->s[i].family;
		sb_adds(out, "# HELP ");
		sb_adds(out, m->fam[f].name);
		sb_addc(out, ' ');
		put_escaped(out, m->fam[f].help, 0);
		sb_adds(out, "\n# TYPE ");
		sb_adds(out, m->fam[f].name);
		sb_addc(out, ' ');
		sb_adds(out, type_name[m->fam[f].type]);
		sb_addc(out, '\n');
		for (; i < m->n && m->s[i].family == f; i++) {
			sb_adds(out, m->s[i].line);
			sb_addc(out, '\n');
		}
	}
	if (sb_failed(out))
		return eb_set(e, "out of memory");
	return 0;
}
