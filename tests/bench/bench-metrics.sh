#!/bin/sh
# What --metrics costs on the hot path: ts-parse and window-avg on
# 1,000,000 bitcoin records with and without --metrics (rewritten every
# 100 ms, fsync and all), the run without as the floor. Counting is the
# increment --stats already does; the file is written only at batch ends.
# Target: within noise of the floor (1.05x).
. "$(dirname "$0")/lib.sh"

N=${BENCH_RECORDS:-1000000}
plain=$(bench_data bitcoin-$N --count "$N")
M="--metrics '$BENCH_DIR/bench.prom' --metrics-interval 100ms"

floor=$(bench_time "ts-parse < '$plain'")
ours=$(bench_time "ts-parse $M < '$plain'")
bench_line "ts-parse --metrics" "$N" "$ours" "ts-parse" "$floor"
# through a pipe, where batches end whenever the input runs dry
floor=$(bench_time "cat '$plain' | ts-parse")
ours=$(bench_time "cat '$plain' | ts-parse $M")
bench_line "cat | ts-parse --metrics" "$N" "$ours" "cat | ts-parse" "$floor"

Q="--time timestamp --window 10m --slide 5m --avg euro_rate --trigger available-now"
floor=$(bench_time "window-avg $Q < '$plain'")
ours=$(bench_time "window-avg $Q $M < '$plain'")
bench_line "window-avg --metrics" "$N" "$ours" "window-avg" "$floor"
