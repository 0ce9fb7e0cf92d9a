#!/bin/bash
# Enhanced fan-out against polling, on kinesis-mock (npm's kinesis-local,
# bound to 127.0.0.1 on a copy of its main.js): kin-read --consumer and
# kin-read polling each read the same 40,000 records of a 4-shard stream to
# the end (-e), records a second and CPU microseconds per record (kin-read's
# own user + system time), against the floor of the same run, cat of the
# output. kinesis-mock pushes an event a second per subscription (up to
# 10,000 records each): the wall time of --consumer is the mock's cadence,
# its CPU per record is kin-read's.
. "$(dirname "$0")/lib.sh"
n=${BENCH_FANOUT_RECORDS:-40000}
T=$(mktemp -d)
trap 'kill $km_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
for v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export HOME=$T AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret-not-real
export AWS_REGION=us-west-2 AWS_EC2_METADATA_DISABLED=true

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
cp "$KP_ROOT/node_modules/kinesis-local/main.js" "$KP_ROOT/node_modules/kinesis-local/server.json" "$T/" ||
	{ echo "bench: kinesis-local is not installed (make deps)" >&2; exit 1; }
sed -i 's/Host\$()\.em("0\.0\.0\.0")/Host$().em("127.0.0.1")/' "$T/main.js"
grep -q 'Host\$()\.em("0\.0\.0\.0")' "$T/main.js" && { echo "bench: kinesis-mock would bind 0.0.0.0" >&2; exit 1; }
port=$(free_port)
(cd "$T" && KINESIS_MOCK_PLAIN_PORT=$port KINESIS_MOCK_TLS_PORT=$(free_port) LOG_LEVEL=ERROR \
	AWS_REGION=$AWS_REGION CREATE_STREAM_DURATION=50ms REGISTER_STREAM_CONSUMER_DURATION=200ms \
	exec node main.js) >"$T/km.log" 2>&1 &
km_pid=$!
i=0
until (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; do
	sleep 0.2
	i=$((i + 1))
	[ $i -lt 300 ] || { echo "bench: kinesis-mock did not start" >&2; exit 1; }
done
ep=http://127.0.0.1:$port
node "$KP_ROOT/tests/e2e/kin-admin.js" "$port" create bench 4
data=$(bench_data bitcoin-$n --count "$n")
bench_say "putting $n records into kinesis-mock"
kin-put -s bench --endpoint-url "$ep" <"$data" >/dev/null || { echo "bench: kin-put failed" >&2; exit 1; }

# run NAME ARGS...: wall seconds, then CPU seconds, of kin-read ARGS
k=0
run() {
	s=$(date +%s.%N)
	/usr/bin/time -f '%U %S' -o "$T/cpu" kin-read -s bench --from earliest -e --endpoint-url "$ep" "$@" >"$T/out" 2>"$T/err" ||
		{ echo "bench: kin-read $* failed: $(tail -n 2 "$T/err")" >&2; exit 1; }
	e=$(date +%s.%N)
	[ "$(wc -l <"$T/out")" = "$n" ] || echo "bench: kin-read $* wrote $(wc -l <"$T/out") of $n" >&2
	read -r cu cs <"$T/cpu"
	echo "$(echo "$e - $s" | bc -l) $(echo "$cu + $cs" | bc -l)"
}
read -r poll_t poll_cpu <<<"$(run)"
k=$((k + 1))
read -r fan_t fan_cpu <<<"$(run --consumer "bench-$$-$k")"
cat_t=$(bench_time "cat '$T/out'")
awk -v n="$n" -v pt="$poll_t" -v pc="$poll_cpu" -v ft="$fan_t" -v fc="$fan_cpu" -v ct="$cat_t" 'BEGIN {
	printf "kin-read on kinesis-mock, %d records, 4 shards (floor: cat of the output, %.0f records/s)\n", n, n / ct
	printf "  polling:    %8.0f records/s (%.4fx the floor), CPU %.2f us/record\n", n / pt, ct / pt, pc / n * 1e6
	printf "  --consumer: %8.0f records/s (%.4fx the floor), CPU %.2f us/record (%.2fx polling'"'"'s)\n", n / ft, ct / ft, fc / n * 1e6, fc / pc
}'
