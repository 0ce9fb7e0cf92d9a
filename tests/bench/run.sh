#!/bin/sh
# make bench: run every tests/bench/bench-*.sh (or those named).
set -u
cd "$(dirname "$0")"
status=0
for b in ${*:-$(ls bench-*.sh 2>/dev/null)}; do
	echo "== $b"
	bash "$b" || status=1
done
exit $status
