#!/bin/sh
# One trading decision from the live window table, for cron:
#
#   */5 * * * * cd /srv/kinpipe && examples/trade.sh >>trade.log 2>&1
#
# Momentum rule: when the last window's average euro rate is above the
# average of the windows that started in the last hour (the notebook's
# `start > now - 60 minutes`) by more than THRESHOLD (relative), buy
# AMOUNT bitcoin; when below by more than THRESHOLD, sell AMOUNT; else hold.
# It never trades on data it cannot trust: a null or non-finite average,
# no window in the last hour, or a table whose newest window ended more
# than MAX_AGE seconds ago (default: twice the slide, as read from the
# table) is a "refuse" decision with its reason, and exit status 1.
# Logs one JSON line per run on stdout. flock keeps two runs from
# overlapping (a second one logs "skip" and exits 0). Exits with the wallet
# tool's status (0 done, 1 rejected, 3 no definite answer, see
# wallet-buy(1)), or 1 when it refuses or the table is missing or empty.
#
# Settings (environment): TABLE (default ./bitcoin_window.ndjson, written by
# window-avg --table), or DB, an SQLite database written by window-avg
# --sqlite, whose table QUERY_NAME (default bitcoin_window) then gives the
# rates by SQL; AMOUNT (default 0.01), THRESHOLD (default 0.001), MAX_AGE
# (seconds), NOW (epoch seconds to judge the table at, default the clock:
# for a replay), LOCK (default ${TMPDIR:-/tmp}/kinpipe-trade.lock), and the
# wallet tools' own WALLET_API, WALLET_USER_ID, WALLET_ACCESS_KEY_FILE.
#
# The kinpipe tools are looked for in KINPIPE_BIN, then beside this script
# (a checkout's bin/, or the bin/ it was installed in), then on PATH: cron's
# bare PATH has no /usr/local/bin.
set -u
TABLE=${TABLE:-./bitcoin_window.ndjson}
DB=${DB:-}
QUERY_NAME=${QUERY_NAME:-bitcoin_window}
AMOUNT=${AMOUNT:-0.01}
THRESHOLD=${THRESHOLD:-0.001}
LOCK=${LOCK:-${TMPDIR:-/tmp}/kinpipe-trade.lock}
NOW=${NOW:-$(date +%s)}
MAX_AGE=${MAX_AGE:-}

here=$(cd "$(dirname "$0")" && pwd -P)
for dir in ${KINPIPE_BIN:+"$KINPIPE_BIN"} "$here/../bin" "$here"; do
	if [ -x "$dir/wallet-buy" ]; then
		PATH=$(cd "$dir" && pwd):$PATH
		break
	fi
done

log() {	# log DECISION STATUS [EXTRA-JSON]
	jq -n -c --arg time "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg decision "$1" \
		--argjson status "$2" --argjson extra "${3:-{\}}" \
		'{time: $time, decision: $decision, status: $status} + $extra'
}

case $NOW in '' | *[!0-9]*)
	log error 1 "$(jq -n -c --arg v "$NOW" '{reason: "NOW is not a whole number of epoch seconds", now: $v}')"
	exit 1 ;;
esac
case $MAX_AGE in *[!0-9]*)
	log error 1 "$(jq -n -c --arg v "$MAX_AGE" '{reason: "MAX_AGE is not a whole number of seconds", max_age: $v}')"
	exit 1 ;;
esac

exec 9>>"$LOCK"
if ! flock -n 9; then
	log skip 0 '{"reason":"another run holds the lock"}'
	exit 0
fi

# last: the newest window's average; hour: the mean of the windows that
# started in the hour before NOW (the notebook's start > now - 60 minutes);
# newest_end and slide (epoch seconds) for the staleness check.
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
	# readers wait for window-avg's lock rather than fail; times as epoch
	# seconds, the slide as the least step between window starts
	rates=$(sqlite3 -cmd '.timeout 5000' -json "$DB" "
		with w as (select cast(strftime('%s', start) as integer) as s,
		                  cast(strftime('%s', \"end\") as integer) as e,
		                  window_avg_euro_rate as a from $QUERY_NAME),
		     steps as (select s - lag(s) over (order by s) as d
		               from (select distinct s from w))
		select (select a from w order by s desc limit 1) as last,
		       (select avg(a) from w where s > $NOW - 3600) as hour,
		       (select count(a) from w where s > $NOW - 3600) as hour_windows,
		       (select max(e) from w) as newest_end,
		       coalesce((select min(d) from steps where d > 0),
		                (select max(e - s) from w)) as slide,
		       (select count(*) from w) as windows" 2>/dev/null |
		jq -c '.[0] | select(.windows > 0)' 2>/dev/null)
	if [ -z "$rates" ]; then
		log error 1 '{"reason":"table unreadable or empty"}'
		exit 1
	fi
else
	if [ ! -s "$TABLE" ]; then
		log error 1 "$(jq -n -c --arg t "$TABLE" '{reason: "no table", table: $t}')"
		exit 1
	fi
	rates=$(jq -s -c --argjson now "$NOW" '
		map({s: (.time_window.start | fromdateiso8601),
		     e: (.time_window.end | fromdateiso8601),
		     a: .window_avg_euro_rate}) as $w
		| select($w | length > 0)
		| ($w | map(.s) | unique) as $starts
		| [range(1; $starts | length) | $starts[.] - $starts[. - 1]] as $steps
		| ($w | map(select(.s > $now - 3600) | .a | select(type == "number"))) as $h
		| {last: ($w | max_by(.s) | .a),
		   hour: (if ($h | length) > 0 then $h | add / length else null end),
		   hour_windows: ($h | length),
		   newest_end: ($w | map(.e) | max),
		   slide: (if ($steps | length) > 0 then $steps | min
		           else $w | map(.e - .s) | max end),
		   windows: ($w | length)}' "$TABLE" 2>/dev/null)
	if [ -z "$rates" ]; then
		log error 1 '{"reason":"table unreadable or empty"}'
		exit 1
	fi
fi

# Data it cannot trust: refused, with the reason, before any trade.
refusal=$(printf '%s' "$rates" | jq -r --argjson now "$NOW" --arg max_age "$MAX_AGE" '
	def finite: type == "number" and (isinfinite | not) and (isnan | not);
	(if $max_age == "" then 2 * .slide else ($max_age | tonumber) end) as $m
	| if (.last | finite | not) then "the newest window'"'"'s average is \(.last | tojson), not a finite number"
	  elif $now - .newest_end > $m then
	    "stale table: the newest window ended at \(.newest_end | todate), \($now - .newest_end) s ago, more than MAX_AGE \($m) s"
	  elif (.hour | finite | not) then "no window with an average started in the hour before now"
	  else "" end')
if [ -n "$refusal" ]; then
	log refuse 1 "$(printf '%s' "$rates" | jq -c --arg r "$refusal" '. + {reason: $r}')"
	exit 1
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
