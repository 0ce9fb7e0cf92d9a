#!/bin/bash
# Each kind of failure of each wallet tool: its exit status and its
# standard error, per kinpipe(7): 0 done, 1 runtime or data failure (for
# the clients also a refusal by the server), 2 usage error, 3 the server
# unreachable or no definite answer. Money worked out by hand in comments.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wallet-lib.sh"

DB=$T/wallet.db
ws_user "$DB" g7 1000
ws_start main "$DB" --price 40000
export WALLET_API=http://127.0.0.1:$WS_PORT/ WALLET_USER_ID=g7 WALLET_ACCESS_KEY_FILE=$T/g7.key
unset WALLET_ACCESS_KEY XDG_CONFIG_HOME
HOME=$T/home
export HOME
DEAD=$(free_port)
(umask 077 && echo 0123456789abcdef0123456789abcdef01234567 >"$T/wrong.key")
cp "$T/g7.key" "$T/open.key"
chmod 644 "$T/open.key"

# --- wallet-buy
# 0.001 BTC at 40000 = 40 euro: 960 left
te "buy: success" 0 "" "" wallet-buy 0.001 --order-id ok1
is "buy: success: its trade" "$(cat "$OUT")" '{"user_id":"g7","order_id":"ok1","trade_id":2,"side":"buy","amount":0.001,"price":40000,"value":40,"bitcoin":0.001,"euro":960}'
te "buy: usage error" 2 "usage: wallet-buy *
wallet-buy: give the amount once: as an argument or with --amount" "" wallet-buy 0.1 --amount 0.2
is "buy: usage error: nothing on stdout" "$(cat "$OUT")" ""
te "buy: bad amount is a usage error" 2 "usage: wallet-buy *
wallet-buy: bad amount '1e3': not a plain decimal number" "" wallet-buy 1e3
# the first line trades (40 euro: 920 left); the bad second line stops
# the run: the third is never sent
te "buy: bad order line" 1 "wallet-buy: <stdin>:2: bad amount 'x': not a plain decimal number" \
    "$(printf '{"amount":0.001,"order_id":"b1"}\n{"amount":"x"}\n{"amount":0.001,"order_id":"b3"}\n')" wallet-buy
is "buy: bad order line: the lines before it done" "$(cat "$OUT")" '{"user_id":"g7","order_id":"b1","trade_id":3,"side":"buy","amount":0.001,"price":40000,"value":40,"bitcoin":0.002,"euro":920}'
te "buy: bad order line skipped" 0 "wallet-buy: <stdin>:1: not an object" "[1]" wallet-buy --on-error=skip
# a number beyond a double's range is valid JSON (kinpipe(7)): as the
# amount it is far too large; elsewhere in the line it does not stop the
# order, which is sent (and refused: 1 BTC = 40000 euro, more than held)
te "buy: amount 1e999999" 1 "wallet-buy: <stdin>:1: bad amount '1e999999': too large" '{"amount":1e999999}' wallet-buy
te "buy: amount -1e999999" 1 "wallet-buy: <stdin>:1: bad amount '-1e999999': not positive" '{"amount":-1e999999}' wallet-buy
te "buy: 1e999999 beside the order" 1 "wallet-buy: order h1: rejected: insufficient euro (HTTP 409)" \
    '{"amount":1,"order_id":"h1","note":1e999999}' wallet-buy
# a bad order that came through kin-read is named by shard and sequence number
te "buy: bad line names its provenance" 1 "wallet-buy: <stdin>:1 (shardId-000000000001 4959): bad amount 'x': not a plain decimal number" \
    '{"amount":"x","shardId":"shardId-000000000001","sequenceNumber":"4959"}' wallet-buy
# an amount given twice is ambiguous: refused, never guessed
te "buy: amount twice" 1 "wallet-buy: <stdin>:1: key 'amount' given twice" '{"amount":0.001,"amount":5}' wallet-buy
is "buy: amount twice: nothing traded" "$(cat "$OUT")" ""
te "buy: unreachable server" 3 "wallet-buy: order u1: cannot reach the server: *" "" \
    wallet-buy 0.001 --order-id u1 --api "http://127.0.0.1:$DEAD/" --retries 0
# 1 BTC = 40000 euro, more than the wallet holds
te "buy: rejected trade" 1 "wallet-buy: order r1: rejected: insufficient euro (HTTP 409)" "" wallet-buy 1 --order-id r1
is "buy: rejected trade: its line" "$(cat "$OUT")" '{"order_id":"r1","side":"buy","amount":1,"status":409,"error":"insufficient euro (HTTP 409)"}'
te "buy: bad credentials" 1 "wallet-buy: order k1: rejected: unknown user or bad access key (HTTP 403)" "" \
    wallet-buy 0.001 --order-id k1 --access-key-file "$T/wrong.key"
te "buy: no credentials" 2 "usage: wallet-buy *
wallet-buy: no access key: *" "" env -u WALLET_ACCESS_KEY_FILE wallet-buy 0.001
te "buy: unsafe key file" 2 "usage: wallet-buy *
wallet-buy: $T/open.key: readable or writable by group or others: refused (chmod 600 $T/open.key)" "" \
    wallet-buy 0.001 --access-key-file "$T/open.key"
te "buy: missing key file" 2 "usage: wallet-buy *
wallet-buy: $T/none.key: No such file or directory" "" wallet-buy 0.001 --access-key-file "$T/none.key"

# --- wallet-sell
# 0.0005 BTC at 40000 = 20 euro: 0.0015 BTC, 940 euro
te "sell: success" 0 "" "" wallet-sell 0.0005 --order-id ok2
is "sell: success: its trade" "$(cat "$OUT")" '{"user_id":"g7","order_id":"ok2","trade_id":4,"side":"sell","amount":0.0005,"price":40000,"value":20,"bitcoin":0.0015,"euro":940}'
te "sell: usage error" 2 "usage: wallet-sell *
wallet-sell: --order-id goes with a single AMOUNT" "" wallet-sell --order-id s0
# 0.0001 BTC = 4 euro: 0.0014 BTC, 944 euro; then a line that is no order
te "sell: bad order line" 1 "wallet-sell: <stdin>:2: not an object" \
    "$(printf '{"amount":0.0001,"order_id":"s1"}\n[1]\n{"amount":0.0001,"order_id":"s3"}\n')" wallet-sell
is "sell: bad order line: the lines before it done" "$(cat "$OUT")" '{"user_id":"g7","order_id":"s1","trade_id":5,"side":"sell","amount":0.0001,"price":40000,"value":4,"bitcoin":0.0014,"euro":944}'
te "sell: unreachable server" 3 "wallet-sell: order u2: cannot reach the server: *" "" \
    wallet-sell 0.001 --order-id u2 --api "http://127.0.0.1:$DEAD/" --retries 0
te "sell: rejected trade" 1 "wallet-sell: order r2: rejected: insufficient bitcoin (HTTP 409)" "" wallet-sell 1 --order-id r2
te "sell: bad credentials" 1 "wallet-sell: order k2: rejected: unknown user or bad access key (HTTP 403)" "" \
    wallet-sell 0.0001 --order-id k2 --access-key-file "$T/wrong.key"
te "sell: no credentials" 2 "usage: wallet-sell *
wallet-sell: no access key: *" "" env -u WALLET_ACCESS_KEY_FILE wallet-sell 0.0001

# --- wallet-info (it sends no key: its credential is the user id)
te "info: success" 0 "" "" wallet-info
is "info: success: the balances by hand" "$(cat "$OUT")" '{"user_id":"g7","bitcoin":0.0014,"euro":944}'
te "info: usage error" 2 "usage: wallet-info *
wallet-info: unexpected argument 'extra'" "" wallet-info extra
te "info: missing config file" 2 "usage: wallet-info *
wallet-info: $T/none.conf: No such file or directory" "" wallet-info --config "$T/none.conf"
te "info: no credentials" 2 "usage: wallet-info *
wallet-info: no user id: *" "" env -u WALLET_USER_ID wallet-info
te "info: unreachable server" 3 "wallet-info: cannot reach the server: *" "" \
    wallet-info --api "http://127.0.0.1:$DEAD/" --retries 0
te "info: bad credentials" 1 "wallet-info: unknown user or bad access key (HTTP 403)" "" wallet-info --user nobody
te "info: refused user id" 1 "wallet-info: bad user_id (HTTP 400)" "" wallet-info --user 'a b'
te "info: no such field" 1 "wallet-info: no field 'dollars' in the answer" "" wallet-info --field dollars

# --- a store that cannot write: 503 and the trade not executed; the
# client has no definite answer (3). Another connection holds the write
# lock; the server gives up after its 5 s busy timeout.
mkfifo "$T/lock.in"
sqlite3 "$DB" <"$T/lock.in" >/dev/null 2>&1 &
LOCKER=$!
at_exit "kill $LOCKER"
exec 8>"$T/lock.in"
# a busy timeout, or the locker's BEGIN fails when it meets the probe's
printf '.timeout 20000\nBEGIN IMMEDIATE;\n' >&8
i=0
while sqlite3 -cmd '.timeout 0' "$DB" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1 && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
ok "the database is locked" test "$i" -lt 200
curl -s -o "$T/d1.body" -w '%{http_code}' \
    "http://127.0.0.1:$WS_PORT/buy/?amount=0.001&user_id=g7&access_key=$(cat "$T/g7.key")&order_id=d1" >"$T/d1.code" &
API=$!
te "buy: the store fails" 3 "wallet-buy: order d2: no definite answer: server error: store unavailable, trade not executed (HTTP 503)" "" \
    wallet-buy 0.001 --order-id d2 --retries 0
wait "$API"
is "store failure: the API's answer" "$(cat "$T/d1.code") $(cat "$T/d1.body")" '503 {"error":"store unavailable, trade not executed"}'
echo 'ROLLBACK;' >&8
exec 8>&-
wait "$LOCKER"
like "store failure: logged" "$(cat "$T/main.log")" "*wallet-server: begin: database is locked*"
te "info after the store failure: nothing was executed" 0 "" "" wallet-info
is "info after the store failure: balances" "$(cat "$OUT")" '{"user_id":"g7","bitcoin":0.0014,"euro":944}'

# --- wallet-server (no server to reach, no credentials of its own)
te "server: usage error: malformed --listen" 2 "usage: wallet-server *
wallet-server: --listen: want HOST:PORT, got '8089'" "" wallet-server --db "$T/new.db" --listen 8089
te "server: usage error: bad user id" 2 "usage: wallet-server *
wallet-server: user add: bad user id 'bad user': 1 to 64 of A-Z a-z 0-9 _ . : -" "" \
    wallet-server --db "$T/new.db" user add 'bad user'
te "server: usage error: bad --euro" 2 "usage: wallet-server *
wallet-server: --euro: bad amount '1.001': more than 2 decimals" "" wallet-server --db "$T/new.db" user add u1 --euro 1.001
te "server: usage error: unknown command" 2 "usage: wallet-server *
wallet-server: unknown command 'frobnicate'" "" wallet-server --db "$T/new.db" frobnicate
ok "server: a usage error creates no database" test ! -e "$T/new.db"
te "server: address in use" 1 "wallet-server: cannot listen on 127.0.0.1:$WS_PORT: Address already in use" "" \
    wallet-server --db "$T/busy.db" --listen "127.0.0.1:$WS_PORT"
te "server: address does not resolve" 1 "wallet-server: --listen nosuch.invalid:8089: *" "" \
    wallet-server --db "$T/busy.db" --listen nosuch.invalid:8089
mkdir "$T/prices.d"
te "server: the prices file a directory" 1 "wallet-server: --prices $T/prices.d: is a directory" "" \
    wallet-server --db "$T/busy.db" --prices "$T/prices.d"
te "server: database cannot be opened" 1 "wallet-server: $T/nodir/w.db: unable to open database file" "" \
    wallet-server --db "$T/nodir/w.db" check
te "server: user exists" 1 "wallet-server: user add: user 'g7' already exists" "" wallet-server --db "$DB" user add g7
ws_user "$T/bad.db" z1 10000
sqlite3 "$T/bad.db" 'UPDATE wallets SET cents = cents + 1'
te "server: check finds a problem" 1 "wallet-server: check: 1 problem" "" wallet-server --db "$T/bad.db" check
is "server: check: the problem" "$(cat "$OUT")" "wallet z1: balance 0 sats 1000001 cents, ledger sums to 0 sats 1000000 cents
FAILED: 1 wallets, 1 ledger entries, 0 orders"
# the opening and four trades (ok1 b1 ok2 s1), each with its order id
te "server: success" 0 "" "" wallet-server --db "$DB" check
is "server: check: ok" "$(cat "$OUT")" "ok: 1 wallets, 5 ledger entries, 4 orders"
kill -TERM "$WS_PID"
wait "$WS_PID"
is "server: SIGTERM: 0" "$?" 0

finish
