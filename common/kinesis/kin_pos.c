#include <stdlib.h>
#include <string.h>

#include "base/ck.h"
#include "kinesis/kin_pos.h"
#include "time/tm.h"

#define AT_TS "at-timestamp="
#define AT_SEQ "at-sequence="

int
kin_pos_parse(const char *s, struct kin_pos *p, struct eb *e)
{
	memset(p, 0, sizeof(*p));
	if (strcmp(s, "earliest") == 0 || strcmp(s, "trim_horizon") == 0)
		p->type = KIN_POS_EARLIEST;
	else if (strcmp(s, "latest") == 0)
		p->type = KIN_POS_LATEST;
	else if (strncmp(s, AT_SEQ, strlen(AT_SEQ)) == 0 &&
	    ck_seq_valid(s + strlen(AT_SEQ), strlen(s + strlen(AT_SEQ)))) {
		p->type = KIN_POS_AT_SEQUENCE;
		p->seq = s + strlen(AT_SEQ);
	} else if (strncmp(s, AT_TS, strlen(AT_TS)) == 0) {
		const char *t = s + strlen(AT_TS);
		char *end;
		double secs = strtod(t, &end);

		p->type = KIN_POS_AT_TIMESTAMP;
		if (end != t && *end == '\0')
			return tm_from_epoch_seconds(secs, &p->ts_us, e);
		return tm_parse_rfc3339(t, strlen(t), &p->ts_us, e);
	} else
		return eb_set(e, "expected earliest, latest, at-timestamp=T or "
		    "at-sequence=N: '%s'", s);
	return 0;
}

const char *
kin_pos_iterator(const struct kin_pos *p)
{
	switch (p->type) {
	case KIN_POS_EARLIEST: return "TRIM_HORIZON";
	case KIN_POS_LATEST: return "LATEST";
	case KIN_POS_AT_TIMESTAMP: return "AT_TIMESTAMP";
	case KIN_POS_AT_SEQUENCE: return "AT_SEQUENCE_NUMBER";
	}
	return "LATEST";
}

void
kin_pos_put(struct sb *out, const struct kin_pos *p)
{
	char ts[TM_RFC3339_MAX];

	switch (p->type) {
	case KIN_POS_EARLIEST:
		sb_adds(out, "earliest");
		break;
	case KIN_POS_LATEST:
		sb_adds(out, "latest");
		break;
	case KIN_POS_AT_TIMESTAMP:
		sb_adds(out, AT_TS);
		sb_add(out, ts, tm_fmt_rfc3339(p->ts_us, ts));
		break;
	case KIN_POS_AT_SEQUENCE:
		sb_adds(out, AT_SEQ);
		sb_adds(out, p->seq);
		break;
	}
}
