#!/usr/bin/env python3
"""Sends the DHCPDISCOVER a Raspberry Pi boot ROM sends at power-on, from any MAC.

A bay powered on by a fake power command: the frame (broadcast, PXEClient vendor class,
client-system architecture 0, option 97 as the Pi 3 ROM fills it) goes out on a raw socket
and nothing waits for an answer. Needs CAP_NET_RAW; the integration tests run it inside
their network namespaces only.

usage: pidiscover.py INTERFACE MAC [MAC...]
"""
import socket
import struct
import sys
import zlib


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def discover(mac):
    xid = zlib.crc32(mac) & 0xFFFFFFFF
    bootp = struct.pack("!BBBBIHH", 1, 1, 6, 0, xid, 0, 0) + bytes(16) + mac + bytes(10) + bytes(192)
    options = b"\x63\x82\x53\x63" + bytes([53, 1, 1])
    options += bytes([55, 12, 43, 60, 67, 128, 129, 130, 131, 132, 133, 134, 135, 66])
    options += bytes([93, 2, 0, 0]) + bytes([94, 3, 1, 2, 1]) + bytes([97, 17, 0]) + b"\x44" * 16
    options += bytes([60, 32]) + b"PXEClient:Arch:00000:UNDI:002001" + bytes([255])
    payload = bootp + options
    udp = struct.pack("!HHHH", 68, 67, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 128, 17, 0, bytes(4), b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\xff" * 6 + mac + b"\x08\x00" + ip + udp


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    sock.bind((sys.argv[1], 0))
    for text in sys.argv[2:]:
        sock.send(discover(bytes.fromhex(text.replace(":", ""))))


if __name__ == "__main__":
    main()
