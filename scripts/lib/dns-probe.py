#!/usr/bin/env python3
"""Raw DNS probes for the integration tests, where dig cannot go: many TCP connections at
once, an idle connection, a pipelined stream, malformed queries. Run inside a test's
network namespace against bramble there; prints one JSON object.

Usage: dns-probe.py SERVER limit CONNECTIONS
       dns-probe.py SERVER idle MAX_SECONDS
       dns-probe.py SERVER pipeline
       dns-probe.py SERVER malformed
"""
import json
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bramblelab import dns  # noqa: E402

query, framed, read_message = dns.query, dns.framed, dns.read_framed


def summary(message):
    """ID, RCODE and answer count of a response."""
    if message is None:
        return None
    query_id, flags, _, answers = struct.unpack("!HHHH", message[:8])
    return {"id": query_id, "rcode": dns.rcode(flags), "answers": answers, "tc": dns.truncated(flags)}


def connect(server):
    sock = socket.create_connection((server, 53), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def ask(sock, name, query_id):
    sock.sendall(framed(query(name, query_id)))
    return summary(read_message(sock))


def closed_by_server(sock, wait):
    """Whether the server closes the stream (or resets it) within `wait` seconds."""
    sock.settimeout(wait)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def limit(server, count):
    """COUNT connections each answered, one more refused, the COUNT still answered, and
    a new one answered once one of them hangs up."""
    held = [connect(server) for _ in range(count)]
    first = [ask(sock, "node05.cluster", index) for index, sock in enumerate(held)]
    extra = connect(server)
    try:
        extra.sendall(framed(query("node05.cluster", 9999)))
    except OSError:
        pass
    extra_closed = closed_by_server(extra, 3)
    again = [ask(sock, "node05.cluster", 1000 + index) for index, sock in enumerate(held)]
    held.pop().close()
    time.sleep(0.2)
    after = ask(connect(server), "node05.cluster", 4242)
    return {
        "answeredFirst": sum(1 for s in first if s and s["rcode"] == 0 and s["answers"] == 1),
        "extraClosed": extra_closed,
        "answeredAgain": sum(1 for s in again if s and s["rcode"] == 0 and s["answers"] == 1),
        "afterHangUp": after,
    }


def idle(server, max_seconds):
    sock = connect(server)
    answer = ask(sock, "node05.cluster", 1)
    started = time.monotonic()
    closed = closed_by_server(sock, max_seconds)
    return {"answer": answer, "closed": closed, "seconds": round(time.monotonic() - started, 2)}


def pipeline(server):
    """Five queries and a malformed one in one write; the answers in any order."""
    names = ["node05.cluster", "web06.cluster", "5.0.42.10.in-addr.arpa", "nosuch.cluster", "www.example.test"]
    types = [1, 1, 12, 1, 1]
    malformed = dns.header(77) + b"\xc0\x0c" + struct.pack("!HH", 1, 1)
    stream = b"".join(framed(query(name, 100 + index, qtype)) for index, (name, qtype) in enumerate(zip(names, types)))
    stream += framed(malformed)
    sock = connect(server)
    sock.sendall(stream)
    answers = {}
    for _ in range(len(names) + 1):
        reply = summary(read_message(sock))
        if reply is None:
            break
        answers[reply["id"]] = reply
    after = ask(sock, "node05.cluster", 200)
    return {"answers": {str(k): v for k, v in sorted(answers.items())}, "after": after}


def malformed(server):
    header = lambda query_id, counts=(1, 0, 0, 0): dns.header(query_id, *counts)
    tail = struct.pack("!HH", 1, 1)
    cases = {
        "compression loop": header(1) + b"\xc0\x0c" + tail,
        "pointer past the end": header(2) + b"\x03www\xc0\xff" + tail,
        "label over 63": header(3) + b"\x40" + b"x" * 64 + b"\0" + tail,
        "name over 255": header(4) + (b"\x3f" + b"y" * 63) * 5 + b"\0" + tail,
        "counts that lie": header(5, (1, 4, 0, 0)) + query("node05.cluster", 5)[12:],
        "short header": b"\x00\x06\x01\x00\x00",
    }
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(1.5)
    results = {}
    for name, message in cases.items():
        sock.sendto(message, (server, 53))
        try:
            results[name] = summary(sock.recvfrom(4096)[0])
        except socket.timeout:
            results[name] = "dropped"
    sock.sendto(query("node05.cluster", 6), (server, 53))
    results["then a good query"] = summary(sock.recvfrom(4096)[0])
    return results


def main():
    server, command = sys.argv[1], sys.argv[2]
    if command == "limit":
        result = limit(server, int(sys.argv[3]))
    elif command == "idle":
        result = idle(server, float(sys.argv[3]))
    elif command == "pipeline":
        result = pipeline(server)
    elif command == "malformed":
        result = malformed(server)
    else:
        sys.exit(f"unknown probe {command}")
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
