#!/bin/bash
# Beyond one machine: a stream's shards are the unit of scale. Four readers
# (kin-read --shard-index i --shard-count 4) on an eight-shard stream, each
# feeding window-avg --emit partials; window-avg --merge of their partial
# streams must give the table one reader over everything gives, both with
# the partials concatenated and with them travelling through a second
# Kinesis stream (kin-put, then kin-read). The single reader's table is in
# turn checked against an independent computation.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"

N=20000
[ -n "${KP_SANITIZED:-}" ] && N=5000
kin_server
admin create bitcoin-info 8 >/dev/null
admin create bitcoin-partials 2 >/dev/null
python3 "$KP_ROOT/examples/gen-bitcoin.py" --count $N --step 1 --disorder 0.01 >"$T/feed.ndjson"
kin-put --stream bitcoin-info <"$T/feed.ndjson" >"$T/put"
is "all records put" "$(grep -c sequenceNumber "$T/put")" $N
is "records landed on all eight shards" "$(jq -r .shardId "$T/put" | sort -u | wc -l)" 8

SCHEMA='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'
AGG="--avg euro_rate=avg --count *=n --min euro_rate=lo --max euro_rate=hi"
stages() {	# json-project | ts-parse | window-avg "$@"
	json-project --field data --schema "$SCHEMA" |
	ts-parse --field timestamp --format "yyyy-MM-dd'T'HH:mm:ss" |
	window-avg --time timestamp --window '10 minutes' --slide '5 minutes' $AGG "$@"
}
table() {	# a table as sorted TSV, without the batch number
	jq -r '[.window.start, .window.end, .n, .avg, .lo, .hi] | @tsv' "$1" | sort
}

kin-read --stream bitcoin-info --from earliest -e | stages --mode complete --table "$T/one.ndjson" >/dev/null
is "one reader: exit status" "$?" 0
table "$T/one.ndjson" >"$T/one"

readers=""
for i in 0 1 2 3; do
	kin-read --stream bitcoin-info --from earliest -e --shard-index $i --shard-count 4 \
		2>"$T/reader$i.err" | stages --emit partials >"$T/part$i" &
	readers="$readers $!"
done
wait $readers	# not a bare wait: the Kinesis server is a background job too
for i in 0 1 2 3; do
	n=$(jq -r 'select(.kind == "window-avg-partial") | .shardId' "$T/part$i" | sort -u | wc -l)
	is "reader $i read two of the eight shards" "$n" 2
done
is "the four readers covered eight distinct shards" \
	"$(cat "$T"/part? | jq -r .shardId | sort -u | wc -l)" 8

cat "$T"/part? | window-avg --merge $AGG --mode complete --table "$T/merged.ndjson" >/dev/null
is "merge: exit status" "$?" 0
table "$T/merged.ndjson" >"$T/merged"
is "four readers merged = one reader" "$(md5sum <"$T/merged")" "$(md5sum <"$T/one")"

# The partials through a second stream, as between machines.
for i in 0 1 2 3; do
	kin-put --stream bitcoin-partials --partition-key "reader-$i" <"$T/part$i" >/dev/null || echo "put $i failed"
done
# kin-read wraps each partial row in an envelope; jq unwraps it.
kin-read --stream bitcoin-partials --from earliest -e | jq -c '.data | fromjson' |
	window-avg --merge $AGG --mode complete --table "$T/via-kinesis.ndjson" >/dev/null
is "merge via Kinesis: exit status" "$?" 0
table "$T/via-kinesis.ndjson" >"$T/via"
is "partials through a second stream merged = one reader" "$(md5sum <"$T/via")" "$(md5sum <"$T/one")"

python3 "$(dirname "$0")/expected-windows.py" 600 300 <"$T/feed.ndjson" >"$T/want"
jq -r '[(.window.start | fromdateiso8601), .n, .avg] | @tsv' "$T/one.ndjson" | sort -n >"$T/got"
bad=$(paste "$T/got" "$T/want" | awk -F'\t' '{ split($4, w, " ");
	if ($1 != w[1] || $2 != w[3]) n++; d = $3 - w[4]; if (d < 0) d = -d; if (d > 1e-9 * w[4]) n++ }
	END { print n + 0 }')
is "one reader's table = independent computation (counts exact, averages 1e-9)" "$bad" 0
is "window count" "$(wc -l <"$T/got")" "$(wc -l <"$T/want")"
finish
