#!/usr/bin/env python3
"""Raw TFTP exchanges that no stock client performs, for the integration tests.

    tftpprobe.py SERVER request rrq|wrq FILE [OPTION VALUE]...
        send one request from a fresh port; print the first answer
    tftpprobe.py SERVER busy COUNT FILE
        open COUNT read transfers from COUNT ports at once, acknowledge nothing; print each answer
    tftpprobe.py SERVER wrongtid FILE
        start a transfer, acknowledge block 1 from another port (print the answer that port
        gets), then from the right port (print the next answer)
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
import struct
import sys
import time


def request(opcode, name, options=(), mode="octet"):
    packet = struct.pack("!H", opcode) + name.encode() + b"\0" + mode.encode() + b"\0"
    for option in options:
        packet += option.encode() + b"\0"
    return packet


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
    opcode = struct.unpack("!H", data[:2])[0]
    if opcode == 3:
        block = struct.unpack("!H", data[2:4])[0]
        return "DATA %d %d" % (block, len(data) - 4), source, data
    if opcode == 5:
        code = struct.unpack("!H", data[2:4])[0]
        return "ERROR %d %s" % (code, data[4:].split(b"\0")[0].decode(errors="replace")), source, data
    if opcode == 6:
        fields = data[2:].split(b"\0")[:-1]
        pairs = ["%s=%s" % (fields[i].decode(), fields[i + 1].decode()) for i in range(0, len(fields) - 1, 2)]
        return "OACK " + " ".join(pairs), source, data
    return "OPCODE %d" % opcode, source, data


def paused_read(sock, block_size, out, go):
    """Reads a transfer in lockstep, stopping after its first block until the file `go`
    exists (30 s at most); prints STARTED, then DONE and the byte count, or the server's
    ERROR, and writes what arrived to `out`."""
    received, expected, waited = bytearray(), 1, False
    while True:
        text, source, data = answer(sock)
        if data is None:
            print("TIMEOUT after %d bytes" % len(received))
            return 1
        if text.startswith("ERROR"):
            print(text, flush=True)
            break
        block = struct.unpack("!H", data[2:4])[0]
        if not text.startswith("DATA") or block != expected & 0xFFFF:
            continue
        if not waited:
            print("STARTED", flush=True)
            deadline = time.time() + 30
            while not os.path.exists(go) and time.time() < deadline:
                time.sleep(0.05)
            waited = True
        received += data[4:]
        sock.sendto(struct.pack("!HH", 4, block), source)
        expected += 1
        if len(data) - 4 < block_size:
            print("DONE %d" % len(received), flush=True)
            break
    with open(out, "wb") as handle:
        handle.write(received)
    return 0


def main():
    server, command = sys.argv[1], sys.argv[2]
    if command == "request":
        sock = fresh()
        sock.sendto(request(1 if sys.argv[3] == "rrq" else 2, sys.argv[4], sys.argv[5:]), (server, 69))
        print(answer(sock)[0])
    elif command == "busy":
        sockets = [fresh() for _ in range(int(sys.argv[3]))]
        for sock in sockets:
            sock.sendto(request(1, sys.argv[4]), (server, 69))
            time.sleep(0.05)
        for sock in sockets:
            print(answer(sock)[0])
    elif command == "wrongtid":
        sock, intruder = fresh(), fresh()
        sock.sendto(request(1, sys.argv[3]), (server, 69))
        text, source, _ = answer(sock)
        print(text)
        if source is None:
            return
        intruder.sendto(struct.pack("!HH", 4, 1), source)
        print(answer(intruder)[0])
        sock.sendto(struct.pack("!HH", 4, 1), source)
        print(answer(sock)[0])
    elif command == "slowget":
        name, out, go = sys.argv[3], sys.argv[4], sys.argv[5]
        sock = fresh()
        sock.sendto(request(1, name, ["blksize", "1468"]), (server, 69))
        text, source, _ = answer(sock)
        if not text.startswith("OACK"):
            print(text)
            return 1
        sock.sendto(struct.pack("!HH", 4, 0), source)
        return paused_read(sock, 1468, out, go)
    elif command == "pausedget":
        name, mode, out, go = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
        sock = fresh()
        sock.sendto(request(1, name, mode=mode), (server, 69))
        return paused_read(sock, 512, out, go)
    return 0


if __name__ == "__main__":
    sys.exit(main())
