#!/usr/bin/env python3
"""bit-flips.py FILE COUNT SEED PREFIX: COUNT copies of FILE, each with one
bit flipped at a random place (random.Random(SEED)), written as PREFIX000,
PREFIX001, ...: the damage a durable file's seal must catch."""
import random
import sys

path, count, seed, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
data = open(path, "rb").read()
r = random.Random(seed)
for i in range(count):
    b = bytearray(data)
    bit = r.randrange(len(b) * 8)
    b[bit // 8] ^= 1 << (bit % 8)
    open("%s%03d" % (prefix, i), "wb").write(bytes(b))
