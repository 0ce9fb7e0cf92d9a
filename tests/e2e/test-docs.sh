#!/bin/bash
# What every tool promises alike (kinpipe(7)) and the documents that
# come with them: --help, --version, a bad option, a man page per tool that
# mandoc finds clean, kinpipe(7) and its EXAMPLES, the README's two
# commands, make install/uninstall, no citation of a file outside the tree.
. "$(dirname "$0")/lib.sh"

tools=$(cd "$KP_ROOT/tools" && ls *.c | sed 's/\.c$//')
for tool in $tools; do
	t "$tool: --version" 0 "$tool 0.1.0" "" "$tool" --version
	run "" "$tool" --help
	is "$tool: --help exits 0" "$rc" 0
	like "$tool: --help starts with usage" "$(head -n 1 "$OUT")" "usage: $tool*"
	ok "$tool: --help fits a terminal (80 columns)" awk 'length > 80 { exit 1 }' "$OUT"
	run "" "$tool" --no-such-option
	is "$tool: a bad option exits 2" "$rc" 2
	like "$tool: a bad option prints usage and the reason" "$(cat "$ERR")" "usage: $tool*
$tool: *"
	is "$tool: nothing on stdout for a bad option" "$(cat "$OUT")" ""
	ok "$tool: has a man page" [ -f "$KP_ROOT/man/$tool.1" ]
	ok "$tool: its man page has EXIT STATUS and EXAMPLES" sh -c \
		"grep -q '^.Sh EXIT STATUS' '$KP_ROOT/man/$tool.1' && grep -q '^.Sh EXAMPLES' '$KP_ROOT/man/$tool.1'"
	if command -v mandoc >/dev/null; then
		is "$tool: mandoc -Tlint finds nothing" \
			"$(mandoc -Tlint -Wwarning "$KP_ROOT/man/$tool.1" 2>&1)" ""
	fi
done

# every page points to the contract they share, in SEE ALSO
for page in "$KP_ROOT"/man/*.1; do
	name=$(basename "$page")
	ok "$name: SEE ALSO names kinpipe(7)" sh -c \
		"sed -n '/^\.Sh SEE ALSO/,/^\.Sh /p' '$page' | grep -q '^\.Xr kinpipe 7'"
done
ok "kinpipe.7: has EXIT STATUS and EXAMPLES" sh -c \
	"grep -q '^.Sh EXIT STATUS' '$KP_ROOT/man/kinpipe.7' && grep -q '^.Sh EXAMPLES' '$KP_ROOT/man/kinpipe.7'"
if command -v mandoc >/dev/null; then
	is "kinpipe.7: mandoc -Tlint finds nothing" \
		"$(mandoc -Tlint -Wwarning "$KP_ROOT/man/kinpipe.7" 2>&1)" ""
fi

# kinpipe(7)'s EXAMPLES, run as written, one after another in one empty
# directory: each command exits 0 and prints (stdout and stderr) exactly
# what the page shows under it. The page's figures were worked out by
# hand; the averages are checked once more against awk below.
n=$(man_commands kinpipe.7 "$T/k7")
ok "kinpipe.7: EXAMPLES found" [ "$n" -ge 10 ]
mkdir "$T/k7run"
i=0
while [ $i -lt "$n" ]; do
	i=$((i + 1))
	(cd "$T/k7run" && sh "$T/k7/$i.sh") >"$T/k7/$i.got" 2>&1
	is "kinpipe.7 example $i: exit status" "$?" 0
	is "kinpipe.7 example $i: prints what the page shows ($(head -n 1 "$T/k7/$i.sh"))" \
		"$(cat "$T/k7/$i.got")" "$(cat "$T/k7/$i.want")"
done
# the windows' averages from the records themselves (5-minute windows)
want=$(grep . "$T/k7run/ticks.ndjson" | awk -F'"' '{
	    w = int((substr($4, 12, 2) * 60 + substr($4, 15, 2)) / 5)
	    v = $7; gsub(/[:,]/, "", v); s[w] += v; c[w]++ }
	END { for (w in s) printf "%d %.2f\n", w, s[w] / c[w] }' | sort -n)
is "kinpipe.7 examples: averages as computed by awk" "$want" "0 40000.75
1 39999.75"
like "kinpipe.7 examples: the page shows those averages" "$(cat "$T/k7/3.want")" \
	'*"end":"2024-01-01T00:05:00Z"},"avg(euro_rate)":40000.75}*"end":"2024-01-01T00:10:00Z"},"avg(euro_rate)":39999.75}'

# no file cites a document that is not in the tree (the pattern is split
# so that this file does not match itself)
cited=$(cd "$KP_ROOT" && grep -rIl --exclude-dir=.git --exclude-dir=node_modules \
	-e 'CONVENT''IONS' -e 'FAC''TS[.]md' . 2>/dev/null)
is "no file mentions the out-of-tree notes" "$cited" ""

first_screen=$(head -n 24 "$KP_ROOT/README.md")
like "README's first screen gives make demo" "$first_screen" "*    make demo*"
like "README's first screen gives make check" "$first_screen" "*    make check*"
ok ".ci/run runs make check" grep -q 'make check' "$KP_ROOT/.ci/run"

# make install / uninstall into a staging root; once, in the plain build
# (the sanitizer pass builds elsewhere and must not rebuild bin/).
if [ -z "${KP_SANITIZED:-}" ]; then
	make -s -C "$KP_ROOT" install DESTDIR="$T/stage" PREFIX=/opt/kp >"$T/install.out" 2>&1
	is "make install: exit status" "$?" 0
	for tool in $tools; do
		ok "make install: $tool is installed, executable" [ -x "$T/stage/opt/kp/bin/$tool" ]
		ok "make install: $tool.1 is installed" [ -f "$T/stage/opt/kp/share/man/man1/$tool.1" ]
	done
	ok "make install: kinpipe.7 is installed" [ -f "$T/stage/opt/kp/share/man/man7/kinpipe.7" ]
	is "installed tools run" "$("$T/stage/opt/kp/bin/window-avg" --version)" "window-avg 0.1.0"
	make -s -C "$KP_ROOT" uninstall DESTDIR="$T/stage" PREFIX=/opt/kp >/dev/null 2>&1
	is "make uninstall leaves no file behind" "$(find "$T/stage" -type f | wc -l)" 0
fi
# The README's two "last hour" programs, as written, on a table of
# 2024-01-01 (14 windows sliding by 5 minutes, the last at 40440): relative
# to now none started in the last hour (null, not jq's "cannot be
# divided"); of event time the last 11 (starts >= the newest end - 1 h).
for i in $(seq 0 13); do
	printf '{"time_window":{"start":"%s","end":"%s"},"window_avg_euro_rate":%s}\n' \
		"$(date -u -d "@$((1704067200 + i * 300))" +%Y-%m-%dT%H:%M:%SZ)" \
		"$(date -u -d "@$((1704067200 + i * 300 + 600))" +%Y-%m-%dT%H:%M:%SZ)" \
		"$([ "$i" = 13 ] && echo 40440 || echo 40000)"
done >"$T/bitcoin_window.ndjson"
awk '/^    jq -s/ { n++; on = 1 } on && !/^    / { on = 0 } on { sub(/^    /, ""); print > (dir "/readme-hour" n ".sh") }' \
	dir="$T" "$KP_ROOT/README.md"
ok "README: two last-hour programs" test -f "$T/readme-hour2.sh" -a ! -f "$T/readme-hour3.sh"
is "README: last hour relative to now, on an old table: null" "$(cd "$T" && sh readme-hour1.sh 2>&1)" null
is "README: last hour of event time: (10 x 40000 + 40440) / 11" "$(cd "$T" && sh readme-hour2.sh 2>&1)" 40040

finish
