#!/bin/bash
# window-avg catching up (issue 11): a backlog read in complete mode with
# --table and --state, behind ts-parse as in the notebook, must end with
# the exact table after far fewer commits than the buffers it came in
# (a batch used to end, and the whole table and state be rewritten and
# synced, at every buffer the stage before wrote); and a record arriving
# on a quiet pipe must still be in the table within a second.
. "$(dirname "$0")/lib.sh"

N=100000
if [ -n "${KP_SANITIZED:-}" ]; then N=40000; fi
# 10 second tumbling windows over records a second apart: 10,000
# windows, so that every commit has a table and a state of some size to
# write even where fsync costs nothing (tmpfs)
Q="--time timestamp --window 10s --avg euro_rate=avg --count *=n --mode complete"
SCHEMA='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'

python3 "$KP_ROOT/examples/gen-bitcoin.py" --count $N --step 1 --envelope \
    --disorder 0.01 >"$T/feed.ndjson"
python3 "$(dirname "$0")/expected-windows.py" 10 10 <"$T/feed.ndjson" >"$T/want"

# The table as "start end count avg" lines, sorted by start.
table_lines() {
	jq -r '[(.window.start | fromdateiso8601), (.window.end | fromdateiso8601), .n, .avg] | @tsv' "$1" |
	    tr '\t' ' ' | sort -n
}

# counts exactly, averages to 1e-9 of math.fsum's
same_table() {
	table_lines "$1" >"$T/got"
	if [ "$(cut -d' ' -f1-3 "$T/got")" != "$(cut -d' ' -f1-3 "$T/want")" ]; then
		echo "windows or counts differ: $(diff "$T/got" "$T/want" | head -n 4)"
		return
	fi
	paste -d' ' "$T/got" "$T/want" | awk '{ d = $4 - $8; if (d < 0) d = -d
		if (d > 1e-9 * ($8 < 0 ? -$8 : $8)) bad++ }
		END { print bad ? bad " averages differ" : "same" }'
}

# ---- a backlog behind ts-parse ----
json-project --field data --schema "$SCHEMA" <"$T/feed.ndjson" |
	ts-parse --field timestamp --format "yyyy-MM-dd'T'HH:mm:ss" >"$T/parsed"
# the buffers the backlog arrives in: ts-parse writes at least 64 KiB at
# a time, so there are at most this many of them, and at least as many
# moments when window-avg's input may run dry
buffers=$(( $(wc -c <"$T/parsed") / 65536 ))
json-project --field data --schema "$SCHEMA" <"$T/feed.ndjson" |
	ts-parse --field timestamp --format "yyyy-MM-dd'T'HH:mm:ss" |
	window-avg $Q --table "$T/table" --state "$T/state" --stats >"$OUT" 2>"$ERR"
is backlog-rc "$?" 0
is backlog-stdout "$(cat "$OUT")" ""
is backlog-table "$(same_table "$T/table")" same
batches=$(sed -n 's/.*final read=\([0-9]*\) .* batches=\([0-9]*\)\( .*\)\{0,1\}$/\1 \2/p' "$ERR")
is backlog-read "${batches% *}" $N
batches=${batches#* }
# the old trigger made about one commit per two buffers here
ok "backlog: ${batches:-?} commits for $buffers buffers of input" \
    test "${batches:-999999}" -ge 1 -a "$((${batches:-999999} * 10))" -le "$buffers"

# the state written along the way holds what the table does: the same
# input again is all replays, and the table stays exact
window-avg $Q --table "$T/table" --state "$T/state" --stats <"$T/parsed" >"$OUT" 2>"$ERR"
is replay-rc "$?" 0
like replay-stats "$(cat "$ERR")" "*final read=$N emitted=0 nulled=0 skipped=0 late=0 late_windows=0 replayed=$N null_time=0 batches=1 *"
is replay-table "$(same_table "$T/table")" same

# ---- a live record on a quiet pipe, after the backlog ----
rm -f "$T/live.table" "$T/live.state" "$T/fifo"
mkfifo "$T/fifo"
window-avg $Q --table "$T/live.table" --state "$T/live.state" <"$T/fifo" >/dev/null 2>"$ERR" &
wa=$!
at_exit "kill $wa"
exec 3>"$T/fifo"
cat "$T/parsed" >&3
# wait (boundedly) for the backlog's table: every window there
want_rows=$(wc -l <"$T/want")
i=0
while [ $i -lt 600 ] && [ "$(cat "$T/live.table" 2>/dev/null | wc -l)" != "$want_rows" ]; do
	sleep 0.05
	i=$((i + 1))
done
is live-backlog-committed "$(wc -l <"$T/live.table")" "$want_rows"
# one record after a quiet while (a commit waits nineteen times what the
# last one cost, counted from its end: two quiet seconds cover commits of
# up to 100 ms), in a window of its own: it must be in the table within
# a second of being written
last=$(tail -n 1 "$T/want" | cut -d' ' -f1)
ts=$(date -u -d "@$((last + 3600))" +%Y-%m-%dT%H:%M:%SZ)
sleep 2
start=$(date +%s%N)
printf '{"timestamp":"%s","euro_rate":12345.5}\n' "$ts" >&3
got=""
while [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 1000 ]; do
	got=$(grep -c "\"start\":\"$ts\"" "$T/live.table" 2>/dev/null)
	[ "$got" = 1 ] && break
	sleep 0.01
done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "live record in the table within a second (${ms} ms)" "$got" 1
is live-record-row "$(grep "\"start\":\"$ts\"" "$T/live.table")" \
    "{\"window\":{\"start\":\"$ts\",\"end\":\"$(date -u -d "@$((last + 3610))" +%Y-%m-%dT%H:%M:%SZ)\"},\"avg\":12345.5,\"n\":1}"
exec 3>&-
wait $wa
is live-rc "$?" 0

finish
