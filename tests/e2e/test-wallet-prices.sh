#!/bin/bash
# wallet-server --prices FILE follows FILE as tail -F does: a file that does
# not exist yet is waited for, appended lines move the price, a partial
# line waits for its end, truncation and rename-and-replace start over, a
# file removed is waited for again. --price-field prices from window-avg's
# table: its newest window by end time, wherever its row is. Bad records
# are told on stderr ten times, then counted. Every expected price is
# written here by hand or computed by python from the records.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wallet-lib.sh"

DB=$T/wallet.db
ws_user "$DB" g7 1000000
F=$T/rates.ndjson

# price_is EURO: the page shows that price (10 s at most)
price_is() {
	i=0
	until curl -s "$WS_URL" | grep -qF "<b id=\"price\">$1</b>"; do
		[ $i -ge 200 ] && return 1
		sleep 0.05
		i=$((i + 1))
	done
}
# log_has TEXT: the server's stderr holds TEXT (10 s at most)
log_has() {
	i=0
	until grep -qF -- "$1" "$T/$ws_name.log"; do
		[ $i -ge 200 ] && return 1
		sleep 0.05
		i=$((i + 1))
	done
}
# buy_at ID: one small buy; prints the price it got
buy_at() {
	wallet-buy 0.001 --order-id "$1" | sed -n 's/.*"price":\([0-9.]*\),.*/\1/p'
}

# --- a file that does not exist yet
ws_start follow "$DB" --prices "$F"
export WALLET_API=$WS_URL WALLET_USER_ID=g7 WALLET_ACCESS_KEY_FILE=$T/g7.key
ok "missing file: said on stderr" log_has "wallet-server: $F: does not exist (yet): waiting for it"
api "missing file: no price yet" "buy/?amount=0.001&user_id=g7&access_key=$(cat "$T/g7.key")" 503 '{"error":"no price yet"}'
printf '{"euro_rate":40000}\n{"euro_rate":41000}\n' >"$F"
ok "created: the last line's price" price_is 41000.00
ok "created: said on stderr" log_has "wallet-server: $F: appeared: following it"
is "created: a trade at 41000" "$(buy_at t1)" 41000
# --- appends
printf '{"euro_rate":42000.5}\n' >>"$F"
ok "appended: 42000.50" price_is 42000.50
is "appended: a trade at 42000.5" "$(buy_at t2)" 42000.5
# a line in two writes is one record: the first half alone is no record
printf '{"euro_rate":43' >>"$F"
printf '000}\n' >>"$F"
ok "a line written in two parts: 43000" price_is 43000.00
# --- truncation, then new lines from the start
: >"$F"
ok "truncated: said on stderr" log_has "wallet-server: $F: truncated: reading it from the start"
is "truncated: the price stays" "$(buy_at t3)" 43000
printf '{"euro_rate":30000}\n' >>"$F"
ok "after truncation: 30000" price_is 30000.00
# --- rename and replace, as window-avg writes its table
printf '{"euro_rate":31000}\n{"euro_rate":31500}\n' >"$T/new.ndjson"
mv "$T/new.ndjson" "$F"
ok "replaced: 31500" price_is 31500.00
is "replaced: a trade at 31500" "$(buy_at t4)" 31500
# --- removed: waited for again; the price stays until it is back
rm "$F"
ok "removed: said on stderr" log_has "wallet-server: $F: gone: waiting for it to come back"
is "removed: the price stays" "$(buy_at t5)" 31500
printf '{"euro_rate":32000}\n' >"$F"
ok "back: 32000" price_is 32000.00
is "nothing was a bad record" "$(grep -c 'record ignored' "$T/follow.log")" 0
kill -TERM "$WS_PID"
wait "$WS_PID"
is "SIGTERM: exit 0" "$?" 0

# --- window-avg's table: --price-field window_avg_euro_rate, the newest
# window by end time
TBL=$T/bitcoin_window.ndjson
WA="window-avg --time timestamp --window 10m --slide 5m --window-column time_window --avg euro_rate=window_avg_euro_rate --mode complete --table $TBL"
printf '{"timestamp":"2024-01-01T00:01:00Z","euro_rate":40000}\n{"timestamp":"2024-01-01T00:07:00Z","euro_rate":41000}\n{"timestamp":"2024-01-01T00:12:00Z","euro_rate":43000}\n' >"$T/ticks1"
$WA <"$T/ticks1" >/dev/null
# the windows ending latest: [00:10, 00:20) holds only 43000
want=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("%.2f" % max(rows, key=lambda r: r["time_window"]["end"])["window_avg_euro_rate"])' "$TBL")
is "table: python finds the newest window" "$want" 43000.00
ws_start table "$DB" --prices "$TBL" --price-field window_avg_euro_rate
ok "table: priced at the newest window ($want)" price_is "$want"
# window-avg rewrites the table whole: more records, a newer window
printf '{"timestamp":"2024-01-01T00:16:00Z","euro_rate":44000}\n{"timestamp":"2024-01-01T00:17:00Z","euro_rate":44500}\n' >"$T/ticks2"
cat "$T/ticks1" "$T/ticks2" | $WA >/dev/null
want=$(python3 -c '
import json, sys
from decimal import Decimal
rows = [json.loads(l, parse_float=Decimal) for l in open(sys.argv[1])]
end = max(r["time_window"]["end"] for r in rows)
# from the records: the window [end - 10 min, end)
import datetime as dt
e = dt.datetime.fromisoformat(end.replace("Z", "+00:00"))
recs = [json.loads(l, parse_float=Decimal) for f in sys.argv[2:] for l in open(f)]
vals = [r["euro_rate"] for r in recs if e - dt.timedelta(minutes=10) <= dt.datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")) < e]
print("%.2f" % (sum(vals) / len(vals)))' "$TBL" "$T/ticks1" "$T/ticks2")
is "table rewritten: python's average of the newest window" "$want" 44250.00
ok "table rewritten: priced at it" price_is "$want"
# the newest window first and an older one last: the row's place does not
# matter, the window's end does
printf '%s\n' '{"time_window":{"start":"2024-01-01T01:00:00Z","end":"2024-01-01T01:10:00Z"},"window_avg_euro_rate":45000}' \
    '{"time_window":{"start":"2024-01-01T00:50:00Z","end":"2024-01-01T01:00:00Z"},"window_avg_euro_rate":1}' >"$T/tbl.tmp"
mv "$T/tbl.tmp" "$TBL"
ok "table: the newest window, not the last row" price_is 45000.00
# a window that ends before the one in force, appended, is no newer price
printf '%s\n' '{"time_window":{"start":"2024-01-01T00:40:00Z","end":"2024-01-01T00:50:00Z"},"window_avg_euro_rate":2}' \
    '{"time_window":{"start":"2024-01-01T01:05:00Z","end":"2024-01-01T01:15:00Z"},"window_avg_euro_rate":46000}' >>"$TBL"
ok "appended windows: the newest one's price" price_is 46000.00
kill -TERM "$WS_PID"
wait "$WS_PID"

# --- bad records: ten told, then counted; the good ones still count
{
	echo 'not json'
	echo '[1]'
	echo '{"euro_rate":"40000"}'
	echo '{"euro_rate":-1}'
	echo '{"euro_rate":0}'
	echo '{"euro_rate":1e10}'
	echo '{"euro_rate":null}'
	echo '{"rate":40000}'
	echo '{"time_window":{"start":"x","end":"yesterday"},"euro_rate":40000}'
	echo '{"euro_rate":'
	echo '{"euro_rate":39000}'
	for i in 1 2 3 4 5; do echo "bad $i"; done
} >"$F"
ws_start bad "$DB" --prices "$F"
ok "bad records: the good one's price" price_is 39000.00
ok "bad records: the count on the page" sh -c "curl -s '$WS_URL' | grep -qF '<span id=\"bad\">15</span> bad records ignored'"
kill -TERM "$WS_PID"
wait "$WS_PID"
# the parsers' own words for lines 9 and 10 are not this test's business
sed -e 's/\(:9: bad window end: \).*\(: record ignored\)$/\1...\2/' \
    -e 's/\(:10: not JSON: \).*\(: record ignored\)$/\1...\2/' "$T/bad.log" >"$T/bad.seen"
is "bad records: ten told, then one line, then the count at exit" "$(cat "$T/bad.seen")" \
"wallet-server: $F:1: not JSON: '[' or '{' expected near 'not': record ignored
wallet-server: $F:2: not an object: record ignored
wallet-server: $F:3: no numeric euro_rate: record ignored
wallet-server: $F:4: euro_rate out of range: record ignored
wallet-server: $F:5: euro_rate out of range: record ignored
wallet-server: $F:6: euro_rate out of range: record ignored
wallet-server: $F:7: no numeric euro_rate: record ignored
wallet-server: $F:8: no numeric euro_rate: record ignored
wallet-server: $F:9: bad window end: ...: record ignored
wallet-server: $F:10: not JSON: ...: record ignored
wallet-server: $F: 10 bad price records: any more are counted, not shown
wallet-server: $F: 15 bad price records of 16, 5 of them not shown"

# --- usage errors
t "--price-field without --prices" 2 "" "" wallet-server --db "$DB" --price 1 --price-field x
is "--price-field without --prices: message" "$(tail -n 1 "$ERR")" "wallet-server: --price-field goes with --prices"
t "--price-field empty" 2 "" "" wallet-server --db "$DB" --prices "$F" --price-field ''
is "--price-field empty: message" "$(tail -n 1 "$ERR")" "wallet-server: --price-field: empty"
finish
