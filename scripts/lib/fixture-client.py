#!/usr/bin/env python3
"""Plays the clients no Debian package provides, for scripts/record-fixtures: the Pi 3B and
3B+ boot ROMs, the Pi 4 bootloader, the Linux kernel's ip=dhcp, an iPXE ROM, and senders of
malformed packets. DHCP goes out as raw frames (Fixtures/frames/*.hex, reconstructed from
published byte-level dumps, docs/raspberry-pi-netboot.md), TFTP and DNS from UDP sockets once the client has
its address. It runs inside a namespace record-fixtures creates, never on a real network.

usage: fixture-client.py INTERFACE pi3b|pi3bplus|pi4|linux|ipxe|malformed FRAMES-DIR
"""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bramblelab import dhcp, frames, tftp  # noqa: E402

HUB = "10.42.0.250"
read_hexdump = frames.read_hexdump


def frame(mac, bootp, ttl=64, src="0.0.0.0", dst="255.255.255.255"):
    """Ethernet + IPv4 + UDP 68->67 around a BOOTP payload, UDP checksum 0 as the ROMs send."""
    return frames.udp_frame(bootp, mac, source=(src, 68), destination=(dst, 67), ttl=ttl)


def options(bootp):
    return dhcp.parse_options(bootp) or []


with_options = dhcp.with_options


class Client:
    def __init__(self, interface, discover):
        self.interface = interface
        self.discover = discover
        self.mac = discover[6:12]
        self.bootp = discover[42:]
        self.raw = frames.raw_socket(interface)

    def exchange(self, packet, timeout=6.0):
        """Sends a frame; returns the BOOTP payload of the first reply to this MAC."""
        xid = int.from_bytes(packet[46:50], "big")
        self.raw.send(packet)
        for reply in frames.incoming(self.raw, timeout):
            found = dhcp.reply_in(reply)
            if found and found[1].xid == xid and found[1].chaddr == self.mac:
                return found[0].payload
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
    """Reads NAME (acknowledging every block, or aborting like a probe); returns the bytes,
    or None after an ERROR or `timeout` s of silence."""
    result = tftp.read(HUB, name, options, probe="oack" if abort_after_oack else None, bind=("", port), retry=timeout, retries=0)
    if result.outcome == "probe":
        return b""
    return result.data if result.outcome == "ok" else None


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
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.settimeout(1)
        for packet in [b"\x00\x01no-terminator", b"\x00\x09\x00\x00", b"\x00\x01file\0octet\0blksize\0"]:
            probe.sendto(packet, (HUB, 69))
            try:
                probe.recv(512)
            except socket.timeout:
                pass
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
