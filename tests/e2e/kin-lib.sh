# Shared setup of the kin-* end-to-end tests (sourced after lib.sh): a
# private kinesalite on 127.0.0.1, dummy credentials, no user AWS config.

for v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
HOME=$T
AWS_ACCESS_KEY_ID=AKIDKINPIPETEST
AWS_SECRET_ACCESS_KEY=kinpipe-test-secret-not-real
AWS_REGION=us-west-2
AWS_EC2_METADATA_DISABLED=true
export HOME AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_EC2_METADATA_DISABLED

# kin_server: start kinesalite, set KIN_PORT and AWS_ENDPOINT_URL_KINESIS
kin_server() {
	node "$KP_ROOT/examples/local-kinesis.js" >"$T/.kin-port" 2>"$T/.kin-err" &
	kin_pid=$!
	at_exit "kill $kin_pid"
	kp_i=0
	while [ ! -s "$T/.kin-port" ] && [ $kp_i -lt 100 ]; do sleep 0.05; kp_i=$((kp_i + 1)); done
	KIN_PORT=$(cat "$T/.kin-port")
	[ -n "$KIN_PORT" ] || { echo "kinesalite did not start: $(cat "$T/.kin-err")"; exit 1; }
	AWS_ENDPOINT_URL_KINESIS=http://127.0.0.1:$KIN_PORT
	export KIN_PORT AWS_ENDPOINT_URL_KINESIS
}

admin() {
	node "$KP_ROOT/tests/e2e/kin-admin.js" "$KIN_PORT" "$@"
}

# records N [PREFIX]: N small JSON records {"i":k,"k":"key-(k%7)","p":PREFIX}
records() {
	awk -v n="$1" -v p="${2:-x}" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"i\":%d,\"k\":\"key-%d\",\"p\":\"%s\"}\n", i, i % 7, p }'
}

# envelope fields as "shardId sequenceNumber data" lines
fields() {
	jq -r '[.shardId, .sequenceNumber, .data] | join(" ")' "$@"
}

# what kin-put's results and input say was written: "shardId seq line"
written() {
	paste -d ' ' "$1" "$2" | awk '{ n = index($0, "} "); r = substr($0, 1, n); d = substr($0, n + 2);
		match(r, /"shardId":"[^"]*"/); s = substr(r, RSTART + 11, RLENGTH - 12);
		match(r, /"sequenceNumber":"[^"]*"/); q = substr(r, RSTART + 18, RLENGTH - 19);
		print s, q, d }'
}

# same_by_shard A B: same lines, and the same order within each shard
same_by_shard() {
	sort -s -k1,1 "$1" >"$T/.a"
	sort -s -k1,1 "$2" >"$T/.b"
	cmp -s "$T/.a" "$T/.b"
}

# ddb_server: start dynalite (the lease tables' DynamoDB), set DDB_PORT and
# AWS_ENDPOINT_URL_DYNAMODB
ddb_server() {
	start_bg "$T/.ddb-port" node "$KP_ROOT/examples/local-dynamodb.js"
	DDB_PORT=$(cat "$T/.ddb-port")
	AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$DDB_PORT
	export DDB_PORT AWS_ENDPOINT_URL_DYNAMODB
}

# lease_watch TABLE LOG: record every change of the lease table in LOG
# ("time leaseKey owner checkpoint" lines) until the test ends
lease_watch() {
	python3 "$KP_ROOT/tests/e2e/lease-watch.py" "$AWS_ENDPOINT_URL_DYNAMODB" "$1" >"$2" 2>"$2.err" &
	at_exit "kill $!"
}

# lease_now LOG: each lease's last known "leaseKey owner checkpoint"
lease_now() {
	awk '{ o[$2] = $3 " " $4 } END { for (k in o) print k, o[k] }' "$1" | sort
}

# test_ca DIR: a private CA (DIR/ca.pem) and a certificate it signed for
# IP 127.0.0.1 (DIR/server.pem, key DIR/server.key), for the TLS servers
# of the tests: --ca-bundle and AWS_CA_BUNDLE trust them, nothing else.
test_ca() {
	mkdir -p "$1"
	(cd "$1" &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=kinpipe-test-ca \
		    -keyout ca.key -out ca.pem &&
		openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr &&
		printf 'subjectAltName=IP:127.0.0.1\n' >san.ext &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
		    -extfile san.ext -out server.pem) >"$1/openssl.log" 2>&1 ||
		{ echo "test_ca: openssl: $(tail -n 3 "$1/openssl.log")"; exit 1; }
}

# km_server: start kinesis-mock (npm's kinesis-local, which has enhanced
# fan-out) on 127.0.0.1 only; set KM_PORT (h2c with prior knowledge, and
# HTTP/1.1), KM_TLS_PORT (TLS) and KM_CA (the PEM of a private CA made
# here, which signed the TLS port's certificate for IP 127.0.0.1: the one
# kinesis-local ships names no host). Its main.js binds 0.0.0.0 with no
# option to change it: a copy is run with that one literal rewritten, and
# refused if the rewrite did not take.
km_server() {
	mkdir -p "$T/km"
	cp "$KP_ROOT/node_modules/kinesis-local/main.js" "$T/km/" ||
		{ echo "kinesis-local is not installed (sh mk/deps.sh)"; exit 1; }
	sed -i 's/Host\$()\.em("0\.0\.0\.0")/Host$().em("127.0.0.1")/' "$T/km/main.js"
	if ! grep -q 'Host\$()\.em("127\.0\.0\.1")' "$T/km/main.js" ||
	    grep -q 'Host\$()\.em("0\.0\.0\.0")' "$T/km/main.js"; then
		echo "kinesis-mock: could not bind it to 127.0.0.1 only"
		exit 1
	fi
	test_ca "$T/km"
	node -e '
		const fs = require("fs"), d = process.argv[1]
		fs.writeFileSync(d + "/server.json", JSON.stringify({ server: {
			key: fs.readFileSync(d + "/server.key", "utf8"),
			cert: fs.readFileSync(d + "/server.pem", "utf8") } }))' "$T/km"
	KM_CA=$T/km/ca.pem
	KM_PORT=$(free_port)
	KM_TLS_PORT=$(free_port)
	(cd "$T/km" && KINESIS_MOCK_PLAIN_PORT=$KM_PORT KINESIS_MOCK_TLS_PORT=$KM_TLS_PORT \
		KINESIS_MOCK_CERT_PATH=$T/km/server.json \
		LOG_LEVEL=ERROR ROOT_LOG_LEVEL=ERROR AWS_REGION=$AWS_REGION \
		CREATE_STREAM_DURATION=50ms SPLIT_SHARD_DURATION=50ms \
		REGISTER_STREAM_CONSUMER_DURATION=200ms SHARD_LIMIT=200 \
		exec node main.js) >"$T/km.log" 2>&1 &
	km_pid=$!
	at_exit "kill $km_pid; wait $km_pid"
	wait_port "$KM_PORT" 60 && wait_port "$KM_TLS_PORT" 10 ||
		{ echo "kinesis-mock did not start: $(tail -n 5 "$T/km.log")"; exit 1; }
	export KM_PORT KM_TLS_PORT KM_CA
}

km_admin() {
	node "$KP_ROOT/tests/e2e/kin-admin.js" "$KM_PORT" "$@"
}
