#!/bin/sh
# json-project throughput on 1,000,000 bitcoin-info records and 1,000,000
# Kinesis envelopes, against cat of the same file and jq doing the same
# projection. Targets (issue 2): >= 1,000,000 records/s, >= 20x jq.
. "$(dirname "$0")/lib.sh"

N=${BENCH_RECORDS:-1000000}
S='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'
plain=$(bench_data bitcoin-$N --count "$N")
env=$(bench_data envelope-$N --count "$N" --envelope)

cpu_line() {
	awk -v l="$1" -v n="$2" -v c="$3" 'BEGIN {
		printf "%s: %.0f records per CPU second (target 1000000)\n", l, n / c }'
}

floor=$(bench_time "cat '$plain'")
ours=$(bench_time "json-project --field . --schema '$S' < '$plain'")
jqt=$(bench_time "jq -c '{timestamp, euro_rate, usd_rate, gbp_rate}' < '$plain'")
bench_line "json-project bitcoin-info" "$N" "$ours" cat "$floor" jq "$jqt"
cpu_line "json-project bitcoin-info" "$N" "$(bench_cpu "json-project --field . --schema '$S' < '$plain'")"

floor=$(bench_time "cat '$env'")
ours=$(bench_time "json-project --schema '$S' < '$env'")
jqt=$(bench_time "jq -c '(.data | fromjson | {timestamp, euro_rate, usd_rate, gbp_rate}) + {shardId, sequenceNumber}' < '$env'")
bench_line "json-project envelopes" "$N" "$ours" cat "$floor" jq "$jqt"
cpu_line "json-project envelopes" "$N" "$(bench_cpu "json-project --schema '$S' < '$env'")"
