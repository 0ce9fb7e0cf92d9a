#!/bin/bash
# kin-read --consumer, enhanced fan-out, against kinesis-mock (npm's
# kinesis-local, bound to 127.0.0.1): the consumer registered once, the
# same envelopes as polling, TLS with a private CA (--ca-bundle,
# AWS_CA_BUNDLE), KPL aggregates, -c with a checkpoint then --resume-from,
# a shard split while subscribed (children after their parent), a
# dropped connection resumed with nothing lost or doubled, a corrupt
# frame refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"
km_server
# Each run subscribes as a consumer of its own, but where the test is
# about the same consumer again: kinesis-mock (unlike AWS, which lets go
# within seconds) can hold a subscription a reader left for minutes, and
# answer the next one with ResourceInUseException until then.
EP=http://127.0.0.1:$KM_PORT
TLS=https://127.0.0.1:$KM_TLS_PORT

# h2proxy LOG ARGS...: kin-h2proxy.js in front of kinesis-mock; sets PX
px_n=0
h2proxy() {
	px_n=$((px_n + 1))
	start_bg "$T/.px$px_n" node "$KP_ROOT/tests/e2e/kin-h2proxy.js" \
		--target "$KM_PORT" --log "$1" "${@:2}"
	PX=http://127.0.0.1:$(head -n 1 "$T/.px$px_n")
}

# same_per_shard A B: the same envelopes, byte for byte, in the same order
# within each shard (the shards' subscriptions interleave as their events
# come, differently from one run to the next)
same_per_shard() {
	cmp -s <(by_shard "$1") <(by_shard "$2")
}
by_shard() {
	awk '{ match($0, /"shardId":"[^"]*"/); print substr($0, RSTART, RLENGTH) "\t" $0 }' "$1" |
		sort -s -t "$(printf '\t')" -k1,1
}

# by_key FILE: "key i" per envelope, for order checks per partition key
by_key() {
	jq -r '.data | fromjson | "\(.k) \(.i)"' "$1"
}

km_admin create fo 2
records 300 a >"$T/in1"
kin-put -s fo --endpoint-url "$EP" <"$T/in1" >"$T/res1"
is "kin-put to kinesis-mock" "$?" 0
written "$T/res1" "$T/in1" >"$T/w1"

# --- subscribed, read to the end as of the start ------------------------------
run "" kin-read -s fo --from earliest -e --consumer kp1 --endpoint-url "$EP"
is "--consumer -e: exit" "$rc" 0
like "the consumer was registered" "$(cat "$ERR")" "*registered stream consumer kp1*"
ok "--consumer: every record once, in order per shard" same_by_shard <(fields "$OUT") "$T/w1"
cp "$OUT" "$T/fanout1"
run "" kin-read -s fo --from earliest -e --endpoint-url "$EP"
is "polling the same stream: exit" "$rc" 0
ok "the same envelopes as polling, byte for byte" cmp -s <(sort "$T/fanout1") <(sort "$OUT")
run "" kin-read -s fo --from earliest -e --consumer kp1 --endpoint-url "$EP"
is "a consumer that exists: exit" "$rc" 0
is "a consumer that exists is not registered again" "$(grep -c registered "$ERR")" 0
ok "a consumer that exists: the same records" same_per_shard "$OUT" "$T/fanout1"
t "--consumer of a stream that does not exist: exit 4" 4 "" "" \
	kin-read -s nosuch --consumer kp3 -e --endpoint-url "$EP"
like "... saying so" "$(cat "$ERR")" "kin-read: DescribeStreamSummary: ResourceNotFoundException*"
t "--consumer '': usage" 2 "" "" kin-read -s fo --consumer '' -e

# --- TLS with a private CA -------------------------------------------------------
run "" kin-read -s fo --from earliest -e --consumer kp4 --endpoint-url "$TLS" --ca-bundle "$KM_CA"
is "https, --ca-bundle: exit" "$rc" 0
ok "https, --ca-bundle: the same records" same_per_shard "$OUT" "$T/fanout1"
AWS_CA_BUNDLE=$KM_CA run "" kin-read -s fo --from earliest -e --consumer kp5 --endpoint-url "$TLS"
is "https, AWS_CA_BUNDLE: exit" "$rc" 0
ok "https, AWS_CA_BUNDLE: the same records" same_per_shard "$OUT" "$T/fanout1"
s0=$(date +%s)
t "https without the CA: exit 1, nothing written" 1 "" "" \
	kin-read -s fo --from earliest -e --consumer kp6 --endpoint-url "$TLS"
like "... saying why" "$(cat "$ERR")" "kin-read: DescribeStreamSummary: https://127.0.0.1:$KM_TLS_PORT: SSL certificate problem: *"
ok "... at once, not after retries" [ $(($(date +%s) - s0)) -lt 5 ]
t "a CA bundle that does not exist: exit 1" 1 "" "" \
	kin-read -s fo -e --consumer kp7 --endpoint-url "$TLS" --ca-bundle "$T/nope.pem"
like "... saying why" "$(cat "$ERR")" "kin-read: DescribeStreamSummary: https://127.0.0.1:$KM_TLS_PORT: *"

# kin-put over TLS: the same trust, the same refusal (a stream of its own:
# the tests below count fo's records)
km_admin create tls 1
records 20 t >"$T/in-tls"
run "$(cat "$T/in-tls")
" kin-put -s tls --endpoint-url "$TLS" --ca-bundle "$KM_CA"
is "kin-put https, --ca-bundle: exit" "$rc" 0
is "kin-put https, --ca-bundle: every record put" "$(jq -s 'length' "$OUT")" 20
AWS_CA_BUNDLE=$KM_CA run "$(cat "$T/in-tls")
" kin-put -s tls --endpoint-url "$TLS"
is "kin-put https, AWS_CA_BUNDLE: exit" "$rc" 0
run "" kin-read -s tls --from earliest -e --endpoint-url "$EP"
is "kin-put https: the stream holds both runs' records" \
    "$(jq -r .data "$OUT" | sort | md5sum)" "$(cat "$T/in-tls" "$T/in-tls" | sort | md5sum)"
s0=$(date +%s)
run "$(cat "$T/in-tls")
" kin-put -s tls --endpoint-url "$TLS"
is "kin-put https without the CA: exit 1" "$rc" 1
is "... nothing said to be put" "$(cat "$OUT")" ""
like "... saying why" "$(cat "$ERR")" "*kin-put: *https://127.0.0.1:$KM_TLS_PORT: SSL certificate problem: *"
ok "... at once, not after retries" [ $(($(date +%s) - s0)) -lt 5 ]

# --- KPL aggregates, -c, checkpoint and resume ----------------------------------
km_admin create agg 2
records 500 g >"$T/in2"
kin-put -s agg --aggregate -K k --endpoint-url "$EP" <"$T/in2" >"$T/res2"
is "kin-put --aggregate to kinesis-mock" "$?" 0
run "" kin-read -s agg --from earliest -e --consumer kp8 --endpoint-url "$EP" --stats
is "aggregates over fan-out: exit" "$rc" 0
is "aggregates over fan-out: each user record once" "$(jq -r .data "$OUT" | sort | md5sum)" "$(sort "$T/in2" | md5sum)"
ok "aggregates over fan-out: in input order per key" cmp -s <(by_key "$OUT" | sort -s -k1,1) <(jq -r '"\(.k) \(.i)"' "$T/in2" | sort -s -k1,1)
like "aggregates over fan-out: unpacked" "$(cat "$ERR")" "*aggregates=[1-9]*"
run "" kin-read -s agg --from earliest -c 123 --consumer kp9 --endpoint-url "$EP" --checkpoint "$T/ck.json"
is "-c 123: exit" "$rc" 0
cp "$OUT" "$T/part1"
is "-c 123: 123 records" "$(wc -l <"$T/part1")" 123
run "" kin-read -s agg --from earliest --resume-from "$T/ck.json" -e --consumer kp10 --endpoint-url "$EP"
is "resumed: exit" "$rc" 0
is "the two runs: each record once" "$(cat "$T/part1" "$OUT" | jq -r .data | sort | md5sum)" "$(sort "$T/in2" | md5sum)"

# --- a shard split while subscribed ----------------------------------------------
km_admin create sp 1
records 100 b >"$T/in3"
records 100 c >>"$T/in3"
head -n 100 "$T/in3" | kin-put -s sp -K k --endpoint-url "$EP" >/dev/null
timeout 120 kin-read -s sp --from earliest -c 200 --consumer kp11 --endpoint-url "$EP" >"$T/split" 2>"$T/split.err" &
reader=$!
wait_for 30 lines_at_least 100 "$T/split"
km_admin split sp shardId-000000000000 >/dev/null
tail -n 100 "$T/in3" | kin-put -s sp -K k --endpoint-url "$EP" >/dev/null
wait $reader
is "across a split: exit" "$?" 0
is "across a split: each record once" "$(jq -r .data "$T/split" | sort | md5sum)" "$(sort "$T/in3" | md5sum)"
ok "across a split: in put order per key (the parent before its children)" \
	cmp -s <(by_key "$T/split" | sort -s -k1,1) <(jq -r '"\(.k) \(.i)"' "$T/in3" | sort -s -k1,1)
is "across a split: read from the parent and both children" "$(jq -r .shardId "$T/split" | sort -u | wc -l)" 3

# --- a dropped connection ----------------------------------------------------------
km_admin create cut 2
records 150 d >"$T/in4"
records 150 e >>"$T/in4"
head -n 150 "$T/in4" | kin-put -s cut -K k --endpoint-url "$EP" >/dev/null
h2proxy "$T/cut.log" --cut-after 3000 --cuts 2
timeout 120 kin-read -s cut --from earliest -c 300 --consumer kp12 --endpoint-url "$PX" --stats \
	--metrics "$T/cut.prom" >"$T/cut" 2>"$T/cut.err" &
reader=$!
wait_for 30 grep -qs cut "$T/cut.log"
tail -n 150 "$T/in4" | kin-put -s cut -K k --endpoint-url "$EP" >/dev/null
wait $reader
is "connections dropped: exit" "$?" 0
ok "the proxy cut the connection under the subscriptions" grep -q '^cut after' "$T/cut.log"
is "after the cuts: each record once" "$(jq -r .data "$T/cut" | sort | md5sum)" "$(sort "$T/in4" | md5sum)"
ok "after the cuts: in put order per key" \
	cmp -s <(by_key "$T/cut" | sort -s -k1,1) <(jq -r '"\(.k) \(.i)"' "$T/in4" | sort -s -k1,1)
like "after the cuts: the subscriptions were opened again" "$(cat "$T/cut.err")" "*retries=[1-9]*"
# each subscription opened again is a retry of its shard, in --stats and
# --metrics, and each shard's lag comes from its subscription's events
is "after the cuts: the shards' retries add up to the run's" \
	"$(sed -n 's/.*millisBehindLatest=.* retries=\([0-9]*\)$/\1/p' "$T/cut.err" | paste -sd+ | bc)" \
	"$(sed -n 's/.*stats: final.* retries=\([0-9]*\) .*/\1/p' "$T/cut.err")"
is "--metrics: the same retries per shard" \
	"$(grep '^kinpipe_kinesis_shard_retries_total' "$T/cut.prom" | awk '{ s += $2 } END { print s }')" \
	"$(sed -n 's/.*stats: final.* retries=\([0-9]*\) .*/\1/p' "$T/cut.err")"
is "--metrics: each shard's millis_behind_latest, from its events" \
	"$(grep -c '^kinpipe_kinesis_millis_behind_latest{.*stream="cut"' "$T/cut.prom")" 2

# --- SIGINT while subscribed: the batch in hand written, the checkpoint kept ---
timeout 60 kin-read -s fo --from earliest --consumer kp14 --endpoint-url "$EP" \
	--checkpoint "$T/ck2.json" >"$T/sig" 2>"$T/sig.err" &
reader=$!
wait_for 30 lines_at_least 300 "$T/sig"
signal_wait $reader INT 10
is "SIGINT while subscribed: exit 0" "$?" 0
ok "SIGINT while subscribed: every record once" cmp -s <(sort "$T/sig") <(sort "$T/fanout1")
is "SIGINT while subscribed: the checkpoint names each shard's last record" \
	"$(jq -r '.shards | to_entries[] | .key + " " + .value' "$T/ck2.json" | sort)" \
	"$(jq -rs 'group_by(.shardId)[] | .[-1] | .shardId + " " + .sequenceNumber' "$T/sig" | sort)"
is "SIGINT while subscribed: the checkpoint keeps where each shard began" \
	"$(jq -c .starts "$T/ck2.json")" \
	'{"shardId-000000000000":"earliest","shardId-000000000001":"earliest"}'

# --- a corrupt frame --------------------------------------------------------------
h2proxy "$T/bad.log" --corrupt-at 200
run "" kin-read -s fo --from earliest -e --consumer kp13 --endpoint-url "$PX"
is "a corrupt frame: exit 1" "$rc" 1
ok "the proxy flipped a byte" grep -q '^corrupt 200' "$T/bad.log"
like "a corrupt frame: said, with its shard" "$(cat "$ERR")" "*
kin-read: shardId-00000000000[01]: event stream: message CRC32 mismatch"
ok "a corrupt frame: nothing made up ($(wc -l <"$OUT") genuine records before it)" \
	[ -z "$(grep -vxF -f "$T/fanout1" "$OUT")" ]
finish
