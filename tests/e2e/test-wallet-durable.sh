#!/bin/bash
# A trade is answered only once its commit is on disk (issue 10): watched
# from outside with strace, every answer that carries a trade leaves after
# a sync of the write-ahead log that began after the trade's last write to
# it (sync-order.py). Trades from many clients at once share syncs (group
# commit): fewer syncs than trades, and the ledger holds every trade.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wallet-lib.sh"

command -v strace >/dev/null || { echo "test-wallet-durable: strace missing (mk/deps.sh installs it)"; exit 1; }
DB=$T/wallet.db
ws_user "$DB" d1 1000000
# the server under strace: ws_start's wallet-server is this wrapper. Each
# sync is made to last 20 ms more (a slow disk): tracing slows every write
# of a commit far more than the one fdatasync, and without the delay a
# slow build's trades could land one per sync by timing alone; with it,
# trades from 16 clients certainly commit while a sync runs, and must
# share the next.
mkdir "$T/bin"
cat >"$T/bin/wallet-server" <<EOF
#!/bin/sh
exec strace -f -tt -y -s 512 -e trace=pwrite64,fdatasync,fsync,sendmsg,sendto,writev,write \\
    -e inject=fdatasync:delay_exit=20000 \\
    -o "\$KP_TRACE" "$KP_BIN/wallet-server" "\$@"
EOF
chmod +x "$T/bin/wallet-server"

# stop: SIGTERM to the server itself (strace, WS_PID, only detaches)
stop() {
	kill -TERM "$(ps -o pid= --ppid "$WS_PID")"
	wait "$WS_PID"
}

# --- one trade after another: each answer after its own sync
KP_TRACE=$T/seq.trace PATH=$T/bin:$PATH ws_start seq "$DB" --price 40000
export WALLET_API=$WS_URL WALLET_USER_ID=d1 WALLET_ACCESS_KEY_FILE=$T/d1.key
N=20
for i in $(seq "$N"); do
	wallet-buy 0.001 --order-id "s$i" >/dev/null || echo "trade s$i failed"
done >"$T/seq.out"
is "sequential: every trade confirmed" "$(cat "$T/seq.out")" ""
stop
r=$(python3 "$KP_ROOT/tests/e2e/sync-order.py" "$T/seq.trace")
like "sequential: every answer after a sync of the log ($r)" "$r" "answers $N durable $N *"

# --- 16 clients at once: syncs shared, nothing lost
KP_TRACE=$T/par.trace PATH=$T/bin:$PATH ws_start par "$DB" --price 40000
export WALLET_API=$WS_URL
M=25
clients=""
for c in $(seq 16); do
	for i in $(seq "$M"); do printf '{"amount":0.001,"order_id":"p%d-%d"}\n' "$c" "$i"; done >"$T/par$c.in"
	wallet-buy <"$T/par$c.in" >"$T/par$c.out" 2>"$T/par$c.err" &
	clients="$clients $!"
done
for j in $clients; do
	wait "$j" || echo "client $j: exit $?"
done >"$T/par.exits"
is "parallel: every client done" "$(cat "$T/par.exits")" ""
stop
r=$(python3 "$KP_ROOT/tests/e2e/sync-order.py" "$T/par.trace")
answers=$(echo "$r" | awk '{ print $2 }')
syncs=$(echo "$r" | awk '{ print $8 }')
is "parallel: every trade answered" "$answers" $((16 * M))
ok "parallel: fewer syncs ($syncs) than trades ($answers)" test "$syncs" -lt "$answers"
ok "parallel: at least one sync" test "$syncs" -ge 1
# the opening entry, N sequential and 16 M parallel trades
t "ledger check" 0 "ok: 1 wallets, $((1 + N + 16 * M)) ledger entries, $((N + 16 * M)) orders" "" \
    wallet-server --db "$DB" check
finish
