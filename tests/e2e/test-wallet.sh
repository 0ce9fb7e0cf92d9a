#!/bin/bash
# wallet-server's API and the wallet clients, over real HTTP on 127.0.0.1.
# Expected money figures are worked out by hand in the comments.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wallet-lib.sh"

DB=$T/wallet.db
ws_user "$DB" g7 10000
K=$(cat "$T/g7.key")
ws_start main "$DB" --price 40000
MAIN_PID=$WS_PID MAIN_PORT=$WS_PORT
export WALLET_API=http://127.0.0.1:$WS_PORT/ WALLET_USER_ID=g7 WALLET_ACCESS_KEY_FILE=$T/g7.key
unset WALLET_ACCESS_KEY XDG_CONFIG_HOME
HOME=$T/home
export HOME

like "key is 40 hex digits" "$K" "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
t "user add twice" 1 "" "" wallet-server --db "$DB" user add g7
is "user add twice: message" "$(cat "$ERR")" "wallet-server: user add: user 'g7' already exists"
t "user add bad id: a usage error" 2 "" "" wallet-server --db "$DB" user add 'a b'
is "user add bad id: message" "$(tail -n 1 "$ERR")" "wallet-server: user add: bad user id 'a b': 1 to 64 of A-Z a-z 0-9 _ . : -"
t "user add bad euro" 2 "" "" wallet-server --db "$DB" user add g9 --euro 1.005

# --- user add --key-file: the key in a new file of mode 0600, nothing on
# stdout; ws_user made g7.key that way
is "key file: mode 0600" "$(stat -c %a "$T/g7.key")" 600
is "key file: 40 hex digits and a newline" "$(wc -c <"$T/g7.key") $(grep -c '^[0-9a-f]\{40\}$' "$T/g7.key")" "41 1"
KDB=$T/keys.db
(umask 0 && wallet-server --db "$KDB" user add k1 --key-file "$T/k1.key" >"$T/k1.out" 2>"$T/k1.err")
is "key file under umask 0: exit 0" "$?" 0
is "key file under umask 0: mode 0600 all the same" "$(stat -c %a "$T/k1.key")" 600
is "key file: nothing on stdout or stderr" "$(cat "$T/k1.out" "$T/k1.err")" ""
# the file holds the wallet's key: the wallet trades with it (0.001 at 40000 = 40 euro)
ws_start keys "$KDB" --price 40000
t "key file: the key works" 0 '{"user_id":"k1","order_id":"kf1","trade_id":2,"side":"buy","amount":0.001,"price":40000,"value":40,"bitcoin":0.001,"euro":9960}' "" \
    wallet-buy 0.001 --order-id kf1 --api "$WS_URL" --user k1 --access-key-file "$T/k1.key"
kill -TERM "$WS_PID"
wait "$WS_PID"
WS_PID=$MAIN_PID WS_PORT=$MAIN_PORT
cp -p "$T/k1.key" "$T/k1.before"
t "key file exists: refused" 1 "" "" wallet-server --db "$KDB" user add k2 --key-file "$T/k1.key"
is "key file exists: message" "$(cat "$ERR")" "wallet-server: user add: $T/k1.key: exists: refused (a key file is never overwritten)"
ok "key file exists: left as it was" cmp -s "$T/k1.key" "$T/k1.before"
is "key file exists: no wallet k2" "$(sqlite3 "$KDB" "SELECT COUNT(*) FROM wallets WHERE user_id = 'k2'")" 0
ln -s "$T/elsewhere.key" "$T/link.key"
t "key file a symbolic link: refused" 1 "" "" wallet-server --db "$KDB" user add k3 --key-file "$T/link.key"
ok "key file a symbolic link: nothing made where it points" test ! -e "$T/elsewhere.key"
t "key file in a missing directory" 1 "" "" wallet-server --db "$KDB" user add k4 --key-file "$T/nodir/k4.key"
is "key file in a missing directory: message" "$(cat "$ERR")" "wallet-server: user add: $T/nodir/k4.key: No such file or directory"
t "key file for a user that exists" 1 "" "" wallet-server --db "$KDB" user add k1 --key-file "$T/k1-again.key"
is "user exists: message" "$(cat "$ERR")" "wallet-server: user add: user 'k1' already exists"
ok "user exists: its key file taken back" test ! -e "$T/k1-again.key"
is "no wallet made by the refusals" "$(sqlite3 "$KDB" "SELECT group_concat(user_id) FROM wallets ORDER BY user_id")" "k1"
t "--key-file without user add" 2 "" "" wallet-server --db "$KDB" --key-file "$T/x.key" check
is "--key-file without user add: message" "$(tail -n 1 "$ERR")" "wallet-server: --key-file goes with user add"
ok "--key-file without user add: no file" test ! -e "$T/x.key"

# --- --listen HOST:0: a free port, and its address as one line on stdout
wallet-server --db "$T/listen.db" --listen 127.0.0.1:0 --price 40000 >"$T/listen.out" 2>"$T/listen.err" &
LPID=$!
at_exit "kill -9 $LPID"
i=0
while [ ! -s "$T/listen.out" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
like "--listen :0: the address on stdout" "$(cat "$T/listen.out")" "http://127.0.0.1:[1-9]*/"
lport=$(sed 's|^http://127.0.0.1:\([0-9]*\)/$|\1|' "$T/listen.out")
# independently of the server's word: the kernel's list of listening sockets
ok "--listen :0: the process listens on that port" sh -c "ss -Hltnp 'sport = :$lport' | grep -q 'pid=$LPID,'"
is "--listen :0: answers there" "$(curl -s "$(cat "$T/listen.out")info/?user_id=x")" '{"error":"unknown user or bad access key"}'
kill -TERM "$LPID"
wait "$LPID"
is "--listen :0: exit 0" "$?" 0
is "--listen :0: one line, nothing on stderr" "$(wc -l <"$T/listen.out") $(wc -c <"$T/listen.err")" "1 0"

# --- the API as the notebook uses it
api "info" "info/?user_id=g7" 200 '[{"user_id":"g7","bitcoin":0,"euro":10000}]'
api "info without slash" "info?user_id=g7" 200 '[{"user_id":"g7","bitcoin":0,"euro":10000}]'
# 0.1 BTC at 40000 = 4000 euro
api "buy" "buy/?amount=0.1&user_id=g7&access_key=$K" 200 \
    '{"user_id":"g7","trade_id":2,"side":"buy","amount":0.1,"price":40000,"value":4000,"bitcoin":0.1,"euro":6000}'
# 0.025 BTC at 40000 = 1000 euro
api "sell without slash" "sell?amount=0.025&user_id=g7&access_key=$K" 200 \
    '{"user_id":"g7","trade_id":3,"side":"sell","amount":0.025,"price":40000,"value":1000,"bitcoin":0.075,"euro":7000}'
api "history" "history/?user_id=g7&limit=2" 200 "$(curl -s "http://127.0.0.1:$WS_PORT/history/?user_id=g7&limit=2")"
like "history content" "$body" '\[{"trade_id":3,"time":"20*Z","kind":"sell","bitcoin":-0.025,"euro":1000,"price":40000},{"trade_id":2,"time":"*","kind":"buy","bitcoin":0.1,"euro":-4000,"price":40000}\]'

# --- bad input: a 4xx and a JSON error, never a 500
# an unknown user and a wrong key get one answer, in every call, so that
# no answer tells which user ids exist (issue 16)
NOKEY='{"error":"unknown user or bad access key"}'
api "unknown user info" "info/?user_id=nobody" 403 "$NOKEY"
api "unknown user history" "history/?user_id=nobody" 403 "$NOKEY"
api "unknown user history with a key" "history/?user_id=nobody&access_key=$K" 403 "$NOKEY"
api "unknown user sell" "sell/?amount=1&user_id=nobody&access_key=$K" 403 "$NOKEY"
api "info: a wrong key is checked" "info/?user_id=g7&access_key=00$K" 403 "$NOKEY"
api "info: an empty key is a wrong key" "info/?user_id=g7&access_key=" 403 "$NOKEY"
api "history: a wrong key is checked" "history/?user_id=g7&access_key=x" 403 "$NOKEY"
api "info: the right key" "info/?user_id=g7&access_key=$K" 200 '[{"user_id":"g7","bitcoin":0.075,"euro":7000}]'
api_get "history/?user_id=g7&access_key=$K&limit=1"
like "history: the right key" "$code $body" '200 \[{"trade_id":3,*}\]'
api "unknown user buy" "buy/?amount=1&user_id=nobody&access_key=$K" 403 '{"error":"unknown user or bad access key"}'
api "bad key" "buy/?amount=0.001&user_id=g7&access_key=00$K" 403 '{"error":"unknown user or bad access key"}'
api "empty key" "buy/?amount=0.001&user_id=g7&access_key=" 401 '{"error":"missing access_key"}'
api "missing key" "buy/?amount=0.001&user_id=g7" 401 '{"error":"missing access_key"}'
api "missing user" "buy/?amount=0.001&access_key=$K" 400 '{"error":"missing user_id"}'
api "bad user id" "info/?user_id=a%20b" 400 '{"error":"bad user_id"}'
api "invalid utf-8 user" "info/?user_id=%ff%fe" 400 '{"error":"bad user_id"}'
api "missing amount" "buy/?user_id=g7&access_key=$K" 400 '{"error":"missing amount"}'
api "empty amount" "buy/?amount=&user_id=g7&access_key=$K" 400 "{\"error\":\"bad amount '': empty\"}"
for a in abc 1e3 0x10 -1 %2B1 inf nan 1,5 '%201' '1%20' .5; do
	api "bad amount $a" "buy/?amount=$a&user_id=g7&access_key=$K" 400 \
	    "{\"error\":\"bad amount '$(printf '%b' "${a//%/\\x}")': not a plain decimal number\"}"
done
api "amount 1." "buy/?amount=1.&user_id=g7&access_key=$K" 400 "{\"error\":\"bad amount '1.': no digits after '.'\"}"
api "zero amount" "sell/?amount=0.00000000&user_id=g7&access_key=$K" 400 "{\"error\":\"bad amount '0.00000000': not positive\"}"
api "9 decimals" "buy/?amount=0.000000001&user_id=g7&access_key=$K" 400 "{\"error\":\"bad amount '0.000000001': more than 8 decimals\"}"
api "huge amount" "buy/?amount=99999999999&user_id=g7&access_key=$K" 400 "{\"error\":\"bad amount '99999999999': too large\"}"
api "NUL in amount" "buy/?amount=1%00&user_id=g7&access_key=$K" 400 '{"error":"NUL byte in the query"}'
api "amount twice" "buy/?amount=0.001&amount=5&user_id=g7&access_key=$K" 400 '{"error":"amount given more than once"}'
api "bad order id" "buy/?amount=0.001&user_id=g7&access_key=$K&order_id=a/b" 400 '{"error":"bad order_id: 1 to 64 of A-Z a-z 0-9 _ . : -"}'
api "insufficient euro" "buy/?amount=1&user_id=g7&access_key=$K" 409 '{"error":"insufficient euro"}'
api "insufficient bitcoin" "sell/?amount=0.07500001&user_id=g7&access_key=$K" 409 '{"error":"insufficient bitcoin"}'
api "unknown path" "nope/?user_id=g7" 404 '{"error":"unknown path"}'
api "path prefix" "buyx/?user_id=g7" 404 '{"error":"unknown path"}'
api "bad limit" "history/?user_id=g7&limit=0" 400 '{"error":"bad limit: 1 to 10000"}'
long=$(head -c 6000 /dev/zero | tr '\0' a)
api "long query" "info/?user_id=g7&x=$long" 414 '{"error":"query too long"}'
huge=$(head -c 100000 /dev/zero | tr '\0' a)
api_get "info/?user_id=g7&x=$huge"
like "huge query is a 4xx" "$code" "4[0-9][0-9]"
code=$(curl -s -o "$T/.body" -w '%{http_code}' -X POST -d amount=1 "http://127.0.0.1:$WS_PORT/buy/")
is "POST" "$code $(cat "$T/.body")" '405 {"error":"only GET is supported"}'
code=$(curl -s -o "$T/.body" -w '%{http_code}' -X DELETE "http://127.0.0.1:$WS_PORT/info/?user_id=g7")
is "DELETE" "$code $(cat "$T/.body")" '405 {"error":"only GET is supported"}'
printf 'GET /info/?user_id=g7 HTTP/1.1\r\nNoColon\r\n\r\n' |
    timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$WS_PORT; cat >&3; head -c 24 <&3" >"$T/raw" 2>/dev/null
is "malformed header" "$(cat "$T/raw")" "HTTP/1.1 400 Bad Request"
printf 'GARBAGE\r\n\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$WS_PORT; cat >&3; cat <&3" >"$T/raw" 2>/dev/null
is "garbage request: connection closed" "$(cat "$T/raw")" ""
api "still serving after bad input" "info/?user_id=g7" 200 '[{"user_id":"g7","bitcoin":0.075,"euro":7000}]'

# --- order ids: a repeated id is the same order
api "order o1" "buy/?amount=0.005&user_id=g7&access_key=$K&order_id=o1" 200 \
    '{"user_id":"g7","order_id":"o1","trade_id":4,"side":"buy","amount":0.005,"price":40000,"value":200,"bitcoin":0.08,"euro":6800}'
api "order o1 again" "buy/?amount=0.005&user_id=g7&access_key=$K&order_id=o1" 200 \
    '{"user_id":"g7","order_id":"o1","trade_id":4,"side":"buy","amount":0.005,"price":40000,"value":200,"bitcoin":0.08,"euro":6800}'
api "order o1 as a sell" "sell/?amount=0.005&user_id=g7&access_key=$K&order_id=o1" 409 '{"error":"order_id already used for a different order"}'
api "order o1 wrong key" "buy/?amount=0.005&user_id=g7&access_key=x&order_id=o1" 403 '{"error":"unknown user or bad access key"}'
api "balance after repeat" "info/?user_id=g7" 200 '[{"user_id":"g7","bitcoin":0.08,"euro":6800}]'

# --- the clients
t "wallet-info" 0 '{"user_id":"g7","bitcoin":0.08,"euro":6800}' "" wallet-info
t "wallet-info --field" 0 '6800' "" wallet-info --field euro
t "wallet-info -f user_id" 0 'g7' "" wallet-info -f user_id
t "wallet-info no such field" 1 '' "" wallet-info --field dollars
is "no such field: message" "$(cat "$ERR")" "wallet-info: no field 'dollars' in the answer"
t "wallet-info unknown user" 1 '' "" wallet-info --user nobody
is "unknown user: message" "$(cat "$ERR")" "wallet-info: unknown user or bad access key (HTTP 403)"
# 0.01 BTC at 40000 = 400 euro
t "wallet-buy" 0 '{"user_id":"g7","order_id":"c1","trade_id":5,"side":"buy","amount":0.01,"price":40000,"value":400,"bitcoin":0.09,"euro":6400}' "" \
    wallet-buy 0.01 --order-id c1
t "wallet-buy same order id" 0 '{"user_id":"g7","order_id":"c1","trade_id":5,"side":"buy","amount":0.01,"price":40000,"value":400,"bitcoin":0.09,"euro":6400}' "" \
    wallet-buy --amount 0.01 --order-id c1
t "wallet-sell --amount" 0 '{"user_id":"g7","order_id":"c2","trade_id":6,"side":"sell","amount":0.04,"price":40000,"value":1600,"bitcoin":0.05,"euro":8000}' "" \
    wallet-sell --amount 0.04 --order-id c2
run "" wallet-buy 0.00000001
like "generated order id" "$(cat "$OUT")" '{"user_id":"g7","order_id":"[0-9a-f]*","trade_id":7,"side":"buy","amount":0.00000001,"price":40000,"value":0.01,"bitcoin":0.05000001,"euro":7999.99}'
t "rejected: exit 1" 1 '{"order_id":"c3","side":"buy","amount":1,"status":409,"error":"insufficient euro (HTTP 409)"}' "" wallet-buy 1 --order-id c3
is "rejected: message" "$(cat "$ERR")" "wallet-buy: order c3: rejected: insufficient euro (HTTP 409)"
for a in 1e5 0x10 -1 0 0.000000001 inf nan ' 1' '' 1.5.5 ０.5; do
	t "client bad amount '$a'" 2 '' "" wallet-buy --amount "$a"
	like "client bad amount '$a': message" "$(tail -n 1 "$ERR")" "wallet-buy: bad amount '*': *"
done
is "client bad amount names it" "$(t x 2 '' '' wallet-sell 1e-3; tail -n 1 "$ERR")" "wallet-sell: bad amount '1e-3': not a plain decimal number"
t "amount twice" 2 '' "" wallet-buy 0.1 --amount 0.2
t "bad order id" 2 '' "" wallet-buy 0.1 --order-id 'x y'
t "unknown option" 2 '' "" wallet-buy --access-key "$K" 0.1
t "no key" 2 '' "" env -u WALLET_ACCESS_KEY_FILE wallet-buy 0.1
like "no key: message" "$(tail -n 1 "$ERR")" "wallet-buy: no access key: *"
t "no api" 2 '' "" env -u WALLET_API wallet-info
t "bad api scheme" 2 '' "" wallet-info --api ftp://127.0.0.1/
t "key from env" 0 '{"user_id":"g7","bitcoin":0.05000001,"euro":7999.99}' "" env -u WALLET_ACCESS_KEY_FILE WALLET_ACCESS_KEY="$K" wallet-info
cp "$T/g7.key" "$T/open.key"
chmod 644 "$T/open.key"
t "key file readable by others" 2 '' "" wallet-buy 0.1 --access-key-file "$T/open.key"
is "key file refused: message" "$(tail -n 1 "$ERR")" "wallet-buy: $T/open.key: readable or writable by group or others: refused (chmod 600 $T/open.key)"
# the config file, explicit and by default
printf '# wallet\napi = http://127.0.0.1:%s/\nuser_id = g7\naccess_key = %s\n' "$WS_PORT" "$K" >"$T/wallet.conf"
chmod 640 "$T/wallet.conf"
t "config group-readable" 2 '' "" env -u WALLET_API -u WALLET_USER_ID -u WALLET_ACCESS_KEY_FILE wallet-buy 0.1 --config "$T/wallet.conf"
chmod 600 "$T/wallet.conf"
t "config file" 0 '{"user_id":"g7","order_id":"c4","trade_id":8,"side":"sell","amount":0.00000001,"price":40000,"value":0,"bitcoin":0.05,"euro":7999.99}' "" \
    env -u WALLET_API -u WALLET_USER_ID -u WALLET_ACCESS_KEY_FILE wallet-sell 0.00000001 --order-id c4 --config "$T/wallet.conf"
mkdir -p "$T/xdg/kinpipe"
cp -p "$T/wallet.conf" "$T/xdg/kinpipe/wallet.conf"
t "default config under XDG_CONFIG_HOME" 0 '0.05' "" \
    env -u WALLET_API -u WALLET_USER_ID XDG_CONFIG_HOME="$T/xdg" wallet-info -f bitcoin
t "missing --config" 2 '' "" wallet-info --config "$T/none.conf"
printf 'colour = blue\n' >"$T/bad.conf"
chmod 600 "$T/bad.conf"
t "unknown config setting" 2 '' "" wallet-info --config "$T/bad.conf"
is "unknown setting: message" "$(tail -n 1 "$ERR")" "wallet-info: $T/bad.conf:1: unknown setting 'colour'"
t "flag beats environment" 1 '' "" wallet-info --user nobody

# NDJSON orders on stdin: one result line each, bad lines named
printf '{"amount":0.001,"order_id":"s1"}\n{"amount":"0.002","order_id":"s2"}\n{"amount":1e-5,"order_id":"s3"}\n' >"$T/orders"
# 0.001*40000=40, 0.002*40000=80, 0.00001*40000=0.4
t "stdin orders" 0 '{"user_id":"g7","order_id":"s1","trade_id":9,"side":"buy","amount":0.001,"price":40000,"value":40,"bitcoin":0.051,"euro":7959.99}
{"user_id":"g7","order_id":"s2","trade_id":10,"side":"buy","amount":0.002,"price":40000,"value":80,"bitcoin":0.053,"euro":7879.99}
{"user_id":"g7","order_id":"s3","trade_id":11,"side":"buy","amount":0.00001,"price":40000,"value":0.4,"bitcoin":0.05301,"euro":7879.59}' \
    "$(cat "$T/orders")" wallet-buy
t "stdin orders replayed" 0 "$(cat "$OUT")" "$(cat "$T/orders")" wallet-buy
bad_lines=('{"amount":0.001' '[1]' '{}' '{"amount":true}' '{"amount":-1}' '{"amount":1e-9}' '{"amount":"1e3"}' \
    '{"amount":0.001,"order_id":5}' "$(printf '{"amount":0.001,"order_id":"\\u0000"}')" "$(printf '{"amount":"\xff"}')")
for l in "${bad_lines[@]}"; do
	# bad data, not a usage error: 1, as for every tool
	t "bad order line $l" 1 '{"user_id":"g7","order_id":"s1","trade_id":9,"side":"buy","amount":0.001,"price":40000,"value":40,"bitcoin":0.051,"euro":7959.99}' \
	    "$(printf '{"amount":0.001,"order_id":"s1"}\n%s\n{"amount":5}\n' "$l")" wallet-buy
	like "bad order line $l: message" "$(cat "$ERR")" "wallet-buy: <stdin>:2: *"
done
t "--on-error=null" 1 '{"line":1,"error":"no amount"}
{"order_id":"n2","side":"sell","amount":5,"status":409,"error":"insufficient bitcoin (HTTP 409)"}' \
    "$(printf '{}\n{"amount":5,"order_id":"n2"}\n')" wallet-sell --on-error=null
t "--on-error=skip" 0 '{"user_id":"g7","order_id":"s2","trade_id":10,"side":"buy","amount":0.002,"price":40000,"value":80,"bitcoin":0.053,"euro":7879.99}' \
    "$(printf 'x\n{"amount":0.002,"order_id":"s2"}\n')" wallet-buy --on-error=skip

# unreachable: nothing listens there
DEAD=$(free_port)
run "" wallet-buy 0.1 --order-id u1 --api "http://127.0.0.1:$DEAD/" --retries 1
is "unreachable buy: exit 3" "$rc" 3
like "unreachable buy: result line" "$(cat "$OUT")" '{"order_id":"u1","side":"buy","amount":0.1,"error":"cannot reach the server: Failed to connect to 127.0.0.1 port '"$DEAD"' *"}'
like "unreachable: message" "$(cat "$ERR")" "wallet-buy: order u1: cannot reach the server: *"
t "unreachable info" 3 '' "" wallet-info --api "http://127.0.0.1:$DEAD/" --retries 0
t "https to a plain server" 3 '' "" wallet-info --api "https://127.0.0.1:$WS_PORT/" --retries 0

# --- the retry-with-order-id path, through a proxy that drops the answer
PPORT=$(free_port)
node "$KP_ROOT/tests/e2e/wallet-proxy.js" --listen "$PPORT" --target "$WS_PORT" --drop 1 2>"$T/proxy.log" &
PROXY1=$!
at_exit "kill $!"
wait_port "$PPORT" 10
# 0.003*40000 = 120
t "retry after a lost answer" 0 '{"user_id":"g7","order_id":"r1","trade_id":12,"side":"buy","amount":0.003,"price":40000,"value":120,"bitcoin":0.05601,"euro":7759.59}' "" \
    wallet-buy 0.003 --order-id r1 --api "http://127.0.0.1:$PPORT/"
is "the proxy dropped one answer" "$(cat "$T/proxy.log")" "dropped 1"
api "retried order debited once" "info/?user_id=g7" 200 '[{"user_id":"g7","bitcoin":0.05601,"euro":7759.59}]'
IPORT=$(free_port)
node "$KP_ROOT/tests/e2e/wallet-proxy.js" --listen "$IPORT" --target "$WS_PORT" --drop 1 --ignore-ids 2>"$T/proxy2.log" &
PROXY2=$!
at_exit "kill $!"
wait_port "$IPORT" 10
t "no retry without idempotency" 3 '{"order_id":"r2","side":"buy","amount":0.003,"error":"no definite answer, the order may or may not have been executed (order_id r2): Empty reply from server"}' "" \
    wallet-buy 0.003 --order-id r2 --api "http://127.0.0.1:$IPORT/"
is "sent exactly once" "$(cat "$T/proxy2.log")" "dropped 1"
# executed once, without its order id (the proxy removed it): 120 more euro
api "not doubled" "info/?user_id=g7" 200 '[{"user_id":"g7","bitcoin":0.05901,"euro":7639.59}]'

# --- prices: none yet -> 503, then from NDJSON records; rounding
mkfifo "$T/feed.in"
exec 7<>"$T/feed.in"
ws_start feed "$T/feed.db" --prices -
FEED_PID=$WS_PID
ws_user "$T/feed.db" f1 100
FK=$(cat "$T/f1.key")
api "no price yet" "buy/?amount=0.001&user_id=f1&access_key=$FK" 503 '{"error":"no price yet"}'
printf '{"euro_rate":"x"}\nnot json\n{"time":"2024-01-01T00:00:00Z","euro_rate":33333.33333333}\n' >&7
sleep 0.5
# 3 sats at 33333.33333333: 0.00099999999999999 euro: a buyer pays 0.01
api "buy rounds up" "buy/?amount=0.00000003&user_id=f1&access_key=$FK" 200 \
    '{"user_id":"f1","trade_id":2,"side":"buy","amount":0.00000003,"price":33333.33333333,"value":0.01,"bitcoin":0.00000003,"euro":99.99}'
# ... and a seller gets 0.00
api "sell rounds down" "sell/?amount=0.00000003&user_id=f1&access_key=$FK" 200 \
    '{"user_id":"f1","trade_id":3,"side":"sell","amount":0.00000003,"price":33333.33333333,"value":0,"bitcoin":0,"euro":99.99}'
like "bad price records reported" "$(cat "$T/feed.log")" "*<stdin>:1: no numeric euro_rate: record ignored*<stdin>:2: not JSON*"
kill -TERM "$FEED_PID"
wait "$FEED_PID"
is "SIGTERM: exit 0" "$?" 0
kill $PROXY1 $PROXY2
exec 7>&-

# --- many clients at once on one wallet
ws_user "$DB" p1 1000000
ws_user "$DB" p2 1000
N=${KP_SANITIZED:+10}
N=${N:-40}
for c in $(seq 1 16); do
	for i in $(seq 1 "$N"); do
		printf '{"amount":0.0%02d1,"order_id":"p%d-%d"}\n' "$c" "$c" "$i"
	done >"$T/par$c.in"
	WALLET_USER_ID=p1 WALLET_ACCESS_KEY_FILE=$T/p1.key wallet-buy <"$T/par$c.in" >"$T/par$c.out" 2>"$T/par$c.err" &
	clients="${clients:-} $!"
	# p2 can afford 25 buys of 0.001 (40 euro each) and no more
	printf '{"amount":0.001}\n{"amount":0.001}\n{"amount":0.001}\n' |
	    WALLET_USER_ID=p2 WALLET_ACCESS_KEY_FILE=$T/p2.key wallet-buy >"$T/poor$c.out" 2>/dev/null &
	clients="$clients $!"
done
for j in $clients; do
	wait "$j"
done
ok "parallel: every trade confirmed" test "$(cat "$T"/par*.out | grep -c '"side":"buy"')" = $((16 * N))
# independently: client c buys N times 0.0c1 BTC (c zero-padded) at 40000
want=$(python3 -c "
from decimal import Decimal as D
n=$N; sats=sum(n*int(D('0.0%02d1'%c)*10**8) for c in range(1,17))
cents=sum(n*int(D('0.0%02d1'%c)*40000*100) for c in range(1,17))
print('{\"user_id\":\"p1\",\"bitcoin\":%s,\"euro\":%s}' % (D(sats)/10**8, D(1000000*100-cents)/100))" |
    sed 's/\.0*,/,/; s/\(\.[0-9]*[1-9]\)0*,/\1,/; s/\.0*}/}/; s/\(\.[0-9]*[1-9]\)0*}/\1}/')
t "parallel: balance" 0 "$want" "" wallet-info --user p1
t "parallel: the poor wallet spent to zero" 0 '{"user_id":"p2","bitcoin":0.025,"euro":0}' "" wallet-info --user p2
ok "parallel: exactly 25 poor buys" test "$(cat "$T"/poor*.out | grep -c '"trade_id"')" = 25
# ledger: g7's opening and its 12 trades (trade ids 2-13), p1's and p2's
# openings, 16N + 25 parallel trades; orders: g7's o1 c1 c2 c4 s1 s2 s3
# r1 and one generated id (refused orders and r2, stripped by the proxy,
# leave none), and every parallel trade
t "ledger check" 0 "ok: 3 wallets, $((13 + 2 + 16 * N + 25)) ledger entries, $((9 + 16 * N + 25)) orders" "" wallet-server --db "$DB" check

# --- shutdown and restart keep everything
kill -TERM "$MAIN_PID"
wait "$MAIN_PID"
is "server SIGTERM exit 0" "$?" 0
ws_start again "$DB" --price 40000
t "after restart" 0 "$want" "" wallet-info --user p1 --api "http://127.0.0.1:$WS_PORT/"
t "usage: no --db" 2 '' '' wallet-server check
t "usage: bad price" 2 '' '' wallet-server --db "$DB" --price -5
t "usage: unknown command" 2 '' '' wallet-server --db "$DB" frobnicate
WS_PORT2=$WS_PORT
t "listen on a busy port" 1 '' '' wallet-server --db "$DB" --listen 127.0.0.1:"$WS_PORT2"
like "busy port: message" "$(cat "$ERR")" "wallet-server: cannot listen on 127.0.0.1:$WS_PORT2: Address already in use"
kill -TERM "$WS_PID"
wait "$WS_PID"
# the key never shows: in no client's output, no server log (only in the
# key and config files that hold it, and hashed in the database)
is "key never printed" "$(grep -rl -e "$K" -e "$FK" "$T" --exclude='*.key' --exclude='*.conf' --exclude='*.db*' | sort)" ""

finish
