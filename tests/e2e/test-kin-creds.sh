#!/bin/bash
# Every credential source of the AWS CLI's chain, end to end: roles
# (source_profile, chains, credential_source), web identity, SSO,
# credential_process; which credentials were used is proved by the key
# that signed the Kinesis request. STS and the SSO portal are
# kin-sts-stub.py, which checks each request (an AssumeRole must carry
# botocore's signature for the source key) and answers as the services do.
# Also: each refusal's message and exit status 3, a refresh in a long run,
# and the default endpoints of STS, SSO and Kinesis, seen as the CONNECT
# requests of an HTTPS proxy that lets nothing through.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"

hdr() {	# hdr LOGLINE NAME: every value of header NAME, one per line
	printf '%s' "$1" | jq -r --arg n "$2" '.headers as $h | range(0; $h | length; 2) | select($h[.] | ascii_downcase == $n) | $h[. + 1]'
}
signer_of() {	# the access key id in the Authorization header of a capture line
	hdr "$1" authorization | sed -n 's/.*Credential=\([^/]*\)\/.*/\1/p'
}

printf '{"AKIDSOURCE":"source-secret-not-real","AKIDENVSRC":"envsrc-secret-not-real",%s}\n' \
	'"ASIAIMDSSRC":{"secret":"imds-secret-not-real","token":"IMDSSRCTOKEN"},"ASIAECSSRC":{"secret":"ecs-secret-not-real","token":"ECSSRCTOKEN"}' >"$T/keys.json"
printf 'eyJhbGciOiJSUzI1NiJ9.first-token.sig' >"$T/web-token"
start_bg "$T/.sts-port" /usr/bin/python3 "$KP_ROOT/tests/e2e/kin-sts-stub.py" "$T/sts.log" \
	--keys "$T/keys.json" --web-token-file "$T/web-token" --sso-token sso-access-token-1
sts=$(cat "$T/.sts-port")
start_bg "$T/.cap-port" node "$KP_ROOT/tests/e2e/kin-capture.js" "$T/cap.log" 200 '{"Shards":[]}'
cap=$(cat "$T/.cap-port")
AWS_ENDPOINT_URL_STS=http://127.0.0.1:$sts
AWS_ENDPOINT_URL_SSO=http://127.0.0.1:$sts
export AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL_SSO
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

# sign ARGS...: run kin-read against the capture; $key is the key id that
# signed its ListShards (empty when it failed)
sign() {
	: >"$T/cap.log"
	run "" kin-read -s x -e --endpoint-url "http://127.0.0.1:$cap" "$@"
	key=$([ -s "$T/cap.log" ] && signer_of "$(tail -n 1 "$T/cap.log")")
}
# refused NAME PROFILE: kin-read with that profile exits 3, nothing on
# stdout; its stderr is kept for the check that no secret is printed
refused() {
	t "$1" 3 "" "" kin-read -s x -e --endpoint-url "http://127.0.0.1:$cap" --profile "$2"
	cat "$ERR" >>"$T/all.err"
}
sts_last() {	# sts_last JQ: the filter applied to the stub's last log line
	tail -n 1 "$T/sts.log" | jq -c "$1"
}

mkdir -p "$T/.aws/sso/cache"
cat >"$T/.aws/credentials" <<'EOF'
[base]
aws_access_key_id = AKIDSOURCE
aws_secret_access_key = source-secret-not-real
EOF
chmod 600 "$T/.aws/credentials"
cat >"$T/.aws/config" <<EOF
[profile reader]
role_arn = arn:aws:iam::123456789012:role/reader
source_profile = base
role_session_name = nightly-reader
external_id = ext-4711
duration_seconds = 1800
[profile chained]
role_arn = arn:aws:iam::210987654321:role/auditor
source_profile = reader
[profile envrole]
role_arn = arn:aws:iam::123456789012:role/fromenv
credential_source = Environment
[profile ec2role]
role_arn = arn:aws:iam::123456789012:role/fromec
credential_source = Ec2InstanceMetadata
[profile ecsrole]
role_arn = arn:aws:iam::123456789012:role/fromecs
credential_source = EcsContainer
[profile webid]
role_arn = arn:aws:iam::123456789012:role/webprofile
web_identity_token_file = $T/web-token
role_session_name = pod-7
[profile slow]
role_arn = arn:aws:iam::123456789012:role/slowrole
source_profile = base
[profile mfa]
role_arn = arn:aws:iam::123456789012:role/reader
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
[profile denied]
role_arn = arn:aws:iam::123456789012:role/deniedrole
source_profile = base
[profile sso-dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = StreamReader
[profile sso-old]
sso_start_url = https://old-portal.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 444455556666
sso_role_name = LegacyReader
[profile sso-expired]
sso_session = lapsed
sso_account_id = 111122223333
sso_role_name = StreamReader
[profile sso-nologin]
sso_session = never
sso_account_id = 111122223333
sso_role_name = StreamReader
[profile sso-revoked]
sso_session = revoked
sso_account_id = 111122223333
sso_role_name = StreamReader
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
[sso-session lapsed]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
[sso-session never]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
[sso-session revoked]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
EOF
chmod 600 "$T/.aws/config"

# --- role_arn + source_profile: AssumeRole signed with the source's key ----------
sign --profile reader
is "role: Kinesis signed by the assumed role" "$key $rc" "ASIAREADER0001 0"
is "role: session token of the role" "$(hdr "$(tail -n 1 "$T/cap.log")" x-amz-security-token)" "stub-token-1"
is "role: AssumeRole as the AWS CLI asks it" \
	"$(sts_last '[.action, .key, .region, .botocore_signature, .form.RoleArn, .form.RoleSessionName, .form.ExternalId, .form.DurationSeconds, .content_type]')" \
	'["AssumeRole","AKIDSOURCE","us-west-2",true,"arn:aws:iam::123456789012:role/reader","nightly-reader","ext-4711","1800","application/x-www-form-urlencoded; charset=utf-8"]'

# --- a chain: chained <- reader <- base ---------------------------------------
sign --profile chained
is "chain: signed by the last role" "$key $rc" "ASIAAUDITOR0003 0"
is "chain: first hop signed by the static key, second by the first role" \
	"$(tail -n 2 "$T/sts.log" | jq -c '[.form.RoleArn, .key, .token, .botocore_signature]' | tr '\n' ' ')" \
	'["arn:aws:iam::123456789012:role/reader","AKIDSOURCE",null,true] ["arn:aws:iam::210987654321:role/auditor","ASIAREADER0002","stub-token-2",true] '
like "chain: default session name" "$(sts_last .form.RoleSessionName)" '"kinpipe-[0-9]*"'

# --- credential_source = Environment (with --profile: the environment's
# keys are not used directly, only as the role's source) ---------------------------
AWS_ACCESS_KEY_ID=AKIDENVSRC AWS_SECRET_ACCESS_KEY=envsrc-secret-not-real sign --profile envrole
is "credential_source Environment" "$key $rc" "ASIAFROMENV0004 0"
is "credential_source: AssumeRole signed by the environment's key" "$(sts_last '[.key, .botocore_signature]')" '["AKIDENVSRC",true]'

# --- credential_source = Ec2InstanceMetadata and EcsContainer: temporary
# source credentials, their session token signed along ----------------------------------
start_bg "$T/.imds-port" node "$KP_ROOT/tests/e2e/kin-capture.js" "$T/imds.log" --imds box-role ASIAIMDSSRC imds-secret-not-real IMDSSRCTOKEN
AWS_EC2_METADATA_DISABLED= AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$(cat "$T/.imds-port") sign --profile ec2role
is "credential_source Ec2InstanceMetadata" "$key $rc" "ASIAFROMEC0005 0"
is "credential_source Ec2InstanceMetadata: AssumeRole signed by the instance's credentials" \
	"$(sts_last '[.key, .token, .botocore_signature]')" '["ASIAIMDSSRC","IMDSSRCTOKEN",true]'
printf 'pod-identity-token' >"$T/ecs-token"
start_bg "$T/.ecs-port" node "$KP_ROOT/tests/e2e/kin-capture.js" "$T/ecs.log" 200 \
	'{"AccessKeyId":"ASIAECSSRC","SecretAccessKey":"ecs-secret-not-real","Token":"ECSSRCTOKEN","Expiration":"2999-01-01T00:00:00Z"}'
AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$(cat "$T/.ecs-port")/v1/credentials \
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T/ecs-token sign --profile ecsrole
is "credential_source EcsContainer" "$key $rc" "ASIAFROMECS0006 0"
is "EcsContainer: the endpoint asked with the token file's token, as EKS Pod Identity does" \
	"$(jq -r '.url + " " + ([.headers as $h | range(0; $h | length; 2) | select($h[.] == "Authorization") | $h[. + 1]] | join(","))' "$T/ecs.log")" \
	"/v1/credentials pod-identity-token"
is "credential_source EcsContainer: AssumeRole signed by the container's credentials" \
	"$(sts_last '[.key, .token, .botocore_signature]')" '["ASIAECSSRC","ECSSRCTOKEN",true]'

# --- STS found through AWS_ENDPOINT_URL, which every service honours ----------------------
run "" env -u AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL=http://127.0.0.1:$sts \
	kin-read -s x -e --endpoint-url "http://127.0.0.1:$cap" --profile reader
is "AWS_ENDPOINT_URL serves STS too" "$rc $(sts_last .issued)" '0 "ASIAREADER0007"'

# --- web identity: environment, then profile ------------------------------------------
AWS_ROLE_ARN=arn:aws:iam::123456789012:role/webenv AWS_WEB_IDENTITY_TOKEN_FILE=$T/web-token AWS_ROLE_SESSION_NAME=ci-job-9 sign
is "web identity (environment)" "$key $rc" "ASIAWEBENV0008 0"
is "web identity: unsigned, the file's token, the session name" \
	"$(sts_last '[.action, .signed, .web_token, .form.RoleSessionName]')" \
	'["AssumeRoleWithWebIdentity",false,"eyJhbGciOiJSUzI1NiJ9.first-token.sig","ci-job-9"]'
sign --profile webid
is "web identity (profile)" "$key $rc" "ASIAWEBPROFILE0009 0"
is "web identity (profile): its session name" "$(sts_last '.form.RoleSessionName')" '"pod-7"'
AWS_ROLE_ARN=arn:aws:iam::1:role/webenv AWS_WEB_IDENTITY_TOKEN_FILE=$T/web-token sign --profile webid
is "web identity: --profile skips the environment's role" "$key $rc" "ASIAWEBPROFILE0010 0"

# --- SSO: the token aws sso login cached, then GetRoleCredentials ----------------------
future=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
# the cache file is named by the SHA-1 of the session name (or, for the
# older form, of the start URL), computed here by python3's hashlib
cache() { /usr/bin/python3 -c 'import hashlib,sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())' "$1"; }
printf '{"startUrl":"https://corp.awsapps.com/start","region":"us-east-1","accessToken":"sso-access-token-1","expiresAt":"%s"}' "$future" \
	>"$T/.aws/sso/cache/$(cache corp).json"
sign --profile sso-dev
is "SSO (sso_session)" "$key $rc" "ASIASSOSTREAMREADER0011 0"
is "SSO: GetRoleCredentials asked as the AWS CLI asks" "$(sts_last '[.path, .query.account_id, .query.role_name, .sso_token]')" \
	'["/federation/credentials","111122223333","StreamReader","sso-access-token-1"]'
printf '{"startUrl":"https://old-portal.awsapps.com/start","region":"eu-west-1","accessToken":"sso-access-token-1","expiresAt":"%s"}' \
	"$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SUTC)" >"$T/.aws/sso/cache/$(cache https://old-portal.awsapps.com/start).json"
sign --profile sso-old
is "SSO (sso_start_url, the older form, its UTC time)" "$key $rc" "ASIASSOLEGACYREADER0012 0"
printf '{"accessToken":"sso-access-token-1","expiresAt":"2020-01-01T00:00:00Z"}' >"$T/.aws/sso/cache/$(cache lapsed).json"
refused "SSO: expired token" sso-expired
is "SSO: expired token message" "$(cat "$ERR")" \
	"kin-read: profile 'sso-expired': the SSO session has expired (at 2020-01-01T00:00:00Z): run aws sso login --profile sso-expired"
refused "SSO: no token cached" sso-nologin
is "SSO: no token message" "$(cat "$ERR")" \
	"kin-read: profile 'sso-nologin': no SSO token ($T/.aws/sso/cache/$(cache never).json: No such file or directory): run aws sso login --profile sso-nologin"
printf '{"accessToken":"sso-token-revoked","expiresAt":"%s"}' "$future" >"$T/.aws/sso/cache/$(cache revoked).json"
refused "SSO: token the portal refuses" sso-revoked
is "SSO: refused token message" "$(cat "$ERR")" \
	"kin-read: profile 'sso-revoked': the SSO session has expired or is not valid: run aws sso login --profile sso-revoked"

# --- STS and the SSO portal over https: the run's CA bundle trusted -----------------
# (--ca-bundle, AWS_CA_BUNDLE, the profile's ca_bundle, as the AWS CLI) for
# every call, not only Kinesis's; without it, the refusal names the cause
test_ca "$T/ca"
start_bg "$T/.sts-tls-port" /usr/bin/python3 "$KP_ROOT/tests/e2e/kin-sts-stub.py" "$T/sts-tls.log" \
	--keys "$T/keys.json" --sso-token sso-access-token-1 --tls "$T/ca/server.pem" "$T/ca/server.key"
sts_tls=https://127.0.0.1:$(cat "$T/.sts-tls-port")
cat >>"$T/.aws/config" <<EOF
[profile reader-ca]
role_arn = arn:aws:iam::123456789012:role/reader
source_profile = base
ca_bundle = $T/ca/ca.pem
EOF
AWS_ENDPOINT_URL_STS=$sts_tls sign --profile reader
is "STS over https, no CA: refused (exit 3)" "$rc" 3
like "... saying why" "$(cat "$ERR")" "*AssumeRole $sts_tls*SSL certificate problem*"
AWS_ENDPOINT_URL_STS=$sts_tls sign --profile reader --ca-bundle "$T/ca/ca.pem"
like "STS over https, --ca-bundle: signed by the assumed role" "$key $rc" "ASIAREADER* 0"
AWS_ENDPOINT_URL_STS=$sts_tls AWS_CA_BUNDLE=$T/ca/ca.pem sign --profile reader
like "STS over https, AWS_CA_BUNDLE: signed by the assumed role" "$key $rc" "ASIAREADER* 0"
AWS_ENDPOINT_URL_STS=$sts_tls sign --profile reader-ca
like "STS over https, the profile's ca_bundle: signed by the assumed role" "$key $rc" "ASIAREADER* 0"
is "... three AssumeRole calls reached the https stub" "$(grep -c AssumeRole "$T/sts-tls.log")" 3
AWS_ENDPOINT_URL_SSO=$sts_tls sign --profile sso-dev
is "SSO over https, no CA: refused (exit 3)" "$rc" 3
AWS_ENDPOINT_URL_SSO=$sts_tls sign --profile sso-dev --ca-bundle "$T/ca/ca.pem"
like "SSO over https, --ca-bundle" "$key $rc" "ASIASSOSTREAMREADER* 0"

# --- refusals ------------------------------------------------------------------------
refused "mfa_serial refused" mfa
is "mfa_serial message" "$(cat "$ERR")" \
	"kin-read: profile 'mfa' has mfa_serial: kinpipe cannot ask for an MFA code (a pipeline has no one to type it); use a profile whose role needs no MFA"
refused "STS refuses the role" denied
is "STS refusal message" "$(cat "$ERR")" \
	"kin-read: profile 'denied': AssumeRole http://127.0.0.1:$sts: AccessDenied: User is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/deniedrole (HTTP 403)"
t "kin-put: the same chain, the same refusal" 3 "" '{"a":1}' kin-put -s x --endpoint-url "http://127.0.0.1:$cap" --profile mfa
like "kin-put mfa message" "$(cat "$ERR")" "kin-put: profile 'mfa' has mfa_serial: *"

# SIGTERM while STS takes its time: the call is given up at once
: >"$T/sts.log"
kin-read -s x -e --endpoint-url "http://127.0.0.1:$cap" --profile slow >/dev/null 2>"$T/slow.err" &
slow=$!
at_exit "kill $slow"
kp_i=0
while [ ! -s "$T/sts.log" ] && [ $kp_i -lt 300 ]; do sleep 0.1; kp_i=$((kp_i + 1)); done
kill -TERM $slow
kp_i=0
while kill -0 $slow 2>/dev/null && [ $kp_i -lt 50 ]; do sleep 0.1; kp_i=$((kp_i + 1)); done
ok "SIGTERM during AssumeRole: gone within 5 s (STS answers after 60)" sh -c "! kill -0 $slow 2>/dev/null"
wait $slow
is "SIGTERM during AssumeRole: exit 1, as a stop before the first read" "$?" 1
is "SIGTERM during AssumeRole: message" "$(cat "$T/slow.err")" \
	"kin-read: profile 'slow': AssumeRole http://127.0.0.1:$sts: interrupted"

# --- credential_process ----------------------------------------------------------------
cat >"$T/helper.sh" <<'EOF'
#!/bin/sh
# a credential helper: what it was given on stdin is kept, to show it got none
cat >"$HELPER_DIR/stdin.seen"
case $1 in
good) printf '{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "proc-secret-not-real", "SessionToken": "proc-token", "Expiration": "%s"}\n' "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)" ;;
notjson) printf 'AccessKeyId=ASIAX SecretAccessKey=proc-secret-not-real\n' ;;
v2) printf '{"Version": 2, "AccessKeyId": "ASIAX", "SecretAccessKey": "proc-secret-not-real"}\n' ;;
nosecret) printf '{"Version": 1, "AccessKeyId": "ASIAX"}\n' ;;
fail) echo "helper: vault is sealed" >&2; exit 2 ;;
esac
EOF
chmod 755 "$T/helper.sh"
export HELPER_DIR=$T
for p in good notjson v2 nosecret fail; do
	printf '[profile proc-%s]\ncredential_process = "%s" %s\n' "$p" "$T/helper.sh" "$p" >>"$T/.aws/config"
done
sign --profile proc-good
is "credential_process" "$key $rc" "ASIAPROCESS 0"
is "credential_process: its session token" "$(hdr "$(tail -n 1 "$T/cap.log")" x-amz-security-token)" "proc-token"
refused "credential_process: not JSON" proc-notjson
# where jansson stopped reading is its own affair: the place, not the text
like "credential_process: not JSON message" "$(cat "$ERR")" \
	"kin-read: profile 'proc-notjson': credential_process: $T/helper.sh: output is not JSON (line 1, column [0-9]*)"
refused "credential_process: Version 2" proc-v2
is "credential_process: Version message" "$(cat "$ERR")" \
	"kin-read: profile 'proc-v2': credential_process: $T/helper.sh: output has an unsupported Version: expected 1"
refused "credential_process: no secret" proc-nosecret
is "credential_process: no secret message" "$(cat "$ERR")" \
	"kin-read: profile 'proc-nosecret': credential_process: $T/helper.sh: output: no AccessKeyId or SecretAccessKey"
refused "credential_process: helper fails" proc-fail
is "credential_process: failure message, after the helper's own" "$(cat "$ERR")" \
	"helper: vault is sealed
kin-read: profile 'proc-fail': credential_process: $T/helper.sh exited with status 2"

# kin-put's standard input is its data: the helper must not get any of it
kin_server
admin create procs 1 >/dev/null
run "$(records 3 p)" kin-put -s procs --profile proc-good
is "credential_process under kin-put: every record written" "$rc $(grep -c sequenceNumber "$OUT")" "0 3"
is "credential_process under kin-put: the helper read nothing" "$(wc -c <"$T/stdin.seen")" 0
run "" kin-read -s procs --from earliest -e --profile proc-good
is "credential_process: the records read back" "$(jq -r .data "$OUT" | jq -r .i | tr '\n' ' ')" "1 2 3 "

ok "no secret is ever printed" sh -c "! grep -q -e source-secret -e envsrc-secret -e imds-secret -e ecs-secret -e stub-secret -e proc-secret -e sso-access-token '$T'/all.err"

# --- default endpoints, seen through an HTTPS proxy that refuses every tunnel ------------
# (the stub logs each CONNECT and answers 403: nothing leaves 127.0.0.1)
tunnel() {	# tunnel ENV... -- ARGS...: $targets, the CONNECT targets kin-read asked for
	: >"$T/sts.log"
	kp_env=""
	while [ "$1" != "--" ]; do kp_env="$kp_env $1"; shift; done
	shift
	env -u AWS_ENDPOINT_URL_STS -u AWS_ENDPOINT_URL_SSO -u AWS_ENDPOINT_URL_KINESIS \
		https_proxy=http://127.0.0.1:$sts $kp_env kin-read -s x -e --retries 1 "$@" >/dev/null 2>"$ERR"
	rc=$?
	targets=$(jq -r 'select(.method == "CONNECT") | .target' "$T/sts.log" | sort -u | tr '\n' ' ')
}
tunnel -- --profile reader --region eu-west-1
is "STS: the regional endpoint" "$targets" "sts.eu-west-1.amazonaws.com:443 "
is "STS: no usable credentials through a refused proxy: exit 3" "$rc" 3
tunnel AWS_STS_REGIONAL_ENDPOINTS=legacy -- --profile reader --region eu-west-1
is "STS: legacy endpoints" "$targets" "sts.amazonaws.com:443 "
tunnel AWS_USE_FIPS_ENDPOINT=true -- --profile reader --region us-east-2
is "STS: FIPS" "$targets" "sts-fips.us-east-2.amazonaws.com:443 "
tunnel -- --profile reader --region cn-north-1
is "STS: China" "$targets" "sts.cn-north-1.amazonaws.com.cn:443 "
tunnel AWS_USE_FIPS_ENDPOINT=true -- --profile reader --region us-gov-west-1
is "STS: GovCloud with FIPS" "$targets" "sts.us-gov-west-1.amazonaws.com:443 "
tunnel -- --profile sso-old
is "SSO: the portal of sso_region" "$targets" "portal.sso.eu-west-1.amazonaws.com:443 "
tunnel AWS_ACCESS_KEY_ID=AKIDKINPIPETEST AWS_SECRET_ACCESS_KEY=x -- --region cn-north-1
is "Kinesis: China" "$targets" "kinesis.cn-north-1.amazonaws.com.cn:443 "
is "Kinesis: unreachable is exit 1" "$rc" 1
tunnel AWS_ACCESS_KEY_ID=AKIDKINPIPETEST AWS_SECRET_ACCESS_KEY=x AWS_USE_DUALSTACK_ENDPOINT=true -- --region ap-south-1
is "Kinesis: dual-stack" "$targets" "kinesis.ap-south-1.api.aws:443 "
printf '[profile fips]\nuse_fips_endpoint = true\n' >>"$T/.aws/config"
tunnel AWS_ACCESS_KEY_ID=AKIDKINPIPETEST AWS_SECRET_ACCESS_KEY=x AWS_PROFILE=fips -- --region us-west-1
is "Kinesis: FIPS from the profile" "$targets" "kinesis-fips.us-west-1.amazonaws.com:443 "
t "FIPS with a custom endpoint: refused" 1 "" "" env AWS_ACCESS_KEY_ID=AKIDKINPIPETEST AWS_SECRET_ACCESS_KEY=x AWS_USE_FIPS_ENDPOINT=true kin-read -s x -e --endpoint-url "http://127.0.0.1:$cap"
is "FIPS with a custom endpoint: message" "$(cat "$ERR")" \
	"kin-read: --endpoint-url and use_fips_endpoint exclude each other: a custom endpoint is not a FIPS or dual-stack one"

finish
