#!/bin/sh
# Run every end-to-end test script (tests/e2e/test-*.sh), or those named,
# and print one closing tally.
set -u
cd "$(dirname "$0")"
pass=0 fail=0 failed=""
scripts=${*:-$(ls test-*.sh)}
# A script that hangs (a tool that missed its signal, a server that never
# answered) ends after E2E_SCRIPT_LIMIT seconds as a failure with its
# output, rather than holding the suite, and CI, until they are killed:
# timeout(1) signals the script's whole process group, the tools and
# servers it started included. The limit is generous: the whole suite,
# every script, runs in about twelve minutes on two CPUs.
limit=${E2E_SCRIPT_LIMIT:-1200}
for s in $scripts; do
	out=$(timeout -k 30 "$limit" bash "$s" 2>&1)
	status=$?
	[ "$status" != 124 ] || out="$out
FAIL $s: still running after $limit s: stopped"
	printf '%s\n' "$out" | grep -v '^ok ' | grep -E 'FAIL|    |passed' || true
	p=$(printf '%s\n' "$out" | sed -n 's/.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p' | tail -n 1)
	pass=$((pass + ${p:-0}))
	if [ "$status" != 0 ] && [ "${f:-0}" = 0 ]; then
		f=1	# died before its tally: count the script as one failure
		printf 'FAIL %s: exited %s before finishing\n%s\n' "$s" "$status" "$(printf '%s\n' "$out" | tail -n 15)"
	fi
	fail=$((fail + ${f:-0}))
	[ "${f:-0}" = 0 ] || failed="$failed $s"
done
[ -z "$failed" ] || echo "failing scripts:$failed"
echo "e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
