# Shared helpers for the end-to-end tests (sourced, POSIX sh).
#
#   run STDIN CMD...          run CMD with STDIN (text, given to it as a
#                             file) as its input; sets $rc and the files
#                             $OUT and $ERR
#   t NAME RC STDOUT STDIN CMD...
#                             run, then check exit status and exact stdout
#   te NAME RC STDERR STDIN CMD...
#                             run, then check exit status and that the
#                             whole stderr matches the shell pattern STDERR
#   is NAME GOT WANT          equal strings
#   like NAME GOT GLOB        GOT matches the shell pattern GLOB
#   ok NAME CMD...            CMD exits 0
#   finish                    print "NAME: N passed, N failed", exit status
#   wait_for SECONDS CMD...   poll CMD every 0.1 s until it succeeds (0),
#                             at most SECONDS (then 1)
#   lines_at_least N FILE     FILE has N lines or more (none while absent)
#   signal_wait PID SIG SECONDS
#                             signal a background job and wait for it:
#                             its status, or 124 when killed at SECONDS
#   start_bg FILE CMD...      CMD in the background, stdout in FILE; waits
#                             (10 s at most) for its first line, a port;
#                             killed and waited for at the end
#   man_commands PAGE DIR     the EXAMPLES of man/PAGE as DIR/1.sh, 1.want, ...
#
# KP_BIN holds the tools under test. Every test runs with LC_ALL=C TZ=UTC
# in a private temporary directory $T, removed at exit.

set -u
LC_ALL=C
TZ=UTC
export LC_ALL TZ
: "${KP_BIN:?KP_BIN must name the directory of the tools under test}"
PATH=$KP_BIN:$PATH
export PATH
KP_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export KP_ROOT
T=$(mktemp -d "${TMPDIR:-/tmp}/kinpipe-test.XXXXXX")
OUT=$T/.out
ERR=$T/.err
kp_name=$(basename "$0" .sh)
kp_pass=0
kp_fail=0
kp_cleanups=""

# at_exit CMD: run CMD (a string) when the test ends, last registered first.
at_exit() {
	kp_cleanups="$1;$kp_cleanups"
}
kp_exit() {
	eval "$kp_cleanups" 2>/dev/null
	if [ -n "${KP_KEEP:-}" ]; then
		echo "kept $T" >&2	# KP_KEEP=1: leave the files for a look
	else
		rm -rf "$T"
	fi
}
trap kp_exit EXIT
trap 'exit 130' INT TERM

# lines_at_least N FILE: FILE has N lines or more; a FILE not there yet
# has none. A tool started in the background may not have created its
# output when a wait first looks, and a bare "$(wc -l <FILE)" -lt N then
# fails as a test, ending the wait at once (a signal sent then reaches
# the shell's child before it has become the tool, and is lost).
lines_at_least() {
	[ "$(wc -l <"$2" 2>/dev/null || echo 0)" -ge "$1" ]
}

# ended PID: PID is gone or a zombie (ended, not yet waited for).
ended() {
	! grep -qs '^State:[[:space:]]*[^Z]' "/proc/$1/status"
}

# signal_wait PID SIGNAL SECONDS: send SIGNAL to the background job PID
# and return its exit status; when it has not ended SECONDS later it is
# said on stderr, killed, and 124 is returned (as timeout(1) does), so a
# signal a tool does not act on fails a check instead of hanging the
# suite.
signal_wait() {
	kill -"$2" "$1" 2>/dev/null
	if ! wait_for "$3" ended "$1"; then
		echo "$kp_name: pid $1 still running $3 s after SIG$2: killed" >&2
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		return 124
	fi
	wait "$1"
}

kp_report_fail() {
	kp_fail=$((kp_fail + 1))
	printf 'FAIL %s: %s\n' "$kp_name" "$1"
	shift
	for line in "$@"; do printf '    %s\n' "$line"; done
	if [ -s "$ERR" ]; then
		printf '    stderr: %s\n' "$(head -c 600 "$ERR")"
	fi
}

pass() {
	kp_pass=$((kp_pass + 1))
	[ -n "${KP_VERBOSE:-}" ] && printf 'ok   %s: %s\n' "$kp_name" "$1"
	return 0
}

# STDIN comes from a file, not a pipe: the shell may write a pipe a line
# at a time, and a tool that ends a batch whenever its input runs dry
# (window-avg's default trigger) would then see batches that depend on
# the machine's load. Tests of pipe behaviour build their own pipelines.
run() {
	printf '%s' "$1" >"$T/.in"
	shift
	"$@" <"$T/.in" >"$OUT" 2>"$ERR"
	rc=$?
}

t() {
	kp_t=$1 kp_rc=$2 kp_want=$3
	shift 3
	run "$@"
	kp_got=$(cat "$OUT")
	if [ "$rc" != "$kp_rc" ]; then
		kp_report_fail "$kp_t" "exit status $rc, wanted $kp_rc"
	elif [ "$kp_got" != "$kp_want" ]; then
		kp_report_fail "$kp_t" "stdout:" "$kp_got" "wanted:" "$kp_want"
	else
		pass "$kp_t"
	fi
}

te() {
	kp_t=$1 kp_rc=$2 kp_want=$3
	shift 3
	run "$@"
	kp_got=$(cat "$ERR")
	if [ "$rc" != "$kp_rc" ]; then
		kp_report_fail "$kp_t" "exit status $rc, wanted $kp_rc"
	else
		case $kp_got in
		$kp_want) pass "$kp_t" ;;
		*) kp_report_fail "$kp_t" "stderr:" "$kp_got" "wanted:" "$kp_want" ;;
		esac
	fi
}

is() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		kp_report_fail "$1" "got:" "$2" "wanted:" "$3"
	fi
}

like() {
	case $2 in
	$3) pass "$1" ;;
	*) kp_report_fail "$1" "got:" "$2" "wanted a match for:" "$3" ;;
	esac
}

ok() {
	kp_t=$1
	shift
	if "$@"; then
		pass "$kp_t"
	else
		kp_report_fail "$kp_t" "command failed: $*"
	fi
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# wait_port PORT [SECONDS]: wait until something accepts on 127.0.0.1:PORT.
wait_port() {
	kp_i=0
	while [ $kp_i -lt $((${2:-10} * 20)) ]; do
		if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
		kp_i=$((kp_i + 1))
	done
	return 1
}

# man_commands PAGE DIR: the commands of man/PAGE's EXAMPLES (PAGE as
# kinpipe.7), mdoc's \e and \& undone, as DIR/1.sh, DIR/2.sh, ... and
# what the page shows each printing as DIR/N.want; prints how many. In a
# display, "$ " starts a command, indented lines continue it, a here-
# document's lines belong to it, and the other lines are its output. A
# display without "$ " is one command that shows no output. Only literal
# displays hold commands: a page shows an output on its own in an
# unfilled display (.Bd -unfilled).
man_commands() {
	mkdir -p "$2" || return 1
	awk -v dir="$2" '
		function start() { n++; sh = dir "/" n ".sh"; want = dir "/" n ".want"
			printf "" >want; cmd = 1; seen = 1 }
		function here(s) {	# the delimiter of a here-document in s
			if (!match(s, /<<-?[ ]*["\047]?[A-Za-z_]+/))
				return ""
			s = substr(s, RSTART + 2, RLENGTH - 2)
			gsub(/[- "\047]/, "", s)
			return s
		}
		/^\.Sh / { ex = ($2 == "EXAMPLES"); next }
		!ex { next }
		/^\.Bd -literal/ { inb = 1; seen = 0; cmd = 0; raw = 0; eof = ""; next }
		/^\.Ed/ { inb = 0; next }
		!inb { next }
		{ gsub(/\\&/, ""); gsub(/\\e/, "\\") }
		eof != "" { print >sh; if ($0 == eof) eof = ""; next }
		/^\$ / { start(); print substr($0, 3) >sh; eof = here($0); next }
		!seen { start(); raw = 1 }
		raw || (cmd && /^[ \t]/) { print >sh; eof = here($0); next }
		{ cmd = 0; print >want }
		END { print n + 0 }
	' "$KP_ROOT/man/$1"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds (0), at
# most SECONDS (then 1).
wait_for() {
	kp_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge $kp_end ] && return 1
		sleep 0.1
	done
}

# start_bg FILE CMD...: start CMD in the background, its stdout in FILE,
# killed when the test ends (and waited for, so that it writes nothing
# more into $T as that goes); wait (10 s at most) for its first line, the
# port it listens on.
start_bg() {
	kp_f=$1
	shift
	"$@" >"$kp_f" 2>>"$T/.bg-err" &
	at_exit "kill $!; wait $!"
	kp_i=0
	while [ ! -s "$kp_f" ] && [ $kp_i -lt 200 ]; do sleep 0.05; kp_i=$((kp_i + 1)); done
	[ -s "$kp_f" ] || { echo "$* did not start: $(cat "$T/.bg-err")"; exit 1; }
}

finish() {
	printf '%s: %d passed, %d failed\n' "$kp_name" "$kp_pass" "$kp_fail"
	[ "$kp_fail" = 0 ]
}
