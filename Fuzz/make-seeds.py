#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target from Fixtures/ and etc/ (docs/fuzzing.md).

    python3 Fuzz/make-seeds.py OUTPUT_DIR TARGET...

Seeds are derived at run time rather than committed, so a fixture added to the repository
(a new capture, a new node map) seeds the fuzzers without another copy of it. Small
hand-written seeds that no fixture provides live in Fuzz/Seeds/TARGET/.
"""
import glob
import os
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def fixture(*parts):
    return sorted(glob.glob(os.path.join(ROOT, *parts)))


def read(path, mode="rb"):
    with open(path, mode) as handle:
        return handle.read()


def hex_frame(path):
    """A Fixtures/frames/*.hex hexdump (offset, then up to 16 bytes a line) as bytes."""
    data = bytearray()
    for line in read(path, "r").splitlines():
        fields = line.split()
        data += bytes(int(field, 16) for field in fields[1:])
    return bytes(data)


def pcap_frames(path):
    """The frames of a classic pcap file, either byte order, micro- or nanosecond."""
    data = read(path)
    magic = data[:4]
    order = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    position = 24
    frames = []
    while position + 16 <= len(data):
        _, _, kept, _ = struct.unpack(order + "IIII", data[position:position + 16])
        position += 16
        frames.append(data[position:position + kept])
        position += kept
    return frames


def udp(frame):
    """(source port, destination port, payload) of an untagged Ethernet/IPv4/UDP frame."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        return None
    header = (frame[14] & 0x0F) * 4
    start = 14 + header
    source, destination, length = struct.unpack(">HHH", frame[start:start + 6])
    return source, destination, frame[start + 8:start + length]


def all_frames():
    frames = [hex_frame(path) for path in fixture("Fixtures", "frames", "*.hex")]
    for path in fixture("Fixtures", "captures", "*", "capture.pcap"):
        frames += pcap_frames(path)
    return frames


def datagrams():
    return [d for d in (udp(frame) for frame in all_frames()) if d]


def pcapng(timestamp, resolution=None, frame=b""):
    """A one-packet pcapng file: section header, interface (optionally if_tsresol), one
    enhanced packet block with a 64-bit timestamp."""
    def block(kind, body):
        body += b"\0" * (-len(body) % 4)
        length = 12 + len(body)
        return struct.pack("<II", kind, length) + body + struct.pack("<I", length)
    section = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    options = b""
    if resolution is not None:
        options = struct.pack("<HH", 9, 1) + bytes([resolution]) + b"\0\0\0" + struct.pack("<HH", 0, 0)
    interface = block(1, struct.pack("<HHI", 1, 0, 262144) + options)
    packet = block(6, struct.pack("<IIIII", 0, timestamp >> 32, timestamp & 0xFFFFFFFF, len(frame), len(frame)) + frame)
    return section + interface + packet


def seeds(target):
    if target == "frames":
        return all_frames()
    if target == "dhcp":
        return [payload for source, destination, payload in datagrams() if {source, destination} & {67, 68}]
    if target == "tftp":
        return [payload for source, destination, payload in datagrams()
                if not {source, destination} & {53, 67, 68} and len(payload) <= 600]
    if target == "dns":
        # Mode byte (bit 0: over TCP; bit 1: a client outside the cluster), the query with
        # a 16-bit length, then the upstream's answer.
        payloads = [(source, destination, payload) for source, destination, payload in datagrams() if 53 in (source, destination)]
        queries = [payload for _, destination, payload in payloads if destination == 53]
        answers = [payload for source, _, payload in payloads if source == 53] or [b""]
        result = []
        for index, query in enumerate(queries):
            answer = answers[index % len(answers)]
            for mode in (0, 1, 2):
                result.append(bytes([mode]) + struct.pack(">H", len(query)) + query + answer)
        return result
    if target == "nodemap":
        # The first line is the node the editor adds or writes over an existing one.
        maps = fixture("Fixtures", "nodemaps", "*") + fixture("Fixtures", "captures", "*", "nodes") + [os.path.join(ROOT, "etc", "nodes")]
        firsts = [b"13 b8:27:eb:aa:bb:cc web13\n", b"5 dc:a6:32:00:00:05 disabled\n", b"1 e4:5f:01:11:22:33\n"]
        return [firsts[index % len(firsts)] + read(path) for index, path in enumerate(maps) if os.path.isfile(path)]
    if target == "config":
        return [read(path) for path in fixture("Fixtures", "captures", "*", "bramble.conf") + [os.path.join(ROOT, "etc", "bramble.conf")]]
    if target == "dnsmasq":
        return [read(path) for path in fixture("Fixtures", "dnsmasq", "*")]
    if target == "procfs":
        # The first byte picks the table's family (even: IPv4, odd: IPv6); the kernel's own tables follow.
        return [bytes([1 if path.endswith("6") else 0]) + read(path) for path in fixture("Fixtures", "procfs", "*")]
    if target == "capture":
        result = [read(path) for path in fixture("Fixtures", "captures", "*", "capture.pcap")]
        frame = all_frames()[0]
        result += [pcapng(1_800_000_000_123_456, None, frame), pcapng(1_800_000_000_123_456_789, 9, frame),
                   pcapng(0xFFFFFFFFFFFFFFFF, 0, frame), pcapng(1 << 40, 0x80 | 10, frame)]
        return result
    return []


def main():
    output, targets = sys.argv[1], sys.argv[2:]
    for target in targets:
        directory = os.path.join(output, target)
        os.makedirs(directory, exist_ok=True)
        for index, seed in enumerate(seeds(target)):
            with open(os.path.join(directory, "fixture-%03d" % index), "wb") as handle:
                handle.write(seed)


if __name__ == "__main__":
    main()
