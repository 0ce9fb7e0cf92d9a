#!/usr/bin/env python3
"""Generate bitcoin-info records in the notebook's format: a seeded random
walk of euro, dollar and pound rates, one record per step of event time.

    gen-bitcoin.py --count 1440 --step 60 --start 2024-01-01T00:00:00
        {"timestamp":"2024-01-01T00:00:00","euro_rate":41234.5712,...}

--envelope wraps each record as kin-read emits it (data as a JSON string,
with stream, shardId, sequenceNumber, partitionKey, arrival time), for
tests and benchmarks that start after the Kinesis reader. --disorder F
swaps a fraction F of neighbouring records, so event time arrives slightly
out of order, as it does from a real stream.
"""
import argparse
import datetime
import random
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1440)
    ap.add_argument("--step", type=float, default=60.0, help="seconds between records")
    ap.add_argument("--start", default="2024-01-01T00:00:00")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--euro", type=float, default=40000.0, help="starting euro rate")
    ap.add_argument("--envelope", action="store_true")
    ap.add_argument("--shards", type=int, default=4, help="shards named in envelopes")
    ap.add_argument("--disorder", type=float, default=0.0)
    ap.add_argument("--live", action="store_true",
                    help="one record a second at the current time, until killed")
    a = ap.parse_args()
    if a.live:
        return live(a)

    rnd = random.Random(a.seed)
    gauss = rnd.gauss
    t0 = datetime.datetime.strptime(a.start, "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    epoch0 = int(t0.timestamp())
    euro = a.euro
    rows = []
    # Formatting by hand, not json.dumps: this runs for millions of rows.
    for i in range(a.count):
        euro = max(1000.0, euro * (1.0 + gauss(0.0, 0.0008)))
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch0 + int(i * a.step)))
        rows.append('{"timestamp":"%s","euro_rate":%s,"usd_rate":%s,"gbp_rate":%s}' % (
            ts, repr(round(euro, 4)), repr(round(euro * 1.0850, 4)),
            repr(round(euro * 0.8571, 4))))
    if a.disorder > 0:
        for i in range(len(rows) - 1):
            if rnd.random() < a.disorder:
                rows[i], rows[i + 1] = rows[i + 1], rows[i]
    out = sys.stdout
    seq = [0] * a.shards
    buf = []
    for i, line in enumerate(rows):
        if a.envelope:
            shard = i % a.shards
            seq[shard] += 1
            line = ('{"data":"%s","stream":"bitcoin-info","shardId":"shardId-%012d",'
                    '"sequenceNumber":"4959%052d","partitionKey":"pk-%d",'
                    '"approximateArrivalTimestamp":"%sZ"}') % (
                line.replace('"', '\\"'), shard, seq[shard] * 7 + shard, shard,
                line[14:33])
        buf.append(line)
        if len(buf) >= 10000:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")

def live(a):
    """A live feed: the record for each second as it happens, flushed."""
    rnd = random.Random(a.seed)
    euro = a.euro
    try:
        while True:
            now = time.time()
            euro = max(1000.0, euro * (1.0 + rnd.gauss(0.0, 0.0008)))
            sys.stdout.write('{"timestamp":"%s","euro_rate":%r,"usd_rate":%r,"gbp_rate":%r}\n' % (
                time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)), round(euro, 4),
                round(euro * 1.0850, 4), round(euro * 0.8571, 4)))
            sys.stdout.flush()
            time.sleep(max(0.0, 1.0 - (time.time() - now)))
    except (BrokenPipeError, KeyboardInterrupt):
        return 0


if __name__ == "__main__":
    main()
