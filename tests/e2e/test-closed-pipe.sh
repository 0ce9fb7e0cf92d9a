#!/bin/bash
# When the reader of standard output goes away, every tool ends as cat
# does, by SIGPIPE (the shell's 141), after committing what it delivered
# and nothing more (kinpipe(7), "Signals and closed pipes").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"
. "$(dirname "$0")/wallet-lib.sh"

# gone NAME CMD...: run CMD (stdin from $T/.in) writing into a pipe whose
# reader has already left; sets $rc to CMD's status and $ERR to its stderr.
gone() {
	gone_name=$1
	shift
	(sleep 0.3; exec "$@" <"$T/.in" 2>"$ERR") | true
	rc=${PIPESTATUS[0]}
}

rec='{"data":"{\"t\":\"2024-01-01T00:00:07\",\"v\":1}","shardId":"s","sequenceNumber":"1"}'
printf '%s\n' "$rec" >"$T/.in"
gone jp json-project --schema 't STRING, v INT'
is "json-project: 141" "$rc" 141
gone tp ts-parse -f data
is "ts-parse: 141" "$rc" 141
printf '%s\n' '{"t":"2024-01-01T00:00:07Z"}' >"$T/.in"
gone wa window-avg -t t -w 1m --count '*=n' --state "$T/wa.state"
is "window-avg: 141" "$rc" 141

# kin-put: the records read are put, the results are what is lost; no
# input is read after the batch.
kin_server
admin create cp 1 >/dev/null
printf '{"i":1}\n{"i":2}\n{"i":3}\n' >"$T/.in"
gone kp kin-put -s cp -k k
is "kin-put: 141" "$rc" 141
is "kin-put: the batch in hand was put" "$(kin-read -s cp -o earliest -e | wc -l)" 3

# kin-read: the batch that could not be delivered is not committed, so a
# restart reads it again.
: >"$T/.in"
gone kr kin-read -s cp -o earliest -e --checkpoint "$T/ck.json"
is "kin-read: 141" "$rc" 141
kin-read -s cp -o earliest -e --resume-from "$T/ck.json" >"$T/again" 2>/dev/null
is "kin-read: a restart from the checkpoint reads the lost batch again" "$(wc -l <"$T/again")" 3
# a follower with nothing to write learns its reader left all the same
timeout 20 kin-read -s cp -o latest 2>/dev/null | true
is "kin-read following, nothing coming, its reader gone: 141" "${PIPESTATUS[0]}" 141

# wallet-buy: no order is placed whose answer could not be delivered.
DB=$T/wallet.db
ws_user "$DB" g7 1000
ws_start main "$DB" --price 40000
export WALLET_API=http://127.0.0.1:$WS_PORT/ WALLET_USER_ID=g7 WALLET_ACCESS_KEY_FILE=$T/g7.key
: >"$T/.in"
gone wb wallet-buy 0.001 --order-id first
is "wallet-buy: 141" "$rc" 141
like "wallet-buy: says the order was not placed" "$(cat "$ERR")" "wallet-buy: standard output closed by its reader: order first and those after it not placed"
api_get "history/?user_id=g7&access_key=$(cat "$T/g7.key")"
is "wallet-buy: the server saw no order" "$(printf '%s' "$body" | jq '[.. | objects | select(has("order_id"))] | length')" 0
gone wi wallet-info
is "wallet-info: 141" "$rc" 141

# Orders from a pipe to a reader that takes one answer and leaves: each
# answer is written as its trade is done, the tool stops within an order
# or two of the reader leaving (an answer written into the pipe before the
# reader closed it cannot be told from one read), names any order whose
# answer the write refused, and ends by SIGPIPE.
for i in $(seq 50); do printf '{"amount":0.00001,"order_id":"s%d"}\n' "$i"; done >"$T/orders"
# (orders 50 ms apart, as a feed sends them)
while read -r order; do printf '%s\n' "$order"; sleep 0.05; done <"$T/orders" |
	wallet-buy 2>"$T/stream.err" | head -n 1 >"$T/first"
rc=${PIPESTATUS[1]}
is "wallet-buy from a pipe, reader leaves after one answer: 141" "$rc" 141
api_get "history/?user_id=g7&access_key=$(cat "$T/g7.key")"
placed=$(printf '%s' "$body" | jq -r '.. | objects | select(has("order_id")) | .order_id' | sort -u)
answered=$(jq -r .order_id "$T/first")
ok "wallet-buy: the history lists the answered order" sh -c "printf '%s\n' '$placed' | grep -qx s1"
named=$(sed -n 's/.*order \(s[0-9]*\) was placed, but its answer.*/\1/p' "$T/stream.err")
is "wallet-buy: the first answer arrived" "$answered" s1
ok "wallet-buy: stopped soon after the reader left (10 of 50 orders at most)" test "$(printf '%s\n' "$placed" | wc -l)" -le 10
for id in $named; do
	ok "wallet-buy: order $id, named on stderr, was placed" sh -c "printf '%s\n' '$placed' | grep -qx '$id'"
done

finish
