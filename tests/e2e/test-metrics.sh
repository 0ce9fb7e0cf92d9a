#!/bin/bash
# --metrics in every tool: the file parsed by prometheus_client's parser
# (metrics-check.py), each sample equal to the count --stats prints and to
# what the test itself knows it fed in, the file replaced atomically (a
# reader polling it while the tool runs always parses it), written at exit
# and after SIGTERM; bad --metrics and --metrics-interval values refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"
. "$(dirname "$0")/wallet-lib.sh"

PY=/usr/bin/python3	# Debian's, where python3-prometheus-client is
CHECK="$PY $KP_ROOT/tests/e2e/metrics-check.py"
STD="read=kinpipe_records_read_total emitted=kinpipe_records_emitted_total
nulled=kinpipe_records_nulled_total skipped=kinpipe_records_skipped_total"

# mx_stats NAME TOOL FILE [NAME=SAMPLE...]: FILE is valid and its samples
# are the counts of the last "stats: final" line on $ERR
mx_stats() {
	kp_n=$1 kp_tool=$2 kp_f=$3
	shift 3
	ok "$kp_n: valid" $CHECK valid "$kp_f"
	ok "$kp_n: the counts of --stats" $CHECK stats "$kp_f" "$kp_tool" \
	    "$(grep 'stats: final' "$ERR" | tail -n 1)" $STD "$@"
}
get() {
	$CHECK get "$@"
}

# --- json-project: one good record, one bad (nulled), one without a
# document (no_document), one blank line (not a record): read=3
printf '%s\n' '{"data":"{\"a\":1}"}' '{"data":"{bad"}' '{"x":1}' '' >"$T/jp.in"
json-project --schema 'a INT' --stats --metrics "$T/jp.prom" "$T/jp.in" >"$OUT" 2>"$ERR"
is "json-project: exit 0" "$?" 0
is "json-project: output" "$(cat "$OUT")" '{"a":1}
{"a":null}
{"a":null}'
mx_stats json-project json-project "$T/jp.prom" \
    no_document=kinpipe_records_no_document_total missing=kinpipe_records_missing_column_total \
    shared=kinpipe_records_shared_total
is "json-project: read, counted by the test" "$(get "$T/jp.prom" kinpipe_records_read_total)" 3
is "json-project: nulled" "$(get "$T/jp.prom" kinpipe_records_nulled_total)" 1
is "json-project: no document" "$(get "$T/jp.prom" kinpipe_records_no_document_total)" 1
# a regular file never runs dry: one batch, ended by end of input
is "json-project: one batch" "$(get "$T/jp.prom" kinpipe_batch_duration_seconds_count tool=json-project)" 1
is "json-project: labels" "$(get "$T/jp.prom" kinpipe_records_read_total tool=json-project stage=jp)" 3
json-project --schema 'a INT' --on-error=skip --stats --metrics "$T/jp2.prom" "$T/jp.in" >"$OUT" 2>"$ERR"
mx_stats json-project-skip json-project "$T/jp2.prom" \
    no_document=kinpipe_records_no_document_total missing=kinpipe_records_missing_column_total \
    shared=kinpipe_records_shared_total
is "json-project: skipped" "$(get "$T/jp2.prom" kinpipe_records_skipped_total)" 1

# --- ts-parse, with a label value that needs escaping: the stage is the
# file's name, and a name may hold a double quote or a backslash
printf '%s\n' '{"timestamp":"2024-01-01 00:00:07"}' '{"timestamp":"noon"}' \
    '{"x":1}' '{"timestamp":1704067200.5}' >"$T/ts.in"
mkdir "$T/odd"
odd="$T/odd/a\"b\\c.prom"
ts-parse --stats --metrics "$odd" <"$T/ts.in" >"$OUT" 2>"$ERR"
is "ts-parse: exit 0" "$?" 0
mx_stats ts-parse ts-parse "$odd" missing=kinpipe_records_missing_column_total \
    shared=kinpipe_records_shared_total
is "ts-parse: the stage label, unescaped by the parser" \
    "$(get "$odd" kinpipe_records_read_total 'stage=a"b\c')" 4
is "ts-parse: nulled" "$(get "$odd" kinpipe_records_nulled_total)" 1
is "ts-parse: missing" "$(get "$odd" kinpipe_records_missing_column_total)" 1
like "ts-parse: the escapes written" "$(grep '^kinpipe_records_read_total' "$odd")" \
    'kinpipe_records_read_total{tool="ts-parse",stage="a\\"b\\\\c"} 4'

# --- atomic replacement: a reader polling the file while ts-parse
# rewrites it every millisecond always parses it
mkfifo "$T/feed"
ts-parse --metrics "$T/poll.prom" --metrics-interval 1ms <"$T/feed" >"$T/poll.out" 2>"$T/poll.err" &
tpid=$!
exec 7>"$T/feed"
k=0
while [ ! -s "$T/poll.prom" ] && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
$CHECK poll "$T/poll.prom" "$T/poll.stop" >"$T/poll.res" 7>&- &
ppid=$!
k=0
while [ ! -e "$T/poll.stop.ready" ] && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
for i in $(seq 1 600); do
	printf '{"timestamp":"2024-01-01 00:00:%02d"}\n' $((i % 60)) >&7
	[ $((i % 10)) = 0 ] && sleep 0.02
done
exec 7>&-
wait $tpid
is "polled: ts-parse exit 0" "$?" 0
touch "$T/poll.stop"
wait $ppid
is "polled: every read parsed" "$?" 0
read -r reads contents <"$T/poll.res"
ok "polled: many reads ($reads)" test "${reads:-0}" -ge 20
ok "polled: the file changed under the reader ($contents contents)" test "${contents:-0}" -ge 2
is "polled: the last file counts every record" "$(get "$T/poll.prom" kinpipe_records_read_total)" 600
is "polled: no temporary file left" "$(ls "$T" | grep -c 'poll.prom.tmp')" 0

# --- SIGTERM: ts-parse dies of it as before (143), the file written first
mkfifo "$T/feed2"
ts-parse --metrics "$T/term.prom" --metrics-interval 1h <"$T/feed2" >"$T/term.out" 2>"$T/term.err" &
tpid=$!
exec 7>"$T/feed2"
printf '{"timestamp":"2024-01-01 00:00:01"}\n{"timestamp":"x"}\n{"timestamp":"2024-01-01 00:00:03"}\n' >&7
wait_for 10 lines_at_least 3 "$T/term.out"
signal_wait $tpid TERM 10
is "SIGTERM: ts-parse dies of it" "$?" 143
exec 7>&-
is "SIGTERM: its records were written" "$(wc -l <"$T/term.out")" 3
ok "SIGTERM: the file is valid" $CHECK valid "$T/term.prom"
is "SIGTERM: read" "$(get "$T/term.prom" kinpipe_records_read_total)" 3
is "SIGTERM: nulled" "$(get "$T/term.prom" kinpipe_records_nulled_total)" 1

# --- window-avg: the kinpipe(7) example, with state: a restart replays
printf '%s\n' \
 '{"timestamp":"2024-01-01T00:00:07Z","euro_rate":40000.5,"shardId":"s0","sequenceNumber":"1"}' \
 '{"timestamp":"2024-01-01T00:04:59.25Z","euro_rate":40001,"shardId":"s0","sequenceNumber":"2"}' \
 '{"timestamp":"2024-01-01T00:05:00Z","euro_rate":39999.75,"shardId":"s0","sequenceNumber":"3"}' \
 '{"timestamp":null,"euro_rate":1,"shardId":"s0","sequenceNumber":"4"}' >"$T/w.in"
WA="window-avg --time timestamp --window 5m --avg euro_rate --mode update --trigger available-now --state $T/w.state"
head -n 2 "$T/w.in" | $WA >/dev/null 2>&1
$WA --stats --metrics "$T/w.prom" <"$T/w.in" >"$OUT" 2>"$ERR"
is "window-avg: exit 0" "$?" 0
mx_stats window-avg window-avg "$T/w.prom" late=kinpipe_records_late_total \
    late_windows=kinpipe_late_windows_total replayed=kinpipe_records_replayed_total \
    null_time=kinpipe_records_null_time_total batches=kinpipe_microbatches_total \
    missing=kinpipe_records_missing_column_total \
    bad_provenance=kinpipe_records_bad_provenance_total \
    table_rows=kinpipe_table_rows_written_total shared=kinpipe_records_shared_total
is "window-avg: replayed, the two of the first run" "$(get "$T/w.prom" kinpipe_records_replayed_total)" 2
is "window-avg: null time" "$(get "$T/w.prom" kinpipe_records_null_time_total)" 1
is "window-avg: one row out" "$(get "$T/w.prom" kinpipe_records_emitted_total)" "$(wc -l <"$OUT")"
is "window-avg: one trigger, one batch" "$(get "$T/w.prom" kinpipe_batch_duration_seconds_count)" 1

# window-avg stops on SIGTERM with exit 0, its trigger run and counted
mkfifo "$T/feed3"
window-avg --time timestamp --window 5m --avg euro_rate --mode update --stats \
    --metrics "$T/wterm.prom" --metrics-interval 1h <"$T/feed3" >"$T/wterm.out" 2>"$T/wterm.err" &
wpid=$!
exec 7>"$T/feed3"
head -n 3 "$T/w.in" >&7
k=0
while [ ! -s "$T/wterm.out" ] && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
kill -TERM $wpid
wait $wpid
is "window-avg SIGTERM: exit 0" "$?" 0
exec 7>&-
cp "$T/wterm.err" "$ERR"
mx_stats window-avg-term window-avg "$T/wterm.prom" late=kinpipe_records_late_total \
    late_windows=kinpipe_late_windows_total replayed=kinpipe_records_replayed_total \
    null_time=kinpipe_records_null_time_total batches=kinpipe_microbatches_total \
    missing=kinpipe_records_missing_column_total \
    bad_provenance=kinpipe_records_bad_provenance_total \
    table_rows=kinpipe_table_rows_written_total shared=kinpipe_records_shared_total
is "window-avg SIGTERM: read" "$(get "$T/wterm.prom" kinpipe_records_read_total)" 3

# --- kin-put and kin-read on kinesalite, through a proxy that throttles
# a third of the GetRecords calls: its log counts the throttles
kin_server
admin create m 3
n=400
records $n m >"$T/kin.in"
kin-put -s m --stats --metrics "$T/put.prom" <"$T/kin.in" >"$T/put.out" 2>"$ERR"
is "kin-put: exit 0" "$?" 0
mx_stats kin-put kin-put "$T/put.prom" retried=kinpipe_kinesis_records_retried_total \
    missing=kinpipe_records_missing_column_total failed=kinpipe_kinesis_records_failed_total \
    aggregates=kinpipe_kinesis_aggregates_put_total
is "kin-put: put, one result line each" "$(get "$T/put.prom" kinpipe_records_emitted_total)" "$(grep -c sequenceNumber "$T/put.out")"
is "kin-put: read, the input's lines" "$(get "$T/put.prom" kinpipe_records_read_total)" $n
is "kin-put: failed" "$(get "$T/put.prom" kinpipe_kinesis_records_failed_total)" 0

: >"$T/proxy.log"
node "$KP_ROOT/tests/e2e/faultproxy.js" --target "$KIN_PORT" --seed 5 --log "$T/proxy.log" \
    --rule throttle,p=0.3,first=1,op=GetRecords >"$T/.proxy-port" 2>/dev/null &
proxy_pid=$!
at_exit "kill $proxy_pid"
k=0
while [ ! -s "$T/.proxy-port" ] && [ $k -lt 100 ]; do sleep 0.05; k=$((k + 1)); done
proxy=http://127.0.0.1:$(cat "$T/.proxy-port")
kin-read -s m -o earliest -e --batch 50 --endpoint-url "$proxy" --stats --metrics "$T/read.prom" >"$T/read.out" 2>"$ERR"
is "kin-read: exit 0" "$?" 0
mx_stats kin-read kin-read "$T/read.prom" bytes=kinpipe_kinesis_bytes_read_total \
    getrecords=kinpipe_kinesis_getrecords_total retries=kinpipe_kinesis_retries_total \
    throttles=kinpipe_kinesis_throttles_total aggregates=kinpipe_kinesis_aggregates_read_total \
    kpl_dropped=kinpipe_kinesis_kpl_dropped_total kpl_whole=kinpipe_kinesis_kpl_whole_total
throttled=$(grep -c '^throttle GetRecords' "$T/proxy.log")
ok "kin-read: the proxy throttled ($throttled)" test "$throttled" -ge 1
is "kin-read: throttles, as the proxy logged them" "$(get "$T/read.prom" kinpipe_kinesis_throttles_total)" "$throttled"
is "kin-read: records, as kin-put put them" "$(get "$T/read.prom" kinpipe_records_emitted_total)" $n
is "kin-read: lines written" "$(wc -l <"$T/read.out")" $n
bytes=$(jq -j '.data' "$T/read.out" | wc -c)
is "kin-read: bytes, the data's" "$(get "$T/read.prom" kinpipe_kinesis_bytes_read_total)" "$bytes"
# per shard: each of the three, its line of --stats, its share of the output
sum_r=0 sum_t=0
for sh in $(jq -r .shardId "$T/read.out" | sort -u); do
	line=$(grep "^kin-read: $sh: " "$ERR")
	for kv in millisBehindLatest=kinpipe_kinesis_millis_behind_latest \
	    records=kinpipe_kinesis_shard_records_total bytes=kinpipe_kinesis_shard_bytes_total \
	    throttles=kinpipe_kinesis_shard_throttles_total retries=kinpipe_kinesis_shard_retries_total; do
		want=$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^${kv%%=*}=//p")
		is "kin-read $sh: ${kv#*=} as --stats says" \
		    "$(get "$T/read.prom" "${kv#*=}" stream=m shard="$sh")" "$want"
	done
	is "kin-read $sh: records, its lines" \
	    "$(get "$T/read.prom" kinpipe_kinesis_shard_records_total shard="$sh")" \
	    "$(jq -r .shardId "$T/read.out" | grep -c "^$sh\$")"
	sum_r=$((sum_r + $(get "$T/read.prom" kinpipe_kinesis_shard_records_total shard="$sh")))
	sum_t=$((sum_t + $(get "$T/read.prom" kinpipe_kinesis_shard_throttles_total shard="$sh")))
done
is "kin-read: three shards" "$(jq -r .shardId "$T/read.out" | sort -u | wc -l)" 3
is "kin-read: shard records add up" "$sum_r" $n
is "kin-read: shard throttles add up" "$sum_t" "$throttled"

# kin-read follows until SIGTERM: exit 0, the file written with its count
kin-read -s m -o earliest --metrics "$T/follow.prom" --metrics-interval 1h >"$T/follow.out" 2>/dev/null &
rpid=$!
wait_for 20 lines_at_least $n "$T/follow.out"
signal_wait $rpid TERM 10
is "kin-read SIGTERM: exit 0" "$?" 0
is "kin-read SIGTERM: counted" "$(get "$T/follow.prom" kinpipe_records_emitted_total)" "$(wc -l <"$T/follow.out")"
ok "kin-read SIGTERM: lag of a shard read to its end" test \
    "$(get "$T/follow.prom" kinpipe_kinesis_millis_behind_latest shard=shardId-000000000000)" -ge 0

# --- wallet-server and its clients: the ledger in SQLite is the witness
DB=$T/wallet.db
ws_user "$DB" m1 1000
ws_start ws "$DB" --price 40000 --stats --metrics "$T/ws.prom" --metrics-interval 50ms
export WALLET_API=http://127.0.0.1:$WS_PORT/ WALLET_USER_ID=m1 WALLET_ACCESS_KEY_FILE=$T/m1.key
unset WALLET_ACCESS_KEY XDG_CONFIG_HOME
HOME=$T/home
export HOME
# 0.01 BTC at 40000 = 400 euro: two fit in 1000, the third does not
printf '%s\n' '{"amount":0.01}' 'not json' '{"amount":0.01}' '{"amount":0.01}' >"$T/orders"
wallet-buy --on-error=null --stats --metrics "$T/buy.prom" <"$T/orders" >"$OUT" 2>"$ERR"
is "wallet-buy: 1, an order refused" "$?" 1
mx_stats wallet-buy wallet-buy "$T/buy.prom" placed=kinpipe_wallet_orders_placed_total \
    rejected=kinpipe_wallet_orders_rejected_total failed=kinpipe_wallet_orders_failed_total
is "wallet-buy: placed" "$(get "$T/buy.prom" kinpipe_wallet_orders_placed_total)" 2
is "wallet-buy: rejected" "$(get "$T/buy.prom" kinpipe_wallet_orders_rejected_total)" 1
is "wallet-buy: nulled, the bad line" "$(get "$T/buy.prom" kinpipe_records_nulled_total)" 1
is "wallet-buy: a batch per order" "$(get "$T/buy.prom" kinpipe_batch_duration_seconds_count)" 3
wallet-sell --stats --metrics "$T/sell.prom" 0.005 >"$OUT" 2>"$ERR"
is "wallet-sell: exit 0" "$?" 0
mx_stats wallet-sell wallet-sell "$T/sell.prom" placed=kinpipe_wallet_orders_placed_total \
    rejected=kinpipe_wallet_orders_rejected_total failed=kinpipe_wallet_orders_failed_total
is "wallet-sell: placed" "$(get "$T/sell.prom" kinpipe_wallet_orders_placed_total)" 1
wallet-info --stats --metrics "$T/info.prom" >"$OUT" 2>"$ERR"
is "wallet-info: exit 0" "$?" 0
mx_stats wallet-info wallet-info "$T/info.prom" rejected=kinpipe_wallet_requests_rejected_total \
    failed=kinpipe_wallet_requests_failed_total
is "wallet-info: one answer" "$(get "$T/info.prom" kinpipe_records_emitted_total)" 1
WALLET_USER_ID=nobody wallet-info --stats --metrics "$T/info2.prom" >"$OUT" 2>"$ERR"
is "wallet-info unknown user: 1" "$?" 1
mx_stats wallet-info-refused wallet-info "$T/info2.prom" rejected=kinpipe_wallet_requests_rejected_total \
    failed=kinpipe_wallet_requests_failed_total
is "wallet-info unknown user: rejected" "$(get "$T/info2.prom" kinpipe_wallet_requests_rejected_total)" 1

# while serving, the file follows the trades (rewritten every 50ms)
k=0
while [ "$(get "$T/ws.prom" kinpipe_wallet_trades_total 2>/dev/null)" != 3 ] && [ $k -lt 200 ]; do sleep 0.05; k=$((k + 1)); done
is "wallet-server: trades while serving" "$(get "$T/ws.prom" kinpipe_wallet_trades_total)" 3
kill -TERM $WS_PID
wait $WS_PID
is "wallet-server SIGTERM: exit 0" "$?" 0
cp "$T/ws.log" "$ERR"
mx_stats wallet-server wallet-server "$T/ws.prom" trades=kinpipe_wallet_trades_total \
    rejected=kinpipe_wallet_rejections_total failed=kinpipe_wallet_server_errors_total
is "wallet-server: trades, the ledger's orders" "$(get "$T/ws.prom" kinpipe_wallet_trades_total)" \
    "$(sqlite3 "$DB" 'select count(*) from orders')"
is "wallet-server: rejections (the third buy, the unknown user's info is no order)" \
    "$(get "$T/ws.prom" kinpipe_wallet_rejections_total)" 1
# requests: 4 orders, 1 info, 1 refused info, and one probe of info/ per
# client that found the server says repeated order ids are safe: at least 6
ok "wallet-server: requests, each a latency sample" test \
    "$(get "$T/ws.prom" kinpipe_batch_duration_seconds_count)" = "$(get "$T/ws.prom" kinpipe_records_read_total)"

# --- bad invocations: usage errors (2) before any work, an unwritable
# file an error (1) before any record is read
te "missing directory: 1" 1 "ts-parse: --metrics: $T/none/x.prom.tmp: No such file or directory" \
    '{"timestamp":"2024-01-01 00:00:07"}' ts-parse --metrics "$T/none/x.prom"
is "missing directory: nothing written" "$(cat "$OUT")" ""
te "interval 0: 2" 2 "usage: *
ts-parse: --metrics-interval: must be above zero: '0s'" "" ts-parse --metrics "$T/i.prom" --metrics-interval 0s
te "interval garbage: 2" 2 "usage: *
ts-parse: --metrics-interval: bad interval 'soon'*" "" ts-parse --metrics "$T/i.prom" --metrics-interval soon
te "interval without --metrics: 2" 2 "usage: *
json-project: --metrics-interval goes with --metrics" "" json-project --schema 'a INT' --metrics-interval 5s
is "usage errors: no file" "$(ls "$T" | grep -c '^i.prom')" 0
te "same as --state: 2" 2 "usage: *
window-avg: --metrics $T/s: the file of --state $T/s, or its .tmp" "" \
    window-avg -t t -w 5m --avg v --state "$T/s" --metrics "$T/s"
te "same as --table's temporary file: 2" 2 "usage: *
window-avg: --metrics $T/tb.tmp: the file of --table $T/tb, or its .tmp" "" \
    window-avg -t t -w 5m --avg v --table "$T/tb" --metrics "$T/tb.tmp"
te "same as --checkpoint: 2" 2 "usage: *
kin-read: --metrics $T/ck: the file of --checkpoint $T/ck, or its .tmp" "" \
    kin-read -s m --checkpoint "$T/ck" --metrics "$T/ck"
te "same as --db: 2" 2 "usage: *
wallet-server: --metrics $DB: the file of --db $DB, or its .tmp" "" \
    wallet-server --db "$DB" --metrics "$DB"
te "wallet-server user add: 2" 2 "usage: *
wallet-server: --stats and --metrics go with serving" "" \
    wallet-server --db "$DB" --metrics "$T/x.prom" user add z
for tool in json-project ts-parse window-avg kin-read kin-put wallet-info wallet-buy wallet-sell wallet-server; do
	"$tool" --help >"$OUT"
	like "$tool --help: --metrics" "$(cat "$OUT")" "*--metrics FILE*--metrics-interval*"
done

finish
