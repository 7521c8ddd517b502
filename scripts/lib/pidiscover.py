#!/usr/bin/env python3
"""Sends the DHCPDISCOVER a Raspberry Pi boot ROM sends at power-on, from any MAC.

A bay powered on by a fake power command: the frame (the Pi 3B ROM's: broadcast, PXEClient
vendor class, client-system architecture 0, option 97 as the 3B ROM fills it; the xid the
CRC-32 of the MAC, so each bay's differs) goes out on a raw socket and nothing waits for
an answer. Needs CAP_NET_RAW; the integration tests run it inside their network
namespaces only.

usage: pidiscover.py INTERFACE MAC [MAC...]
"""
import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bramblelab import dhcp, frames  # noqa: E402


def discover(mac):
    return dhcp.rom_discover(mac, dhcp.rom_guid(), xid=zlib.crc32(mac) & 0xFFFFFFFF)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sock = frames.raw_socket(sys.argv[1])
    for text in sys.argv[2:]:
        sock.send(discover(frames.mac_bytes(text)))


if __name__ == "__main__":
    main()
