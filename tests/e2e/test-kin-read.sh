#!/bin/bash
# kin-read against a real kinesalite: start positions, shards, resume,
# resharding while reading, binary payloads, errors, signals, man EXAMPLES.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"
kin_server

# --- a three-shard stream with 60 records ---------------------------------
admin create s 3
records 60 a >"$T/in1"
kin-put -s s <"$T/in1" >"$T/res1"
is "kin-put exit" "$?" 0
written "$T/res1" "$T/in1" >"$T/w1"
is "kin-put one result per line" "$(wc -l <"$T/w1")" 60

run "" kin-read -s s --from earliest -e
is "earliest -e exit" "$rc" 0
fields "$OUT" >"$T/got"
ok "earliest: every record once, in order per shard" same_by_shard "$T/got" "$T/w1"
is "earliest: three shards used" "$(cut -d' ' -f1 "$T/w1" | sort -u | wc -l)" 3

# one envelope in full: fields from kin-put's answer, key = line number
first=$(head -n 1 "$T/res1")
sh1=$(printf '%s' "$first" | jq -r .shardId)
sq1=$(printf '%s' "$first" | jq -r .sequenceNumber)
env1=$(grep "\"sequenceNumber\":\"$sq1\"" "$OUT")
like "envelope fields and order" "$env1" "{\"data\":\"{\\\\\"i\\\\\":1,\\\\\"k\\\\\":\\\\\"key-1\\\\\",\\\\\"p\\\\\":\\\\\"a\\\\\"}\",\"stream\":\"s\",\"shardId\":\"$sh1\",\"sequenceNumber\":\"$sq1\",\"partitionKey\":\"1\",\"approximateArrivalTimestamp\":\"20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]*Z\"}"
ok "data decodes to the input line" test "$(jq -r .data <<<"$env1")" = "$(head -n 1 "$T/in1")"

# the same envelopes, in the same order within each shard: the shards'
# records interleave as their answers happen to come (one run of three
# shards read at once is not another), so the whole outputs are not
# compared line for line
by_shard_whole() { jq -r '.shardId + " " + tostring' "$1"; }
by_shard_whole "$OUT" >"$T/earliest.by-shard"
run "" kin-read -s s -o trim_horizon -e
is "trim_horizon exit" "$rc" 0
ok "trim_horizon is earliest" same_by_shard <(by_shard_whole "$OUT") "$T/earliest.by-shard"
t "latest -e: nothing" 0 "" "" kin-read -s s --from latest -e
t "default is latest" 0 "" "" kin-read -s s -e

# --- follow from latest ----------------------------------------------------
timeout 60 kin-read -s s -c 5 >"$T/follow" 2>"$T/follow.err" &
fpid=$!
# keep producing until the reader has its five: it may start slowly
(for i in $(seq 100); do kill -0 $fpid 2>/dev/null || break; records 1 b | kin-put -s s >/dev/null; sleep 0.2; done) &
ppid=$!
wait $fpid
is "follow latest -c 5 exit" "$?" 0
is "follow latest: five new records" "$(jq -r .data "$T/follow" | jq -r .p | sort | uniq -c | tr -s ' ')" " 5 b"
wait $ppid

# --- at-timestamp ----------------------------------------------------------
sleep 1.1
ts=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
epoch=$(date -u -d "$ts" +%s.%3N)
sleep 0.5
records 8 c | kin-put -s s >/dev/null
run "" kin-read -s s --from "at-timestamp=$ts" -e
is "at-timestamp (RFC 3339): only later records" "$(jq -r .data "$OUT" | jq -r .p | sort | uniq -c | tr -s ' ')" " 8 c"
run "" kin-read -s s --from "at-timestamp=$epoch" -e
is "at-timestamp (epoch seconds)" "$(jq -r .data "$OUT" | jq -r .p | sort | uniq -c | tr -s ' ')" " 8 c"

# --- one shard, at-sequence, count -------------------------------------------
grep "^$sh1 " "$T/w1" >"$T/w1s"
run "" kin-read -s s --shard "$sh1" -o earliest -e
fields "$OUT" | head -n "$(wc -l <"$T/w1s")" >"$T/got"
ok "--shard: that shard only, in order" cmp -s "$T/got" "$T/w1s"
is "--shard: no other shard" "$(jq -r .shardId "$OUT" | sort -u)" "$sh1"
sq3=$(sed -n 3p "$T/w1s" | cut -d' ' -f2)
run "" kin-read -s s --shard "$sh1" -o "at-sequence=$sq3" -e
fields "$OUT" | head -n "$(($(wc -l <"$T/w1s") - 2))" >"$T/got"
ok "at-sequence: from that record on" cmp -s "$T/got" <(sed -n '3,$p' "$T/w1s")
run "" kin-read -s s -o earliest -c 7
is "-c 7: seven records" "$(wc -l <"$OUT")" 7
fields "$OUT" >"$T/got"
ok "-c 7: a prefix of each shard" awk 'NR == FNR { seen[$0] = 1; next } { n[$1]++ } ($0 in seen) { if (n[$1] != ++k[$1]) bad = 1 } END { exit bad }' "$T/got" "$T/w1"

# --- checkpoint and resume ---------------------------------------------------
admin create cp 2
records 40 d | kin-put -s cp >"$T/res2"
records 40 d >"$T/in2"
written "$T/res2" "$T/in2" >"$T/w2"
# sealed: the last member is the SHA-256 of every byte before its comma
# (checked with Python's hashlib)
sealed() {
	python3 -c '
import hashlib, sys
t = open(sys.argv[1], "rb").read().rstrip(b"\n")
ok = t[-77:-66] == b",\"sha256\":\"" and t[-2:] == b"\"}"
print("sealed" if ok and hashlib.sha256(t[:-77]).hexdigest() == t[-66:-2].decode() else "not sealed")' "$1"
}
run "" kin-read -s cp -o earliest -e -c 15 --checkpoint "$T/ck.json"
fields "$OUT" >"$T/part1"
is "checkpoint run 1: 15 records" "$(wc -l <"$T/part1")" 15
# every shard the reader owns, also one with nothing read yet, has a start
want=$(jq -c '{format: "kinpipe-kin-read-checkpoint", version: 2, stream: "cp", shards: (group_by(.shardId) | map({key: .[0].shardId, value: .[-1].sequenceNumber}) | from_entries), starts: {"shardId-000000000000": "earliest", "shardId-000000000001": "earliest"}}' -s "$OUT")
is "checkpoint: last emitted per shard, every shard's start" "$(jq -c 'del(.sha256)' "$T/ck.json")" "$want"
is "checkpoint: sealed" "$(sealed "$T/ck.json")" sealed
is "checkpoint: each shard's start logged once" "$(sort "$ERR" | uniq -c | tr -s ' ')" " 1 kin-read: shardId-000000000000: starting at earliest (--from)
 1 kin-read: shardId-000000000001: starting at earliest (--from)"
cp "$T/ck.json" "$T/ck1.json"
cp "$T/ck.json" "$T/ck15.json"	# kept as run 1 left it
# the obvious way to resume: the same --checkpoint, nothing else (the
# default --from, latest, does not matter: the checkpoint says where)
run "" kin-read -s cp -e --checkpoint "$T/ck.json"
fields "$OUT" >"$T/part2"
cat "$T/part1" "$T/part2" >"$T/got"
ok "resume: no loss, no duplicate, in order" same_by_shard "$T/got" "$T/w2"
like "resume: loudly logged" "$(cat "$ERR")" "*kin-read: shardId-00000000000?: resuming after sequence number 4*(from $T/ck.json)*"
is "resume: each shard's start logged once" "$(sed 's/ after sequence number [0-9]* / after N /' "$ERR" | sort | uniq -c | tr -s ' ')" " 1 kin-read: shardId-000000000000: resuming after N (from $T/ck.json)
 1 kin-read: shardId-000000000001: starting at earliest (where its reading began, from $T/ck.json)"
# the way the man page said before: the file twice, same thing
run "" kin-read -s cp -e --resume-from "$T/ck1.json" --checkpoint "$T/ck1.json"
cat "$T/part1" - <<<"$(fields "$OUT")" >"$T/got"
ok "resume, --resume-from FILE --checkpoint FILE: no loss, no duplicate" same_by_shard "$T/got" "$T/w2"
t "resume at the end: nothing more" 0 "" "" kin-read -s cp -o earliest -e --checkpoint "$T/ck.json"
# window-avg's state, as window-avg writes it from these records
kin-read -s cp -o earliest -e 2>/dev/null | head -n 25 |
	window-avg -t approximateArrivalTimestamp -w 1h --count '*' --state "$T/state.json" >/dev/null
is "window-avg state: written" "$?" 0
run "" kin-read -s cp -o earliest -e --resume-from "$T/state.json"
cat <(kin-read -s cp -o earliest -e 2>/dev/null | head -n 25 | fields) <(fields "$OUT") >"$T/got"
ok "resume from window-avg state: the rest, once" same_by_shard "$T/got" "$T/w2"

echo '{"shards":{"shardId-000000000000":12}}' >"$T/bad1.json"
run "" kin-read -s cp -o earliest -e -c 1 --resume-from "$T/not-yet.json"
is "resume from a file not written yet: starts at --from" "$rc.$(wc -l <"$OUT")" "0.1"
is "resume from a file not written yet: logged" "$(head -n 1 "$ERR")" "kin-read: --resume-from: $T/not-yet.json does not exist yet: every shard starts at --from"
t "resume: number, not string" 1 "" "" kin-read -s cp --resume-from "$T/bad1.json"
is "resume: number message" "$(cat "$ERR")" "kin-read: --resume-from: $T/bad1.json: damaged (shard shardId-000000000000: sequence number is not a decimal string): not used. To start over, move it aside (mv $T/bad1.json $T/bad1.json.damaged): each shard then starts at --from, and what was read since is read again or skipped"
echo '{"format":"kinpipe-kin-read-checkpoint","stream":"other","shards":{}}' >"$T/bad2.json"
t "resume: other stream" 1 "" "" kin-read -s cp --resume-from "$T/bad2.json"
is "resume: other stream message" "$(cat "$ERR")" "kin-read: --resume-from: $T/bad2.json: positions are for stream 'other', not 'cp'"
echo '{"shards":' >"$T/bad3.json"
t "resume: not JSON" 1 "" "" kin-read -s cp --resume-from "$T/bad3.json"
like "resume: not JSON message" "$(cat "$ERR")" "kin-read: --resume-from: $T/bad3.json:*"
t "resume: unreadable file" 1 "" "" kin-read -s cp --resume-from "$T"
like "resume: unreadable file message" "$(cat "$ERR")" "kin-read: --resume-from: $T:*"
echo '{"format":"kinpipe-window-avg-state"}' >"$T/bad4.json"
t "resume: no shards" 1 "" "" kin-read -s cp --resume-from "$T/bad4.json"
is "resume: no shards message" "$(cat "$ERR")" "kin-read: --resume-from: $T/bad4.json: damaged (no \"shards\" object): not used. To start over, move it aside (mv $T/bad4.json $T/bad4.json.damaged): window-avg then starts with no windows and kin-read reads each shard from its start in --checkpoint's file, or --from"
# the message quotes the format of a document already read: a long one,
# so that a message formatted from freed memory cannot pass by luck
gs=GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG
echo "{\"format\":\"$gs\",\"stream\":\"cp\",\"shards\":{}}" >"$T/bad5.json"
t "resume: unknown format" 1 "" "" kin-read -s cp --resume-from "$T/bad5.json"
is "resume: unknown format message" "$(cat "$ERR")" "kin-read: --resume-from: $T/bad5.json: unknown format '$gs'"

# --- a checkpoint names every shard, from its first commit ---------------------
# From latest, with nothing read yet: the checkpoint keeps the start's
# time; the records put after it are read on resume, none from before.
admin create lt 2
records 10 old | kin-put -s lt >/dev/null
run "" kin-read -s lt --checkpoint "$T/lt.json" -e
is "latest, nothing read: exit 0, nothing" "$rc.$(cat "$OUT")" "0."
is "latest, nothing read: every shard has its start" "$(jq -c '[.shards, (.starts | keys), (.starts | map(test("^at-timestamp=20[0-9-]*T[0-9:.]*Z$")) | all)]' "$T/lt.json")" '[{},["shardId-000000000000","shardId-000000000001"],true]'
records 12 new >"$T/lt.in"
kin-put -s lt <"$T/lt.in" >"$T/lt.res"
written "$T/lt.res" "$T/lt.in" >"$T/lt.w"
run "" kin-read -s lt --checkpoint "$T/lt.json" -e
ok "latest, resumed: every record put since, none from before" same_by_shard <(fields "$OUT") "$T/lt.w"
like "latest, resumed: said where" "$(cat "$ERR")" "*shardId-000000000000: starting at at-timestamp=*Z (where its reading began, from $T/lt.json)*"
# the first record read makes the start exact: its sequence number
is "latest, resumed: starts now exact" "$(jq -r '.starts[]' "$T/lt.json" | sort | tr '\n' ' ')" "$(awk '{ print $1, $2 }' "$T/lt.w" | sort -k1,1 -s | awk '!seen[$1]++ { print "at-sequence=" $2 }' | sort | tr '\n' ' ')"
# Stopped while following, before anything arrived: the checkpoint
# written at the start is enough.
admin create lf 2
kin-read -s lf --checkpoint "$T/lf.json" >/dev/null 2>"$T/lf.err" &
lpid=$!
kp_i=0
while [ ! -s "$T/lf.json" ] && [ $kp_i -lt 200 ]; do sleep 0.05; kp_i=$((kp_i + 1)); done
kill -TERM $lpid
wait $lpid
is "stopped before anything arrived: exit 0" "$?" 0
records 9 late >"$T/lf.in"
kin-put -s lf <"$T/lf.in" >"$T/lf.res"
written "$T/lf.res" "$T/lf.in" >"$T/lf.w"
run "" kin-read -s lf --checkpoint "$T/lf.json" -e
ok "stopped before anything arrived: resumed, every record" same_by_shard <(fields "$OUT") "$T/lf.w"

# --resume-from window-avg's state (what was counted) with --checkpoint
# (where each shard began): a shard the state does not name, nothing of
# it counted yet, starts where its reading began, not at latest.
admin create rw 2
sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$T/rw.pid" \
	kin-read -s rw --resume-from "$T/rw.state" --checkpoint "$T/rw.ck" 2>"$T/rw.err" |
	window-avg -t approximateArrivalTimestamp -w 1h --count '*' --state "$T/rw.state" >/dev/null &
rwpid=$!
kp_i=0
while [ ! -s "$T/rw.ck" ] && [ $kp_i -lt 200 ]; do sleep 0.05; kp_i=$((kp_i + 1)); done
records 6 ra | kin-put -s rw -k a >"$T/rw.res1"
sha=$(jq -r .shardId "$T/rw.res1" | sort -u)
is "state and checkpoint: key a goes to one shard" "$(jq -r .shardId "$T/rw.res1" | sort -u | wc -l)" 1
kp_i=0
while ! jq -e ".shards[\"$sha\"]" "$T/rw.state" >/dev/null 2>&1 && [ $kp_i -lt 200 ]; do
	sleep 0.05; kp_i=$((kp_i + 1))
done
kill -TERM "$(cat "$T/rw.pid")"
wait $rwpid
is "state and checkpoint: the state names one shard" "$(jq -r '.shards | keys[]' "$T/rw.state")" "$sha"
records 8 rb >"$T/rw.in2"
kin-put -s rw <"$T/rw.in2" >"$T/rw.res2"
written "$T/rw.res2" "$T/rw.in2" >"$T/rw.w2"
run "" kin-read -s rw --resume-from "$T/rw.state" --checkpoint "$T/rw.ck" -e
ok "state and checkpoint: the shard not counted from starts where it began" same_by_shard <(fields "$OUT") "$T/rw.w2"
shb=$(jq -r '.starts | keys[]' "$T/rw.ck" | grep -v "^$sha\$")
like "state and checkpoint: said where" "$(cat "$ERR")" "*$shb: starting at at-timestamp=*(where its reading began, from $T/rw.ck)*"
# without the checkpoint the same shard starts at --from, said out loud
run "" kin-read -s rw --resume-from "$T/rw.state" -e
like "state alone: a shard it does not name starts at --from, logged" "$(cat "$ERR")" "*kin-read: $shb: not named in $T/rw.state: starting at latest (--from)*"

# Resharding after the checkpoint was written: the children start at their
# beginning (after their parent), not at --from.
admin create rk 1
records 5 k1 | kin-put -s rk >/dev/null
run "" kin-read -s rk -o earliest -e --checkpoint "$T/rk.json"
is "reshard after checkpoint: first part" "$(wc -l <"$OUT")" 5
admin split rk shardId-000000000000
records 20 k2 >"$T/rk.in"
kin-put -s rk <"$T/rk.in" >"$T/rk.res"
written "$T/rk.res" "$T/rk.in" >"$T/rk.w"
run "" kin-read -s rk --checkpoint "$T/rk.json" -e
ok "reshard after checkpoint: the children read from their beginning" same_by_shard <(fields "$OUT") "$T/rk.w"
like "reshard after checkpoint: said so" "$(cat "$ERR")" "*shardId-000000000001: created by resharding after $T/rk.json was written: reading it from its beginning*"

# Another stream's positions are refused: a checkpoint by its name, a
# state (which names no stream) by sequence numbers that are not of this
# stream's shards.
kin-read -s s -o earliest -e 2>/dev/null |
	window-avg -t approximateArrivalTimestamp -w 1h --count '*' --state "$T/s.state" >/dev/null
t "state of another stream" 1 "" "" kin-read -s cp -e --resume-from "$T/s.state"
like "state of another stream: message" "$(cat "$ERR")" "kin-read: $T/s.state: shard shardId-00000000000?: sequence number * is not one of the shard's (* to now): a file of another stream, or of one deleted and created again?"
t "checkpoint of another stream" 1 "" "" kin-read -s s -e --checkpoint "$T/ck.json"
is "checkpoint of another stream: message" "$(cat "$ERR")" "kin-read: --checkpoint: $T/ck.json: positions are for stream 'cp', not 's'"
# a state file given to --checkpoint would be overwritten: refused
cp "$T/state.json" "$T/state.keep"
t "--checkpoint names a state file" 1 "" "" kin-read -s cp -e --checkpoint "$T/state.json"
is "--checkpoint names a state file: message" "$(cat "$ERR")" "kin-read: --checkpoint: $T/state.json is window-avg's state file: give it to --resume-from, and --checkpoint a file of its own"
ok "--checkpoint names a state file: untouched" cmp -s "$T/state.json" "$T/state.keep"
# where a checkpoint cannot go: refused at start, left as it was
mkfifo "$T/ck.fifo"
t "--checkpoint on a FIFO" 1 "" "" timeout 20 kin-read -s cp -o earliest -e --checkpoint "$T/ck.fifo"
is "--checkpoint on a FIFO: message" "$(cat "$ERR")" "kin-read: --checkpoint $T/ck.fifo: a FIFO: refusing to replace it"
ok "--checkpoint on a FIFO: still one" test -p "$T/ck.fifo"
if mknod "$T/null" c 1 3 2>/dev/null; then
	t "--checkpoint on a device" 1 "" "" kin-read -s cp -o earliest -e --checkpoint "$T/null"
	ok "--checkpoint on a device: still one" test -c "$T/null"
fi
t "--checkpoint in no directory" 1 "" "" kin-read -s cp -o earliest -e --checkpoint "$T/none/ck.json"
is "--checkpoint in no directory: message" "$(cat "$ERR")" "kin-read: --checkpoint $T/none/ck.json: directory $T/none: No such file or directory"
# damaged: any bit flipped is refused, says how to start over, untouched
python3 "$KP_ROOT/tests/e2e/bit-flips.py" "$T/ck15.json" 100 10 "$T/ck15.json.flip"
refused=0
for f in "$T"/ck15.json.flip*; do
	cp "$f" "$f.orig"
	kin-read -s cp -o earliest -e --checkpoint "$f" >"$OUT" 2>"$ERR"
	rc=$?
	case $rc.$(cat "$OUT").$(cat "$ERR") in
	"1..kin-read: --checkpoint: $f: damaged ("*"): not used. To start over, move it aside (mv $f $f.damaged): each shard then starts at --from, and what was read since is read again or skipped")
		cmp -s "$f" "$f.orig" && refused=$((refused + 1)) ;;
	*) echo "flip $f: $rc $(cat "$ERR")" ;;
	esac
done
is "checkpoint with a bit flipped: 100 of 100 refused, said, untouched" "$refused" 100
# kin-read's first format (no seal, no starts): read, said, then sealed
jq -c '{format, stream, shards}' "$T/ck15.json" >"$T/old.json"
run "" kin-read -s cp -o earliest -e --checkpoint "$T/old.json"
cat "$T/part1" - <<<"$(fields "$OUT")" >"$T/got"
ok "old checkpoint: resumed, no loss, no duplicate" same_by_shard "$T/got" "$T/w2"
is "old checkpoint: said" "$(head -n 1 "$ERR")" "kin-read: $T/old.json: written by an older kinpipe, without a checksum: used as it is"
is "old checkpoint: now sealed, with starts" "$(jq -c '[.version, (.starts | length)]' "$T/old.json") $(sealed "$T/old.json")" "[2,2] sealed"

# --- binary payloads -----------------------------------------------------------
admin create bin 1
printf 'plain text\n\377\376 not utf-8\ncaf\303\251 \360\237\230\200\nnul\000inside\n\300\257overlong\n' >"$T/raw"
kin-put -s bin --raw <"$T/raw" >/dev/null
run "" kin-read -s bin -o earliest -e
jq -c '[.data, .dataEncoding]' "$OUT" >"$T/got"
b1=$(printf '\377\376 not utf-8' | base64)
b2=$(printf '\300\257overlong' | base64)
printf '["plain text",null]\n["%s","base64"]\n["café 😀",null]\n["nul\\u0000inside",null]\n["%s","base64"]\n' "$b1" "$b2" >"$T/want"
ok "binary: base64 when not UTF-8, string when it is" cmp -s "$T/got" "$T/want"

# --- errors -------------------------------------------------------------------
t "unknown stream" 4 "" "" kin-read -s nope -o earliest -e
like "unknown stream message" "$(cat "$ERR")" "kin-read: ListShards: ResourceNotFoundException: *nope* (HTTP 400)"
t "unknown shard" 4 "" "" kin-read -s s --shard shardId-000000000099 -e
is "unknown shard message" "$(cat "$ERR")" "kin-read: shard shardId-000000000099 not found in stream s"
t "no --stream" 2 "" "" kin-read -e
like "no --stream message" "$(cat "$ERR")" "usage: kin-read *
kin-read: --stream is required"
t "bad --from" 2 "" "" kin-read -s s --from yesterday
like "bad --from message" "$(cat "$ERR")" "*kin-read: --from: expected earliest, latest, at-timestamp=T or at-sequence=N: 'yesterday'"
t "bad timestamp" 2 "" "" kin-read -s s --from at-timestamp=2024-02-30T00:00:00Z
t "at-sequence without --shard" 2 "" "" kin-read -s s --from at-sequence=1
like "at-sequence message" "$(cat "$ERR")" "*kin-read: --from at-sequence=N needs exactly one --shard"
t "shard-index alone" 2 "" "" kin-read -s s --shard-index 1
t "shard-index out of range" 2 "" "" kin-read -s s --shard-index 4 --shard-count 4
dead=$(free_port)	# a port nothing listens on
t "unreachable endpoint" 1 "" "" kin-read -s s --endpoint-url "http://127.0.0.1:$dead" --retries 2
like "unreachable message" "$(cat "$ERR")" "kin-read: ListShards: http://127.0.0.1:$dead: *Couldn*t connect to server (gave up after 2 attempts)"
t "unreachable endpoint, one attempt" 1 "" "" kin-read -s s --endpoint-url "http://127.0.0.1:$dead" --retries 1
like "one attempt, in the singular" "$(cat "$ERR")" "kin-read: ListShards: http://127.0.0.1:$dead: *Couldn*t connect to server (gave up after 1 attempt)"
t "--version" 0 "kin-read 0.1.0" "" kin-read --version

# --- signals and a closed pipe ---------------------------------------------------
kin-read -s cp -o earliest --checkpoint "$T/sig.json" >"$T/sig.out" 2>"$T/sig.err" &
spid=$!
sleep 1
kill -TERM $spid
wait $spid
is "SIGTERM while following: exit 0" "$?" 0
is "SIGTERM: every record out" "$(wc -l <"$T/sig.out")" 40
is "SIGTERM: checkpoint committed" "$(jq -c .shards "$T/sig.json")" "$(jq -c .shards "$T/ck.json")"
kin-read -s s -o earliest --checkpoint "$T/pipe.json" 2>"$T/pipe.err" | head -n 1 >/dev/null
is "EPIPE: ends by SIGPIPE, as cat does (141)" "${PIPESTATUS[0]}" 141

# --- several readers: a stable share each ---------------------------------------
admin create eight 8
records 400 e | kin-put -s eight >"$T/res8"
records 400 e >"$T/in8"
written "$T/res8" "$T/in8" >"$T/w8"
: >"$T/all"
for i in 0 1 2 3; do
	kin-read -s eight -o earliest -e --shard-index $i --shard-count 4 >"$T/r$i"
	is "reader $i: its two shards" "$(jq -r .shardId "$T/r$i" | sort -u | tr '\n' ' ')" "shardId-00000000000$i shardId-00000000000$((i + 4)) "
	fields "$T/r$i" >>"$T/all"
done
ok "four readers: every record exactly once" same_by_shard "$T/all" "$T/w8"

# --- resharding while reading -------------------------------------------------------
admin create rs 2
kin-read -s rs -o earliest --checkpoint "$T/rs.json" >"$T/rs.out" 2>"$T/rs.err" &
rpid=$!
: >"$T/rs.in"
for phase in 1 2 3; do
	records 150 "r$phase" >"$T/p$phase"
	kin-put -s rs -K k <"$T/p$phase" >"$T/pr$phase"
	cat "$T/p$phase" >>"$T/rs.in"
	case $phase in
	1) admin split rs shardId-000000000000 ;;
	2) admin merge rs shardId-000000000003 shardId-000000000001 ;;
	esac
done
wait_for 10 lines_at_least 450 "$T/rs.out"
sleep 0.5
signal_wait $rpid TERM 10
is "reshard: exit 0" "$?" 0
is "reshard: shards 0-4 seen" "$(jq -r .shardId "$T/rs.out" | sort -u | tr '\n' ' ')" "shardId-000000000000 shardId-000000000001 shardId-000000000002 shardId-000000000003 shardId-000000000004 "
is "reshard: every record once" "$(jq -r .data "$T/rs.out" | sort | cmp - <(sort "$T/rs.in") && echo same)" "same"
# per partition key, the order of the input: no child before its parents
jq -r .data "$T/rs.out" | jq -r '[.k, .p, .i] | join(" ")' >"$T/rs.keys"
jq -r '[.k, .p, .i] | join(" ")' "$T/rs.in" >"$T/rs.want"
ok "reshard: each key in input order" cmp -s <(sort -s -k1,1 "$T/rs.keys") <(sort -s -k1,1 "$T/rs.want")
run "" kin-read -s rs -o earliest -e
jq -r .data "$OUT" | jq -r '[.k, .p, .i] | join(" ")' >"$T/rs.keys"
ok "reshard, read after: each key in input order, all there" cmp -s <(sort -s -k1,1 "$T/rs.keys") <(sort -s -k1,1 "$T/rs.want")

# --- -e ends by sequence number, not by the reader's clock ----------------------
# kinesalite stamps the first records of a new shard up to a second ahead
# (a reshard just before kin-read -e lost them), and AWS's clock is not
# ours: a proxy moves every ApproximateArrivalTimestamp by an hour.
clockproxy() {
	: >"$T/clock.log"
	node "$KP_ROOT/tests/e2e/kin-clockproxy.js" --target "$KIN_PORT" --log "$T/clock.log" "$@" >"$T/.clock-port" &
	clock_pid=$!
	at_exit "kill $clock_pid"
	kp_i=0
	while [ ! -s "$T/.clock-port" ] && [ $kp_i -lt 100 ]; do sleep 0.05; kp_i=$((kp_i + 1)); done
	clock=http://127.0.0.1:$(cat "$T/.clock-port")
	rm -f "$T/.clock-port"
}
admin create ck 2
records 40 c1 >"$T/ck1"
kin-put -s ck <"$T/ck1" >"$T/ckr1"
written "$T/ckr1" "$T/ck1" >"$T/ckw1"
clockproxy --skew 3600
run "" kin-read -s ck -o earliest -e --endpoint-url "$clock"
is "server clock an hour ahead: -e exit 0" "$rc" 0
ok "server clock an hour ahead: -e reads every record, in order per shard" same_by_shard <(fields "$OUT") "$T/ckw1"
kill $clock_pid
# behind: records put after the start look old; -e must still stop short
# of them. GetRecords waits at the proxy until they are in.
touch "$T/hold"
clockproxy --skew -3600 --hold "$T/hold"
kin-read -s ck -o earliest -e --endpoint-url "$clock" >"$T/ck.out" 2>"$T/ck.err" &
ckpid=$!
kp_i=0
while ! grep -q GetRecords "$T/clock.log" && [ $kp_i -lt 200 ]; do sleep 0.05; kp_i=$((kp_i + 1)); done
records 40 c2 | kin-put -s ck >/dev/null
rm -f "$T/hold"
wait $ckpid
is "server clock an hour behind: -e exit 0" "$?" 0
ok "server clock an hour behind: -e stops where the stream ended at its start" same_by_shard <(fields "$T/ck.out") "$T/ckw1"
kill $clock_pid
# a shard born after the start holds nothing from before it
admin create cb 1
records 30 c3 | kin-put -s cb >/dev/null
touch "$T/hold"
clockproxy --skew 0 --hold "$T/hold"
kin-read -s cb -o earliest -e --endpoint-url "$clock" >"$T/cb.out" 2>"$T/cb.err" &
ckpid=$!
kp_i=0
while ! grep -q GetRecords "$T/clock.log" && [ $kp_i -lt 200 ]; do sleep 0.05; kp_i=$((kp_i + 1)); done
admin split cb shardId-000000000000
records 30 c4 | kin-put -s cb >/dev/null
rm -f "$T/hold"
wait $ckpid
is "split after the start: -e exit 0" "$?" 0
is "split after the start: only the records from before it" "$(jq -r .data "$T/cb.out" | jq -r .p | sort | uniq -c | tr -s ' ')" " 30 c3"
kill $clock_pid
# the calls at the tip count towards the shard's five GetRecords a second:
# one record a call, a look at the tip after each
admin create cr 1
records 12 c5 >"$T/cr"
kin-put -s cr <"$T/cr" >/dev/null
clockproxy --skew 0
run "" kin-read -s cr -o earliest -e --batch 1 --endpoint-url "$clock"
is "one record a call: -e exit 0, all twelve" "$rc $(jq -r .data "$OUT" | cmp - "$T/cr" && echo same)" "0 same"
# calls seen by the proxy, most within any 0.95 s (the slack: network jitter)
is "one record a call: at most five GetRecords a second" "$(awk '$1 == "GetRecords" { t[n++] = $2 } END {
	m = 0; for (i = 0; i < n; i++) { c = 0; for (j = i; j < n && t[j] - t[i] < 950; j++) c++; if (c > m) m = c }
	print (n >= 24 ? "" : "too few calls " n " "), (m <= 5 ? "ok" : m " in a second") }' "$T/clock.log")" " ok"
kill $clock_pid

# --- out of memory is an error, never the end of a shard ----------------------------
# A strndup that fails for 100 bytes and more: the next shard iterator
# (kinesalite's run to some 200 base64 characters), never a sequence
# number (56 digits). With no iterator the shard looks closed: reading
# must fail, not end the shard early with exit 0.
cat >"$T/oom.c" <<'EOC'
#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *
strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p;

	if (len >= 100 || (p = malloc(len + 1)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
EOC
if ${CC:-cc} -shared -fPIC -o "$T/oom.so" "$T/oom.c" 2>"$T/oom.err"; then
	admin create oom 1
	records 5 m | kin-put -s oom >/dev/null
	# ASan's runtime wants to be first; the shim only replaces strndup
	run "" env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    LD_PRELOAD="$T/oom.so" kin-read -s oom -o earliest -e --checkpoint "$T/oom.ck"
	# the batch in hand was read whole: it is written and its position kept
	is "no memory for the next iterator: exit 1 after the batch" "$rc $(wc -l <"$OUT")" "1 5"
	is "no memory for the next iterator: message" "$(tail -n 1 "$ERR")" "kin-read: shardId-000000000000: out of memory"
	is "no memory for the next iterator: position of the batch" "$(jq -r '.shards[]' "$T/oom.ck")" "$(tail -n 1 "$OUT" | jq -r .sequenceNumber)"
else
	echo "test-kin-read: skip: out-of-memory cases: cannot build a shim: $(head -c 200 "$T/oom.err")"
fi

# --- the man page's EXAMPLES, as written -------------------------------------------
admin create bitcoin-info 4
python3 "$KP_ROOT/examples/gen-bitcoin.py" --count 300 | kin-put -s bitcoin-info >/dev/null
ddb_server	# the lease table's
is "man: seven examples" "$(man_commands kin-read.1 "$T/ex")" 7
for f in "$T"/ex/[0-9]*.sh; do
	(cd "$T/ex" && bash -e "$f" >"$f.out" 2>"$f.err")
	# $? before the name's command substitution resets it; a failure
	# shows the example's own stderr
	ex_rc=$? ex_err=$ERR ERR=$f.err
	is "man example $(basename "$f"): exit 0" "$ex_rc" 0
	ERR=$ex_err
done
is "man example 1: every record" "$(wc -l <"$T/ex/records.ndjson")" 300
is "man example 2: two parts, every record once" "$(cat "$T/ex/part1.ndjson" "$T/ex/part2.ndjson" | jq -r .sequenceNumber | sort -u | wc -l) $(wc -l <"$T/ex/part1.ndjson")" "300 100"
is "man example 3: four readers, every record once" "$(cat "$T"/ex/reader?.ndjson | jq -r .sequenceNumber | sort -u | wc -l)" 300
is "man example 4: a leased worker alone reads every record" "$(jq -r .sequenceNumber "$T/ex/leased.ndjson" | sort -u | wc -l) $(wc -l <"$T/ex/leased.ndjson")" "300 300"
is "man example 5: the last five minutes" "$(wc -l <"$T/ex/5.sh.out")" 300
is "man example 6: the stream, then its four shards" \
	"$(jq -r 'select(.stream == "bitcoin-info") | .shardId // "stream"' "$T/ex/6.sh.out" | tr '\n' ' ')" \
	"stream shardId-000000000000 shardId-000000000001 shardId-000000000002 shardId-000000000003 "
is "man example 7: the payloads of example 1's records" \
	"$(sort "$T/ex/payloads.ndjson" | md5sum)" "$(jq -r .data "$T/ex/records.ndjson" | sort | md5sum)"

finish
