/* dt_int: what dt_compile produces and dt_parse reads. Internal to dt. */
#ifndef KP_DT_INT_H
#define KP_DT_INT_H

enum dt_kind {
	DT_LIT,		/* literal text, ASCII letters matched in any case */
	DT_NUM,		/* a number: field, widths, sign style */
	DT_FRAC,	/* fraction of a second, minw..maxw digits */
	DT_TEXT,	/* month, am-pm or era names; style says which */
	DT_OFFSET,	/* X x Z: style is java.time's offset pattern index */
	DT_LOCOFF,	/* O, ZZZZ: "GMT+8" (style 0) or "GMT+08:00" (1) */
	DT_ZONEID,	/* VV */
	DT_ZONETEXT,	/* z */
	DT_OPT,		/* '[': op.end is the index of its DT_OPT_END */
	DT_OPT_END
};

/* java.time.ChronoField values a pattern can set */
enum dt_field {
	F_ERA, F_YOE, F_YEAR, F_MONTH, F_DOM, F_DOY, F_AMPM, F_HOAP, F_CHOAP,
	F_HOD, F_CHOD, F_MIN, F_SEC, F_NANO, F_OFFSET, F_COUNT
};

enum dt_sign { SIGN_NORMAL, SIGN_NOT_NEGATIVE, SIGN_EXCEEDS_PAD };

enum dt_text {
	TEXT_MONTH_SHORT, TEXT_MONTH_FULL, TEXT_AMPM, TEXT_ERA_SHORT,
	TEXT_ERA_FULL
};

/* the reduced two-digit year ('yy') reads 2000..2099 */
#define DT_REDUCED_BASE 2000

#endif
