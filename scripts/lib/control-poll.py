#!/usr/bin/env python3
"""Asks a running `bramble serve` for `counters` and `status` once a second over its control
socket, as bramble-web does for each Prometheus scrape and dashboard refresh: the load the
benchmarks measure with BRAMBLE_CONTROL_POLL=1 (docs/benchmarks.md).

Usage: control-poll.py SOCKET [--interval S] [--seconds N]

Waits up to 10 s for the socket to appear, then asks every S seconds (default 1) until N
seconds (default 600) have passed or it is stopped (TERM, INT); reconnects if the daemon
closes the connection. Prints on exit, to standard error, how many answers came back and
their mean size. Bounded in count and time; talks to nothing but the Unix socket."""
import argparse
import json
import os
import signal
import socket
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("socket")
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=600.0)
    args = parser.parse_args()
    stopping = []
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stopping.append(True))
    started = time.monotonic()
    while not os.path.exists(args.socket) and time.monotonic() - started < 10 and not stopping:
        time.sleep(0.05)
    answers, total_bytes, errors = 0, 0, 0
    connection, reader = None, None
    while not stopping and time.monotonic() - started < args.seconds:
        began = time.monotonic()
        try:
            if connection is None:
                connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                connection.settimeout(5)
                connection.connect(args.socket)
                reader = connection.makefile("rb")
            for command in ("counters", "status"):
                connection.sendall(json.dumps({"command": command}).encode() + b"\n")
                line = reader.readline(8 << 20)
                if not line or "error" in json.loads(line):
                    raise OSError("no answer to %s: %r" % (command, line[:200]))
                answers += 1
                total_bytes += len(line)
        except (OSError, ValueError) as error:
            errors += 1
            if errors <= 3:
                print("control-poll: %s" % error, file=sys.stderr)
            if connection is not None:
                connection.close()
            connection, reader = None, None
        time.sleep(max(0.0, args.interval - (time.monotonic() - began)))
    mean = total_bytes // answers if answers else 0
    print("control-poll: %d answers (counters and status), %d bytes each on average, %d errors" % (answers, mean, errors), file=sys.stderr)


if __name__ == "__main__":
    main()
