#!/bin/bash
# What every tool promises alike (CONVENTIONS §2) and the documents that
# come with them: --help, --version, a bad option, a man page per tool that
# mandoc finds clean, the README's two commands, make install/uninstall.
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
	ok "$tool: its man page names kinpipe" grep -q kinpipe "$KP_ROOT/man/$tool.1"
	ok "$tool: its man page has EXIT STATUS and EXAMPLES" sh -c \
		"grep -q '^.Sh EXIT STATUS' '$KP_ROOT/man/$tool.1' && grep -q '^.Sh EXAMPLES' '$KP_ROOT/man/$tool.1'"
	if command -v mandoc >/dev/null; then
		is "$tool: mandoc -Tlint finds nothing" \
			"$(mandoc -Tlint -Wwarning "$KP_ROOT/man/$tool.1" 2>&1)" ""
	fi
done

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
	is "installed tools run" "$("$T/stage/opt/kp/bin/window-avg" --version)" "window-avg 0.1.0"
	make -s -C "$KP_ROOT" uninstall DESTDIR="$T/stage" PREFIX=/opt/kp >/dev/null 2>&1
	is "make uninstall leaves no file behind" "$(find "$T/stage" -type f | wc -l)" 0
fi
finish
