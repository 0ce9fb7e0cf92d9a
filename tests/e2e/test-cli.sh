#!/bin/bash
# One meaning per short option letter across the suite, the letters each
# tool's --help lists are exactly the ones it accepts, and counts refused
# outside their range instead of wrapped (kinpipe(7), "Options").
. "$(dirname "$0")/lib.sh"

tools=$(cd "$KP_ROOT/tools" && ls *.c | sed 's/\.c$//')

# The pairs "-X --long" that each tool's --help lists.
: >"$T/pairs"
for tool in $tools; do
	"$tool" --help | sed -n 's/^ *-\([A-Za-z]\), --\([a-z-]*\).*/\1 \2/p' |
		sed "s/^/$tool /" >>"$T/pairs"
done
ok "--help lists short options" test "$(wc -l <"$T/pairs")" -ge 20
conflicts=$(awk '{ seen[$2] = seen[$2] ? seen[$2] : $3
		if (seen[$2] != $3) print "-" $2 ": --" seen[$2] " and --" $3 " (" $1 ")" }' "$T/pairs")
is "no short letter has two meanings" "$conflicts" ""

# kinpipe(7)'s table of letters says what the tools' --help say.
page=$(sed -n 's/^\.It Fl \([A-Za-z]\) Ta Fl -\([a-z-]*\) Ta .*/\1 \2/p' "$KP_ROOT/man/kinpipe.7" | grep -v '^[hV] ' | sort -u)
tools_say=$(awk '{ print $2, $3 }' "$T/pairs" | grep -v '^[hV] ' | sort -u)
is "kinpipe(7)'s short letters are the tools' letters" "$page" "$tools_say"

# Each letter a tool does not list is refused (exit 2, its name in the
# message): the getopt string and the help cannot drift apart.
for tool in $tools; do
	listed=$(awk -v t="$tool" '$1 == t { printf "%s", $2 }' "$T/pairs")
	accepted=""
	for l in a b c d e f g i j k l m n o p q r s t u v w x y z A B C D E F G I J K L M N O P Q R S T U W X Y Z; do
		# in $T, so that an accepted letter that names a file (-d x)
		# creates it there; a listed letter may start work: 5 s at most
		(cd "$T" && timeout 5 "$tool" "-$l" x </dev/null >"$T/o" 2>"$T/e")
		r=$?
		if [ "$r" = 2 ] && grep -q -- "option '-$l' is unknown" "$T/e"; then
			continue	# refused as an unknown option
		fi
		accepted="$accepted$l"
	done
	# h and V (help, version) are every tool's and exit 0 above.
	is "$tool: the short options accepted are the ones --help lists" \
		"$(printf '%s' "$accepted" | fold -w1 | sort | tr -d '\n')" \
		"$(printf '%s' "$listed" | fold -w1 | grep -v '[hV]' | sort | tr -d '\n')"
done

# Counts: out of range is a usage error naming the option, never wrapped
# (4294967297 was once read as 1).
t "kin-read --retries 4294967297 refused" 2 "" "" kin-read -s x --retries 4294967297
like "kin-read --retries: the range in the message" "$(cat "$ERR")" "*--retries: must be from 1 to 1000: '4294967297'*"
t "kin-read --batch 4294967297 refused" 2 "" "" kin-read -s x --batch 4294967297
like "kin-read --batch: the range" "$(cat "$ERR")" "*--batch: must be from 1 to 10000*"
t "kin-read --count 99999999999999999999 refused" 2 "" "" kin-read -s x -c 99999999999999999999
like "kin-read --count: overflow is out of range" "$(cat "$ERR")" "*--count: must be at least 0*"
t "kin-read --count -1 refused" 2 "" "" kin-read -s x -c -1
t "kin-read --count x refused" 2 "" "" kin-read -s x -c x
like "kin-read --count: not an integer" "$(cat "$ERR")" "*--count: not an integer: 'x'*"
t "kin-read --shard-count 0 refused" 2 "" "" kin-read -s x --shard-index 0 --shard-count 0
t "kin-put --retries 0 refused" 2 "" "" kin-put -s x -k k --retries 0
t "json-project --flush-ms 4294967397 refused" 2 "" "" json-project --flush-ms 4294967397
like "json-project --flush-ms: the range" "$(cat "$ERR")" "*--flush-ms: must be from 0 to 86400000*"
t "ts-parse --flush-ms -1 refused" 2 "" "" ts-parse -p yyyy --flush-ms -1
t "wallet-info --retries 11 refused" 2 "" "" wallet-info --retries 11
t "wallet-buy --retries 4294967297 refused" 2 "" "" wallet-buy 1 --retries 4294967297
t "wallet-server --threads 4294967297 refused" 2 "" "" wallet-server --threads 4294967297 --db "$T/x.db"
like "wallet-server --threads: the range" "$(cat "$ERR")" "*--threads: must be from 1 to 256*"
ok "wallet-server did not create a database on a usage error" test ! -e "$T/x.db"

# The pages as man(1) renders them on an 80-column terminal: groff warns of
# nothing (a line it cannot break), and no quote nests inside another
# (".Pq Ql a , Ql b" renders as nested quotes).
for page in "$KP_ROOT"/man/*.[1-9]; do
	MANWIDTH=80 MAN_KEEP_FORMATTING= man -l "$page" >"$T/page" 2>"$T/warn"
	is "$(basename "$page"): man -l renders without warnings" "$(cat "$T/warn")" ""
	is "$(basename "$page"): no nested quotes" "$(grep -c "‘[^’]*‘" "$T/page")" 0
done

# Exit codes, the suite's one table (kinpipe(7) EXIT STATUS): 0 done, 1 a
# runtime or data failure, 2 a usage error, for each kind per filter.
good='{"data":"{\"t\":\"2024-01-01T00:00:07\",\"v\":1}","shardId":"s","sequenceNumber":"1"}'
t "json-project: success 0" 0 '{"t":"2024-01-01T00:00:07","v":1,"shardId":"s","sequenceNumber":"1"}' "$good" json-project --schema 't STRING, v INT'
t "json-project: usage error 2" 2 "" "$good" json-project --schema 't NOTATYPE'
t "json-project: bad record under fail 1" 1 "" '{"data":"{bad"}' json-project --schema 't STRING' --on-error=fail
t "json-project: write failure 1" 1 "" "" sh -c "printf '%s\n' '$good' | json-project --schema 't STRING' >/dev/full"
t "ts-parse: success 0" 0 '{"t":"2024-01-01T00:00:07Z"}' '{"t":"2024-01-01T00:00:07"}' ts-parse -f t -p "yyyy-MM-dd'T'HH:mm:ss"
t "ts-parse: usage error 2" 2 "" "" ts-parse -p "yyyy-MM-dd'T'HH:mm:ss" --to never
t "ts-parse: bad time under fail 1" 1 "" '{"t":"soon"}' ts-parse -f t --on-error=fail
t "ts-parse: write failure 1" 1 "" "" sh -c "echo '{\"t\":\"2024-01-01 00:00:07\"}' | ts-parse -f t >/dev/full"
t "window-avg: success 0" 0 '{"window":{"start":"2024-01-01T00:00:00Z","end":"2024-01-01T00:01:00Z"},"n":1,"batch":0}' '{"t":"2024-01-01T00:00:07Z"}' window-avg -t t -w 1m --count '*=n'
t "window-avg: usage error 2" 2 "" "" window-avg -t t -w 1m --count '*=n' --mode append
t "window-avg: bad record under fail 1" 1 "" '{"t":"soon"}' window-avg -t t -w 1m --count '*=n' --on-error fail
t "window-avg: write failure 1" 1 "" "" sh -c "echo '{\"t\":\"2024-01-01T00:00:07Z\"}' | window-avg -t t -w 1m --count '*=n' >/dev/full"

# Closed standard descriptors: refused at start, exit 2, before anything
# is done (a trade's confirmation or a put's result into a descriptor the
# tool opened itself would be lost).
for tool in $tools; do
	"$tool" --version >&- 2>"$T/e"
	is "$tool >&-: exit 2" "$?" 2
	like "$tool >&-: says why" "$(cat "$T/e")" "$tool: standard output (descriptor 1) is closed: refusing to run*"
	"$tool" --version <&- >/dev/null 2>"$T/e"
	is "$tool <&-: exit 2" "$?" 2
	like "$tool <&-: says why" "$(cat "$T/e")" "$tool: standard input (descriptor 0) is closed*"
	"$tool" --version 2>&- >"$T/o"
	is "$tool 2>&-: exit 2, nothing done" "$?:$(cat "$T/o")" "2:"
done
# No trade is attempted: a listener on the API port counts connections.
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
s.settimeout(3)
n = 0
try:
    while True:
        c, _ = s.accept(); n += 1; c.close()
except socket.timeout:
    pass
open(sys.argv[1], "w").write(str(n))
' "$T/conns" >"$T/port" &
lp=$!
for i in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port")
printf 'key\n' >"$T/k" && chmod 600 "$T/k"
WALLET_ACCESS_KEY_FILE=$T/k wallet-sell 0.00000001 -u g7 --api "http://127.0.0.1:$port/" >&- 2>"$T/e"
is "wallet-sell >&-: exit 2" "$?" 2
kin-put -s x -k k --endpoint-url "http://127.0.0.1:$port" --region us-east-1 >&- 2>"$T/e" <<<'{"a":1}'
is "kin-put >&-: exit 2" "$?" 2
wait $lp
is "wallet-sell and kin-put >&-: the API was never contacted" "$(cat "$T/conns")" 0

finish
