#!/bin/bash
# Each stage grows the pipes it reads and writes to 1 MiB, so that on a
# backlog a stage blocks once a megabyte instead of every 64 KiB
# (kinpipe(7), "Pipes"); what passes through is unchanged and still
# arrives at once.
. "$(dirname "$0")/lib.sh"

# pipe_sizes RECORD CMD...: run CMD between two fresh pipes, write RECORD,
# wait for CMD's first output line and print "IN OUT LINE": the sizes of
# the two pipes then, in bytes, and the line.
pipe_sizes() {
	python3 - "$@" <<'PYEOF'
import fcntl, os, select, subprocess, sys
F_GETPIPE_SZ = 1032
rec, cmd = sys.argv[1], sys.argv[2:]
in_r, in_w = os.pipe()
out_r, out_w = os.pipe()
p = subprocess.Popen(cmd, stdin=in_r, stdout=out_w)
os.close(in_r)
os.close(out_w)
os.write(in_w, (rec + "\n").encode())
line = b""
while not line.endswith(b"\n"):
    ready, _, _ = select.select([out_r], [], [], 10)
    if not ready:
        sys.exit("no output within 10 s")
    chunk = os.read(out_r, 4096)
    if not chunk:
        break
    line += chunk
print(fcntl.fcntl(in_w, F_GETPIPE_SZ), fcntl.fcntl(out_r, F_GETPIPE_SZ),
      line.decode().strip())
os.close(in_w)
p.wait()
os.close(out_r)
PYEOF
}

M=1048576
env='{"data":"{\"timestamp\":\"2024-01-01T00:00:07\",\"euro_rate\":1.5}","shardId":"s","sequenceNumber":"1"}'
is "json-project grows both pipes; the record passes at once" \
    "$(pipe_sizes "$env" json-project --schema 'timestamp STRING, euro_rate FLOAT')" \
    "$M $M {\"timestamp\":\"2024-01-01T00:00:07\",\"euro_rate\":1.5,\"shardId\":\"s\",\"sequenceNumber\":\"1\"}"
is "ts-parse grows both pipes; the record passes at once" \
    "$(pipe_sizes '{"t":"2024-01-01T00:00:07"}' ts-parse -f t)" \
    "$M $M {\"t\":\"2024-01-01T00:00:07Z\"}"
is "window-avg grows both pipes; the window is out at once" \
    "$(pipe_sizes '{"t":"2024-01-01T00:00:07Z","v":2}' window-avg -t t -w 1m --avg v=a)" \
    "$M $M {\"window\":{\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-01T00:01:00Z\"},\"a\":2,\"batch\":0}"

finish
