#!/bin/bash
# wallet-server under a slow-header attack (issue 16): many connections
# that each send a request line and then a header line now and then, never
# finishing the head. A normal client must still be answered within a
# second; a connection that keeps trickling bytes is closed at the head
# deadline all the same. Each attack comes from its own loopback address
# (127.0.0.2, .3, ...), the normal client from 127.0.0.1, and lasts a few
# seconds (tests/e2e/slow-headers.py).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wallet-lib.sh"

SLOW=$KP_ROOT/tests/e2e/slow-headers.py
DB=$T/wallet.db
ws_user "$DB" g7 10000
# field FIELD JSON: one member of slow-headers.py's report
field() {
	python3 -c 'import json, sys; print(json.loads(sys.argv[2])[sys.argv[1]])' "$1" "$2"
}
# within LO HI X: LO <= X <= HI, as decimals
within() {
	python3 -c 'import sys; lo, hi, x = map(float, sys.argv[1:]); sys.exit(not lo <= x <= hi)' "$@"
}

# --- 1,200 slow connections from one address, the default limits: that
# address holds at most 64 (--max-per-address), the rest are closed at
# once, and g7's info is answered meanwhile
ws_start slow "$DB" --price 40000
r=$(python3 "$SLOW" --port "$WS_PORT" --slow 1200 --from 127.0.0.2 --trickle 1 \
    --hold 3 --probe-at 1.5 --path "/info/?user_id=g7")
is "1200 slow: the normal client is answered" "$(field probe_status "$r")" 200
ok "1200 slow: ... within a second ($(field probe_s "$r") s)" within 0 1 "$(field probe_s "$r")"
is "1200 slow: the address holds at most 64" "$(field open_at_probe "$r")" 64
is "1200 slow: the others are closed" "$(field closed "$r")" 1136
ok "1200 slow: ... at once, not at a deadline ($(field last_close_s "$r") s)" \
    within 0 1 "$(field last_close_s "$r")"
api "1200 slow: still serving" "info/?user_id=g7" 200 '[{"user_id":"g7","bitcoin":0,"euro":10000}]'
kill -TERM "$WS_PID"
wait "$WS_PID"
is "1200 slow: SIGTERM: exit 0" "$?" 0

# --- the deadline: 50 connections that send a header line every 0.5 s
# (so never idle for long) are closed 2 s after they opened
ws_start deadline "$DB" --price 40000 --header-timeout 2
r=$(python3 "$SLOW" --port "$WS_PORT" --slow 50 --from 127.0.0.3 --trickle 0.5 \
    --hold 4 --probe-at 1 --path "/info/?user_id=g7")
is "deadline: the normal client is answered" "$(field probe_status "$r")" 200
is "deadline: every trickling connection closed" "$(field closed "$r")" 50
ok "deadline: not before 2 s ($(field first_close_s "$r") s)" within 1.9 10 "$(field first_close_s "$r")"
ok "deadline: soon after 2 s ($(field last_close_s "$r") s)" within 0 3.5 "$(field last_close_s "$r")"
like "deadline: said on stderr" "$(cat "$T/deadline.log")" \
    "*wallet-server: closed * connection* that sent no complete request head within 2 s*"
# a head that comes in pieces but whole within the deadline is answered
{
	exec 3<>"/dev/tcp/127.0.0.1/$WS_PORT"
	printf 'GET /info/?user_id=g7 HTTP/1.1\r\n' >&3
	sleep 0.5
	printf 'Host: 127.0.0.1\r\n' >&3
	sleep 0.5
	printf 'Connection: close\r\n\r\n' >&3
	timeout 5 cat <&3
} >"$T/pieces" 2>/dev/null
like "deadline: a head sent in pieces within it is answered" "$(tr -d '\r' <"$T/pieces")" \
    "HTTP/1.1 200 OK*"'\[{"user_id":"g7","bitcoin":0,"euro":10000}]'
kill -TERM "$WS_PID"
wait "$WS_PID"

# --- --max-per-address: exactly that many held from one address
ws_start few "$DB" --price 40000 --max-per-address 5
r=$(python3 "$SLOW" --port "$WS_PORT" --slow 20 --from 127.0.0.4 --trickle 1 \
    --hold 2 --probe-at 1 --path "/info/?user_id=g7")
is "--max-per-address 5: 5 held" "$(field open_at_probe "$r")" 5
is "--max-per-address 5: 15 closed" "$(field closed "$r")" 15
is "--max-per-address 5: the normal client is answered" "$(field probe_status "$r")" 200
kill -TERM "$WS_PID"
wait "$WS_PID"

# --- the options' usage errors
t "--max-per-address 0" 2 "" "" wallet-server --db "$T/u.db" --max-per-address 0
like "--max-per-address 0: message" "$(tail -n 1 "$ERR")" "wallet-server: --max-per-address: must be from 1 to *"
t "--header-timeout 0" 2 "" "" wallet-server --db "$T/u.db" --header-timeout 0
like "--header-timeout 0: message" "$(tail -n 1 "$ERR")" "wallet-server: --header-timeout: *"
t "per address above the total" 2 "" "" wallet-server --db "$T/u.db" --max-connections 10 --max-per-address 20
is "per address above the total: message" "$(tail -n 1 "$ERR")" \
    "wallet-server: --max-per-address 20 is more than --max-connections 10"
ok "no database made on a usage error" test ! -e "$T/u.db"
finish
