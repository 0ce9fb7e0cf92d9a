#!/usr/bin/env python3
"""Give each NDJSON record on stdin the Kinesis provenance of four shards,
round robin: "shardId":"shardId-00000000000S" and a 56-digit
"sequenceNumber" that grows within each shard, as kin-read's envelopes
carry them (json-project keeps them)."""
import sys

seq = [0] * 4
for i, line in enumerate(sys.stdin):
    s = i % 4
    seq[s] += 1
    sys.stdout.write(line.rstrip("\n")[:-1] + ",\"shardId\":\"shardId-%012d\",\"sequenceNumber\":\"4959%052d\"}\n" % (s, seq[s] * 7 + s))
