#!/bin/bash
# kin-put against a real kinesalite: results in input order, batching
# within the service's limits, bad input, and 100,000 records through
# kin-put and back out of kin-read -e, compared record for record.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"
kin_server
admin create p 2

# proxy RULE...: a fault proxy in front of kinesalite; its port in $proxy
proxy() {
	node "$KP_ROOT/tests/e2e/faultproxy.js" --target "$KIN_PORT" --seed 7 --log "$T/proxy.log" "$@" >"$T/.proxy-port" 2>/dev/null &
	at_exit "kill $!"
	kp_i=0
	while [ ! -s "$T/.proxy-port" ] && [ $kp_i -lt 100 ]; do sleep 0.05; kp_i=$((kp_i + 1)); done
	proxy=$(cat "$T/.proxy-port")
	rm -f "$T/.proxy-port"
}

# --- results, keys -------------------------------------------------------------
run '{"a":1}
{"a":2}
' kin-put -s p
is "two records: exit" "$rc" 0
is "two records: results in order" "$(jq -c '[.line, (.shardId | test("^shardId-00000000000[01]$")), (.sequenceNumber | test("^[0-9]{20,}$"))]' "$OUT" | tr '\n' ' ')" "[1,true,true] [2,true,true] "
run '{"a":1}

{"a":3}' kin-put -s p -k fixed
is "blank line skipped, last line without newline: lines 1 and 3" "$(jq -r .line "$OUT" | tr '\n' ' ')" "1 3 "
kin-read -s p -o earliest -e >"$T/all"
is "default key is the line number; -k sets one" "$(jq -r .partitionKey "$T/all" | sort | paste -sd' ')" "1 2 fixed fixed"
run '{"id":"abc","n":1}
{"id":42}
{"id":true}
' kin-put -s p -K id
kin-read -s p -o earliest -e | tail -n 3 | jq -r .partitionKey >"$T/keys"
is "--partition-key-field: string, number, boolean" "$(sort "$T/keys" | tr '\n' ' ')" "42 abc true "

# --- bad input ---------------------------------------------------------------------
run '{"a":1}
nope
{"a":3}
' kin-put -s p
is "not JSON: exit 1" "$rc" 1
is "not JSON: message names the line" "$(cat "$ERR")" "kin-put: <stdin>:2: not JSON: byte 1: invalid literal"
is "not JSON: line 1 result printed" "$(jq -r .line "$OUT")" "1"
run '{"a":1}
[1,2]
"s"
{"a":
{"a":"caf'"$(printf '\351')"'"}
{"a":"x'"$(printf '\001')"'"}
{"b":2}
' kin-put -s p --on-error=skip
is "skip: exit 0" "$rc" 0
is "skip: one result per input line" "$(jq -c '[.line, .error // "ok"]' "$OUT" | tr '\n' ' ')" '[1,"ok"] [2,"not a JSON object"] [3,"not a JSON object"] [4,"not JSON: byte 6: unexpected end of input, value expected"] [5,"not JSON: byte 10: invalid UTF-8"] [6,"not JSON: byte 8: control character in string"] [7,"ok"] '
like "skip: warned per line" "$(cat "$ERR")" "kin-put: <stdin>:2: not a JSON object (skipped)*<stdin>:6: *(skipped)"
printf '{"a":"x\000y"}\n' >"$T/nul"
run "" sh -c "kin-put -s p <'$T/nul'"
is "NUL byte in a JSON line: exit 1" "$rc" 1
like "NUL byte message" "$(cat "$ERR")" "kin-put: <stdin>:1: not JSON: *"
run '{"b":1}' kin-put -s p -K id
is "missing key field" "$(cat "$ERR")" "kin-put: <stdin>:1: field 'id' is missing"
run '{"id":null}' kin-put -s p -K id
is "null key field" "$(cat "$ERR")" "kin-put: <stdin>:1: field 'id' is not a string, number or boolean"
long=$(head -c 257 /dev/zero | tr '\0' k)
run "{\"id\":\"$long\"}" kin-put -s p -K id
is "key of 257 characters" "$(cat "$ERR")" "kin-put: <stdin>:1: partition key of 257 characters exceeds the limit of 256"
long=$(head -c 256 /dev/zero | tr '\0' 'é' 2>/dev/null; printf '%256s' | sed 's/ /é/g')
run "{\"id\":\"$(printf '%256s' | sed 's/ /é/g')\"}" kin-put -s p -K id
is "key of 256 two-byte characters is fine" "$rc" 0

# --- numbers beyond a double's range are valid JSON (kinpipe(7)): sent as
# written, byte for byte; a key field that is one is its text as written
admin create num 1
N1='{"id":1e999999,"v":-1e999999,"big":123456789012345678901234567890}'
N2='{"id":1.50,"v":1E2}'
run "$N1
$N2
" kin-put -s num -K id --stats
is "huge numbers: exit 0" "$rc" 0
is "huge numbers: both sent" "$(jq -c '[.line, has("sequenceNumber")]' "$OUT" | tr '\n' ' ')" "[1,true] [2,true] "
is "huge numbers: stats" "$(cat "$ERR")" "kin-put: stats: final read=2 emitted=2 nulled=0 skipped=0 retried=0 missing=0 failed=0 aggregates=0"
kin-read -s num -o earliest -e >"$T/num"
is "huge numbers: data as written" "$(jq -r .data "$T/num")" "$N1
$N2"
is "huge numbers: keys as written" "$(jq -r .partitionKey "$T/num" | paste -sd' ')" "1e999999 1.50"

# --- a key field no record has is a typo: said, and exit 1 -------------------
run '{"id":"a","n":1}
{"id":"b","n":2}
' kin-put -s p --partition-key-field idd --on-error=skip --stats
is "key field typo: exit 1" "$rc" 1
is "key field typo: every line answered" "$(jq -c '[.line, .error]' "$OUT" | tr '\n' ' ')" '[1,"field '"'idd'"' is missing"] [2,"field '"'idd'"' is missing"] '
is "key field typo: said once, with the count" "$(grep -c "no record has this column" "$ERR")" 1
is "key field typo: message and stats" "$(tail -n 2 "$ERR")" "kin-put: --partition-key-field 'idd': no record has this column (2 records read)
kin-put: stats: final read=2 emitted=0 nulled=0 skipped=2 retried=0 missing=2 failed=0 aggregates=0"
run '{"id":"a","n":1}
{"n":2}
' kin-put -s p --partition-key-field id --on-error=skip --stats
is "key field in some records: exit 0" "$rc" 0
is "key field in some records: one sent, one answered" "$(jq -c '[.line, (.error // "sent")]' "$OUT" | tr '\n' ' ')" '[1,"sent"] [2,"field '"'id'"' is missing"] '
is "key field in some records: counted" "$(tail -n 1 "$ERR")" "kin-put: stats: final read=2 emitted=1 nulled=0 skipped=1 retried=0 missing=1 failed=0 aggregates=0"
run '' kin-put -s p --partition-key-field idd
is "key field, empty input: no typo" "$rc $(cat "$ERR")" "0 "

# --- a bad record that came from kin-read is named by its shard and sequence number
S1=shardId-000000000001
Q1=49590338271490256608559692538361571095921575989136588898
run '{"a":1,"shardId":"'$S1'","sequenceNumber":"'$Q1'"}
' kin-put -s p -K id
is "provenance named: exit 1" "$rc" 1
is "provenance named" "$(cat "$ERR")" "kin-put: <stdin>:1 ($S1 $Q1): field 'id' is missing"

# 1 MiB is data plus key: 1048575 bytes + a 1-byte key fits, one more does not
python3 -c 'import sys; sys.stdout.write("{\"a\":\"" + "x" * (1048575 - 8) + "\"}\n")' >"$T/max"
python3 -c 'import sys; sys.stdout.write("{\"a\":\"" + "x" * (1048576 - 8) + "\"}\n")' >"$T/over"
run "" sh -c "kin-put -s p -k k <'$T/max'"
is "record of exactly 1 MiB with its key" "$rc" 0
run "" sh -c "cat '$T/max' '$T/over' | kin-put -s p -k k"
is "record over 1 MiB: exit 1" "$rc" 1
is "record over 1 MiB: message" "$(cat "$ERR")" "kin-put: <stdin>:2: record of 1048577 bytes (data and partition key) exceeds the 1 MiB limit"
is "record over 1 MiB: the one before sent" "$(jq -r .line "$OUT")" "1"

t "no --stream" 2 "" "" kin-put
t "both key options" 2 "" "" kin-put -s p -k a -K b
t "field with --raw" 2 "" "" kin-put -s p --raw -K b
t "bad --on-error" 2 "" "" kin-put -s p --on-error=null
t "unknown stream" 4 "" '{"a":1}' kin-put -s nope
like "unknown stream message" "$(cat "$ERR")" "kin-put: PutRecords: ResourceNotFoundException: *nope* (HTTP 400)"

# --- batches within the limits ----------------------------------------------------------
proxy --rule slow,p=1,ms=0,op=PutRecords
records 1200 >"$T/r1200"
kin-put -s p --endpoint-url "http://127.0.0.1:$proxy" <"$T/r1200" >"$T/res"
is "1200 records: 1200 results" "$(wc -l <"$T/res")" 1200
is "1200 records: 3 calls of at most 500" "$(grep -c PutRecords "$T/proxy.log")" 3
: >"$T/proxy.log"
python3 -c 'import sys
for i in range(12): sys.stdout.write("{\"a\":\"" + "y" * 500000 + "\"}\n")' >"$T/twelve"
kin-put -s p --endpoint-url "http://127.0.0.1:$proxy" <"$T/twelve" >"$T/res"
is "12 records of 500 kB: 2 calls within 5 MiB" "$(grep -c PutRecords "$T/proxy.log")" 2

# --- failures: partial, retried, given up ---------------------------------------------------
admin create pf 3
proxy --rule throttle,p=0.1,first=1 --rule 500,p=0.1,first=1 --rule drop,p=0.1,first=1 --rule partial,p=0.6,op=PutRecords,first=1
n=3000
[ -n "${KP_SANITIZED:-}" ] && n=1000
records $n f >"$T/fin"
kin-put -s pf --endpoint-url "http://127.0.0.1:$proxy" <"$T/fin" >"$T/fres" 2>"$T/ferr"
is "faults: kin-put exit 0" "$?" 0
is "faults: a result per line, in order" "$(jq -r .line "$T/fres" | awk '$1 != NR { bad = 1 } END { print NR, bad + 0 }')" "$n 0"
for k in partial throttle 500 drop; do
	ok "faults: $k injected" grep -q "^$k " "$T/proxy.log"
done
kin-read -s pf -o earliest -e >"$T/fout"
ok "faults: every record exactly once" cmp -s <(jq -r .data "$T/fout" | sort) <(sort "$T/fin")
written "$T/fres" "$T/fin" >"$T/fw"
# retried entries get later sequence numbers: compare as sets
ok "faults: results name where each record is" cmp -s <(fields "$T/fout" | sort) <(sort "$T/fw")
proxy --rule partial,p=1,op=PutRecords
records 20 >"$T/r20"
run "" sh -c "kin-put -s pf --endpoint-url 'http://127.0.0.1:$proxy' --retries 2 <'$T/r20'"
is "entries failing for good: exit 1" "$rc" 1
ok "entries failing for good: named in results" grep -q '"error":"ProvisionedThroughputExceededException: Rate exceeded for shard (injected) (gave up after 2 attempts)"' "$OUT"
is "entries failing for good: still a line each" "$(jq -r .line "$OUT" | paste -sd' ')" "$(seq 20 | paste -sd' ')"
proxy --rule throttle,p=1
t "whole calls throttled: gives up" 1 "" '{"a":1}' kin-put -s pf --endpoint-url "http://127.0.0.1:$proxy" --retries 3
is "gives up message" "$(cat "$ERR")" "kin-put: PutRecords: ProvisionedThroughputExceededException: Rate exceeded (injected) (HTTP 400) (gave up after 3 attempts)"

# --- SIGTERM: the batch in hand is sent, results printed, exit 0 ---------------------------------
(records 5 s; sleep 5; records 5 t) | kin-put -s p >"$T/sig.out" 2>"$T/sig.err" &
spid=$!
sleep 1
kill -TERM $(pgrep -P $$ -x kin-put) 2>/dev/null
wait $spid
is "SIGTERM: five results" "$(wc -l <"$T/sig.out")" 5

# --- 100,000 records there and back ---------------------------------------------------------------
n=100000
[ -n "${KP_SANITIZED:-}" ] && n=10000
admin create big 4
python3 "$KP_ROOT/examples/gen-bitcoin.py" --count $n >"$T/big.in"
kin-put -s big <"$T/big.in" >"$T/big.res"
is "round trip: kin-put exit" "$?" 0
kin-read -s big -o earliest -e >"$T/big.out"
is "round trip: kin-read exit" "$?" 0
is "round trip: count" "$(wc -l <"$T/big.out")" $n
written "$T/big.res" "$T/big.in" >"$T/big.w"
ok "round trip: record for record, shard and sequence number" same_by_shard <(fields "$T/big.out") "$T/big.w"

# --- the man page's EXAMPLES, as written -------------------------------------------
admin create bitcoin-info 2
is "man: four examples" "$(man_commands kin-put.1 "$T/ex")" 4
ln -s "$KP_ROOT/examples" "$T/ex/examples"
for f in "$T"/ex/[0-9]*.sh; do
	(cd "$T/ex" && bash -e "$f" >"$f.out" 2>"$f.err")
	# $? before the name's command substitution resets it; a failure
	# shows the example's own stderr
	ex_rc=$? ex_err=$ERR ERR=$f.err
	is "man example $(basename "$f"): exit 0" "$ex_rc" 0
	ERR=$ex_err
done
is "man example 1: 1440 results" "$(jq -r .sequenceNumber "$T/ex/results.ndjson" | grep -c '^[0-9]')" 1440
is "man example 2: first result" "$(jq -c '[.line, (.sequenceNumber | test("^[0-9]+$"))]' "$T/ex/2.sh.out")" "[1,true]"
is "man example 3: 100000 results" "$(jq -r .sequenceNumber "$T/ex/packed.ndjson" | grep -c '^[0-9]')" 100000
ok "man example 3: packed in aggregates" [ "$(jq -r .sequenceNumber "$T/ex/packed.ndjson" | sort -u | wc -l)" -lt 100 ]
is "man example 4: two results" "$(jq -r .line "$T/ex/4.sh.out" | paste -sd' ')" "1 2"
kin-read -s bitcoin-info -o earliest -e | jq -c 'select(.partitionKey == "greeting") | [.data, .dataEncoding, .partitionKey]' >"$T/ex/tail"
is "man example 4: read back" "$(cat "$T/ex/tail")" '["hello",null,"greeting"]
["//4=","base64","greeting"]'

finish
