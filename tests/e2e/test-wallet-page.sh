#!/bin/bash
# The simulator's web page in headless Chromium: the wallets and the trades
# made through the API show up; a screenshot is kept under build/.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wallet-lib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	echo "test-wallet-page: $CHROMIUM missing (mk/deps.sh installs it)"
	exit 1
fi
DB=$T/wallet.db
ws_user "$DB" alice 10000
ws_user "$DB" bob 500
ws_start page "$DB" --price 40000
export WALLET_API=http://127.0.0.1:$WS_PORT/
# alice: buys 0.1 (4000 euro) then sells 0.025 (1000 euro); bob buys 0.01 (400)
WALLET_USER_ID=alice WALLET_ACCESS_KEY_FILE=$T/alice.key wallet-buy 0.1 >/dev/null
WALLET_USER_ID=alice WALLET_ACCESS_KEY_FILE=$T/alice.key wallet-sell 0.025 >/dev/null
WALLET_USER_ID=bob WALLET_ACCESS_KEY_FILE=$T/bob.key wallet-buy 0.01 >/dev/null

browse() {
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking --disable-component-update \
	    --disable-sync --user-data-dir="$(mktemp -d "$T/profile.XXXXXX")" "$@" \
	    "http://127.0.0.1:$WS_PORT/" 2>>"$T/chromium.log"
}
browse --dump-dom >"$T/dom.html"
dom=$(tr -d '\n' <"$T/dom.html")
like "page title" "$dom" "*<title>kinpipe wallets</title>*"
like "page refreshes itself" "$dom" '*<meta http-equiv="refresh" content="2">*'
like "price shown" "$dom" '*<b id="price">40000</b> euro per bitcoin*'
# alice: 0.075 BTC, 7000 euro, worth 7000 + 0.075 * 40000 = 10000
like "alice's wallet" "$dom" '*<tr><td class="id">alice</td><td>0.075</td><td>7000</td><td>10000</td></tr>*'
# bob: 0.01 BTC, 100 euro, worth 100 + 400 = 500
like "bob's wallet" "$dom" '*<tr><td class="id">bob</td><td>0.01</td><td>100</td><td>500</td></tr>*'
like "trades newest first" "$dom" '*<td class="id">bob</td><td>buy</td><td>0.01</td><td>40000</td><td>400</td>*<td class="id">alice</td><td>sell</td><td>0.025</td><td>40000</td><td>1000</td>*<td class="id">alice</td><td>buy</td><td>0.1</td><td>40000</td><td>4000</td>*'
mkdir -p "$KP_ROOT/build/test-artifacts"
SHOT=$KP_ROOT/build/test-artifacts/wallet-page.png
rm -f "$SHOT"
(cd "$T" && browse --screenshot="$SHOT" --window-size=1000,700 >/dev/null)
ok "screenshot taken" test -s "$SHOT"
is "screenshot is a PNG" "$(head -c 8 "$SHOT" | od -An -c | tr -d ' ')" '211PNG\r\n032\n'
kill -TERM "$WS_PID"
wait "$WS_PID"
finish
