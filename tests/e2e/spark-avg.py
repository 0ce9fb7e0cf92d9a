#!/usr/bin/env python3
"""Spark's windowed averages of a FLOAT column, computed independently of
kinpipe, for tests/e2e/test-window-sqlite.sh.

    spark-avg.py TIME VALUE WINDOW_S SLIDE_S [BATCH_LINES...] < records.ndjson

Reads NDJSON records (a Kinesis envelope's "data" is opened), takes TIME
as "yyyy-MM-ddTHH:mm:ss" (UTC) or RFC 3339 with Z, and VALUE from its
decimal text exactly as Spark 3.5's JSON reader does for a FLOAT: the
nearest float to the decimal (rounded once, from the exact rational, ties
to even; not through a double). Each record goes to its windows by
Spark's TimeWindowing formula. The sums follow Spark's plan for a
streaming avg: within a micro-batch, the values in arrival order added to
0.0 as doubles; then the batch's sum added to the window's sum kept in
the state store (state + batch); the average is that sum over the count.
BATCH_LINES splits the input into micro-batches of those many lines (the
rest is one more batch); without, the input is one batch.

Prints one JSON line per window, in start order:
    {"start":S,"end":E,"n":N,"avg":A,"sum":S,"min":M,"max":X,
     "avg_one_batch":B}
with start and end in epoch seconds, A exactly as a double (repr), M and X
the float's value, and B the average had the whole input been one batch
(so a test can tell that batch boundaries matter).
"""
import calendar
import json
import math
import struct
import sys
import time
from fractions import Fraction


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def f32(bits):
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def nearest_float(text):
    """The float nearest the decimal text, ties to even (positive only)."""
    q = Fraction(text)
    assert q > 0, "the test data are positive rates"
    b = f32_bits(struct.unpack("<f", struct.pack("<f", float(q)))[0])
    best = None
    for c in (f32(b - 1), f32(b), f32(b + 1)):
        key = (abs(Fraction(c) - q), f32_bits(c) & 1)
        if best is None or key < best[0]:
            best = (key, c)
    return best[1]


def epoch(ts):
    ts = ts.rstrip("Z")
    return calendar.timegm(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S"))


def starts(t, window, slide):
    last = t - t % slide
    for i in range(math.ceil(window / slide)):
        s = last - i * slide
        if s <= t < s + window:
            yield s


def main():
    tcol, vcol = sys.argv[1], sys.argv[2]
    window, slide = int(sys.argv[3]), int(sys.argv[4])
    cuts = [int(x) for x in sys.argv[5:]]
    recs = []
    for line in sys.stdin:
        if not line.strip():
            continue
        r = json.loads(line, parse_float=str, parse_int=str)
        if "data" in r:
            r = json.loads(r["data"], parse_float=str, parse_int=str)
        recs.append((epoch(r[tcol]), nearest_float(r[vcol])))
    batches, i = [], 0
    for c in cuts:
        batches.append(recs[i:i + c])
        i += c
    batches.append(recs[i:])

    state = {}
    for batch in batches:
        part = {}
        for t, v in batch:
            for s in starts(t, window, slide):
                p = part.setdefault(s, [0.0, 0, v, v])
                p[0] += v
                p[1] += 1
                p[2] = min(p[2], v)
                p[3] = max(p[3], v)
        for s, p in part.items():
            st = state.setdefault(s, [0.0, 0, p[2], p[3]])
            st[0] = st[0] + p[0]
            st[1] += p[1]
            st[2] = min(st[2], p[2])
            st[3] = max(st[3], p[3])
    one = {}
    for t, v in recs:
        for s in starts(t, window, slide):
            o = one.setdefault(s, [0.0, 0])
            o[0] += v
            o[1] += 1
    for s in sorted(state):
        total, n, lo, hi = state[s]
        print(json.dumps({"start": s, "end": s + window, "n": n,
                          "avg": total / n, "sum": total, "min": lo, "max": hi,
                          "avg_one_batch": one[s][0] / one[s][1]}))


if __name__ == "__main__":
    main()
