#include <string.h>

#include "time/dt.h"
#include "time/dt_fixed.h"
#include "time/dt_int.h"

struct builder {
	struct dt_pattern *p;
	int active;		/* the number parser later fixed-width numbers
				   reserve digits from, or -1 */
	int open[16];		/* indexes of unclosed '[' */
	int nopen;
	struct eb *e;
};

static int
is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static struct dt_op *
add(struct builder *b, enum dt_kind kind)
{
	struct dt_op *op;

	if (b->p->nop >= DT_MAX_OPS) {
		eb_set(b->e, "pattern too long");
		return NULL;
	}
	op = &b->p->op[b->p->nop++];
	memset(op, 0, sizeof(*op));
	op->kind = (unsigned char)kind;
	if (kind != DT_NUM)
		b->active = -1;
	return op;
}

static int
add_lit(struct builder *b, const char *s, size_t n)
{
	struct dt_op *op;

	if (b->p->nlit + n > DT_MAX_LIT)
		return eb_set(b->e, "pattern too long");
	if ((op = add(b, DT_LIT)) == NULL)
		return -1;
	op->lit = (unsigned short)b->p->nlit;
	op->nlit = (unsigned short)n;
	memcpy(b->p->lit + b->p->nlit, s, n);
	b->p->nlit += n;
	return 0;
}

/* java.time's appendValue: a fixed-width number after another number
 * reserves its digits from it ("yyyyMMdd" reads 20240101). */
static int
add_num(struct builder *b, enum dt_kind kind, int field, int minw, int maxw,
    enum dt_sign sign)
{
	int prev = b->active, idx = b->p->nop;
	struct dt_op *op;

	if ((op = add(b, kind)) == NULL)
		return -1;
	op->field = (unsigned char)field;
	op->minw = (unsigned char)minw;
	op->maxw = (unsigned char)maxw;
	op->sign = (unsigned char)sign;
	if (prev >= 0 && minw == maxw && sign == SIGN_NOT_NEGATIVE) {
		b->p->op[prev].subsequent += (short)maxw;
		b->active = prev;
	} else {
		b->active = idx;
	}
	return 0;
}

static int
add_styled(struct builder *b, enum dt_kind kind, int field, int style)
{
	struct dt_op *op;

	if ((op = add(b, kind)) == NULL)
		return -1;
	op->field = (unsigned char)field;
	op->style = (unsigned char)style;
	return 0;
}

/* one run of a pattern letter, as DateTimeFormatterBuilder.parseField
 * and its zone and offset cases read it */
static int
letter(struct builder *b, char c, int count, int era_in_pattern)
{
	static const char offset_x[] = { 0, 1, 3, 4, 5, 6 };

	switch (c) {
	case 'y':
		if (count == 2)
			return add_num(b, DT_NUM, era_in_pattern ? F_YOE : F_YEAR,
			    2, 2, SIGN_NOT_NEGATIVE) ? -1 :
			    (b->p->op[b->p->nop - 1].style = 1, 0);
		return add_num(b, DT_NUM, era_in_pattern ? F_YOE : F_YEAR, count,
		    19, count < 4 ? SIGN_NORMAL : SIGN_EXCEEDS_PAD);
	case 'M':
	case 'L':
		if (count == 1)
			return add_num(b, DT_NUM, F_MONTH, 1, 19, SIGN_NORMAL);
		if (count == 2)
			return add_num(b, DT_NUM, F_MONTH, 2, 2, SIGN_NOT_NEGATIVE);
		if (count <= 4)
			return add_styled(b, DT_TEXT, F_MONTH,
			    count == 3 ? TEXT_MONTH_SHORT : TEXT_MONTH_FULL);
		break;
	case 'G':
		if (count <= 4)
			return add_styled(b, DT_TEXT, F_ERA,
			    count == 4 ? TEXT_ERA_FULL : TEXT_ERA_SHORT);
		break;
	case 'a':
		if (count == 1)
			return add_styled(b, DT_TEXT, F_AMPM, TEXT_AMPM);
		break;
	case 'd': case 'H': case 'h': case 'K': case 'k': case 'm': case 's': {
		int f = c == 'd' ? F_DOM : c == 'H' ? F_HOD : c == 'h' ? F_CHOAP :
		    c == 'K' ? F_HOAP : c == 'k' ? F_CHOD : c == 'm' ? F_MIN : F_SEC;

		if (count == 1)
			return add_num(b, DT_NUM, f, 1, 19, SIGN_NORMAL);
		if (count == 2)
			return add_num(b, DT_NUM, f, 2, 2, SIGN_NOT_NEGATIVE);
		break;
	}
	case 'D':
		if (count == 1)
			return add_num(b, DT_NUM, F_DOY, 1, 19, SIGN_NORMAL);
		if (count <= 3)
			return add_num(b, DT_NUM, F_DOY, count, 3, SIGN_NOT_NEGATIVE);
		break;
	case 'S':
		/* Spark's variable-length fraction: 1..count digits */
		if (count > 9)
			return eb_set(b->e, "Maximum width must be from 1 to 9 "
			    "inclusive but was %d", count);
		if (count == 1)
			return add_num(b, DT_FRAC, F_NANO, 1, 1, SIGN_NOT_NEGATIVE);
		if (add_styled(b, DT_FRAC, F_NANO, 0))
			return -1;
		b->p->op[b->p->nop - 1].minw = 1;
		b->p->op[b->p->nop - 1].maxw = (unsigned char)count;
		return 0;
	case 'V':
		if (count != 2)
			return eb_set(b->e, "Pattern letter count must be 2: V");
		return add_styled(b, DT_ZONEID, F_OFFSET, 0);
	case 'z':
		if (count <= 4)
			return add_styled(b, DT_ZONETEXT, F_OFFSET, 0);
		break;
	case 'O':
		if (count == 1 || count == 4)
			return add_styled(b, DT_LOCOFF, F_OFFSET, count == 4);
		return eb_set(b->e, "Pattern letter count must be 1 or 4: O");
	case 'X':
	case 'x':
		if (count <= 5)
			return add_styled(b, DT_OFFSET, F_OFFSET,
			    offset_x[count] | (c == 'X' ? 0x80 : 0) |
			    (c == 'x' && count == 1 ? 0x40 : 0));
		break;
	case 'Z':
		if (count <= 3)
			return add_styled(b, DT_OFFSET, F_OFFSET, 3);
		if (count == 4)
			return add_styled(b, DT_LOCOFF, F_OFFSET, 1);
		if (count == 5)
			return add_styled(b, DT_OFFSET, F_OFFSET, 6 | 0x80);
		break;
	default:
		return eb_set(b->e, "Unknown pattern letter: %c", c);
	}
	return eb_set(b->e, "Too many pattern letters: %c", c);
}

/* DateTimeFormatterHelper.convertIncompatiblePattern's refusals, checked
 * outside quotes, before java.time sees the pattern. */
static int
spark_checks(const char *pat, int *era, struct eb *e)
{
	static const char *const too_long[] = { "GGGGG", "MMMMM", "LLLLL",
		"EEEEE", "QQQQQ", "qqqqq", "yyyyyyy" };
	int quoted = 0;

	*era = 0;
	for (const char *c = pat; *c; c++) {
		if (*c == '\'') {
			quoted = !quoted;
			continue;
		}
		if (quoted)
			continue;
		if (strchr("YWwuec", *c))
			return eb_set(e, "All week-based patterns are unsupported "
			    "since Spark 3.0, detected: %c, Please use the SQL "
			    "function EXTRACT instead", *c);
		if (strchr("AnNpEFqQ", *c))
			return eb_set(e, "Illegal pattern character: %c", *c);
		for (size_t i = 0; i < sizeof(too_long) / sizeof(too_long[0]); i++)
			if (strncmp(c, too_long[i], strlen(too_long[i])) == 0)
				return eb_set(e, "Too many pattern letters: %c", *c);
		if (*c == 'G')
			*era = 1;
	}
	return 0;
}

static int
quoted(struct builder *b, const char *pat, size_t *i)
{
	char text[DT_MAX_LIT];
	size_t start = *i, k = 0, j = *i + 1;

	for (;; j++) {
		if (pat[j] == '\0')
			return eb_set(b->e, "Pattern ends with an incomplete "
			    "string literal: %s", pat);
		if (pat[j] == '\'') {
			if (pat[j + 1] != '\'')
				break;
			j++;	/* '' inside quotes is one quote */
		}
		if (k == sizeof(text))
			return eb_set(b->e, "pattern too long");
		text[k++] = pat[j];
	}
	*i = j;
	if (j == start + 1)	/* '' alone is a quote */
		return add_lit(b, "'", 1);
	return add_lit(b, text, k);
}

int
dt_compile(struct dt_pattern *p, const char *pat, struct eb *e)
{
	struct builder b = { p, -1, { 0 }, 0, e };
	int era;

	memset(p, 0, sizeof(*p));
	if (spark_checks(pat, &era, e))
		return -1;
	for (size_t i = 0; pat[i]; i++) {
		char c = pat[i];
		struct dt_op *op;

		if (is_letter(c)) {
			int count = 1;

			while (pat[i + 1] == c) {
				count++;
				i++;
			}
			if (letter(&b, c, count, era))
				return -1;
		} else if (c == '\'') {
			if (quoted(&b, pat, &i))
				return -1;
		} else if (c == '[') {
			if (b.nopen == 16)
				return eb_set(e, "optional sections nested too deep");
			b.open[b.nopen++] = p->nop;
			if (add(&b, DT_OPT) == NULL)
				return -1;
		} else if (c == ']') {
			if (b.nopen == 0)
				return eb_set(e, "Pattern invalid as it contains ] "
				    "without previous [");
			p->op[b.open[--b.nopen]].end = (unsigned short)p->nop;
			if ((op = add(&b, DT_OPT_END)) == NULL)
				return -1;
		} else if (c == '{' || c == '}' || c == '#') {
			return eb_set(e, "Pattern includes reserved character: "
			    "'%c'", c);
		} else {
			size_t n = 1;

			/* one literal op per run of plain characters */
			while (pat[i + n] && !is_letter(pat[i + n]) &&
			    !strchr("'[]{}#", pat[i + n]))
				n++;
			if (add_lit(&b, pat + i, n))
				return -1;
			i += n - 1;
		}
	}
	while (b.nopen > 0) {	/* an unclosed '[' ends with the pattern */
		p->op[b.open[--b.nopen]].end = (unsigned short)p->nop;
		if (add(&b, DT_OPT_END) == NULL)
			return -1;
	}
	dt_fixed_plan(p);
	return 0;
}
