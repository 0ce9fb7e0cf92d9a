#!/usr/bin/python3
"""A small STS, IAM Identity Center portal and HTTPS proxy stand-in for the
kin-* credential tests, on 127.0.0.1. It checks each request as the real
service would and answers in the service's format:

  POST /  Action=AssumeRole                 SigV4-signed by a known source key:
          the Authorization header must be the one botocore (Debian's
          python3-botocore) computes for the same request, key and time;
          answers AssumeRoleResponse XML
  POST /  Action=AssumeRoleWithWebIdentity  unsigned; WebIdentityToken must
          be the current content of --web-token-file
  GET  /federation/credentials?account_id=A&role_name=R
          x-amz-sso_bearer_token must be one of --sso-token; answers JSON
          roleCredentials with expiration in epoch milliseconds
  CONNECT host:port
          (as an HTTPS proxy) logged, then refused: nothing leaves the host

    kin-sts-stub.py LOG --keys KEYS.json [--web-token-file F] [--sso-token T]...
                    [--lifetime SECONDS] [--tls CERT KEY]

KEYS.json maps source access key ids to their secrets (or to
{"secret": S, "token": T} for temporary source credentials); credentials the
stub issued sign later AssumeRole calls too (a chain of roles), with their
session token. Issued access key ids are "ASIA" + the role name's letters,
upper-cased, + a running number, so a test can tell which role and which
fetch signed a later request. A role whose name starts with "denied" is
refused (AccessDenied); one whose name starts with "once" is granted once,
then refused; one whose name starts with "slow" is answered after a
minute, for a client to give up on. DurationSeconds (900 to 43200, as STS checks) sets the
credentials' lifetime, else --lifetime (default 3600 s). Each request is
appended to LOG as one JSON line. Prints its port.
"""
import datetime
import json
import re
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

NS = "https://sts.amazonaws.com/doc/2011-06-15/"
args = sys.argv[1:]
log_path = args.pop(0)
keys, web_token_file, sso_tokens, default_lifetime = {}, None, [], 3600
tls = None  # --tls CERT KEY: serve https
tokens = {}  # key id -> its session token, for temporary credentials
while args:
    opt = args.pop(0)
    if opt == "--keys":
        with open(args.pop(0)) as f:
            for k, v in json.load(f).items():
                keys[k] = v["secret"] if isinstance(v, dict) else v
                if isinstance(v, dict):
                    tokens[k] = v["token"]
    elif opt == "--tls":
        tls = (args.pop(0), args.pop(0))
    elif opt == "--web-token-file":
        web_token_file = args.pop(0)
    elif opt == "--sso-token":
        sso_tokens.append(args.pop(0))
    elif opt == "--lifetime":
        default_lifetime = int(args.pop(0))
    else:
        sys.exit("kin-sts-stub: unknown option " + opt)

lock = threading.Lock()
issued = {"n": 0}
granted = set()


def log(entry):
    with lock, open(log_path, "a") as f:
        f.write(json.dumps(entry) + "\n")


def new_creds(tag, lifetime):
    with lock:
        issued["n"] += 1
        n = issued["n"]
    letters = re.sub("[^A-Za-z]", "", tag).upper()
    exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=lifetime)
    creds = {"AccessKeyId": "ASIA%s%04d" % (letters, n),
             "SecretAccessKey": "stub-secret-%d-%s" % (n, letters.lower()),
             "SessionToken": "stub-token-%d" % n,
             "Expiration": exp}
    with lock:
        keys[creds["AccessKeyId"]] = creds["SecretAccessKey"]
        tokens[creds["AccessKeyId"]] = creds["SessionToken"]
    return creds


def botocore_authorization(handler, body, key, secret, token, region):
    """The Authorization header botocore computes for this request."""
    amz_date = handler.headers["X-Amz-Date"]
    pinned = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    req = AWSRequest(method="POST", url="http://" + handler.headers["Host"] + "/",
                     data=body, headers={"Content-Type": handler.headers["Content-Type"]})
    with mock.patch("botocore.auth.datetime") as dt:
        dt.datetime.utcnow.return_value = pinned
        SigV4Auth(Credentials(key, secret, token), "sts", region).add_auth(req)
    return req.headers["Authorization"]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, ctype, text, extra=None):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def sts_error(self, status, code, message):
        self.answer(status, "text/xml", (
            '<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>Sender</Type>\n'
            "    <Code>%s</Code>\n    <Message>%s</Message>\n  </Error>\n"
            "  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n"
            "</ErrorResponse>\n") % (NS, code, message))

    def sts_ok(self, action, role_arn, session, creds):
        exp = creds["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ")
        account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else "123456789012"
        role = role_arn.rsplit("/", 1)[-1]
        extra = ("    <SubjectFromWebIdentityToken>system:serviceaccount:kin:reader"
                 "</SubjectFromWebIdentityToken>\n"
                 if action == "AssumeRoleWithWebIdentity" else "")
        self.answer(200, "text/xml", (
            '<%sResponse xmlns="%s">\n  <%sResult>\n%s'
            "    <AssumedRoleUser>\n"
            "      <Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn>\n"
            "      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:%s</AssumedRoleId>\n"
            "    </AssumedRoleUser>\n    <Credentials>\n"
            "      <AccessKeyId>%s</AccessKeyId>\n"
            "      <SecretAccessKey>%s</SecretAccessKey>\n"
            "      <SessionToken>%s</SessionToken>\n"
            "      <Expiration>%s</Expiration>\n"
            "    </Credentials>\n    <PackedPolicySize>6</PackedPolicySize>\n"
            "  </%sResult>\n  <ResponseMetadata>\n"
            "    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n"
            "  </ResponseMetadata>\n</%sResponse>\n") % (
            action, NS, action, extra, account, role, session, session,
            creds["AccessKeyId"], creds["SecretAccessKey"],
            creds["SessionToken"], exp, action, action))

    def do_CONNECT(self):
        log({"method": "CONNECT", "target": self.path})
        self.answer(403, "text/plain", "kin-sts-stub: no tunnels\n",
                    {"Connection": "close"})
        self.close_connection = True

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        form = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        action = form.get("Action", "")
        entry = {"method": "POST", "path": self.path, "action": action,
                 "content_type": self.headers.get("Content-Type"),
                 "form": form}
        auth = self.headers.get("Authorization")
        if self.path != "/" or form.get("Version") != "2011-06-15":
            log(entry)
            return self.sts_error(400, "InvalidAction", "Could not find operation")
        if "RoleArn" not in form or "RoleSessionName" not in form:
            log(entry)
            return self.sts_error(400, "MissingParameter", "RoleArn and RoleSessionName are required")
        if not re.fullmatch(r"[\w+=,.@-]{2,64}", form["RoleSessionName"]):
            log(entry)
            return self.sts_error(400, "ValidationError", "RoleSessionName is not valid")
        lifetime = default_lifetime
        if "DurationSeconds" in form:
            lifetime = int(form["DurationSeconds"])
            if not 900 <= lifetime <= 43200:
                log(entry)
                return self.sts_error(400, "ValidationError",
                                      "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint")
        role = form["RoleArn"].rsplit("/", 1)[-1]
        if action == "AssumeRole":
            m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/\d{8}/([^/]+)/sts/aws4_request, ", auth or "")
            if not m:
                log(entry)
                return self.sts_error(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
            key, region = m.group(1), m.group(2)
            token = self.headers.get("X-Amz-Security-Token")
            entry.update({"key": key, "region": region, "token": token})
            if key not in keys or tokens.get(key) != token:
                log(entry)
                return self.sts_error(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
            want = botocore_authorization(self, body, key, keys[key], token, region)
            entry["botocore_signature"] = want == auth
            if want != auth:
                log(entry)
                return self.sts_error(403, "SignatureDoesNotMatch",
                                      "The request signature we calculated does not match the signature you provided.")
        elif action == "AssumeRoleWithWebIdentity":
            entry["signed"] = auth is not None
            entry["web_token"] = form.get("WebIdentityToken")
            with open(web_token_file) as f:
                current = f.read()
            if auth is not None or form.get("WebIdentityToken") != current:
                log(entry)
                return self.sts_error(400, "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider")
        else:
            log(entry)
            return self.sts_error(400, "InvalidAction", "Could not find operation " + action)
        if role.startswith("slow"):
            log(entry)
            time.sleep(60)
            return self.sts_error(503, "ServiceUnavailable", "slow on purpose")
        if role.startswith("denied") or (role.startswith("once") and role in granted):
            log(entry)
            return self.sts_error(403, "AccessDenied",
                                  "User is not authorized to perform: sts:%s on resource: %s" % (action, form["RoleArn"]))
        granted.add(role)
        creds = new_creds(role, lifetime)
        entry["issued"] = creds["AccessKeyId"]
        log(entry)
        self.sts_ok(action, form["RoleArn"], form["RoleSessionName"], creds)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        token = self.headers.get("x-amz-sso_bearer_token")
        entry = {"method": "GET", "path": url.path, "query": q, "sso_token": token}
        if url.path != "/federation/credentials" or "account_id" not in q or "role_name" not in q:
            log(entry)
            return self.answer(400, "application/json", '{"message":"Bad request"}')
        if token not in sso_tokens:
            log(entry)
            return self.answer(401, "application/json", '{"message":"Session token not found or invalid"}',
                               {"x-amzn-ErrorType": "UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"})
        creds = new_creds("SSO" + q["role_name"], default_lifetime)
        entry["issued"] = creds["AccessKeyId"]
        log(entry)
        self.answer(200, "application/json", json.dumps({"roleCredentials": {
            "accessKeyId": creds["AccessKeyId"], "secretAccessKey": creds["SecretAccessKey"],
            "sessionToken": creds["SessionToken"],
            "expiration": int(creds["Expiration"].timestamp() * 1000)}}))


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if tls:	# https with the certificate given (tests of --ca-bundle)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tls[0], tls[1])
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
