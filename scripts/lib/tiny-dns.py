#!/usr/bin/env python3
"""A tiny upstream DNS server for tests and benchmarks, never a real resolver.

Usage: tiny-dns.py ADDRESS [PORT] [ANSWER]

Answers A queries for example.test and every name below it with ANSWER (default
192.0.2.7, TTL 300), NODATA for other types there, and NXDOMAIN for everything else.
`big.example.test` gets 100 A records (192.0.2.0 ...), more than 512 bytes: over UDP
the answer is truncated (TC, no records), over TCP it is whole. It runs inside a network
namespace the test or benchmark creates, which stops it again; each TCP query is logged.
"""
import os
import signal
import socket
import struct
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bramblelab import dns  # noqa: E402

ANSWER = bytes([192, 0, 2, 7])
ZONE = (b"example", b"test")
BIG = (b"big",) + ZONE


def question_end(message):
    """Index after the question's name, its labels, or None when malformed."""
    labels, position = [], 12
    while position < len(message):
        length = message[position]
        if length == 0:
            return position + 1, labels
        if length & 0xC0:
            return None
        labels.append(message[position + 1:position + 1 + length].lower())
        position += 1 + length
    return None


def respond(message, over_tcp=False):
    if len(message) < 12 or message[2] & 0x80:
        return None
    query_id, flags, questions = struct.unpack("!HHH", message[:6])
    parsed = question_end(message) if questions == 1 else None
    if parsed is None:
        return dns.header(query_id, 0, flags=0x8001)
    end, labels = parsed
    if end + 4 > len(message):
        return dns.header(query_id, 0, flags=0x8001)
    qtype, qclass = struct.unpack("!HH", message[end:end + 4])
    question = message[12:end + 4]
    rd = flags & 0x0100
    inside = tuple(labels[-2:]) == ZONE
    if not inside:
        return dns.header(query_id, flags=0x8083 | rd) + question
    if qtype != 1:
        return dns.header(query_id, flags=0x8080 | rd) + question
    if tuple(labels) == BIG:
        if not over_tcp:
            return dns.header(query_id, flags=0x8280 | rd) + question
        records = b"".join(struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + bytes([192, 0, 2, n]) for n in range(100))
        return dns.header(query_id, 1, 100, flags=0x8080 | rd) + question + records
    record = struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + ANSWER
    return dns.header(query_id, 1, 1, flags=0x8080 | rd) + question + record


def serve_stream(connection):
    with connection:
        while True:
            message = dns.read_framed(connection)
            if not message:
                return
            print("TCP query", flush=True)
            reply = respond(message, over_tcp=True)
            if reply is not None:
                connection.sendall(dns.framed(reply))


def serve_tcp(address, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, port))
    listener.listen(16)
    while True:
        connection, _ = listener.accept()
        connection.settimeout(10)
        threading.Thread(target=serve_stream, args=(connection,), daemon=True).start()


def main():
    # Started from a test runner whose threads block signals: SIGTERM must still stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    address = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 53
    global ANSWER
    if len(sys.argv) > 3:
        ANSWER = socket.inet_aton(sys.argv[3])
    threading.Thread(target=serve_tcp, args=(address, port), daemon=True).start()
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((address, port))
    print(f"tiny-dns on {address}:{port}", flush=True)
    while True:
        message, client = server.recvfrom(4096)
        reply = respond(message)
        if reply is not None:
            server.sendto(reply, client)


if __name__ == "__main__":
    main()
