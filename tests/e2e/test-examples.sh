#!/bin/bash
# The examples users copy: make demo's driver (and so the notebook), the
# cron trading job, the restarting pipeline runner.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"
. "$(dirname "$0")/wallet-lib.sh"
EX=$KP_ROOT/examples

# --- make demo's driver, which runs examples/notebook.sh -----------------
OUT=$T/demo sh "$EX/demo.sh" >"$T/demo.out" 2>"$T/demo.err"
is "demo: exit status" "$?" 0
like "demo: says where the files are" "$(tail -n 2 "$T/demo.out" | head -n 1)" "demo: done. Files in $T/demo:*"
like "demo: says the servers stopped, and how to keep them" "$(tail -n 1 "$T/demo.out")" "demo: the servers are stopped now (the wallet page at http://127.0.0.1:*/ with them); make demo LIVE=1 keeps them up*"
ok "demo: no escape codes when its output is not a terminal" sh -c "! grep -q \"$(printf '\033')\" '$T/demo.out'"
is "demo: a day of 1-minute records gives 289 sliding windows" "$(wc -l <"$T/demo/bitcoin_window.ndjson")" 289
# the notebook reads euro_rate as a FLOAT and averages it as Spark does
# (window-avg --schema): spark-avg.py computes that independently
python3 "$KP_ROOT/tests/e2e/spark-avg.py" timestamp euro_rate 600 300 <"$T/demo/feed.ndjson" |
	jq -r '"\(.start) \(.end) \(.n) \(.avg)"' >"$T/want-all"
head -n 5 "$T/want-all" | awk '{ printf "%s %.6f\n", $1, $4 }' >"$T/want5"
sed -n '/limit 5/,/## 2. the average/p' "$T/demo.out" | grep '^{' |
	jq -r '"\(.time_window.start | fromdateiso8601) \(.window_avg_euro_rate)"' |
	awk '{ printf "%s %.6f\n", $1, $2 }' >"$T/got5"
is "demo: limit 5 shows the first five windows, as computed independently" "$(cat "$T/got5")" "$(cat "$T/want5")"
hour=$(grep '"avg_euro_rate"' "$T/demo.out" | jq .windows)
is "demo: the last hour of event time holds the last 11 windows" "$hour" 11
# the notebook's two cells in SQL (sqlite3 on window-avg --sqlite's table)
sed -n '/limit 5/,/## 2. the average/p' "$T/demo.out" | grep '^20[0-9-]* [0-9:]*|' |
	awk -F'|' '{ cmd = "date -u -d \"" $1 "Z\" +%s"; cmd | getline t; close(cmd); printf "%s %.6f\n", t, $3 }' >"$T/sql5"
is "demo: SQL limit 5 gives the first five windows, as computed independently" "$(cat "$T/sql5")" "$(cat "$T/want5")"
# the feed ends five minutes or less before the demo's start: the hour
# before now holds the last ten or eleven windows, or nine on a slow run
rate=$(sed -n '/^rate$/{n;p}' "$T/demo.out")
ok "demo: SQL last 60 minutes averages the newest windows, as computed independently" python3 -c '
import sys
avgs = [float(l.split()[3]) for l in open(sys.argv[1])]
rate = float(sys.argv[2])
sys.exit(0 if any(abs(sum(avgs[-k:]) / k - rate) < 1e-6 * rate for k in (9, 10, 11)) else 1)' "$T/want-all" "${rate:-nan}"
wallet_lines=$(grep -c '^{"user_id":"demo"' "$T/demo.out")
is "demo: info, buy, info, sell, info" "$wallet_lines" 5
like "demo: bought one bitcoin" "$(grep '"side":"buy"' "$T/demo.out")" '*"amount":1,*"bitcoin":1,*'
like "demo: ends with no bitcoin" "$(grep '^{"user_id":"demo"' "$T/demo.out" | tail -n 1)" '*"bitcoin":0,*'
is "demo: the chart is a PNG (its signature)" "$(head -c 8 "$T/demo/bitcoin_window.png" | od -An -tx1 | tr -d ' ')" 89504e470d0a1a0a
ok "demo: nothing alarming on stderr" sh -c "! grep -i -E 'error|warn|fail|denied' '$T/demo.err'"

# LIVE=1: the feed and the pipeline run until Ctrl-C (SIGINT to the
# demo's process group, as a terminal sends it), which is a clean stop:
# status 0, said so, no process left behind. Not in the sanitizer pass
# (the same code, a minute longer).
if [ -z "${KP_SANITIZED:-}" ]; then
	# a background job of a script starts with SIGINT ignored, which a
	# shell cannot trap: start it as a terminal would, SIGINT at its
	# default, in a session of its own
	LIVE=1 OUT=$T/live python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' sh "$EX/demo.sh" >"$T/live.out" 2>"$T/live.err" &
	live=$!
	at_exit "kill -KILL -- -$live"
	i=0
	until grep -q '^demo: LIVE' "$T/live.out" 2>/dev/null || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
	ok "demo LIVE=1: the live feed started" grep -q '^demo: LIVE' "$T/live.out"
	like "demo LIVE=1: the wallet page stays up, and says where" "$(grep '^demo: LIVE' "$T/live.out")" "*the wallet page stays up at http://127.0.0.1:*"
	sleep 2
	kill -INT -- -"$live"
	i=0
	while kill -0 "$live" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL -- -"$live" 2>/dev/null
	wait "$live"
	is "demo LIVE=1: Ctrl-C is a clean stop, exit 0" "$?" 0
	is "demo LIVE=1: says it stopped" "$(tail -n 1 "$T/live.out")" "demo: stopped; the wallet server and the pipeline are stopped too"
	sleep 0.5
	ok "demo LIVE=1: no process of the demo left" sh -c "! pgrep -f '$T/liv[e]' >/dev/null"
fi

# --- examples/trade.sh -------------------------------------------------------
ws_user "$T/w.db" g7 100000 >/dev/null
ws_start trade "$T/w.db" --price 40000
WALLET_API=http://127.0.0.1:$WS_PORT/ WALLET_USER_ID=g7 WALLET_ACCESS_KEY_FILE=$T/g7.key
LOCK=$T/trade.lock AMOUNT=0.5
# the tables below are of 2024-01-01: judged 5 minutes into their newest
# window (its start + 300 s), as a run at that time would judge them
NOW=$((1704067200 + 13 * 300 + 300))
export WALLET_API WALLET_USER_ID WALLET_ACCESS_KEY_FILE LOCK AMOUNT NOW

# table WINDOW-AVERAGES...: 10-minute windows sliding by 5 minutes, oldest first
table() {
	i=0
	for a in "$@"; do
		printf '{"time_window":{"start":"%s","end":"%s"},"window_avg_euro_rate":%s}\n' \
			"$(date -u -d "@$((1704067200 + i * 300))" +%Y-%m-%dT%H:%M:%SZ)" \
			"$(date -u -d "@$((1704067200 + i * 300 + 600))" +%Y-%m-%dT%H:%M:%SZ)" "$a"
		i=$((i + 1))
	done
}
# 14 windows; the last hour (starts > NOW - 3600, NOW = the newest start
# + 300) is the last 11: with ten at 40000 and the last at 40440, the
# hour's mean is 40040 and the last is 1% above it: buy. Mirrored: sell.
# All equal: hold.
table 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40440 >"$T/up.ndjson"
table 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 39560 >"$T/down.ndjson"
table 40000 40000 40000 >"$T/flat.ndjson"

TABLE=$T/up.ndjson sh "$EX/trade.sh" >"$T/log" 2>"$T/trade.err"
is "trade: rising -> buy, exit 0" "$?" 0
is "trade: decision and rates logged" "$(jq -c '[.decision, .status, .last, .hour, .amount, .result.bitcoin]' "$T/log")" '["buy",0,40440,40040,0.5,0.5]'
is "trade: the wallet holds 0.5 bitcoin" "$(wallet-info --field bitcoin)" 0.5
TABLE=$T/down.ndjson sh "$EX/trade.sh" >"$T/log"
is "trade: falling -> sell, exit 0" "$?" 0
is "trade: sell logged" "$(jq -c '[.decision, .status, .last, .hour]' "$T/log")" '["sell",0,39560,39960]'
NOW=$((1704067200 + 2 * 300 + 300)) TABLE=$T/flat.ndjson sh "$EX/trade.sh" >"$T/log"
is "trade: flat -> hold, exit 0" "$?" 0
is "trade: hold logged" "$(jq -r .decision "$T/log")" hold
TABLE=$T/down.ndjson sh "$EX/trade.sh" >"$T/log" 2>/dev/null
is "trade: selling bitcoin it does not have is rejected: exit 1" "$?" 1
is "trade: the rejection is logged with the server's reason" "$(jq -c '[.decision, .status, (.error | length > 0)]' "$T/log")" '["sell",1,true]'
TABLE=$T/nope.ndjson sh "$EX/trade.sh" >"$T/log"
is "trade: no table -> exit 1" "$?" 1
is "trade: no table logged" "$(jq -r .reason "$T/log")" "no table"
flock "$LOCK" sleep 2 &
sleep 0.3
TABLE=$T/up.ndjson sh "$EX/trade.sh" >"$T/log"
is "trade: a run while another holds the lock skips, exit 0" "$?" 0
is "trade: skip logged" "$(jq -r .decision "$T/log")" skip
wait $!
is "trade: the skipped run traded nothing" "$(wallet-info --field bitcoin)" 0
WALLET_API=http://127.0.0.1:$(free_port)/ TABLE=$T/up.ndjson sh "$EX/trade.sh" >"$T/log" 2>/dev/null
is "trade: wallet server unreachable -> exit 3" "$?" 3
is "trade: unreachable logged" "$(jq -c '[.decision, .status]' "$T/log")" '["buy",3]'

# Data it cannot trust is refused before any trade (exit 1, the reason
# logged), whatever the rates would say.
table 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 null >"$T/null.ndjson"
TABLE=$T/null.ndjson sh "$EX/trade.sh" >"$T/log"
is "trade: a null newest average is refused, exit 1" "$?" 1
is "trade: the refusal says why" "$(jq -c '[.decision, .reason]' "$T/log")" '["refuse","the newest window'"'"'s average is null, not a finite number"]'
NOW=$((1704067200 + 86400)) TABLE=$T/up.ndjson sh "$EX/trade.sh" >"$T/log"
is "trade: a table a day old is refused, exit 1" "$?" 1
is "trade: stale, with when and how old" "$(jq -r .reason "$T/log")" "stale table: the newest window ended at 2024-01-01T01:15:00Z, 81900 s ago, more than MAX_AGE 600 s"
NOW=$((1704067200 + 4500 + 601)) TABLE=$T/up.ndjson sh "$EX/trade.sh" >"$T/log"
is "trade: just past twice the slide (601 s after the newest end) is stale" "$(jq -r .decision "$T/log")" refuse
THRESHOLD=1 NOW=$((1704067200 + 4500 + 600)) TABLE=$T/up.ndjson sh "$EX/trade.sh" >"$T/log"
is "trade: exactly twice the slide is not stale (600 s, 2 x 300; THRESHOLD=1 holds)" "$(jq -r .decision "$T/log") $(jq -r .slide "$T/log")" "hold 300"
MAX_AGE=100000 NOW=$((1704067200 + 86400)) TABLE=$T/up.ndjson sh "$EX/trade.sh" >"$T/log"
is "trade: MAX_AGE allows an old table, but no window started in the last hour: refused" "$(jq -c '[.decision, .status, .reason]' "$T/log")" '["refuse",1,"no window with an average started in the hour before now"]'
NOW=soon TABLE=$T/up.ndjson sh "$EX/trade.sh" >"$T/log"
is "trade: a NOW that is not a number: exit 1" "$?" 1
is "trade: it says so" "$(jq -r .reason "$T/log")" "NOW is not a whole number of epoch seconds"
is "trade: nothing refused was traded (0.5 bought, 0.5 sold above)" "$(wallet-info --field bitcoin)" 0

# the rates from SQLite instead (DB=): the same windows, as window-avg
# --sqlite keeps them
dbtable() {	# dbtable DB AVERAGES...
	db=$1
	shift
	{ echo 'create table bitcoin_window ("start" TEXT NOT NULL, "end" TEXT NOT NULL, "window_avg_euro_rate" REAL);'
	  table "$@" | jq -r '"insert into bitcoin_window values (\u0027\(.time_window.start | sub("T"; " ") | sub("Z"; ""))\u0027, \u0027\(.time_window.end | sub("T"; " ") | sub("Z"; ""))\u0027, \(.window_avg_euro_rate));"'
	} | sqlite3 "$db"
}
dbtable "$T/up.db" 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40440
dbtable "$T/down.db" 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 40000 39560
DB=$T/up.db TABLE=$T/nope.ndjson sh "$EX/trade.sh" >"$T/log" 2>"$T/trade.err"
is "trade from SQLite: rising -> buy, exit 0" "$?" 0
is "trade from SQLite: decision and rates logged" "$(jq -c '[.decision, .status, .last, .hour, .amount, .result.bitcoin]' "$T/log")" '["buy",0,40440,40040,0.5,0.5]'
DB=$T/down.db sh "$EX/trade.sh" >"$T/log"
is "trade from SQLite: falling -> sell, exit 0" "$?" 0
is "trade from SQLite: sell logged" "$(jq -c '[.decision, .status, .last, .hour]' "$T/log")" '["sell",0,39560,39960]'
is "trade from SQLite: the wallet holds no bitcoin again" "$(wallet-info --field bitcoin)" 0
DB=$T/nope.db sh "$EX/trade.sh" >"$T/log"
is "trade from SQLite: no database -> exit 1" "$?" 1
is "trade from SQLite: no database logged" "$(jq -r .reason "$T/log")" "no database"
DB=$T/up.db QUERY_NAME='x; drop table bitcoin_window' sh "$EX/trade.sh" >"$T/log"
is "trade from SQLite: a QUERY_NAME that is not an identifier -> exit 1" "$?" 1
is "trade from SQLite: the table is still there" "$(sqlite3 "$T/up.db" 'select count(*) from bitcoin_window')" 14
NOW=$((1704067200 + 86400)) DB=$T/up.db sh "$EX/trade.sh" >"$T/log"
is "trade from SQLite: a table a day old is refused, exit 1" "$?" 1
is "trade from SQLite: stale, with when and how old" "$(jq -r .reason "$T/log")" "stale table: the newest window ended at 2024-01-01T01:15:00Z, 81900 s ago, more than MAX_AGE 600 s"
sqlite3 "$T/up.db" "update bitcoin_window set window_avg_euro_rate = null where start = (select max(start) from bitcoin_window)"
DB=$T/up.db sh "$EX/trade.sh" >"$T/log"
is "trade from SQLite: a null newest average is refused" "$(jq -c '[.decision, .status, .reason]' "$T/log")" '["refuse",1,"the newest window'"'"'s average is null, not a finite number"]'

# The README's crontab line, as written but for where things are, under
# cron's bare environment (PATH=/usr/bin:/bin, HOME, LOGNAME, SHELL): the
# script finds the kinpipe tools beside itself, not on PATH.
if [ -x "$KP_ROOT/bin/wallet-buy" ]; then
	line=$(grep -m 1 '^    \*/5 \* \* \* \* ' "$KP_ROOT/README.md")
	ok "README: a crontab line" test -n "$line"
	cmd=$(printf '%s\n' "$line" | sed 's/^ *\([^ ]* \)\{5\}//' |
		sed -e "s|/srv/kinpipe|$T/srv|" -e "s|127.0.0.1:8080|127.0.0.1:$WS_PORT|")
	mkdir -p "$T/srv" "$T/home/.config/kinpipe"
	ln -s "$KP_ROOT/examples" "$T/srv/examples"
	cp "$T/g7.key" "$T/home/.config/kinpipe/key"
	# a fresh table: 14 windows up to now, the newest 1% above the rest
	now=$(date +%s)
	base=$((now / 300 * 300 - 13 * 300))
	{ echo 'create table bitcoin_window ("start" TEXT NOT NULL, "end" TEXT NOT NULL, "window_avg_euro_rate" REAL);'
	  for i in $(seq 0 13); do
		rate=40000; [ "$i" = 13 ] && rate=40440
		printf "insert into bitcoin_window values ('%s', '%s', %s);\n" \
			"$(date -u -d "@$((base + i * 300))" '+%Y-%m-%d %H:%M:%S')" \
			"$(date -u -d "@$((base + i * 300 + 600))" '+%Y-%m-%d %H:%M:%S')" "$rate"
	  done; } | sqlite3 "$T/srv/bitcoin.db"
	before=$(wallet-info --field bitcoin)
	env -i HOME="$T/home" LOGNAME=root SHELL=/bin/sh PATH=/usr/bin:/bin LOCK="$T/cron.lock" sh -c "$cmd"
	is "README's crontab line under env -i: exit 0" "$?" 0
	is "README's crontab line: the log says it bought" "$(tail -n 1 "$T/srv/trade.log" | jq -c '[.decision, .status]')" '["buy",0]'
	is "README's crontab line: the wallet holds 0.01 more" "$(wallet-info --field bitcoin)" "$(echo "$before + 0.01" | bc | sed 's/^\./0./')"
fi

# --- examples/run-pipeline.sh -----------------------------------------------
kin_server
admin create bitcoin-info 2 >/dev/null
python3 "$EX/gen-bitcoin.py" --count 2000 --step 60 >"$T/feed.ndjson"
head -n 1000 "$T/feed.ndjson" | kin-put --stream bitcoin-info >/dev/null
STATE=$T/state.json TABLE=$T/table.ndjson bash "$EX/run-pipeline.sh" 2>"$T/runner.err" &
runner=$!
at_exit "kill $runner"
# wait_for_windows N: until the table has N windows (30 s at most)
wait_for_windows() {
	i=0
	while [ "$(cat "$T/table.ndjson" 2>/dev/null | wc -l)" != "$1" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ $i -lt 300 ]
}
ok "runner: the table fills (1000 minutes: 201 windows)" wait_for_windows 201
pkill -KILL -f "window-avg.*$T/state.json"
sleep 0.5
tail -n 1000 "$T/feed.ndjson" | kin-put --stream bitcoin-info >/dev/null
ok "runner: after window-avg was killed, the pipeline restarts and the table grows to 401 windows" wait_for_windows 401
like "runner: the restart is logged" "$(cat "$T/runner.err")" "*pipeline exited with status*restarting in 1s*"
python3 "$KP_ROOT/tests/e2e/expected-windows.py" 600 300 <"$T/feed.ndjson" | awk '{ print $1, $4 }' >"$T/want"
jq -r '"\(.time_window.start | fromdateiso8601) \(.window_avg_euro_rate)"' "$T/table.ndjson" | sort -n >"$T/got"
bad=$(paste -d ' ' "$T/got" "$T/want" | awk '{ d = $2 - $4; if (d < 0) d = -d; if ($1 != $3 || d > 1e-9 * $4) n++ } END { print n + 0 }')
is "runner: the table equals an independent computation across the restart" "$bad" 0
kill -TERM $runner
wait $runner
is "runner: SIGTERM stops it, exit 0" "$?" 0
ok "runner: no stage is left running" sh -c "! pgrep -f '[w]indow-avg.*$T/state.json' >/dev/null"

# --- examples/kinpipe-pipeline.service ----------------------------------------
# systemd-analyze checks the unit as written, but for the two paths an
# installation fixes (the script, the environment file), and finds the man
# pages it names.
mkdir -p "$T/unit" "$T/man/man1" "$T/man/man7"
cp "$KP_ROOT"/man/*.1 "$T/man/man1/"
cp "$KP_ROOT"/man/*.7 "$T/man/man7/" 2>/dev/null
sed -e "s|^ExecStart=.*|ExecStart=$EX/pipeline.sh|" \
    -e "s|^EnvironmentFile=.*|EnvironmentFile=$EX/kinpipe-pipeline.env|" \
    "$EX/kinpipe-pipeline.service" >"$T/unit/kinpipe-pipeline.service"
ok "unit: only the two installed paths were changed" test "$(diff "$EX/kinpipe-pipeline.service" "$T/unit/kinpipe-pipeline.service" | grep -c '^>')" = 2
MANPATH=$T/man systemd-analyze verify "$T/unit/kinpipe-pipeline.service" >"$T/verify" 2>&1
is "unit: systemd-analyze verify exits 0" "$?" 0
is "unit: systemd-analyze verify says nothing" "$(cat "$T/verify")" ""
ok "unit: restarts on failure" grep -qx 'Restart=on-failure' "$EX/kinpipe-pipeline.service"
ok "unit: stop signals the whole control group" grep -qx 'KillMode=control-group' "$EX/kinpipe-pipeline.service"
# What `systemctl stop` does to the unit's processes, done by hand: the
# pipeline in a process group of its own while records flow, SIGTERM to
# every process of it at once; then a start reads the rest, and the table
# is exact (nothing lost, nothing counted twice).
admin create svc 2 >/dev/null
head -n 1000 "$T/feed.ndjson" | kin-put --stream svc >/dev/null
svc_env="STREAM=svc STATE=$T/svc-state.json TABLE=$T/svc-table.ndjson KINPIPE_BIN=$KP_BIN"
env $svc_env setsid bash "$EX/pipeline.sh" 2>"$T/svc.err" &
svc=$!
at_exit "kill -KILL -- -$svc"
svc_windows() { [ "$(cat "$T/svc-table.ndjson" 2>/dev/null | wc -l)" -ge "$1" ]; }
i=0; while ! svc_windows 100 && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
ok "service: the table fills" svc_windows 100
tail -n 1000 "$T/feed.ndjson" | kin-put --stream svc >/dev/null &
putter=$!
sleep 0.3
kill -TERM -- -"$svc"
i=0; while kill -0 -- -"$svc" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
ok "service stop: every process of the group has exited within 30 s" sh -c "! kill -0 -- -$svc 2>/dev/null"
wait $putter
ok "service stop: the state was committed" jq -e '.format == "kinpipe-window-avg-state"' "$T/svc-state.json"
env $svc_env bash "$EX/pipeline.sh" -e 2>>"$T/svc.err"
is "service start after the stop: reads to the end, exit 0" "$?" 0
jq -r '"\(.time_window.start | fromdateiso8601) \(.window_avg_euro_rate)"' "$T/svc-table.ndjson" | sort -n >"$T/svc-got"
bad=$(paste -d ' ' "$T/svc-got" "$T/want" | awk '{ d = $2 - $4; if (d < 0) d = -d; if ($1 != $3 || d > 1e-9 * $4) n++ } END { print n + 0 }')
is "service: after stop and start the table equals an independent computation" "$(wc -l <"$T/svc-got") $bad" "401 0"
# Under cron's or a unit's bare environment the script finds the tools
# beside itself (a checkout's bin/), not on PATH.
if [ -x "$KP_ROOT/bin/kin-read" ]; then
	env -i PATH=/usr/bin:/bin HOME="$HOME" STREAM=svc STATE="$T/svc-state.json" TABLE="$T/svc-table.ndjson" \
	    AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
	    AWS_REGION="$AWS_REGION" AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_KINESIS="$AWS_ENDPOINT_URL_KINESIS" \
	    bash "$EX/pipeline.sh" -e >/dev/null 2>"$T/bare.err"
	is "pipeline.sh under env -i PATH=/usr/bin:/bin: exit 0 (the tools found beside it)" "$?" 0
fi
finish
