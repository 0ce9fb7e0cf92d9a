#!/bin/sh
# The layering of common/: each subsystem may include only itself and the
# subsystems listed beside it. base is the floor and includes nothing
# above it; subsystems that have nothing to do with each other (the wallet
# and the Kinesis code, the window engine and AWS) never include each
# other. An include that breaks a rule is printed with its file and line,
# and the script exits 1. Run by `make check`.
set -eu
cd "$(dirname "$0")/.."

allowed() {
	case $1 in
	base)    echo "base" ;;
	time)    echo "base time" ;;
	json)    echo "base time json" ;;
	aws)     echo "base time json aws" ;;
	ddb)     echo "base time json aws ddb" ;;
	kinesis) echo "base time json aws ddb kinesis" ;;
	window)  echo "base time json window" ;;
	wallet)  echo "base json wallet" ;;
	server)  echo "base time json wallet server" ;;
	*)       echo "" ;;
	esac
}

bad=0
for dir in common/*/; do
	sub=$(basename "$dir")
	ok=$(allowed "$sub")
	if [ -z "$ok" ]; then
		echo "layers: $dir: a subsystem with no rule in mk/layers.sh" >&2
		bad=1
		continue
	fi
	# Every quoted include must name its folder; <...> are system headers.
	grep -n '^#include "' "$dir"*.[ch] /dev/null | while IFS= read -r line; do
		target=$(printf '%s\n' "$line" | sed 's/.*#include "\([^"]*\)".*/\1/')
		case $target in
		*/*) tsub=${target%%/*} ;;
		*) echo "layers: $line: include without its folder" >&2; echo x; continue ;;
		esac
		case " $ok " in
		*" $tsub "*) ;;
		*) echo "layers: $line: $sub may not include $tsub" >&2; echo x ;;
		esac
	done | grep -q x && bad=1
done
if [ -n "$(ls common/*.[ch] 2>/dev/null)" ]; then
	echo "layers: files directly in common/: $(ls common/*.[ch] | tr '\n' ' ')" >&2
	bad=1
fi
[ "$bad" = 0 ] && echo "layers: common/ keeps its layering"
exit "$bad"
