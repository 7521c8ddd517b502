#!/usr/bin/env python3
"""Raw TFTP exchanges that no stock client performs, for the integration tests.

    tftpprobe.py SERVER request rrq|wrq FILE [OPTION VALUE]...
        send one request from a fresh port; print the first answer
    tftpprobe.py SERVER busy COUNT FILE
        open COUNT read transfers from COUNT ports at once, acknowledge nothing; print each answer
    tftpprobe.py SERVER wrongtid FILE
        start a transfer, acknowledge block 1 from another port (print the answer that port
        gets), then from the right port (print the next answer)
    tftpprobe.py SERVER shared INTRUDER FILE...
        start one lockstep transfer per FILE, each from its own port; print each first
        answer, how many server ports they came from, what an ACK from address INTRUDER
        (a second address of this host) to the first transfer's port gets, then the answer
        to each transfer's ACK 1, sent back to back, with the MD5 of its payload
    tftpprobe.py SERVER late FILE
        read FILE (one block) from one port, acknowledge its last block again once the
        transfer is over, and request it again from the same port: print the three answers
    tftpprobe.py SERVER slowget FILE OUT GOFILE
        read FILE with blksize 1468, but after block 1 wait (up to 30 s) until GOFILE exists;
        write what was received to OUT
    tftpprobe.py SERVER pausedget FILE MODE OUT GOFILE
        read FILE in MODE (octet, netascii) without options; after block 1 print STARTED and
        wait (up to 30 s) until GOFILE exists, then go on; print the ERROR that ends the
        transfer, or DONE and the byte count; write what was received to OUT

Answers print as `DATA n LENGTH`, `OACK name=value ...`, `ERROR code message` or `TIMEOUT`.
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bramblelab import tftp  # noqa: E402


def request(opcode, name, fields=()):
    """An RRQ or WRQ in octet mode with the command line's OPTION VALUE fields."""
    return tftp.request(name, list(zip(fields[0::2], fields[1::2])), opcode=opcode)


def fresh():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", 0))
    sock.settimeout(3)
    return sock


def answer(sock):
    try:
        data, source = sock.recvfrom(65536)
    except socket.timeout:
        return "TIMEOUT", None, None
    return tftp.describe(data), source, data


def paused_read(server, name, options, mode, out, go):
    """Reads a transfer in lockstep, stopping after its first block until the file `go`
    exists (30 s at most); prints STARTED, then DONE and the byte count, or the server's
    ERROR, and writes what arrived to `out`. Three seconds of silence end it (no resends)."""
    def wait_for_go(blocks, received):
        if blocks == 1:
            print("STARTED", flush=True)
            deadline = time.time() + 30
            while not os.path.exists(go) and time.time() < deadline:
                time.sleep(0.05)

    result = tftp.read(server, name, options, mode, retry=3, retries=0, before_ack=wait_for_go, reack_duplicates=False)
    if result.outcome in ("timeout", "stalled"):
        print("TIMEOUT after %d bytes" % len(result.data))
        return 1
    if result.code is not None:
        print("ERROR %d %s" % (result.code, result.message), flush=True)
    else:
        print("DONE %d" % len(result.data), flush=True)
    with open(out, "wb") as handle:
        handle.write(result.data)
    return 0


def main():
    server, command = sys.argv[1], sys.argv[2]
    if command == "request":
        sock = fresh()
        sock.sendto(request(tftp.RRQ if sys.argv[3] == "rrq" else tftp.WRQ, sys.argv[4], sys.argv[5:]), (server, 69))
        print(answer(sock)[0])
    elif command == "busy":
        sockets = [fresh() for _ in range(int(sys.argv[3]))]
        for sock in sockets:
            sock.sendto(request(tftp.RRQ, sys.argv[4]), (server, 69))
            time.sleep(0.05)
        for sock in sockets:
            print(answer(sock)[0])
    elif command == "wrongtid":
        sock, intruder = fresh(), fresh()
        sock.sendto(request(tftp.RRQ, sys.argv[3]), (server, 69))
        text, source, _ = answer(sock)
        print(text)
        if source is None:
            return
        intruder.sendto(tftp.ack(1), source)
        print(answer(intruder)[0])
        sock.sendto(tftp.ack(1), source)
        print(answer(sock)[0])
    elif command == "shared":
        intruder_address, names = sys.argv[3], sys.argv[4:]
        sockets = [fresh() for _ in names]
        for sock, name in zip(sockets, names):
            sock.sendto(request(tftp.RRQ, name), (server, 69))
        sources = []
        for sock in sockets:
            text, source, _ = answer(sock)
            print(text)
            sources.append(source)
        if None in sources:
            return 1
        print("server ports: %d" % len(set(port for _, port in sources)))
        intruder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        intruder.bind((intruder_address, 0))
        intruder.settimeout(3)
        intruder.sendto(tftp.ack(1), sources[0])
        print("intruder: " + answer(intruder)[0])
        for sock, source in zip(sockets, sources):
            sock.sendto(tftp.ack(1), source)
        for sock in sockets:
            text, _, data = answer(sock)
            print(text if data is None else "%s head %s" % (text, data[4:12].hex()))
    elif command == "late":
        sock = fresh()
        sock.sendto(request(tftp.RRQ, sys.argv[3]), (server, 69))
        text, source, _ = answer(sock)
        print(text)
        if source is None:
            return 1
        sock.sendto(tftp.ack(1), source)
        time.sleep(0.2)
        sock.sendto(tftp.ack(1), source)
        sock.settimeout(1.5)
        print(answer(sock)[0])
        sock.settimeout(3)
        sock.sendto(request(tftp.RRQ, sys.argv[3]), (server, 69))
        print(answer(sock)[0])
    elif command == "slowget":
        name, out, go = sys.argv[3], sys.argv[4], sys.argv[5]
        return paused_read(server, name, [("blksize", "1468")], "octet", out, go)
    elif command == "pausedget":
        name, mode, out, go = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
        return paused_read(server, name, (), mode, out, go)
    return 0


if __name__ == "__main__":
    sys.exit(main())
