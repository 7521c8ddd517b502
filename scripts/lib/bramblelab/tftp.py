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


class Reader:
    """One read's client side as a state machine, so one blocking loop (`read`) or one
    selector loop driving many reads (bramblelab/swarm.py) plays it alike: `first()` is the
    request to send; each packet that arrives goes to `packet`, each `retry` s of silence to
    `silence`, and `expired` is asked as time passes. Each returns a Result when the read has
    ended, else None; what to send goes out through the `sendto` it is given. The blocks are
    copied once, each into its place in one buffer (sized from the OACK's tsize when there is
    one, else doubled as it fills), so a packet may be a memoryview of the caller's receive
    buffer and a block costs no allocation of its own. The knobs are `read`'s."""

    def __init__(self, server, name, options=(), mode="octet", probe=None, port=69, retries=5, stall_after=None,
                 deadline=None, deadline_text="the time limit", before_ack=None, reack_duplicates=True):
        self.probe, self.retries, self.stall_after = probe, retries, stall_after
        self.deadline, self.deadline_text = deadline, deadline_text
        self.before_ack, self.reack_duplicates = before_ack, reack_duplicates
        self.windowsize = int(dict(options).get("windowsize", 1))
        self.last_sent, self.destination = request(name, options, mode), (server, port)
        self.peer, self.expected, self.blksize, self.tsize = None, 1, 512, None
        self.data, self.length = bytearray(65536), 0
        self.view = memoryview(self.data)
        self.retransmits, self.silent = 0, 0
        self.last_progress = time.monotonic()

    def received(self):
        return bytes(self.view[:self.length])

    def reserve(self, size):
        """Room for `size` bytes of file in the buffer, the bytes so far kept."""
        if size > len(self.data):
            data = bytearray(max(size, 2 * len(self.data)))
            data[:self.length] = self.view[:self.length]
            self.view.release()
            self.data, self.view = data, memoryview(data)

    def first(self):
        """The request and where it goes."""
        return self.last_sent, self.destination

    def expired(self, now):
        """A Result when the deadline or the stall limit has passed at `now`, else None."""
        if self.deadline is not None and now > self.deadline:
            return Result("timeout", self.received(), self.tsize, self.blksize,
                          "not complete within %s (%d of %s bytes)" % (self.deadline_text, self.length, self.tsize or "?"),
                          self.retransmits)
        if self.stall_after is not None and now - self.last_progress > self.stall_after:
            return Result("stalled", self.received(), self.tsize, self.blksize,
                          "no new block for %g s after %d bytes" % (self.stall_after, self.length), self.retransmits)
        return None

    def silence(self, sendto):
        """No packet for `retry` s: the last packet again, or the end after `retries` of them."""
        self.silent += 1
        if self.retries is not None and self.silent > self.retries:
            return Result("timeout", self.received(), self.tsize, self.blksize,
                          "server silent after %d bytes (%d retries)" % (self.length, self.silent - 1), self.retransmits)
        sendto(self.last_sent, self.destination)
        self.retransmits += 1
        return None

    def packet(self, packet, source, sendto):
        """A datagram from `source`: bytes, or a memoryview valid only during the call."""
        if self.peer is None:
            self.peer = self.destination = source
        elif source != self.peer:
            sendto(error(5, "Unknown transfer ID"), source)
            return None
        if len(packet) < 4:
            return None
        self.silent = 0
        opcode, number = struct.unpack_from("!HH", packet)
        if opcode == ERROR:
            message = error_message(bytes(packet))
            return Result("not-found" if number == 1 else "error", self.received(), self.tsize, self.blksize,
                          "TFTP error %d %r" % (number, message), self.retransmits, number, message)
        if opcode == OACK and self.expected == 1 and not self.length:
            acknowledged = {key.lower(): value for key, value in oack_options(bytes(packet))}
            self.tsize = int(acknowledged["tsize"]) if "tsize" in acknowledged else self.tsize
            self.blksize = int(acknowledged.get("blksize", self.blksize))
            self.windowsize = int(acknowledged.get("windowsize", 1))
            self.last_progress = time.monotonic()
            if self.tsize and self.tsize > 0:
                self.reserve(min(self.tsize, 1 << 26) + self.blksize)  # a stated size, bounded: room, not trust
            if self.probe and self.probe != "block":
                sendto(error(0, EARLY_TERMINATE), self.peer)
                return Result("probe", b"", self.tsize, self.blksize)
            self.last_sent = ack(0)
            sendto(self.last_sent, self.peer)
            return None
        if opcode != DATA:
            return None
        if number == self.expected & 0xFFFF:
            end = self.length + len(packet) - 4
            self.reserve(end)
            self.view[self.length:end] = packet[4:]
            self.length = end
            self.last_progress = time.monotonic()
            if self.probe == "block":
                sendto(error(0, EARLY_TERMINATE), self.peer)
                return Result("probe", b"", self.tsize, self.blksize)
            last = len(packet) - 4 < self.blksize
            if self.expected % self.windowsize == 0 or last:
                if self.before_ack:
                    self.before_ack(self.expected, self.length)
                self.last_sent = ack(number)
                sendto(self.last_sent, self.peer)
            self.expected += 1
            if last:
                return Result("ok", self.received(), self.tsize, self.blksize, None, self.retransmits)
        elif self.reack_duplicates and number == (self.expected - 1) & 0xFFFF:
            sendto(self.last_sent, self.peer)
        return None


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
    reader = Reader(server, name, options, mode, probe, port, retries, stall_after, deadline, deadline_text,
                    before_ack, reack_duplicates)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(bind)
        # A receive timeout in the kernel: one system call per packet, not poll + receive.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", int(retry), int(retry % 1 * 1e6)))
        sock.sendto(*reader.first())
        while True:
            result = reader.expired(time.monotonic())
            if result:
                return result
            try:
                packet, source = sock.recvfrom(65536)
            except (BlockingIOError, socket.timeout):
                result = reader.silence(sock.sendto)
            else:
                result = reader.packet(packet, source, sock.sendto)
            if result:
                return result
    finally:
        sock.close()
