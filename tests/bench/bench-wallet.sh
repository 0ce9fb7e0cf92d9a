#!/bin/bash
# wallet-server: trades/s sustained, durably (each answered only once its
# commit is synced to disk, syncs shared by group commit), with 16 parallel
# keep-alive clients on loopback (wrk, every request a new trade with a
# unique order id), as a ratio to the same server's read-only info/ rate;
# then wallet-buy's wall time per order against curl sending the same
# request. Targets: 5,000 trades/s; wallet-buy within 1.5x of curl. The
# sync's cost is the disk's: on a disk busy with other work the rate
# falls with it.
. "$(dirname "$0")/lib.sh"

command -v wrk >/dev/null || { echo "bench-wallet: wrk missing (mk/deps.sh installs it)"; exit 1; }
W=$BENCH_DIR/wallet
rm -rf "$W"
mkdir -p "$W"
wallet-server --db "$W/wallet.db" user add b1 --euro 1000000000000 --key-file "$W/b1.key"
# serve on a free port; the server prints its address once it listens
serve() {
	: >"$W/url"
	wallet-server --db "$W/wallet.db" --listen 127.0.0.1:"${PORT:-0}" --price 40000 \
	    >"$W/url" 2>>"$W/server.log" &
	SERVER=$!
	for i in $(seq 200); do grep -q / "$W/url" && break; sleep 0.05; done
	PORT=$(sed 's|^http://127.0.0.1:\([0-9]*\)/$|\1|' "$W/url")
}
serve
trap 'kill -9 $SERVER 2>/dev/null' EXIT
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
	printf "wallet-server: %.0f trades/s durable with 16 clients (target 5000: %s), %.2fx the rate of read-only info/ (%.0f/s); non-2xx: %d trades, %d infos\n",
	    b, (b >= 5000 ? "met" : "MISSED"), b / i, i, bad, ib
}'
echo "wallet-server: after kill -9: $ledger trades in the ledger for $buy_total answered (wrk may count a few unanswered at its deadline as sent); check: $check"

# client overhead: N orders one process each, wallet-buy vs curl
serve
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
