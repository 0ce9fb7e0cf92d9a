#!/usr/bin/env python3
"""KPL aggregated records written by hand from the published format
(amazon-kinesis-producer's aggregation-format.md): the magic F3 89 9A C2,
a protobuf AggregatedRecord, the MD5 of the protobuf bytes. Independent of
kinpipe's own packer, so that kin-read is checked against the format, not
against itself.

  kpl-make.py put SPEC            PutRecord lines for kin-admin.js put
  kpl-make.py expect SPEC PUT     what kin-read must print, one line per
                                  envelope: seq sub key ehk data-or-base64

SPEC has one JSON object per Kinesis record:
  {"plain": TEXT, "key": K}
  {"agg": [{"key": K, "data": TEXT | "b64": B, "ehk": H}...],
   "key": OUTER_KEY, "ehk": OUTER_EHK, "break": "md5" | "body" | "index"}
PUT is kin-admin.js put's output ("ShardId SequenceNumber" per record).
A record with "break" goes through whole; "expect" says so.

  kpl-make.py decode GET          the user records of kin-admin.js get's
                                  output, decoded here by hand: "shard seq
                                  sub key text" per user record (sub "-" for
                                  a plain record), and "BAD seq why" for an
                                  aggregate that does not check out
"""
import base64
import hashlib
import json
import sys

MAGIC = bytes([0xF3, 0x89, 0x9A, 0xC2])


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def field(num, wire, payload):
    tag = varint(num << 3 | wire)
    if wire == 2:
        return tag + varint(len(payload)) + payload
    return tag + varint(payload)


def user_data(u):
    return base64.b64decode(u["b64"]) if "b64" in u else u["data"].encode()


def aggregate(rec):
    keys, ehks, body = [], [], b""
    for u in rec["agg"]:
        if u["key"] not in keys:
            keys.append(u["key"])
        if "ehk" in u and u["ehk"] not in ehks:
            ehks.append(u["ehk"])
    for k in keys:
        body += field(1, 2, k.encode())
    for h in ehks:
        body += field(2, 2, h.encode())
    for u in rec["agg"]:
        idx = keys.index(u["key"])
        if rec.get("break") == "index":
            idx = len(keys) + 5
        r = field(1, 0, idx)
        if "ehk" in u:
            r += field(2, 0, ehks.index(u["ehk"]))
        r += field(3, 2, user_data(u))
        body += field(3, 2, r)
    if rec.get("break") == "body":
        body = body[:-1] + b"\xff\xff"  # a length running off the end
    md5 = hashlib.md5(body).digest()
    if rec.get("break") == "md5":
        md5 = bytes([md5[0] ^ 1]) + md5[1:]
    return MAGIC + body + md5


def kinesis_data(rec):
    return rec["plain"].encode() if "plain" in rec else aggregate(rec)


def shown(data):
    try:
        return "text:" + data.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(data).decode()


def read_varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def fields(b):
    """(number, wire type, value) of a message's fields, bytes as bytes"""
    i = 0
    while i < len(b):
        tag, i = read_varint(b, i)
        if tag & 7 == 0:
            v, i = read_varint(b, i)
        elif tag & 7 == 2:
            n, i = read_varint(b, i)
            v, i = b[i:i + n], i + n
        else:
            raise ValueError("wire type %d" % (tag & 7))
        yield tag >> 3, tag & 7, v


def decode(path):
    for line in open(path):
        shard, seq, key, data = line.split()
        d = base64.b64decode(data)
        if not d.startswith(MAGIC) or len(d) <= 20:
            print(shard, seq, "-", key, d.decode())
            continue
        body, md5 = d[4:-16], d[-16:]
        if hashlib.md5(body).digest() != md5:
            print("BAD", seq, "md5")
            continue
        keys, recs = [], []
        for num, wire, v in fields(body):
            if num == 1 and wire == 2:
                keys.append(v.decode())
            elif num == 3 and wire == 2:
                recs.append(dict((n, x) for n, w, x in fields(v)))
        for i, r in enumerate(recs):
            print(shard, seq, i, keys[r[1]], r[3].decode())


def main():
    if sys.argv[1] == "decode":
        decode(sys.argv[2])
        return
    spec = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
    if sys.argv[1] == "put":
        for rec in spec:
            out = {"Data": base64.b64encode(kinesis_data(rec)).decode(),
                   "PartitionKey": rec.get("key", "a")}
            if "ehk" in rec:
                out["ExplicitHashKey"] = rec["ehk"]
            print(json.dumps(out))
        return
    puts = [l.split() for l in open(sys.argv[3]) if l.strip()]
    for rec, (shard, seq) in zip(spec, puts):
        if "plain" in rec or "break" in rec:
            print(seq, "-", rec.get("key", "a"), "-", shown(kinesis_data(rec)))
            continue
        for i, u in enumerate(rec["agg"]):
            print(seq, i, u["key"], u.get("ehk", "-"), shown(user_data(u)))


main()
