#!/bin/bash
# kin-read for daily use, against kinesalite: --list (streams, and a
# stream's shards), --from at-timestamp=-DURATION, --raw (and what it
# refuses), --max-fetch-rate (per shard, honoured in a bounded time).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"
kin_server

# --- --list: the streams -----------------------------------------------------------
# twelve streams: kinesalite answers ListStreams ten at a time
admin create alpha 2 >/dev/null
admin create beta 1 >/dev/null
for i in 01 02 03 04 05 06 07 08 09 10; do admin create "more-$i" 1 >/dev/null; done
run "" kin-read --list
is "--list: exit" "$rc" 0
is "--list: every stream, once" "$(jq -r .stream "$OUT" | sort | tr '\n' ' ')" \
	"alpha beta more-01 more-02 more-03 more-04 more-05 more-06 more-07 more-08 more-09 more-10 "
is "--list: alpha's line" "$(jq -c 'select(.stream == "alpha") | [.streamStatus, .openShardCount, .retentionPeriodHours, (.streamARN | endswith(":stream/alpha"))]' "$OUT")" \
	'["ACTIVE",2,24,true]'
like "--list: creation time in RFC 3339" "$(jq -r 'select(.stream == "beta") | .streamCreationTimestamp' "$OUT")" \
	"$(date -u +%Y-%m-%d)T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z"
is "--list: the same members on every line" "$(jq -c 'keys' "$OUT" | sort -u)" \
	'["openShardCount","retentionPeriodHours","stream","streamARN","streamCreationTimestamp","streamMode","streamStatus"]'

# --- --list: one stream's shards, after a split -----------------------------------------
records 5 pre | kin-put -s beta >/dev/null
admin split beta shardId-000000000000
run "" kin-read --stream beta --list
is "--list --stream: exit" "$rc" 0
# the shards as kin-admin.js sees them through ListShards itself
is "--list --stream: ids, parents, open or closed" \
	"$(jq -r '[.shardId, (.parentShardId // "-"), (.adjacentParentShardId // "-"), .state] | join(" ")' "$OUT")" \
	"$(admin list beta)"
# hash key ranges: the whole 128-bit space, split at its middle
is "--list --stream: hash key ranges" \
	"$(jq -r '.hashKeyRange | .startingHashKey + "-" + .endingHashKey' "$OUT" | tr '\n' ' ')" \
	"$(python3 -c 'h = 2**128 - 1; m = h // 2; print("0-%d 0-%d %d-%d " % (h, m, m + 1, h))')"
is "--list --stream: the closed shard's sequence range is closed, the open ones' not" \
	"$(jq -r '[(.sequenceNumberRange.startingSequenceNumber | test("^[0-9]+$")), (.sequenceNumberRange.endingSequenceNumber | type)] | map(tostring) | join(" ")' "$OUT" | tr '\n' ',')" \
	"true string,true null,true null,"
# the records put before the split lie within the parent's range
first=$(kin-read -s beta --from earliest -e | head -n 1 | jq -r .sequenceNumber)
python3 -c 'import sys; s, a, b = map(int, sys.argv[1:]); sys.exit(not a <= s <= b)' "$first" \
	"$(jq -r 'select(.shardId == "shardId-000000000000") | .sequenceNumberRange.startingSequenceNumber' "$OUT")" \
	"$(jq -r 'select(.shardId == "shardId-000000000000") | .sequenceNumberRange.endingSequenceNumber' "$OUT")"
is "--list --stream: a record's sequence number is in its shard's range" "$?" 0
t "--list: no such stream" 4 "" "" kin-read --stream nope --list
is "--list: no such stream message" "$(cat "$ERR")" \
	"kin-read: ListShards: ResourceNotFoundException: Stream nope under account 000000000000 not found. (HTTP 400)"
t "--list with a reading option" 2 "" "" kin-read --list -e
is "--list with a reading option: message" "$(tail -n 1 "$ERR")" \
	"kin-read: --list takes only --stream, --retries, --region, --profile, --endpoint-url and --ca-bundle"
t "no --stream and no --list" 2 "" "" kin-read -e
is "no --stream message" "$(tail -n 1 "$ERR")" "kin-read: --stream is required"

# --- --from at-timestamp=-DURATION ---------------------------------------------------------
# two groups of records at least three seconds apart; the boundary asked
# for lies in the middle of the gap, computed from the arrival times the
# server stamped, so that the start-up time of kin-read (far less than
# the 1.5 s margin) cannot move it across either group
admin create rel 1 >/dev/null
records 4 old | kin-put -s rel >/dev/null
old_last=$(kin-read -s rel --from earliest -e | tail -n 1 | jq -r .approximateArrivalTimestamp)
old_ms=$(python3 -c 'import sys, datetime; print(int(datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp() * 1000))' "$old_last")
while [ $(($(date +%s%3N) - old_ms)) -lt 3000 ]; do sleep 0.1; done
records 4 new | kin-put -s rel >/dev/null
new_first=$(kin-read -s rel --from earliest -e | jq -r 'select((.data | fromjson | .p) == "new") | .approximateArrivalTimestamp' | head -n 1)
new_ms=$(python3 -c 'import sys, datetime; print(int(datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp() * 1000))' "$new_first")
ago=$(($(date +%s%3N) - (old_ms + new_ms) / 2))
run "" kin-read -s rel --from "at-timestamp=-${ago}ms" -e
is "relative --from: exit" "$rc" 0
is "relative --from: only the records after the moment asked for" "$(jq -r .data "$OUT" | jq -r '.p + (.i | tostring)' | tr '\n' ' ')" "new1 new2 new3 new4 "
run "" kin-read -s rel --from "at-timestamp=-1 hour" -e
is "relative --from, Spark's long form: all" "$(jq -r .data "$OUT" | jq -r '.p + (.i | tostring)' | tr '\n' ' ')" "old1 old2 old3 old4 new1 new2 new3 new4 "
t "relative --from: a duration needs a unit" 2 "" "" kin-read -s rel --from at-timestamp=-5x -e
is "relative --from: bad unit message" "$(tail -n 1 "$ERR")" "kin-read: --from: at-timestamp=-5x: bad interval '5x': unknown unit 'x'"
t "relative --from: a month is not a duration" 2 "" "" kin-read -s rel --from at-timestamp=-1mon -e
like "relative --from: month message" "$(tail -n 1 "$ERR")" "kin-read: --from: at-timestamp=-1mon: *"

# --- --raw ------------------------------------------------------------------------------------
admin create raw 1 >/dev/null
printf 'plain text\n{"a":1}\ttab\ncaf\303\251 \342\202\254\ncarriage\r\n' >"$T/raw.in"
run "$(cat "$T/raw.in")" kin-put -s raw --raw --partition-key k
is "--raw: put" "$rc" 0
kin-read -s raw --from earliest -e --raw >"$T/raw.out"
is "--raw: exit" "$?" 0
ok "--raw: the mirror of kin-put --raw, byte for byte" cmp "$T/raw.in" "$T/raw.out"
# a payload a line cannot carry: refused at that record, those before it
# written and checkpointed, nothing after it lost
admin create rawbad 1 >/dev/null
s1=$(admin put rawbad k "$(printf 'one' | base64)")
s2=$(admin put rawbad k "$(printf 'two\nlines' | base64)")
s3=$(admin put rawbad k "$(printf 'three' | base64)")
t "--raw: a payload with a newline" 1 "one" "" kin-read -s rawbad --from earliest -e --raw --checkpoint "$T/ck.json"
is "--raw: newline message" "$(tail -n 1 "$ERR")" \
	"kin-read: shardId-000000000000: record $s2: --raw cannot write a payload that holds a newline: read it without --raw"
is "--raw: the checkpoint stops before it" "$(jq -r '.shards["shardId-000000000000"]' "$T/ck.json")" "$s1"
run "" kin-read -s rawbad --from earliest --resume-from "$T/ck.json" -e
is "--raw: resumed without --raw, nothing lost" "$(jq -c '[.sequenceNumber, .data]' "$OUT" | tr '\n' ' ')" \
	"[\"$s2\",\"two\\nlines\"] [\"$s3\",\"three\"] "
admin create rawbin 1 >/dev/null
admin put rawbin k "$(printf 'ok' | base64)" >/dev/null
sb=$(admin put rawbin k "$(printf '\377\376' | base64)")
t "--raw: a payload that is not UTF-8" 1 "ok" "" kin-read -s rawbin --from earliest -e --raw
is "--raw: not UTF-8 message" "$(tail -n 1 "$ERR")" \
	"kin-read: shardId-000000000000: record $sb: --raw cannot write a payload that is not UTF-8 text: read it without --raw"

# --- --max-fetch-rate ---------------------------------------------------------------------------
t "--max-fetch-rate 0" 2 "" "" kin-read -s raw --max-fetch-rate 0
is "--max-fetch-rate 0 message" "$(tail -n 1 "$ERR")" \
	"kin-read: --max-fetch-rate: expected MiB a second, above 0 and at most 2 (a shard's read limit): '0'"
t "--max-fetch-rate above the shard's limit" 2 "" "" kin-read -s raw --max-fetch-rate 2.5
t "--max-fetch-rate not a number" 2 "" "" kin-read -s raw --max-fetch-rate fast
# two shards, 30 records of exactly 1000 bytes each (partition keys whose
# MD5 falls in each half of the key space, by python3's hashlib), read 5
# a call at 0.005 MiB a second: a shard may give 5000 bytes only every
# 5000 / (0.005 * 1048576) = 0.954 s, so its 6 calls span at least 5
# such gaps. Per shard, both shards are read in that time; were the rate
# the reader's whole, it would take twice as long.
admin create rated 2 >/dev/null
keys=$(python3 -c '
import hashlib
lo = next(k for k in ("k%d" % i for i in range(99)) if int(hashlib.md5(k.encode()).hexdigest(), 16) < 2**127)
hi = next(k for k in ("k%d" % i for i in range(99)) if int(hashlib.md5(k.encode()).hexdigest(), 16) >= 2**127)
print(lo, hi)')
set -- $keys
for k in "$1" "$2"; do
	awk -v k="$k" 'BEGIN { for (i = 1; i <= 30; i++) { s = sprintf("%s-%03d-", k, i); while (length(s) < 1000) s = s "x"; print s } }' >"$T/rated-$k"
	kin-put -s rated --raw --partition-key "$k" <"$T/rated-$k" >/dev/null
done
start=$(date +%s%N)
kin-read -s rated --from earliest -e --raw --batch 5 --max-fetch-rate 0.005 >"$T/rated.out"
rc=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
is "--max-fetch-rate: every record" "$rc $(wc -l <"$T/rated.out") $(sort "$T/rated.out" | uniq | wc -l)" "0 60 60"
grep "^$1-" "$T/rated.out" >"$T/rated-got-1"
grep "^$2-" "$T/rated.out" >"$T/rated-got-2"
ok "--max-fetch-rate: one shard's records in order" cmp "$T/rated-$1" "$T/rated-got-1"
ok "--max-fetch-rate: the other's in order" cmp "$T/rated-$2" "$T/rated-got-2"
floor_ms=$(python3 -c 'print(int(5 * 5000 / (0.005 * 1048576) * 1000))')
ok "--max-fetch-rate: no shard faster than the rate (${elapsed_ms} ms >= ${floor_ms} ms)" [ "$elapsed_ms" -ge "$floor_ms" ]
ok "--max-fetch-rate: per shard, not for the reader as a whole (${elapsed_ms} ms < $((floor_ms * 2)) ms)" [ "$elapsed_ms" -lt $((floor_ms * 2)) ]

finish
