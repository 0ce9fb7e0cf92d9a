#!/bin/sh
# window-avg end to end: Spark's windows (cases from DataFrameTimeWindowing-
# Suite), the structured streaming guide's watermark example with its
# exact inputs and outputs, every mode and the combinations Spark rejects,
# nulls and bad input, state files (replays, SIGKILL and restart, refusal),
# partials merged across shards, an independent Python computation, and
# the man page's EXAMPLES.
. "$(dirname "$0")/lib.sh"

WA=window-avg
N=${KP_SANITIZED:+4000}
N=${N:-20000}

# ---- options ----
run '' $WA --help
is help-rc "$rc" 0
like help-text "$(head -1 "$OUT")" 'usage: window-avg --time COL --window DURATION*'
t version 0 "window-avg 0.1.0" '' $WA --version

usage() {
	kp_n=$1 kp_msg=$2
	shift 2
	run '' "$@"
	is "$kp_n-rc" "$rc" 2
	is "$kp_n-msg" "$(tail -n 1 "$ERR")" "window-avg: $kp_msg"
}
usage no-time '--time COL is required' $WA -w 10s --avg v
usage no-window '--window DURATION is required' $WA -t t --avg v
usage no-aggregate 'no aggregate: give --avg, --count, --sum, --min or --max' $WA -t t -w 10s
usage bad-window "--window: bad interval 'ten minutes': expected a number at 'ten minutes'" $WA -t t -w 'ten minutes' --avg v
usage slide-over-window 'the slide duration must be less than or equal to the window duration' $WA -t t -w 5s --slide 10s --avg v
usage start-not-under-slide 'the absolute value of the start time must be less than the slide duration' $WA -t t -w 10s --slide 5s --start-time=-5s --avg v
usage append-without-watermark 'Append output mode not supported when there are streaming aggregations on streaming DataFrames/DataSets without watermark' $WA -t t -w 10s --avg v --mode append
usage bad-mode "--mode: expected complete, update or append, got 'all'" $WA -t t -w 10s --avg v --mode all
usage table-not-complete '--table keeps the complete table: it needs --mode complete' $WA -t t -w 10s --avg v --mode update --table x
usage star-not-count "--avg: '*' only makes sense for --count" $WA -t t -w 10s --avg '*'
usage same-alias "two output columns named 'a'" $WA -t t -w 10s --avg v=a --sum v=a
usage alias-is-group "output column 'g' is also a grouping column" $WA -t t -w 10s --avg v=g -g g
usage merge-with-time '--merge takes its windows from the partials: --time, --window, --slide, --start-time, --watermark, --emit and --state do not apply' $WA --merge -t t --avg v
usage partials-complete '--emit partials emits the changed windows of each trigger: only --mode update applies' $WA -t t -w 10s --avg v --emit partials --mode complete
usage bad-on-error "--on-error: expected null, skip or fail, got 'drop'" $WA -t t -w 10s --avg v --on-error drop
usage bad-trigger "--trigger: bad interval 'soon': expected a number at 'soon'" $WA -t t -w 10s --avg v --trigger soon
usage unknown-option "unknown option '--bogus'" $WA -t t -w 10s --avg v --bogus
usage missing-argument "option '--time' needs an argument" $WA -w 10s --avg v --time
usage unknown-short-option "option '-x' is unknown or needs an argument" $WA -t t -w 10s --avg v -x
usage huge-window "--window: longer than a thousand years: '100000 weeks'" $WA -t t -w '100000 weeks' --avg v

# ---- Spark's window assignment ----
# DataFrameTimeWindowingSuite "sliding window grouping": count(*) per
# 10 s window every 3 s.
SPARK3='{"time":"2016-03-27 19:39:34","value":1,"id":"a"}
{"time":"2016-03-27 19:39:56","value":2,"id":"a"}
{"time":"2016-03-27 19:39:27","value":4,"id":"b"}
'
w() { printf '{"window":{"start":"2016-03-27T19:39:%sZ","end":"2016-03-27T%sZ"},%s}' "$1" "$2" "$3"; }
t sliding-grouping 0 "$(w 18 19:39:28 '"count(1)":1,"batch":0'; echo
w 21 19:39:31 '"count(1)":1,"batch":0'; echo
w 24 19:39:34 '"count(1)":1,"batch":0'; echo
w 27 19:39:37 '"count(1)":2,"batch":0'; echo
w 30 19:39:40 '"count(1)":1,"batch":0'; echo
w 33 19:39:43 '"count(1)":1,"batch":0'; echo
w 48 19:39:58 '"count(1)":1,"batch":0'; echo
w 51 19:40:01 '"count(1)":1,"batch":0'; echo
w 54 19:40:04 '"count(1)":1,"batch":0')" "$SPARK3" $WA -t time -w '10 seconds' --slide '3 seconds' --start-time '0 second' --count '*'
# the same times as epoch seconds (Spark's "time windowing" tests use
# 1459103974 for 19:39:34, which is 18:39:34 UTC: their session runs in
# America/Los_Angeles; here the instants are UTC's)
EPOCH3='{"time":1459107574,"value":1}
{"time":1459107596,"value":2}
{"time":1459107567,"value":4}
'
t epoch-seconds 0 "$(w 20 19:39:30 '"sum(value)":4'; echo
w 30 19:39:40 '"sum(value)":1'; echo
w 50 19:40:00 '"sum(value)":2')" "$EPOCH3" $WA -t time -w 10s --sum value --mode update
# "time window in SQL with three expressions", start time 5 s and -5 s
for st in 5s -5s; do
	t "start-time$st" 0 "$(w 25 19:39:35 '"min(value)":1,"max(value)":4,"count(value)":2'; echo
w 55 19:40:05 '"min(value)":2,"max(value)":2,"count(value)":1')" "$SPARK3" $WA -t time -w 10s --start-time=$st --min value --max value --count value --mode update
done
# "negative timestamps"
t before-1970 0 '{"window":{"start":"1969-12-31T23:59:55Z","end":"1970-01-01T00:00:05Z"},"sum(value)":1}
{"window":{"start":"1970-01-01T00:00:05Z","end":"1970-01-01T00:00:15Z"},"sum(value)":2}' '{"time":"1970-01-01 00:00:02","value":1}
{"time":"1970-01-01 00:00:12","value":2}
' $WA -t time -w 10s --slide 10s --start-time 5s --sum value --mode update
# "millisecond precision sliding windows": 200 ms every 40 ms
m() { printf '{"window":{"start":"2016-03-27T09:00:00.%sZ","end":"2016-03-27T09:00:00.%sZ"},"n":%s}\n' "$@"; }
t milliseconds 0 "$(m 24 44 1; m 28 48 1; m 32 52 1; m 36 56 1; m 4 6 1; m 44 64 1
m 48 68 1; m 52 72 2; m 56 76 2; m 6 8 2; m 64 84 1; m 68 88 1)" '{"time":"2016-03-27 09:00:00.41","value":3}
{"time":"2016-03-27 09:00:00.62","value":6}
{"time":"2016-03-27 09:00:00.715","value":8}
' $WA -t time -w '200 milliseconds' --slide '40 milliseconds' --count '*=n' --mode update
# RFC 3339 with offsets and epoch seconds with fractions name the same instant
t rfc3339-offset-and-epoch-fraction 0 '{"window":{"start":"2016-03-27T19:39:30Z","end":"2016-03-27T19:39:40Z"},"n":3}' '{"time":"2016-03-27T21:39:34.5+02:00"}
{"time":1459107574.5}
{"time":"2016-03-27T19:39:39.999999Z"}
' $WA -t time -w 10s --count '*=n' --mode update
# the notebook's names, and a group key after the window
t notebook-names 0 '{"time_window":{"start":"2023-12-31T23:55:00Z","end":"2024-01-01T00:05:00Z"},"window_avg_euro_rate":2.5}
{"time_window":{"start":"2024-01-01T00:00:00Z","end":"2024-01-01T00:10:00Z"},"window_avg_euro_rate":3}
{"time_window":{"start":"2024-01-01T00:05:00Z","end":"2024-01-01T00:15:00Z"},"window_avg_euro_rate":4}' '{"timestamp":"2024-01-01T00:00:00","euro_rate":2}
{"timestamp":"2024-01-01T00:04:59","euro_rate":3}
{"timestamp":"2024-01-01T00:05:00","euro_rate":4}
' $WA --time timestamp --window '10 minutes' --slide '5 minutes' --window-column time_window --avg euro_rate=window_avg_euro_rate --mode update
t group-keys-canonical 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"c":"A","k":1,"n":3}
{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"c":"B","k":null,"n":2}' '{"t":1,"c":"A","k":1}
{"t":2,"c":"\u0041","k":1.0}
{"t":3,"c":"A","k":10e-1}
{"t":4,"c":"B"}
{"t":5,"c":"B","k":null}
' $WA -t t -w 10s -g c,k --count '*=n' --mode update

# numbers print as the shortest %.15g/%.16g/%.17g text that reads back
# (kinpipe(7)): the fast path for fixed notation and jx for the rest
NUMS='{"t":1,"v":0.1}
{"t":2,"v":1e-7}
{"t":3,"v":1e20}
{"t":4,"v":2.5e15}
{"t":5,"v":-0.0001}
{"t":6,"v":100}
{"t":7,"v":999999999999999}
{"t":8,"v":0.30000000000000004}
{"t":9,"v":123.456}
{"t":10,"v":-5e-324}
{"t":11,"v":41234.57120000001}
'
run "$NUMS" $WA -t t -w 1s --max v=v --mode update
is number-text "$(sed 's/.*"v"://; s/}$//' "$OUT" | tr '\n' ' ')" "0.1 1e-07 1e+20 2.5e+15 -0.0001 100 999999999999999 0.30000000000000004 123.456 -5e-324 41234.57120000001 "

# ---- nulls and missing values ----
t nulls 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"avg(v)":2,"sum(v)":4,"count(v)":2,"count(1)":4,"min(v)":1,"max(v)":3}
{"window":{"start":"1970-01-01T00:00:10Z","end":"1970-01-01T00:00:20Z"},"avg(v)":null,"sum(v)":null,"count(v)":0,"count(1)":2,"min(v)":null,"max(v)":null}' '{"t":1,"v":1}
{"t":2,"v":null}
{"t":3}
{"t":4,"v":3}
{"t":11,"v":null}
{"t":12}
{"t":null,"v":100}
{"v":100}
' $WA -t t -w 10s --avg v --sum v --count v --count '*' --min v --max v --mode update --stats
is null-time-stats "$(cat "$ERR")" "window-avg: stats: final read=8 emitted=2 nulled=0 skipped=0 late=0 late_windows=0 replayed=0 null_time=2 batches=1 missing=3 bad_provenance=0 table_rows=0 shared=0"

# ---- bad input: every policy, the line named, no good record lost ----
BAD='{"t":1,"v":1}
not json
{"t":true,"v":2}
{"t":"2024-13-01T00:00:00Z","v":2}
{"t":2,"v":"x"}
{"t":3,"v":[1]}
{"t":4,"v":4}
'
ONE='{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"}'
t bad-null 0 "$ONE,\"avg(v)\":2.5,\"count(1)\":4}" "$BAD" $WA -t t -w 10s --avg v --count '*' --mode update --stats
is bad-null-stderr "$(cat "$ERR")" "window-avg: <stdin>:2: not a JSON object: byte 1: JSON object expected (nulled, so dropped)
window-avg: <stdin>:3: field 't': bad event time: not a string or a number (nulled, so dropped)
window-avg: <stdin>:4: field 't': bad event time: date out of range: '2024-13-01T00:00:00Z' (nulled, so dropped)
window-avg: <stdin>:5: field 'v': not a number (nulled)
window-avg: <stdin>:6: field 'v': not a number (nulled)
window-avg: stats: final read=7 emitted=1 nulled=5 skipped=0 late=0 late_windows=0 replayed=0 null_time=0 batches=1 missing=0 bad_provenance=0 table_rows=0 shared=0"
t bad-skip 0 "$ONE,\"avg(v)\":2.5,\"count(1)\":2}" "$BAD" $WA -t t -w 10s --avg v --count '*' --mode update --on-error=skip --stats
is bad-skip-stats "$(tail -n 1 "$ERR")" "window-avg: stats: final read=7 emitted=1 nulled=0 skipped=5 late=0 late_windows=0 replayed=0 null_time=0 batches=1 missing=0 bad_provenance=0 table_rows=0 shared=0"
like bad-skip-first "$(head -n 1 "$ERR")" "window-avg: <stdin>:2: not a JSON object: *(skipped)"
t bad-fail 1 '' "$BAD" $WA -t t -w 10s --avg v --on-error=fail
is bad-fail-stderr "$(cat "$ERR")" "window-avg: <stdin>:2: not a JSON object: byte 1: JSON object expected"
# NUL bytes, invalid UTF-8, a huge line: refused as JSON, the rest counted
printf '{"t":1,"v":1}\n{"t":1,"v":\0001}\n{"t":1,"s":"\377","v":5}\n' >"$T/binary"
{ head -c 3000000 /dev/zero | tr '\0' 'x'; echo; } |
	sed 's/^/{"t":1,"v":1,"pad":"/; s/$/"}/' >>"$T/binary"
printf '{"t":2,"v":3}' >>"$T/binary"	# last line without a newline
$WA -t t -w 10s --avg v --count '*' --mode update <"$T/binary" >"$OUT" 2>"$ERR"
is binary-rc "$?" 0
is binary-out "$(cat "$OUT")" "$ONE,\"avg(v)\":1.6666666666666667,\"count(1)\":3}"
is binary-stderr-lines "$(wc -l <"$ERR")" 2
like binary-nul "$(head -n 1 "$ERR")" "window-avg: <stdin>:2: not a JSON object: *(nulled, so dropped)"
like binary-utf8 "$(tail -n 1 "$ERR")" "window-avg: <stdin>:3: not a JSON object: *(nulled, so dropped)"
# times of one day after another, bad times of a known day, offsets and
# fractions: each read as RFC 3339 says
t plain-times 0 '{"window":{"start":"2024-01-01T00:00:00Z","end":"2024-01-02T00:00:00Z"},"n":3}
{"window":{"start":"2024-01-02T00:00:00Z","end":"2024-01-03T00:00:00Z"},"n":1}' '{"t":"2024-01-01T23:59:59"}
{"t":"2024-01-01T24:00:00"}
{"t":"2024-01-01T23:60:00Z"}
{"t":"2024-01-01T12:00:00+12:00"}
{"t":"2024-01-02T00:00:00Z"}
{"t":"2024-01-01T00:00:00.5"}
' $WA -t t -w 1d --count '*=n' --mode update
is plain-times-stderr "$(cat "$ERR")" "window-avg: <stdin>:2: field 't': bad event time: time of day out of range: '2024-01-01T24:00:00' (nulled, so dropped)
window-avg: <stdin>:3: field 't': bad event time: time of day out of range: '2024-01-01T23:60:00Z' (nulled, so dropped)"
# Spark's timestamps run from year 1 to 9999
t time-range 0 '{"window":{"start":"0001-01-01T00:00:00Z","end":"0001-01-02T00:00:00Z"},"avg(v)":2}' '{"t":1e15,"v":1}
{"t":"0000-12-31T00:00:00Z","v":1}
{"t":-62135596800,"v":2}
' $WA -t t -w 1d --avg v --mode update
is time-range-stderr "$(cat "$ERR")" "window-avg: <stdin>:1: field 't': bad event time: epoch seconds out of range: 1e+15 (nulled, so dropped)
window-avg: <stdin>:2: field 't': bad event time: outside years 0001 to 9999 (nulled, so dropped)"
run "$SPARK3" sh -c "$WA -t time -w 10s --avg value >/dev/full"
is dev-full-rc "$rc" 1
like dev-full-msg "$(cat "$ERR")" "window-avg: write error: *"

# ---- the structured streaming guide's watermark example ----
# words.withWatermark("timestamp", "10 minutes").groupBy(window(timestamp,
# "10 minutes", "5 minutes"), word).count(), four triggers of input. Each
# batch is written at once and followed by a pause, so each is one trigger.
g() { printf '{"timestamp":"2024-01-01T%s:00Z","word":"%s"}\n' "$1" "$2"; }
B1=$(g 12:07 dog; g 12:08 owl)
B2=$(g 12:14 dog; g 12:09 cat)
B3=$(g 12:15 cat; g 12:08 dog; g 12:13 owl; g 12:21 owl)
B4=$(g 12:04 donkey; g 12:17 owl)
# a shell's printf may write line by line; cat writes a small file at once
for i in 1 2 3 4; do
	eval "printf '%s\n' \"\$B$i\"" >"$T/b$i"
done
feed() {	# feed DELAY: the four batches with a pause after each
	for i in 1 2 3 4; do
		cat "$T/b$i"
		sleep "$1"
	done
}
r() { printf '{"window":{"start":"2024-01-01T%s:00Z","end":"2024-01-01T%s:00Z"},"word":"%s","count":%s%s}\n' "$@"; }
GUIDE="-t timestamp -w 10m --slide 5m -g word --count *=count"
feed 0.4 | $WA $GUIDE --watermark '10 minutes' --mode update --stats >"$OUT" 2>"$ERR"
{ r 12:00 12:10 dog 1; r 12:00 12:10 owl 1; r 12:05 12:15 dog 1; r 12:05 12:15 owl 1
r 12:00 12:10 cat 1; r 12:05 12:15 cat 1; r 12:05 12:15 dog 2; r 12:10 12:20 dog 1
r 12:00 12:10 dog 2; r 12:05 12:15 dog 3; r 12:05 12:15 owl 2; r 12:10 12:20 cat 1
r 12:10 12:20 owl 1; r 12:15 12:25 cat 1; r 12:15 12:25 owl 1; r 12:20 12:30 owl 1
r 12:10 12:20 owl 2; r 12:15 12:25 owl 2; } >"$T/guide-update.want"
is guide-update "$(cat "$OUT")" "$(cat "$T/guide-update.want")"
# (12:04, donkey) is too late for both its windows, which end before 12:11;
# 4 data batches and 3 no-data batches that moved the watermark
is guide-update-stats "$(cat "$ERR")" "window-avg: stats: final read=10 emitted=18 nulled=0 skipped=0 late=1 late_windows=2 replayed=0 null_time=0 batches=7 missing=0 bad_provenance=0 table_rows=0 shared=0"

# ---- input files ----
# read in order, - for standard input, line numbers per file; going from
# one file to the next is no batch end (one trigger, batch 0, for all);
# a file that cannot be opened stops the run there, named, exit 1
printf '%s\n%s' '{"t":1,"v":1}' '{"t":2,"v":2}' >"$T/fa.ndjson"
printf '%s\n%s\n' '{"t":11,"v":10}' '{"t":"x","v":5}' >"$T/fb.ndjson"
: >"$T/empty.ndjson"
fr() { printf '{"window":{"start":"1970-01-01T00:00:%s0Z","end":"1970-01-01T00:00:%s0Z"},"s":%s,"batch":%s}\n' "$@"; }
t files-in-order 0 "$(fr 0 1 3 0; fr 1 2 10 0)" "" $WA -t t -w 10s --sum v=s "$T/fa.ndjson" "$T/fb.ndjson"
like files-error-names-file "$(cat "$ERR")" "window-avg: $T/fb.ndjson:2: field 't': bad event time: *(nulled, so dropped)"
t files-and-stdin 0 "$(fr 0 1 7 0; fr 1 2 10 0)" '{"t":3,"v":4}
' $WA -t t -w 10s --sum v=s "$T/fa.ndjson" - "$T/fb.ndjson"
t stdin-dash-only 0 "$(fr 0 1 4 0)" '{"t":3,"v":4}
' $WA -t t -w 10s --sum v=s -
t files-fail-names-line 1 "" "" $WA -t t -w 10s --sum v=s --on-error fail "$T/fa.ndjson" "$T/fb.ndjson"
is files-fail-names-line-err "$(cat "$ERR")" "window-avg: $T/fb.ndjson:2: field 't': bad event time: not an RFC 3339 time: 'x'"
t missing-file 1 "$(fr 0 1 3 0)" "" $WA -t t -w 10s --sum v=s "$T/fa.ndjson" "$T/nope.ndjson" "$T/fb.ndjson"
is missing-file-err "$(cat "$ERR")" "window-avg: $T/nope.ndjson: open: No such file or directory"
# a pipe on standard input after a file still ends a batch whenever it
# runs dry: the same batches as guide-update above
feed 0.4 | $WA $GUIDE --watermark '10 minutes' --mode update --stats "$T/empty.ndjson" - >"$T/pipe.out" 2>"$ERR"
is pipe-after-file "$(cat "$T/pipe.out")" "$(cat "$T/guide-update.want")"
is pipe-after-file-stats "$(cat "$ERR")" "window-avg: stats: final read=10 emitted=18 nulled=0 skipped=0 late=1 late_windows=2 replayed=0 null_time=0 batches=7 missing=0 bad_provenance=0 table_rows=0 shared=0"

# append: the 12:00-12:10 counts come out once, as soon as the watermark
# passes 12:10 (after the third trigger), and nothing else before the end
mkfifo "$T/fifo"
$WA $GUIDE --watermark 10m --mode append <"$T/fifo" >"$T/append.out" 2>"$ERR" &
pid=$!
exec 3>"$T/fifo"
cat "$T/b1" >&3; sleep 0.4
cat "$T/b2" >&3; sleep 0.4
is guide-append-early "$(cat "$T/append.out")" ""
cat "$T/b3" >&3; sleep 0.6
FIRST=$(r 12:00 12:10 cat 1; r 12:00 12:10 dog 2; r 12:00 12:10 owl 1)
is guide-append-final-window "$(cat "$T/append.out")" "$FIRST"
cat "$T/b4" >&3; sleep 0.4
is guide-append-late-ignored "$(cat "$T/append.out")" "$FIRST"
exec 3>&-
wait $pid
is guide-append-rc "$?" 0
# end of input ends event time: every remaining window, once
is guide-append-eof "$(cat "$T/append.out")" "$FIRST
$(r 12:05 12:15 cat 1; r 12:05 12:15 dog 3; r 12:05 12:15 owl 2
r 12:10 12:20 cat 1; r 12:10 12:20 dog 1; r 12:10 12:20 owl 2
r 12:15 12:25 cat 1; r 12:15 12:25 owl 2; r 12:20 12:30 owl 1)"

# complete mode keeps every window, so the watermark drops nothing
feed 0.3 | $WA $GUIDE --watermark 10m --mode complete --table "$T/table" >"$OUT" 2>"$ERR"
COMPLETE=$(r 11:55 12:05 donkey 1; r 12:00 12:10 cat 1; r 12:00 12:10 dog 2
r 12:00 12:10 donkey 1; r 12:00 12:10 owl 1; r 12:05 12:15 cat 1
r 12:05 12:15 dog 3; r 12:05 12:15 owl 2; r 12:10 12:20 cat 1
r 12:10 12:20 dog 1; r 12:10 12:20 owl 2; r 12:15 12:25 cat 1
r 12:15 12:25 owl 2; r 12:20 12:30 owl 1)
is complete-watermark-table "$(cat "$T/table")" "$COMPLETE"
is complete-table-only "$(cat "$OUT")" ""
# without --table every trigger writes the whole table, numbered
feed 0.3 | $WA $GUIDE --mode complete >"$OUT" 2>"$ERR"
is complete-batches "$(grep -o '"batch":[0-9]*' "$OUT" | uniq -c | sed 's/^ *//')" '4 "batch":0
7 "batch":1
12 "batch":2
14 "batch":3'
is complete-last-table "$(grep '"batch":3' "$OUT" | sed 's/,"batch":3}/}/')" "$COMPLETE"
feed 0.3 | $WA $GUIDE --mode complete --table "$T/table2" --tee >"$OUT" 2>"$ERR"
is table-tee "$(grep -c . "$OUT") $(cat "$T/table2")" "37 $COMPLETE"
# update without a watermark: nothing is late
feed 0.3 | $WA $GUIDE --mode update >"$OUT" 2>"$ERR"
is update-no-watermark "$(tail -n 4 "$OUT")" "$(r 11:55 12:05 donkey 1; r 12:00 12:10 donkey 1
r 12:10 12:20 owl 2; r 12:15 12:25 owl 2)"

# ---- triggers ----
feed 0.2 | $WA $GUIDE --mode complete --trigger available-now >"$OUT" 2>"$ERR"
is available-now "$(cat "$OUT")" "$(printf '%s\n' "$COMPLETE" | sed 's/}$/,"batch":0}/')"
{ cat "$T/b1"; sleep 0.2; cat "$T/b2"; sleep 1.6; cat "$T/b3"; } |
	$WA $GUIDE --mode update --trigger '1 second' --stats >"$OUT" 2>"$ERR"
like processing-time "$(cat "$ERR")" "*batches=2 missing=0 *"

# ---- exactly-once state ----
# bitcoin records with the Kinesis fields kept by json-project: four
# shards, 56-digit sequence numbers, 1% out of order
python3 "$KP_ROOT/examples/gen-bitcoin.py" --count "$N" --disorder 0.01 |
python3 "$KP_ROOT/tests/e2e/shard-records.py" >"$T/sharded"
Q="-t timestamp -w 10m --slide 5m --avg euro_rate --count *=n"
$WA $Q --trigger available-now --table "$T/ref.table" <"$T/sharded" >/dev/null 2>"$ERR"
is reference-rc "$?" 0

# the result against an independent computation: Python's math.fsum
cat >"$T/check.py" <<'PY'
import json, math, sys
vals = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    y, mo, d = map(int, r["timestamp"][:10].split("-"))
    import datetime
    t = int(datetime.datetime(y, mo, d, int(r["timestamp"][11:13]), int(r["timestamp"][14:16]),
        int(r["timestamp"][17:19]), tzinfo=datetime.timezone.utc).timestamp())
    last = t - t % 300
    for s in (last, last - 300):
        vals.setdefault(s, []).append(r["euro_rate"])
got = [json.loads(l) for l in open(sys.argv[2])]
bad = 0
if len(got) != len(vals):
    print("windows: got %d, wanted %d" % (len(got), len(vals))); bad = 1
for g in got:
    w = g["window"]
    s = int(datetime.datetime.fromisoformat(w["start"].replace("Z", "+00:00")).timestamp())
    v = vals.get(s)
    want = math.fsum(v) / len(v) if v else None
    if v is None or g["n"] != len(v) or abs(g["avg(euro_rate)"] - want) > 1e-9 * abs(want):
        print("window", w, "got", g, "wanted", want, len(v or [])); bad = 1
sys.exit(bad)
PY
ok python-fsum python3 "$T/check.py" "$T/sharded" "$T/ref.table"

# the same input again: every record is a replay, nothing counts twice
$WA $Q --state "$T/st" --table "$T/t1" <"$T/sharded" >/dev/null 2>"$ERR"
$WA $Q --state "$T/st" --table "$T/t1" --tee --stats <"$T/sharded" >"$OUT" 2>"$ERR"
# --tee: the rows went to stdout (emitted) and to the table (table_rows)
# (shared: as many as went through threads, which depends on the machine)
like replay-stats "$(cat "$ERR")" "window-avg: stats: final read=$N emitted=$(wc -l <"$T/ref.table") nulled=0 skipped=0 late=0 late_windows=0 replayed=$N null_time=0 batches=1 missing=0 bad_provenance=0 table_rows=$(wc -l <"$T/ref.table") shared=*"
is replay-table "$(cat "$T/t1")" "$(cat "$T/ref.table")"
is replay-batch "$(head -c 300 "$OUT" | grep -o '"batch":[0-9]*' | head -1)" '"batch":1'
# the marks kin-read --resume-from reads: the last sequenceNumber per shard
is state-marks "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["format"], d["version"], " ".join(k + "=" + v for k, v in sorted(d["shards"].items())))' "$T/st")" \
"kinpipe-window-avg-state 2 $(tail -n 4 "$T/sharded" | sort -t'"' -k12 | sed 's/.*"shardId":"\([^"]*\)","sequenceNumber":"\([0-9]*\)".*/\1=\2/' | sort | tr '\n' ' ' | sed 's/ $//')"
# half the input, then all of it: the second run counts only the rest
head -n $((N / 2)) "$T/sharded" | $WA $Q --state "$T/st2" --table "$T/t2" >/dev/null 2>"$ERR"
$WA $Q --state "$T/st2" --table "$T/t2" --stats <"$T/sharded" >/dev/null 2>"$ERR"
like half-replayed "$(cat "$ERR")" "* replayed=$((N / 2)) *"
is half-then-all "$(cat "$T/t2")" "$(cat "$T/ref.table")"
# without shardId and sequenceNumber nothing can be deduplicated: counted
printf '{"t":1,"v":1}\n' >"$T/plain"
$WA -t t -w 10s --sum v --state "$T/st3" <"$T/plain" >/dev/null 2>&1
t no-shard-counted-again 0 "$ONE,\"sum(v)\":2,\"batch\":1}" "$(cat "$T/plain")" $WA -t t -w 10s --sum v --state "$T/st3"

# SIGKILL at random moments, restarting on the same input each time (as
# kin-read --resume-from would replay it), until a run gets to the end
# about a second and a half of feeding, whatever N is
CHUNK=$((N / 150))
slow() {
	python3 -c '
import sys, time
lines = open(sys.argv[1]).readlines()
c = int(sys.argv[2])
for i in range(0, len(lines), c):
    sys.stdout.write("".join(lines[i:i + c])); sys.stdout.flush(); time.sleep(0.01)
' "$1" "$CHUNK"
}
kills=0
rm -f "$T/k.state" "$T/k.table"
for attempt in 1 2 3 4 5 6 7 8 9 10 11 12; do
	rm -f "$T/k.pid"
	# the subshell keeps the shell's "Killed" notices out of the log
	( slow "$T/sharded" 2>/dev/null | sh -c 'echo $$ >"$1/k.pid"; shift; exec "$@"' \
	    sh "$T" $WA $Q --state "$T/k.state" --table "$T/k.table" >/dev/null 2>>"$T/k.err" ) 2>/dev/null &
	sub=$!
	if [ $attempt -lt 12 ]; then
		sleep "0.$(( (RANDOM % 35) + 5 ))"
		[ -s "$T/k.pid" ] && kill -9 "$(cat "$T/k.pid")" 2>/dev/null && kills=$((kills + 1))
	fi
	wait $sub && break
done
ok sigkill-happened test "$kills" -ge 3
is sigkill-no-errors "$(cat "$T/k.err")" ""
is sigkill-same-table "$(cat "$T/k.table")" "$(cat "$T/ref.table")"
# SIGTERM: the batch finishes and is committed, exit 0
rm -f "$T/fifo" && mkfifo "$T/fifo"
$WA $Q --state "$T/term.state" <"$T/fifo" >/dev/null 2>"$ERR" &
pid=$!
exec 3>"$T/fifo"
head -n 100 "$T/sharded" >&3
sleep 0.3
kill -TERM $pid
wait $pid
is sigterm-rc "$?" 0
exec 3>&-
like sigterm-committed "$(cat "$T/term.state")" '*"shardId-000000000003":"4959*'

# sealed: the last member is the SHA-256 of every byte before its comma
# (checked here with Python's hashlib)
cat >"$T/seal.py" <<'PY'
import hashlib, sys
t = open(sys.argv[1], "rb").read().rstrip(b"\n")
if sys.argv[2:] == ["reseal"]:    # after an edit: a correct seal again
    body = t[:-77]
    t = body + b',"sha256":"' + hashlib.sha256(body).hexdigest().encode() + b'"}'
    open(sys.argv[1], "wb").write(t + b"\n")
else:
    ok = t[-77:-66] == b',"sha256":"' and t[-2:] == b'"}'
    print("sealed" if ok and hashlib.sha256(t[:-77]).hexdigest() == t[-66:-2].decode() else "not sealed")
PY
is state-sealed "$(python3 "$T/seal.py" "$T/st")" sealed

# corrupt, foreign or another query's state is refused, nothing output
printf '{"format":"kinpipe-window-avg-state","version":1,"shards":{"a":"1"},"query":' >"$T/cut"
t state-truncated 1 '' "$SPARK3" $WA -t time -w 10s --avg value --state "$T/cut"
is state-truncated-msg "$(cat "$ERR")" "window-avg: $T/cut: damaged (not JSON: unexpected token near end of file (at byte 76)): not used. To start over, move it aside (mv $T/cut $T/cut.damaged): the run then starts with no windows and no replay marks, and counts again whatever it reads"
printf '{"format":"kinpipe-kin-read-checkpoint","version":1,"shards":{}}\n' >"$T/foreign"
t state-foreign 1 '' "$SPARK3" $WA -t time -w 10s --avg value --state "$T/foreign"
is state-foreign-msg "$(cat "$ERR")" "window-avg: $T/foreign: not a window-avg state file: \"format\" is not \"kinpipe-window-avg-state\""
t state-other-query 1 '' "$SPARK3" $WA -t time -w 20s --avg value --state "$T/st"
like state-other-query-msg "$(cat "$ERR")" "window-avg: $T/st: state file was written for a different query (window=600000000 *), not this one (window=20000000 *)"

# ---- durable files: damage, impossible numbers, upgrades ----
# A state file with a bit flipped anywhere is refused (the seal), 300
# random flips of a real one: each exits 1 before any output, says how
# to start over, and leaves the file as it was.
DQ="-t t -w 10s --slide 5s --sum v --count *=n"
python3 -c '
import sys
for i in range(40):
    print("{\"t\":%d,\"v\":%d.%d,\"shardId\":\"shardId-%012d\",\"sequenceNumber\":\"4959%052d\"}" % (i * 3, i, i % 7, i % 3, i))
' >"$T/d.in"
$WA $DQ --state "$T/d.state" --table "$T/d.table" <"$T/d.in" >/dev/null 2>"$ERR"
is damage-base-rc "$?.$(cat "$ERR")" "0."
mkdir "$T/flips"
python3 "$KP_ROOT/tests/e2e/bit-flips.py" "$T/d.state" 300 16 "$T/flips/"
refused=0 said=0 kept=0
for f in "$T"/flips/*; do
	cp "$f" "$f.orig"
	$WA $DQ --state "$f" --table "$T/flips.table" <"$T/d.in" >"$OUT" 2>"$ERR"
	[ $? = 1 ] && [ ! -s "$OUT" ] && refused=$((refused + 1))
	case $(cat "$ERR") in
	"window-avg: $f: damaged ("*"): not used. To start over, move it aside (mv $f $f.damaged): the run then starts with no windows and no replay marks, and counts again whatever it reads") said=$((said + 1)) ;;
	esac
	cmp -s "$f" "$f.orig" && kept=$((kept + 1))
done
is bit-flips-refused "$refused" 300
is bit-flips-say-how-to-start-over "$said" 300
is bit-flips-file-untouched "$kept" 300
ok bit-flips-no-table test ! -e "$T/flips.table"

# Edited by hand: refused by the seal; sealed again after the edit, by what
# no run could have written. Each edit with its reason.
edit() {	# edit NAME PYTHON-EXPR-ON-d WHY
	python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())
exec(sys.argv[3])
d.pop("sha256", None)
open(sys.argv[2], "w").write(json.dumps(d, separators=(",", ":"))[:-1] + ",\"sha256\":\"" + "0" * 64 + "\"}\n")
' "$T/d.state" "$T/e.$1" "$2"
	cp "$T/e.$1" "$T/e.$1.unsealed"
	run "$(cat "$T/d.in")" $WA $DQ --state "$T/e.$1.unsealed"
	is "edit-$1-unsealed" "$rc.$(cat "$OUT")" "1."
	like "edit-$1-unsealed-msg" "$(cat "$ERR")" "window-avg: $T/e.$1.unsealed: damaged (its sha256 does not match its content): not used. To start over, *"
	python3 "$T/seal.py" "$T/e.$1" reseal
	run "$(cat "$T/d.in")" $WA $DQ --state "$T/e.$1"
	is "edit-$1-resealed" "$rc.$(cat "$OUT")" "1."
	is "edit-$1-resealed-msg" "$(cat "$ERR")" "window-avg: $T/e.$1: damaged ($3): not used. To start over, move it aside (mv $T/e.$1 $T/e.$1.damaged): the run then starts with no windows and no replay marks, and counts again whatever it reads"
}
# the rows: [start_us, key, rows, batch, [n, sum, comp, min, max] per column]
edit count 'd["rows"][0][4][0] += 5' 'rows[0]: cell 0 count out of range'
edit rows 'd["rows"][0][2] = -2' 'rows[0]: count -2 is not positive'
edit sum-1e308 'd["rows"][0][4][1] = 1e308' 'rows[0]: cell 0: a sum outside count x [min, max]'
# (a sum moved by more than the spread its count, minimum and maximum
# allow, whichever row the dump lists first)
edit sum-digit 'c = d["rows"][0][4]; c[1] += 4 + c[0] * (c[4] - c[3])' 'rows[0]: cell 0: a sum outside count x [min, max]'
edit misaligned 'd["rows"][0][0] += 1000000' "rows[0]: window start $(($(jq '.rows[0][0]' "$T/d.state") + 1000000)) is not on the slide"
edit batch 'd["rows"][0][3] = d["batch"]' "rows[0]: changed in batch $(jq .batch "$T/d.state"), which is not before the next one ($(jq .batch "$T/d.state"))"
edit min-max 'd["rows"][0][4][3], d["rows"][0][4][4] = d["rows"][0][4][4] + 1, d["rows"][0][4][3]' 'rows[0]: cell 0: minimum above maximum'
edit mark 'd["shards"]["shardId-000000000001"] = "49x"' "shard 'shardId-000000000001' has no valid sequenceNumber"

# What real data makes is never refused: sums of 1e308 that overflow,
# values of 1e400 (infinite), cancelling ones; a restart from each state
# counts on, and replays are recognised.
printf '%s\n' '{"t":1,"v":1e308,"shardId":"a","sequenceNumber":"1"}' \
    '{"t":2,"v":1e308,"shardId":"a","sequenceNumber":"2"}' \
    '{"t":11,"v":1e400,"shardId":"a","sequenceNumber":"3"}' \
    '{"t":21,"v":-1e308,"shardId":"a","sequenceNumber":"4"}' \
    '{"t":22,"v":1e308,"shardId":"a","sequenceNumber":"5"}' >"$T/big.in"
BQ="-t t -w 10s --sum v --max v --count *=n --trigger available-now"
head -n 3 "$T/big.in" | $WA $BQ --state "$T/big.state" >/dev/null 2>"$ERR"
is big-first-rc "$?.$(cat "$ERR")" "0."
run "$(cat "$T/big.in")" $WA $BQ --state "$T/big.state" --stats
is big-restart-rc "$rc" 0
like big-restart-replayed "$(cat "$ERR")" "*replayed=3 *"
# (non-finite results are written as Spark's to_json writes a DOUBLE:
# 1e308 + 1e308 overflows to "Infinity"; 1e400 reads as Infinity)
is big-restart-rows "$(cat "$OUT")" '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"sum(v)":"Infinity","max(v)":1e+308,"n":2,"batch":1}
{"window":{"start":"1970-01-01T00:00:10Z","end":"1970-01-01T00:00:20Z"},"sum(v)":"Infinity","max(v)":"Infinity","n":1,"batch":1}
{"window":{"start":"1970-01-01T00:00:20Z","end":"1970-01-01T00:00:30Z"},"sum(v)":0,"max(v)":1e+308,"n":2,"batch":1}'
run '' $WA $BQ --state "$T/big.state"
is big-reload-rc "$rc.$(cat "$ERR")" "0."

# A state file of the version before the seal (an upgrade): used, said
# so, and sealed at the next trigger; its marks still count each record
# once.
python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read())
d.pop("sha256"); d["version"] = 1
open(sys.argv[2], "w").write(json.dumps(d, separators=(",", ":")) + "\n")
' "$T/d.state" "$T/v1.state"
run "$(cat "$T/d.in")" $WA $DQ --state "$T/v1.state" --trigger available-now --stats
is v1-rc "$rc" 0
is v1-warned "$(head -n 1 "$ERR")" "window-avg: $T/v1.state: a version 1 state file, without a checksum: used as it is; the next trigger writes it as version 2, sealed"
like v1-replays-recognised "$(tail -n 1 "$ERR")" "*replayed=40 *"
is v1-sealed-now "$(jq .version "$T/v1.state") $(python3 "$T/seal.py" "$T/v1.state")" "2 sealed"

# ---- durable files: where they go ----
# A path that is there and not a regular file is refused at start, before
# any input is read, and left as it was: a device (one of our own: a bug
# here must not be able to replace the system's), a FIFO, a directory, a
# link to one.
DIN='{"t":1,"v":1}'
if mknod "$T/full" c 1 7 2>/dev/null; then
	t sink-device 1 '' "$DIN" $WA -t t -w 10s --sum v --table "$T/full"
	is sink-device-msg "$(cat "$ERR")" "window-avg: --table $T/full: a character device: refusing to replace it"
	ok sink-device-kept test -c "$T/full"
else
	echo "test-window-avg: skip: a device of our own: cannot mknod"
fi
mkfifo "$T/fifo2"
# bounded: a state file that is a FIFO would block its reader for ever
t sink-fifo 1 '' "$DIN" timeout 20 $WA -t t -w 10s --sum v --state "$T/fifo2"
is sink-fifo-msg "$(cat "$ERR")" "window-avg: --state $T/fifo2: a FIFO: refusing to replace it"
ok sink-fifo-kept test -p "$T/fifo2"
mkdir "$T/adir"
t sink-dir 1 '' "$DIN" $WA -t t -w 10s --sum v --table "$T/adir"
is sink-dir-msg "$(cat "$ERR")" "window-avg: --table $T/adir: a directory: refusing to replace it"
ln -s fifo2 "$T/to-fifo"
t sink-link-to-fifo 1 '' "$DIN" timeout 20 $WA -t t -w 10s --sum v --table "$T/to-fifo"
is sink-link-to-fifo-msg "$(cat "$ERR")" "window-avg: --table $T/to-fifo: its target $T/fifo2 is a FIFO: refusing to replace it"
ok sink-link-kept test -L "$T/to-fifo" -a -p "$T/fifo2"
# a directory that does not exist: said at start, nothing read or written
t sink-no-dir 1 '' "$DIN" $WA -t t -w 10s --sum v --state "$T/st.x" --table "$T/no/such/t"
is sink-no-dir-msg "$(cat "$ERR")" "window-avg: --table $T/no/such/t: directory $T/no/such: No such file or directory"
ok sink-no-dir-no-state test ! -e "$T/st.x"
# the same file for two sinks, however spelled: a usage error
mkdir "$T/same"
for spelling in "$T/same/x" "$T/same/./x" "$T/same/../same/x" "$T/same/lnk" "$T/same/hard"; do
	: >"$T/same/x"
	ln -sf x "$T/same/lnk"
	ln -f "$T/same/x" "$T/same/hard"
	run "$DIN" $WA -t t -w 10s --sum v --state "$T/same/x" --table "$spelling"
	is "sink-same-$(basename "$spelling")" "$rc.$(cat "$OUT").$(tail -n 1 "$ERR")" "2..window-avg: --state $T/same/x and --table $spelling are the same file: each needs its own"
	ok "sink-same-$(basename "$spelling")-untouched" test ! -s "$T/same/x"
done
# a link is followed: its target is replaced, in the target's directory,
# and the link stays a link
mkdir "$T/real"
ln -s ../real/table.ndjson "$T/same/tlink"
ln -s "$T/real/state.json" "$T/slink"
run "$DIN" $WA -t t -w 10s --sum v --table "$T/same/tlink" --state "$T/slink"
is sink-links-rc "$rc" 0
ok sink-links-kept test -L "$T/same/tlink" -a -L "$T/slink"
is sink-links-table "$(cat "$T/real/table.ndjson")" "$ONE,\"sum(v)\":1}"
is sink-links-state "$(jq -c .shards "$T/real/state.json") $(python3 "$T/seal.py" "$T/real/state.json")" "{} sealed"
ok sink-links-no-tmp test ! -e "$T/real/table.ndjson.tmp" -a ! -e "$T/same/tlink.tmp"

# ---- durable files: a failed write ----
# The state is written before the table: a write that fails (here: a file
# size limit, SIGXFSZ ignored so that the write says EFBIG, as a full disk
# says ENOSPC) can leave the table behind the state, never ahead of it,
# and the next trigger brings the table up to the state.
# 1. The state's write fails (40 shards' marks: the state outgrows the
# limit, the one-row table does not): nothing of the batch is kept.
python3 -c '
for i in range(40):
    print("{\"t\":%d,\"v\":1,\"shardId\":\"shard-%02d\",\"sequenceNumber\":\"4959%052d\"}" % (i % 5, i, i))
' >"$T/w.in"
WQ="-t t -w 10s --sum v --count *=n --trigger available-now"
head -n 1 "$T/w.in" | $WA $WQ --state "$T/w.state" --table "$T/w.table" >/dev/null 2>"$ERR"
is fsize-first "$?.$(cat "$ERR")" "0."
cp "$T/w.state" "$T/w.state.1"
cp "$T/w.table" "$T/w.table.1"
( trap '' XFSZ; exec prlimit --fsize=2048 $WA $WQ --state "$T/w.state" --table "$T/w.table" ) <"$T/w.in" >/dev/null 2>"$ERR"
is fsize-state-fails "$?.$(cat "$ERR")" "1.window-avg: $T/w.state.tmp: File too large"
ok fsize-state-kept cmp -s "$T/w.state" "$T/w.state.1"
ok fsize-table-not-ahead cmp -s "$T/w.table" "$T/w.table.1"
$WA $WQ --state "$T/w.state" --table "$T/w.table" <"$T/w.in" >/dev/null 2>"$ERR"
is fsize-restart "$?.$(cat "$ERR")" "0."
is fsize-restart-table "$(cat "$T/w.table")" "$ONE,\"sum(v)\":40,\"n\":40}"
# 2. The table's write fails (40 windows of one shard: the table outgrows
# the limit, the state does not): the state holds the batch, the table is
# the one before; a restart on the same input (all replays) rewrites it.
python3 -c '
for i in range(40):
    print("{\"t\":%d,\"v\":%d,\"shardId\":\"s\",\"sequenceNumber\":\"%d\"}" % (i * 10, i, i + 1))
' >"$T/x.in"
head -n 1 "$T/x.in" | $WA $WQ --state "$T/x.state" --table "$T/x.table" >/dev/null 2>"$ERR"
cp "$T/x.table" "$T/x.table.1"
( trap '' XFSZ; exec prlimit --fsize=3072 $WA $WQ --state "$T/x.state" --table "$T/x.table" ) <"$T/x.in" >/dev/null 2>"$ERR"
is fsize-table-fails "$?.$(cat "$ERR")" "1.window-avg: $T/x.table.tmp: File too large"
is fsize-state-holds-batch "$(jq -c .shards "$T/x.state") $(jq '.rows | length' "$T/x.state")" '{"s":"40"} 40'
ok fsize-table-behind cmp -s "$T/x.table" "$T/x.table.1"
$WA $WQ --state "$T/x.state" --table "$T/x.table" --stats <"$T/x.in" >/dev/null 2>"$ERR"
like fsize-table-restart "$?.$(cat "$ERR")" "0.*replayed=40 *"
is fsize-table-converged "$(jq -c '[.["sum(v)"], .n]' "$T/x.table" | tr '\n' ' ')" "$(python3 -c 'print(" ".join("[%d,1]" % i for i in range(40)))') "

# ---- partials from disjoint shards, merged ----
# four window-avg instances, one shard each, emitting partials per trigger
# (the slow feed makes many triggers); merged, they give the table of one
# window-avg over everything
$WA $Q --mode complete --trigger available-now <"$T/sharded" >"$T/one" 2>"$ERR"
for i in 0 1 2 3; do
	grep "\"shardId-00000000000$i\"" "$T/sharded" >"$T/s$i"
	slow "$T/s$i" | $WA $Q --emit partials >"$T/p$i" 2>"$ERR"
done
like partials-several-triggers "$(grep -c . "$T/p0")" "[0-9][0-9][0-9]*"
cat "$T/p0" "$T/p1" "$T/p2" "$T/p3" |
	$WA --merge --avg euro_rate --count '*=n' --trigger available-now >"$OUT" 2>"$ERR"
is merge-concatenated "$(cat "$OUT")" "$(cat "$T/one")"
paste -d '\n' "$T/p3" "$T/p1" "$T/p0" "$T/p2" | grep . |
	$WA --merge --avg euro_rate --count '*=n' --trigger available-now >"$OUT" 2>"$ERR"
is merge-interleaved "$(cat "$OUT")" "$(cat "$T/one")"
# an emitter killed and restarted with its state: the partials it sends
# twice are recognised by their sequenceNumber and not counted again
rm -f "$T/pk.state"
kills=0
for attempt in 1 2 3; do
	( slow "$T/s0" 2>/dev/null | sh -c 'echo $$ >"$1/k.pid"; shift; exec "$@"' \
	    sh "$T" $WA $Q --emit partials --state "$T/pk.state" >>"$T/pk" 2>>"$T/pk.err" ) 2>/dev/null &
	sub=$!
	if [ $attempt -lt 3 ]; then
		sleep 0.1
		kill -9 "$(cat "$T/k.pid")" 2>/dev/null && kills=$((kills + 1))
	fi
	wait $sub && break
done
cat "$T/pk" "$T/p1" "$T/p2" "$T/p3" |
	$WA --merge --avg euro_rate --count '*=n' --trigger available-now --stats >"$OUT" 2>"$ERR"
is merge-after-restart "$(cat "$OUT")" "$(cat "$T/one")"
is merge-restart-errors "$(cat "$T/pk.err")" ""
ok merge-emitter-killed test "$kills" -ge 1
# update mode through the merger: the changed windows of each trigger
cat "$T/p0" | $WA --merge --avg euro_rate --count '*=n' --mode update >"$OUT" 2>"$ERR"
is merge-update-rc "$?" 0
is merge-update-final "$(sort "$OUT" | python3 -c '
import json, sys
last = {}
for l in sys.stdin:
    r = json.loads(l); last[r["window"]["start"]] = r
print(len(last))')" "$($WA $Q --mode update --trigger available-now <"$T/s0" | grep -c .)"
# group keys travel in the partials, null included
printf '%s\n' '{"t":1,"c":"A","v":1,"shardId":"s1","sequenceNumber":"1"}' \
    '{"t":2,"c":"B","v":2,"shardId":"s1","sequenceNumber":"2"}' >"$T/g1"
printf '%s\n' '{"t":3,"c":"A","v":5,"shardId":"s2","sequenceNumber":"1"}' \
    '{"t":12,"c":null,"v":7,"shardId":"s2","sequenceNumber":"2"}' >"$T/g2"
$WA -t t -w 10s -g c --avg v --count '*' --emit partials <"$T/g1" >"$T/g1.p"
$WA -t t -w 10s -g c --avg v --count '*' --emit partials <"$T/g2" >"$T/g2.p"
is partial-row-format "$(head -n 1 "$T/g1.p")" '{"kind":"window-avg-partial","window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"shardId":"s1","sequenceNumber":"2","group":{"c":"A"},"rows":1,"values":{"v":[1,1,0,1,1]}}'
t merge-groups 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"c":"A","avg(v)":3,"count(1)":2,"batch":0}
{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"c":"B","avg(v)":2,"count(1)":1,"batch":0}
{"window":{"start":"1970-01-01T00:00:10Z","end":"1970-01-01T00:00:20Z"},"c":null,"avg(v)":7,"count(1)":1,"batch":0}' "$(cat "$T/g1.p" "$T/g2.p")" $WA --merge -g c --avg v --count '*' --trigger available-now
# values JSON cannot carry travel as Spark's strings, so that the merge
# sees them: one shard's only value is infinite (1e400 reads as +inf, and
# inf - inf makes the compensation NaN), the other's is 5; merged, the
# minimum is 5 and the count 2, as one window-avg over both would say;
# the average (inf + 5) / 2 and the maximum are Infinity, named as Spark's
# to_json names it (null would say that every value was null)
printf '%s\n' '{"t":1,"v":1e400,"shardId":"s1","sequenceNumber":"1"}' >"$T/n1"
printf '%s\n' '{"t":3,"v":5,"shardId":"s2","sequenceNumber":"1"}' >"$T/n2"
NQ="--avg v --min v --max v --count v"
$WA -t t -w 10s $NQ --emit partials <"$T/n1" >"$T/n1.p"
$WA -t t -w 10s $NQ --emit partials <"$T/n2" >"$T/n2.p"
is partial-non-finite "$(cat "$T/n1.p")" '{"kind":"window-avg-partial","window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"shardId":"s1","sequenceNumber":"1","group":{},"rows":1,"values":{"v":[1,"Infinity","NaN","Infinity","Infinity"]}}'
NWANT='{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"avg(v)":"Infinity","min(v)":5,"max(v)":"Infinity","count(v)":2,"batch":0}'
t merge-non-finite 0 "$NWANT" "$(cat "$T/n1.p" "$T/n2.p")" $WA --merge $NQ --trigger available-now --on-error fail
t merge-non-finite-direct 0 "$NWANT" "$(cat "$T/n1" "$T/n2")" $WA -t t -w 10s $NQ --trigger available-now
t merge-bad-row 1 '' '{"kind":"other"}
' $WA --merge --avg euro_rate --on-error fail
is merge-bad-row-msg "$(cat "$ERR")" 'window-avg: <stdin>:1: not a window-avg partial row: no "kind":"window-avg-partial"'
t merge-missing-column 1 '' "$(head -n 1 "$T/p0")" $WA --merge --avg usd_rate --on-error fail
like merge-missing-column-msg "$(cat "$ERR")" "window-avg: <stdin>:1 ($(head -n 1 "$T/p0" | jq -r '.shardId + " " + .sequenceNumber')): not a window-avg partial row: \"values\" lacks a column of this query*"

# ---- typos: a column named on the command line that no record has ----
# said with how many records were read, and the run fails at the end of
# its input (Spark's analysis error); what was read is still counted
TY='{"timestamp":"2024-01-01T00:00:01Z","euro_rate":40000}
{"timestamp":"2024-01-01T00:00:02Z","euro_rate":40002}
'
TW='{"window":{"start":"2024-01-01T00:00:00Z","end":"2024-01-01T00:05:00Z"}'
t time-typo 1 '' "$TY" $WA --time timestmp -w 5m --avg euro_rate --stats
is time-typo-stderr "$(cat "$ERR")" "window-avg: --time 'timestmp': no record has this column (2 records read)
window-avg: stats: final read=2 emitted=0 nulled=0 skipped=0 late=0 late_windows=0 replayed=0 null_time=2 batches=1 missing=2 bad_provenance=0 table_rows=0 shared=0"
t avg-typo 1 "$TW,\"avg(eur_rate)\":null,\"batch\":0}" "$TY" $WA --time timestamp -w 5m --avg eur_rate
is avg-typo-stderr "$(cat "$ERR")" "window-avg: --avg 'eur_rate': no record has this column (2 records read)"
t max-typo 1 "$TW,\"avg(euro_rate)\":40001,\"max(eur)\":null,\"batch\":0}" "$TY" $WA --time timestamp -w 5m --avg euro_rate --max eur
is max-typo-stderr "$(cat "$ERR")" "window-avg: --max 'eur': no record has this column (2 records read)"
t group-typo 1 "$TW,\"pair\":null,\"avg(euro_rate)\":40001,\"batch\":0}" "$TY" $WA --time timestamp -w 5m --avg euro_rate -g pair
is group-typo-stderr "$(cat "$ERR")" "window-avg: --group-by 'pair': no record has this column (2 records read)"
t typo-empty-input 0 '' '' $WA --time timestmp -w 5m --avg eur_rate
is typo-empty-input-stderr "$(cat "$ERR")" ""
t column-in-some-records 0 "$TW,\"avg(euro_rate)\":40000,\"count(usd)\":1,\"batch\":0}" '{"timestamp":"2024-01-01T00:00:01Z","euro_rate":40000,"usd":1}
{"timestamp":"2024-01-01T00:00:02Z"}
' $WA --time timestamp -w 5m --avg euro_rate --count usd --stats
is column-in-some-records-stats "$(cat "$ERR")" "window-avg: stats: final read=2 emitted=1 nulled=0 skipped=0 late=0 late_windows=0 replayed=0 null_time=0 batches=1 missing=1 bad_provenance=0 table_rows=0 shared=0"
# a column named twice is read for both: the time aggregated, a column
# grouped and aggregated, the shard grouped (each was null before)
t column-twice 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"shardId":"s1","v":2,"max(t)":3,"avg(v)":2,"batch":0}' '{"t":1,"v":2,"shardId":"s1","sequenceNumber":"1"}
{"t":3,"v":2,"shardId":"s1","sequenceNumber":"2"}
' $WA -t t -w 10s -g shardId,v --max t --avg v --stats
like column-twice-stats "$(cat "$ERR")" "* missing=0 *"
# a stream: said at the end of the first batch without it; a column that
# turns up in a later batch is no typo (bounded wait, no fixed sleep)
rm -f "$T/.fifo" && mkfifo "$T/.fifo" && : >"$OUT" && : >"$ERR"
$WA --time timestamp -w 5m --avg euro_rate >"$OUT" 2>"$ERR" <"$T/.fifo" &
tb_pid=$!
exec 7>"$T/.fifo"
echo '{"timestamp":"2024-01-01T00:00:01Z"}' >&7
tb_i=0
while [ ! -s "$ERR" ] && [ $tb_i -lt 400 ]; do sleep 0.05; tb_i=$((tb_i + 1)); done
echo '{"timestamp":"2024-01-01T00:00:02Z","euro_rate":4}' >&7
exec 7>&-
wait $tb_pid
is later-batch-rc "$?" 0
is later-batch-stderr "$(cat "$ERR")" "window-avg: --avg 'euro_rate': no record has this column so far (1 record read)"
is later-batch-last-row "$(tail -n 1 "$OUT")" "$TW,\"avg(euro_rate)\":4,\"batch\":1}"
# partials: a typo in --merge's value or group columns
printf '%s\n' '{"t":1,"v":1,"shardId":"s1","sequenceNumber":"1"}' |
    $WA -t t -w 10s --avg v --emit partials >"$T/ty.p"
t merge-group-typo 1 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"c":null,"avg(v)":1,"batch":0}' "$(cat "$T/ty.p")" $WA --merge --avg v -g c
is merge-group-typo-stderr "$(cat "$ERR")" "window-avg: --group-by 'c': no record has this column (1 record read)"
t merge-avg-typo 1 '' "$(cat "$T/ty.p")" $WA --merge --avg w
is merge-avg-typo-stderr "$(tail -n 1 "$ERR")" "window-avg: --avg 'w': no record has this column (1 record read)"

# ---- a bad record names its shardId and sequenceNumber ----
t provenance-named 0 '' '{"t":"noon","v":1,"shardId":"shardId-000000000001","sequenceNumber":"4959"}
' $WA -t t -w 10s --avg v
is provenance-named-stderr "$(cat "$ERR")" "window-avg: <stdin>:1 (shardId-000000000001 4959): field 't': bad event time: not an RFC 3339 time: 'noon' (nulled, so dropped)"
t provenance-named-fail 1 '' '{"t":1,"v":"x","shardId":"s1","sequenceNumber":"5"}
' $WA -t t -w 10s --avg v --on-error=fail
is provenance-named-fail-stderr "$(cat "$ERR")" "window-avg: <stdin>:1 (s1 5): field 'v': not a number"

# ---- malformed provenance under --state: never counted ----
# two good records (v 1 and 2) and six whose shardId or sequenceNumber
# cannot be a mark: such a record could not be recognised on replay, so
# it is skipped, named and counted, on the first run and on the replay
Z200=$(printf '%0200d' 9)
PROV='{"t":1,"v":1,"shardId":"s1","sequenceNumber":"1"}
{"t":1,"v":10,"shardId":"s1","sequenceNumber":"zz"}
{"t":1,"v":100,"shardId":"s1","sequenceNumber":"-5"}
{"t":1,"v":1000,"shardId":"s1","sequenceNumber":"'$Z200'"}
{"t":1,"v":10000,"shardId":"s1","sequenceNumber":5}
{"t":1,"v":100000,"shardId":7,"sequenceNumber":"3"}
{"t":1,"v":1000000,"sequenceNumber":"4"}
{"t":1,"v":2,"shardId":"s1","sequenceNumber":"2"}
'
PW='{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"sum(v)":3,"count(1)":2'
t prov-state 0 "$PW,\"batch\":0}" "$PROV" $WA -t t -w 10s --sum v --count '*' --state "$T/pst" --stats
is prov-state-warnings "$(grep -c 'malformed provenance.*(skipped)$' "$ERR")" 6
is prov-state-first "$(head -n 1 "$ERR")" "window-avg: <stdin>:2: malformed provenance: shardId \"s1\", sequenceNumber \"zz\" (wanted a string and 1 to 128 decimal digits): a replay could not be recognised (skipped)"
like prov-state-lines "$(cut -d: -f3 "$ERR" | head -n 6 | tr '\n' ' ')" "2 3 4 5 6 7 "
is prov-state-stats "$(tail -n 1 "$ERR")" "window-avg: stats: final read=8 emitted=1 nulled=0 skipped=6 late=0 late_windows=0 replayed=0 null_time=0 batches=1 missing=0 bad_provenance=6 table_rows=0 shared=0"
t prov-state-replay 0 "$PW,\"batch\":1}" "$PROV" $WA -t t -w 10s --sum v --count '*' --state "$T/pst" --stats
is prov-state-replay-stats "$(tail -n 1 "$ERR")" "window-avg: stats: final read=8 emitted=1 nulled=0 skipped=6 late=0 late_windows=0 replayed=2 null_time=0 batches=1 missing=0 bad_provenance=6 table_rows=0 shared=0"
t prov-state-fail 1 '' "$PROV" $WA -t t -w 10s --sum v --state "$T/pst2" --on-error=fail
is prov-state-fail-stderr "$(cat "$ERR")" "window-avg: <stdin>:2: malformed provenance: shardId \"s1\", sequenceNumber \"zz\" (wanted a string and 1 to 128 decimal digits): a replay could not be recognised"
# without --state nothing is remembered across runs: all eight count
# (1 + 10 + ... + 1000000 + 2)
t prov-no-state 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"sum(v)":1111113,"count(1)":8,"batch":0}' "$PROV" $WA -t t -w 10s --sum v --count '*'
# partials carry the marks to the merge: the same rule
t prov-partials 0 '{"kind":"window-avg-partial","window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"shardId":"s1","sequenceNumber":"2","group":{},"rows":2,"values":{"v":[2,3,0,1,2]}}' "$PROV" $WA -t t -w 10s --sum v --emit partials
# bounded: the first 100 are named, then only counted
python3 -c 'import sys
for i in range(150): sys.stdout.write("{\"t\":1,\"v\":1,\"shardId\":\"s\",\"sequenceNumber\":\"x%d\"}\n" % i)' >"$T/manybad"
$WA -t t -w 10s --sum v --state "$T/pst3" --stats <"$T/manybad" >"$OUT" 2>"$ERR"
is prov-bounded-rc "$?" 0
is prov-bounded-named "$(grep -c 'malformed provenance' "$ERR")" 100
like prov-bounded-last "$(sed -n 100p "$ERR")" "window-avg: <stdin>:100: *(skipped); further warnings suppressed"
like prov-bounded-stats "$(tail -n 1 "$ERR")" "*skipped=150 *bad_provenance=150 *"
# --merge: a partial with a malformed mark is never merged
printf '%s\n' '{"kind":"window-avg-partial","window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"shardId":"s1","sequenceNumber":"zz","group":{},"rows":1,"values":{"v":[1,5,0,5,5]}}' \
    '{"kind":"window-avg-partial","window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"shardId":"s2","sequenceNumber":7,"group":{},"rows":1,"values":{"v":[1,6,0,6,6]}}' \
    '{"kind":"window-avg-partial","window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"shardId":"s3","sequenceNumber":"9","group":{},"rows":1,"values":{"v":[1,7,0,7,7]}}' >"$T/mbad"
t merge-prov 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"sum(v)":7,"batch":0}' "$(cat "$T/mbad")" $WA --merge --sum v --stats
is merge-prov-stderr "$(cat "$ERR")" "window-avg: <stdin>:1: malformed provenance: shardId \"s1\", sequenceNumber \"zz\" (wanted a string, and null or 1 to 128 decimal digits): a replay could not be recognised (skipped)
window-avg: <stdin>:2: malformed provenance: shardId \"s2\", sequenceNumber 7 (wanted a string, and null or 1 to 128 decimal digits): a replay could not be recognised (skipped)
window-avg: stats: final read=3 emitted=1 nulled=0 skipped=2 late=0 late_windows=0 replayed=0 null_time=0 batches=1 missing=0 bad_provenance=2 table_rows=0 shared=0"
t merge-prov-fail 1 '' "$(cat "$T/mbad")" $WA --merge --sum v --on-error=fail

# ---- --stats counts the rows of each sink: stdout (emitted), --table ----
t table-rows 0 '' '{"t":1,"v":1}
{"t":11,"v":2}
' $WA -t t -w 10s --avg v --table "$T/tr.ndjson" --stats
is table-rows-stats "$(cat "$ERR")" "window-avg: stats: final read=2 emitted=0 nulled=0 skipped=0 late=0 late_windows=0 replayed=0 null_time=0 batches=1 missing=0 bad_provenance=0 table_rows=$(wc -l <"$T/tr.ndjson" | tr -d ' ') shared=0"
is table-rows-two "$(wc -l <"$T/tr.ndjson" | tr -d ' ')" 2

# ---- numbers beyond a double's range: Infinity, as Spark reads them ----
# 1e999999 is +Infinity; json-project writes a DOUBLE Infinity as the
# string "Infinity", which reads back the same: one rule for the suite
t infinity-values 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"avg(v)":"NaN","min(v)":"-Infinity","max(v)":"Infinity","count(v)":3,"batch":0}
{"window":{"start":"1970-01-01T00:00:10Z","end":"1970-01-01T00:00:20Z"},"avg(v)":"Infinity","min(v)":1,"max(v)":"Infinity","count(v)":2,"batch":0}' '{"t":1,"v":1e999999}
{"t":2,"v":"-Infinity"}
{"t":3,"v":5}
{"t":11,"v":1}
{"t":12,"v":"Infinity"}
' $WA -t t -w 10s --avg v --min v --max v --count v
is infinity-values-stderr "$(cat "$ERR")" ""
got=$(printf '%s\n' '{"data":"{\"t\":1,\"v\":1e999999}"}' '{"data":"{\"t\":2,\"v\":3}"}' |
    json-project --schema 't BIGINT, v DOUBLE' | $WA -t t -w 10s --avg v --sum v)
is infinity-through-json-project "$got" '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"avg(v)":"Infinity","sum(v)":"Infinity","batch":0}'
t infinity-group 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"g":"Infinity","count(1)":2,"batch":0}
{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"g":null,"count(1)":1,"batch":0}' '{"t":1,"g":1e999999}
{"t":1,"g":"Infinity"}
{"t":1,"g":null}
' $WA -t t -w 10s -g g --count '*'

# ---- the man page's EXAMPLES, run as written ----
mkdir "$T/ex" && ln -s "$KP_ROOT/examples" "$T/ex/examples"
nex=$(man_commands window-avg.1 "$T/exs")
is man-example-count "$nex" 11
i=0
while [ $i -lt "$nex" ]; do
	i=$((i + 1))
	(cd "$T/ex" && sh "../exs/$i.sh") >"$T/ex$i.out" 2>"$T/ex$i.err"
	is "man-example-$i-rc" "$?" 0
	is "man-example-$i-stderr" "$(cat "$T/ex$i.err")" ""
done
is man-example-table "$(grep -c . "$T/ex/bitcoin_window.ndjson")" 289
is man-example-head "$(cat "$T/ex2.out")" "$(head -n 5 "$T/ex/bitcoin_window.ndjson")"
is man-example-last-hour-of-now "$(cat "$T/ex3.out")" null
is man-example-last-hour-of-event-time "$(cat "$T/ex4.out")" "$(python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
last = max(r["time_window"]["end"] for r in rows)
from datetime import datetime, timedelta
cut = (datetime.fromisoformat(last[:-1]) - timedelta(hours=1)).isoformat() + "Z"
v = [r["window_avg_euro_rate"] for r in rows if r["time_window"]["start"] >= cut]
print(sum(v) / len(v))' "$T/ex/bitcoin_window.ndjson")"
is man-example-append-windows "$(grep -c . "$T/ex5.out")" 5
is man-example-merge "$(cat "$T/ex8.out")" "$( (python3 "$KP_ROOT/examples/gen-bitcoin.py" --seed 1 --count 120
	python3 "$KP_ROOT/examples/gen-bitcoin.py" --seed 2 --count 120) |
	$WA -t timestamp -w 1h --avg euro_rate --trigger available-now)"
# the SQLite example: the first five windows, averaged as Spark averages a
# FLOAT (spark-avg.py), and no window in the hour before now
python3 "$KP_ROOT/examples/gen-bitcoin.py" --count 1440 |
	python3 "$KP_ROOT/tests/e2e/spark-avg.py" timestamp euro_rate 600 300 >"$T/ex10.all"
head -n 5 "$T/ex10.all" | python3 -c '
import json, sys
from datetime import datetime, timezone
iso = lambda s: datetime.fromtimestamp(s, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
for l in sys.stdin:
    w = json.loads(l)
    print("%s|%s|%r" % (iso(w["start"]), iso(w["end"]), float("%.15g" % w["avg"])))' >"$T/ex10.want"
is man-example-sqlite-limit-5 "$(python3 -c '
import sys
for l in open(sys.argv[1]):
    a, b, c = l.rstrip("\n").split("|")
    print("%s|%s|%r" % (a, b, float(c)))' "$T/ex10.out")" "$(cat "$T/ex10.want")"
is man-example-sqlite-last-hour "$(cat "$T/ex11.out")" ""

finish
