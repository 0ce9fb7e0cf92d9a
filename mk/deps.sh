#!/bin/sh
# Install what kinpipe needs to build, test, benchmark and run its demo:
# Debian packages (only the missing ones, only when run as root) and the
# npm packages pinned in package-lock.json. Safe to run again and again.
set -eu
cd "$(dirname "$0")/.."

# Build: compiler, libraries the tools link. Test: Check, the Kinesis
# and DynamoDB servers' runtime (node), botocore as the SigV4 oracle and
# the lease tests' independent client, chromium for the
# wallet page, strace to watch wallet-server sync before it answers,
# jq/miller as comparison points, gnuplot for the demo chart,
# prometheus_client's text parser to read the --metrics files, openssl
# for the private CA of the TLS tests. libssl (MD5 of KPL aggregates),
# zlib (the event stream's CRC32) and libcurl's HTTP/2 (nghttp2, for
# enhanced fan-out) are linked.
PKGS="gcc make pkg-config libjansson-dev libcurl4-openssl-dev libjsmn-dev
libmicrohttpd-dev libsqlite3-dev libsodium-dev libxml2-dev nettle-dev
libssl-dev zlib1g-dev libnghttp2-14 check libsubunit-dev
python3 python3-botocore awscli jq miller mandoc gnuplot-nox
chromium curl sqlite3 util-linux procps time bc tzdata openssl
iproute2 wrk systemd python3-prometheus-client strace"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
# Node.js may come from elsewhere than Debian (with its own npm): only ask
# Debian for it when there is none at all.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
	missing="$missing nodejs npm"
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "deps: installing$missing" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null
		apt-get install -y -qq --no-install-recommends $missing >/dev/null
	else
		echo "deps: missing Debian packages:$missing (run as root to install)" >&2
	fi
fi

# The local Kinesis and DynamoDB servers, pinned by package-lock.json:
# kinesalite for polling, kinesis-mock (kinesis-local) for enhanced
# fan-out, dynalite for the lease tables.
if [ -f package-lock.json ] && { [ ! -d node_modules/kinesalite ] ||
    [ ! -d node_modules/kinesis-local ] || [ ! -d node_modules/dynalite ]; }; then
	echo "deps: npm ci" >&2
	npm ci --silent --no-audit --no-fund >/dev/null
fi
exit 0
