#!/bin/bash
# Each stage of the notebook's pipeline alone, on what the stage before it
# hands it (issue 11): json-project on 1,000,000 Kinesis envelopes,
# ts-parse on json-project's output, window-avg on ts-parse's output, each
# against `cat FILE | wc -l` of its own input in the same run. Targets:
# json-project >= 2.5 million records/s, ts-parse >= 4 million, window-avg
# >= 5 million. The machine may be shared: records per CPU second (user +
# system, the best of BENCH_RUNS) are printed too, the figure other jobs
# disturb least. Each stage runs with one thread (the default on a machine
# of two CPUs: kinpipe(7), Threads) and with --threads $THREADS (all the
# CPUs, at least 2), as a stage run on its own over a backlog may.
. "$(dirname "$0")/lib.sh"

N=1000000
SCHEMA='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'
ENV=$(bench_data envelopes-1m-step1 --count $N --step 1 --envelope --disorder 0.01)
PROJ=$BENCH_DIR/stage-projected-1m.ndjson
PARSED=$BENCH_DIR/stage-parsed-1m.ndjson
JP="json-project --field data --schema '$SCHEMA'"
TS="ts-parse --field timestamp --format \"yyyy-MM-dd'T'HH:mm:ss\""
WA="window-avg --time timestamp --window '10 minutes' --slide '5 minutes' \
	--window-column time_window --avg euro_rate=window_avg_euro_rate \
	--mode complete --trigger available-now"
# the stages' inputs, made by the stages themselves (so made again when
# they change), every record there
sh -c "$JP" <"$ENV" >"$PROJ"
sh -c "$TS" <"$PROJ" >"$PARSED"
[ "$(wc -l <"$PARSED")" = $N ] || echo "bench: stages: ts-parse gave $(wc -l <"$PARSED") of $N records" >&2

THREADS=$(nproc)
[ "$THREADS" -ge 2 ] || THREADS=2
[ "$THREADS" -le 16 ] || THREADS=16

stage() {	# LABEL TARGET CMD INPUT
	floor=$(bench_time "cat '$4' | wc -l")
	one=$(bench_time "$3 --threads 1 <'$4'")
	one_cpu=$(bench_cpu "$3 --threads 1 <'$4'")
	many=$(bench_time "$3 --threads $THREADS <'$4'")
	many_cpu=$(bench_cpu "$3 --threads $THREADS <'$4'")
	awk -v l="$1" -v t="$2" -v n=$N -v f="$floor" -v k=$THREADS \
	    -v o="$one" -v oc="$one_cpu" -v m="$many" -v mc="$many_cpu" 'BEGIN {
		printf "%s, one thread: %.0f records/s (target %d: %s), %.2fx the time of cat | wc -l of its input; %.0f records per CPU second\n",
		    l, n / o, t, (n / o >= t ? "met" : "MISSED"), o / f, n / oc
		printf "%s, --threads %d: %.0f records/s (target %d: %s), %.2fx the time of cat | wc -l; %.0f records per CPU second\n",
		    l, k, n / m, t, (n / m >= t ? "met" : "MISSED"), m / f, n / mc }'
}

stage "json-project on envelopes" 2500000 "$JP" "$ENV"
stage "ts-parse on json-project's output" 4000000 "$TS" "$PROJ"
stage "window-avg on ts-parse's output" 5000000 "$WA" "$PARSED"
