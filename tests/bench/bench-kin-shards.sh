#!/bin/bash
# Many shards behind a slow link: kin-read following a 64-shard stream
# through a proxy that holds every request 30 ms (tests/e2e/
# kin-delayproxy.js), while a feeder puts 160 records a second straight
# into kinesalite. The figure is how long a record waited between being
# put and being written by kin-read: median, 95th percentile (the target:
# under 0.5 s) and worst, against the floor of the same run, a one-shard
# stream behind the same proxy. KIN_READ_BEFORE=PATH measures another
# kin-read binary the same way (the one before a change, say).
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'kill $kin_pid $px_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
for v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export HOME=$T AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret-not-real
export AWS_REGION=us-west-2 AWS_EC2_METADATA_DISABLED=true
SECONDS_FED=${BENCH_FEED_SECONDS:-12}

node "$KP_ROOT/examples/local-kinesis.js" >"$T/port" &
kin_pid=$!
while [ ! -s "$T/port" ]; do sleep 0.05; done
port=$(cat "$T/port")
node "$KP_ROOT/tests/e2e/kin-delayproxy.js" --target "$port" --delay 30 >"$T/pxport" &
px_pid=$!
while [ ! -s "$T/pxport" ]; do sleep 0.05; done
px=http://127.0.0.1:$(cat "$T/pxport")
node "$KP_ROOT/tests/e2e/kin-admin.js" "$port" create one 1
node "$KP_ROOT/tests/e2e/kin-admin.js" "$port" create many 64

# latency KIN_READ STREAM: "p50 p95 max received put" in seconds
latency() {
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	"$1" -s "$2" --from latest --endpoint-url "$px" >"$T/fifo" 2>"$T/err" &
	reader=$!
	python3 -c '
import sys, time, json
for line in sys.stdin:
    t = time.time() * 1000
    print(t - json.loads(json.loads(line)["data"])["t"])
' <"$T/fifo" >"$T/lat" &
	stamper=$!
	# time enough for every shard's iterator, even one at a time
	sleep 4
	put=$(node "$KP_ROOT/tests/bench/kin-feed.js" "$port" "$2" "$SECONDS_FED" 16)
	sleep 4
	kill -INT $reader
	wait $reader $stamper
	sort -n "$T/lat" | awk -v put="$put" '{ a[NR] = $1 } END {
		printf "%.3f %.3f %.3f %d %d\n", a[int(NR * 0.5 + 0.5)] / 1000, a[int(NR * 0.95 + 0.5)] / 1000, a[NR] / 1000, NR, put }'
}

report() {
	read -r f50 f95 fmax fn fput <<<"$2"
	read -r p50 p95 pmax pn pput <<<"$3"
	[ "$pn" = "$pput" ] || echo "bench: $1 wrote $pn of $pput records" >&2
	awk -v l="$1" -v a="$p50" -v b="$p95" -v c="$pmax" -v fb="$f95" 'BEGIN {
		printf "%s, 64 shards, 30 ms a request: put to written p50 %.3f s, p95 %.3f s (%.1fx the one-shard floor'"'"'s %.3f s; target under 0.5 s), max %.3f s\n", l, a, b, b / fb, fb, c }'
}

floor=$(latency "$BIN/kin-read" one)
now=$(latency "$BIN/kin-read" many)
report "kin-read" "$floor" "$now"
if [ -n "${KIN_READ_BEFORE:-}" ]; then
	bfloor=$(latency "$KIN_READ_BEFORE" one)
	before=$(latency "$KIN_READ_BEFORE" many)
	report "kin-read before ($KIN_READ_BEFORE)" "$bfloor" "$before"
fi
