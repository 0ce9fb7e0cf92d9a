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
