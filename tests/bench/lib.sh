# Shared helpers for the benchmarks (sourced by tests/bench/bench-*.sh).
#
# Every figure is printed as a ratio against a floor measured in the same
# run (cat of the same file, say) and against the tool a user would
# otherwise pick (jq, Miller), never as a bare time.
#
#   bench_data NAME GEN-ARGS...   path of a cached data file made by
#                                 examples/gen-bitcoin.py GEN-ARGS
#   bench_time CMD                median wall seconds of 3 runs of CMD
#                                 (a shell string)
#   bench_rss                     peak RSS in KiB of bench_time's last run
#                                 (bench_time runs in $(...): a variable
#                                 it set would be lost)
#   bench_line LABEL RECORDS SECONDS FLOOR_LABEL FLOOR_SECONDS [OTHER_LABEL OTHER_SECONDS]

set -u
LC_ALL=C
TZ=UTC
export LC_ALL TZ
KP_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${KP_BIN:-$KP_ROOT/bin}
PATH=$BIN:$PATH
export PATH
BENCH_DIR=${BENCH_DIR:-$KP_ROOT/build/bench}
BENCH_RUNS=${BENCH_RUNS:-3}
mkdir -p "$BENCH_DIR"

# progress on a terminal only (kinpipe(7))
bench_say() {
	[ -t 2 ] && printf '%s\n' "$*" >&2
	return 0
}

bench_data() {
	name=$1
	shift
	f=$BENCH_DIR/$name.ndjson
	if [ ! -s "$f" ]; then
		bench_say "generating $f"
		python3 "$KP_ROOT/examples/gen-bitcoin.py" "$@" >"$f.tmp" && mv "$f.tmp" "$f"
	fi
	printf '%s\n' "$f"
}

bench_time() {
	times=""
	i=0
	while [ $i -lt "$BENCH_RUNS" ]; do
		s=$(date +%s.%N)
		/usr/bin/time -f %M -o "$BENCH_DIR/.rss" sh -c "$1" >/dev/null 2>"$BENCH_DIR/.err" ||
			{ echo "bench: command failed: $1" >&2; sed 's/^/    /' "$BENCH_DIR/.err" >&2; }
		e=$(date +%s.%N)
		times="$times $(echo "$e - $s" | bc -l)"
		i=$((i + 1))
	done
	printf '%s\n' $times | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# bench_cpu CMD: the least user + system CPU seconds of BENCH_RUNS runs of
# CMD (on a shared machine wall time also measures the other jobs).
bench_cpu() {
	best=""
	i=0
	while [ $i -lt "$BENCH_RUNS" ]; do
		/usr/bin/time -f '%U %S' -o "$BENCH_DIR/.cpu" sh -c "$1" >/dev/null 2>&1
		c=$(awk '{ print $1 + $2 }' "$BENCH_DIR/.cpu" | tail -n 1)
		if [ -z "$best" ] || [ "$(echo "$c < $best" | bc -l)" = 1 ]; then
			best=$c
		fi
		i=$((i + 1))
	done
	printf '%s\n' "$best"
}

bench_rss() {
	tail -n 1 "$BENCH_DIR/.rss"
}

bench_line() {
	label=$1 n=$2 secs=$3 flabel=$4 fsecs=$5
	awk -v l="$label" -v n="$n" -v s="$secs" -v fl="$flabel" -v fs="$fsecs" \
	    -v ol="${6:-}" -v os="${7:-0}" -v rss="${BENCH_RSS_KB:-0}" 'BEGIN {
		line = sprintf("%s: %.0f records/s, %.2fx the time of %s", l, n / s, s / fs, fl)
		if (ol != "") line = line sprintf(", %.1fx faster than %s", os / s, ol)
		if (rss > 0) line = line sprintf(", peak RSS %.1f MiB", rss / 1024)
		print line
	}'
}
