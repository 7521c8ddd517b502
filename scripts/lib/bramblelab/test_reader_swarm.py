"""tftp.Reader (the read client's state machine) stepped by hand, and swarm.Swarm driving
boots that wait on sockets and timers. Run with the frame tests by FakePiFrameTests:

    python3 -m unittest discover -s scripts/lib -t scripts/lib -p 'test_*.py'
"""
import socket
import struct
import time
import unittest

from . import tftp
from .pi import Receive
from .swarm import Swarm

SERVER = ("10.42.0.250", 69)
PEER = ("10.42.0.250", 40000)


def data(block, payload):
    return struct.pack("!HH", tftp.DATA, block) + payload


class Sent:
    """A Reader's `sendto`: what it sent, and where."""

    def __init__(self):
        self.packets = []

    def __call__(self, packet, address):
        self.packets.append((bytes(packet), address))


class ReaderTests(unittest.TestCase):
    def test_a_file_after_an_oack_lands_in_place_and_every_block_is_acknowledged(self):
        reader, sent = tftp.Reader(SERVER[0], "kernel.img", [("tsize", "0"), ("blksize", "8")]), Sent()
        self.assertEqual(reader.first(), (tftp.request("kernel.img", [("tsize", "0"), ("blksize", "8")]), SERVER))
        self.assertIsNone(reader.packet(b"\x00\x06tsize\x0020\x00blksize\x008\x00", PEER, sent))
        self.assertEqual(sent.packets[-1], (tftp.ack(0), PEER))
        buffer = bytearray(data(1, b"ABCDEFGH"))
        self.assertIsNone(reader.packet(memoryview(buffer), PEER, sent))
        buffer[:] = b"\xff" * len(buffer)  # the caller's buffer is reused: the block must be copied
        self.assertIsNone(reader.packet(data(2, b"IJKLMNOP"), PEER, sent))
        result = reader.packet(data(3, b"QRST"), PEER, sent)
        self.assertEqual(result.outcome, "ok")
        self.assertEqual(result.data, b"ABCDEFGHIJKLMNOPQRST")
        self.assertEqual((result.tsize, result.blksize), (20, 8))
        self.assertEqual([p for p, _ in sent.packets], [tftp.ack(n) for n in range(4)])

    def test_a_file_without_options_grows_its_buffer_past_its_first_size(self):
        reader, sent = tftp.Reader(SERVER[0], "bootcode.bin"), Sent()
        blocks = 65536 // 512 + 3
        for number in range(1, blocks):
            self.assertIsNone(reader.packet(data(number, bytes([number % 256]) * 512), PEER, sent))
        result = reader.packet(data(blocks, b"end"), PEER, sent)
        self.assertEqual(result.outcome, "ok")
        self.assertEqual(len(result.data), (blocks - 1) * 512 + 3)
        self.assertEqual(result.data[512 * 129:512 * 129 + 2], bytes([130]) * 2)  # block 130, beyond the first 64 KiB
        self.assertEqual(result.data[-5:], b"\x82\x82end")

    def test_a_repeated_block_is_acknowledged_again_and_a_stranger_gets_error_5(self):
        reader, sent = tftp.Reader(SERVER[0], "f"), Sent()
        reader.packet(data(1, b"x" * 512), PEER, sent)
        reader.packet(data(1, b"x" * 512), PEER, sent)
        self.assertEqual(sent.packets[-1], (tftp.ack(1), PEER))
        self.assertIsNone(reader.packet(data(2, b"y"), ("10.42.0.9", 5000), sent))
        self.assertEqual(sent.packets[-1], (tftp.error(5, "Unknown transfer ID"), ("10.42.0.9", 5000)))
        self.assertEqual(reader.packet(data(2, b"y"), PEER, sent).data, b"x" * 512 + b"y")

    def test_probes_end_with_early_terminate_after_the_oack_or_block_1(self):
        for probe, answer in (("oack", b"\x00\x06tsize\x00100\x00"), ("block", data(1, b"z" * 512))):
            reader, sent = tftp.Reader(SERVER[0], "config.txt", [("tsize", "0")], probe=probe), Sent()
            result = reader.packet(answer, PEER, sent)
            self.assertEqual(result.outcome, "probe", probe)
            self.assertEqual(sent.packets, [(tftp.error(0, tftp.EARLY_TERMINATE), PEER)])

    def test_errors_silences_and_the_deadline_end_the_read(self):
        reader, sent = tftp.Reader(SERVER[0], "missing"), Sent()
        self.assertEqual(reader.packet(tftp.error(1, "File not found"), PEER, sent).outcome, "not-found")
        reader, sent = tftp.Reader(SERVER[0], "f", retries=2), Sent()
        self.assertIsNone(reader.silence(sent))
        self.assertIsNone(reader.silence(sent))
        self.assertEqual(reader.silence(sent).outcome, "timeout")
        self.assertEqual(sent.packets, [reader.first()] * 2)
        reader = tftp.Reader(SERVER[0], "f", deadline=time.monotonic() - 1, deadline_text="the test's limit")
        self.assertIn("the test's limit", reader.expired(time.monotonic()).error)


class SwarmTests(unittest.TestCase):
    def test_boots_wait_on_their_own_sockets_and_timers_in_one_loop(self):
        quiet_a, quiet_b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        talk_a, talk_b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        queued_a, queued_b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        for sock in (quiet_a, quiet_b, talk_a, talk_b, queued_a, queued_b):
            self.addCleanup(sock.close)
        queued_b.send(b"already here")
        ended = {}

        def waiting(name, sock, wait):
            first = yield Receive(sock, time.monotonic() + wait)
            return (name, first[0] if first else None)

        swarm = Swarm()
        for name, sock, wait in (("quiet", quiet_a, 0.2), ("talk", talk_a, 5.0), ("queued", queued_a, 0.0)):
            swarm.add(waiting(name, sock, wait), lambda status, name=name: ended.__setitem__(name, status))
        self.assertEqual(ended, {"queued": ("queued", b"already here")})
        talk_b.send(b"hello")
        started = time.monotonic()
        swarm.run(started + 10)
        self.assertEqual(ended["talk"], ("talk", b"hello"))
        self.assertEqual(ended["quiet"], ("quiet", None))
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(swarm.watched, {})

    def test_a_boot_still_waiting_at_the_end_is_closed_and_told(self):
        sock, other = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        self.addCleanup(other.close)
        ended = []

        def forever():
            yield Receive(sock, time.monotonic() + 60)

        swarm = Swarm()
        swarm.add(forever(), ended.append)
        swarm.run(time.monotonic() + 0.1)
        self.assertEqual(ended, [None])
        self.assertEqual(swarm.watched, {})


if __name__ == "__main__":
    unittest.main()
