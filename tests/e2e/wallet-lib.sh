# Helpers for the wallet end-to-end tests (sourced after lib.sh).
#
#   ws_start NAME DB [ARGS...]   start wallet-server on a free port (or on
#                                $WS_FIXED_PORT) in the
#                                background, stdin from $T/NAME.in if that
#                                exists; sets WS_PORT and WS_PID (NAME_pid)
#   ws_user DB ID EURO           create a wallet; its key goes to $T/ID.key
#   api_get PATH                 curl GET http://127.0.0.1:$WS_PORT/PATH;
#                                sets $code and $body

ws_start() {
	ws_name=$1 ws_db=$2
	shift 2
	WS_PORT=${WS_FIXED_PORT:-$(free_port)}
	if [ -e "$T/$ws_name.in" ]; then
		wallet-server --db "$ws_db" --listen 127.0.0.1:"$WS_PORT" "$@" \
		    <"$T/$ws_name.in" 2>"$T/$ws_name.log" &
	else
		wallet-server --db "$ws_db" --listen 127.0.0.1:"$WS_PORT" "$@" \
		    </dev/null 2>"$T/$ws_name.log" &
	fi
	WS_PID=$!
	at_exit "kill -9 $WS_PID"
	wait_port "$WS_PORT" 20 || { echo "wallet-server did not start:"; cat "$T/$ws_name.log"; exit 1; }
}

ws_user() {
	(umask 077 && wallet-server --db "$1" user add "$2" --euro "$3" >"$T/$2.key")
}

api_get() {
	code=$(curl -s -o "$T/.body" -w '%{http_code}' "http://127.0.0.1:$WS_PORT/$1")
	body=$(cat "$T/.body")
}

# api NAME PATH CODE BODY: one API call, exact status and body
api() {
	api_get "$2"
	if [ "$code" = "$3" ] && [ "$body" = "$4" ]; then
		pass "$1"
	else
		kp_report_fail "$1" "got $code $body" "wanted $3 $4"
	fi
}
