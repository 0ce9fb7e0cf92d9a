#!/usr/bin/env python3
"""threads-input.py N SEED CLEAN KINDS: N Kinesis envelopes for test-threads, with bad
records of every kind mixed in at random places (none in the first CLEAN
lines), in KINDS the kind of each line (g good, b bad, n no document,
k blank), one a line, and on stderr the counts a
correct run must give, worked out here from what was written:

  good=G bad=B nodoc=D blank=K first_bad=L before=R

good: envelopes whose document is well formed with the right types; bad:
lines json-project must report (malformed JSON, a wrong type, a document that
is not JSON, invalid UTF-8); nodoc: envelopes without a data field (passed
with nulls, not bad); blank: blank lines (not records at all); first_bad:
the line number of the first bad line; before: the records before it."""
import json
import random
import sys

n, seed = int(sys.argv[1]), int(sys.argv[2])
clean = int(sys.argv[3])
kinds = open(sys.argv[4], "w")
rnd = random.Random(seed)
out = sys.stdout.buffer
counts = dict(good=0, bad=0, nodoc=0, blank=0, first_bad=0, before=0)


def envelope(doc, i):
    return json.dumps({"data": doc, "stream": "bitcoin-info",
                       "shardId": "shardId-%012d" % (i % 4),
                       "sequenceNumber": str(49590000000000000000 + i),
                       "partitionKey": "pk"}, separators=(",", ":")).encode()


def good_doc(i):
    return json.dumps({"timestamp": "2024-01-01T%02d:%02d:%02d" % (
        i // 3600 % 24, i // 60 % 60, i % 60),
        "euro_rate": round(rnd.uniform(30000, 50000), 4),
        "usd_rate": round(rnd.uniform(30000, 50000), 4),
        "gbp_rate": rnd.randint(20000, 40000)}, separators=(",", ":"))


for i in range(n):
    kind = rnd.random() if i >= clean else 0
    if kind < 0.95:
        line = envelope(good_doc(i), i)
        if rnd.random() < 0.001:	# a long one: a record of about 100 KB
            doc = json.loads(good_doc(i))
            doc["pad"] = "x" * 100000
            line = envelope(json.dumps(doc), i)
        counts["good"] += 1
        kinds.write("g\n")
    elif kind < 0.96:
        line = envelope(good_doc(i), i)[:-7]	# cut short
        counts["bad"] += 1
        kinds.write("b\n")
    elif kind < 0.97:
        doc = json.loads(good_doc(i))
        doc["euro_rate"] = "not a number"
        line = envelope(json.dumps(doc), i)
        counts["bad"] += 1
        kinds.write("b\n")
    elif kind < 0.98:
        line = envelope("{\"timestamp\": oops", i)	# not JSON inside
        counts["bad"] += 1
        kinds.write("b\n")
    elif kind < 0.99:
        line = b'{"data":"\xff\xfe binary","shardId":"s"}'	# not UTF-8
        counts["bad"] += 1
        kinds.write("b\n")
    elif kind < 0.995:
        line = b'{"stream":"bitcoin-info","shardId":"s"}'	# no data
        counts["nodoc"] += 1
        kinds.write("n\n")
    else:
        line = b"   "
        counts["blank"] += 1
        kinds.write("k\n")
    if counts["bad"] == 1 and not counts["first_bad"]:
        counts["first_bad"] = i + 1
        counts["before"] = counts["good"] + counts["nodoc"]
    out.write(line + b"\n")
sys.stderr.write("good=%(good)d bad=%(bad)d nodoc=%(nodoc)d blank=%(blank)d "
                 "first_bad=%(first_bad)d before=%(before)d\n" % counts)
