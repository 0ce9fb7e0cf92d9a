#!/bin/bash
# Exactly once, end to end: kin-read --resume-from state --checkpoint ck |
# json-project | ts-parse | window-avg --state state counts every record
# exactly once while records flow in (with a shard split half way), any
# stage is killed with SIGKILL at random moments, and the pipeline is
# restarted. Half the records go in KPL aggregates (kin-put --aggregate),
# so kills also land in the middle of an aggregate: the state's mark is
# then a (sequenceNumber, subSequenceNumber), and the restart must resume
# inside the aggregate.
# The final table must equal an independent computation over all records,
# window counts exactly, averages to 1e-9.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"

N=100000
KILLS=12
if [ -n "${KP_SANITIZED:-}" ]; then N=20000; KILLS=6; fi
kin_server
admin create bitcoin-info 4 >/dev/null
python3 "$KP_ROOT/examples/gen-bitcoin.py" --count $N --step 1 --disorder 0.01 >"$T/feed.ndjson"

# Feed in three parts in the background, splitting a shard after the second.
q=$((N / 4))
(
	head -n $((2 * q)) "$T/feed.ndjson" | kin-put --stream bitcoin-info --aggregate >"$T/put1" &&
	admin split bitcoin-info shardId-000000000001 >/dev/null &&
	tail -n +$((2 * q + 1)) "$T/feed.ndjson" | head -n $q | kin-put --stream bitcoin-info >"$T/put2" &&
	tail -n +$((3 * q + 1)) "$T/feed.ndjson" | kin-put --stream bitcoin-info >"$T/put3"
) 2>"$T/feeder.err" &
feeder=$!

SCHEMA='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'
pipeline() {
	kin-read --stream bitcoin-info --from earliest --resume-from "$T/state.json" \
		--checkpoint "$T/ck.json" "$@" 2>>"$T/kin-read.err" |
	json-project --field data --schema "$SCHEMA" |
	ts-parse --field timestamp --format "yyyy-MM-dd'T'HH:mm:ss" |
	window-avg --time timestamp --window '10 minutes' --slide '5 minutes' \
		--avg euro_rate=avg --count '*'=n --mode complete \
		--state "$T/state.json" --table "$T/table.ndjson" >/dev/null
}

RANDOM=7	# the kill schedule is random but the same every run
stages="kin-read json-project ts-parse window-avg"
# Kill at least KILLS times, and keep going (up to three times as many)
# until three kills have struck after records were counted: early runs
# may die before their first batch lands while the server is busy.
k=0 late_kills=0 inside_kills=0
while [ $k -lt $KILLS ] || { [ $late_kills -lt 3 ] && [ $k -lt $((3 * KILLS)) ]; } ||
    { [ $inside_kills -lt 1 ] && [ $k -lt $((3 * KILLS)) ]; }; do
	k=$((k + 1))
	set -m
	pipeline &
	group=$!
	set +m
	sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 0.5 + r / 32767 * 3 }')"
	if [ $((k % 4)) = 0 ]; then
		victim=all
		kill -KILL -- -"$group" 2>/dev/null
	else
		victim=$(echo $stages | tr ' ' '\n' | sed -n "$((RANDOM % 4 + 1))p")
		pkill -KILL -g "$group" -x "$victim"
		sleep 0.3
		kill -KILL -- -"$group" 2>/dev/null	# the rest may wait on an idle stream
	fi
	wait "$group" 2>/dev/null
	marks=$(jq ".shards | length" "$T/state.json" 2>/dev/null)
	inside=$(jq '.subSequenceNumbers // {} | length' "$T/state.json" 2>/dev/null)
	[ "${marks:-0}" -gt 0 ] && late_kills=$((late_kills + 1))
	[ "${inside:-0}" -gt 0 ] && inside_kills=$((inside_kills + 1))
	echo "kill $k: $victim, marks ${marks:-none}, inside aggregates ${inside:-none}" >>"$T/kills"
done
wait $feeder
ok "the feeder put every record" [ "$(cat "$T/put1" "$T/put2" "$T/put3" | grep -c sequenceNumber)" = $N ]
is "the split happened" "$(admin list bitcoin-info | grep -c .)" 6

ok "restarts resumed from counted marks" grep -q 'resuming after sequence number' "$T/kin-read.err"
ok "three kills came after records were counted" [ $late_kills -ge 3 ]
ok "a kill came with the state's mark inside an aggregate ($inside_kills)" [ $inside_kills -ge 1 ]
ok "a restart resumed inside an aggregate" grep -q 'resuming after sequence number [0-9]*, subSequenceNumber' "$T/kin-read.err"

# The last run reads to the end of every shard as of its start, then stops;
# it must resume, not recount the stream from the start.
: >"$T/kin-read.err"
pipeline --exit-at-end --stats
is "final run exits 0" "$?" 0
final_read=$(sed -n 's/.*final read=\([0-9]*\).*/\1/p' "$T/kin-read.err")
ok "the final run read only what was not yet counted ($final_read of $N)" [ "${final_read:-$N}" -lt $N ]
ok "the state file holds marks for every shard read" \
	[ "$(jq '.shards | length' "$T/state.json")" -ge 5 ]
is "kin-read's checkpoint names every shard, the split's children too" \
	"$(jq -r '.starts | keys | join(" ")' "$T/ck.json")" "$(admin list bitcoin-info | cut -d' ' -f1 | sort | tr '\n' ' ' | sed 's/ $//')"

jq -r '[(.window.start | fromdateiso8601), (.window.end | fromdateiso8601), .n, .avg] | @tsv' \
	"$T/table.ndjson" | sort -n >"$T/got"
python3 "$(dirname "$0")/expected-windows.py" 600 300 <"$T/feed.ndjson" | tr ' ' '\t' >"$T/want"
is "same windows, same counts" "$(cut -f1-3 "$T/got" | md5sum)" "$(cut -f1-3 "$T/want" | md5sum)"
is "window count" "$(wc -l <"$T/got")" "$(wc -l <"$T/want")"
bad=$(paste "$T/got" "$T/want" | awk -F'\t' '{ d = $4 - $8; if (d < 0) d = -d; if (d > 1e-9 * $8) n++ } END { print n + 0 }')
is "averages equal to math.fsum's within 1e-9" "$bad" 0
finish
