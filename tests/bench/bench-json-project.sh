#!/bin/sh
# json-project throughput on 1,000,000 bitcoin-info records and 1,000,000
# Kinesis envelopes, against cat of the same file and jq doing the same
# projection. Targets (issue 2): >= 1,000,000 records/s, >= 20x jq.
. "$(dirname "$0")/lib.sh"

N=${BENCH_RECORDS:-1000000}
S='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'
plain=$(bench_data bitcoin-$N --count "$N")
env=$(bench_data envelope-$N --count "$N" --envelope)

# cpu_s CMD: user + system seconds of CMD, the best of BENCH_RUNS. The
# machine may be shared, and then wall time says more about the other
# jobs than about json-project: its CPU seconds are printed too.
cpu_s() {
	best=""
	i=0
	while [ $i -lt "$BENCH_RUNS" ]; do
		/usr/bin/time -f '%U %S' -o "$BENCH_DIR/.cpu" sh -c "$1" >/dev/null 2>&1
		c=$(awk '{ print $1 + $2 }' "$BENCH_DIR/.cpu" | tail -n 1)
		if [ -z "$best" ] || [ "$(echo "$c < $best" | bc -l)" = 1 ]; then
			best=$c
		fi
		i=$((i + 1))
	done
	printf '%s\n' "$best"
}

cpu_line() {
	awk -v l="$1" -v n="$2" -v c="$3" 'BEGIN {
		printf "%s: %.0f records per CPU second (target 1000000)\n", l, n / c }'
}

floor=$(bench_time "cat '$plain'")
ours=$(bench_time "json-project --field . --schema '$S' < '$plain'")
jqt=$(bench_time "jq -c '{timestamp, euro_rate, usd_rate, gbp_rate}' < '$plain'")
bench_line "json-project bitcoin-info" "$N" "$ours" cat "$floor" jq "$jqt"
cpu_line "json-project bitcoin-info" "$N" "$(cpu_s "json-project --field . --schema '$S' < '$plain'")"

floor=$(bench_time "cat '$env'")
ours=$(bench_time "json-project --schema '$S' < '$env'")
jqt=$(bench_time "jq -c '(.data | fromjson | {timestamp, euro_rate, usd_rate, gbp_rate}) + {shardId, sequenceNumber}' < '$env'")
bench_line "json-project envelopes" "$N" "$ours" cat "$floor" jq "$jqt"
cpu_line "json-project envelopes" "$N" "$(cpu_s "json-project --schema '$S' < '$env'")"
