#!/bin/sh
# json-project and ts-parse on a backlog with --threads: every record
# handled by whichever thread, yet output, messages, counts and exit
# status those of one thread, and the counts those the input generator
# worked out from what it wrote (threads-input.py), with bad records of
# every kind (malformed JSON, wrong types, documents that are not JSON,
# invalid UTF-8, documents missing, blank lines, 100 KB lines). --stats'
# shared says the threads did take part, and is the one count that
# differs.
. "$(dirname "$0")/lib.sh"

S='timestamp STRING, euro_rate FLOAT, usd_rate FLOAT, gbp_rate FLOAT'
unshared() {	# FILE: its stats lines without the shared count
	sed 's/ shared=[0-9]*$//' "$1"
}
shared() {	# FILE: the shared count of its last stats line
	sed -n 's/.* shared=\([0-9]*\)$/\1/p' "$1" | tail -n 1
}
IN=$T/in.ndjson
python3 "$KP_ROOT/tests/e2e/threads-input.py" 20000 7 5000 "$T/kinds" \
    >"$IN" 2>"$T/counts"
# good= bad= nodoc= blank= first_bad= before= as shell variables
eval "$(cat "$T/counts")"
records=$((good + bad + nodoc))

# json-project under each --on-error mode with 1, 2 and 4 threads: stdout
# and stderr byte for byte those of one thread
for mode in null skip fail; do
	for n in 1 2 4; do
		json-project --threads $n --on-error=$mode --stats --schema "$S" \
		    <"$IN" >"$T/jp.$mode.$n" 2>"$T/jp.$mode.$n.all"
		echo $? >"$T/jp.$mode.$n.rc"
		unshared "$T/jp.$mode.$n.all" >"$T/jp.$mode.$n.err"
	done
	for n in 2 4; do
		ok "json-project $mode: $n threads' output is one thread's" \
		    cmp -s "$T/jp.$mode.1" "$T/jp.$mode.$n"
		ok "json-project $mode: $n threads' messages are one thread's" \
		    cmp -s "$T/jp.$mode.1.err" "$T/jp.$mode.$n.err"
		is "json-project $mode: $n threads' exit" "$(cat "$T/jp.$mode.$n.rc")" \
		    "$(cat "$T/jp.$mode.1.rc")"
	done
done
is "json-project: one thread shares nothing" "$(shared "$T/jp.null.1.all")" 0
# the first batch of a thousand lines or more goes to the threads (then
# each batch goes the way that was faster: par_choice)
ok "json-project: 4 threads shared batches ($(shared "$T/jp.null.4.all") of $records records)" \
    [ "$(shared "$T/jp.null.4.all")" -ge 1024 ]
# and what they are, from the generator's counts
is "json-project null: exit" "$(cat "$T/jp.null.4.rc")" 0
is "json-project null: records out" "$(wc -l <"$T/jp.null.4")" $records
is "json-project null: stats" "$(tail -n 1 "$T/jp.null.4.err")" \
    "json-project: stats: final read=$records emitted=$records nulled=$bad skipped=0 no_document=$nodoc missing=$nodoc"
is "json-project null: a warning for each of the first 100 bad records" \
    "$(grep -c '(nulled)' "$T/jp.null.4.err")" 100
is "json-project null: then they are only counted" \
    "$(grep -c '(nulled); further warnings suppressed$' "$T/jp.null.4.err")" 1
is "json-project skip: records out" "$(wc -l <"$T/jp.skip.4")" $((good + nodoc))
is "json-project skip: stats" "$(tail -n 1 "$T/jp.skip.4.err")" \
    "json-project: stats: final read=$records emitted=$((good + nodoc)) nulled=0 skipped=$bad no_document=$nodoc missing=$nodoc"
is "json-project fail: exit" "$(cat "$T/jp.fail.4.rc")" 1
is "json-project fail: every record before the bad one, and no more" \
    "$(wc -l <"$T/jp.fail.4")" $before
like "json-project fail: the bad line named" "$(head -n 1 "$T/jp.fail.4.err")" \
    "json-project: <stdin>:$first_bad*"
# the records themselves: the skip run's output is the null run's without
# the lines of the records the generator wrote bad (blank lines give none)
grep -v '^k$' "$T/kinds" | paste -d ' ' - "$T/jp.null.4" | sed -n 's/^[gn] //p' >"$T/want-skip"
ok "json-project skip: the null run's records but the bad ones" \
    cmp -s "$T/want-skip" "$T/jp.skip.4"
is "json-project: kinds and records line up" "$(grep -vc '^k$' "$T/kinds")" $records

# from a pipe, batches are what the pipe holds: the same output
cat "$IN" | json-project --threads 4 --schema "$S" >"$T/jp.pipe" 2>/dev/null
ok "json-project from a pipe: the same output" cmp -s "$T/jp.null.1" "$T/jp.pipe"

# several files: each message names its own file and line
head -n 3000 "$IN" >"$T/a.ndjson"
printf '%s\n' '{"data":"{}"}' '{"data":"{}"}' 'not json' >"$T/b.ndjson"
json-project --threads 4 --schema "$S" "$T/a.ndjson" "$T/b.ndjson" \
    >"$T/two" 2>"$T/two.err"
is "two files: records out" "$(wc -l <"$T/two")" 3003
is "two files: the second file's bad line named" "$(tail -n 1 "$T/two.err")" \
    "json-project: $T/b.ndjson:3: invalid JSON record: byte 1: JSON object expected (nulled)"

# a column no record has is still found out with threads
json-project --threads 4 --schema "$S" --keep nosuch <"$T/a.ndjson" >/dev/null 2>"$T/typo.err"
is "typo: exit" $? 1
like "typo: said" "$(cat "$T/typo.err")" "*--keep*nosuch*"

# ts-parse: json-project's output with unparsable times among it
awk 'NR % 50 == 0 { sub(/"timestamp":"[^"]*"/, "\"timestamp\":\"2024-13-45T99:00:00\"") } { print }' \
    "$T/jp.null.1" >"$T/ts.in"
unparsable=$(grep -c '2024-13-45' "$T/ts.in")
nulltime=$(grep -c '"timestamp":null' "$T/ts.in")
for n in 1 4; do
	ts-parse --threads $n --format "yyyy-MM-dd'T'HH:mm:ss" --stats \
	    <"$T/ts.in" >"$T/ts.$n" 2>"$T/ts.$n.all"
	echo $? >"$T/ts.$n.rc"
	unshared "$T/ts.$n.all" >"$T/ts.$n.err"
done
ok "ts-parse: 4 threads' output is one thread's" cmp -s "$T/ts.1" "$T/ts.4"
ok "ts-parse: 4 threads' messages are one thread's" cmp -s "$T/ts.1.err" "$T/ts.4.err"
is "ts-parse: exit" "$(cat "$T/ts.4.rc")" 0
ok "ts-parse: 4 threads shared batches ($(shared "$T/ts.4.all") of $records records)" \
    [ "$(shared "$T/ts.4.all")" -ge 1024 ]
is "ts-parse: stats" "$(tail -n 1 "$T/ts.4.err")" \
    "ts-parse: stats: final read=$records emitted=$records nulled=$unparsable skipped=0 missing=0"
is "ts-parse: null times stay null, unparsable ones become null" \
    "$(grep -c '"timestamp":null' "$T/ts.4")" $((nulltime + unparsable))

# window-avg parses a backlog ahead on its threads and counts in input
# order: the table is the independent computation's, replays (the whole
# stream again, under --state) are recognised, and bad lines are said
# alike with 1 and 4 threads
ts-parse --format "yyyy-MM-dd'T'HH:mm:ss" <"$T/jp.skip.1" >"$T/wa.once" 2>/dev/null
{ cat "$T/wa.once"; printf 'not json\n\377\376\n'; cat "$T/wa.once"; } >"$T/wa.in"
for n in 1 4; do
	rm -f "$T/wa.state.$n" "$T/wa.table.$n"
	window-avg --threads $n --time timestamp --window '10 minutes' \
	    --slide '5 minutes' --avg euro_rate=avg --count '*=n' --stats \
	    --state "$T/wa.state.$n" --table "$T/wa.table.$n" \
	    <"$T/wa.in" >"$T/wa.$n" 2>"$T/wa.$n.all"
	echo $? >"$T/wa.$n.rc"
	unshared "$T/wa.$n.all" >"$T/wa.$n.err"
done
is "window-avg: exit" "$(cat "$T/wa.4.rc")" 0
is "window-avg: one thread parses nothing ahead" "$(shared "$T/wa.1.all")" 0
ok "window-avg: 4 threads parsed batches ahead ($(shared "$T/wa.4.all") of $((2 * records + 2)) records)" \
    [ "$(shared "$T/wa.4.all")" -ge 1024 ]
ok "window-avg: 4 threads' output is one thread's" cmp -s "$T/wa.1" "$T/wa.4"
ok "window-avg: 4 threads' messages are one thread's" cmp -s "$T/wa.1.err" "$T/wa.4.err"
ok "window-avg: 4 threads' table is one thread's" cmp -s "$T/wa.table.1" "$T/wa.table.4"
# (the documentless records have a shardId and no sequenceNumber: under
# --state they could not be recognised again, so they are not counted)
like "window-avg: the second copy of the stream is all replays" \
    "$(tail -n 1 "$T/wa.4.err")" "*replayed=$good *bad_provenance=$((2 * nodoc)) *"
paste -d ' ' "$T/kinds" "$IN" | sed -n 's/^g //p' >"$T/good.ndjson"
is "window-avg: good records for the independent computation" \
    "$(wc -l <"$T/good.ndjson")" $good
python3 "$KP_ROOT/tests/e2e/expected-windows.py" 600 300 <"$T/good.ndjson" >"$T/want"
jq -r '[(.window.start | fromdateiso8601), (.window.end | fromdateiso8601), .n, .avg] | @tsv' \
    "$T/wa.table.4" | sort -n | tr '\t' ' ' >"$T/got"
is "window-avg: the windows and their counts are the independent ones" \
    "$(cut -d' ' -f1-3 "$T/got" | md5sum)" "$(cut -d' ' -f1-3 "$T/want" | md5sum)"
is "window-avg: averages within 1e-9 of math.fsum's" "$(paste -d ' ' "$T/got" "$T/want" | awk '
	{ d = $4 - $8; if (d < 0) d = -d; if (d > 1e-9 * ($8 < 0 ? -$8 : $8)) n++ } END { print n + 0 }')" 0

# --threads takes 1 to 16
for bad_n in 0 17 two; do
	te "threads $bad_n refused" 2 "*json-project: --threads: *'$bad_n'" "" \
	    json-project --threads $bad_n --schema "$S"
	te "window-avg threads $bad_n refused" 2 "*window-avg: --threads: *'$bad_n'*" "" \
	    window-avg --threads $bad_n --time t --window 1m
done

finish
