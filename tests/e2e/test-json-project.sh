#!/bin/sh
# json-project end to end: Spark from_json casts and modes, bad input of
# every kind, I/O failures, the man page's EXAMPLES. Expected values come
# from Spark's JacksonParser rules (see json-project(1)) worked by hand.
. "$(dirname "$0")/lib.sh"

S='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'
E1='{"data":"{\"timestamp\":\"2024-01-01T00:00:00\",\"euro_rate\":0.1,\"usd_rate\":1,\"gbp_rate\":2.5}","stream":"s","shardId":"shardId-0","sequenceNumber":"49590","partitionKey":"k"}'
W1='{"timestamp":"2024-01-01T00:00:00","euro_rate":0.1,"usd_rate":1,"gbp_rate":2.5,"shardId":"shardId-0","sequenceNumber":"49590"}'

t envelope 0 "$W1" "$E1
" json-project --schema "$S"
t last-line-without-newline 0 "$W1" "$E1" json-project --schema "$S"
t blank-lines-skipped 0 "$W1" "
$E1

" json-project --schema "$S"
t object-field 0 '{"a":1,"b":"x"}' '{"payload":{"b":"x","a":1,"c":3}}
' json-project --field payload --schema 'a INT, b STRING'
t whole-record 0 '{"euro_rate":39995.39}' '{"timestamp":"t","euro_rate":39995.3891}
' json-project --field . --schema 'euro_rate FLOAT'
t as 0 '{"v":{"a":1},"shardId":"s"}' '{"data":"{\"a\":1}","shardId":"s"}
' json-project --schema 'a INT' --as v
t keep 0 '{"a":1,"stream":"s","pk":"k","shardId":"x"}
{"a":2,"opt":true}' '{"data":"{\"a\":1}","pk":"k","stream":"s","shardId":"x"}
{"data":"{\"a\":2}","opt":true}
' json-project --schema 'a INT' --keep stream,pk,opt
is keep-some-records-only-is-fine "$(cat "$ERR")" ""
t drop-provenance 0 '{"a":1}' '{"data":"{\"a\":1}","shardId":"x","sequenceNumber":"1"}
' json-project --schema 'a INT' --drop-provenance
t provenance-schema-dropped 0 '{"shardId":"inner","a":1}' '{"data":"{\"shardId\":\"inner\",\"a\":1}","shardId":"s1","sequenceNumber":"5"}
' json-project --schema 'shardId STRING, a INT' --drop-provenance
t provenance-schema-nested 0 '{"v":{"shardId":"inner","a":1},"shardId":"s1","sequenceNumber":"5"}' '{"data":"{\"shardId\":\"inner\",\"a\":1}","shardId":"s1","sequenceNumber":"5"}
' json-project --schema 'shardId STRING, a INT' --as v
t provenance-once-keep 0 '{"a":1,"sequenceNumber":"5","shardId":"s1"}' '{"data":"{\"a\":1}","shardId":"s1","sequenceNumber":"5"}
' json-project --schema 'a INT' --keep sequenceNumber
t schema-order-and-missing 0 '{"b":null,"a":"x"}' '{"data":"{\"a\":\"x\",\"c\":1}"}
' json-project --schema 'b BIGINT, a STRING'
t duplicate-key-last-wins 0 '{"a":2}' '{"data":"{\"a\":1,\"a\":2}"}
' json-project --schema 'a INT'
t base64 0 '{"a":1,"shardId":"s"}' '{"data":"eyJhIjoxfQ==","dataEncoding":"base64","shardId":"s"}
' json-project --schema 'a INT'
t nested 0 '{"s":{"x":[1.5,null],"y":"2024-01-01T00:00:00Z"}}' '{"data":"{\"s\":{\"y\":1704067200,\"x\":[1.5,null]}}"}
' json-project --schema 's STRUCT<x: ARRAY<DOUBLE>, y: TIMESTAMP>'
t timestamp-rfc3339 0 '{"t":"2024-01-01T00:00:07.25Z"}' '{"data":"{\"t\":\"2024-01-01T01:00:07.25+01:00\"}"}
' json-project --schema 't TIMESTAMP'
t string-of-object 0 '{"s":"{\"a\":[1,100.0]}"}' '{"data":"{\"s\":{\"a\" : [1, 1e2]}}"}
' json-project --schema 's STRING'
t nan-infinity 0 '{"f":"NaN","d":"-Infinity"}' '{"data":"{\"f\":\"NaN\",\"d\":\"-INF\"}"}
' json-project --schema 'f FLOAT, d DOUBLE'
t json-schema-file 0 '{"a":[1,2],"b":true}' '{"data":"{\"a\":[1,2],\"b\":true}"}
' sh -c 'printf "%s" "{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":\"array\",\"elementType\":\"long\",\"containsNull\":true},\"nullable\":true,\"metadata\":{}},{\"name\":\"b\",\"type\":\"boolean\",\"nullable\":true,\"metadata\":{}}]}" > "$1/s.json" && json-project --schema @"$1/s.json"' sh "$T"
t ddl-file 0 '{"a":1}' '{"data":"{\"a\":1}"}
' sh -c 'printf "a INT COMMENT %s\n" "'"'x'"'" > "$1/s.ddl" && json-project --schema @"$1/s.ddl"' sh "$T"

# wrong types: the field is nulled, the rest kept (Spark 3 partial result)
WT='{"data":"{\"timestamp\":\"2024-01-01T00:00:00\",\"euro_rate\":\"1.5\",\"usd_rate\":1,\"gbp_rate\":true}","shardId":"s"}'
t wrong-types-null 0 '{"timestamp":"2024-01-01T00:00:00","euro_rate":null,"usd_rate":1,"gbp_rate":null,"shardId":"s"}' "$WT
" json-project --schema "$S"
is wrong-types-null-stderr "$(cat "$ERR")" "json-project: <stdin>:1: field 'euro_rate': string where float expected: \"1.5\" (nulled)"
t wrong-types-skip 0 "$W1" "$WT
$E1
" json-project --schema "$S" --on-error=skip --stats
is wrong-types-skip-stderr "$(cat "$ERR")" "json-project: <stdin>:1: field 'euro_rate': string where float expected: \"1.5\" (skipped)
json-project: stats: final read=2 emitted=1 nulled=0 skipped=1 no_document=0 missing=0 shared=0"
t wrong-types-fail 1 "$W1" "$E1
$WT
$E1
" json-project --schema "$S" --on-error=fail
is wrong-types-fail-stderr "$(cat "$ERR")" "json-project: <stdin>:2: field 'euro_rate': string where float expected: \"1.5\""
t int-fraction-and-range 0 '{"i":null,"j":null,"k":-2147483648}' '{"data":"{\"i\":1.0,\"j\":2147483648,\"k\":-2147483648}"}
' json-project --schema 'i INT, j INT, k INT'

# malformed documents: every field null; corrupt column keeps the text
t malformed-null 0 '{"a":null,"_c":"{\"a\":1,","shardId":"s"}' '{"data":"{\"a\":1,","shardId":"s"}
' json-project --schema 'a INT' --corrupt-column _c
like malformed-null-stderr "$(cat "$ERR")" "json-project: <stdin>:1: field 'data': malformed JSON: byte 8: string key expected in object (nulled)"
t malformed-skip 0 '{"a":1}' '{"data":"not json"}
{"data":"{\"a\":1}"}
' json-project --schema 'a INT' --on-error=skip
t malformed-fail 1 '' '{"data":"[1]"}
' json-project --schema 'a INT' --on-error=fail
is malformed-fail-stderr "$(cat "$ERR")" "json-project: <stdin>:1: field 'data': malformed JSON: byte 1: JSON object expected"
t truncated-line 0 '{"a":null}
{"a":2}' '{"data":"{\"a\":1}
{"data":"{\"a\":2}"}
' json-project --schema 'a INT'
is truncated-line-stderr "$(cat "$ERR")" "json-project: <stdin>:1: invalid JSON record: byte 19: unterminated string (nulled)"
t data-not-string 0 '{"a":null}' '{"data":5}
' json-project --schema 'a INT'
is data-not-string-stderr "$(cat "$ERR")" "json-project: <stdin>:1: field 'data': field is neither a JSON string nor an object (nulled)"
t bad-base64 0 '{"a":null,"c":"%%%"}' '{"data":"%%%","dataEncoding":"base64"}
' json-project --schema 'a INT' --corrupt-column c
# base64 payloads one after another, a bad one and a plain string among
# them: each record decoded from its own bytes ({"a":1} is eyJhIjoxfQ==)
t base64-in-turn 0 '{"a":1,"c":null}
{"a":null,"c":"%%%"}
{"a":3,"c":null}
{"a":1,"c":null}' '{"data":"eyJhIjoxfQ==","dataEncoding":"base64"}
{"data":"%%%","dataEncoding":"base64"}
{"data":"{\"a\":3}"}
{"data":"eyJhIjoxfQ==","dataEncoding":"base64"}
' json-project --schema 'a INT' --corrupt-column c
t base64-binary 0 "$(printf '{"a":null,"c":"\357\277\275\357\277\275"}')" '{"data":"//4=","dataEncoding":"base64"}
' json-project --schema 'a INT' --corrupt-column c
t missing-field 0 '{"a":null,"shardId":"s"}
{"a":null}' '{"shardId":"s"}
{"data":null}
' json-project --schema 'a INT' --on-error=fail --stats
is missing-field-stats "$(cat "$ERR")" "json-project: stats: final read=2 emitted=2 nulled=0 skipped=0 no_document=2 missing=1 shared=0"

# NUL bytes and invalid UTF-8 in the line and in the document
printf '{"data":"{\\"a\\":1}"}\n{"x":"\000"}\n{"data":"{\\"a\\":\\"\377\\"}"}\n{"data":"{\\"a\\":3}"}\n' > "$T/bin.ndjson"
json-project --schema 'a INT' --on-error=skip <"$T/bin.ndjson" >"$OUT" 2>"$ERR"; rc=$?
is binary-skip-rc "$rc" 0
is binary-skip-out "$(cat "$OUT")" '{"a":1}
{"a":3}'
is binary-skip-err "$(cat "$ERR")" "json-project: <stdin>:2: invalid JSON record: byte 7: control character in string (skipped)
json-project: <stdin>:3: invalid JSON record: byte 19: invalid UTF-8 (skipped)"
json-project --schema 'a INT' --corrupt-column c <"$T/bin.ndjson" >"$OUT" 2>/dev/null
R=$(printf '\357\277\275')	# U+FFFD for the invalid byte
is binary-null-corrupt "$(sed -n 2,3p "$OUT")" '{"a":null,"c":"{\"x\":\"\u0000\"}"}
{"a":null,"c":"{\"data\":\"{\\\"a\\\":\\\"'"$R"'\\\"}\"}"}'
ok binary-output-valid-json python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$OUT"

# a line over 1 MiB, good and bad
n=$(( ${KP_SANITIZED:+1}${KP_SANITIZED:-3} * 1048576 / 3 ))
python3 -c 'import json,sys; n=int(sys.argv[1]); d=lambda o: json.dumps(o,separators=(",",":")); print(d({"data":d({"s":"x"*n,"a":7}),"shardId":"s"})); print("{\"data\":\"" + "y"*n)' "$n" > "$T/big.ndjson"
json-project --schema 'a INT' <"$T/big.ndjson" >"$OUT" 2>"$ERR"; rc=$?
is big-line-rc "$rc" 0
is big-line-out "$(cat "$OUT")" '{"a":7,"shardId":"s"}
{"a":null}'
like big-line-err "$(cat "$ERR")" "json-project: <stdin>:2: invalid JSON record: byte * unterminated string (nulled)"

# I/O: a closed pipe stops quietly, a full disk is an error
python3 "$KP_ROOT/examples/gen-bitcoin.py" --count 20000 --envelope > "$T/env.ndjson"
got=$(json-project --schema "$S" <"$T/env.ndjson" | head -n1)
is head-n1 "$got" '{"timestamp":"2024-01-01T00:00:00","euro_rate":39995.39,"usd_rate":43394.996,"gbp_rate":34280.047,"shardId":"shardId-000000000000","sequenceNumber":"49590000000000000000000000000000000000000000000000000007"}'
json-project --schema "$S" <"$T/env.ndjson" >/dev/full 2>"$ERR"; rc=$?
is dev-full-rc "$rc" 1
like dev-full-err "$(cat "$ERR")" "json-project: write error: No space left on device"
json-project --schema "$S" --field . <"$T/env.ndjson" >"$OUT" 2>/dev/null
is count-preserved "$(wc -l <"$OUT" | tr -d ' ')" 20000

# options
run '' json-project --help
is help-rc "$rc" 0
like help-out "$(cat "$OUT")" "usage: json-project --schema*--on-error=MODE*"
run '' json-project --version
is version "$rc $(cat "$OUT")" "0 json-project 0.1.0"
run '' json-project --schema 'a INT' --bogus
is bad-option-rc "$rc" 2
like bad-option-err "$(cat "$ERR")" "usage: json-project*
json-project: unknown option '--bogus'"
run '' json-project
is no-schema "$rc $(tail -n1 "$ERR")" "2 json-project: --schema is required"
run '' json-project --schema 'a DECIMAL(1,0)'
like bad-schema "$rc $(tail -n1 "$ERR")" "2 json-project: schema: unsupported data type 'decimal'*"
run '' json-project --schema 'a INT' --on-error=maybe
is bad-on-error "$rc $(tail -n1 "$ERR")" "2 json-project: --on-error: expected null, skip or fail, not 'maybe'"
run '' json-project --schema 'a INT' --keep a
is keep-clash "$rc $(tail -n1 "$ERR")" "2 json-project: --keep: 'a' is also a schema field; use --as to nest the result"
run '' json-project --schema @"$T/nonexistent"
like missing-schema-file "$rc $(tail -n1 "$ERR")" "2 json-project: *nonexistent*"

# input files: read in order, - for standard input, line numbers per file;
# a file that cannot be opened stops the run there (exit 1), named
printf '%s\n%s' '{"data":"{\"a\":1}"}' '{"data":"{\"a\":2}"}' >"$T/a.ndjson"
printf '%s\n%s\n' '{"data":"{\"a\":3}"}' '{"data":"{\"a\":\"x\"}"}' >"$T/b.ndjson"
t files-in-order 0 '{"a":1}
{"a":2}
{"a":3}
{"a":null}' "" json-project --schema 'a INT' "$T/a.ndjson" "$T/b.ndjson"
is files-error-names-file "$(cat "$ERR")" "json-project: $T/b.ndjson:2: field 'a': string where int expected (nulled)"
t files-and-stdin 0 '{"a":1}
{"a":2}
{"a":9}
{"a":3}
{"a":null}' '{"data":"{\"a\":9}"}
' json-project --schema 'a INT' "$T/a.ndjson" - "$T/b.ndjson"
t stdin-dash-only 0 '{"a":9}' '{"data":"{\"a\":9}"}
' json-project --schema 'a INT' -
t files-fail-names-line 1 '{"a":1}
{"a":2}
{"a":3}' "" json-project --schema 'a INT' --on-error=fail "$T/a.ndjson" "$T/b.ndjson" "$T/a.ndjson"
is files-fail-names-line-err "$(cat "$ERR")" "json-project: $T/b.ndjson:2: field 'a': string where int expected"
t missing-file 1 '{"a":1}
{"a":2}' "" json-project --schema 'a INT' "$T/a.ndjson" "$T/nope.ndjson" "$T/b.ndjson"
is missing-file-err "$(cat "$ERR")" "json-project: $T/nope.ndjson: open: No such file or directory"
t directory-operand 1 "" "" json-project --schema 'a INT' "$T"
is directory-operand-err "$(cat "$ERR")" "json-project: $T: read: Is a directory"
t bad-json-names-file 0 '{"a":null}' "" sh -c 'printf "{\n" >"$1/c.ndjson" && json-project --schema "a INT" "$1/c.ndjson"' sh "$T"
like bad-json-names-file-err "$(cat "$ERR")" "json-project: $T/c.ndjson:1: invalid JSON record: *(nulled)"

# two_batches LINE1 LINE2 CMD...: CMD reads LINE1 from a pipe, then, once
# it has said something on stderr (the end of that batch), LINE2; sets
# rc, $OUT and $ERR. Bounded: 20 s for the end of the first batch.
two_batches() {
	tb_1=$1 tb_2=$2
	shift 2
	rm -f "$T/.fifo" && mkfifo "$T/.fifo"
	: >"$OUT"
	: >"$ERR"
	"$@" >"$OUT" 2>"$ERR" <"$T/.fifo" &
	tb_pid=$!
	exec 7>"$T/.fifo"
	printf '%s\n' "$tb_1" >&7
	tb_i=0
	while [ ! -s "$ERR" ] && [ $tb_i -lt 400 ]; do
		sleep 0.05
		tb_i=$((tb_i + 1))
	done
	printf '%s\n' "$tb_2" >&7
	exec 7>&-
	wait $tb_pid
	rc=$?
}

# typos: a column named on the command line that no record has is said,
# with how many records were read, and the run fails at the end of its
# input (Spark's analysis error); every record still goes out
D1='{"data":"{\"a\":1}","shardId":"s1","sequenceNumber":"7"}'
D2='{"data":"{\"a\":2}"}'
t field-typo 1 '{"a":null,"shardId":"s1","sequenceNumber":"7"}
{"a":null}' "$D1
$D2
" json-project --schema 'a INT' --field dat --stats
is field-typo-stderr "$(cat "$ERR")" "json-project: --field 'dat': no record has this column (2 records read)
json-project: stats: final read=2 emitted=2 nulled=0 skipped=0 no_document=2 missing=2 shared=0"
t keep-typo 1 '{"a":1,"shardId":"s1","sequenceNumber":"7"}
{"a":2}' "$D1
$D2
" json-project --schema 'a INT' --keep shardid
is keep-typo-stderr "$(cat "$ERR")" "json-project: --keep 'shardid': no record has this column (2 records read)"
t typo-empty-input 0 '' '' json-project --schema 'a INT' --field dat --keep x
is typo-empty-input-stderr "$(cat "$ERR")" ""
t typo-no-object 0 '{"a":null}' 'nope
' json-project --schema 'a INT' --field dat
is typo-no-object-stderr "$(cat "$ERR")" "json-project: <stdin>:1: invalid JSON record: byte 1: JSON object expected (nulled)"
# a stream: said once at the end of the first batch without it, failed at
# the end; a column that turns up in a later batch is no typo
two_batches "$D2" "$D2" json-project --schema 'a INT' --field dat
is typo-stream-rc "$rc" 1
is typo-stream-stderr "$(cat "$ERR")" "json-project: --field 'dat': no record has this column so far (1 record read)
json-project: --field 'dat': no record has this column (2 records read)"
is typo-stream-out "$(cat "$OUT")" '{"a":null}
{"a":null}'
two_batches '{"x":1}' '{"x":2,"pk":"k"}' json-project --schema 'a INT' --field . --keep pk
is later-batch-rc "$rc" 0
is later-batch-stderr "$(cat "$ERR")" "json-project: --keep 'pk': no record has this column so far (1 record read)"
is later-batch-out "$(cat "$OUT")" '{"a":null}
{"a":null,"pk":"k"}'

# a bad record names its shardId and sequenceNumber when it has them
t provenance-named 0 '{"a":null,"shardId":"shardId-000000000001","sequenceNumber":"49590338271490256608559692538361571095921575989136588898"}' '{"data":"{\"a\":\"x\"}","shardId":"shardId-000000000001","sequenceNumber":"49590338271490256608559692538361571095921575989136588898"}
' json-project --schema 'a INT'
is provenance-named-stderr "$(cat "$ERR")" "json-project: <stdin>:1 (shardId-000000000001 49590338271490256608559692538361571095921575989136588898): field 'a': string where int expected (nulled)"
t provenance-named-fail 1 '' "$(printf '{"data":"{","shardId":"s\\n2","sequenceNumber":"9"}')
" json-project --schema 'a INT' --on-error=fail
is provenance-named-fail-stderr "$(cat "$ERR")" "json-project: <stdin>:1 (s?2 9): field 'data': malformed JSON: byte 2: string key expected in object"

# unique keys: a name two options would both write is a usage error, and
# the provenance exactly-once counting needs is never replaced
clash() {
	kp_n=$1 kp_msg=$2
	shift 2
	run "$D1
" "$@"
	is "$kp_n" "$rc|$(cat "$OUT")|$(tail -n 1 "$ERR")" "2||json-project: $kp_msg"
}
clash clash-schema-shardid "schema field 'shardId' clashes with the record's provenance, which exactly-once counting needs: use --as to nest the result, or --drop-provenance" \
    json-project --schema 'a INT, shardId STRING'
clash clash-schema-seq "schema field 'sequenceNumber' clashes with the record's provenance, which exactly-once counting needs: use --as to nest the result, or --drop-provenance" \
    json-project --schema 'sequenceNumber BIGINT'
clash clash-corrupt-shardid "--corrupt-column: 'shardId' clashes with the record's provenance: choose another name, or --drop-provenance" \
    json-project --schema 'a INT' --corrupt-column shardId
clash clash-keep-corrupt "--corrupt-column: 'k' is also a --keep field" \
    json-project --schema 'a INT' --keep k --corrupt-column k
clash clash-keep-twice "--keep: 'k' named twice" json-project --schema 'a INT' --keep k,j,k
clash clash-as-keep "--as: 'k' is also a --keep field" json-project --schema 'a INT' --as k --keep k
clash clash-as-seq "--as: 'sequenceNumber' clashes with the record's provenance: choose another name, or --drop-provenance" \
    json-project --schema 'a INT' --as sequenceNumber
t corrupt-provenance-dropped 0 '{"a":null,"shardId":"{"}' '{"data":"{","shardId":"s1"}
' json-project --schema 'a INT' --corrupt-column shardId --drop-provenance
t keep-shardid-once 0 '{"a":1,"shardId":"s1","sequenceNumber":"7"}' "$D1
" json-project --schema 'a INT' --keep shardId
cat "$OUT" >"$T/uniq"
# the corrupt-record column named in the schema is that field, in its
# place (Spark's columnNameOfCorruptRecord); never read from the document
t corrupt-in-schema 0 '{"a":null,"_c":"{\"a\":1,","b":null}
{"a":1,"_c":null,"b":2}' '{"data":"{\"a\":1,"}
{"data":"{\"a\":1,\"_c\":\"doc\",\"b\":2}"}
' json-project --schema 'a INT, _c STRING, b INT' --corrupt-column _c
cat "$OUT" >>"$T/uniq"
t corrupt-default-name 0 '{"_corrupt_record":"[1]","a":null}' '{"data":"[1]"}
' json-project --schema '_corrupt_record STRING, a INT'
cat "$OUT" >>"$T/uniq"
run '' json-project --schema 'a INT, _c INT' --corrupt-column _c
is corrupt-in-schema-not-string "$rc $(tail -n 1 "$ERR")" "2 json-project: schema: the corrupt record column '_c' must be STRING"
# duplicate input keys: the last wins, as Spark's parser keeps it, one key out
t duplicate-keep-last-wins 0 '{"a":2,"k":"second"}' '{"data":"{\"a\":1}","k":"first","data":"{\"a\":2}","k":"second"}
' json-project --schema 'a INT' --keep k
cat "$OUT" >>"$T/uniq"
is unique-keys-lines "$(wc -l <"$T/uniq" | tr -d ' ')" 5
ok output-keys-unique python3 -c '
import json, sys
def once(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), keys
    return dict(pairs)
for line in open(sys.argv[1]):
    json.loads(line, object_pairs_hook=once)' "$T/uniq"

# the man page's EXAMPLES, run as written
is man-example-count "$(man_commands json-project.1 "$T/ex")" 3
t man-example-1 0 '{"timestamp":"2024-01-01T00:00:00","euro_rate":0.1,"shardId":"s-1","sequenceNumber":"7"}' "" sh "$T/ex/1.sh"
t man-example-2 0 '{"v":{"n":null,"bad":"{\"n\":\"x\"}"}}' "" sh "$T/ex/2.sh"
is man-example-2-err "$(cat "$ERR")" "json-project: <stdin>:1: field 'n': string where int expected (nulled)"
t man-example-3 0 '{"n":null,"_corrupt_record":"{\"n\":1,"}' "" sh "$T/ex/3.sh"

finish
