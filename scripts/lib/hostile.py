#!/usr/bin/env python3
"""A hostile client for the integration tests (HostileClientTests): the attacks of a machine
on the cluster LAN, or routed in from outside it, against `bramble serve`. Standard library
only; run inside a test's network namespace. Every command is bounded in packets and in
seconds, and prints one JSON object (the last line of its output).

    hostile.py dns SERVER tcp|udp|udp-edns|udp-max
        the oversized-echo query: thousands of questions read through compression pointers
        (see oversized_query); prints the query's size and what came back
    hostile.py probe SERVER --mac MAC --file NAME --name NAME
        is the daemon answering? a DHCPDISCOVER for MAC on eth0 (raw), a TFTP read of NAME,
        a DNS A query for NAME (each with a short timeout)
    hostile.py slowread SERVER FILE --mode octet|netascii [--blksize N] [--windowsize N]
                        --pause-after BLOCKS --go PATH --old PATH --new PATH [--source IP]
        reads FILE, holding the ACK of block BLOCKS until PATH exists (at most 20 s), then
        goes on; says whether the transfer ended with an ERROR, stalled, or completed, and
        whether the bytes equal the old or the new file (netascii: converted)
    hostile.py dhcp-flood IFACE COUNT
        COUNT DHCPDISCOVERs within about a second: chaddr random unicast, broadcast,
        multicast and all-zero, and DISCOVERs in frames addressed to another host's MAC;
        counts the OFFERs that answer any but the random unicast ones
    hostile.py dhcp-clients IFACE --first-mac MAC --count N [--stop-at-silence] [--server IP]
        N clients (chaddr MAC, MAC+1, ...), each DISCOVER/OFFER/REQUEST/ACK with a 60-byte
        host name, REQUEST tried 3 times; prints every client's offer and ACK
    hostile.py dhcp-reboot IFACE MAC=IP...
        each MAC asks for its IP in the INIT-REBOOT state (REQUEST, requested address, no
        server identifier); prints ACK IP, NAK or nothing per MAC
    hostile.py tftp-flood SERVER FILE --sources IP,IP,... --per-source N --release-within S
        N read requests with `timeout 255` from each source address (configured on the
        interface), never acknowledged; then polls from the first source once a second
        until a new request is no longer refused as busy (at most S s)
    hostile.py dns-trickle SERVER SECONDS
        a TCP client sending a query one byte per second; when does the server hang up?
    hostile.py netconsole SERVER PORT lines|flood|oversize|binary --source IP [--count N]
        datagrams to the netconsole sink from IP (configured on the interface): N datagrams
        of bootloader-like lines, N datagrams of 10 lines as fast as they go, N datagrams of
        4000 bytes, N datagrams of random bytes; prints how many were sent and how long it took
"""
import argparse
import json
import os
import random
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bramblelab import dhcp, dns, frames, tftp  # noqa: E402

# ---- DNS ------------------------------------------------------------------------------------

POINTER_LIMIT = 0x3FFF


def random_label(length):
    return bytes([length]) + bytes(random.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(length))


def long_name():
    """255 bytes on the wire: three 63-byte labels, one of 61, the root."""
    return random_label(63) + random_label(63) + random_label(63) + random_label(61) + b"\0"


def oversized_query(total, query_id, edns_size=None):
    """A query of about `total` bytes built to make an echoing encoder blow up.

    DNS compression pointers have 14 bits, so an encoder can only point back into the first
    16 KiB of its reply. The query is laid out so that a long name N (255 bytes) sits below
    that line in the query, where the query's own pointers reach it, but lands above it in
    an echoed reply:
      1. filler questions with distinct random 255-byte names, up to about 15 KB;
      2. a question whose single 63-byte label holds the bytes 62, 61, ... 1: a pointer into
         that label at byte k reads a different one-label name, so 62 questions of a bare
         pointer each cost the query 6 bytes and an echo 64 - k, pushing the echo ahead;
      3. N in full, then as many questions as fit that are just a pointer to N: 6 bytes
         each in the query, 259 in an echo that can no longer point back to N.
    The 18.6 KB version echoes to more than 100 KB: past what DNS over TCP can frame.
    """
    body = bytearray()
    questions = 0
    tail = struct.pack("!HH", 1, 1)
    while 12 + len(body) < 15000:
        body += long_name() + tail
        questions += 1
    nested = 12 + len(body)
    body += b"\x3f" + bytes(range(62, 0, -1)) + b"x" + b"\0" + tail
    questions += 1
    for k in range(1, 63):
        body += struct.pack("!H", 0xC000 | (nested + k)) + tail
        questions += 1
    target = 12 + len(body)
    assert target + 255 < POINTER_LIMIT
    body += long_name() + tail
    questions += 1
    opt = b"\0" + struct.pack("!HHIH", 41, edns_size, 0, 0) if edns_size else b""
    while 12 + len(body) + 6 + len(opt) <= total:
        body += struct.pack("!H", 0xC000 | target) + tail
        questions += 1
    return dns.header(query_id, questions, additionals=1 if opt else 0) + bytes(body) + opt, questions


def dns_summary(message):
    """Header fields, and whether every counted section is there (the reply decodes)."""
    if message is None:
        return None
    if len(message) < 12:
        return {"size": len(message), "decodes": False}
    query_id, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", message[:12])
    decodes = True
    try:
        offset = 12
        for _ in range(qd):
            offset = dns.skip_name(message, offset) + 4
        for _ in range(an + ns + ar):
            offset = dns.skip_name(message, offset)
            offset += 10 + struct.unpack("!H", message[offset + 8:offset + 10])[0]
        decodes = offset <= len(message)
    except (ValueError, IndexError, struct.error):
        decodes = False
    return {"size": len(message), "id": query_id, "rcode": flags & 0xF, "qr": bool(flags & 0x8000),
            "tc": bool(flags & 0x0200), "qdcount": qd, "ancount": an, "nscount": ns, "arcount": ar,
            "decodes": decodes}


def dns_attack(server, variant):
    started = time.monotonic()
    result = {"variant": variant}
    if variant == "tcp":
        query, questions = oversized_query(18600, 0x4141)
        sock = socket.create_connection((server, 53), timeout=5)
        sock.sendall(dns.framed(query))
        reply, closed = None, False
        try:
            prefix = dns.read_exactly(sock, 2)
            if prefix is None:
                closed = True
            else:
                result["lengthPrefix"] = struct.unpack("!H", prefix)[0]
                reply = dns.read_exactly(sock, result["lengthPrefix"])
                closed = reply is None
        except ConnectionResetError:
            closed = True
        except socket.timeout:
            pass
        result["closed"] = closed
    else:
        sizes = {"udp": (16600, None), "udp-edns": (16600, 1232), "udp-max": (65507, None)}
        total, edns = sizes[variant]
        query, questions = oversized_query(total, 0x4242, edns)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.settimeout(5 if variant == "udp-max" else 3)
        sock.sendto(query, (server, 53))
        try:
            reply = sock.recvfrom(1 << 17)[0]
        except socket.timeout:
            reply = None
        result["ednsSize"] = edns
    result.update({"querySize": len(query), "questions": questions, "reply": dns_summary(reply),
                   "seconds": round(time.monotonic() - started, 2)})
    return result


def dns_trickle(server, seconds):
    """One byte a second of a framed query; the server should hang up on a client that
    never completes a query, however steadily it sends."""
    stream = dns.framed(dns.query("node66.cluster", 0x5151))
    sock = socket.create_connection((server, 53), timeout=5)
    started = time.monotonic()
    sent = 0
    closed_after = None
    while time.monotonic() - started < seconds and sent < len(stream):
        try:
            sock.send(stream[sent:sent + 1])
            sent += 1
        except (BrokenPipeError, ConnectionResetError):
            closed_after = time.monotonic() - started
            break
        ready, _, _ = select.select([sock], [], [], 1.0)
        if ready:
            try:
                data = sock.recv(512)
            except ConnectionResetError:
                data = b""
            if not data:
                closed_after = time.monotonic() - started
                break
    sock.close()
    return {"bytesSent": sent, "closedAfter": None if closed_after is None else round(closed_after, 2)}


# ---- DHCP -----------------------------------------------------------------------------------

def dhcp_frame(source_mac, destination_mac, chaddr, xid, options):
    """A DHCP request from 0.0.0.0:68 to 255.255.255.255:67, broadcast flag set."""
    return frames.udp_frame(dhcp.bootp_request(chaddr, xid, options, flags=0x8000), source_mac, destination_mac)


def dhcp_reply(frame):
    """(xid, chaddr, message type, yiaddr) of a DHCP reply frame (to port 68), or None."""
    udp = frames.parse_udp(frame)
    reply = dhcp.parse_reply(udp.payload) if udp and udp.destination_port == 68 else None
    return (reply.xid, reply.chaddr, reply.type, reply.yiaddr) if reply else None


class RawInterface:
    def __init__(self, interface):
        # A flood's own frames come back as outgoing ones: room for them and every reply.
        self.sock = frames.raw_socket(interface, receive_buffer=4 << 20)
        self.mac = frames.interface_mac(interface)

    def send(self, frame):
        self.sock.send(frame)

    def replies(self, wait):
        """DHCP replies already queued or arriving within `wait` seconds."""
        for data in frames.incoming(self.sock, wait):
            reply = dhcp_reply(data)
            if reply:
                yield reply

    def exchange(self, chaddr, xid, options, wanted, wait, tries=1):
        """Sends a request until a reply of a type in `wanted` for (xid, chaddr) comes."""
        frame = dhcp_frame(self.mac, b"\xff" * 6, chaddr, xid, options)
        for _ in range(tries):
            self.send(frame)
            for reply_xid, reply_chaddr, kind, yiaddr in self.replies(wait):
                if reply_xid == xid and reply_chaddr == chaddr and kind in wanted:
                    return kind, yiaddr
        return None, None


mac_text, mac_bytes = frames.mac_text, frames.mac_bytes


def dhcp_probe(interface, mac):
    raw = RawInterface(interface)
    kind, yiaddr = raw.exchange(mac_bytes(mac), random.getrandbits(32), [(53, b"\x01")], {2}, 2, tries=2)
    return yiaddr if kind == 2 else None


def dhcp_clients(interface, server, first, count, stop_at_silence):
    """Full exchanges for `count` MACs from `first`; a client whose REQUEST gets nothing
    after three tries ends the run with --stop-at-silence."""
    raw = RawInterface(interface)
    base = int.from_bytes(mac_bytes(first), "big")
    clients = []
    for index in range(count):
        mac = (base + index).to_bytes(6, "big")
        hostname = ("h%02x%02x" % (mac[4], mac[5])).encode() + b"-" + b"x" * 55
        xid = random.getrandbits(32)
        kind, offered = raw.exchange(mac, xid, [(53, b"\x01"), (12, hostname)], {2}, 0.5, tries=3)
        acked = None
        if offered:
            request = [(53, b"\x03"), (50, socket.inet_aton(offered)), (54, socket.inet_aton(server)), (12, hostname)]
            kind, address = raw.exchange(mac, xid, request, {5, 6}, 0.5, tries=3)
            acked = address if kind == 5 else None
        clients.append({"mac": mac_text(mac), "offered": offered, "acked": acked})
        if stop_at_silence and offered and not acked:
            break
    return {"clients": clients}


def dhcp_reboot(interface, pairs):
    raw = RawInterface(interface)
    results = []
    for pair in pairs:
        mac, address = pair.split("=")
        request = [(53, b"\x03"), (50, socket.inet_aton(address))]
        kind, yiaddr = raw.exchange(mac_bytes(mac), random.getrandbits(32), request, {5, 6}, 0.5, tries=3)
        answer = "ACK %s" % yiaddr if kind == 5 else "NAK" if kind == 6 else None
        results.append({"mac": mac, "requested": address, "answer": answer})
    return {"clients": results}


def dhcp_flood(interface, count):
    """DISCOVERs nobody should answer, mixed with random unicast ones that a pool may."""
    raw = RawInterface(interface)
    suspicious = {}

    def note_answers(wait):
        for reply_xid, reply_chaddr, _, _ in raw.replies(wait):
            if reply_xid in suspicious and not suspicious[reply_xid].startswith("answered"):
                suspicious[reply_xid] = "answered %s %s" % (suspicious[reply_xid], mac_text(reply_chaddr))

    kinds = ["random", "broadcast", "multicast", "zero", "not-for-the-hub"]
    started = time.monotonic()
    for index in range(count):
        kind = kinds[index % len(kinds)]
        xid = random.getrandbits(32)
        destination = b"\xff" * 6
        chaddr = bytes([0x02]) + os.urandom(5)
        if kind == "broadcast":
            chaddr = b"\xff" * 6
        elif kind == "multicast":
            chaddr = random.choice([b"\x01\x00\x5e\x00", b"\x33\x33\x00\x00", bytes([0x03, 0x42, 0x00, 0x00])]) + os.urandom(2)
        elif kind == "zero":
            chaddr = bytes(6)
        elif kind == "not-for-the-hub":
            destination = b"\x02\x00\x00\x00\x99\x99"
        if kind != "random":
            suspicious[xid] = kind
        raw.send(dhcp_frame(raw.mac, destination, chaddr, xid, [(53, b"\x01")]))
        if index % 50 == 49:
            note_answers(0.02)
    note_answers(1.5)
    answered = sorted(set(v for v in suspicious.values() if v.startswith("answered")))
    return {"sent": count, "seconds": round(time.monotonic() - started, 2), "answered": answered[:20],
            "answeredCount": sum(1 for v in suspicious.values() if v.startswith("answered"))}


def dhcp_pxe_flood(interface, count):
    """PXE DISCOVERs (vendor class PXEClient) from made-up MACs, each with an option 97 a
    Pi sends (Pi 3B constant, repeated serial, RPi4/RPi5 GUID) or a malformed one (empty,
    short, long, type 1): in proxy mode none is in the node map, so no proxy offer (one
    without an address) may come; a router's address offers are counted apart."""
    raw = RawInterface(interface)
    sent, answered, addressed = set(), [], []

    def note_answers(wait):
        for reply_xid, reply_chaddr, _, yiaddr in raw.replies(wait):
            if reply_xid in sent:
                (answered if yiaddr == "0.0.0.0" else addressed).append(mac_text(reply_chaddr))

    guids = [
        lambda: b"\x00" + b"\x44" * 16,
        lambda: b"\x00" + os.urandom(4) * 4,
        lambda: b"\x00" + b"4iPR" + os.urandom(12),
        lambda: b"\x00" + b"5iPR" + os.urandom(12),
        lambda: b"",
        lambda: b"\x00" + os.urandom(random.randrange(1, 16)),
        lambda: b"\x00" + os.urandom(random.randrange(17, 60)),
        lambda: b"\x01" + os.urandom(16),
    ]
    started = time.monotonic()
    for index in range(count):
        xid = random.getrandbits(32)
        sent.add(xid)
        options = [(53, b"\x01"), (60, b"PXEClient:Arch:00000:UNDI:002001"), (97, guids[index % len(guids)]())]
        raw.send(dhcp_frame(raw.mac, b"\xff" * 6, bytes([0x02]) + os.urandom(5), xid, options))
        if index % 50 == 49:
            note_answers(0.02)
    note_answers(1.5)
    return {"sent": count, "seconds": round(time.monotonic() - started, 2), "answered": answered[:20], "answeredCount": len(answered),
            "addressedCount": len(addressed)}


def dhcp_request_flood(interface, mac, count, server):
    """REQUESTs in one node's name (chaddr `mac`) to the router `server`, each naming another
    address in option 50: what a proxy learns a node's address from, forged at full speed."""
    raw = RawInterface(interface)
    chaddr = mac_bytes(mac)
    started = time.monotonic()
    for index in range(count):
        requested = socket.inet_aton("10.42.0.%d" % (2 + index % 240))
        options = [(53, b"\x03"), (50, requested), (54, socket.inet_aton(server))]
        raw.send(dhcp_frame(raw.mac, b"\xff" * 6, chaddr, random.getrandbits(32), options))
    return {"sent": count, "seconds": round(time.monotonic() - started, 2)}


# ---- TFTP -----------------------------------------------------------------------------------

def netascii(data):
    return data.replace(b"\r", b"\r\0").replace(b"\n", b"\r\n")


def tftp_get(server, name, wait=2.0):
    """A plain octet read (no options): the bytes, or an error text."""
    result = tftp.read(server, name, retry=wait, retries=0, reack_duplicates=False)
    if result.outcome == "ok":
        return result.data, None
    if result.code is not None:
        return None, "ERROR %d %s" % (result.code, result.message)
    return None, "TIMEOUT after %d bytes" % len(result.data)


def slowread(arguments):
    """Reads a file, pausing before one ACK until the go file appears (the test rewrites the
    file meanwhile); then reads on, re-ACKing after a second of silence, until the last
    block, an ERROR, or 8 s without a new block (a stall)."""
    with open(arguments.old, "rb") as f:
        old = f.read()
    with open(arguments.new, "rb") as f:
        new = f.read()
    if arguments.mode == "netascii":
        old, new = netascii(old), netascii(new)
    options = []
    if arguments.blksize != 512:
        options.append(("blksize", arguments.blksize))
    if arguments.windowsize > 1:
        options.append(("windowsize", arguments.windowsize))
    paused = []

    def pause(blocks, received):
        if blocks >= arguments.pause_after and not paused:
            print(json.dumps({"paused": received}), flush=True)
            deadline = time.monotonic() + 20
            while not os.path.exists(arguments.go) and time.monotonic() < deadline:
                time.sleep(0.02)
            paused.append(True)

    result = tftp.read(arguments.server, arguments.file, options, arguments.mode, bind=(arguments.source, 0), retries=None,
                       stall_after=8, before_ack=pause, reack_duplicates=False)
    outcome = {"ok": "complete", "stalled": "stalled"}.get(result.outcome, "error")
    error = "ERROR %d %s" % (result.code, result.message) if result.code is not None else None
    matches = "old" if result.data == old else "new" if result.data == new else "neither"
    return {"outcome": outcome, "error": error, "bytes": len(result.data), "matches": matches if outcome == "complete" else None,
            "pausedEarly": not paused}


def tftp_flood(arguments):
    """Slots held by requests never acknowledged, from many source addresses; then how
    long until the first source may start a transfer again."""
    sources = arguments.sources.split(",")
    held, first = [], {}
    for source in sources:
        for _ in range(arguments.per_source):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((source, 0))
            sock.settimeout(0.5)
            sock.sendto(tftp.request(arguments.file, [("timeout", 255), ("blksize", 1024)]), (arguments.server, 69))
            held.append(sock)
    for sock in held:
        try:
            packet = sock.recvfrom(65536)[0]
            opcode = struct.unpack("!H", packet[:2])[0]
            what = {3: "DATA", 5: "ERROR %d" % struct.unpack("!H", packet[2:4])[0], 6: "OACK"}.get(opcode, "other")
        except socket.timeout:
            what = "nothing"
        first[what] = first.get(what, 0) + 1
    started = time.monotonic()
    released = None
    while time.monotonic() - started < arguments.release_within:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((sources[0], 0))
        sock.settimeout(1.0)
        sock.sendto(tftp.request(arguments.file), (arguments.server, 69))
        try:
            packet, peer = sock.recvfrom(65536)
            opcode, code = struct.unpack("!HH", packet[:4])
            if opcode == 3:
                sock.sendto(tftp.error(0, "probe done"), peer)
                released = round(time.monotonic() - started, 1)
                break
        except socket.timeout:
            pass
        finally:
            sock.close()
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started) % 1.0))
    for sock in held:
        sock.close()
    return {"requests": len(held), "firstAnswers": first, "releasedAfter": released}


# ---- netconsole -----------------------------------------------------------------------------

def netconsole(server, port, attack, source, count):
    """At most 10,000 datagrams, sent within a few seconds."""
    count = min(count, 10000)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((source, 6665))
    started = time.monotonic()
    sent = 0
    for index in range(count):
        if attack == "lines":
            payload = ("  %d.%02d netconsole line %d from %s\n" % (index // 100, index % 100, index, source)).encode()
        elif attack == "flood":
            payload = "".join("  9.99 flood %d.%d\n" % (index, line) for line in range(10)).encode()
        elif attack == "oversize":
            payload = b"  1.00 oversize " + b"x" * 3984
        else:
            payload = os.urandom(1000)
        try:
            sock.sendto(payload, (server, port))
            sent += 1
        except OSError:
            time.sleep(0.001)
    sock.close()
    return {"sent": sent, "seconds": round(time.monotonic() - started, 3)}


# ---- main -----------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    attack = commands.add_parser("dns")
    attack.add_argument("server")
    attack.add_argument("variant", choices=["tcp", "udp", "udp-edns", "udp-max"])
    probe = commands.add_parser("probe")
    probe.add_argument("server")
    probe.add_argument("--mac", required=True)
    probe.add_argument("--file", required=True)
    probe.add_argument("--name", required=True)
    slow = commands.add_parser("slowread")
    slow.add_argument("server")
    slow.add_argument("file")
    slow.add_argument("--mode", choices=["octet", "netascii"], default="octet")
    slow.add_argument("--blksize", type=int, default=512)
    slow.add_argument("--windowsize", type=int, default=1)
    slow.add_argument("--pause-after", type=int, required=True)
    slow.add_argument("--go", required=True)
    slow.add_argument("--old", required=True)
    slow.add_argument("--new", required=True)
    slow.add_argument("--source", default="0.0.0.0", help="the local address to read from")
    flood = commands.add_parser("dhcp-flood")
    flood.add_argument("interface")
    flood.add_argument("count", type=int)
    pxe_flood = commands.add_parser("dhcp-pxe-flood")
    pxe_flood.add_argument("interface")
    pxe_flood.add_argument("count", type=int)
    request_flood = commands.add_parser("dhcp-request-flood")
    request_flood.add_argument("interface")
    request_flood.add_argument("--mac", required=True)
    request_flood.add_argument("--count", type=int, required=True)
    request_flood.add_argument("--server", required=True, help="the server identifier the REQUESTs name")
    clients = commands.add_parser("dhcp-clients")
    clients.add_argument("interface")
    clients.add_argument("--first-mac", required=True)
    clients.add_argument("--count", type=int, required=True)
    clients.add_argument("--stop-at-silence", action="store_true")
    clients.add_argument("--server", default="10.42.0.250", help="the server identifier to REQUEST from")
    reboot = commands.add_parser("dhcp-reboot")
    reboot.add_argument("interface")
    reboot.add_argument("pairs", nargs="*")
    tflood = commands.add_parser("tftp-flood")
    tflood.add_argument("server")
    tflood.add_argument("file")
    tflood.add_argument("--sources", required=True)
    tflood.add_argument("--per-source", type=int, default=8)
    tflood.add_argument("--release-within", type=float, default=30)
    nc = commands.add_parser("netconsole")
    nc.add_argument("server")
    nc.add_argument("port", type=int)
    nc.add_argument("attack", choices=["lines", "flood", "oversize", "binary"])
    nc.add_argument("--source", required=True)
    nc.add_argument("--count", type=int, default=5)
    trickle = commands.add_parser("dns-trickle")
    trickle.add_argument("server")
    trickle.add_argument("seconds", type=float)
    arguments = parser.parse_args()

    if arguments.command == "dns":
        result = dns_attack(arguments.server, arguments.variant)
    elif arguments.command == "probe":
        result = {"dhcp": dhcp_probe("eth0", arguments.mac)}
        data, error = tftp_get(arguments.server, arguments.file)
        result["tftp"] = len(data) if data is not None else error
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.settimeout(2)
        sock.sendto(dns.query(arguments.name, 0x6262), (arguments.server, 53))
        try:
            result["dns"] = dns.a_records(sock.recvfrom(4096)[0])
        except socket.timeout:
            result["dns"] = None
    elif arguments.command == "slowread":
        result = slowread(arguments)
    elif arguments.command == "dhcp-flood":
        result = dhcp_flood(arguments.interface, arguments.count)
    elif arguments.command == "dhcp-pxe-flood":
        result = dhcp_pxe_flood(arguments.interface, arguments.count)
    elif arguments.command == "dhcp-request-flood":
        result = dhcp_request_flood(arguments.interface, arguments.mac, arguments.count, arguments.server)
    elif arguments.command == "dhcp-clients":
        result = dhcp_clients(arguments.interface, arguments.server, arguments.first_mac, arguments.count, arguments.stop_at_silence)
    elif arguments.command == "dhcp-reboot":
        result = dhcp_reboot(arguments.interface, arguments.pairs)
    elif arguments.command == "tftp-flood":
        result = tftp_flood(arguments)
    elif arguments.command == "netconsole":
        result = netconsole(arguments.server, arguments.port, arguments.attack, arguments.source, arguments.count)
    else:
        result = dns_trickle(arguments.server, arguments.seconds)
    print(json.dumps(result, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
