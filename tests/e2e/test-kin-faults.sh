#!/bin/bash
# kin-read through a fault-injecting proxy: throttling, 500s, dropped
# connections (before and after the server answered), expired iterators
# and slow answers. For each: nothing lost, nothing duplicated, it goes on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"
kin_server

proxy() {
	: >"$T/proxy.log"
	node "$KP_ROOT/tests/e2e/faultproxy.js" --target "$KIN_PORT" --seed "$1" --log "$T/proxy.log" "${@:2}" >"$T/.proxy-port" 2>/dev/null &
	proxy_pid=$!
	at_exit "kill $proxy_pid"
	kp_i=0
	while [ ! -s "$T/.proxy-port" ] && [ $kp_i -lt 100 ]; do sleep 0.05; kp_i=$((kp_i + 1)); done
	proxy=http://127.0.0.1:$(cat "$T/.proxy-port")
	rm -f "$T/.proxy-port"
}

n=6000
[ -n "${KP_SANITIZED:-}" ] && n=1500
admin create f 4
records $n g >"$T/in"
kin-put -s f <"$T/in" >"$T/res"
written "$T/res" "$T/in" >"$T/want"
kin-read -s f -o earliest -e >"$T/direct"
ok "direct read is the reference" same_by_shard <(fields "$T/direct") "$T/want"

# each fault alone, then all of them together
for kind in throttle 500 drop drop-after expired slow; do
	ms=
	[ $kind = slow ] && ms=,ms=400
	also="--rule $kind,p=0.2,op=GetShardIterator$ms"
	[ $kind = expired ] && also=	# only GetRecords takes an iterator
	proxy 11 --rule "$kind,p=0.3,first=1,op=GetRecords$ms" $also
	run "" kin-read -s f -o earliest -e --batch 250 --endpoint-url "$proxy"
	is "$kind: exit 0" "$rc" 0
	ok "$kind: every record once, in order per shard" same_by_shard <(fields "$OUT") "$T/want"
	ok "$kind: injected" grep -q "^$kind GetRecords" "$T/proxy.log"
	kill $proxy_pid
done

proxy 23 --rule throttle,p=0.1 --rule 500,p=0.05 --rule drop,p=0.05 --rule drop-after,p=0.05 \
	--rule expired,p=0.05,op=GetRecords --rule slow,p=0.03,ms=300
run "" kin-read -s f -o earliest -e --batch 200 --endpoint-url "$proxy" --checkpoint "$T/ck.json" --stats
is "all faults: exit 0" "$rc" 0
ok "all faults: every record once, in order per shard" same_by_shard <(fields "$OUT") "$T/want"
like "all faults: retries counted" "$(grep 'stats: final' "$ERR")" "kin-read: stats: final read=$n emitted=$n nulled=0 skipped=0 bytes=* getrecords=* retries=[1-9]*"

# follow through faults, stop with SIGTERM mid-stream, resume: no loss, no repeat
admin create g 2
records 3000 h >"$T/gin"
kin-put -s g <"$T/gin" >"$T/gres"
written "$T/gres" "$T/gin" >"$T/gwant"
kin-read -s g -o earliest --batch 100 --endpoint-url "$proxy" --checkpoint "$T/g.json" >"$T/g1" 2>/dev/null &
gpid=$!
sleep 1.2
kill -TERM $gpid
wait $gpid
is "SIGTERM under faults: exit 0" "$?" 0
run "" kin-read -s g -o earliest -e --batch 100 --endpoint-url "$proxy" --resume-from "$T/g.json"
is "resume under faults: exit 0" "$rc" 0
cat "$T/g1" "$OUT" >"$T/g.all"
ok "stopped and resumed: every record once, in order" same_by_shard <(fields "$T/g.all") "$T/gwant"
ok "stopped and resumed: the stop was mid-stream" test "$(wc -l <"$T/g1")" -lt 3000

# throttled for good: gives up with the cause, after --retries attempts
kill $proxy_pid
proxy 5 --rule throttle,p=1,op=GetRecords
t "throttled for good" 1 "" "" kin-read -s f -o earliest -e --endpoint-url "$proxy" --retries 4
like "throttled for good: warned on the way" "$(grep -v ': starting at ' "$ERR" | head -n 1)" "kin-read: GetRecords: ProvisionedThroughputExceededException: Rate exceeded (injected) (HTTP 400) (retry 3)"
like "throttled for good: message" "$(tail -n 1 "$ERR")" "kin-read: shardId-00000000000?: GetRecords: ProvisionedThroughputExceededException: Rate exceeded (injected) (HTTP 400) (gave up after 4 attempts)"

finish
