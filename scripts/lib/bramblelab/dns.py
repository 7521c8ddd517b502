"""DNS messages (RFC 1035) as the simulators and probes need them: queries, the header,
names with compression pointers, A records, and the two-byte length framing of DNS over
TCP (RFC 1035 4.2.2, RFC 7766)."""
import socket
import struct
from collections import namedtuple

A, PTR = 1, 12
RECURSION_DESIRED = 0x0100


def header(query_id, questions=1, answers=0, authorities=0, additionals=0, flags=RECURSION_DESIRED):
    return struct.pack("!HHHHHH", query_id, flags, questions, answers, authorities, additionals)


def encode_name(name):
    """A dotted name as labels, ending with the root."""
    return b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"


def query(name, query_id, qtype=A):
    """A standard query, recursion desired, for one `qtype` record of `name` in class IN."""
    return header(query_id) + encode_name(name) + struct.pack("!HH", qtype, 1)


Header = namedtuple("Header", "id flags questions answers authorities additionals")


def parse_header(message):
    """The Header of a message at least 12 bytes long (struct.error when shorter)."""
    return Header(*struct.unpack("!HHHHHH", message[:12]))


def rcode(flags):
    return flags & 0x000F


def truncated(flags):
    return bool(flags & 0x0200)


def skip_name(message, offset):
    """The offset after the name at `offset` (a pointer ends a name); ValueError or
    IndexError for a name that is malformed or runs past the end."""
    while True:
        length = message[offset]
        if length == 0:
            return offset + 1
        if length >= 0xC0:
            if offset + 1 >= len(message):
                raise ValueError("pointer cut off")
            return offset + 2
        if length > 63:
            raise ValueError("bad label length %d" % length)
        offset += 1 + length
        if offset >= len(message):
            raise ValueError("name runs past the end")


def a_records(message):
    """The addresses of the A records in a response's answer section, as dotted quads;
    those before a malformed part when there is one."""
    addresses = []
    try:
        _, _, questions, answers, _, _ = parse_header(message)
        offset = 12
        for _ in range(questions):
            offset = skip_name(message, offset) + 4
        for _ in range(answers):
            offset = skip_name(message, offset)
            rtype, _, _, length = struct.unpack("!HHIH", message[offset:offset + 10])
            if rtype == A and length == 4 and offset + 14 <= len(message):
                addresses.append(socket.inet_ntoa(message[offset + 10:offset + 14]))
            offset += 10 + length
    except (ValueError, IndexError, struct.error):
        pass
    return addresses


def framed(message):
    """`message` with the two-byte length DNS over TCP puts before each one."""
    return struct.pack("!H", len(message)) + message


def read_exactly(sock, count):
    """`count` bytes from a stream, or None when it ends first."""
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_framed(sock):
    """The next length-prefixed message of a DNS-over-TCP stream, or None when it ends."""
    prefix = read_exactly(sock, 2)
    if prefix is None:
        return None
    return read_exactly(sock, struct.unpack("!H", prefix)[0])
