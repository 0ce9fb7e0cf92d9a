#!/bin/bash
# The simulator's web page in headless Chromium: the wallets and the trades
# made through the API show up, euro amounts with two decimals and times to
# the second; the price and each wallet's value are drawn over time as
# inline SVG, read back here through the charts' own axis labels; a
# screenshot is kept under build/test-artifacts/.
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
printf '{"euro_rate":40000}\n' >"$T/rates.ndjson"
ws_start page "$DB" --prices "$T/rates.ndjson"
export WALLET_API=$WS_URL

# page_until TEXT: fetch the page until it holds TEXT (10 s at most)
page_until() {
	i=0
	until curl -s "$WS_URL" | grep -qF "$1"; do
		[ $i -ge 200 ] && return 1
		sleep 0.05
		i=$((i + 1))
	done
}
ok "the price is taken" page_until '<b id="price">40000.00</b>'
# alice: buys 0.1 (4000 euro) then sells 0.025 (1000 euro); bob buys 0.01 (400)
WALLET_USER_ID=alice WALLET_ACCESS_KEY_FILE=$T/alice.key wallet-buy 0.1 >/dev/null
WALLET_USER_ID=alice WALLET_ACCESS_KEY_FILE=$T/alice.key wallet-sell 0.025 >/dev/null
WALLET_USER_ID=bob WALLET_ACCESS_KEY_FILE=$T/bob.key wallet-buy 0.01 >/dev/null
# a second later (the chart keeps one price a second), the price moves
sleep 1.1
before=$(date -u +%s)
printf '{"euro_rate":44000}\n' >>"$T/rates.ndjson"
ok "the new price is taken" page_until '<b id="price">44000.00</b>'
after=$(date -u +%s)

browse() {
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking --disable-component-update \
	    --disable-sync --user-data-dir="$(mktemp -d "$T/profile.XXXXXX")" "$@" \
	    "$WS_URL" 2>>"$T/chromium.log"
}
browse --dump-dom >"$T/dom.html"
dom=$(tr -d '\n' <"$T/dom.html")
like "page title" "$dom" "*<title>kinpipe wallets</title>*"
like "page refreshes itself" "$dom" '*<meta http-equiv="refresh" content="2">*'
like "price shown with two decimals" "$dom" '*<b id="price">44000.00</b> euro per bitcoin, updated <b id="updated">*'
updated=$(printf '%s' "$dom" | sed -n 's/.*<b id="updated">\([^<]*\)<.*/\1/p')
like "updated: UTC to the second" "$updated" '20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z'
u=$(date -u -d "$updated" +%s)
ok "updated: when the new price was appended ($updated)" test "$before" -le "$u" -a "$u" -le "$after"
like "price source named" "$dom" "*(from <code>$T/rates.ndjson</code>, member <code>euro_rate</code>)*"
# alice: 0.075 BTC and 7000 euro, worth 7000 + 0.075 * 44000 = 10300
like "alice's wallet" "$dom" '*<tr><td class="id">alice</td><td>0.07500000</td><td>7000.00</td><td>10300.00</td></tr>*'
# bob: 0.01 BTC and 100 euro, worth 100 + 0.01 * 44000 = 540
like "bob's wallet" "$dom" '*<tr><td class="id">bob</td><td>0.01000000</td><td>100.00</td><td>540.00</td></tr>*'
like "trades newest first" "$dom" '*<td class="id">bob</td><td>buy</td><td>0.01000000</td><td>40000.00</td><td>400.00</td>*<td class="id">alice</td><td>sell</td><td>0.02500000</td><td>40000.00</td><td>1000.00</td>*<td class="id">alice</td><td>buy</td><td>0.10000000</td><td>40000.00</td><td>4000.00</td>*'
trade_times=$(printf '%s' "$dom" | grep -o '<tr class="[a-z]*"><td>[0-9]*</td><td>[^<]*</td>' | sed 's/.*<td>\([^<]*\)<\/td>$/\1/')
is "trade times: UTC to the second" "$(printf '%s\n' "$trade_times" | grep -c '^20[0-9-]*T[0-9:]*Z$')" 3
ok "no script on the page" sh -c "! grep -qi '<script' '$T/dom.html'"

# The charts, read as a person reads them: each path's height against the
# y axis's labels, its ends against the plot's edges. Expected values by
# hand: the price steps from 40000 to 44000; alice is worth 10000 until
# the price moves (buying and selling at the price changes no value), then
# 10300; bob 500, then 540.
python3 - "$T/dom.html" >"$T/charts" <<'EOF'
import re, sys
from html.parser import HTMLParser

class Charts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.svg = None
        self.charts = {}
        self.tick = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svg = a.get("id")
            self.charts[self.svg] = {"ticks": [], "paths": {}, "frame": None, "xticks": []}
        elif self.svg is None:
            return
        elif tag == "text" and a.get("class") in ("ytick", "xtick"):
            self.tick = (a["class"], a)
        elif tag == "rect" and a.get("class") == "frame":
            c = self.charts[self.svg]
            c["frame"] = (float(a["x"]), float(a["y"]), float(a["width"]), float(a["height"]))
        elif tag == "path" and a.get("class") == "series":
            self.charts[self.svg]["paths"][a["data-label"]] = a["d"]
    def handle_data(self, data):
        if self.tick:
            kind, a = self.tick
            c = self.charts[self.svg]
            if kind == "ytick":
                c["ticks"].append((float(data), float(a["y"]) - 4))
            else:
                c["xticks"].append(data)
            self.tick = None
    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None

def levels(d):
    """The heights a step path visits, and its first and last x."""
    xs, ys = [], []
    for cmd, num in re.findall(r"([MHV])([-0-9. ]+)", d):
        n = [float(v) for v in num.split()]
        if cmd == "M":
            xs.append(n[0]); ys.append(n[1])
        elif cmd == "H":
            xs.append(n[0])
        else:
            ys.append(n[0])
    return ys, xs[0], xs[-1]

p = Charts()
p.feed(open(sys.argv[1]).read())
for cid in ("price-chart", "value-chart"):
    c = p.charts[cid]
    (v0, y0), (v1, y1) = c["ticks"][0], c["ticks"][-1]
    per_px = (v1 - v0) / (y0 - y1)
    fx, fy, fw, fh = c["frame"]
    print("%s ticks %s" % (cid, " ".join("%.2f" % v for v, _ in c["ticks"])))
    print("%s xticks %s" % (cid, " ".join(c["xticks"])))
    for label in sorted(c["paths"]):
        ys, first_x, last_x = levels(c["paths"][label])
        vals = [v0 + (y0 - y) * per_px for y in ys]
        print("%s %s: %s; from %s to %s; px %.4g" % (cid, label,
              " ".join("%.2f" % v for v in vals),
              "left" if abs(first_x - fx) < 0.5 else first_x,
              "right" if abs(last_x - (fx + fw)) < 0.5 else last_x, per_px))
EOF
# near V1 V2 ... GOT: the levels a path visits, each within 0.2 pixel
# (the SVG's coordinates have one decimal)
near() {
	python3 -c '
import sys
want = [float(v) for v in sys.argv[1].split()]
line = sys.argv[2]
got = [float(v) for v in line.split(": ")[1].split(";")[0].split()]
px = float(line.rsplit("px ", 1)[1])
sys.exit(not (len(got) == len(want) and all(abs(g - w) <= 0.2 * px for g, w in zip(got, want))))' "$1" "$2"
}
line() { grep "^$1 $2:" "$T/charts"; }
ok "price chart: one line, 40000 then 44000 ($(line price-chart price))" near "40000 44000" "$(line price-chart price)"
ok "value chart: alice 10000 then 10300 ($(line value-chart alice))" near "10000 10300" "$(line value-chart alice)"
ok "value chart: bob 500 then 540 ($(line value-chart bob))" near "500 540" "$(line value-chart bob)"
is "value chart: one line per wallet" "$(grep -c '^value-chart [a-z]*:' "$T/charts")" 2
like "lines run from the left edge to now, the right edge" "$(line value-chart alice)$(line price-chart price)" \
    "*from left to right;*from left to right;*"
like "y axes labelled in euro with two decimals" "$(grep ' ticks ' "$T/charts")" \
    "price-chart ticks [0-9]*.[0-9][0-9] *
value-chart ticks [0-9]*.[0-9][0-9] *"
like "x axis labelled in UTC to the second" "$(grep 'price-chart xticks' "$T/charts")" \
    "price-chart xticks [0-2][0-9]:[0-5][0-9]:[0-5][0-9]*"

mkdir -p "$KP_ROOT/build/test-artifacts"
cp "$T/charts" "$KP_ROOT/build/test-artifacts/wallet-page-charts.txt"
SHOT=$KP_ROOT/build/test-artifacts/wallet-page.png
rm -f "$SHOT"
(cd "$T" && browse --screenshot="$SHOT" --window-size=1000,1100 >/dev/null)
ok "screenshot taken" test -s "$SHOT"
is "screenshot is a PNG" "$(head -c 8 "$SHOT" | od -An -c | tr -d ' ')" '211PNG\r\n032\n'
kill -TERM "$WS_PID"
wait "$WS_PID"
finish
