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
# against_want TABLE: how many windows differ from the independent
# computation (counts exact, averages within 1e-9), and how many there are
against_want() {
	jq -r '[(.window.start | fromdateiso8601), .n, .avg] | @tsv' "$1" | sort -n >"$T/got"
	paste "$T/got" "$T/want" | awk -F'\t' '{ split($4, w, " ");
		if ($1 != w[1] || $2 != w[3]) n++; d = $3 - w[4]; if (d < 0) d = -d; if (d > 1e-9 * w[4]) n++ }
		END { print n + 0 }'
}
is "one reader's table = independent computation (counts exact, averages 1e-9)" "$(against_want "$T/one.ndjson")" 0
is "window count" "$(wc -l <"$T/got")" "$(wc -l <"$T/want")"

# The README's recipe with leases, while records flow: three workers
# (kin-read --lease-table ... --lease-state | json-project | ts-parse |
# window-avg --emit partials --state | kin-put), one SIGKILLed whole, a
# fourth joining; then one merger. The merged table must be exact.
ddb_server
admin create live-info 6 >/dev/null
admin create live-partials 2 >/dev/null
split -l $((N / 20)) "$T/feed.ndjson" "$T/feed."
( for c in "$T"/feed.??; do kin-put --stream live-info <"$c" >"$c.res" 2>"$c.err"; sleep 0.3; done ) &
feeder=$!
worker() {	# worker ID: the recipe's pipeline, its pids in pids.ID
	mkdir "$T/$1"
	for p in 1 2 3 4; do mkfifo "$T/$1/p$p"; done
	kin-read --stream live-info --from earliest --lease-table live-leases --worker-id "$1" \
		--failover-ms 1500 --lease-state "$T/$1/state.json" >"$T/$1/p1" 2>"$T/$1/kin-read.err" &
	echo $! >"$T/$1/kin-read.pid"
	echo $! >"$T/$1/pids"
	json-project --field data --schema "$SCHEMA" --keep shardState <"$T/$1/p1" >"$T/$1/p2" &
	echo $! >>"$T/$1/pids"
	ts-parse --field timestamp --format "yyyy-MM-dd'T'HH:mm:ss" <"$T/$1/p2" >"$T/$1/p3" &
	echo $! >>"$T/$1/pids"
	window-avg --time timestamp --window '10 minutes' --slide '5 minutes' $AGG \
		--emit partials --state "$T/$1/state.json" --stats <"$T/$1/p3" >"$T/$1/p4" 2>"$T/$1/window-avg.err" &
	echo $! >>"$T/$1/pids"
	kin-put --stream live-partials --partition-key "$1" <"$T/$1/p4" >/dev/null 2>"$T/$1/kin-put.err" &
	echo $! >>"$T/$1/pids"
}
holders() {	# the workers that hold leases now
	aws dynamodb scan --region us-west-2 --table-name live-leases --consistent-read --output json 2>/dev/null |
		jq -r '.Items[] | .leaseOwner.S // empty' | sort -u | tr '\n' ' '
}
three_hold() { [ "$(holders)" = "r1 r2 r3 " ]; }
worker r1
worker r2
worker r3
ok "recipe: three workers hold leases" wait_for 40 three_hold
sleep 1	# some partials out, some records still in the pipes
kill -KILL $(cat "$T/r2/pids")
not_r2() { case $(holders) in *r2*) return 1 ;; esac; }
ok "recipe: the SIGKILLed worker's leases taken over" wait_for 40 not_r2
worker r4
four() { [ "$(holders)" = "r1 r3 r4 " ]; }
ok "recipe: the fourth worker took a share" wait_for 60 four
wait $feeder
# what kin-put says it put (a loaded machine may make it give up on some):
# the records the merged table must count, and their results
for c in "$T"/feed.??; do
	jq -r 'select(.sequenceNumber) | .line' "$c.res" | awk 'NR == FNR { ok[$1] = 1; next } ok[FNR]' - "$c"
	cat "$c.res"
done | awk '/"line":/ { print >"'"$T/live-put"'"; next } { print }' >"$T/live-feed"
like "recipe: most records put" "$(wc -l <"$T/live-feed")" "[1-9]*"
is "recipe: every record put is in the expected input" "$(grep -c sequenceNumber "$T/live-put")" "$(wc -l <"$T/live-feed")"
python3 "$(dirname "$0")/expected-windows.py" 600 300 <"$T/live-feed" >"$T/want"
# counted: every lease checkpointed (window-avg's state) at its shard's
# last record
jq -r '[.shardId, .sequenceNumber] | @tsv' "$T/live-put" |
	awk -F'\t' '{ if (!($1 in m) || length($2) > length(m[$1]) || (length($2) == length(m[$1]) && $2 > m[$1])) m[$1] = $2 }
		END { for (k in m) print k, m[k] }' | sort >"$T/live-last"
counted() {
	aws dynamodb scan --region us-west-2 --table-name live-leases --consistent-read --output json 2>/dev/null |
		jq -r '.Items[] | "\(.leaseKey.S) \(.checkpoint.S)"' | sort >"$T/live-ck"
	[ "$(join "$T/live-last" "$T/live-ck" | awk '$2 != $3' | wc -l)" = 0 ] &&
		[ "$(wc -l <"$T/live-ck")" = 6 ]
}
ok "recipe: every lease checkpointed at its shard's last record" wait_for 90 counted
for w in r1 r3 r4; do kill -TERM "$(cat "$T/$w/kin-read.pid")"; done
for w in r1 r3 r4; do for p in $(cat "$T/$w/pids"); do wait "$p"; done; done
like "recipe: a worker was handed the dead one's state" "$(cat "$T"/r?/window-avg.err)" "*handed=[1-9]*"
kin-read --stream live-partials --from earliest -e | jq -c '.data | fromjson' |
	window-avg --merge $AGG --mode complete --table "$T/live.ndjson" >/dev/null
is "recipe: merge exit status" "$?" 0
is "recipe: merged table after a kill and a join = independent computation" "$(against_want "$T/live.ndjson")" 0
is "recipe: window count" "$(wc -l <"$T/got")" "$(wc -l <"$T/want")"
finish
