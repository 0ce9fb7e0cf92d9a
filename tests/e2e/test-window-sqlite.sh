#!/bin/bash
# window-avg --sqlite and --schema end to end (issue 14): the notebook's
# pipeline into SQLite with its two queries run by the sqlite3 command
# line and checked against an independent computation of Spark's numbers
# (tests/e2e/spark-avg.py: FLOAT rounded from the exact decimal, summed
# as doubles in Spark's order); each output mode's table; a reader
# polling during a run never sees a partial table; SIGKILL and restart
# leave the table equal to the state; FLOAT averages bit-exact; INT and
# BIGINT sums as Spark's long arithmetic; json-project's default
# _corrupt_record; the bad inputs refused.
. "$(dirname "$0")/lib.sh"

WA=window-avg
SPARK=$KP_ROOT/tests/e2e/spark-avg.py
N=${KP_SANITIZED:+2000}
N=${N:-8000}
# every reader waits for a lock as window-avg(1) tells readers to
sq() { sqlite3 -cmd '.timeout 5000' "$@"; }

usage() {
	kp_n=$1 kp_msg=$2
	shift 2
	run '' "$@"
	is "$kp_n-rc" "$rc" 2
	is "$kp_n-msg" "$(tail -n 1 "$ERR")" "window-avg: $kp_msg"
}

# ---- options ----
D=$T/u.db
usage no-query-name '--sqlite FILE needs --query-name NAME, the table'"'"'s name' $WA -t t -w 10s --avg v --sqlite "$D"
usage query-name-alone '--query-name only applies with --sqlite' $WA -t t -w 10s --avg v --query-name q
for bad in 1q a-b 'a b' 'x"y' sqlite_master Kinpipe_Window_Avg ''; do
	usage "name-not-identifier-$bad" "--query-name: '$bad' is not an SQL identifier (letters, digits and _, not first a digit, at most 128, not sqlite_... or kinpipe_window_avg)" $WA -t t -w 10s --avg v --sqlite "$D" --query-name "$bad"
done
usage name-too-long "--query-name: '$(printf 'a%.0s' $(seq 129))' is not an SQL identifier (letters, digits and _, not first a digit, at most 128, not sqlite_... or kinpipe_window_avg)" $WA -t t -w 10s --avg v --sqlite "$D" --query-name "$(printf 'a%.0s' $(seq 129))"
usage column-start "--sqlite: two columns named 'start' and 'START' (SQLite's names ignore case)" $WA -t t -w 10s --avg v=START --sqlite "$D" --query-name q
usage column-case "--sqlite: two columns named 'k' and 'K' (SQLite's names ignore case)" $WA -t t -w 10s -g k --avg v=K --sqlite "$D" --query-name q
usage sqlite-partials '--sqlite and --emit partials do not go together' $WA -t t -w 10s --avg v --emit partials --sqlite "$D" --query-name q
usage schema-no-column "--schema: no column 'v'" $WA -t t -w 10s --avg v --schema 'w FLOAT'
usage schema-avg-string "--avg v: the column is string in --schema; avg, sum, min and max take FLOAT, DOUBLE, INT or BIGINT" $WA -t t -w 10s --avg v --schema 'v STRING'
usage schema-bad "--schema: schema: unsupported data type 'decimal' (kinpipe casts STRING, FLOAT, DOUBLE, INT, BIGINT, BOOLEAN, TIMESTAMP, STRUCT and ARRAY)" $WA -t t -w 10s --avg v --schema 'v DECIMAL(10,2)'
ok usage-made-no-database test ! -e "$D"

# ---- bad files: refused with status 1, nothing changed ----
run '' $WA -t t -w 10s --avg v --sqlite "$T/no/such/dir/x.db" --query-name q
is missing-dir-rc "$rc" 1
is missing-dir-msg "$(cat "$ERR")" "window-avg: --sqlite $T/no/such/dir/x.db: directory $T/no/such/dir: No such file or directory"
python3 -c 'import sys; sys.stdout.write("these are not the pages of a database\n" * 200)' >"$T/text.db"
cp "$T/text.db" "$T/text.copy"
run '{"t":1,"v":1}
' $WA -t t -w 10s --avg v --sqlite "$T/text.db" --query-name q
is not-a-database-rc "$rc" 1
is not-a-database-msg "$(cat "$ERR")" "window-avg: $T/text.db: file is not a database"
ok not-a-database-untouched cmp -s "$T/text.db" "$T/text.copy"
# a table of that name with other columns is someone else's: refused,
# not replaced (drop it, or choose another name)
sqlite3 "$T/other.db" "create table q (a, b); insert into q values (1, 'x')"
run '{"t":1,"v":1}
' $WA -t t -w 10s --avg v --sqlite "$T/other.db" --query-name q
is other-columns-rc "$rc" 1
is other-columns-msg "$(cat "$ERR")" "window-avg: $T/other.db: table q exists with other columns (a, b): drop it or choose another --query-name"
is other-columns-untouched "$(sq "$T/other.db" 'select * from q')" "1|x"
# our own table, written by another query: its columns' types differ
printf '{"t":1,"v":2}\n' | $WA -t t -w 10s --sum v --sqlite "$T/types.db" --query-name q >/dev/null 2>&1
run '{"t":1,"v":2}
' $WA -t t -w 10s --sum v --schema 'v INT' --sqlite "$T/types.db" --query-name q
is other-types-rc "$rc" 1
is other-types-msg "$(cat "$ERR")" "window-avg: $T/types.db: table q exists with other columns (start TEXT, end TEXT, sum(v) REAL): drop it or choose another --query-name"
is other-types-untouched "$(sq "$T/types.db" 'select * from q')" "1970-01-01 00:00:00|1970-01-01 00:00:10|2.0"
sqlite3 "$T/view.db" "create view q as select 1 as start"
run '' $WA -t t -w 10s --avg v --sqlite "$T/view.db" --query-name q
is view-rc "$rc" 1
is view-msg "$(cat "$ERR")" "window-avg: $T/view.db: q is a view, not a table"
# a table with exactly these columns is taken over (rows replaced)
sqlite3 "$T/same.db" 'create table q ("start" TEXT NOT NULL, "end" TEXT NOT NULL, "n" INTEGER); insert into q values ("x", "y", 7)'
run '{"t":1}
' $WA -t t -w 10s --count '*=n' --sqlite "$T/same.db" --query-name q
is same-columns-rc "$rc" 0
is same-columns-rows "$(sq "$T/same.db" 'select * from q')" "1970-01-01 00:00:00|1970-01-01 00:00:10|1"
is same-columns-index "$(sq "$T/same.db" "select name from sqlite_schema where type = 'index' and tbl_name = 'q'")" q_start
sqlite3 "$T/index.db" 'create table t (x); create index q on t (x)'
run '' $WA -t t -w 10s --avg v --sqlite "$T/index.db" --query-name q
is index-rc "$rc" 1
is index-msg "$(cat "$ERR")" "window-avg: $T/index.db: q is an index, not a table"

# ---- the table: columns, types, times, WAL ----
# group keys keep their JSON types (true as 1, objects as their text), in
# the order of the window-avg rows (by the keys' JSON text)
printf '%s\n' '{"t":1,"g":"a","v":1.5}' '{"t":2,"g":2,"v":2}' '{"t":3,"g":2.5}' \
	'{"t":4,"g":true,"v":3}' '{"t":5,"v":4}' '{"t":6,"g":{"x":[1]},"v":5}' >"$T/g.ndjson"
$WA -t t -w 10s -g g --avg v --count '*=n' --sum v=total --sqlite "$T/g.db" --query-name keys <"$T/g.ndjson" >/dev/null 2>"$ERR"
is types-rc "$?" 0
is types-schema "$(sq "$T/g.db" '.schema keys')" 'CREATE TABLE IF NOT EXISTS "keys" ("start" TEXT NOT NULL, "end" TEXT NOT NULL, "g", "avg(v)" REAL, "n" INTEGER, "total" REAL);
CREATE INDEX "keys_start" ON "keys" ("start");'
is types-rows "$(sq "$T/g.db" 'select start, end, typeof(g), g, "avg(v)", typeof("avg(v)"), n, total from keys')" \
'1970-01-01 00:00:00|1970-01-01 00:00:10|text|a|1.5|real|1|1.5
1970-01-01 00:00:00|1970-01-01 00:00:10|integer|2|2.0|real|1|2.0
1970-01-01 00:00:00|1970-01-01 00:00:10|real|2.5||null|1|
1970-01-01 00:00:00|1970-01-01 00:00:10|null||4.0|real|1|4.0
1970-01-01 00:00:00|1970-01-01 00:00:10|integer|1|3.0|real|1|3.0
1970-01-01 00:00:00|1970-01-01 00:00:10|text|{"x":[1]}|5.0|real|1|5.0'
is wal-mode "$(sq "$T/g.db" 'pragma journal_mode')" wal
is meta-row "$(sq "$T/g.db" 'select query_name, batch from kinpipe_window_avg')" "keys|1"
is uses-start-index "$(sq "$T/g.db" "explain query plan select * from keys where start > '1970'" | grep -c keys_start)" 1
# fractions of a second: milliseconds as SQLite writes them, else micro-
# seconds; text order is time order and SQLite's date functions read them
run '{"t":0.3}
{"t":0.9}
{"t":1.0000015}
' $WA -t t -w 250ms --count '*=n' --sqlite "$T/ms.db" --query-name q
is sub-second-rc "$rc" 0
is sub-second-text "$(sq "$T/ms.db" "select start, end, datetime(end, '+1 second'), strftime('%f', end) from q order by start")" \
'1970-01-01 00:00:00.250|1970-01-01 00:00:00.500|1970-01-01 00:00:01|00.500
1970-01-01 00:00:00.750|1970-01-01 00:00:01|1970-01-01 00:00:02|01.000
1970-01-01 00:00:01|1970-01-01 00:00:01.250|1970-01-01 00:00:02|01.250'
run '{"t":0.0000015}
' $WA -t t -w 1us --count '*=n' --sqlite "$T/ms.db" --query-name us
is micro-second-rc "$rc" 0
is micro-second-text "$(sq "$T/ms.db" "select start, end, end > start from us")" '1970-01-01 00:00:00.000002|1970-01-01 00:00:00.000003|1'

# ---- Spark's FLOAT, to the last bit ----
# avg of 40999.54 read as FLOAT is the float 40999.5390625, widened
t float-widened 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:01:00Z"},"avg(v)":40999.5390625,"min(v)":40999.54}' '{"t":0,"v":40999.54}
' $WA -t t -w 1m --schema 'v FLOAT' --avg v --min v --mode update
t float-untyped 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:01:00Z"},"avg(v)":40999.54,"min(v)":40999.54}' '{"t":0,"v":40999.54}
' $WA -t t -w 1m --avg v --min v --mode update
# values over twelve orders of magnitude, so that the order of the
# additions shows in the last bits, and a decimal just above the midpoint
# of two floats whose nearest double is the midpoint itself: read through
# a double it would round to the even float below, read straight (as
# Jackson's parseFloat does) it rounds up
python3 - "$N" >"$T/f.ndjson" <<'PY'
import random, sys
r = random.Random(14)
for i in range(int(sys.argv[1])):
    v = "%.*g" % (r.randint(1, 9), 10 ** r.uniform(-6, 6))
    if i == 7:
        v = "1.000000059604644775390625000001"
    print('{"t":"2024-01-01T%02d:%02d:%02dZ","v":%s}' % (i // 3600, i // 60 % 60, i % 60, v))
PY
FQ_ARGS() { $WA -t t -w 10m --slide 5m --schema 'v FLOAT' --avg v=avg --sum v=sum --min v=min --max v=max --count '*=n' "$@"; }
FQ_ARGS --trigger available-now --sqlite "$T/f.db" --query-name f <"$T/f.ndjson" >"$T/f.out" 2>"$ERR"
is float-one-batch-rc "$?" 0
python3 "$SPARK" t v 600 300 <"$T/f.ndjson" >"$T/f.want"
cat >"$T/cmp.py" <<'PY'
# cmp.py GOT.ndjson WANT.ndjson [DB TABLE]: window-avg's rows (and the
# SQLite table's) against spark-avg.py's, every double compared exactly
import json, sqlite3, struct, sys
from datetime import datetime, timezone
f32 = lambda x: struct.unpack("<f", struct.pack("<f", x))[0]
iso = lambda s: datetime.fromtimestamp(s, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
got = [json.loads(l) for l in open(sys.argv[1])]
want = [json.loads(l) for l in open(sys.argv[2])]
bad = []
if len(got) != len(want):
    bad.append("%d windows, wanted %d" % (len(got), len(want)))
for g, w in zip(got, want):
    k = [kk for kk in g if isinstance(g[kk], dict)][0]
    start = datetime.fromisoformat(g[k]["start"].replace("Z", "+00:00")).timestamp()
    if (start != w["start"] or g["n"] != w["n"] or g["avg"] != w["avg"] or
            g["sum"] != w["sum"] or f32(g["min"]) != w["min"] or f32(g["max"]) != w["max"]):
        bad.append("got %s wanted %s" % (g, w))
if len(sys.argv) > 3:
    db = sqlite3.connect(sys.argv[3])
    rows = db.execute('select start, "end", n, avg, sum, min, max from %s order by start' % sys.argv[4]).fetchall()
    if len(rows) != len(want):
        bad.append("table: %d rows, wanted %d" % (len(rows), len(want)))
    for r, w, g in zip(rows, want, got):
        # the FLOAT min and max: the numbers the JSON rows show
        if r != (iso(w["start"]), iso(w["end"]), w["n"], w["avg"], w["sum"], g["min"], g["max"]):
            bad.append("table row %s, wanted %s" % (r, w))
for b in bad[:5]:
    print(b)
sys.exit(1 if bad else 0)
PY
ok float-one-batch-bit-exact python3 "$T/cmp.py" "$T/f.out" "$T/f.want" "$T/f.db" f
# two micro-batches (a restart with the state in between): Spark adds
# the second batch's own sum to the state's, which is not the sum of the
# values in one sequence, and the test data make the difference show
half=$((N / 2))
head -n $half "$T/f.ndjson" | FQ_ARGS --trigger available-now --state "$T/f.st" --sqlite "$T/f2.db" --query-name f >/dev/null 2>"$ERR"
tail -n +$((half + 1)) "$T/f.ndjson" | FQ_ARGS --trigger available-now --state "$T/f.st" --sqlite "$T/f2.db" --query-name f --table "$T/f2.out" >/dev/null 2>>"$ERR"
is float-two-batches-stderr "$(cat "$ERR")" ""
python3 "$SPARK" t v 600 300 $half <"$T/f.ndjson" >"$T/f2.want"
ok float-two-batches-bit-exact python3 "$T/cmp.py" "$T/f2.out" "$T/f2.want" "$T/f2.db" f
ok float-order-matters python3 -c '
import json, sys
sys.exit(0 if any(w["avg"] != w["avg_one_batch"] for w in map(json.loads, open(sys.argv[1]))) else 1)' "$T/f2.want"
t float-midpoint 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:01Z"},"avg(v)":1.0000001192092896,"min(v)":1.0000001}' '{"t":0,"v":1.000000059604644775390625000001}
' $WA -t t -w 1s --schema 'v FLOAT' --avg v --min v --mode update
# DOUBLE sums plainly too: 1e16 + 1 + 1 is 1e16 in Spark, 1e16 + 2 with
# compensation (window-avg without --schema)
t double-plain 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"sum(v)":1e+16}' '{"t":1,"v":1e16}
{"t":2,"v":1}
{"t":3,"v":1}
' $WA -t t -w 10s --schema 'v DOUBLE' --sum v --mode update
t double-compensated 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"sum(v)":10000000000000002}' '{"t":1,"v":1e16}
{"t":2,"v":1}
{"t":3,"v":1}
' $WA -t t -w 10s --sum v --mode update
# NaN and infinities, as json-project writes them, as Spark's to_json does
t float-nan 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"avg(v)":"NaN","max(v)":"NaN","min(v)":1}
{"window":{"start":"1970-01-01T00:00:10Z","end":"1970-01-01T00:00:20Z"},"avg(v)":"Infinity","max(v)":"Infinity","min(v)":2}' '{"t":1,"v":"NaN"}
{"t":2,"v":1}
{"t":11,"v":"Infinity"}
{"t":12,"v":2}
' $WA -t t -w 10s --schema 'v FLOAT' --avg v --max v --min v --mode update

# ---- INT and BIGINT: Spark's long arithmetic ----
t int-sum 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"sum(i)":6442450941,"avg(i)":2147483647,"max(i)":2147483647,"count(i)":3}' '{"t":1,"i":2147483647}
{"t":2,"i":2147483647}
{"t":3,"i":2147483647}
' $WA -t t -w 10s --schema 'i INT' --sum i --avg i --max i --count i --mode update
# 2^53 + 1 twice is exact (a double sum would lose the ones); four times
# 2^62 wraps to 0 as Java's long does
B1=9007199254740993 B2=4611686018427387904
t bigint-exact 0 "{\"window\":{\"start\":\"1970-01-01T00:00:00Z\",\"end\":\"1970-01-01T00:00:10Z\"},\"s\":$(python3 -c "print(2 * $B1)")}
{\"window\":{\"start\":\"1970-01-01T00:00:10Z\",\"end\":\"1970-01-01T00:00:20Z\"},\"s\":$(python3 -c "print((4 * $B2 + 2**63) % 2**64 - 2**63)")}
{\"window\":{\"start\":\"1970-01-01T00:00:20Z\",\"end\":\"1970-01-01T00:00:30Z\"},\"s\":$(python3 -c "print((3 * -$B2 - 5 + 2**63) % 2**64 - 2**63)")}" "{\"t\":1,\"b\":$B1}
{\"t\":2,\"b\":$B1}
{\"t\":11,\"b\":$B2}
{\"t\":12,\"b\":$B2}
{\"t\":13,\"b\":$B2}
{\"t\":14,\"b\":$B2}
{\"t\":21,\"b\":-$B2}
{\"t\":22,\"b\":-$B2}
{\"t\":23,\"b\":-$B2}
{\"t\":24,\"b\":-5}
" $WA -t t -w 10s --schema 'b BIGINT' --sum b=s --mode update --sqlite "$T/int.db" --query-name q
is bigint-table "$(sq "$T/int.db" 'select s, typeof(s) from q order by start')" "$(python3 -c "print(2 * $B1)")|integer
0|integer
$(python3 -c "print((3 * -$B2 - 5 + 2**63) % 2**64 - 2**63)")|integer"
t int-not-int 0 '{"window":{"start":"1970-01-01T00:00:00Z","end":"1970-01-01T00:00:10Z"},"sum(i)":1,"count(s)":2}' '{"t":1,"i":1,"s":"a"}
{"t":2,"i":1.5,"s":"b"}
{"t":3,"i":2147483648}
' $WA -t t -w 10s --schema 'i INT, s STRING' --sum i --count s --mode update
is int-not-int-stderr "$(cat "$ERR")" "window-avg: <stdin>:2: field 'i': not an INT (nulled)
window-avg: <stdin>:3: field 'i': not an INT (nulled)"

# ---- json-project: Spark's default corrupt-record column ----
t corrupt-default 0 '{"n":1,"_corrupt_record":null,"s":"a"}
{"n":null,"_corrupt_record":"{\"n\":2,","s":null}
{"n":null,"_corrupt_record":"{\"n\":\"x\",\"s\":\"c\"}","s":"c"}' '{"data":"{\"n\":1,\"s\":\"a\"}"}
{"data":"{\"n\":2,"}
{"data":"{\"n\":\"x\",\"s\":\"c\"}"}
' json-project --schema 'n INT, _corrupt_record STRING, s STRING'
is corrupt-default-stderr "$(cat "$ERR")" "json-project: <stdin>:2: field 'data': malformed JSON: byte 8: string key expected in object (nulled)
json-project: <stdin>:3: field 'n': string where int expected (nulled)"
t corrupt-not-read-from-document 0 '{"_corrupt_record":null}' '{"data":"{\"_corrupt_record\":\"mine\"}"}
' json-project --schema '_corrupt_record STRING'
t corrupt-renamed 0 '{"n":null,"_corrupt_record":null,"bad":"{"}' '{"data":"{"}
' json-project --schema 'n INT, _corrupt_record STRING' --corrupt-column bad
t corrupt-none-without-field 0 '{"n":null}' '{"data":"{"}
' json-project --schema 'n INT'
run '' json-project --schema 'n INT, _corrupt_record INT'
is corrupt-must-be-string-rc "$rc" 2
is corrupt-must-be-string-msg "$(tail -n 1 "$ERR")" "json-project: schema: the corrupt record column '_corrupt_record' must be STRING"
# (the man page's example of it runs in test-json-project.sh)
like corrupt-man-says "$(sed -n '/^Spark.s default corrupt-record column/,/^and reports/p' "$KP_ROOT/man/json-project.1" | grep '^\.Dl')" '.Dl {"n":null,"_corrupt_record":"{\\e"n\\e":1,"}'

# ---- each output mode's table ----
# the structured streaming guide's watermark example (its inputs and
# outputs), four triggers: each batch written at once, then a pause
g() { printf '{"timestamp":"2024-01-01T%s:00Z","word":"%s"}\n' "$1" "$2"; }
{ g 12:07 dog; g 12:08 owl; } >"$T/b1"
{ g 12:14 dog; g 12:09 cat; } >"$T/b2"
{ g 12:15 cat; g 12:08 dog; g 12:13 owl; g 12:21 owl; } >"$T/b3"
{ g 12:04 donkey; g 12:17 owl; } >"$T/b4"
r() { printf '2024-01-01 %s:00|2024-01-01 %s:00|%s|%s\n' "$@"; }
GUIDE="-t timestamp -w 10m --slide 5m -g word --count *=count"
WORDS="select start, end, word, count from q order by start, word"
FINAL=$(r 12:00 12:10 cat 1; r 12:00 12:10 dog 2; r 12:00 12:10 owl 1
r 12:05 12:15 cat 1; r 12:05 12:15 dog 3; r 12:05 12:15 owl 2
r 12:10 12:20 cat 1; r 12:10 12:20 dog 1; r 12:10 12:20 owl 2
r 12:15 12:25 cat 1; r 12:15 12:25 owl 2; r 12:20 12:30 owl 1)
# after two triggers: the changed windows upserted (update) or the whole
# table (complete), the same rows here
TWO=$(r 12:00 12:10 cat 1; r 12:00 12:10 dog 1; r 12:00 12:10 owl 1
r 12:05 12:15 cat 1; r 12:05 12:15 dog 2; r 12:05 12:15 owl 1
r 12:10 12:20 dog 1)
# feed_modes MODE ARGS...: the four batches through a FIFO, the table
# read after the second, third and fourth triggers, then at the end
feed_modes() {
	m=$1
	shift
	rm -f "$T/fifo" && mkfifo "$T/fifo"
	$WA $GUIDE --mode "$m" "$@" --sqlite "$T/modes.db" --query-name q <"$T/fifo" >/dev/null 2>"$T/modes.err" &
	pid=$!
	exec 3>"$T/fifo"
	cat "$T/b1" >&3; sleep 0.4
	cat "$T/b2" >&3; sleep 0.4
	sq "$T/modes.db" "$WORDS" >"$T/$m.2"
	cat "$T/b3" >&3; sleep 0.6
	sq "$T/modes.db" "$WORDS" >"$T/$m.3"
	cat "$T/b4" >&3; sleep 0.4
	sq "$T/modes.db" "$WORDS" >"$T/$m.4"
	exec 3>&-
	wait $pid
	is "$m-rc" "$?" 0
	is "$m-stderr" "$(cat "$T/modes.err")" ""
	sq "$T/modes.db" "$WORDS" >"$T/$m.end"
}
feed_modes complete --watermark 10m
is complete-after-2 "$(cat "$T/complete.2")" "$TWO"
# complete keeps every window: the watermark drops nothing
is complete-end "$(cat "$T/complete.end")" "$(r 11:55 12:05 donkey 1; r 12:00 12:10 cat 1; r 12:00 12:10 dog 2
r 12:00 12:10 donkey 1; r 12:00 12:10 owl 1; r 12:05 12:15 cat 1
r 12:05 12:15 dog 3; r 12:05 12:15 owl 2; r 12:10 12:20 cat 1
r 12:10 12:20 dog 1; r 12:10 12:20 owl 2; r 12:15 12:25 cat 1
r 12:15 12:25 owl 2; r 12:20 12:30 owl 1)"
feed_modes update --watermark 10m
is update-after-2 "$(cat "$T/update.2")" "$TWO"
# the windows the watermark passed keep their last values after the state
# forgot them; (12:04, donkey) came too late for both its windows
is update-end "$(cat "$T/update.end")" "$FINAL"
is update-after-4 "$(cat "$T/update.4")" "$FINAL"
feed_modes append --watermark 10m
# the 12:00-12:10 windows once the watermark passed 12:10, then nothing
# until the end of input ends event time
FIRST=$(r 12:00 12:10 cat 1; r 12:00 12:10 dog 2; r 12:00 12:10 owl 1)
is append-after-2 "$(cat "$T/append.2")" ""
is append-after-3 "$(cat "$T/append.3")" "$FIRST"
is append-after-4 "$(cat "$T/append.4")" "$FIRST"
is append-end "$(cat "$T/append.end")" "$FINAL"
# update without a watermark: a null key is upserted like any other
{ printf '{"t":1,"k":null}\n'; sleep 0.4; printf '{"t":2}\n'; sleep 0.4; printf '{"t":3,"k":"x"}\n'; } |
	$WA -t t -w 10s -g k --count '*=n' --mode update --sqlite "$T/null.db" --query-name q >/dev/null 2>"$ERR"
is update-null-key "$(sq "$T/null.db" 'select start, k, n from q order by k')" "1970-01-01 00:00:00||2
1970-01-01 00:00:00|x|1"
# beside --table: the same rows
{ cat "$T/b1" "$T/b2" "$T/b3" "$T/b4"; } |
	$WA $GUIDE --table "$T/guide.ndjson" --sqlite "$T/both.db" --query-name q >/dev/null 2>"$ERR"
is beside-table "$(sq "$T/both.db" "$WORDS")" "$(jq -r '[(.window.start, .window.end | sub("T"; " ") | sub("Z"; "")), .word, .count] | join("|")' "$T/guide.ndjson")"
# --merge into SQLite: the merged table, group keys after the shard
printf '%s\n' '{"t":1,"c":"A","v":1,"shardId":"s1","sequenceNumber":"1"}' \
    '{"t":2,"c":"B","v":2,"shardId":"s1","sequenceNumber":"2"}' |
	$WA -t t -w 10s -g c --avg v --count '*=n' --emit partials >"$T/m.p"
printf '%s\n' '{"t":3,"c":"A","v":5,"shardId":"s2","sequenceNumber":"1"}' \
    '{"t":12,"c":null,"v":7,"shardId":"s2","sequenceNumber":"2"}' |
	$WA -t t -w 10s -g c --avg v --count '*=n' --emit partials >>"$T/m.p"
$WA --merge -g c --avg v --count '*=n' --trigger available-now --sqlite "$T/m.db" --query-name q <"$T/m.p" >/dev/null 2>"$ERR"
is merge-rc "$?" 0
is merge-table "$(sq "$T/m.db" 'select start, end, c, "avg(v)", n from q')" "1970-01-01 00:00:00|1970-01-01 00:00:10|A|3.0|2
1970-01-01 00:00:00|1970-01-01 00:00:10|B|2.0|1
1970-01-01 00:00:10|1970-01-01 00:00:20||7.0|1"

# ---- the notebook's pipeline and its two queries ----
# a day of records ending now, so that the notebook's processing-time
# query (the last 60 minutes before now) has windows to average
START=$(python3 -c 'import time; t = int(time.time()) // 300 * 300 - 86400; print(time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)))')
python3 "$KP_ROOT/examples/gen-bitcoin.py" --count 1440 --step 60 --start "$START" --envelope >"$T/feed"
SCHEMA='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'
json-project --schema "$SCHEMA" <"$T/feed" |
	ts-parse --field timestamp --format "yyyy-MM-dd'T'HH:mm:ss" |
	$WA --time timestamp --window '10 minutes' --slide '5 minutes' \
		--window-column time_window --schema "$SCHEMA" \
		--avg euro_rate=window_avg_euro_rate --mode complete --trigger available-now \
		--sqlite "$T/nb.db" --query-name bitcoin_window >/dev/null 2>"$ERR"
is notebook-rc "$?" 0
is notebook-stderr "$(cat "$ERR")" ""
python3 "$SPARK" timestamp euro_rate 600 300 <"$T/feed" >"$T/nb.want"
is notebook-windows "$(sq "$T/nb.db" 'select count(*) from bitcoin_window')" 289
ok notebook-table-bit-exact python3 -c '
import json, sqlite3, sys
from datetime import datetime, timezone
iso = lambda s: datetime.fromtimestamp(s, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
want = [(iso(w["start"]), iso(w["end"]), w["avg"]) for w in map(json.loads, open(sys.argv[1]))]
got = sqlite3.connect(sys.argv[2]).execute("select start, end, window_avg_euro_rate from bitcoin_window order by start").fetchall()
sys.exit(0 if got == want else 1)' "$T/nb.want" "$T/nb.db"
cat >"$T/nbq.py" <<'PY'
# nbq.py WANT Q1 Q2 NOW1 NOW2: the notebook's two queries as sqlite3
# printed them, against the windows computed by spark-avg.py. 3: the
# clock crossed a window start during the query, try again.
import json, sys
from datetime import datetime, timezone
iso = lambda s: datetime.fromtimestamp(s, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
want = [json.loads(l) for l in open(sys.argv[1])]
q1 = open(sys.argv[2]).read().split("\n")[:-1]
exp1 = [(iso(w["start"]), iso(w["end"]), float("%.15g" % w["avg"])) for w in want[:5]]
got1 = [(a, b, float(c)) for a, b, c in (l.split("|") for l in q1)]
if got1 != exp1:
    print("limit 5:", got1, "wanted", exp1)
    sys.exit(1)
# datetime('now', '-60 minutes') is whole seconds; window starts compare
# as text
sel = lambda now: [w["avg"] for w in want if iso(w["start"]) > iso(int(now) - 3600)]
a, b = sel(float(sys.argv[4])), sel(float(sys.argv[5]))
if a != b:
    sys.exit(3)
total = 0.0
for v in a:
    total += v
rate = open(sys.argv[3]).read().strip()
# SQLite's own avg(): its way of summing changed across versions, so
# within a few ulps; the windows it averages are exactly these
if not a or abs(float(rate) - total / len(a)) > 1e-12 * abs(total / len(a)):
    print("last hour:", rate, "wanted", total / len(a) if a else None, len(a))
    sys.exit(1)
PY
Q1="select start, end, window_avg_euro_rate from bitcoin_window limit 5"
Q2="select avg(window_avg_euro_rate) as rate from bitcoin_window where start > datetime('now', '-60 minutes')"
for try in 1 2 3; do
	now1=$(date +%s.%N)
	sq "$T/nb.db" "$Q1" >"$T/q1" 2>"$ERR"
	sq "$T/nb.db" "$Q2" >"$T/q2" 2>>"$ERR"
	now2=$(date +%s.%N)
	python3 "$T/nbq.py" "$T/nb.want" "$T/q1" "$T/q2" "$now1" "$now2" >"$T/nbq.out"
	nbq=$?
	[ $nbq = 3 ] || break
done
is notebook-queries "$nbq $(cat "$T/nbq.out")" "0 "
is notebook-queries-stderr "$(cat "$ERR")" ""
like notebook-last-hour-windows "$(sq "$T/nb.db" "select count(*) from bitcoin_window where start > datetime('now', '-60 minutes')")" "1[01]"

# ---- a reader polling during a run never sees a partial table ----
# one record a second, 10 s windows sliding by 5 s, complete mode: after
# R records the table has 2 + (R - 1) / 5 windows, counts summing to 2R,
# the last starting at 5 * ((R - 1) / 5); a table cut short anywhere (the
# old rows deleted, some new ones inserted) is no such table
PN=${KP_SANITIZED:+1200}
PN=${PN:-3000}
python3 -c '
import sys
for i in range(int(sys.argv[1])):
    print("{\"t\":%d}" % (1704067200 + i))' "$PN" >"$T/poll.ndjson"
python3 -c '
import sys, time
lines = open(sys.argv[1]).readlines()
for i in range(0, len(lines), 7):
    sys.stdout.write("".join(lines[i:i + 7])); sys.stdout.flush(); time.sleep(0.005)' "$T/poll.ndjson" |
	$WA -t t -w 10s --slide 5s --count '*=n' --sqlite "$T/poll.db" --query-name q >/dev/null 2>"$T/poll.werr" &
writer=$!
i=0
until sq "$T/poll.db" 'select 1 from q limit 0' 2>/dev/null || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
: >"$T/samples"
while kill -0 $writer 2>/dev/null; do
	sq "$T/poll.db" "select count(*), coalesce(sum(n), 0), coalesce(max(start), '') from q" >>"$T/samples" 2>>"$T/poll.rerr"
done
wait $writer
is poll-writer-rc "$?" 0
is poll-writer-stderr "$(cat "$T/poll.werr")" ""
is poll-reader-stderr "$(cat "$T/poll.rerr")" ""
cat >"$T/poll.py" <<'PY'
# poll.py N SAMPLES: every sample is the whole table after some number
# of records, never fewer than the sample before; and the check is able
# to see a partial table (asserted first)
import sys
from datetime import datetime, timezone
base, n = 1704067200, int(sys.argv[1])
iso = lambda s: datetime.fromtimestamp(s, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
counts, valid, tables = {}, {(0, 0, ""): 0}, {0: []}
for r in range(1, n + 1):
    t = base + r - 1
    for s in (t - t % 5, t - t % 5 - 5):
        counts[s] = counts.get(s, 0) + 1
    rows = sorted(counts.items())
    valid[(len(rows), 2 * r, iso(rows[-1][0]))] = r
    if r % 97 == 0:
        tables[r] = rows
for r, rows in tables.items():
    for k in range(1, len(rows)):
        cut = rows[:k]
        assert (k, sum(c for _, c in cut), iso(cut[-1][0])) not in valid, (r, k)
last, seen, bad = 0, set(), 0
for line in open(sys.argv[2]):
    c, s, m = line.rstrip("\n").split("|")
    r = valid.get((int(c), int(s), m))
    if r is None or r < last:
        print("not a table of any trigger, or an older one:", line.strip(), "after", last)
        bad = 1
        break
    last = r
    seen.add(r)
if last != n or len(seen) < 10:
    print("saw %d tables, the last after %d records of %d" % (len(seen), last, n))
    bad = 1
sys.exit(bad)
PY
ok poll-whole-tables python3 "$T/poll.py" "$PN" "$T/samples"

# ---- SIGKILL and restart: the table equals the state ----
# bitcoin records with the Kinesis fields: four shards, 1% out of order,
# never late for a 30-minute watermark, so that every mode's final table
# is the same however the input is cut into triggers
KN=${KP_SANITIZED:+4000}
KN=${KN:-12000}
python3 "$KP_ROOT/examples/gen-bitcoin.py" --count "$KN" --disorder 0.01 |
python3 "$KP_ROOT/tests/e2e/shard-records.py" >"$T/sharded"
KQ="-t timestamp -w 10m --slide 5m --avg euro_rate=avg --count *=n"
cat >"$T/agree.py" <<'PY'
# agree.py DB MODE STATE: the table against the state file. complete:
# the state's rows exactly; update: the state's rows, and besides them
# only windows the state's watermark has passed (final, forgotten by the
# state); append: only windows the watermark has passed, none of the
# state's. Values as window-avg computes them from the state's cells.
import json, os, sqlite3, sys
from datetime import datetime, timezone
iso = lambda us: datetime.fromtimestamp(us / 1e6, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
db, mode, path = sys.argv[1:4]
st = json.load(open(path)) if os.path.exists(path) else {"rows": [], "watermark_ms": None}
wm = st["watermark_ms"]
mine = set()
for start, key, rows, batch, cell in st["rows"]:
    n, s, comp = cell[0], cell[1], cell[2]
    mine.add((iso(start), iso(start + 600000000), (s + comp) / n if n else None, rows))
table = sqlite3.connect(db).execute('select start, "end", avg, n from q').fetchall()
have = set(table)
final = lambda r: wm is not None and r[1] <= iso(wm * 1000)
ok = len(have) == len(table)
if mode == "complete":
    ok = ok and have == mine
elif mode == "update":
    ok = ok and mine <= have and all(final(r) for r in have - mine)
else:
    ok = ok and not (mine & have) and all(final(r) for r in have)
if not ok:
    print(mode, "table", len(table), "rows; state", len(mine), "watermark", wm,
          "missing", sorted(mine - have)[:2], "extra", sorted(have - mine)[:2])
sys.exit(0 if ok else 1)
PY
# hold MODE: window-avg in the background ($hpid) on the state and the
# database, reading a FIFO that the test keeps open on fd 5: input that
# never ends (in append mode the end of input would end event time and
# finalise every window)
hold() {
	rm -f "$T/hold" && mkfifo "$T/hold"
	$WA $KQ $MODEARGS --state "$T/k.$1" --sqlite "$T/k.db" --query-name q <"$T/hold" >/dev/null 2>>"$T/k.err" &
	hpid=$!
	exec 5>"$T/hold"
}
unhold() {	# kill -9 it
	kill -9 $hpid
	wait $hpid 2>/dev/null
	exec 5>&-
}
# reopen MODE: start as a restart does (the table is made to agree with
# the state while it opens), then kill it
reopen() {
	want=$(python3 -c '
import json, os, sys
print(json.load(open(sys.argv[1]))["batch"] if os.path.exists(sys.argv[1]) else 0)' "$T/k.$1")
	hold $1
	i=0
	until [ "$(sq "$T/k.db" 'select batch from kinpipe_window_avg where query_name = "q"' 2>/dev/null)" = "$want" ] ||
	    [ $i -ge 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	unhold
}
slow() {
	python3 -c '
import sys, time
lines = open(sys.argv[1]).readlines()
c = max(1, len(lines) // 150)
for i in range(0, len(lines), c):
    sys.stdout.write("".join(lines[i:i + c])); sys.stdout.flush(); time.sleep(0.01)
' "$1"
}
wait_marks() {	# wait_marks STATE INPUT: until the state counted all of INPUT
	python3 -c '
import json, os, sys, time
want = {}
for l in open(sys.argv[2]):
    r = json.loads(l)
    want[r["shardId"]] = max(want.get(r["shardId"], 0), int(r["sequenceNumber"]))
for _ in range(200):
    try:
        got = {k: int(v) for k, v in json.load(open(sys.argv[1]))["shards"].items()}
        if got == want:
            sys.exit(0)
    except (OSError, ValueError):
        pass
    time.sleep(0.05)
sys.exit(1)' "$1" "$2"
}
part() {	# part MODE INPUT: feed INPUT, wait until counted, kill -9
	hold $1
	cat "$2" >&5
	wait_marks "$T/k.$1" "$2"
	unhold
}
head -n $((KN / 2)) "$T/sharded" >"$T/half"
head -n $((3 * KN / 4)) "$T/sharded" >"$T/three-quarters"
for m in complete update append; do
	case $m in
	complete) MODEARGS="--mode complete" ;;
	*) MODEARGS="--mode $m --watermark 30m" ;;
	esac
	rm -f "$T/k.db"* "$T/k.$m" "$T/ref.db"*
	: >"$T/k.err"
	$WA $KQ $MODEARGS --trigger available-now --sqlite "$T/ref.db" --query-name q <"$T/sharded" >/dev/null 2>"$ERR"
	is "$m-reference-rc" "$?" 0
	# the crash between the table's commit and the state's: the state
	# put back as it was before the second feed, the table ahead of it
	part $m "$T/half"
	ok "$m-agrees-after-half" python3 "$T/agree.py" "$T/k.db" $m "$T/k.$m"
	cp "$T/k.$m" "$T/k.$m.old"
	part $m "$T/three-quarters"
	cp "$T/k.$m.old" "$T/k.$m"
	ok "$m-table-ahead-of-state" sh -c "! python3 '$T/agree.py' '$T/k.db' $m '$T/k.$m' >/dev/null"
	reopen $m
	ok "$m-rebuilt-from-state" python3 "$T/agree.py" "$T/k.db" $m "$T/k.$m"
	# SIGKILL at random moments, restarting on the whole input (as
	# kin-read --resume-from would replay it): after every kill and
	# restart the table agrees with the state
	kills=0 agreed=0
	for attempt in 1 2 3 4 5 6 7 8; do
		rm -f "$T/k.pid"
		( slow "$T/sharded" 2>/dev/null | sh -c 'echo $$ >"$1/k.pid"; shift; exec "$@"' sh "$T" \
		    $WA $KQ $MODEARGS --state "$T/k.$m" --sqlite "$T/k.db" --query-name q >/dev/null 2>>"$T/k.err" ) 2>/dev/null &
		sub=$!
		if [ $attempt -lt 8 ]; then
			sleep "0.$(( (RANDOM % 35) + 5 ))"
			[ -s "$T/k.pid" ] && kill -9 "$(cat "$T/k.pid")" 2>/dev/null && kills=$((kills + 1))
		fi
		wait $sub && break
		reopen $m
		python3 "$T/agree.py" "$T/k.db" $m "$T/k.$m" && agreed=$((agreed + 1))
	done
	ok "$m-sigkill-happened" test "$kills" -ge 3
	is "$m-agreed-after-every-kill" "$agreed" "$kills"
	is "$m-no-errors" "$(cat "$T/k.err")" ""
	ok "$m-agrees-at-the-end" python3 "$T/agree.py" "$T/k.db" $m "$T/k.$m"
	is "$m-same-table" "$(sq "$T/k.db" 'select * from q order by start')" "$(sq "$T/ref.db" 'select * from q order by start')"
	is "$m-table-rows" "$(sq "$T/k.db" 'select count(*) from q')" "$(python3 "$KP_ROOT/tests/e2e/expected-windows.py" 600 300 <"$T/sharded" | grep -c .)"
done

finish
