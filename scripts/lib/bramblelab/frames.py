"""Ethernet II, IPv4 and UDP, as the simulators send and read them on AF_PACKET sockets.

A Raspberry Pi's boot ROM and bootloader have no IP address yet when they send DHCP, so
the simulators build whole frames and send them raw: from 0.0.0.0 to the broadcast
address, UDP checksum 0 ("no checksum", RFC 768, which every Pi firmware sends), IP
identification 0, header checksum per RFC 1071. The exact bytes are checked against
Fixtures/frames/ (bramblelab/test_fixture_frames.py).
"""
import ctypes
import select
import socket
import struct
import time
from collections import namedtuple

BROADCAST_MAC = b"\xff" * 6
ETH_P_IP = 0x0800
UDP = 17
DHCP_CLIENT_PORT = 68
SO_ATTACH_FILTER = 26
SOL_PACKET, PACKET_STATISTICS = 263, 6

# Classic BPF (filter(2) as socket(7)'s SO_ATTACH_FILTER takes it; what `tcpdump -dd 'ip and
# udp dst port 68'` prints): an IPv4 frame, UDP, not a later fragment, to port 68, kept
# whole; anything else refused before it is queued. (code, jump if true, jump if false, k)
DHCP_REPLIES_FILTER = (
    (0x28, 0, 0, 12),          # ldh [12]               the EtherType
    (0x15, 0, 8, ETH_P_IP),    # jeq #0x800             else refuse
    (0x30, 0, 0, 23),          # ldb [23]               the IP protocol
    (0x15, 0, 6, UDP),         # jeq #17                else refuse
    (0x28, 0, 0, 20),          # ldh [20]               flags and fragment offset
    (0x45, 4, 0, 0x1FFF),      # jset #0x1fff           a later fragment: refuse
    (0xB1, 0, 0, 14),          # ldxb 4*([14]&0xf)      the IP header's length
    (0x48, 0, 0, 16),          # ldh [x + 16]           the UDP destination port
    (0x15, 0, 1, DHCP_CLIENT_PORT),  # jeq #68          else refuse
    (0x06, 0, 0, 0x40000),     # ret #262144            keep the frame
    (0x06, 0, 0, 0),           # ret #0                 refuse it
)


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


def raw_socket(interface, receive_buffer=None, dhcp_replies_only=False):
    """An AF_PACKET socket for IPv4 frames on `interface` (needs CAP_NET_RAW). The protocol
    is named at bind, not at socket(): a socket opened with one listens on every interface
    at once, and binding it to one then waits for an RCU grace period (synchronize_net in
    the kernel's packet_do_bind), about 14 ms here, where this costs microseconds.

    `dhcp_replies_only` attaches DHCP_REPLIES_FILTER before the bind, so the socket queues
    nothing but UDP to port 68: a simulated Pi's DHCP client holds its socket for the whole
    boot, and unfiltered it would fill with the boot's TFTP frames while nobody reads it,
    then drop the OFFER or ACK of the next DHCP exchange (a 2 s retry in a kernel's DHCP).
    A Pi's own DHCP client keeps no such queue: the kernel's ip=dhcp looks at each frame as
    it arrives and drops all but UDP from port 67 to 68 (net/ipv4/ipconfig.c, ic_bootp_recv)."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    if dhcp_replies_only:
        attach_filter(sock, DHCP_REPLIES_FILTER)
    sock.bind((interface, ETH_P_IP))
    return sock


def attach_filter(sock, program):
    """Attaches a classic BPF `program` ((code, jt, jf, k) tuples) to `sock`: struct
    sock_fprog {unsigned short len; struct sock_filter *filter;}, which the kernel copies."""
    code = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *instruction) for instruction in program))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, struct.pack("HL", len(program), ctypes.addressof(code)))


def dropped(sock):
    """Frames an AF_PACKET socket dropped for want of room in its receive buffer since the
    last call (packet(7), PACKET_STATISTICS, which resets the counts as it reads them)."""
    _, drops = struct.unpack("II", sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
    return drops


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
