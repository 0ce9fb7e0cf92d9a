#!/bin/sh
# One trading decision from the live window table, for cron:
#
#   */5 * * * * cd /srv/kinpipe && examples/trade.sh >>trade.log 2>&1
#
# Momentum rule: when the last window's average euro rate is above the
# average of the last hour's windows by more than THRESHOLD (relative), buy
# AMOUNT bitcoin; when below by more than THRESHOLD, sell AMOUNT; else hold.
# Logs one JSON line per run on stdout. flock keeps two runs from
# overlapping (a second one logs "skip" and exits 0). Exits with the wallet
# tool's status (0 done, 1 rejected, 3 no definite answer, see
# wallet-buy(1)), or 1 when the table is missing or empty.
#
# Settings (environment): TABLE (default ./bitcoin_window.ndjson, written by
# window-avg --table), or DB, an SQLite database written by window-avg
# --sqlite, whose table QUERY_NAME (default bitcoin_window) then gives the
# rates by SQL; AMOUNT (default 0.01), THRESHOLD (default 0.001),
# LOCK (default ${TMPDIR:-/tmp}/kinpipe-trade.lock), and the wallet tools'
# own WALLET_API, WALLET_USER_ID, WALLET_ACCESS_KEY_FILE.
set -u
TABLE=${TABLE:-./bitcoin_window.ndjson}
DB=${DB:-}
QUERY_NAME=${QUERY_NAME:-bitcoin_window}
AMOUNT=${AMOUNT:-0.01}
THRESHOLD=${THRESHOLD:-0.001}
LOCK=${LOCK:-${TMPDIR:-/tmp}/kinpipe-trade.lock}

log() {	# log DECISION STATUS [EXTRA-JSON]
	jq -n -c --arg time "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg decision "$1" \
		--argjson status "$2" --argjson extra "${3:-{\}}" \
		'{time: $time, decision: $decision, status: $status} + $extra'
}

exec 9>>"$LOCK"
if ! flock -n 9; then
	log skip 0 '{"reason":"another run holds the lock"}'
	exit 0
fi

# last: the newest window's average; hour: the mean of the windows that
# start within the hour before the newest window's end.
if [ -n "$DB" ]; then
	case $QUERY_NAME in
	'' | [0-9]* | *[!A-Za-z0-9_]*)
		log error 1 "$(jq -n -c --arg q "$QUERY_NAME" '{reason: "QUERY_NAME is not an SQL identifier", query_name: $q}')"
		exit 1 ;;
	esac
	if [ ! -s "$DB" ]; then
		log error 1 "$(jq -n -c --arg d "$DB" '{reason: "no database", db: $d}')"
		exit 1
	fi
	# readers wait for window-avg's lock rather than fail
	rates=$(sqlite3 -cmd '.timeout 5000' -json "$DB" "
		select (select window_avg_euro_rate from $QUERY_NAME
		        order by start desc limit 1) as last,
		       (select avg(window_avg_euro_rate) from $QUERY_NAME
		        where start >= (select datetime(max(\"end\"), '-60 minutes')
		                        from $QUERY_NAME)) as hour" 2>/dev/null |
		jq -c '.[0] | select(.hour != null)' 2>/dev/null)
	if [ -z "$rates" ]; then
		log error 1 '{"reason":"table unreadable or empty"}'
		exit 1
	fi
else
	if [ ! -s "$TABLE" ]; then
		log error 1 "$(jq -n -c --arg t "$TABLE" '{reason: "no table", table: $t}')"
		exit 1
	fi
	rates=$(jq -s -c '
		(map(.time_window.end | fromdateiso8601) | max) as $last_end
		| (max_by(.time_window.start) | .window_avg_euro_rate) as $last
		| map(select((.time_window.start | fromdateiso8601) >= $last_end - 3600)
		      | .window_avg_euro_rate | select(. != null)) as $h
		| {last: $last, hour: ($h | add / length)}' "$TABLE") || {
		log error 1 '{"reason":"table unreadable"}'
		exit 1
	}
fi

decision=$(printf '%s' "$rates" | jq -r --argjson t "$THRESHOLD" '
	if .last > .hour * (1 + $t) then "buy"
	elif .last < .hour * (1 - $t) then "sell"
	else "hold" end')

if [ "$decision" = hold ]; then
	log hold 0 "$rates"
	exit 0
fi

result=$("wallet-$decision" --amount "$AMOUNT" 2>"${TMPDIR:-/tmp}/kinpipe-trade.$$.err")
status=$?
err=$(cat "${TMPDIR:-/tmp}/kinpipe-trade.$$.err")
rm -f "${TMPDIR:-/tmp}/kinpipe-trade.$$.err"
log "$decision" "$status" "$(jq -n -c --argjson r "$rates" --arg amount "$AMOUNT" \
	--arg result "$result" --arg error "$err" \
	'$r + {amount: ($amount | tonumber), result: (try ($result | fromjson) catch $result)}
	    + (if $error == "" then {} else {error: $error} end)')"
exit $status
