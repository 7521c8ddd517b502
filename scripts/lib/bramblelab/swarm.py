"""Many boots (bramblelab.pi generators) in one process and one selector loop.

The shaped-link storm (scripts/bench-storm) boots 48 Pis at once. As 48 processes, each
woke on its own for every TFTP block, and on a core shared with builds each wake-up waited
for the scheduler: the simulators, not the links or the server, decided the wall time. Here
one epoll wake-up serves every socket that is ready, and a TFTP block costs one `recv_into`
into one buffer shared by all transfers, a copy into the file's buffer (tftp.Reader) and
one `send` of the ACK on the transfer's connected socket.

`Swarm.add(boot, ended)` takes a boot generator; `run(until)` drives them all until each
has returned (then `ended(status)` is called, or `ended(exception)` for one that raised)
or `until` (time.monotonic()) has passed, when the boots left are closed and `ended(None)`
is called for them.
"""
import heapq
import select
import time

from .pi import Fetch

RETRY = 1.0  # seconds of silence before a TFTP read sends its last packet again (tftp.read's retry)


class Boot:
    """One boot's place in the loop: the generator, the socket it waits on (with the TFTP
    read on it, if any), when it last heard a packet there, its timer's number."""
    __slots__ = ("generator", "ended", "sock", "reader", "send", "heard", "timer")

    def __init__(self, generator, ended):
        self.generator, self.ended = generator, ended
        self.sock = self.reader = self.send = None
        self.heard = 0.0
        self.timer = 0


class Swarm:
    """The loop: the sockets boots wait on (level-triggered epoll), their deadlines and TFTP
    retry times (one heap), and the receive buffer every TFTP read shares."""

    def __init__(self):
        self.epoll = select.epoll()
        self.watched = {}  # file descriptor -> the boot waiting on it
        self.timers = []  # (when, number, boot): it counts only while boot.timer is still that number
        self.numbers = 0
        self.running = 0
        self.buffer = bytearray(65536)
        self.view = memoryview(self.buffer)

    def add(self, generator, ended):
        self.running += 1
        self.advance(Boot(generator, ended), None)

    def run(self, until):
        while self.running and time.monotonic() < until:
            wait = until - time.monotonic()
            if self.timers:
                wait = min(wait, self.timers[0][0] - time.monotonic())
            for fd, _ in self.epoll.poll(max(0.0, wait)):
                boot = self.watched.get(fd)
                if boot is None:  # its socket was closed by an earlier event of this round
                    continue
                if boot.reader is not None:
                    self.transfer_readable(boot)
                else:
                    self.receive_readable(boot)
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                _, number, boot = heapq.heappop(self.timers)
                if boot.timer == number:
                    self.timer_fired(boot, now)
        for boot in list(self.watched.values()):
            self.release(boot)
            boot.generator.close()
            self.running -= 1
            boot.ended(None)

    # -- stepping a boot --

    def advance(self, boot, answer):
        """Resumes `boot` with `answer` and starts what it waits for next, until it must wait."""
        while True:
            try:
                operation = boot.generator.send(answer)
            except StopIteration as end:
                self.running -= 1
                boot.ended(end.value)
                return
            except Exception as error:  # one boot's fault (a socket's, the netlink's) ends that boot only
                self.running -= 1
                boot.ended(error)
                return
            if isinstance(operation, Fetch):
                self.start_transfer(boot, operation)
                return
            # A Receive: what is queued already (or nothing, past the deadline) answers at once.
            sock = operation.sock
            sock.setblocking(False)
            try:
                answer = sock.recvfrom(65536)
                continue
            except BlockingIOError:
                pass
            if operation.deadline <= time.monotonic():
                answer = None
                continue
            self.watch(boot, sock)
            self.arm(boot, operation.deadline)
            return

    def arm(self, boot, when):
        self.numbers += 1
        boot.timer = self.numbers
        heapq.heappush(self.timers, (when, self.numbers, boot))

    def watch(self, boot, sock):
        boot.sock = sock
        self.epoll.register(sock.fileno(), select.EPOLLIN)
        self.watched[sock.fileno()] = boot

    def release(self, boot):
        """Stops watching the boot's socket (closing it when it was a TFTP read's)."""
        self.epoll.unregister(boot.sock.fileno())
        del self.watched[boot.sock.fileno()]
        if boot.reader is not None:
            boot.sock.close()
        boot.sock = boot.reader = boot.send = None
        boot.timer = 0

    def receive_readable(self, boot):
        try:
            answer = boot.sock.recvfrom(65536)
        except BlockingIOError:
            return
        self.release(boot)
        self.advance(boot, answer)

    def timer_fired(self, boot, now):
        if boot.reader is None:
            self.release(boot)
            self.advance(boot, None)
            return
        result = boot.reader.expired(now)
        if result is None and now - boot.heard >= RETRY:
            result = boot.reader.silence(boot.send or boot.sock.sendto)
            boot.heard = now
        if result is None:
            self.arm(boot, boot.heard + RETRY)
            return
        self.release(boot)
        self.advance(boot, result)

    # -- TFTP reads --

    def start_transfer(self, boot, fetch):
        reader = fetch.reader()
        sock = fetch.net.udp_socket()
        sock.setblocking(False)
        sock.bind(("0.0.0.0", 0))
        boot.reader = reader
        self.watch(boot, sock)
        sock.sendto(*reader.first())
        boot.heard = time.monotonic()
        self.arm(boot, boot.heard + RETRY)

    def transfer_readable(self, boot):
        """One datagram from a TFTP read's socket, into the shared buffer: one, not all that
        are queued, because in lock step there is only one, and a second read would cost a
        system call and an exception to learn it (the epoll is level-triggered: another
        queued datagram makes the socket ready again). Once the server has answered, the
        socket is connected to the port it answered from: the kernel then keeps other
        senders' datagrams out (which tftp.read would answer with ERROR 5; nothing else
        sends to a Pi in the storm) and no block's address is converted between text and
        binary on the way in or out."""
        sock, reader = boot.sock, boot.reader
        now = time.monotonic()
        result = reader.expired(now)
        if result is None:
            try:
                if boot.send is None:
                    length, source = sock.recvfrom_into(self.buffer)
                else:
                    length, source = sock.recv_into(self.buffer), reader.peer
            except (BlockingIOError, ConnectionRefusedError):
                return
            boot.heard = now
            if boot.send is None:
                result = reader.packet(self.view[:length], source, sock.sendto)
                if reader.peer is not None and result is None:
                    sock.connect(reader.peer)
                    boot.send = connected_send(sock)
            else:
                result = reader.packet(self.view[:length], source, boot.send)
            if result is None:
                return
        self.release(boot)
        self.advance(boot, result)


def connected_send(sock):
    """A Reader's `sendto` for a socket connected to the peer: the address goes unread, and
    a refusal the kernel reports for an earlier datagram (ICMP port unreachable) is left to
    the Reader's silence handling, as an unconnected socket never sees it."""
    send = sock.send

    def sendto(packet, address):
        try:
            send(packet)
        except ConnectionRefusedError:
            pass
    return sendto
