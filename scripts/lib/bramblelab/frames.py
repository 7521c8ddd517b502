"""Ethernet II, IPv4 and UDP, as the simulators send and read them on AF_PACKET sockets.

A Raspberry Pi's boot ROM and bootloader have no IP address yet when they send DHCP, so
the simulators build whole frames and send them raw: from 0.0.0.0 to the broadcast
address, UDP checksum 0 ("no checksum", RFC 768, which every Pi firmware sends), IP
identification 0, header checksum per RFC 1071. The exact bytes are checked against
Fixtures/frames/ (bramblelab/test_fixture_frames.py).
"""
import select
import socket
import struct
import time
from collections import namedtuple

BROADCAST_MAC = b"\xff" * 6
ETH_P_IP = 0x0800
UDP = 17


def checksum(data):
    """The Internet checksum (RFC 1071) of `data`, an odd length padded with a zero byte."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def udp_frame(payload, source_mac, destination_mac=BROADCAST_MAC, source=("0.0.0.0", 68),
              destination=("255.255.255.255", 67), ttl=64, dont_fragment=False):
    """An Ethernet frame holding one IPv4 UDP datagram; `source` and `destination` are
    (address, port)."""
    udp = struct.pack("!HHHH", source[1], destination[1], 8 + len(payload), 0) + payload
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000 if dont_fragment else 0, ttl, UDP, 0,
                         socket.inet_aton(source[0]), socket.inet_aton(destination[0]))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return destination_mac + source_mac + struct.pack("!H", ETH_P_IP) + header + udp


UDPFrame = namedtuple("UDPFrame", "destination_mac source_mac source destination source_port destination_port payload")
UDPFrame.__doc__ = """A received UDP frame: MACs as bytes, addresses as dotted quads; `payload` runs to
the frame's end (an Ethernet frame's padding included, as the callers have always read it)."""


def parse_udp(frame):
    """The UDPFrame in an Ethernet frame, or None when it is not IPv4 UDP or is cut short."""
    if len(frame) < 14 + 20 + 8 or frame[12:14] != b"\x08\x00" or frame[23] != UDP:
        return None
    udp = 14 + (frame[14] & 0x0F) * 4
    if udp < 34 or len(frame) < udp + 8:
        return None
    source_port, destination_port = struct.unpack("!HH", frame[udp:udp + 4])
    return UDPFrame(frame[0:6], frame[6:12], socket.inet_ntoa(frame[26:30]), socket.inet_ntoa(frame[30:34]),
                    source_port, destination_port, frame[udp + 8:])


def raw_socket(interface, receive_buffer=None):
    """An AF_PACKET socket for IPv4 frames on `interface` (needs CAP_NET_RAW). The protocol
    is named at bind, not at socket(): a socket opened with one listens on every interface
    at once, and binding it to one then waits for an RCU grace period (synchronize_net in
    the kernel's packet_do_bind), about 14 ms here, where this costs microseconds."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.bind((interface, ETH_P_IP))
    return sock


def outgoing(meta):
    """Whether a frame an AF_PACKET socket received (its recvfrom address) is one of ours."""
    return meta[2] == socket.PACKET_OUTGOING


def incoming(sock, wait):
    """The frames an AF_PACKET socket receives within `wait` seconds, and those already
    queued when they are up; the socket's own outgoing frames left out."""
    deadline = time.monotonic() + wait
    while True:
        ready, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return
        data, meta = sock.recvfrom(65536)
        if not outgoing(meta):
            yield data


def interface_mac(interface):
    with open("/sys/class/net/%s/address" % interface) as f:
        return mac_bytes(f.read().strip())


def mac_bytes(text):
    return bytes.fromhex(text.replace(":", ""))


def mac_text(mac):
    return ":".join("%02x" % b for b in mac)


def read_hexdump(path):
    """The bytes of a hexdump as in Fixtures/frames/: an offset, then bytes in hex, a line."""
    data = bytearray()
    with open(path) as f:
        for line in f:
            data += bytes(int(b, 16) for b in line.split()[1:])
    return bytes(data)
