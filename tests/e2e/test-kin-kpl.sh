#!/bin/bash
# KPL aggregation against a real kinesalite: aggregates written by hand
# from the published format (kpl-make.py, not kin-put) read back user
# record for user record; bad ones passed whole; aggregates outside the
# shard's hash key range dropped and counted; -c and --resume-from in the
# middle of an aggregate, also in a lease's checkpoint (dynalite); the
# kin-put --aggregate round trip, checked by
# decoding what was stored independently; window-avg's replay marks by
# (sequenceNumber, subSequenceNumber).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"
kin_server
KPL="python3 $KP_ROOT/tests/e2e/kpl-make.py"

# what kin-read printed, as kpl-make.py expect prints it
shown() {
	jq -r '[.sequenceNumber, (.subSequenceNumber // "-" | tostring), .partitionKey,
		(.explicitHashKey // "-"), (if .dataEncoding then "base64:" + .data else "text:" + .data end)] | join(" ")' "$@"
}

# --- hand-made aggregates, one shard -----------------------------------------
admin create kpl 1
{
	echo '{"plain":"{\"n\":0}","key":"p0"}'
	echo '{"agg":[{"key":"k1","data":"{\"n\":1}"},{"key":"k2","data":"{\"n\":2}","ehk":"12345"},{"key":"k1","b64":"/w=="}],"key":"a","ehk":"7"}'
	echo '{"agg":[{"key":"m","data":"x"},{"key":"m","data":"y"}],"key":"bad-md5","break":"md5"}'
	echo '{"agg":[{"key":"m","data":"x"},{"key":"m","data":"y"}],"key":"bad-body","break":"body"}'
	echo '{"agg":[{"key":"m","data":"x"},{"key":"m","data":"y"}],"key":"bad-index","break":"index"}'
	echo '{"plain":"{\"n\":9}","key":"p9"}'
	python3 -c 'import json; print(json.dumps({"agg": [{"key": "u%d" % (i % 37), "data": "{\"u\":%d}" % i} for i in range(1000)], "key": "big"}))'
} >"$T/spec"
$KPL put "$T/spec" | admin put kpl >"$T/put"
is "the hand-made records were put" "$(wc -l <"$T/put")" 7
$KPL expect "$T/spec" "$T/put" >"$T/want"
run "" kin-read -s kpl --from earliest -e --stats
is "kin-read exit" "$rc" 0
shown "$OUT" >"$T/got"
ok "every user record, in order, with its own key, hash key and subSequenceNumber; bad aggregates and plain records whole" \
	cmp -s "$T/got" "$T/want"
is "envelopes: 1 + 3 + 3 whole + 1 + 1000" "$(wc -l <"$OUT")" 1008
like "stats count the aggregates and the ones passed whole" "$(cat "$ERR")" "*aggregates=2 kpl_dropped=0 kpl_whole=3*"
sq2=$(sed -n 2p "$T/put" | cut -d' ' -f2)
like "one user record in full" "$(sed -n 3p "$OUT")" "{\"data\":\"{\\\\\"n\\\\\":2}\",\"stream\":\"kpl\",\"shardId\":\"shardId-000000000000\",\"sequenceNumber\":\"$sq2\",\"subSequenceNumber\":1,\"partitionKey\":\"k2\",\"explicitHashKey\":\"12345\",\"approximateArrivalTimestamp\":\"20*Z\"}"
is "a binary user record is base64" "$(sed -n 4p "$OUT" | jq -r '.data + " " + .dataEncoding')" "/w== base64"

# --- -c inside an aggregate, then --resume-from its checkpoint ----------------
run "" kin-read -s kpl --from earliest -c 3 --checkpoint "$T/ck.json"
is "-c 3 exit" "$rc" 0
shown "$OUT" >"$T/part1"
is "-c 3 stops inside the aggregate" "$(cut -d' ' -f2 "$T/part1" | tr '\n' ' ')" "- 0 1 "
is "the checkpoint holds the place inside it" "$(jq -c '[.shards[], .subSequenceNumbers[]]' "$T/ck.json")" "[\"$sq2\",1]"
run "" kin-read -s kpl --resume-from "$T/ck.json" -e
is "resume exit" "$rc" 0
like "resume says where" "$(cat "$ERR")" "*resuming after sequence number $sq2, subSequenceNumber 1 (from $T/ck.json)*"
shown "$OUT" >"$T/part2"
ok "the two runs together: every envelope once, in order" cmp -s <(cat "$T/part1" "$T/part2") "$T/want"

# --- the same with leases: the checkpoint inside the aggregate in KCL's ---------
# checkpointSubSequenceNumber, marked as inside; a second worker goes on
# from it
ddb_server
lease_item() {
	aws dynamodb get-item --region us-west-2 --table-name kpl-leases --consistent-read \
		--key '{"leaseKey":{"S":"shardId-000000000000"}}' --output json |
		jq -c '[.Item.checkpoint.S, .Item.checkpointSubSequenceNumber.N, .Item.kinpipeCheckpointInAggregate.N]'
}
run "" kin-read -s kpl --from earliest -c 3 --lease-table kpl-leases --worker-id a
is "leases: -c 3 exit" "$rc" 0
shown "$OUT" >"$T/lpart1"
is "leases: -c 3 stops inside the aggregate" "$(cut -d' ' -f2 "$T/lpart1" | tr '\n' ' ')" "- 0 1 "
is "leases: the lease's checkpoint is user record 1 of the aggregate, marked inside" \
	"$(lease_item)" "[\"$sq2\",\"1\",\"1\"]"
run "" kin-read -s kpl -e --lease-table kpl-leases --worker-id b
is "leases: the second worker's exit" "$rc" 0
like "leases: it takes the lease at that place" "$(cat "$ERR")" "*lease shardId-000000000000: taken at $sq2*"
shown "$OUT" >"$T/lpart2"
ok "leases: the two workers together: every envelope once, in order" \
	cmp -s <(cat "$T/lpart1" "$T/lpart2") "$T/want"
sqlast=$(tail -n 1 "$T/put" | cut -d' ' -f2)
is "leases: read through, the checkpoint is the last record whole (0, no mark)" \
	"$(lease_item)" "[\"$sqlast\",\"0\",null]"

# bad subSequenceNumbers: refused, nothing read
printf '{"format":"kinpipe-kin-read-checkpoint","stream":"kpl","shards":{"shardId-000000000000":"%s"},"subSequenceNumbers":{"shardId-000000000000":-1}}\n' "$sq2" >"$T/bad.json"
t "a negative subSequenceNumber is refused" 1 "" "" kin-read -s kpl --resume-from "$T/bad.json" -e
is "... saying why" "$(cat "$ERR")" "kin-read: --resume-from: $T/bad.json: damaged (shard shardId-000000000000: subSequenceNumber is not a count beside a sequence number): not used. To start over, move it aside (mv $T/bad.json $T/bad.json.damaged): each shard then starts at --from, and what was read since is read again or skipped"
printf '{"format":"kinpipe-kin-read-checkpoint","stream":"kpl","shards":{},"subSequenceNumbers":{"shardId-000000000000":1}}\n' >"$T/bad.json"
t "a subSequenceNumber without its sequence number is refused" 1 "" "" kin-read -s kpl --resume-from "$T/bad.json" -e
is "... saying why" "$(cat "$ERR")" "kin-read: --resume-from: $T/bad.json: damaged (shard shardId-000000000000: subSequenceNumber is not a count beside a sequence number): not used. To start over, move it aside (mv $T/bad.json $T/bad.json.damaged): each shard then starts at --from, and what was read since is read again or skipped"

# --- an aggregate outside the shard's range is dropped whole, as KCL does ----
admin create kpl2 2
admin ranges kpl2 >"$T/ranges"
# keys whose MD5 falls in shard 0's range and in shard 1's (python3's hashlib)
python3 - "$T/ranges" >"$T/spec2" <<'EOF'
import hashlib, json, sys
ranges = [l.split() for l in open(sys.argv[1])]
lo0, hi0 = int(ranges[0][1]), int(ranges[0][2])
def h(k): return int.from_bytes(hashlib.md5(k.encode()).digest(), "big")
ins = [k for k in ("k%d" % i for i in range(200)) if lo0 <= h(k) <= hi0][:3]
outs = [k for k in ("k%d" % i for i in range(200)) if h(k) > hi0][:2]
# both aggregates land in shard 0 by their explicit hash key; the first
# holds a user record that belongs to shard 1
print(json.dumps({"agg": [{"key": ins[0], "data": "in-0"}, {"key": outs[0], "data": "out"}, {"key": ins[1], "data": "in-1"}], "ehk": str(lo0)}))
print(json.dumps({"agg": [{"key": ins[0], "data": "a"}, {"key": ins[2], "data": "b"}], "ehk": str(lo0)}))
EOF
$KPL put "$T/spec2" | admin put kpl2 >"$T/put2"
is "both aggregates landed in shard 0" "$(cut -d' ' -f1 "$T/put2" | sort -u)" "shardId-000000000000"
run "" kin-read -s kpl2 --from earliest -e --stats
is "range: exit" "$rc" 0
is "range: only the aggregate within the range is read" "$(jq -r .data "$OUT" | tr '\n' ' ')" "a b "
like "range: the dropped user records are counted" "$(cat "$ERR")" "*aggregates=2 kpl_dropped=3 kpl_whole=0*"

# --- kin-put --aggregate, round trip -----------------------------------------
admin create agg 4
records 3000 g >"$T/in3"
kin-put -s agg --aggregate --partition-key-field k --stats <"$T/in3" >"$T/res3" 2>"$T/put3.err"
is "kin-put --aggregate exit" "$?" 0
is "one result per line, in order" "$(jq -r .line "$T/res3" | tr '\n' ' ')" "$(seq 3000 | tr '\n' ' ')"
is "every line was put" "$(jq -r 'select(.sequenceNumber) | .line' "$T/res3" | wc -l)" 3000
aggs=$(sed -n 's/.*aggregates=\([0-9]*\).*/\1/p' "$T/put3.err")
ok "records were packed ($aggs aggregates for 3000 lines)" [ "${aggs:-0}" -gt 0 ] && [ "${aggs:-0}" -lt 100 ]
# what the stream holds, decoded here by hand: each user record once, in
# its key's shard by python3's MD5, in input order per key
admin get agg >"$T/raw3"
ok "the stream holds aggregates, not one record per line" [ "$(wc -l <"$T/raw3")" -lt 100 ]
$KPL decode "$T/raw3" >"$T/dec3"
is "no aggregate fails its MD5 or parse" "$(grep -c '^BAD' "$T/dec3")" 0
is "decoded by hand: the input lines, once each" "$(cut -d' ' -f5- "$T/dec3" | sort | md5sum)" "$(sort "$T/in3" | md5sum)"
admin ranges agg >"$T/ranges3"
python3 - "$T/ranges3" "$T/dec3" >"$T/misplaced" <<'EOF'
import hashlib, sys
ranges = dict((l.split()[0], (int(l.split()[1]), int(l.split()[2]))) for l in open(sys.argv[1]))
for l in open(sys.argv[2]):
    shard, seq, sub, key = l.split()[:4]
    lo, hi = ranges[shard]
    if not lo <= int.from_bytes(hashlib.md5(key.encode()).digest(), "big") <= hi:
        print(l, end="")
EOF
is "every user record in its key's shard" "$(wc -l <"$T/misplaced")" 0
for k in 0 1 2 3 4 5 6; do
	a=$(awk -v k="key-$k" '$4 == k' "$T/dec3" | cut -d' ' -f5- | jq -r .i | tr '\n' ' ')
	b=$(jq -r "select(.k == \"key-$k\") | .i" "$T/in3" | tr '\n' ' ')
	[ "$a" = "$b" ] || { kp_report_fail "input order within key-$k" "$a" "$b"; break; }
done
[ "$k" = 6 ] && pass "input order within each key"
# and kin-read: the same user records, at the places kin-put reported
run "" kin-read -s agg --from earliest -e
is "kin-read of the aggregates: exit" "$rc" 0
jq -r '[.data, .shardId, .sequenceNumber, (.subSequenceNumber // "-" | tostring)] | @tsv' "$OUT" | sort >"$T/read3"
paste "$T/in3" <(jq -r '[.shardId, .sequenceNumber, (.subSequenceNumber // "-" | tostring)] | @tsv' "$T/res3") | sort >"$T/put3"
ok "kin-read gives each line at the shard, sequence and subSequenceNumber kin-put reported" cmp -s "$T/read3" "$T/put3"

# a reshard between the shard map and the put: aggregates land in a child
# whose range does not hold all their records; they are put again where
# they belong, and the misplaced ones are dropped by the consumer
admin create rs 1
mkfifo "$T/fifo"
kin-put -s rs --aggregate -K k <"$T/fifo" >"$T/res5" 2>"$T/put5.err" &
putter=$!
exec 3>"$T/fifo"
records 40 a >&3
wait_for 20 lines_at_least 40 "$T/res5"
is "before the split: 40 results" "$(wc -l <"$T/res5")" 40
admin split rs shardId-000000000000 >/dev/null
records 40 b >&3
exec 3>&-
wait $putter
is "across the split: kin-put exit" "$?" 0
is "across the split: every line put once" "$(jq -r 'select(.sequenceNumber) | .line' "$T/res5" | sort -n | uniq | wc -l)" 80
run "" kin-read -s rs --from earliest -e --stats
is "across the split: kin-read exit" "$rc" 0
is "across the split: each line read once" "$(jq -r .data "$OUT" | sort | md5sum)" "$( (records 40 a; records 40 b) | sort | md5sum)"
like "across the split: the misplaced aggregates were dropped" "$(cat "$ERR")" "*kpl_dropped=[1-9]*"

# a bad line under --aggregate: reported in order, the rest put
printf '{"k":"a","i":1}\nnot json\n{"k":"b","i":2}\n' >"$T/in4"
run "$(cat "$T/in4")" kin-put -s agg --aggregate -K k --on-error=skip
is "skip under --aggregate: exit" "$rc" 0
is "skip under --aggregate: the bad line reported in its place" "$(jq -r '[.line, (.error // "put")] | join(" ")' "$OUT" | tr '\n' '|')" "1 put|2 not JSON: byte 1: invalid literal|3 put|"
run "$(cat "$T/in4")" kin-put -s agg --aggregate -K k
is "fail under --aggregate: exit 1" "$rc" 1
is "fail under --aggregate: says which line" "$(cat "$ERR")" "kin-put: <stdin>:2: not JSON: byte 1: invalid literal"
is "fail under --aggregate: the line before it was put" "$(jq -r .line "$OUT")" "1"

# --- json-project carries the place in the aggregate ---------------------------
t "json-project carries subSequenceNumber after sequenceNumber" 0 \
	'{"a":1,"shardId":"s","sequenceNumber":"9","subSequenceNumber":4}' \
	'{"data":"{\"a\":1}","shardId":"s","sequenceNumber":"9","subSequenceNumber":4,"partitionKey":"k"}' \
	json-project --field data --schema 'a INT'
t "--drop-provenance drops it too" 0 '{"a":1}' \
	'{"data":"{\"a\":1}","shardId":"s","sequenceNumber":"9","subSequenceNumber":4}' \
	json-project --field data --schema 'a INT' --drop-provenance

# --- window-avg marks by (sequenceNumber, subSequenceNumber) ----------------
env() { printf '{"shardId":"s","sequenceNumber":"%s","subSequenceNumber":%s,"t":"2024-01-01T00:00:%02dZ","v":1}\n' "$1" "$2" "$3"; }
{ env 100 0 1; env 100 1 2; env 100 2 3; } >"$T/wa1"
{ env 100 1 2; env 100 2 3; env 100 3 4; env 101 0 5; } >"$T/wa2"
window-avg --time t --window '1 minute' --avg v=avg --count '*'=n --mode complete \
	--state "$T/wa.json" <"$T/wa1" >/dev/null 2>&1
is "window-avg's state holds the place inside the aggregate" "$(jq -c '[.shards.s, .subSequenceNumbers.s]' "$T/wa.json")" '["100",2]'
run "$(cat "$T/wa2")" window-avg --time t --window '1 minute' --avg v=avg --count '*'=n --mode complete \
	--state "$T/wa.json" --stats
is "replayed user records are skipped, the rest counted" "$(jq -c .n "$OUT" | tail -n 1)" 5
like "... and counted as replays" "$(cat "$ERR")" "*replayed=2*"
finish
