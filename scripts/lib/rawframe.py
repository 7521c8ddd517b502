#!/usr/bin/env python3
"""Sends one Ethernet frame and prints the DHCP reply addressed to its sender.

Plays a client that has no IP stack of its own, like a Raspberry Pi boot ROM: the frame
(a hexdump file, as in Fixtures/frames/) goes out on a raw socket exactly as written, and
the first UDP frame from port 67 to port 68 for the frame's source MAC (or broadcast) comes
back as one line of hex, with the milliseconds it took. Needs CAP_NET_RAW; the integration
tests run it inside their network namespaces only.

usage: rawframe.py INTERFACE FRAME.hex [TIMEOUT_SECONDS]
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bramblelab import frames  # noqa: E402


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    interface, frame_path = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
    frame = frames.read_hexdump(frame_path)
    client_mac = frame[6:12]
    sock = frames.raw_socket(interface)
    start = time.monotonic()
    sock.send(frame)
    for reply in frames.incoming(sock, timeout):
        udp = frames.parse_udp(reply)
        if udp and udp.source_port == 67 and udp.destination_port == 68 and udp.destination_mac in (client_mac, frames.BROADCAST_MAC):
            print(reply.hex())
            print("%d ms" % round((time.monotonic() - start) * 1000))
            return
    sys.exit("no reply within %.1f s" % timeout)


if __name__ == "__main__":
    main()
