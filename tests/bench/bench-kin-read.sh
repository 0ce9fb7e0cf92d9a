#!/bin/bash
# kin-read reading 100,000 records from kinesalite, against the AWS CLI
# (Debian's awscli, `aws kinesis get-records` in a loop) on the same stream
# in the same run, and kin-read's CPU time per record against the server's.
. "$(dirname "$0")/lib.sh"
n=${BENCH_RECORDS:-100000}
T=$(mktemp -d)
trap 'kill $kin_pid 2>/dev/null; rm -rf "$T"' EXIT
for v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
export HOME=$T AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret-not-real
export AWS_REGION=us-west-2 AWS_DEFAULT_REGION=us-west-2 AWS_PAGER= AWS_EC2_METADATA_DISABLED=true

node "$KP_ROOT/examples/local-kinesis.js" >"$T/port" &
kin_pid=$!
while [ ! -s "$T/port" ]; do sleep 0.05; done
port=$(cat "$T/port")
ep=http://127.0.0.1:$port
export AWS_ENDPOINT_URL_KINESIS=$ep
node "$KP_ROOT/tests/e2e/kin-admin.js" "$port" create bench 1
data=$(bench_data bitcoin-$n --count "$n")
bench_say "putting $n records"
kin-put -s bench <"$data" >/dev/null || { echo "bench: kin-put failed" >&2; exit 1; }

# CPU seconds (user + system) a process has used so far
cpu_of() {
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

kin-read -s bench -o earliest -e >"$T/out"
[ "$(wc -l <"$T/out")" = "$n" ] || { echo "bench: kin-read read $(wc -l <"$T/out") of $n" >&2; exit 1; }
s0=$(cpu_of $kin_pid)
/usr/bin/time -f '%U %S' -o "$T/cpu" kin-read -s bench -o earliest -e >/dev/null
s1=$(cpu_of $kin_pid)
read -r cu cs <"$T/cpu"
kin_t=$(bench_time "kin-read -s bench -o earliest -e")
cat_t=$(bench_time "cat '$T/out'")

# the AWS CLI: one get-shard-iterator, then get-records until caught up
aws_loop() {
	it=$(/usr/bin/aws --endpoint-url "$ep" kinesis get-shard-iterator --stream-name bench \
	    --shard-id shardId-000000000000 --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)
	got=0
	while :; do
		/usr/bin/aws --endpoint-url "$ep" kinesis get-records --shard-iterator "$it" --limit 10000 >"$T/page"
		c=$(jq '.Records | length' "$T/page")
		got=$((got + c))
		[ "$c" = 0 ] && break
		it=$(jq -r .NextShardIterator "$T/page")
	done
	echo "$got" >"$T/aws-count"
}
s=$(date +%s.%N)
aws_loop
e=$(date +%s.%N)
aws_t=$(echo "$e - $s" | bc -l)
[ "$(cat "$T/aws-count")" = "$n" ] || echo "bench: the AWS CLI loop read $(cat "$T/aws-count") of $n" >&2

bench_line "kin-read (kinesalite, 1 shard)" "$n" "$kin_t" "cat of its output" "$cat_t" "aws kinesis get-records loop" "$aws_t"
awk -v c="$cu" -v s="$cs" -v a="$s0" -v b="$s1" -v n="$n" 'BEGIN {
	k = c + s; srv = b - a
	printf "kin-read CPU: %.2f us/record, %.1f%% of the server'"'"'s (node) %.2f us/record (target under 5%%)\n", k / n * 1e6, 100 * k / srv, srv / n * 1e6
}'
