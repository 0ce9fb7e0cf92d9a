#!/bin/bash
# Signing and credentials: the Authorization header kin-read sends, at a
# pinned time, equals botocore's for the same request; credentials come
# from where the AWS CLI finds them, and a failure says where it looked.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"

# capture LOG STATUS BODY | --imds ...: start kin-capture.js; its port in $cap
capture() {
	node "$KP_ROOT/tests/e2e/kin-capture.js" "$@" >"$T/.cap-port" 2>/dev/null &
	at_exit "kill $!"
	kp_i=0
	while [ ! -s "$T/.cap-port" ] && [ $kp_i -lt 100 ]; do sleep 0.05; kp_i=$((kp_i + 1)); done
	cap=$(cat "$T/.cap-port")
	rm -f "$T/.cap-port"
}
hdr() {	# hdr LOGLINE NAME: every value of header NAME, one per line
	printf '%s' "$1" | jq -r --arg n "$2" '.headers as $h | range(0; $h | length; 2) | select($h[.] | ascii_downcase == $n) | $h[. + 1]'
}
shards='{"Shards":[]}'
capture "$T/cap.log" 200 "$shards"
ep=http://127.0.0.1:$cap

# --- SigV4 against botocore, with and without a session token -------------------
export KINPIPE_TEST_AMZ_DATE=20240101T000000Z
run "" kin-read -s bitcoin-info -e --endpoint-url "$ep"
is "capture run exit" "$rc" 0
line=$(tail -n 1 "$T/cap.log")
is "request body" "$(printf '%s' "$line" | jq -r .body)" '{"StreamName":"bitcoin-info"}'
is "content type" "$(hdr "$line" content-type)" "application/x-amz-json-1.1"
is "target" "$(hdr "$line" x-amz-target)" "Kinesis_20131202.ListShards"
want=$(/usr/bin/python3 "$KP_ROOT/tests/e2e/kin-sigv4.py" "$line" us-west-2 "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY")
is "Authorization equals botocore's" "$(hdr "$line" authorization)" "$want"
like "botocore's header is a real one" "$want" "AWS4-HMAC-SHA256 Credential=AKIDKINPIPETEST/20240101/us-west-2/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=????????????????????????????????????????????????????????????????"

AWS_SESSION_TOKEN=FQoGZXIvYXdzEXAMPLETOKEN run "" kin-read -s bitcoin-info -e --endpoint-url "$ep" --region eu-central-1
line=$(tail -n 1 "$T/cap.log")
is "session token sent" "$(hdr "$line" x-amz-security-token)" "FQoGZXIvYXdzEXAMPLETOKEN"
want=$(/usr/bin/python3 "$KP_ROOT/tests/e2e/kin-sigv4.py" "$line" eu-central-1 "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" FQoGZXIvYXdzEXAMPLETOKEN)
is "Authorization with token equals botocore's" "$(hdr "$line" authorization)" "$want"
unset KINPIPE_TEST_AMZ_DATE

run "" kin-read -s bitcoin-info -e --endpoint-url "$ep"
line=$(tail -n 1 "$T/cap.log")
like "unpinned: X-Amz-Date is now" "$(hdr "$line" x-amz-date)" "$(date -u +%Y%m%d)T*Z"
is "unpinned: one X-Amz-Date" "$(hdr "$line" x-amz-date | wc -l)" 1

# --- where credentials come from -------------------------------------------------
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
mkdir -p "$T/.aws"
printf '[default]\naws_access_key_id = AKIDFROMFILE\naws_secret_access_key = file-secret\n\n[other]\naws_access_key_id=AKIDOTHER\naws_secret_access_key=other-secret\n' >"$T/.aws/credentials"
chmod 600 "$T/.aws/credentials"
printf '[default]\nregion = ap-south-1\n[profile cfg]\nregion = sa-east-1\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = config-secret\ns3 =\n    max_concurrent_requests = 20\n' >"$T/.aws/config"
chmod 600 "$T/.aws/config"
unset AWS_REGION
cred() {	# cred ARGS...: "KEYID/DATE/REGION" of the request kin-read signs
	run "" kin-read -s x -e --endpoint-url "$ep" "$@"
	hdr "$(tail -n 1 "$T/cap.log")" authorization | sed 's/.*Credential=\([^/]*\)\/[0-9]*\/\([^/]*\)\/.*/\1 \2/'
}
is "default profile, region from config" "$(cred)" "AKIDFROMFILE ap-south-1"
is "--profile other" "$(cred --profile other --region eu-west-1)" "AKIDOTHER eu-west-1"
t "--profile other: no region of its own" 1 "" "" kin-read -s x -e --endpoint-url "$ep" --profile other
is "profile without region message" "$(cat "$ERR")" "kin-read: no region: give --region, or set AWS_REGION, or region in [profile other] of $T/.aws/config"
is "AWS_PROFILE=cfg: keys and region from config" "$(AWS_PROFILE=cfg cred)" "AKIDCONFIG sa-east-1"
is "--region wins" "$(cred --region us-east-2)" "AKIDFROMFILE us-east-2"
is "environment beats files" "$(AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=x cred)" "AKIDENV ap-south-1"
is "--profile beats environment" "$(AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=x cred --profile other --region eu-west-1)" "AKIDOTHER eu-west-1"
AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=x AWS_PROFILE=other run "" kin-read -s x -e --endpoint-url "$ep" --region eu-west-1
like "AWS_PROFILE does not beat the environment" "$(tail -n 1 "$T/cap.log")" "*Credential=AKIDENV/*"

t "unknown profile" 3 "" "" kin-read -s x -e --endpoint-url "$ep" --profile nope
is "unknown profile message" "$(cat "$ERR")" "kin-read: profile 'nope' not found in $T/.aws/credentials or $T/.aws/config"
chmod 644 "$T/.aws/credentials"
t "credentials file readable by others" 3 "" "" kin-read -s x -e --endpoint-url "$ep"
is "readable file message" "$(cat "$ERR")" "kin-read: $T/.aws/credentials: holds a secret key but is accessible by group or others (chmod 600 it)"
chmod 600 "$T/.aws/credentials"
AWS_ACCESS_KEY_ID=AKIDONLY run "" kin-read -s x -e --endpoint-url "$ep"
is "half the environment: exit 3" "$rc" 3
is "half the environment: message" "$(cat "$ERR")" "kin-read: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (only AWS_ACCESS_KEY_ID is)"
printf '[default]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = other\n' >"$T/.aws/credentials"
t "role_arn with a source_profile that is not there" 3 "" "" kin-read -s x -e --endpoint-url "$ep"
is "role_arn message" "$(cat "$ERR")" "kin-read: profile 'default': source_profile 'other' does not exist"
rm -f "$T/.aws/credentials"

# --- instance metadata (IMDSv2) ----------------------------------------------------
capture "$T/imds.log" --imds kinpipe-role ASIAIMDSKEY imds-secret IMDSSESSION
iport=$cap
unset AWS_EC2_METADATA_DISABLED
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$iport
line=$(AWS_REGION=us-west-2 cred)
is "IMDSv2 credentials" "$line" "ASIAIMDSKEY us-west-2"
is "IMDSv2 session token" "$(hdr "$(tail -n 1 "$T/cap.log")" x-amz-security-token)" "IMDSSESSION"
is "IMDSv2: token first" "$(jq -r '.method + " " + .url' "$T/imds.log" | tr '\n' ';')" "PUT /latest/api/token;GET /latest/meta-data/iam/security-credentials/;GET /latest/meta-data/iam/security-credentials/kinpipe-role;"

# --- nothing anywhere: say where we looked ----------------------------------------------
rm -f "$T/.aws/config"
dead=$(free_port)	# a port nothing listens on
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$dead
t "no credentials" 3 "" "" kin-read -s x -e --endpoint-url "$ep" --region us-west-2
like "no credentials message" "$(cat "$ERR")" "kin-read: no AWS credentials: tried environment (AWS_ACCESS_KEY_ID), profile 'default' in $T/.aws/credentials and $T/.aws/config, container endpoint, instance metadata: instance metadata at http://127.0.0.1:$dead: *"
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=AKIDKINPIPETEST AWS_SECRET_ACCESS_KEY=kinpipe-test-secret-not-real
t "no region" 1 "" "" kin-read -s x -e --endpoint-url "$ep"
is "no region message" "$(cat "$ERR")" "kin-read: no region: give --region, or set AWS_REGION, or region in [default] of $T/.aws/config"

# --- the service refuses the credentials ---------------------------------------------------
capture "$T/deny.log" 400 '{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}'
dport=$cap
t "refused credentials: kin-read" 3 "" "" kin-read -s x -e --endpoint-url "http://127.0.0.1:$dport" --region us-west-2
is "refused credentials message" "$(cat "$ERR")" "kin-read: ListShards: UnrecognizedClientException: The security token included in the request is invalid. (HTTP 400)"
t "refused credentials: kin-put" 3 "" '{"a":1}' kin-put -s x --endpoint-url "http://127.0.0.1:$dport" --region us-west-2
is "refused credentials kin-put message" "$(cat "$ERR")" "kin-put: PutRecords: UnrecognizedClientException: The security token included in the request is invalid. (HTTP 400)"
ok "the secret is never printed" sh -c "! grep -rq -e kinpipe-test-secret -e file-secret -e imds-secret '$T'/.err '$T'/.out"

finish
