#!/usr/bin/env python3
"""A hostile HTTP client for bramble web's integration test (WebHostileClientTests): what
a machine on the uplink could send to the dashboard. Standard library only; run inside a
test's network namespace. Every attack is bounded in connections, bytes and seconds; the
result is one JSON object on the last line: per attack, the status code answered, or
"closed" when the server hung up without one, or "timeout".

    hostile-http.py HOST PORT [--auth USER:PASSWORD]
"""
import argparse
import base64
import json
import socket
import time

TIMEOUT = 5


def exchange(host, port, payload, read_limit=1 << 20, pause=None):
    """Sends payload (bytes, or a list of bytes sent with `pause` seconds between), returns
    (status or "closed" or "timeout", the bytes read)."""
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        try:
            for part in payload if isinstance(payload, list) else [payload]:
                sock.sendall(part)
                if pause:
                    time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        try:
            while len(data) < read_limit and b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            return "timeout", data
        except ConnectionResetError:
            pass
    if data.startswith(b"HTTP/1."):
        return int(data.split(b" ")[1]), data
    return "closed", data


def get(path, headers=b""):
    return b"GET " + path + b" HTTP/1.1\r\nHost: bramble\r\n" + headers + b"Connection: close\r\n\r\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--auth")
    args = parser.parse_args()
    host, port = args.host, args.port
    auth = b""
    if args.auth:
        auth = b"Authorization: Basic " + base64.b64encode(args.auth.encode()) + b"\r\n"
    results = {}
    leaks = []

    def attack(name, payload, **options):
        status, data = exchange(host, port, payload, **options)
        results[name] = status
        if b"root:" in data:
            leaks.append(name)

    attack("garbage", bytes(range(256)) * 4)
    attack("not-http", b"HELLO bramble\r\n\r\n")
    attack("huge-uri", get(b"/" + b"a" * 100_000, auth))
    attack("huge-header", get(b"/", auth + b"X-Big: " + b"b" * 200_000 + b"\r\n"))
    attack("many-headers", get(b"/", auth + b"".join(b"X-%d: x\r\n" % i for i in range(5000))))
    attack("traversal", get(b"/../../etc/passwd", auth))
    attack("traversal-encoded", get(b"/%2e%2e/%2e%2e/etc/passwd", auth))
    attack("traversal-history", get(b"/api/nodes/..%2f..%2fetc%2fpasswd/history", auth))
    attack("null-byte", get(b"/dashboard.js%00.png", auth))
    attack("post-body", b"POST /api/status HTTP/1.1\r\nHost: bramble\r\n" + auth + b"Content-Length: 10000000\r\n\r\n" + b"x" * 1_000_000)
    attack("bad-content-length", b"GET / HTTP/1.1\r\nHost: bramble\r\n" + auth + b"Content-Length: -5\r\n\r\n")
    attack("smuggle", b"GET / HTTP/1.1\r\nHost: bramble\r\n" + auth + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    attack("bad-auth", get(b"/api/status", b"Authorization: Basic !!!!\r\n"))
    attack("wrong-password", get(b"/api/status", b"Authorization: Basic " + base64.b64encode(b"ops:guess") + b"\r\n"))

    # Slow clients: 40 connections each sending half a request, held while a normal request
    # must still be served.
    slow = []
    for _ in range(40):
        try:
            sock = socket.create_connection((host, port), timeout=TIMEOUT)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: bra")
            slow.append(sock)
        except OSError:
            break
    results["slow-clients-held"] = len(slow)
    attack("served-beside-slow-clients", get(b"/api/dashboard", auth))
    for sock in slow:
        sock.close()

    # Followers past the limit: 70 event streams; those beyond 64 get 503.
    followers = []
    statuses = []
    for _ in range(70):
        try:
            sock = socket.create_connection((host, port), timeout=TIMEOUT)
            sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: bramble\r\n" + auth + b"\r\n")
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            statuses.append(int(data.split(b" ")[1]) if data.startswith(b"HTTP/1.") else "closed")
            followers.append(sock)
        except OSError:
            statuses.append("error")
    results["followers-200"] = statuses.count(200)
    results["followers-503"] = statuses.count(503)
    for sock in followers:
        sock.close()
    time.sleep(0.5)
    attack("served-after-followers", get(b"/api/dashboard", auth))
    attack("page", get(b"/", auth))
    results["leaks"] = leaks
    print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
