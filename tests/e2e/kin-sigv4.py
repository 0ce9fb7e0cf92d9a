#!/usr/bin/python3
"""Independent SigV4 for the kin-* signing test: botocore (Debian's
python3-botocore) signs the request that kin-read sent, as captured, at the
pinned time, and prints the Authorization header it computes.

    kin-sigv4.py CAPTURE_LINE_JSON REGION KEY SECRET [TOKEN]
"""
import datetime
import json
import sys
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

cap = json.loads(sys.argv[1])
region, key, secret = sys.argv[2:5]
token = sys.argv[5] if len(sys.argv) > 5 else None
h = cap["headers"]
hdr = {h[i].lower(): h[i + 1] for i in range(0, len(h), 2)}
# only what a Kinesis client itself sets: botocore adds the date, host, token
req = AWSRequest(method="POST", url="http://" + hdr["host"] + "/",
                 data=cap["body"].encode(),
                 headers={"Content-Type": hdr["content-type"],
                          "X-Amz-Target": hdr["x-amz-target"]})
pinned = datetime.datetime(2024, 1, 1, 0, 0, 0)
with mock.patch("botocore.auth.datetime") as dt:
    dt.datetime.utcnow.return_value = pinned
    SigV4Auth(Credentials(key, secret, token), "kinesis", region).add_auth(req)
print(req.headers["Authorization"])
