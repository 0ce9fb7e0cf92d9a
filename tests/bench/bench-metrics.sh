#!/bin/sh
# What --metrics costs on the hot path: ts-parse and window-avg on
# 1,000,000 bitcoin records with and without --metrics (rewritten every
# second, fsync and all), the run without as the floor. Counting is the
# increment --stats already does; the file is written only at batch ends.
# Wall time on a shared machine is noisy, so the CPU seconds (user+sys,
# the best of the runs) are given too. Target: within noise (1.05x).
. "$(dirname "$0")/lib.sh"

N=${BENCH_RECORDS:-1000000}
plain=$(bench_data bitcoin-$N --count "$N")
M="--metrics '$BENCH_DIR/bench.prom' --metrics-interval 1s"

# both: LABEL FLOOR-LABEL CMD-WITHOUT CMD-WITH
both() {
	floor=$(bench_time "$3")
	ours=$(bench_time "$4")
	bench_line "$1" "$N" "$ours" "$2" "$floor"
	fc=$(bench_cpu "$3")
	oc=$(bench_cpu "$4")
	awk -v l="$1" -v f="$2" -v a="$oc" -v b="$fc" 'BEGIN {
		printf "%s: %.2fx the CPU seconds of %s\n", l, a / b, f }'
}

both "ts-parse --metrics" "ts-parse" "ts-parse < '$plain'" "ts-parse $M < '$plain'"
# through a pipe, where batches end whenever the input runs dry
both "cat | ts-parse --metrics" "cat | ts-parse" "cat '$plain' | ts-parse" \
    "cat '$plain' | ts-parse $M"
Q="--time timestamp --window 10m --slide 5m --avg euro_rate --trigger available-now"
both "window-avg --metrics" "window-avg" "window-avg $Q < '$plain'" \
    "window-avg $Q $M < '$plain'"
