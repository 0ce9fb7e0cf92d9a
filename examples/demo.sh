#!/bin/sh
# make demo: the whole notebook as a pipeline, on this machine only.
#
# Starts a local Kinesis server (kinesalite) and the wallet simulator on
# 127.0.0.1, creates the bitcoin-info stream with 4 shards, feeds it the
# last day of bitcoin-info records (one a minute, up to the last five
# minutes before now, so that the notebook's "last 60 minutes before now"
# has windows) with kin-put, then runs
# examples/notebook.sh. LIVE=1 then keeps a live feed (one record a
# second) flowing through the pipeline, the table updating, until Ctrl-C.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/demo-out}
PATH=${KP_BIN:-$ROOT/bin}:$PATH
export PATH OUT
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"

pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT
# Ctrl-C: in LIVE mode the way to stop, so a clean end (status 0); before
# that an interruption, which ends the demo as SIGINT ends any program
interrupted() {
	trap - INT TERM
	if [ -n "${live_running:-}" ]; then
		say "stopped; the wallet server and the pipeline are stopped too"
		exit 0
	fi
	say "interrupted"
	cleanup
	trap - EXIT
	kill -INT $$
}
trap interrupted INT TERM

say() { printf '%s\n' "demo: $*"; }

# Local servers need some credentials to sign with; they do not check them.
AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo-secret AWS_REGION=us-west-2
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION

node "$ROOT/examples/local-kinesis.js" >"$OUT/kinesis.port" 2>"$OUT/kinesis.log" &
pids="$pids $!"
i=0
until [ -s "$OUT/kinesis.port" ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:$(head -n 1 "$OUT/kinesis.port")
export AWS_ENDPOINT_URL_KINESIS
say "Kinesis (kinesalite) on $AWS_ENDPOINT_URL_KINESIS"

/usr/bin/aws kinesis create-stream --endpoint-url "$AWS_ENDPOINT_URL_KINESIS" \
	--stream-name bitcoin-info --shard-count 4
/usr/bin/aws kinesis wait stream-exists --endpoint-url "$AWS_ENDPOINT_URL_KINESIS" \
	--stream-name bitcoin-info
python3 "$ROOT/examples/gen-bitcoin.py" --count 1440 --step 60 \
	--start "$(date -u -d "@$(( $(date +%s) / 300 * 300 - 86400 ))" +%Y-%m-%dT%H:%M:%S)" \
	>"$OUT/feed.ndjson"
kin-put --stream bitcoin-info <"$OUT/feed.ndjson" >"$OUT/put-results.ndjson"
say "fed $(wc -l <"$OUT/put-results.ndjson") records (the last day, one a minute) into bitcoin-info"

# The wallet simulator, priced at the stream's latest euro rate.
wallet-server --db "$OUT/wallet.db" user add demo --euro 100000 >"$OUT/access-key"
chmod 600 "$OUT/access-key"
WALLET_PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
tail -n 1 "$OUT/feed.ndjson" |
	wallet-server --db "$OUT/wallet.db" --listen "127.0.0.1:$WALLET_PORT" --prices - \
	2>"$OUT/wallet-server.log" &
pids="$pids $!"
WALLET_API=http://127.0.0.1:$WALLET_PORT/ WALLET_USER_ID=demo
WALLET_ACCESS_KEY_FILE=$OUT/access-key
export WALLET_API WALLET_USER_ID WALLET_ACCESS_KEY_FILE
i=0
until curl -s -o /dev/null "${WALLET_API}info/?user_id=demo" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
say "wallet simulator on $WALLET_API (its page: $WALLET_API)"

sh "$ROOT/examples/notebook.sh"

if [ -n "${LIVE:-}" ]; then
	live_running=1
	SCHEMA='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'
	say "LIVE: one record a second into bitcoin-info; the pipeline keeps $OUT/bitcoin_window.ndjson and $OUT/bitcoin.db current, and the wallet page stays up at $WALLET_API. Ctrl-C to stop."
	python3 "$ROOT/examples/gen-bitcoin.py" --live | kin-put --stream bitcoin-info >/dev/null &
	pids="$pids $!"
	kin-read --stream bitcoin-info --from earliest |
		json-project --field data --schema "$SCHEMA" |
		ts-parse --field timestamp --format "yyyy-MM-dd'T'HH:mm:ss" |
		window-avg --time timestamp --window '10 minutes' --slide '5 minutes' \
			--window-column time_window --schema "$SCHEMA" \
			--avg euro_rate=window_avg_euro_rate --mode complete \
			--table "$OUT/bitcoin_window.ndjson" \
			--sqlite "$OUT/bitcoin.db" --query-name bitcoin_window &
	pids="$pids $!"
	# the newest window, as the table changes
	while sleep 5; do
		sqlite3 -cmd '.timeout 5000' "$OUT/bitcoin.db" \
			'select start, end, window_avg_euro_rate from bitcoin_window order by start desc limit 1'
	done
fi

say "done. Files in $OUT: bitcoin_window.ndjson and bitcoin.db (the table), bitcoin_window.png (the chart), wallet.db, logs"
say "the servers are stopped now (the wallet page at $WALLET_API with them); make demo LIVE=1 keeps them up, with a live feed, until Ctrl-C"
