#!/usr/bin/env python3
"""Sends one Ethernet frame and prints the DHCP reply addressed to its sender.

Plays a client that has no IP stack of its own, like a Raspberry Pi boot ROM: the frame
(a hexdump file, as in Fixtures/frames/) goes out on a raw socket exactly as written, and
the first UDP frame from port 67 to port 68 for the frame's source MAC (or broadcast) comes
back as one line of hex, with the milliseconds it took. Needs CAP_NET_RAW; the integration
tests run it inside their network namespaces only.

usage: rawframe.py INTERFACE FRAME.hex [TIMEOUT_SECONDS]
"""
import socket
import sys
import time


def read_hexdump(path):
    data = bytearray()
    with open(path) as f:
        for line in f:
            fields = line.split()
            data += bytes(int(b, 16) for b in fields[1:])
    return bytes(data)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    interface, frame_path = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
    frame = read_hexdump(frame_path)
    client_mac = frame[6:12]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    sock.bind((interface, 0))
    start = time.monotonic()
    sock.send(frame)
    deadline = start + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            sys.exit("no reply within %.1f s" % timeout)
        sock.settimeout(remaining)
        try:
            reply, meta = sock.recvfrom(65536)
        except socket.timeout:
            continue
        if meta[2] == socket.PACKET_OUTGOING or len(reply) < 42 or reply[23] != 17:
            continue
        header_length = (reply[14] & 0x0F) * 4
        udp = 14 + header_length
        source_port = int.from_bytes(reply[udp:udp + 2], "big")
        destination_port = int.from_bytes(reply[udp + 2:udp + 4], "big")
        if source_port == 67 and destination_port == 68 and reply[0:6] in (client_mac, b"\xff" * 6):
            print(reply.hex())
            print("%d ms" % round((time.monotonic() - start) * 1000))
            return


if __name__ == "__main__":
    main()
