/* rec_dup: duplicate keys. Spark's parser keeps the last of them, as
 * rec_get does; where a duplicate is ambiguous, as in a trade order, the
 * caller refuses the record instead, and this finds it. */
#include "json/rec.h"

const struct rec_member *
rec_duplicate(const struct rec *r, struct sb *scratch)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct rec_member *m = &r->m[i];
		struct rec_span k = m->key;

		if (m->key_escaped) {
			/* the key's span sits between its quotes */
			sb_reset(scratch);
			rec_string_decode((struct rec_span){ k.p - 1, k.n + 2 },
			    scratch);
			k.p = scratch->buf ? scratch->buf : "";
			k.n = scratch->len;
		}
		if (rec_get(r, k.p, k.n) != m)
			return m;
	}
	return NULL;
}
