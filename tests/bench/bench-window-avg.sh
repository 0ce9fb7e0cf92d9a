#!/bin/bash
# window-avg throughput on the notebook's query (10 minute windows every 5
# minutes, average euro rate) over 1,000,000 and 10,000,000 bitcoin
# records with 1% out of order, against `cat FILE | wc -l` and `cat` of
# the same file, and against jq and Miller computing the same averages;
# peak RSS, with the state bounded by a watermark and without; the answer
# checked against Python's math.fsum to 1e-9.
#
# The main data ticks once a second, as a price feed does: 600 records per
# 10 minute window, one output window per 300 records. A second line runs
# the same query on one record a minute (sparse windows: 10 records each,
# one output window per 5 records), where writing the table costs about
# as much as reading the input.
. "$(dirname "$0")/lib.sh"

Q="--time timestamp --window 10m --slide 5m --avg euro_rate"
SAMPLE=100000	# jq and Miller run on this many records: they are slow

# slurped and grouped: jq's object update in a reduce copies the object,
# which is quadratic on this many windows
JQ='map((.timestamp | strptime("%Y-%m-%dT%H:%M:%S") | mktime) as $t | ($t - $t % 300) as $s
  | {s: $s, v: .euro_rate}, {s: ($s - 300), v: .euro_rate})
  | group_by(.s) | map({start: .[0].s, avg: (map(.v) | add / length)}) | .[]'
MLR='t = int(strptime($timestamp . "Z", "%Y-%m-%dT%H:%M:%SZ")); s = t - t % 300;
  @sum[s] += $euro_rate; @n[s] += 1; @sum[s - 300] += $euro_rate; @n[s - 300] += 1;
  end { for (k, v in @sum) { print "{\"start\":" . k . ",\"avg\":" . (v / @n[k]) . "}" } }'

# independent answer: per window, math.fsum of the values over their count
CHECK='
import math, sys, datetime
days = {}
sums, counts = {}, {}
for line in open(sys.argv[1]):
    p = line.split("\"")
    ts, v = p[3], float(p[6][1:-1])
    d = days.get(ts[:10])
    if d is None:
        d = days[ts[:10]] = int(datetime.datetime.fromisoformat(ts[:10]).replace(tzinfo=datetime.timezone.utc).timestamp())
    t = d + int(ts[11:13]) * 3600 + int(ts[14:16]) * 60 + int(ts[17:19])
    for s in (t - t % 300, t - t % 300 - 300):
        sums.setdefault(s, []).append(v)
got = {}
for line in open(sys.argv[2]):
    p = line.split("\"")
    s = int(datetime.datetime.fromisoformat(p[5].replace("Z", "+00:00")).timestamp())
    got[s] = float(p[12][1:].rstrip(",}\n").split(",")[0])
bad = [s for s in sums if s not in got or abs(got[s] - math.fsum(sums[s]) / len(sums[s])) > 1e-9 * abs(got[s])]
print("%d windows, %d differ from math.fsum by more than 1e-9%s" % (len(sums), len(bad) + abs(len(got) - len(sums)),
      "" if not bad else ": first " + repr(bad[0])))
sys.exit(1 if bad or len(got) != len(sums) else 0)
'

# bench_time runs in a $(...) subshell, so its BENCH_RSS_KB is lost: read
# the peak RSS of the last run where it leaves it
rss_kb() {
	tail -n 1 "$BENCH_DIR/.rss"
}

for n in ${BENCH_SIZES:-1000000 10000000}; do
	f=$(bench_data "bitcoin-$n-step1-disorder1" --count "$n" --step 1 --disorder 0.01)
	sparse=$(bench_data "bitcoin-$n-disorder1" --count "$n" --disorder 0.01)
	echo "-- $n records a second apart ($(du -m "$f" | cut -f1) MB), $Q"
	wc_s=$(bench_time "cat '$f' | wc -l")
	cat_s=$(bench_time "cat '$f' >/dev/null")
	wa_s=$(bench_time "cat '$f' | window-avg $Q --trigger available-now")
	wa_rss=$(rss_kb)
	BENCH_RSS_KB=0
	bench_line "window-avg complete" "$n" "$wa_s" "cat | wc -l" "$wc_s"
	bench_line "window-avg complete" "$n" "$wa_s" "cat" "$cat_s"
	# the machine may be shared: the CPU seconds of window-avg alone are
	# the one-core figure; a day-long window shows the input path alone,
	# without the 2 windows of output per 10 records of this data
	cpu=$(bench_cpu "window-avg $Q --trigger available-now <'$f'")
	wc_cpu=$(bench_cpu "cat '$f' | wc -l")
	day=$(bench_cpu "window-avg --time timestamp --window 1d --avg euro_rate --trigger available-now <'$f'")
	sparse_cpu=$(bench_cpu "window-avg $Q --trigger available-now <'$sparse'")
	awk -v n="$n" -v s="$wa_s" -v c="$cpu" -v w="$wc_cpu" -v d="$day" -v sp="$sparse_cpu" 'BEGIN {
		printf "window-avg complete: %.2f million records/s of wall time, %.2f million per CPU second (target 2)\n", n / s / 1e6, n / c / 1e6
		printf "window-avg complete: %.2fx the CPU time of cat | wc -l (user+sys, both stages)\n", c / w
		printf "window-avg, 1 day windows (input path): %.2f million records per CPU second\n", n / d / 1e6
		printf "window-avg complete, sparse windows (1 record a minute, output-dominated): %.2f million records per CPU second\n", n / sp / 1e6 }'
	echo "window-avg complete, every window kept: peak RSS $((wa_rss / 1024)) MiB for $(( (n - 1) / 300 + 2 )) windows (it grows with the windows alone)"
	sp_wc_s=$(bench_time "cat '$sparse' | wc -l")
	sp_s=$(bench_time "cat '$sparse' | window-avg $Q --trigger available-now")
	BENCH_RSS_KB=0
	bench_line "window-avg complete, sparse windows (1 record a minute)" "$n" "$sp_s" "cat | wc -l" "$sp_wc_s"
	wm_s=$(bench_time "cat '$f' | window-avg $Q --watermark 10m --mode append")
	bench_line "window-avg append, 10 minute watermark" "$n" "$wm_s" "cat | wc -l" "$wc_s"
	wm_rss=$(rss_kb)
	echo "window-avg append, state bounded by the watermark: peak RSS $((wm_rss / 1024)) MiB (target under 16: $([ "$wm_rss" -lt 16384 ] && echo met || echo MISSED))"
	out=$BENCH_DIR/window-avg-$n.out
	window-avg $Q --trigger available-now <"$f" >"$out"
	python3 -c "$CHECK" "$f" "$out" || echo "bench: window-avg's answer differs from math.fsum" >&2
	if [ "$n" = 1000000 ]; then
		s=$BENCH_DIR/bitcoin-sample.ndjson
		head -n "$SAMPLE" "$f" >"$s"
		wa_small=$(bench_time "window-avg $Q --trigger available-now <'$s'")
		jq_s=$(bench_time "jq -c -s '$JQ' '$s'")
		mlr_s=$(bench_time "mlr --ijsonl --ojsonl put -q '$MLR' '$s'")
		floor_s=$(bench_time "cat '$s' | wc -l")
		BENCH_RSS_KB=0
		bench_line "window-avg ($SAMPLE records)" "$SAMPLE" "$wa_small" "cat | wc -l" "$floor_s" "jq" "$jq_s"
		bench_line "window-avg ($SAMPLE records)" "$SAMPLE" "$wa_small" "cat | wc -l" "$floor_s" "Miller" "$mlr_s"
	fi
done
