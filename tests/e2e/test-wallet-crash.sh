#!/bin/bash
# kill -9 of wallet-server in the middle of a storm of trades, then a
# restart on the same port: the ledger still sums to the balances, every
# trade a client saw confirmed is in the ledger, and nothing is doubled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wallet-lib.sh"

DB=$T/wallet.db
ws_user "$DB" c1 1000000
ws_start crash "$DB" --price 40000
PORT=$WS_PORT
export WALLET_API=http://127.0.0.1:$PORT/ WALLET_USER_ID=c1 WALLET_ACCESS_KEY_FILE=$T/c1.key
M=${KP_SANITIZED:+100}
M=${M:-400}
clients=""
for c in $(seq 1 8); do
	for i in $(seq 1 "$M"); do
		printf '{"amount":0.001,"order_id":"k%d-%d"}\n' "$c" "$i"
	done >"$T/in$c"
	wallet-buy --retries 6 <"$T/in$c" >"$T/out$c" 2>"$T/err$c" &
	clients="$clients $!"
done
# in the middle of the storm: once some trades are confirmed, at least one
# to every client (which so learns from the server's answers that a
# repeated order_id is safe to send again; a client with no answer yet
# cannot know that and rightly gives up), 10 s at most
every_client_answered() {
	for c in $(seq 1 8); do grep -q trade_id "$T/out$c" 2>/dev/null || return 1; done
}
i=0
until { [ "$(cat "$T"/out* | grep -c trade_id)" -ge 20 ] && every_client_answered; } || [ $i -ge 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -9 "$WS_PID"
wait "$WS_PID" 2>/dev/null
ok "some trades before the kill" test "$(cat "$T"/out* | grep -c trade_id)" -gt 0
ok "ledger consistent right after kill -9" sh -c "wallet-server --db $DB check >/dev/null"
# back on the same port while the clients are still retrying
WS_FIXED_PORT=$PORT ws_start crash2 "$DB" --price 40000
WS_PORT=$PORT
for j in $clients; do
	wait "$j"
	is "client $j finished every order" "$?" 0
done
t "ledger check after restart" 0 "ok: 1 wallets, $((8 * M + 1)) ledger entries, $((8 * M)) orders" "" wallet-server --db "$DB" check
confirmed=$(cat "$T"/out* | grep -o '"order_id":"k[0-9]*-[0-9]*"' | sort -u | wc -l)
is "every order confirmed once" "$confirmed" $((8 * M))
sqlite3 "$DB" "SELECT order_id FROM ledger WHERE kind = 'buy' ORDER BY order_id" >"$T/ledger_ids"
cat "$T"/out* | grep -o '"order_id":"k[0-9]*-[0-9]*"' | sed 's/"order_id":"//; s/"//' | sort -u >"$T/seen_ids"
is "confirmed trades are the ledger's trades" "$(sort "$T/ledger_ids" | uniq | wc -l) $(wc -l <"$T/ledger_ids")" "$(wc -l <"$T/seen_ids") $(wc -l <"$T/seen_ids")"
ok "same ids" cmp -s <(sort "$T/ledger_ids") "$T/seen_ids"
# 8M buys of 0.001 BTC at 40000 = 40 euro each
t "balance" 0 "{\"user_id\":\"c1\",\"bitcoin\":$(awk -v m="$M" 'BEGIN { print 8 * m * 0.001 }'),\"euro\":$((1000000 - 8 * M * 40))}" "" wallet-info
kill -TERM "$WS_PID"
wait "$WS_PID"
is "clean exit" "$?" 0
finish
