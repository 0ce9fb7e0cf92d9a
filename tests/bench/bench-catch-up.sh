#!/bin/bash
# Catching up (issue 11): a backlog of Kinesis envelopes, one record a
# second of event time and 1% out of order, read through the notebook's
# pipeline json-project | ts-parse | window-avg, as a user reading a
# stream from earliest would. Complete mode keeping the table and the
# exactly-once state (--table, --state: a durable commit of both at every
# trigger) against update mode writing only its changed rows to a pipe,
# on 1,000,000 and 10,000,000 records, against `cat | wc -l` of the same
# file. Targets: complete with table and state within 1.5x the time of
# update; ten times the records within eleven times the time (a backlog
# costs what its records cost, where it used to cost the square).
. "$(dirname "$0")/lib.sh"

SCHEMA='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'
# the stages before window-avg, reading the file $1
upstream() {
	printf '%s' "json-project --field data --schema '$SCHEMA' <'$1' |
	ts-parse --field timestamp --format \"yyyy-MM-dd'T'HH:mm:ss\""
}
Q="--time timestamp --window '10 minutes' --slide '5 minutes' \
	--window-column time_window --avg euro_rate=window_avg_euro_rate --count '*=n'"
D=$BENCH_DIR/catch-up
mkdir -p "$D"

# median of the numbers given
median() {
	printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# wall seconds of one run of CMD (a shell string); the CPU seconds (user
# + system) of all its processes are left in $D/cpu: on a shared machine
# they say more of the work done than wall time, which other jobs stretch
wall() {
	s=$(date +%s.%N)
	/usr/bin/time -f '%U %S' -o "$D/cpu.t" sh -c "$1" >/dev/null 2>"$D/err" ||
		{ echo "bench: command failed: $1" >&2; sed 's/^/    /' "$D/err" >&2; }
	e=$(date +%s.%N)
	awk '{ print $1 + $2 }' "$D/cpu.t" | tail -n 1 >"$D/cpu"
	echo "$e - $s" | bc -l
}

for n in ${BENCH_CATCH_UP_SIZES:-1000000 10000000}; do
	case $n in
	1000000) name=envelopes-1m-step1 ;;
	10000000) name=envelopes-10m-step1 ;;
	*) name=envelopes-$n-step1 ;;
	esac
	F=$(bench_data "$name" --count "$n" --step 1 --envelope --disorder 0.01)
	complete="rm -f '$D/table' '$D/state'; $(upstream "$F") |
		/usr/bin/time -f %M -o '$D/rss' window-avg $Q --mode complete \
		--table '$D/table' --state '$D/state' --stats 2>'$D/stats'"
	update="$(upstream "$F") | window-avg $Q --mode update >/dev/null"
	# the three commands take turns, so that a busy moment of a shared
	# machine falls on all of them alike; the median of BENCH_RUNS each
	fl="" up="" co="" upc="" coc="" commits=""
	for i in $(seq "$BENCH_RUNS"); do
		fl="$fl $(wall "cat '$F' | wc -l")"
		up="$up $(wall "$update")"
		upc="$upc $(cat "$D/cpu")"
		co="$co $(wall "$complete")"
		coc="$coc $(cat "$D/cpu")"
		# batches= is followed by other counters on the stats line
		k=$(sed -n 's/^window-avg: stats: final .* batches=\([0-9]*\).*/\1/p' "$D/stats")
		[ -n "$k" ] || { echo "bench: catch-up: no batches= in window-avg's --stats:" >&2; sed 's/^/    /' "$D/stats" >&2; k=NaN; }
		commits="$commits $k"
	done
	fl=$(median $fl) up=$(median $up) co=$(median $co)
	upc=$(median $upc) coc=$(median $coc)
	eval "fl_$n=$fl up_$n=$up co_$n=$co upc_$n=$upc coc_$n=$coc"
	rss=$(tail -n 1 "$D/rss")
	awk -v n="$n" -v f="$fl" -v u="$up" -v c="$co" -v uc="$upc" -v cc="$coc" \
	    -v rss="$rss" -v k="$(median $commits)" -v w="$(wc -l <"$D/table")" 'BEGIN {
		printf "catch-up %d records: update %.0f records/s (%.2fx the time of cat | wc -l); complete --table --state %.0f records/s (%.2fx cat | wc -l, %.2fx update: target 1.5, %s; %.2fx its CPU time), %d commits, %d windows, window-avg peak RSS %.1f MiB\n",
		    n, n / u, u / f, n / c, c / f, c / u, (c / u <= 1.5 ? "met" : "MISSED"), cc / uc, k, w, rss / 1024 }'
	if [ "$n" = 1000000 ]; then
		# the table the catch-up ended with, against an independent
		# computation: every window, every count
		jq -r '[(.time_window.start | fromdateiso8601), .n] | @tsv' "$D/table" | sort -n >"$D/got"
		python3 "$KP_ROOT/tests/e2e/expected-windows.py" 600 300 <"$F" |
			awk '{ print $1 "\t" $3 }' >"$D/want"
		if cmp -s "$D/got" "$D/want"; then
			echo "catch-up $n records: the table holds every window with its count, as expected-windows.py computes them ($(wc -l <"$D/want") windows)"
		else
			echo "bench: catch-up: the table differs from expected-windows.py" >&2
		fi
	fi
done
# Ten times the records in at most eleven times the time. The wall times
# of the two sizes are minutes apart, and another job may come or go in
# between (then update mode, which commits nothing, and cat | wc -l are
# off by as much): the CPU seconds are printed too.
if [ -n "${fl_1000000:-}" ] && [ -n "${fl_10000000:-}" ]; then
	awk -v f1="$fl_1000000" -v f10="$fl_10000000" -v u1="$up_1000000" -v u10="$up_10000000" \
	    -v c1="$co_1000000" -v c10="$co_10000000" -v uc1="$upc_1000000" -v uc10="$upc_10000000" \
	    -v cc1="$coc_1000000" -v cc10="$coc_10000000" 'BEGIN {
		printf "catch-up 10x the records: complete --table --state %.1fx the time (target 11, %s), %.1fx the CPU time (%s); update %.1fx the time, %.1fx the CPU time; cat | wc -l %.1fx the time\n",
		    c10 / c1, (c10 / c1 <= 11 ? "met" : "MISSED"), cc10 / cc1, (cc10 / cc1 <= 11 ? "met" : "MISSED"),
		    u10 / u1, uc10 / uc1, f10 / f1 }'
fi
