# Helpers for the wallet end-to-end tests (sourced after lib.sh).
#
#   ws_start NAME DB [ARGS...]   start wallet-server in the background on
#                                127.0.0.1:0 (or on $WS_FIXED_PORT), stdin
#                                from $T/NAME.in if that exists, stderr to
#                                $T/NAME.log; waits for the address it
#                                prints on stdout ($T/NAME.url) and sets
#                                WS_URL, WS_PORT and WS_PID
#   ws_user DB ID EURO           create a wallet; its key goes to $T/ID.key
#   api_get PATH                 curl GET http://127.0.0.1:$WS_PORT/PATH;
#                                sets $code and $body

ws_start() {
	ws_name=$1 ws_db=$2
	shift 2
	ws_in=/dev/null
	[ -e "$T/$ws_name.in" ] && ws_in=$T/$ws_name.in
	: >"$T/$ws_name.url"
	wallet-server --db "$ws_db" --listen 127.0.0.1:"${WS_FIXED_PORT:-0}" "$@" \
	    <"$ws_in" >"$T/$ws_name.url" 2>"$T/$ws_name.log" &
	WS_PID=$!
	at_exit "kill -9 $WS_PID"
	# the server prints its address once it accepts connections
	ws_i=0
	until grep -q '^http://127\.0\.0\.1:[0-9]*/$' "$T/$ws_name.url"; do
		if [ $ws_i -ge 400 ] || ! kill -0 "$WS_PID" 2>/dev/null; then
			echo "wallet-server did not start:"
			cat "$T/$ws_name.log"
			exit 1
		fi
		sleep 0.05
		ws_i=$((ws_i + 1))
	done
	WS_URL=$(head -n 1 "$T/$ws_name.url")
	WS_PORT=${WS_URL#http://127.0.0.1:}
	WS_PORT=${WS_PORT%/}
}

ws_user() {
	wallet-server --db "$1" user add "$2" --euro "$3" --key-file "$T/$2.key"
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
