#!/bin/sh
# Run each Check suite; print one closing tally over all of them.
set -u
pass=0 fail=0
for t in "$@"; do
	if out=$("$t" 2>&1); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf '%s\n' "$out" | tail -n 30
		echo "FAIL: $t"
	fi
	printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks' | sed "s|^|$(basename "$t"): |"
	# a case that cannot run here says so on a line of its own
	printf '%s\n' "$out" | grep -E '^[a-z_]+: skip: ' || :
done
echo "unit suites: $pass passed, $fail failed"
[ "$fail" = 0 ]
