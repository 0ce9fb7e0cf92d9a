#!/usr/bin/env python3
"""The window table computed independently of kinpipe, for the tests.

    expected-windows.py WINDOW_S SLIDE_S < records.ndjson

Reads the notebook's records ({"timestamp":"yyyy-MM-ddTHH:mm:ss","euro_rate":x,...}),
reads euro_rate as Spark's FLOAT does (the nearest 32-bit float, carried
on as the shortest text that reads back to it, which is what json-project
prints), assigns each record to its sliding windows with Spark's formula
and prints "start end count avg" lines sorted by start, the average
summed with math.fsum.
"""
import calendar
import math
import struct
import sys
import time


def as_float32_text(x):
    f = struct.unpack("f", struct.pack("f", x))[0]
    for p in range(6, 10):
        s = "%.*g" % (p, f)
        if struct.unpack("f", struct.pack("f", float(s)))[0] == f:
            return float(s)
    raise ValueError(x)


def main():
    window, slide = int(sys.argv[1]), int(sys.argv[2])
    import json
    cells = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        rec = json.loads(line)
        if "data" in rec:
            rec = json.loads(rec["data"])
        t = calendar.timegm(time.strptime(rec["timestamp"], "%Y-%m-%dT%H:%M:%S"))
        v = as_float32_text(rec["euro_rate"])
        last_start = t - (t % slide)
        for i in range(math.ceil(window / slide)):
            start = last_start - i * slide
            if start <= t < start + window:
                cells.setdefault(start, []).append(v)
    for start in sorted(cells):
        vals = cells[start]
        print("%d %d %d %r" % (start, start + window, len(vals), math.fsum(vals) / len(vals)))


if __name__ == "__main__":
    main()
