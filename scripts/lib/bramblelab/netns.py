"""A simulated Pi's interface in a network namespace, driven from a process outside it.

A socket belongs to the namespace it was opened in, whichever namespace its process later
enters (setns(2): "the network namespace of a socket is fixed when it is created"), so one
process can hold the sockets of many namespaces: it enters each (`/run/netns/NAME`, as
`ip netns add` makes it), opens the socket and comes back. The address is set through
rtnetlink (rtnetlink(7), RTM_NEWADDR/RTM_DELADDR) on a netlink socket opened the same way:
no `ip` process per change, which would stall every other Pi the process plays.
"""
import contextlib
import ctypes
import os
import socket
import struct

from . import frames

CLONE_NEWNET = 0x40000000
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP, NLM_F_EXCL, NLM_F_CREATE = 0x1, 0x4, 0x300, 0x200, 0x400
IFA_ADDRESS, IFA_LOCAL = 1, 2

_libc = ctypes.CDLL(None, use_errno=True)
_home = None


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, "setns: %s" % os.strerror(error))


@contextlib.contextmanager
def entered(fd):
    """Runs the block in the network namespace open as `fd`, then returns to the process's own."""
    global _home
    if _home is None:
        _home = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    _setns(fd)
    try:
        yield
    finally:
        _setns(_home)


class HeldSocket(socket.socket):
    """A socket whose close() waits for `release()`: the Pi's AF_PACKET socket, because
    closing one waits for an RCU grace period (synchronize_net in the kernel's
    packet_release), milliseconds in which one process playing many Pis would serve none."""

    def close(self):
        pass

    def release(self):
        super().close()


class NamespaceNet:
    """The interface `interface` of namespace `name`, as bramblelab.pi.FakePi uses its net:
    the MAC, raw and UDP sockets opened inside, the IPv4 address set with rtnetlink. The
    raw socket is opened once, here, and held until `close()`."""

    def __init__(self, name, interface="eth0"):
        self.name, self.interface = name, interface
        self.fd = os.open(os.path.join("/run/netns", name), os.O_RDONLY | os.O_CLOEXEC)
        with entered(self.fd):
            self.index = socket.if_nametoindex(interface)
            self.netlink = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
            self.raw = HeldSocket(fileno=frames.raw_socket(interface, dhcp_replies_only=True).detach())
        self.mac_text = frames.mac_text(self.raw.getsockname()[4])
        self.sequence = 0
        self.address = None
        for address in self.addresses():
            self._request(RTM_DELADDR, 0, *address)

    def raw_socket(self):
        return self.raw

    def close(self):
        self.raw.release()
        self.netlink.close()
        os.close(self.fd)

    def udp_socket(self):
        with entered(self.fd):
            return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def set_address(self, address, prefix):
        """The interface's IPv4 address becomes `address`/`prefix` (None: none), as the
        fakepi.py's `ip addr flush` and `ip addr add` leave it."""
        if self.address:
            self._request(RTM_DELADDR, 0, *self.address)
            self.address = None
        if address:
            self._request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, address, prefix)
            self.address = (address, prefix)

    def addresses(self):
        """The interface's IPv4 addresses now, as (address, prefix): what a run before this
        one left (fakepi.py's first `ip addr flush` clears them too)."""
        self.sequence += 1
        self.netlink.send(struct.pack("=IHHII", 24, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, self.sequence, 0)
                          + struct.pack("=BBBBI", socket.AF_INET, 0, 0, 0, 0))
        found = []
        while True:
            answer, offset = self.netlink.recv(65536), 0
            while offset + 16 <= len(answer):
                length, kind, _, sequence, _ = struct.unpack_from("=IHHII", answer, offset)
                if length < 16:
                    return found
                if sequence == self.sequence and kind == NLMSG_DONE:
                    return found
                if sequence == self.sequence and kind == NLMSG_ERROR:
                    error = -struct.unpack_from("=i", answer, offset + 16)[0]
                    raise OSError(error, "listing the addresses of %s in %s: %s" % (self.interface, self.name, os.strerror(error)))
                if sequence == self.sequence and kind == RTM_NEWADDR:
                    family, prefix, _, _, index = struct.unpack_from("=BBBBI", answer, offset + 16)
                    attribute = offset + 24
                    while family == socket.AF_INET and index == self.index and attribute + 4 <= offset + length:
                        size, code = struct.unpack_from("=HH", answer, attribute)
                        if size < 4:
                            break
                        if code == IFA_LOCAL and size == 8:
                            found.append((socket.inet_ntoa(answer[attribute + 4:attribute + 8]), prefix))
                        attribute += (size + 3) & ~3
                offset += (length + 3) & ~3

    def _request(self, kind, flags, address, prefix):
        self.sequence += 1
        packed = socket.inet_aton(address)
        body = struct.pack("=BBBBI", socket.AF_INET, prefix, 0, 0, self.index)
        body += struct.pack("=HH4s", 8, IFA_LOCAL, packed) + struct.pack("=HH4s", 8, IFA_ADDRESS, packed)
        self.netlink.send(struct.pack("=IHHII", 16 + len(body), kind, NLM_F_REQUEST | NLM_F_ACK | flags, self.sequence, 0) + body)
        while True:
            answer = self.netlink.recv(65536)
            length, answer_kind, _, sequence, _ = struct.unpack_from("=IHHII", answer)
            if answer_kind != NLMSG_ERROR or sequence != self.sequence:
                continue
            error = -struct.unpack_from("=i", answer, 16)[0]
            if error:
                raise OSError(error, "%s %s/%d on %s in %s: %s" % ("adding" if kind == RTM_NEWADDR else "removing", address,
                                                                   prefix, self.interface, self.name, os.strerror(error)))
            return
