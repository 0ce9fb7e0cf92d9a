/* ws_chart: a line chart as inline SVG, drawn on the server: no script,
 * readable as it comes. Series are step functions of time (each value
 * holds from its time until the next), drawn at the plot's resolution:
 * one point per pixel column at most, the last value in the column. The
 * y axis is labelled in euro with two decimals, the x axis in UTC to the
 * second (or to the minute, with the date, over more than a day). */
#ifndef KP_WS_CHART_H
#define KP_WS_CHART_H

#include <stdint.h>

#include "base/sb.h"

#define WS_CHART_W 760		/* the whole SVG */
#define WS_CHART_H 240
#define WS_CHART_LEFT 84	/* margins around the plot */
#define WS_CHART_RIGHT 32	/* room for the last time label */
#define WS_CHART_TOP 44
#define WS_CHART_BOTTOM 40
#define WS_CHART_PLOT_W (WS_CHART_W - WS_CHART_LEFT - WS_CHART_RIGHT)
#define WS_CHART_SERIES 8	/* most series in one chart */

struct ws_series {
	const char *label;	/* in the legend (escaped here) */
	const char *color;
	int64_t *t;		/* microseconds, non-decreasing */
	double *v;
	int n, cap;
	int failed;		/* out of memory: the series is not drawn */
};

/* The time span [t0, t1] a chart covers (t1 > t0). */
struct ws_frame {
	int64_t t0, t1;
};

/* Append: value v from time t on. A point in the same pixel column as
 * the one before replaces that one's value. */
void ws_series_add(struct ws_series *s, const struct ws_frame *f, int64_t t,
    double v);
void ws_series_free(struct ws_series *s);

/* One chart: <svg id="id"> with title, axes, grid, a legend and one
 * <path class="series" data-label="..."> per series. */
void ws_chart_svg(struct sb *h, const char *id, const char *title,
    const struct ws_frame *f, const struct ws_series *s, int ns);

/* Text made safe for HTML and SVG. */
void ws_put_html(struct sb *h, const char *p);

#endif
