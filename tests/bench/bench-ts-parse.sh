#!/bin/sh
# ts-parse throughput on 1,000,000 projected bitcoin-info records (the
# flat form json-project emits), against cat of the same file and jq
# doing the same conversion to RFC 3339. Targets (issue 2): >= 1,000,000
# records/s, >= 20x jq.
. "$(dirname "$0")/lib.sh"

N=${BENCH_RECORDS:-1000000}
plain=$(bench_data bitcoin-$N --count "$N")

floor=$(bench_time "cat '$plain'")
ours=$(bench_time "ts-parse --format \"yyyy-MM-dd'T'HH:mm:ss\" < '$plain'")
jqt=$(bench_time "jq -c '.timestamp |= (strptime(\"%Y-%m-%dT%H:%M:%S\") | todate)' < '$plain'")
bench_line "ts-parse --format" "$N" "$ours" cat "$floor" jq "$jqt"

ours=$(bench_time "ts-parse < '$plain'")
bench_line "ts-parse (cast)" "$N" "$ours" cat "$floor" jq "$jqt"
