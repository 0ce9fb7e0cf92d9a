#!/bin/bash
# The EXAMPLES of the wallet man pages, run as written, one after another
# in one shell (they build on each other: the server page starts the server
# the others use), inside a private network namespace so that the pages'
# 127.0.0.1:8080 is free whatever else runs on this machine.
. "$(dirname "$0")/lib.sh"

examples() {
	n=$(man_commands "$1.1" "$T/man-$1")
	i=0
	while [ $i -lt "$n" ]; do
		i=$((i + 1))
		cat "$T/man-$1/$i.sh"
	done
}
{
	echo 'ip link set lo up || exit 1'
	for page in wallet-server wallet-info wallet-buy wallet-sell; do
		examples "$page"
		# the server needs a moment before the first request
		[ "$page" = wallet-server ] && echo 'for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null && break; sleep 0.05; done'
	done
	echo 'kill $(jobs -p); wait'
} >"$T/examples.sh"
ok "examples found" test "$(grep -c wallet- "$T/examples.sh")" -ge 10
if [ "$(id -u)" = 0 ]; then ns="unshare -n"; else ns="unshare -rn"; fi
(cd "$T" && $ns bash examples.sh >"$T/got" 2>"$T/got.err")
is "examples exit 0" "$?" 0
# Figures by hand: 10000 euro; buy 0.01 and 0.001 at 40000 (400, 40 euro);
# selling 5 is refused; sell 0.001 (40) then 0.005 (200 euro).
want='ok: 1 wallets, 1 ledger entries, 0 orders
{"user_id":"g7","bitcoin":0,"euro":10000}
10000
{"user_id":"g7","order_id":"first-buy","trade_id":2,"side":"buy","amount":0.01,"price":40000,"value":400,"bitcoin":0.01,"euro":9600}
{"user_id":"g7","order_id":"dca-1","trade_id":3,"side":"buy","amount":0.001,"price":40000,"value":40,"bitcoin":0.011,"euro":9560}
{"order_id":"*","side":"sell","amount":5,"status":409,"error":"insufficient bitcoin (HTTP 409)"}
refused: 1
sold
{"user_id":"g7","order_id":"first-sale","trade_id":5,"side":"sell","amount":0.005,"price":40000,"value":200,"bitcoin":0.005,"euro":9800}'
like "examples print what the pages say" "$(cat "$T/got")" "$want"
like "refusal on stderr" "$(cat "$T/got.err")" "*wallet-sell: order *: rejected: insufficient bitcoin (HTTP 409)*"
ok "key file private" test "$(stat -c %a "$T/g7.key")" = 600
is "the address the server printed" "$(cat "$T/api.url")" "http://127.0.0.1:8080/"
ok "ledger after the examples" sh -c "wallet-server --db '$T/wallet.db' check >/dev/null"
finish
