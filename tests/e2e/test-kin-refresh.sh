#!/bin/bash
# Temporary credentials in a long run: refreshed before they lapse, from
# botocore's advisory window (15 minutes before expiry) on, without
# stopping the stream; the web identity token file read again for the
# refresh; a refresh that fails is retried while the old credentials hold
# and ends the run (exit 3) once they are about to lapse. The STS stub
# issues credentials that live 15 minutes and 6 seconds, so the refresh
# comes six seconds in; the requests to kinesalite go through a recording
# proxy, whose log shows which key signed each.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kin-lib.sh"

signers() {	# the key ids that signed the proxied requests, in order, each once in a row
	jq -r '.headers as $h | range(0; $h | length; 2) | select($h[.] | ascii_downcase == "authorization") | $h[. + 1]' "$T/fwd.log" |
		sed -n 's/.*Credential=\([^/]*\)\/.*/\1/p' | uniq | tr '\n' ' '
}
signed_by() { grep -q "Credential=$1/" "$T/fwd.log"; }

kin_server
admin create live 1 >/dev/null
start_bg "$T/.fwd-port" node "$KP_ROOT/tests/e2e/kin-capture.js" "$T/fwd.log" --forward "$KIN_PORT"
fwd=http://127.0.0.1:$(cat "$T/.fwd-port")
printf '{}\n' >"$T/keys.json"
printf 'first.web.token' >"$T/web-token"
start_bg "$T/.sts-port" /usr/bin/python3 "$KP_ROOT/tests/e2e/kin-sts-stub.py" "$T/sts.log" \
	--keys "$T/keys.json" --web-token-file "$T/web-token" --lifetime 906
export AWS_ENDPOINT_URL_STS=http://127.0.0.1:$(cat "$T/.sts-port")

records 3 a | kin-put -s live >/dev/null
# web identity as on EKS: no keys at all, a token file and a role
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
AWS_ROLE_ARN=arn:aws:iam::123456789012:role/streamer AWS_WEB_IDENTITY_TOKEN_FILE=$T/web-token \
	kin-read -s live --from earliest --endpoint-url "$fwd" >"$T/live.out" 2>"$T/live.err" &
reader=$!
at_exit "kill $reader"
ok "the first credentials" wait_for 30 lines_at_least 1 "$T/sts.log"
# the token is rotated under the reader, as the kubelet does: the stub
# takes only the new one from now on
printf 'second.web.token' >"$T/web-token"
ok "refreshed within the test's time, not at expiry" wait_for 60 signed_by ASIASTREAMER0002
records 3 b >"$T/b.in"
run "$(cat "$T/b.in")" env AWS_ACCESS_KEY_ID=AKIDKINPIPETEST AWS_SECRET_ACCESS_KEY=x kin-put -s live
is "more records put (with keys of its own)" "$rc $(grep -c sequenceNumber "$OUT")" "0 3"
ok "the records put after the refresh arrive" wait_for 30 lines_at_least 6 "$T/live.out"
kill -TERM $reader
wait $reader
is "the reader ends cleanly on SIGTERM" "$?" 0
is "every record, in order, across the refresh" "$(jq -r .data "$T/live.out" | jq -r '.p + (.i | tostring)' | tr '\n' ' ')" "a1 a2 a3 b1 b2 b3 "
is "one reader, two credentials, no going back" "$(signers)" "ASIASTREAMER0001 ASIASTREAMER0002 "
is "the token file was read again for the refresh" "$(jq -r .web_token "$T/sts.log" | tr '\n' ' ')" "first.web.token second.web.token "
is "nothing said on stderr but where each shard starts" "$(grep -v ': starting at ' "$T/live.err")" ""

# --- a refresh that fails: warned while the old credentials hold, fatal
# when they are about to lapse (less than a minute left) ----------------------------
cat >"$T/helper.sh" <<'EOF'
#!/bin/sh
# first call: credentials for 68 seconds; every later call fails
if [ -e "$HELPER_DIR/called" ]; then
	echo "helper: the vault is sealed" >&2
	exit 1
fi
: >"$HELPER_DIR/called"
printf '{"Version":1,"AccessKeyId":"ASIALAPSING","SecretAccessKey":"lapse-secret-not-real","SessionToken":"t","Expiration":"%s"}\n' \
	"$(date -u -d '+68 seconds' +%Y-%m-%dT%H:%M:%SZ)"
EOF
chmod 755 "$T/helper.sh"
mkdir -p "$T/.aws"
printf '[profile lapse]\ncredential_process = %s\n' "$T/helper.sh" >"$T/.aws/config"
export HELPER_DIR=$T
: >"$T/fwd.log"
kin-read -s live --from earliest --endpoint-url "$fwd" --profile lapse >"$T/lapse.out" 2>"$T/lapse.err" &
reader=$!
at_exit "kill $reader"
ok "the run ends by itself (bounded by the credentials' life)" wait_for 90 sh -c "! kill -0 $reader 2>/dev/null"
wait $reader
is "lapsing credentials: exit 3" "$?" 3
is "the records read before were written" "$(jq -r .data "$T/lapse.out" | jq -r '.p + (.i | tostring)' | tr '\n' ' ')" "a1 a2 a3 b1 b2 b3 "
is "signed by the only credentials there were" "$(signers)" "ASIALAPSING "
is "the last word: why it stopped" "$(grep '^kin-read' "$T/lapse.err" | tail -n 1)" \
	"kin-read: shardId-000000000000: refreshing credentials: profile 'lapse': credential_process: $T/helper.sh exited with status 1"
# whether a warning came first depends on how soon the first refresh ran
# (68 s of life leaves 8 s of warnings); every earlier line must be one
grep '^kin-read' "$T/lapse.err" | grep -v ': starting at ' | sed '$d' >"$T/warnings"
ok "earlier lines are warnings that the run goes on" sh -c "! grep -v \"^kin-read: refreshing credentials (the current ones hold 6[0-8] s more): profile 'lapse': credential_process: $T/helper.sh exited with status 1\$\" '$T/warnings'"
ok "no secret printed" sh -c "! grep -q lapse-secret '$T/lapse.err'"

finish
