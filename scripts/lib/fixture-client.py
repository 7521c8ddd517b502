#!/usr/bin/env python3
"""Plays the clients no Debian package provides, for scripts/record-fixtures: the Pi 3B and
3B+ boot ROMs, the Pi 4 bootloader, the Linux kernel's ip=dhcp, an iPXE ROM, and senders of
malformed packets. DHCP goes out as raw frames (Fixtures/frames/*.hex, reconstructed from
published byte-level dumps, docs/raspberry-pi-netboot.md), TFTP and DNS from UDP sockets once the client has
its address. It runs inside a namespace record-fixtures creates, never on a real network.

usage: fixture-client.py INTERFACE pi3b|pi3bplus|pi4|linux|ipxe|malformed FRAMES-DIR
"""
import socket
import struct
import subprocess
import sys
import time

HUB = "10.42.0.250"


def read_hexdump(path):
    data = bytearray()
    with open(path) as f:
        for line in f:
            data += bytes(int(b, 16) for b in line.split()[1:])
    return bytes(data)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def frame(mac, bootp, ttl=64, src="0.0.0.0", dst="255.255.255.255"):
    """Ethernet + IPv4 + UDP 68->67 around a BOOTP payload, UDP checksum 0 as the ROMs send."""
    udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, ttl, 17, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return b"\xff" * 6 + mac + b"\x08\x00" + header + udp


def options(bootp):
    found, i = [], 240
    while i < len(bootp) and bootp[i] != 255:
        if bootp[i] == 0:
            i += 1
            continue
        found.append((bootp[i], bootp[i + 2:i + 2 + bootp[i + 1]]))
        i += 2 + bootp[i + 1]
    return found


def with_options(bootp, opts):
    body = b"".join(bytes([code, len(value)]) + value for code, value in opts) + b"\xff"
    packet = bootp[:240] + body
    return packet + b"\0" * max(0, 300 - len(packet))


class Client:
    def __init__(self, interface, discover):
        self.interface = interface
        self.discover = discover
        self.mac = discover[6:12]
        self.bootp = discover[42:]
        self.raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
        self.raw.bind((interface, 0))

    def exchange(self, packet, timeout=6.0):
        """Sends a frame; returns the BOOTP payload of the first reply to this MAC."""
        xid = packet[46:50]
        self.raw.send(packet)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.raw.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                reply, meta = self.raw.recvfrom(65536)
            except socket.timeout:
                break
            if meta[2] == socket.PACKET_OUTGOING or len(reply) < 282 or reply[23] != 17:
                continue
            udp = 14 + (reply[14] & 0x0F) * 4
            bootp = reply[udp + 8:]
            if reply[udp:udp + 4] == b"\x00\x43\x00\x44" and bootp[4:8] == xid and bootp[28:34] == self.mac:
                return bootp
        sys.exit("no DHCP reply within %.0f s" % timeout)

    def dora(self, request_extra=()):
        """DISCOVER, OFFER, REQUEST, ACK (the Pi 4, Linux and iPXE); returns the address."""
        offer = self.exchange(frame(self.mac, self.bootp))
        address = offer[16:20]
        server = dict(options(offer)).get(54, socket.inet_aton(HUB))
        opts = [(c, v) for c, v in options(self.bootp) if c not in (53, 50, 54)]
        request = with_options(self.bootp, [(53, b"\x03"), (50, address), (54, server)] + opts + list(request_extra))
        self.exchange(frame(self.mac, request))
        return socket.inet_ntoa(address)

    def configure(self, address):
        subprocess.run(["ip", "addr", "add", address + "/24", "dev", self.interface], check=True)


def tftp_get(name, port=0, options=(), abort_after_oack=False, timeout=3.0):
    """Reads NAME (acknowledging every block, or aborting like a probe); returns the bytes."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("", port))
    sock.settimeout(timeout)
    request = b"\x00\x01" + name.encode() + b"\0octet\0" + b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in options)
    sock.sendto(request, (HUB, 69))
    data, expected = b"", 1
    blksize = int(dict(options).get("blksize", 512))
    while True:
        try:
            packet, peer = sock.recvfrom(65536)
        except socket.timeout:
            return None
        opcode = struct.unpack("!H", packet[:2])[0]
        if opcode == 5:
            return None
        if opcode == 6:
            if abort_after_oack:
                sock.sendto(b"\x00\x05\x00\x00Early terminate\0", peer)
                return b""
            sock.sendto(b"\x00\x04\x00\x00", peer)
            continue
        block = struct.unpack("!H", packet[2:4])[0]
        if block == expected & 0xFFFF:
            data += packet[4:]
            expected += 1
        sock.sendto(b"\x00\x04" + packet[2:4], peer)
        if len(packet) - 4 < blksize:
            return data


def pi3(client, serial_probe):
    # The ROM: DISCOVER, OFFER, no REQUEST; then RRQ bootcode.bin, no options, port 49152.
    offer = client.exchange(frame(client.mac, client.bootp, ttl=128))
    client.configure(socket.inet_ntoa(offer[16:20]))
    tftp_get("bootcode.bin", port=49152)
    # bootcode.bin: its own DISCOVER (same xid), then the serial-prefixed probe, then start.elf.
    second = bytearray(read_hexdump(FRAMES + "/bootcode-discover.hex")[42:])
    second[28:34] = client.mac   # the published frame is another board's: this board's MAC
    client.exchange(frame(client.mac, bytes(second), ttl=128))
    tftp_get(serial_probe + "/start.elf", port=49153, options=[("tsize", "0")])
    tftp_get("start.elf", port=49154, options=[("tsize", "0")], abort_after_oack=True)
    tftp_get("start.elf", port=49155, options=[("tsize", "0")])
    tftp_get("config.txt", port=49156, options=[("tsize", "0")])


def main():
    global FRAMES
    interface, role, FRAMES = sys.argv[1], sys.argv[2], sys.argv[3]
    if role == "pi3b":
        pi3(Client(interface, read_hexdump(FRAMES + "/pi3b-rom-discover.hex")), "2a9dc15a")  # the 3B ROM reports no serial: a made-up one
    elif role == "pi3bplus":
        pi3(Client(interface, read_hexdump(FRAMES + "/pi3bplus-rom-discover.hex")), "b66c4c16")
    elif role == "pi4":
        client = Client(interface, read_hexdump(FRAMES + "/pi4-bootloader-discover.hex"))
        client.configure(client.dora())
        serial = "f34fdaa9"
        tftp_get(serial + "/start4.elf", port=6970, options=[("tsize", "0"), ("blksize", "1024")])
        tftp_get("config.txt", port=6971, options=[("tsize", "0"), ("blksize", "1024")])
        tftp_get("start4.elf", port=6972, options=[("tsize", "0"), ("blksize", "1024")], abort_after_oack=True)
        tftp_get("start4.elf", port=6973, options=[("tsize", "0"), ("blksize", "1024")])
    elif role == "linux":
        client = Client(interface, read_hexdump(FRAMES + "/linux-kernel-discover.hex"))
        client.dora()
    elif role == "ipxe":
        base = read_hexdump(FRAMES + "/linux-kernel-discover.hex")
        client = Client(interface, base)
        ipxe = [(53, b"\x01"), (60, b"PXEClient:Arch:00000:UNDI:002001"), (93, b"\x00\x00"), (94, b"\x01\x02\x01"),
                (77, b"iPXE"), (175, b"\xb1\x05\x01\x80\x86\x10\x0e\xeb\x03\x01\x00\x00\x17\x01\x01"),
                (55, bytes([1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, 128, 129, 130, 131, 132, 133, 134, 135, 175, 203]))]
        client.bootp = with_options(base[42:], ipxe)
        client.configure(client.dora())
        tftp_get("boot.ipxe", port=0, options=[("tsize", "0"), ("blksize", "1432")])
    elif role == "malformed":
        client = Client(interface, read_hexdump(FRAMES + "/linux-kernel-discover.hex"))
        client.raw.send(frame(client.mac, client.bootp[:100]))                  # BOOTP cut short
        client.raw.send(frame(client.mac, client.bootp[:236] + b"\x01\x02\x03\x04" + client.bootp[240:]))  # wrong cookie
        client.raw.send(frame(client.mac, with_options(client.bootp, [(53, b"\x01"), (55, b"\x01\x03\x06"), (12, b"x" * 10)])[:260]))  # option past the end
        client.configure("10.42.0.7")
        dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        dns.settimeout(1)
        for query in [
            b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01",  # compression loop
            b"\x12\x35\x01\x00\x00\x05\x00\x00\x00\x00\x00\x00\x04node\x00\x00\x01\x00\x01",  # counts that lie
            b"\x12\x36\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x40" + b"a" * 64 + b"\x00\x00\x01\x00\x01",  # label > 63
            b"\x12",  # shorter than a header
        ]:
            dns.sendto(query, (HUB, 53))
            try:
                dns.recv(512)
            except socket.timeout:
                pass
        tftp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        tftp.settimeout(1)
        for packet in [b"\x00\x01no-terminator", b"\x00\x09\x00\x00", b"\x00\x01file\0octet\0blksize\0"]:
            tftp.sendto(packet, (HUB, 69))
            try:
                tftp.recv(512)
            except socket.timeout:
                pass
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
