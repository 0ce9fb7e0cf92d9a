#!/bin/sh
# ts-parse end to end: patterns and the default cast, zones, output forms,
# each --on-error mode, bad input of every kind, I/O failures, the man
# page's EXAMPLES. Expected instants are worked out by hand from Spark's
# rules (see ts-parse(1)); DST ones were checked with Python's zoneinfo.
. "$(dirname "$0")/lib.sh"

F="yyyy-MM-dd'T'HH:mm:ss"
R1='{"timestamp":"2024-01-01T00:00:07","euro_rate":41234.5,"usd_rate":1,"gbp_rate":2.5}'
W1='{"timestamp":"2024-01-01T00:00:07Z","euro_rate":41234.5,"usd_rate":1,"gbp_rate":2.5}'

t notebook 0 "$W1" "$R1
" ts-parse --format "$F"
t last-line-without-newline 0 "$W1" "$R1" ts-parse --format "$F"
t blank-lines 0 "$W1" "
$R1

" ts-parse --format "$F"
t field-in-the-middle 0 '{"a":[1,{"b":2}],"timestamp":"2024-01-01T00:00:07Z","z":"\u00e9"}' '{"a":[1,{"b":2}],"timestamp":"2024-01-01T00:00:07","z":"\u00e9"}
' ts-parse --format "$F"
t escaped-value 0 '{"timestamp":"2024-01-01T00:00:07Z"}' '{"timestamp":"2024-01-01\u005400:00:07"}
' ts-parse --format "$F"
t custom-field 0 '{"t":"2024-02-29T23:59:59Z","timestamp":"x"}' '{"t":"2024-02-29 23:59:59","timestamp":"x"}
' ts-parse --field t --format 'yyyy-MM-dd HH:mm:ss'
t fraction 0 '{"timestamp":"2024-01-01T00:00:07.25Z"}' '{"timestamp":"2024-01-01 00:00:07.25"}
' ts-parse --format 'yyyy-MM-dd HH:mm:ss.SSSSSS'
t month-names 0 '{"timestamp":"2024-09-05T21:05:00Z"}' '{"timestamp":"5 sep 2024, 9:05 PM"}
' ts-parse --format 'd MMM yyyy, h:mm a'
t offset-in-value 0 '{"timestamp":"2024-01-01T06:30:00Z"}' '{"timestamp":"2024-01-01T12:00:00+05:30"}
' ts-parse --format "yyyy-MM-dd'T'HH:mm:ssXXX" --tz Europe/Berlin
t zone-in-value 0 '{"timestamp":"2024-07-01T16:00:00Z"}' '{"timestamp":"2024-07-01 12:00 America/New_York"}
' ts-parse --format 'yyyy-MM-dd HH:mm VV'
t optional 0 '{"timestamp":"2024-01-01T00:00:00Z"}
{"timestamp":"2024-01-01T12:30:00Z"}' '{"timestamp":"2024-01-01"}
{"timestamp":"2024-01-01 12:30"}
' ts-parse --format 'yyyy-MM-dd[ HH:mm]'
t before-1970 0 '{"timestamp":"1969-07-20T20:17:40Z"}' '{"timestamp":"1969-07-20T20:17:40"}
' ts-parse --format "$F"
t far-future 0 '{"timestamp":"9999-12-31T23:59:59Z"}' '{"timestamp":"9999-12-31T23:59:59"}
' ts-parse --format "$F"
t extreme-instants 0 '{"timestamp":"-290308-12-21T19:59:05.224192Z"}
{"timestamp":"+294247-01-10T04:00:54.775807Z"}
{"timestamp":null}
{"timestamp":"-0044-03-15T12:00:00Z"}' '{"timestamp":"-290308-12-21T19:59:05.224192Z"}
{"timestamp":"294247-01-10T04:00:54.775807Z"}
{"timestamp":"294247-01-10T04:00:54.775808Z"}
{"timestamp":"-0044-03-15 12:00"}
' ts-parse

# DST edges in a named zone: gap forward, overlap earlier offset
NY='{"timestamp":"2024-03-10T02:30:00"}
{"timestamp":"2024-11-03T01:30:00"}
{"timestamp":"2024-07-01T12:00:00"}
'
t dst-new-york 0 '{"timestamp":"2024-03-10T07:30:00Z"}
{"timestamp":"2024-11-03T05:30:00Z"}
{"timestamp":"2024-07-01T16:00:00Z"}' "$NY" ts-parse --format "$F" --tz America/New_York
t dst-berlin 0 '{"timestamp":"2024-03-31T01:30:00Z"}
{"timestamp":"2024-10-27T00:30:00Z"}' '{"timestamp":"2024-03-31T02:30:00"}
{"timestamp":"2024-10-27T02:30:00"}
' ts-parse --format "$F" --tz Europe/Berlin
t tz-offset 0 '{"timestamp":"2023-12-31T18:30:00Z"}' '{"timestamp":"2024-01-01T00:00:00"}
' ts-parse --format "$F" --tz +05:30

# output forms; --as keeps the source
t to-epoch 0 '{"timestamp":1704067207.25}
{"timestamp":1704067207}
{"timestamp":-0.5}' '{"timestamp":"2024-01-01 00:00:07.25"}
{"timestamp":"2024-01-01 00:00:07"}
{"timestamp":"1969-12-31 23:59:59.5"}
' ts-parse --to epoch
t to-epoch-ms 0 '{"timestamp":1704067207250}
{"timestamp":-500}' '{"timestamp":"2024-01-01 00:00:07.25"}
{"timestamp":"1969-12-31 23:59:59.5"}
' ts-parse --to epoch_ms
t to-epoch-us 0 '{"timestamp":1704067207250001}' '{"timestamp":"2024-01-01 00:00:07.250001"}
' ts-parse --to epoch_us
t as-new 0 '{"timestamp":"2024-01-01T00:00:07","x":1,"ts":"2024-01-01T00:00:07Z"}' '{"timestamp":"2024-01-01T00:00:07","x":1}
' ts-parse --format "$F" --as ts
t as-existing 0 '{"ts":"2024-01-01T00:00:07Z","timestamp":"2024-01-01T00:00:07"}' '{"ts":0,"timestamp":"2024-01-01T00:00:07"}
' ts-parse --format "$F" --as ts

# Spark's default cast
t cast 0 '{"timestamp":"2024-01-01T00:00:00Z"}
{"timestamp":"2024-01-01T00:00:00Z"}
{"timestamp":"2024-01-01T12:30:00Z"}
{"timestamp":"2015-03-18T04:33:17.123121Z"}
{"timestamp":null}' '{"timestamp":"2024-1-1"}
{"timestamp":"2024"}
{"timestamp":"2024-01-01T12:30"}
{"timestamp":"2015-03-18T12:03:17.123121+7:30"}
{"timestamp":"20150318"}
' ts-parse

# numbers are epoch seconds; null stays null; other types are bad input
t epoch-number 0 '{"timestamp":"2024-01-01T00:00:07.25Z"}
{"timestamp":"1969-12-31T23:59:59Z"}' '{"timestamp":1704067207.25}
{"timestamp":-1}
' ts-parse --format "$F"
t null-value 0 '{"timestamp":null,"x":1}' '{"timestamp":null,"x":1}
' ts-parse --format "$F"
t missing-field 0 '{"x":1,"y":"2024"}
{"timestamp":null}' '{"x":1,"y":"2024"}
{"timestamp":null}
' ts-parse --format "$F" --on-error=fail
t wrong-types 0 '{"timestamp":null}
{"timestamp":null}
{"timestamp":null}' '{"timestamp":true}
{"timestamp":{"a":1}}
{"timestamp":["2024"]}
' ts-parse --format "$F"
is wrong-types-stderr "$(cat "$ERR")" "ts-parse: <stdin>:1: field 'timestamp' is not a string or a number (nulled)
ts-parse: <stdin>:2: field 'timestamp' is not a string or a number (nulled)
ts-parse: <stdin>:3: field 'timestamp' is not a string or a number (nulled)"

# values that do not exist or do not match: null
BAD='{"timestamp":"2023-02-30T00:00:00"}
{"timestamp":"2024-01-01T24:00:00"}
{"timestamp":"2016-12-31T23:59:60"}
{"timestamp":"2024-13-01T00:00:00"}
{"timestamp":"2024-01-01T00:00:07Z"}
{"timestamp":"yesterday"}
{"timestamp":"2024-01-01\u000000:00:07"}
'
t out-of-range-null 0 '{"timestamp":null}
{"timestamp":null}
{"timestamp":null}
{"timestamp":null}
{"timestamp":null}
{"timestamp":null}
{"timestamp":null}' "$BAD" ts-parse --format "$F" --stats
like out-of-range-stderr "$(cat "$ERR")" "ts-parse: <stdin>:1: field 'timestamp': '2023-02-30T00:00:00' is not a valid date-time (nulled)
ts-parse: <stdin>:2: field 'timestamp': '2024-01-01T24:00:00' is not a valid date-time (nulled)
*<stdin>:6: field 'timestamp': 'yesterday' does not match the pattern (nulled)
*ts-parse: stats: final read=7 emitted=7 nulled=7 skipped=0 missing=0 shared=0"

# each --on-error mode: no good record lost
MIX="$R1
{\"timestamp\":\"soon\",\"k\":2}
$R1
"
t skip 0 "$W1
$W1" "$MIX" ts-parse --format "$F" --on-error=skip --stats
is skip-stderr "$(cat "$ERR")" "ts-parse: <stdin>:2: field 'timestamp': 'soon' does not match the pattern (skipped)
ts-parse: stats: final read=3 emitted=2 nulled=0 skipped=1 missing=0 shared=0"
t fail 1 "$W1" "$MIX" ts-parse --format "$F" --on-error=fail
is fail-stderr "$(cat "$ERR")" "ts-parse: <stdin>:2: field 'timestamp': 'soon' does not match the pattern"
t null 0 "$W1
{\"timestamp\":null,\"k\":2}
$W1" "$MIX" ts-parse --format "$F" --on-error=null

# malformed lines, NUL bytes, invalid UTF-8, truncated records
t malformed-null 0 "{\"timestamp\":null}
$W1" "{\"timestamp\":\"2024-01-01T00:00:07\"
$R1
" ts-parse --format "$F"
like malformed-stderr "$(cat "$ERR")" "ts-parse: <stdin>:1: invalid JSON record: *(nulled)"
t malformed-as 0 '{"ts":null}' 'nope
' ts-parse --format "$F" --as ts
t malformed-skip 0 "$W1" "[1,2]
$R1
" ts-parse --format "$F" --on-error=skip
t malformed-fail 1 "" "$R1" sh -c 'printf "{\"timestamp\":\"x\",}\n" | ts-parse --format "$1" --on-error=fail' sh "$F"
like malformed-fail-stderr "$(cat "$ERR")" "ts-parse: <stdin>:1: invalid JSON record: *"
printf '{"timestamp":"2024-01-01T00:00:07"}\n{"timestamp":"2024\0001"}\n{"timestamp":"\351t\351"}\n' >"$T/bin.ndjson"
t nul-and-utf8 0 '{"timestamp":"2024-01-01T00:00:07Z"}
{"timestamp":null}
{"timestamp":null}' "" sh -c 'ts-parse --format "$1" < "$2"' sh "$F" "$T/bin.ndjson"
like nul-and-utf8-stderr "$(cat "$ERR")" "ts-parse: <stdin>:2: invalid JSON record: *(nulled)
ts-parse: <stdin>:3: invalid JSON record: *(nulled)"

# a line over 1 MiB passes whole
big=$(head -c 1200000 /dev/zero | tr '\0' 'a')
printf '{"pad":"%s","timestamp":"2024-01-01T00:00:07"}\n' "$big" >"$T/big.ndjson"
ts-parse --format "$F" <"$T/big.ndjson" >"$OUT" 2>"$ERR"
is huge-line-status "$?" 0
is huge-line "$(cat "$OUT")" "{\"pad\":\"$big\",\"timestamp\":\"2024-01-01T00:00:07Z\"}"

# I/O: a closed pipe ends quietly, a full disk is an error
n=200000
[ -n "${KP_SANITIZED:-}" ] && n=20000
python3 "$KP_ROOT/examples/gen-bitcoin.py" --count "$n" >"$T/many.ndjson"
is head-n1 "$(ts-parse --format "$F" <"$T/many.ndjson" | head -n1)" '{"timestamp":"2024-01-01T00:00:00Z","euro_rate":39995.3891,"usd_rate":43394.9972,"gbp_rate":34280.048}'
ts-parse --format "$F" <"$T/many.ndjson" >/dev/full 2>"$ERR"
is dev-full-status "$?" 1
is dev-full-stderr "$(cat "$ERR")" "ts-parse: write error: No space left on device"
is count "$(ts-parse --format "$F" <"$T/many.ndjson" | grep -c '00Z"')" "$n"

# usage errors: status 2, a usage line and the reason
t bad-option 2 "" "" ts-parse --nope
like bad-option-stderr "$(cat "$ERR")" "usage: ts-parse *
ts-parse: unknown option '--nope'"
t bad-pattern 2 "" "" ts-parse --format 'EEE, d MMM yyyy'
is bad-pattern-stderr "$(tail -n1 "$ERR")" "ts-parse: --format: Illegal pattern character: E"
t week-pattern 2 "" "" ts-parse --format 'YYYY-ww'
is week-pattern-stderr "$(tail -n1 "$ERR")" "ts-parse: --format: All week-based patterns are unsupported since Spark 3.0, detected: Y, Please use the SQL function EXTRACT instead"
t bad-tz 2 "" "" ts-parse --tz Mars/Olympus
is bad-tz-stderr "$(tail -n1 "$ERR")" "ts-parse: --tz: unknown time zone 'Mars/Olympus'"
t bad-to 2 "" "" ts-parse --to seconds
is bad-to-stderr "$(tail -n1 "$ERR")" "ts-parse: --to: expected iso, epoch, epoch_ms or epoch_us, not 'seconds'"
t bad-on-error 2 "" "" ts-parse --on-error=maybe
# an empty pattern matches only empty text: it would null every record
t empty-format 2 "" '{"timestamp":"2024-01-01"}
' ts-parse --format ''
is empty-format-stderr "$(tail -n1 "$ERR")" "ts-parse: --format: empty pattern; leave --format out for Spark's CAST"
t empty-field 2 "" "" ts-parse --field ''
t help 0 "$(ts-parse --help)" "" ts-parse -h
like help-text "$(cat "$OUT")" "usage: ts-parse *--format PATTERN*"
t version 0 "ts-parse 0.1.0" "" ts-parse --version

# input files: read in order, - for standard input, line numbers per file;
# a file that cannot be opened stops the run there (exit 1), named
printf '%s\n%s' '{"timestamp":0}' '{"timestamp":60}' >"$T/a.ndjson"
printf '%s\n%s\n' '{"timestamp":86400}' '{"timestamp":true}' >"$T/b.ndjson"
t files-in-order 0 '{"timestamp":"1970-01-01T00:00:00Z"}
{"timestamp":"1970-01-01T00:01:00Z"}
{"timestamp":"1970-01-02T00:00:00Z"}
{"timestamp":null}' "" ts-parse "$T/a.ndjson" "$T/b.ndjson"
is files-error-names-file "$(cat "$ERR")" "ts-parse: $T/b.ndjson:2: field 'timestamp' is not a string or a number (nulled)"
t files-and-stdin 0 '{"timestamp":"1970-01-01T00:00:00Z"}
{"timestamp":"1970-01-01T00:01:00Z"}
{"timestamp":"1970-01-01T01:00:00Z"}
{"timestamp":"1970-01-02T00:00:00Z"}
{"timestamp":null}' '{"timestamp":3600}
' ts-parse "$T/a.ndjson" - "$T/b.ndjson"
t stdin-dash-only 0 '{"timestamp":"1970-01-01T01:00:00Z"}' '{"timestamp":3600}
' ts-parse -
t files-fail-names-line 1 '{"timestamp":"1970-01-01T00:00:00Z"}
{"timestamp":"1970-01-01T00:01:00Z"}
{"timestamp":"1970-01-02T00:00:00Z"}' "" ts-parse --on-error=fail "$T/a.ndjson" "$T/b.ndjson" "$T/a.ndjson"
is files-fail-names-line-err "$(cat "$ERR")" "ts-parse: $T/b.ndjson:2: field 'timestamp' is not a string or a number"
t missing-file 1 '{"timestamp":"1970-01-01T00:00:00Z"}
{"timestamp":"1970-01-01T00:01:00Z"}' "" ts-parse "$T/a.ndjson" "$T/nope.ndjson" "$T/b.ndjson"
is missing-file-err "$(cat "$ERR")" "ts-parse: $T/nope.ndjson: open: No such file or directory"
t directory-operand 1 "" "" ts-parse "$T"
is directory-operand-err "$(cat "$ERR")" "ts-parse: $T: read: Is a directory"

# a --field no record has is a typo (Spark's analysis error): said with
# how many records were read, every record passed, and exit 1
t field-typo 1 '{"timestamp":"2024-01-01 00:00:00","x":1}
{"timestamp":"2024-01-01 00:00:01"}' '{"timestamp":"2024-01-01 00:00:00","x":1}
{"timestamp":"2024-01-01 00:00:01"}
' ts-parse --field timestmp --stats
is field-typo-stderr "$(cat "$ERR")" "ts-parse: --field 'timestmp': no record has this column (2 records read)
ts-parse: stats: final read=2 emitted=2 nulled=0 skipped=0 missing=2 shared=0"
t field-typo-empty-input 0 '' '' ts-parse --field timestmp

# the time first: members after it that lie a lone ',' apart go out in
# one copy, any other spacing through the member loop; both give the
# members as they stand, separated by a lone ','
t rest-spacing 0 '{"timestamp":"2024-01-01T00:00:07Z","a":1,"b" : 2,"c":[1, 2]}
{"timestamp":"2024-01-01T00:00:08Z","a":1,"b":2}
{"timestamp":"2024-01-01T00:00:09Z","a":1}
{"timestamp":"2024-01-01T00:00:10Z"}
{"timestamp":"2024-01-01T00:00:11Z","a":{"x":1},"b":2}
{"timestamp":null,"a":1,"b":2}' '{"timestamp":"2024-01-01T00:00:07", "a":1,"b" : 2 ,"c":[1, 2]}
{"timestamp":"2024-01-01T00:00:08","a":1,"b":2}
{"timestamp":"2024-01-01T00:00:09" ,"a":1}
{"timestamp":"2024-01-01T00:00:10"}
{ "timestamp":"2024-01-01T00:00:11","a":{"x":1}, "b":2}
{"timestamp":"bad","a":1,"b":2}
' ts-parse --format "$F"
# the text of the last day and minute is kept: a minute of another day,
# a day back, a day on
t minute-text 0 '{"timestamp":"2024-01-01T00:00:59Z","a":1}
{"timestamp":"2024-01-01T00:01:00Z","a":1}
{"timestamp":"2024-01-01T00:01:05Z","a":1}
{"timestamp":"2024-01-02T00:01:06Z","a":1}
{"timestamp":"2024-01-01T00:01:07Z","a":1}
{"timestamp":"2024-01-01T23:59:59Z","a":1}
{"timestamp":"2024-01-02T00:00:00Z","a":1}' '{"timestamp":"2024-01-01T00:00:59","a":1}
{"timestamp":"2024-01-01T00:01:00","a":1}
{"timestamp":"2024-01-01T00:01:05","a":1}
{"timestamp":"2024-01-02T00:01:06","a":1}
{"timestamp":"2024-01-01T00:01:07","a":1}
{"timestamp":"2024-01-01T23:59:59","a":1}
{"timestamp":"2024-01-02T00:00:00","a":1}
' ts-parse --format "$F"
# the kept minute at the ends of the range (whose first instant is before
# the earliest) and either side of it, before 1970 and after
EDGES='{"timestamp":"+294247-01-10T04:00:54.775807Z"}
{"timestamp":"-290308-12-21T19:59:05.224192Z"}
{"timestamp":"+294247-01-10T04:00:54.775807Z"}
{"timestamp":"+294247-01-10T04:00:00Z"}
{"timestamp":"-290308-12-21T19:59:59.999999Z"}
{"timestamp":"-290308-12-21T19:59:05.224192Z"}
{"timestamp":"-290308-12-21T20:00:00Z"}
{"timestamp":"1969-12-31T23:59:59.999999Z"}
{"timestamp":"1970-01-01T00:00:00Z"}
{"timestamp":"1969-12-31T23:59:00.5Z"}
{"timestamp":"1969-12-31T23:58:59.5Z"}
{"timestamp":"2024-01-01T00:00:59.999999Z"}
{"timestamp":"2024-01-01T00:01:00Z"}
{"timestamp":"2024-01-01T00:00:00.000001Z"}'
t minute-edges 0 "$EDGES" "$EDGES
" ts-parse

# duplicate keys: the last wins, as Spark's parser keeps it, and one key
# goes out (the last, in its place); an escaped spelling is the same key
t duplicate-key 0 '{"x":1,"timestamp":"2024-01-01T00:00:01Z"}' '{"timestamp":"2024-01-01 00:00:00","x":1,"timestamp":"2024-01-01 00:00:01"}
' ts-parse
t duplicate-key-escaped 0 '{"timestamp":"2024-01-01T00:00:02Z","x":1}' '{"timestamp":"2024-01-01 00:00:00","time\u0073tamp":"2024-01-01 00:00:02","x":1}
' ts-parse
t duplicate-key-as 0 '{"t":"2024-01-01T00:00:01Z","timestamp":"2024-01-01 00:00:01"}' '{"t":1,"timestamp":"2024-01-01 00:00:00","t":2,"timestamp":"2024-01-01 00:00:01"}
' ts-parse --as t
ok duplicate-key-unique python3 -c '
import json, sys
def once(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)
for line in open(sys.argv[1]):
    json.loads(line, object_pairs_hook=once)' "$OUT"

# a bad record names its shardId and sequenceNumber when it has them
t provenance-named 0 '{"timestamp":null,"shardId":"shardId-000000000001","sequenceNumber":"4959"}' '{"timestamp":"noon","shardId":"shardId-000000000001","sequenceNumber":"4959"}
' ts-parse
is provenance-named-stderr "$(cat "$ERR")" "ts-parse: <stdin>:1 (shardId-000000000001 4959): field 'timestamp': 'noon' is not a timestamp (nulled)"

# the man page's EXAMPLES, run as written
is man-example-count "$(man_commands ts-parse.1 "$T/ex")" 3
t man-example-1 0 '{"timestamp":"2024-01-01T00:00:07Z","euro_rate":41234.5}' "" sh "$T/ex/1.sh"
t man-example-2 0 '{"t":"03/10/2024 02:30 AM","ms":1710055800000}' "" sh "$T/ex/2.sh"
t man-example-3 0 '{"timestamp":"2024-01-01T12:30:00Z"}' "" sh "$T/ex/3.sh"

finish
