"""TFTP (RFC 1350) packets with options (RFC 2347: blksize RFC 2348, tsize and timeout RFC
2349, windowsize RFC 7440), and one read client for the simulators and probes.

The client plays what a Pi's firmware does (docs/raspberry-pi-netboot.md): an existence
probe that ends with ERROR 0 "Early terminate" after the OACK (the Pi 3 and 4 learning a
file's size) or after DATA block 1 (the Pi 5 bootloader), a resend of the last packet after
a silence, a deadline for the whole file (the Pi 4/5 TFTP_FILE_TIMEOUT). The probes use its
knobs to misbehave on purpose: a pause before an ACK, no resends, a stall limit.
"""
import socket
import struct
import time

RRQ, WRQ, DATA, ACK, ERROR, OACK = 1, 2, 3, 4, 5, 6
EARLY_TERMINATE = "Early terminate"


def request(name, options=(), mode="octet", opcode=RRQ):
    """An RRQ (or WRQ) for `name`; `options` are (name, value) pairs, values as given or str()."""
    packet = struct.pack("!H", opcode) + name.encode() + b"\0" + mode.encode() + b"\0"
    for key, value in options:
        packet += key.encode() + b"\0" + str(value).encode() + b"\0"
    return packet


def ack(block):
    return struct.pack("!HH", ACK, block & 0xFFFF)


def error(code, message):
    return struct.pack("!HH", ERROR, code) + message.encode() + b"\0"


def error_message(packet):
    """The text of an ERROR packet, up to its terminating zero."""
    return packet[4:].split(b"\0")[0].decode(errors="replace")


def oack_options(packet):
    """An OACK's options as (name, value) text pairs, in order."""
    fields = packet[2:].split(b"\0")[:-1]
    return [(fields[i].decode(), fields[i + 1].decode()) for i in range(0, len(fields) - 1, 2)]


def describe(packet):
    """One line for a packet: `DATA n LENGTH`, `ERROR code message`, `OACK name=value ...`
    or `OPCODE n` (what tftpprobe.py prints)."""
    opcode = struct.unpack("!H", packet[:2])[0]
    if opcode == DATA:
        return "DATA %d %d" % (struct.unpack("!H", packet[2:4])[0], len(packet) - 4)
    if opcode == ERROR:
        return "ERROR %d %s" % (struct.unpack("!H", packet[2:4])[0], error_message(packet))
    if opcode == OACK:
        return "OACK " + " ".join("%s=%s" % pair for pair in oack_options(packet))
    return "OPCODE %d" % opcode


class Result:
    """How a read ended. `outcome`: ok, probe (ended on purpose after the OACK or block 1),
    not-found (ERROR 1), error (another ERROR: `code`, `message`), timeout (past the
    deadline, or silent after every resend) or stalled (no new block for `stall_after` s).
    `error` says it in a sentence for anything but ok and probe."""

    def __init__(self, outcome, data=b"", tsize=None, blksize=512, error=None, retransmits=0, code=None, message=None):
        self.outcome, self.data, self.tsize, self.blksize = outcome, data, tsize, blksize
        self.error, self.retransmits, self.code, self.message = error, retransmits, code, message


def read(server, name, options=(), mode="octet", probe=None, port=69, bind=("0.0.0.0", 0), retry=1.0, retries=5,
         stall_after=None, deadline=None, deadline_text="the time limit", before_ack=None, reack_duplicates=True):
    """Reads `name` from `server`, acknowledging each block (each window's last with a
    `windowsize` option) from one fresh socket bound to `bind`.

    probe            "oack" (or True): ERROR 0 "Early terminate" after the OACK; "block":
                     after DATA block 1. The data is not returned.
    retry, retries   after `retry` s without a packet the last one is sent again; more than
                     `retries` silences in a row end the read (None: never, 0: the first)
    stall_after      seconds without a new block (or the OACK) that end the read
    deadline         a time.monotonic() by which the whole file must be in; `deadline_text`
                     names it in the error
    before_ack       called with (block count, bytes received) before an ACK of new data
    reack_duplicates a repeat of the previous block is answered with the last ACK again
    A packet from another port than the server's first answer gets ERROR 5."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(bind)
        # A receive timeout in the kernel: one system call per packet, not poll + receive.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", int(retry), int(retry % 1 * 1e6)))
        windowsize = int(dict(options).get("windowsize", 1))
        last_sent, destination = request(name, options, mode), (server, port)
        peer, expected, blksize, tsize = None, 1, 512, None
        received, retransmits, silent = bytearray(), 0, 0
        last_progress = time.monotonic()
        sock.sendto(last_sent, destination)
        while True:
            now = time.monotonic()
            if deadline is not None and now > deadline:
                return Result("timeout", bytes(received), tsize, blksize,
                              "not complete within %s (%d of %s bytes)" % (deadline_text, len(received), tsize or "?"), retransmits)
            if stall_after is not None and now - last_progress > stall_after:
                return Result("stalled", bytes(received), tsize, blksize,
                              "no new block for %g s after %d bytes" % (stall_after, len(received)), retransmits)
            try:
                packet, source = sock.recvfrom(65536)
            except (BlockingIOError, socket.timeout):
                silent += 1
                if retries is not None and silent > retries:
                    return Result("timeout", bytes(received), tsize, blksize,
                                  "server silent after %d bytes (%d retries)" % (len(received), silent - 1), retransmits)
                sock.sendto(last_sent, destination)
                retransmits += 1
                continue
            if peer is None:
                peer = destination = source
            elif source != peer:
                sock.sendto(error(5, "Unknown transfer ID"), source)
                continue
            if len(packet) < 4:
                continue
            silent = 0
            opcode, number = struct.unpack("!HH", packet[:4])
            if opcode == ERROR:
                message = error_message(packet)
                return Result("not-found" if number == 1 else "error", bytes(received), tsize, blksize,
                              "TFTP error %d %r" % (number, message), retransmits, number, message)
            if opcode == OACK and expected == 1 and not received:
                acknowledged = {key.lower(): value for key, value in oack_options(packet)}
                tsize = int(acknowledged["tsize"]) if "tsize" in acknowledged else tsize
                blksize = int(acknowledged.get("blksize", blksize))
                windowsize = int(acknowledged.get("windowsize", 1))
                last_progress = time.monotonic()
                if probe and probe != "block":
                    sock.sendto(error(0, EARLY_TERMINATE), peer)
                    return Result("probe", b"", tsize, blksize)
                last_sent = ack(0)
                sock.sendto(last_sent, peer)
                continue
            if opcode != DATA:
                continue
            if number == expected & 0xFFFF:
                received += packet[4:]
                last_progress = time.monotonic()
                if probe == "block":
                    sock.sendto(error(0, EARLY_TERMINATE), peer)
                    return Result("probe", b"", tsize, blksize)
                last = len(packet) - 4 < blksize
                if expected % windowsize == 0 or last:
                    if before_ack:
                        before_ack(expected, len(received))
                    last_sent = ack(number)
                    sock.sendto(last_sent, peer)
                expected += 1
                if last:
                    return Result("ok", bytes(received), tsize, blksize, None, retransmits)
            elif reack_duplicates and number == (expected - 1) & 0xFFFF:
                sock.sendto(last_sent, peer)
    finally:
        sock.close()
