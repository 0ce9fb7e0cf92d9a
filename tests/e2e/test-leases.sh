#!/bin/bash
# kin-read --lease-table: KCL 2.x leases in DynamoDB (dynalite). Three
# workers share a six-shard stream while records flow; one is SIGKILLed,
# a shard is split, a fourth joins. Every record must be read, the dead
# worker's shards taken within about two failover periods, the shards
# balanced in the end, the split's children read only after their parent
# was, and the lease items must be KCL's, field by field (AWS CLI scan).
# Then -e with leases (two workers, then one alone, also when GetRecords
# answers empty short of the tip and when DynamoDB's answers are lost),
# the usage errors and a refused table.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"

N=1800 CHUNK=60
[ -n "${KP_SANITIZED:-}" ] && N=900 CHUNK=30
F=1500	# --failover-ms
kin_server
ddb_server
admin create ev 6 >/dev/null
TABLE=ev-leases
lease_watch $TABLE "$T/watch"

records $N >"$T/all"
split -l $CHUNK "$T/all" "$T/chunk."
( for c in "$T"/chunk.*; do kin-put --stream ev <"$c" >>"$T/put" || echo "put failed" >>"$T/put.err"; sleep 0.3; done ) &
feeder=$!

# Each worker's envelopes with the time they came out, to order reads
# across workers.
stamp() {
	python3 -u -c 'import sys, time
for l in sys.stdin: sys.stdout.write("%.6f %s" % (time.time(), l))'
}
worker() {	# worker ID: start it, its kin-read's pid in pid.ID
	( kin-read --stream ev --from earliest --lease-table $TABLE --worker-id "$1" \
		--failover-ms $F --stats 2>"$T/$1.err" & echo $! >"$T/pid.$1"; wait ) |
		stamp >"$T/$1.out" &
	echo $! >"$T/job.$1"
	while [ ! -s "$T/pid.$1" ]; do sleep 0.01; done
}
# balanced WORKERS...: every active lease held by one of them, none
# holding more than one more than another (and each at least one)
balanced() {
	lease_now "$T/watch" | awk -v live=" $* " '
		$3 == "SHARD_END" { next }
		{ n++; if (index(live, " " $2 " ") == 0) bad = 1; else c[$2]++ }
		END { if (n == 0 || bad) exit 1
			split(live, w, " "); lo = 1e9; hi = 0
			for (i in w) { x = c[w[i]] + 0; if (x < lo) lo = x; if (x > hi) hi = x }
			exit !(lo >= 1 && hi - lo <= 1) }'
}

worker w1
worker w2
worker w3
ok "three workers share six shards, two each" wait_for 30 balanced w1 w2 w3
w2_leases=$(lease_now "$T/watch" | awk '$2 == "w2" { print $1 }')
is "w2 holds two leases" "$(echo "$w2_leases" | wc -l)" 2

kill -KILL "$(cat "$T/pid.w2")"
killed=$(date +%s.%N)
gone() { ! lease_now "$T/watch" | awk '{ print $2 }' | grep -qx w2; }
ok "the dead worker's leases were taken" wait_for 30 gone
taken=$(awk -v k="$killed" '$1 > k && $3 != "w2" && $3 != "-" { print $1, $2 }' "$T/watch" |
	awk -v l="$(echo $w2_leases)" 'BEGIN { n = split(l, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		($2 in want) && !($2 in got) { got[$2] = $1; m = $1 } END { print m }')
failover=$(echo "$taken - $killed" | bc)
echo "    leases: the SIGKILLed worker's shards were taken after $failover s (failover $F ms)"
ok "taken within about two failover periods (< 2 x $F ms + 1 s)" \
	test "$(echo "$failover < 2 * $F / 1000 + 1" | bc)" = 1
ok "the two survivors share the six shards" wait_for 30 balanced w1 w3

admin split ev shardId-000000000000 >/dev/null
worker w4
ok "with a fourth worker and the split, balanced again" wait_for 60 balanced w1 w3 w4
wait $feeder
is "every record put" "$(grep -c sequenceNumber "$T/put")" $N
[ -s "$T/put.err" ] && echo "FAIL: $(cat "$T/put.err")"

# Every record read: by whoever held its shard (a moved shard may be read
# twice from its last checkpoint, never lost).
jq -r '[.shardId, .sequenceNumber] | @tsv' "$T/put" | sort -u >"$T/want"
read_all() {
	cat "$T"/w?.out | cut -d' ' -f2- | jq -r '[.shardId, .sequenceNumber] | @tsv' | sort -u >"$T/got"
	[ -z "$(comm -23 "$T/want" "$T/got")" ]
}
ok "every record was read" wait_for 60 read_all
is "records missing" "$(comm -23 "$T/want" "$T/got" | wc -l)" 0
ok "still balanced at the end" balanced w1 w3 w4

for w in w1 w3 w4; do kill -TERM "$(cat "$T/pid.$w")"; done
for w in w1 w3 w4; do wait "$(cat "$T/job.$w")"; done
for w in w1 w3 w4; do
	like "$w: --stats counts its leases" "$(grep stats "$T/$w.err")" "*leases_held=0 leases_taken=[0-9]* leases_stolen=[0-9]* leases_lost=[0-9]*"
	is "$w: took or stole a share" "$(grep stats "$T/$w.err" | sed 's/.*leases_taken=\([0-9]*\) leases_stolen=\([0-9]*\).*/\1 \2/' |
		awk '{ print ($1 + $2 > 0) }')" 1
done

# Parents first: the first read of each child record came after the first
# read of every record of the parent.
cat "$T"/w?.out | jq -Rr 'split(" ") as $f | ($f[1:] | join(" ") | fromjson) as $r | [$f[0], $r.shardId, $r.sequenceNumber] | @tsv' |
	sort -k2,3 -k1,1n | awk -F'\t' '!seen[$2 FS $3]++' >"$T/first"
kids=$(admin list ev | awk '$2 == "shardId-000000000000" { print $1 }')
is "the split made two children" "$(echo $kids | wc -w)" 2
parent_last=$(awk -F'\t' '$2 == "shardId-000000000000" { if ($1 > m) m = $1 } END { print m }' "$T/first")
kid_first=$(awk -F'\t' -v k=" $(echo $kids) " 'index(k, " " $2 " ") { if (m == "" || $1 < m) m = $1 } END { print m }' "$T/first")
if [ -n "$kid_first" ]; then
	ok "children read after their parent ($parent_last < $kid_first)" test "$(echo "$parent_last < $kid_first" | bc)" = 1
else
	ok "children read after their parent (no child record read yet)" true
fi

# The items, field by field, as KCL 2.x's DynamoDBLeaseSerializer reads
# them, against ListShards and what kin-put was told.
aws dynamodb scan --region us-west-2 --table-name $TABLE --consistent-read --output json >"$T/scan" 2>"$T/scan.err"
is "scan: exit status" "$?" 0
node "$KP_ROOT/tests/e2e/kin-admin.js" "$KIN_PORT" shards ev >"$T/shards"
python3 - "$T/scan" "$T/shards" "$T/put" <<'PY' >"$T/check"
import json, re, sys
items = json.load(open(sys.argv[1]))["Items"]
shards = {s["ShardId"]: s for s in json.load(open(sys.argv[2]))}
last = {}
for l in open(sys.argv[3]):
    r = json.loads(l)
    if int(r["sequenceNumber"]) > int(last.get(r["shardId"], "0")):
        last[r["shardId"]] = r["sequenceNumber"]
known = {"leaseKey", "leaseOwner", "leaseCounter", "checkpoint", "checkpointSubSequenceNumber",
         "ownerSwitchesSinceCheckpoint", "parentShardId", "childShardIds", "startingHashKey",
         "endingHashKey", "pendingCheckpoint", "pendingCheckpointSubSequenceNumber", "kinpipeShardState"}
bad = []
def want(c, what):
    if not c:
        bad.append(what)
if len(items) != len(shards):
    bad.append("%d items for %d shards" % (len(items), len(shards)))
for it in items:
    k = it["leaseKey"]["S"]
    s = shards.get(k)
    want(s is not None, k + ": no such shard")
    if s is None:
        continue
    want(set(it) <= known, k + ": unknown attributes %s" % (set(it) - known))
    want(list(it["leaseCounter"]) == ["N"] and int(it["leaseCounter"]["N"]) > 0, k + ": leaseCounter")
    closed = "EndingSequenceNumber" in s["SequenceNumberRange"]
    # a finished lease lapses with its last owner named, as KCL leaves it
    want("leaseOwner" not in it or closed, k + ": still owned after every worker stopped")
    want(it["checkpointSubSequenceNumber"] == {"N": "0"}, k + ": checkpointSubSequenceNumber")
    want(list(it["ownerSwitchesSinceCheckpoint"]) == ["N"], k + ": ownerSwitchesSinceCheckpoint")
    want(it["startingHashKey"] == {"S": s["HashKeyRange"]["StartingHashKey"]}, k + ": startingHashKey")
    want(it["endingHashKey"] == {"S": s["HashKeyRange"]["EndingHashKey"]}, k + ": endingHashKey")
    parents = sorted(p for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p)
    want(sorted(it.get("parentShardId", {}).get("SS", [])) == parents, k + ": parentShardId")
    want(not parents or list(it["parentShardId"]) == ["SS"], k + ": parentShardId not a string set")
    closed = "EndingSequenceNumber" in s["SequenceNumberRange"]
    kids = sorted(x for x, y in shards.items() if k in (y.get("ParentShardId"), y.get("AdjacentParentShardId")))
    ck = it["checkpoint"]["S"]
    if closed:
        want(ck == "SHARD_END", k + ": closed, but checkpoint " + ck)
        want(sorted(it.get("childShardIds", {}).get("SS", [])) == kids, k + ": childShardIds")
    else:
        want(ck == last.get(k, "TRIM_HORIZON"), k + ": checkpoint %s, last record put %s" % (ck, last.get(k)))
        want("childShardIds" not in it, k + ": childShardIds on an open shard")
print("\n".join(bad) if bad else "ok")
PY
is "lease items: KCL's schema, checkpoints at the last record put" "$(cat "$T/check")" ok

# -e with leases: two workers drain the stream as it is now and exit, all
# of it read between them; a third, started after, reads nothing.
admin create small 3 >/dev/null
records 300 | kin-put --stream small >"$T/sput"
for w in e1 e2; do
	kin-read --stream small --from earliest --lease-table small-leases --worker-id $w \
		--failover-ms $F -e >"$T/$w.out" 2>"$T/$w.err" &
	echo $! >"$T/pid.$w"
done
wait "$(cat "$T/pid.e1")"; r1=$?
wait "$(cat "$T/pid.e2")"; r2=$?
is "-e: both workers exit 0" "$r1 $r2" "0 0"
# A worker that starts reading before the other has its share may have a
# lease stolen before its checkpoint: that shard is read again from the
# checkpoint (at least once, as KCL's), and no other.
cat "$T/e1.out" "$T/e2.out" | jq -r '[.shardId, .sequenceNumber] | @tsv' | sort >"$T/e.got"
is "-e: every record read between them" "$(uniq "$T/e.got" | wc -l)" 300
is "-e: a record read twice only from a shard that moved" "$(uniq -d "$T/e.got" | cut -f1 | sort -u |
	comm -23 - <(sed -n 's/.*lease \([^ ]*\): lost.*/\1/p' "$T/e1.err" "$T/e2.err" | sort -u))" ""
t "-e: a later worker finds everything read" 0 "" "" \
	kin-read --stream small --from earliest --lease-table small-leases --worker-id e3 --failover-ms $F -e

# -e with one worker alone, as kin-read(1)'s example runs it: it takes
# every lease and reads each shard to its end before it exits, each time
# on a fresh table; and so it does through a proxy that answers half the
# GetRecords calls with no records short of the tip, as AWS may (a shard
# judged empty on such an answer was never read).
for i in 1 2 3; do
	run "" kin-read --stream small --from earliest --lease-table alone-$i --worker-id a \
		--failover-ms $F -e
	is "-e alone, run $i: exit 0, every record once" \
		"$rc $(jq -r .sequenceNumber "$OUT" | sort -u | wc -l) $(wc -l <"$OUT")" "0 300 300"
done
start_bg "$T/empty.port" node "$KP_ROOT/tests/e2e/faultproxy.js" --target "$KIN_PORT" \
	--seed 5 --log "$T/empty.log" --rule empty,p=0.5,op=GetRecords
for i in 1 2 3; do
	run "" kin-read --stream small --from earliest --lease-table empty-$i --worker-id a \
		--failover-ms $F -e --endpoint-url "http://127.0.0.1:$(cat "$T/empty.port")"
	is "-e alone, empty answers short of the tip, run $i: exit 0, every record once" \
		"$rc $(jq -r .sequenceNumber "$OUT" | sort -u | wc -l) $(wc -l <"$OUT")" "0 300 300"
done
ok "-e alone: empty answers were given" grep -q '^empty GetRecords' "$T/empty.log"

# Writes whose answers are lost: a proxy before DynamoDB forwards a third
# of the UpdateItem calls and then closes the connection, the client
# retries, and the retry fails its condition. The worker reads the lease
# back and finds it still its own: no shard dropped as lost, and no lease
# left owned at the exit.
start_bg "$T/drop.port" node "$KP_ROOT/tests/e2e/faultproxy.js" --target "$DDB_PORT" \
	--seed 7 --log "$T/drop.log" --rule drop-after,p=0.3,op=UpdateItem
run "" kin-read --stream small --from earliest --lease-table drop-1 --worker-id a \
	--failover-ms $F -e --stats --dynamodb-endpoint-url "http://127.0.0.1:$(cat "$T/drop.port")"
is "lost answers: exit 0, every record once" \
	"$rc $(jq -r .sequenceNumber "$OUT" | sort -u | wc -l) $(wc -l <"$OUT")" "0 300 300"
like "lost answers: no lease lost" "$(grep 'stats: final' "$ERR")" "*leases_lost=0"
ok "lost answers: injected" grep -q '^drop-after UpdateItem' "$T/drop.log"
is "lost answers: every lease given up at the exit" "$(aws dynamodb scan --region us-west-2 \
	--table-name drop-1 --consistent-read --output json | jq '[.Items[] | select(.leaseOwner)] | length')" 0

# Usage errors and a table the service refuses.
te "--lease-table without --worker-id" 2 "*kin-read: --lease-table needs --worker-id (both non-empty)*" "" \
	kin-read --stream ev --lease-table t1x
te "--worker-id without --lease-table" 2 "*kin-read: --worker-id, --lease-state and --dynamodb-endpoint-url go with --lease-table*" "" \
	kin-read --stream ev --worker-id a
te "--lease-table with --shard-index" 2 "*kin-read: --lease-table excludes --shard and --shard-index*" "" \
	kin-read --stream ev --lease-table t1x --worker-id a --shard-index 0 --shard-count 2
te "--lease-table with --resume-from" 2 "*kin-read: --lease-table excludes --resume-from and --checkpoint*" "" \
	kin-read --stream ev --lease-table t1x --worker-id a --resume-from x.json
te "--lease-table with --consumer" 2 "*kin-read: --lease-table excludes --consumer (*" "" \
	kin-read --stream ev --lease-table t1x --worker-id a --consumer c1
te "--failover-ms out of range" 2 "*kin-read: --failover-ms*" "" \
	kin-read --stream ev --lease-table t1x --worker-id a --failover-ms 5
te "a table name DynamoDB refuses" 1 "kin-read: lease table x: DescribeTable: ValidationException: *" "" \
	kin-read --stream ev --lease-table x --worker-id a -e
te "no DynamoDB at the endpoint" 1 "kin-read: lease table t1x: DescribeTable: *(gave up after 1 attempts)" "" \
	kin-read --stream ev --lease-table t1x --worker-id a -e --retries 1 --dynamodb-endpoint-url "http://127.0.0.1:$(free_port)"
finish
