#!/usr/bin/env python3
"""Reads `strace -f -tt -y` output and checks that every trade's answer
left the server only after its commit was on disk.

    sync-order.py TRACE

For each answer that carries a trade (a send on a socket holding
"trade_id"), the write-ahead log's last write before it (pwrite64 on a
file ending in -wal) must be followed by a sync of that file (fdatasync
or fsync) that began after the write and ended before the answer began.
Meant for trades made one after another, so that the last log write
before an answer is that trade's commit. Prints one line:

    answers N durable N wal-writes N wal-syncs N
"""
import re
import sys

line_re = re.compile(r"^(\d+)\s+(\d\d):(\d\d):(\d\d\.\d+) (.*)$")
call_re = re.compile(r"^(\w+)\((\d+)<([^>]*)>(.*)$")
resumed_re = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")


def seconds(h, m, s):
    return int(h) * 3600 + int(m) * 60 + float(s)


def main():
    pending = {}	# pid -> (call, path, start, args)
    events = []	# (kind, start, end, args)
    for raw in open(sys.argv[1], errors="replace"):
        m = line_re.match(raw.rstrip("\n"))
        if not m:
            continue
        pid, t, rest = m.group(1), seconds(*m.group(2, 3, 4)), m.group(5)
        r = resumed_re.match(rest)
        if r:
            if pid in pending:
                call, path, start, args = pending.pop(pid)
                events.append((call, path, start, t, args + r.group(2)))
            continue
        c = call_re.match(rest)
        if not c:
            continue
        call, path, args = c.group(1), c.group(3), c.group(4)
        if rest.endswith("<unfinished ...>"):
            pending[pid] = (call, path, t, args)
        else:
            events.append((call, path, t, t, args))
    writes = [e for e in events if e[0] == "pwrite64" and e[1].endswith("-wal")]
    syncs = [e for e in events if e[0] in ("fdatasync", "fsync") and e[1].endswith("-wal")]
    answers = [e for e in events if e[0] in ("sendmsg", "sendto", "writev", "write")
               and e[1].startswith("socket:") and "trade_id" in e[4]]
    durable = 0
    for a in answers:
        before = [w[3] for w in writes if w[3] <= a[2]]
        if not before:
            continue
        last = max(before)
        if any(s[2] >= last and s[3] <= a[2] for s in syncs):
            durable += 1
    print("answers %d durable %d wal-writes %d wal-syncs %d"
          % (len(answers), durable, len(writes), len(syncs)))


main()
