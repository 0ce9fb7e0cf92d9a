#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "time/tm.h"
#include "server/ws_chart.h"

#define PLOT_H (WS_CHART_H - WS_CHART_TOP - WS_CHART_BOTTOM)
#define MAX_TICKS 6

void
ws_put_html(struct sb *s, const char *p)
{
	for (; p && *p; p++) {
		switch (*p) {
		case '<': sb_adds(s, "&lt;"); break;
		case '>': sb_adds(s, "&gt;"); break;
		case '&': sb_adds(s, "&amp;"); break;
		case '"': sb_adds(s, "&quot;"); break;
		case '\'': sb_adds(s, "&#39;"); break;
		default: sb_addc(s, *p);
		}
	}
}

static double
x_of(const struct ws_frame *f, int64_t t)
{
	if (t < f->t0)
		t = f->t0;
	if (t > f->t1)
		t = f->t1;
	return WS_CHART_LEFT + (double)(t - f->t0) * WS_CHART_PLOT_W /
	    (double)(f->t1 - f->t0);
}

static long
column(const struct ws_frame *f, int64_t t)
{
	return lround(x_of(f, t));
}

void
ws_series_add(struct ws_series *s, const struct ws_frame *f, int64_t t,
    double v)
{
	void *nt, *nv;
	int cap;

	if (s->failed)
		return;
	if (s->n > 0 && column(f, s->t[s->n - 1]) == column(f, t)) {
		s->v[s->n - 1] = v;
		return;
	}
	if (s->n == s->cap) {
		cap = s->cap ? 2 * s->cap : 64;
		nt = realloc(s->t, (size_t)cap * sizeof(*s->t));
		if (nt == NULL) {
			s->failed = 1;
			return;
		}
		s->t = nt;
		nv = realloc(s->v, (size_t)cap * sizeof(*s->v));
		if (nv == NULL) {
			s->failed = 1;
			return;
		}
		s->v = nv;
		s->cap = cap;
	}
	s->t[s->n] = t;
	s->v[s->n] = v;
	s->n++;
}

void
ws_series_free(struct ws_series *s)
{
	free(s->t);
	free(s->v);
	s->t = NULL;
	s->v = NULL;
	s->n = s->cap = 0;
}

/* A round step for about MAX_TICKS - 1 intervals over span: 1, 2, 2.5
 * or 5 times a power of ten. */
static double
nice_step(double span)
{
	static const double mult[] = { 1, 2, 2.5, 5, 10 };
	double raw = span / (MAX_TICKS - 1), mag = pow(10, floor(log10(raw)));
	size_t i;

	for (i = 0; i < sizeof(mult) / sizeof(mult[0]); i++)
		if (mult[i] * mag >= raw)
			return mult[i] * mag;
	return 10 * mag;
}

struct yaxis {
	double lo, hi, step;
};

static void
y_range(const struct ws_series *s, int ns, struct yaxis *y)
{
	double lo = INFINITY, hi = -INFINITY, pad;
	int i, j;

	for (i = 0; i < ns; i++)
		for (j = 0; !s[i].failed && j < s[i].n; j++) {
			lo = fmin(lo, s[i].v[j]);
			hi = fmax(hi, s[i].v[j]);
		}
	if (!(lo <= hi)) {
		lo = 0;
		hi = 1;
	}
	if (hi - lo < 0.01) {
		/* a flat line: show it in the middle of a small range */
		pad = fmax(fabs(hi) * 0.01, 1);
		lo -= pad;
		hi += pad;
	}
	y->step = nice_step(hi - lo);
	y->lo = floor(lo / y->step) * y->step;
	y->hi = ceil(hi / y->step) * y->step;
}

static double
y_of(const struct yaxis *y, double v)
{
	return WS_CHART_TOP + PLOT_H - (v - y->lo) * PLOT_H / (y->hi - y->lo);
}

static void
y_axis(struct sb *h, const struct yaxis *y)
{
	double v, py;
	int i;

	for (i = 0; (v = y->lo + i * y->step) <= y->hi + y->step / 2; i++) {
		py = y_of(y, v);
		sb_printf(h, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\""
		    " y2=\"%.1f\"/>", WS_CHART_LEFT, WS_CHART_LEFT +
		    WS_CHART_PLOT_W, py, py);
		sb_printf(h, "<text class=\"ytick\" x=\"%d\" y=\"%.1f\""
		    " data-value=\"%.2f\">%.2f</text>", WS_CHART_LEFT - 6,
		    py + 4, v, v);
	}
}

/* Steps for the time axis, in seconds. */
static const int64_t time_steps[] = {
	1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
	10800, 21600, 43200, 86400, 172800, 604800, 2592000
};

static void
time_label(char *buf, size_t cap, int64_t t_s, int with_date)
{
	int64_t y, d = tm_floordiv(t_s, 86400), s = tm_floormod(t_s, 86400);
	int m, day;

	tm_civil_from_days(d, &y, &m, &day);
	if (with_date)
		snprintf(buf, cap, "%02d-%02d %02d:%02d", m, day,
		    (int)(s / 3600), (int)(s / 60 % 60));
	else
		snprintf(buf, cap, "%02d:%02d:%02d", (int)(s / 3600),
		    (int)(s / 60 % 60), (int)(s % 60));
}

static void
x_axis(struct sb *h, const struct ws_frame *f)
{
	int64_t span_s = (f->t1 - f->t0) / TM_US_PER_S, step = 0, t;
	int with_date = span_s >= 86400;
	size_t i;
	char label[32];
	double px;

	for (i = 0; i < sizeof(time_steps) / sizeof(time_steps[0]); i++) {
		step = time_steps[i];
		if (span_s / step < MAX_TICKS)
			break;
	}
	t = (tm_floordiv(f->t0 / TM_US_PER_S, step) + 1) * step;
	for (; t * TM_US_PER_S <= f->t1; t += step) {
		px = x_of(f, t * TM_US_PER_S);
		time_label(label, sizeof(label), t, with_date);
		sb_printf(h, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\""
		    " y1=\"%d\" y2=\"%d\"/>", px, px, WS_CHART_TOP,
		    WS_CHART_TOP + PLOT_H);
		sb_printf(h, "<text class=\"xtick\" x=\"%.1f\" y=\"%d\">%s</text>",
		    px, WS_CHART_TOP + PLOT_H + 16, label);
	}
	sb_printf(h, "<text class=\"caption\" x=\"%d\" y=\"%d\">time (UTC)</text>",
	    WS_CHART_LEFT + WS_CHART_PLOT_W, WS_CHART_H - 6);
}

static void
path(struct sb *h, const struct ws_frame *f, const struct yaxis *y,
    const struct ws_series *s)
{
	int i;

	sb_adds(h, "<path class=\"series\" data-label=\"");
	ws_put_html(h, s->label);
	sb_printf(h, "\" stroke=\"%s\" d=\"M%.1f %.1f", s->color,
	    x_of(f, s->t[0]), y_of(y, s->v[0]));
	for (i = 1; i < s->n; i++) {
		/* a step to the same height is no step */
		if (lround(10 * y_of(y, s->v[i])) == lround(10 * y_of(y,
		    s->v[i - 1])))
			continue;
		sb_printf(h, "H%.1fV%.1f", x_of(f, s->t[i]), y_of(y, s->v[i]));
	}
	sb_printf(h, "H%.1f\"/>", x_of(f, f->t1));
}

static void
legend(struct sb *h, const struct ws_series *s, int ns)
{
	int i, x = WS_CHART_LEFT;

	for (i = 0; i < ns; i++) {
		sb_printf(h, "<rect x=\"%d\" y=\"28\" width=\"14\" height=\"4\""
		    " fill=\"%s\"/><text class=\"legend\" x=\"%d\" y=\"34\">",
		    x, s[i].color, x + 18);
		ws_put_html(h, s[i].label);
		sb_adds(h, "</text>");
		/* room for the label: about 7 px a character */
		x += 18 + 7 * (int)(s[i].label ? strlen(s[i].label) : 0) + 16;
	}
}

void
ws_chart_svg(struct sb *h, const char *id, const char *title,
    const struct ws_frame *f, const struct ws_series *s, int ns)
{
	struct yaxis y;
	int i;

	y_range(s, ns, &y);
	sb_printf(h, "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\""
	    " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
	    id, WS_CHART_W, WS_CHART_H, WS_CHART_W, WS_CHART_H);
	sb_adds(h, "<title>");
	ws_put_html(h, title);
	sb_printf(h, "</title><text class=\"title\" x=\"%d\" y=\"16\">",
	    WS_CHART_LEFT);
	ws_put_html(h, title);
	sb_adds(h, "</text>");
	legend(h, s, ns);
	y_axis(h, &y);
	x_axis(h, f);
	sb_printf(h, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\""
	    " height=\"%d\"/>", WS_CHART_LEFT, WS_CHART_TOP, WS_CHART_PLOT_W,
	    PLOT_H);
	for (i = 0; i < ns; i++)
		if (!s[i].failed && s[i].n > 0)
			path(h, f, &y, &s[i]);
	sb_adds(h, "</svg>\n");
}
