#!/usr/bin/env python3
"""A tiny upstream DNS server for tests and benchmarks, never a real resolver.

Usage: tiny-dns.py ADDRESS [PORT]

Answers A queries for example.test and every name below it with 192.0.2.7 (TTL 300),
NODATA for other types there, and NXDOMAIN for everything else. UDP only. It runs inside
a network namespace the test or benchmark creates, which stops it again.
"""
import signal
import socket
import struct
import sys

ANSWER = bytes([192, 0, 2, 7])
ZONE = (b"example", b"test")


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


def respond(message):
    if len(message) < 12 or message[2] & 0x80:
        return None
    query_id, flags, questions = struct.unpack("!HHH", message[:6])
    parsed = question_end(message) if questions == 1 else None
    if parsed is None:
        return struct.pack("!HHHHHH", query_id, 0x8001, 0, 0, 0, 0)
    end, labels = parsed
    if end + 4 > len(message):
        return struct.pack("!HHHHHH", query_id, 0x8001, 0, 0, 0, 0)
    qtype, qclass = struct.unpack("!HH", message[end:end + 4])
    question = message[12:end + 4]
    rd = flags & 0x0100
    inside = tuple(labels[-2:]) == ZONE
    if not inside:
        return struct.pack("!HHHHHH", query_id, 0x8083 | rd, 1, 0, 0, 0) + question
    if qtype != 1:
        return struct.pack("!HHHHHH", query_id, 0x8080 | rd, 1, 0, 0, 0) + question
    record = struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + ANSWER
    return struct.pack("!HHHHHH", query_id, 0x8080 | rd, 1, 1, 0, 0) + question + record


def main():
    # Started from a test runner whose threads block signals: SIGTERM must still stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    address = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 53
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
