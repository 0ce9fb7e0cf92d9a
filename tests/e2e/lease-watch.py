#!/usr/bin/env python3
"""Watch a lease table, for the lease tests: poll it with botocore (an
independent DynamoDB client) every 50 ms and print a line per change of a
lease's owner or checkpoint:

    lease-watch.py ENDPOINT TABLE

    <unix time> <leaseKey> <leaseOwner or -> <checkpoint>

Waits for the table to exist; runs until killed.
"""
import sys
import time

import botocore.session


def main():
    endpoint, table = sys.argv[1], sys.argv[2]
    ddb = botocore.session.get_session().create_client(
        "dynamodb", endpoint_url=endpoint, region_name="us-west-2",
        aws_access_key_id="AKIDKINPIPETEST", aws_secret_access_key="x")
    seen = {}
    while True:
        try:
            items, start = [], None
            while True:
                kw = {"TableName": table, "ConsistentRead": True}
                if start:
                    kw["ExclusiveStartKey"] = start
                page = ddb.scan(**kw)
                items += page["Items"]
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
        except ddb.exceptions.ResourceNotFoundException:
            time.sleep(0.05)
            continue
        now = time.time()
        for it in items:
            key = it["leaseKey"]["S"]
            val = (it.get("leaseOwner", {}).get("S", "-"), it["checkpoint"]["S"])
            if seen.get(key) != val:
                seen[key] = val
                print("%.3f %s %s %s" % (now, key, val[0], val[1]), flush=True)
        time.sleep(0.05)


if __name__ == "__main__":
    main()
