#!/bin/bash
# wallet-server: trades/s sustained, durably, with 16 parallel keep-alive
# clients on loopback (wrk, every request a new trade with a unique order
# id), as a ratio to the same server's read-only info/ rate; then
# wallet-buy's wall time per order against curl sending the same request.
# Targets: 2,000 trades/s; wallet-buy within 1.5x of curl.
. "$(dirname "$0")/lib.sh"

command -v wrk >/dev/null || { echo "bench-wallet: wrk missing (mk/deps.sh installs it)"; exit 1; }
W=$BENCH_DIR/wallet
rm -rf "$W"
mkdir -p "$W"
wallet-server --db "$W/wallet.db" user add b1 --euro 1000000000000 >"$W/b1.key"
chmod 600 "$W/b1.key"
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
wallet-server --db "$W/wallet.db" --listen 127.0.0.1:"$PORT" --price 40000 2>"$W/server.log" &
SERVER=$!
trap 'kill -9 $SERVER 2>/dev/null' EXIT
for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.05; done
KEY=$(cat "$W/b1.key")
SECS=${WALLET_BENCH_SECONDS:-5}

rate() {	# requests/s and non-2xx count from a wrk report
	awk '/Requests\/sec/ { r = $2 } /Non-2xx/ { bad = $NF } END { print r + 0, bad + 0 }' "$1"
}
wrk -t2 -c16 -d"${SECS}s" "http://127.0.0.1:$PORT/info/?user_id=b1" >"$W/info.wrk"
read -r info_rate info_bad <<<"$(rate "$W/info.wrk")"
WALLET_BENCH_PATH="/buy/?amount=0.00001&user_id=b1&access_key=$KEY" \
    wrk -t2 -c16 -d"${SECS}s" -s "$KP_ROOT/tests/bench/wallet-wrk.lua" "http://127.0.0.1:$PORT/" >"$W/buy.wrk"
read -r buy_rate buy_bad <<<"$(rate "$W/buy.wrk")"
buy_total=$(awk '/requests in/ { print $1 }' "$W/buy.wrk")
# durable: kill -9, then every answered trade must be in the ledger
kill -9 $SERVER
{ wait $SERVER; } 2>/dev/null
ledger=$(sqlite3 "$W/wallet.db" "SELECT COUNT(*) FROM ledger WHERE kind = 'buy'")
check=$(wallet-server --db "$W/wallet.db" check)
awk -v b="$buy_rate" -v i="$info_rate" -v bad="$buy_bad" -v ib="$info_bad" 'BEGIN {
	printf "wallet-server: %.0f trades/s durable with 16 clients (target 2000: %s), %.2fx the rate of read-only info/ (%.0f/s); non-2xx: %d trades, %d infos\n",
	    b, (b >= 2000 ? "met" : "MISSED"), b / i, i, bad, ib
}'
echo "wallet-server: after kill -9: $ledger trades in the ledger for $buy_total answered (wrk may count a few unanswered at its deadline as sent); check: $check"

# client overhead: N orders one process each, wallet-buy vs curl
wallet-server --db "$W/wallet.db" --listen 127.0.0.1:"$PORT" --price 40000 2>>"$W/server.log" &
SERVER=$!
for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.05; done
N=${WALLET_BENCH_ORDERS:-200}
export WALLET_API=http://127.0.0.1:$PORT/ WALLET_USER_ID=b1 WALLET_ACCESS_KEY_FILE=$W/b1.key
export KEY
# the same request, with a fresh order id each time, both ways; the runs
# alternate so that a busy moment of the machine hits both alike
BENCH_RUNS=1
tb="" tc=""
for r in 1 2 3 4 5; do
	tb="$tb $(bench_time "for i in \$(seq $N); do wallet-buy 0.00001 || exit 1; done")"
	tc="$tc $(bench_time "for i in \$(seq $N); do curl -sf \"http://127.0.0.1:$PORT/buy/?amount=0.00001&user_id=b1&access_key=\$KEY&order_id=c$r-\$i\" || exit 1; done")"
done
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
t_buy=$(median $tb)
t_curl=$(median $tc)
t_true=$(bench_time "for i in \$(seq $N); do /bin/true; done")
awk -v b="$t_buy" -v c="$t_curl" -v f="$t_true" -v n="$N" 'BEGIN {
	printf "wallet-buy: %.2fx curl'\''s wall time per order (target 1.5: %s), %.1fx a bare process start; curl %.1fx\n",
	    b / c, (b / c <= 1.5 ? "met" : "MISSED"), b / f, c / f
}'
kill -TERM $SERVER
wait $SERVER
