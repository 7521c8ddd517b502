"""One simulated Raspberry Pi's network boot (what fakepi.py's docstring describes), written
as a generator so that one process can play one Pi (fakepi.py, blocking) or many at once
(swarm.py, one selector loop: the shaped-link storm of scripts/bench-storm).

The boot never blocks itself: where it waits it yields an operation and is resumed with
the outcome. `Receive(sock, deadline)` is answered with (data, address), or None when the
deadline passes first; `Fetch(...)` (one TFTP read) with a tftp.Result. What a Pi touches
on its own interface goes through its `net` (see LocalNet): its MAC, its raw and UDP
sockets, its address. `run_blocking` drives one boot with plain blocking calls.
"""
import json
import os
import random
import select
import socket
import struct
import subprocess
import time

from . import dhcp, dns, frames, tftp

ROM_DTBS = {"3b": "bcm2710-rpi-3-b.dtb", "3b+": "bcm2710-rpi-3-b-plus.dtb"}
# `4b` is the Pi 4B's other name (the demo's); `4` stays for the callers that know it so.
MODEL_ALIASES = {"4b": "4"}
MODELS = ["3b", "3b+", "4", "4b", "cm4", "5b", "cm5"]


class BootFailure(Exception):
    """A step that did not succeed; the message says why, for the result line."""

    def __init__(self, step, stage, reason):
        super().__init__(reason)
        self.step, self.stage, self.reason = step, stage, reason


class Clock:
    """Milliseconds since start, and the remaining share of the total time limit."""

    def __init__(self, limit):
        self.start = time.monotonic()
        self.deadline = self.start + limit

    def ms(self):
        return round((time.monotonic() - self.start) * 1000)

    def remaining(self):
        return self.deadline - time.monotonic()

    def bounded(self, seconds, step, stage):
        remaining = self.remaining()
        if remaining <= 0:
            raise BootFailure(step, stage, "total time limit reached")
        return min(seconds, remaining)


class Reporter:
    """The JSON lines out, to `stream` (standard output for fakepi.py, a file per Pi for the swarm)."""

    def __init__(self, clock, stream=None):
        self.clock, self.stream = clock, stream
        self.stage = "waiting"

    def emit(self, step, stage=None, **fields):
        if stage:
            self.stage = stage
        line = {"step": step, "stage": self.stage, "t": self.clock.ms()}
        line.update(fields)
        print(json.dumps(line), file=self.stream, flush=True)


# ---- what a boot waits for ------------------------------------------------------------------

class Receive:
    """Wait for one datagram on `sock` until `deadline` (time.monotonic()); the answer is
    (data, address) as recvfrom gives them, or None."""
    __slots__ = ("sock", "deadline")

    def __init__(self, sock, deadline):
        self.sock, self.deadline = sock, deadline

    def blocking(self):
        ready, _, _ = select.select([self.sock], [], [], max(0.0, self.deadline - time.monotonic()))
        return self.sock.recvfrom(65536) if ready else None


class Fetch:
    """One TFTP read (tftp.Reader's arguments) from a socket `net` opens; the answer is its
    tftp.Result."""
    __slots__ = ("net", "server", "name", "options", "probe", "deadline", "deadline_text")

    def __init__(self, net, server, name, options, probe, deadline, deadline_text):
        self.net, self.server, self.name, self.options, self.probe = net, server, name, options, probe
        self.deadline, self.deadline_text = deadline, deadline_text

    def reader(self):
        return tftp.Reader(self.server, self.name, self.options, probe=self.probe, deadline=self.deadline,
                           deadline_text=self.deadline_text)

    def blocking(self):
        """tftp.read, which opens its socket in the process's own namespace (LocalNet's)."""
        return tftp.read(self.server, self.name, self.options, probe=self.probe, deadline=self.deadline,
                         deadline_text=self.deadline_text)


def run_blocking(boot):
    """Drives a boot generator to its end with blocking calls; returns what it returns."""
    answer = None
    while True:
        try:
            operation = boot.send(answer)
        except StopIteration as end:
            return end.value
        answer = operation.blocking()


class LocalNet:
    """The Pi's interface in the namespace the process runs in (fakepi.py under `ip netns
    exec`): sockets opened here, the address set with `ip`."""

    def __init__(self, interface):
        self.interface = interface
        with open("/sys/class/net/%s/address" % interface) as f:
            self.mac_text = f.read().strip()

    def raw_socket(self):
        return frames.raw_socket(self.interface, dhcp_replies_only=True)

    def udp_socket(self):
        return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def set_address(self, address, prefix):
        subprocess.run(["ip", "addr", "flush", "dev", self.interface], check=True)
        if address:
            subprocess.run(["ip", "addr", "add", "%s/%d" % (address, prefix), "dev", self.interface], check=True)


# ---- DHCP ----------------------------------------------------------------------------------

def parse_reply(frame, mac, xid):
    """The DHCP reply in `frame` for this client and transaction, as a dict, or None."""
    found = dhcp.reply_in(frame)
    if not found:
        return None
    udp, reply = found
    if udp.destination_mac not in (mac, frames.BROADCAST_MAC) or reply.xid != xid or reply.chaddr != mac or reply.type is None:
        return None
    return {"type": reply.type, "yiaddr": reply.yiaddr, "siaddr": reply.siaddr, "source": udp.source, "options": reply.options}


class DHCPClient:
    """Sends raw frames and waits for the matching reply on an AF_PACKET socket."""

    def __init__(self, net, mac, clock):
        self.mac, self.clock = mac, clock
        self.sock = net.raw_socket()

    def incoming(self, deadline):
        """(Yields while it waits.) The next frame received before `deadline` (or already
        queued then), the socket's own outgoing frames left out; None when there is none."""
        while True:
            received = yield Receive(self.sock, deadline)
            if received is None:
                return None
            if not frames.outgoing(received[1]):
                return received[0]

    def exchange(self, frame, xid, wanted, wait, step, stage):
        """Sends `frame`; returns the first reply of a type in `wanted` within `wait` s, or None."""
        self.sock.send(frame)
        deadline = time.monotonic() + self.clock.bounded(wait, step, stage)
        while True:
            data = yield from self.incoming(deadline)
            if data is None:
                return None
            reply = parse_reply(data, self.mac, xid)
            if reply and reply["type"] in wanted:
                return reply

    def close(self):
        self.sock.close()

    def gather_offer(self, frame, xid, wait, step, stage, ignored=None):
        """Sends a DISCOVER and gathers OFFERs for up to `wait` s, as PXE firmware does
        beside a proxyDHCP server: the address from an offer with a yiaddr, the boot options
        (the "Raspberry Pi Boot" menu in option 43, and its sender as TFTP server) from an
        offer carrying them. One offer with both (a full server) ends the wait at once.
        Returns the merged offer (see with_boot_options), or None; an address offer left
        without boot options is counted in `ignored` (a list)."""
        self.sock.send(frame)
        address, boot = None, None
        deadline = time.monotonic() + self.clock.bounded(wait, step, stage)
        while True:
            data = yield from self.incoming(deadline)
            if data is None:
                break
            reply = parse_reply(data, self.mac, xid)
            if not reply or reply["type"] != 2:
                continue
            if reply["yiaddr"] != "0.0.0.0" and address is None:
                address = reply
            if dhcp.PXE_OPTION43 in reply["options"].get(43, b"") and boot is None:
                boot = reply
            if address and boot:
                return with_boot_options(address, boot)
        if address and ignored is not None:
            ignored.append(address)
        return None


def with_boot_options(reply, boot):
    """`reply` (the address offer or the ACK) with the boot offer's boot options and TFTP
    server: its options 43, 60, 66, 97 and its sender, which the Pi 3 takes as TFTP server.
    Option 54 stays the address server's, which the REQUEST names."""
    merged = dict(reply, options=dict(reply["options"]), source=boot["source"], siaddr=boot["siaddr"])
    for code in (43, 60, 66, 97):
        if code in boot["options"]:
            merged["options"][code] = boot["options"][code]
    return merged


# ---- TFTP -----------------------------------------------------------------------------------

def tftp_read(net, server, name, options, probe, clock, step, stage, file_timeout=None):
    """Reads `name` (options: a list of (name, value)); `probe` stops with ERROR 0 "Early
    terminate": after the OACK (True or "oack"), as the Pi 3 and 4 firmware does to learn a
    file's size, or after DATA block 1 ("block"), the Pi 5 bootloader's existence probe
    (tinkerbell/tinkerbell docs/technical/RASPBERRY_PI5.md: "it reads the first block and
    cancels"). `file_timeout` bounds the whole file (the Pi 4's TFTP_FILE_TIMEOUT); without
    it only the run's time limit does. A second without a packet resends the last one, six
    in a row end the read. The Fetch to yield; its answer is the tftp.Result."""
    limit = clock.bounded(file_timeout or clock.remaining(), step, stage)
    what = "the %.0f s file timeout" % file_timeout if file_timeout else "the time limit"
    return Fetch(net, server, name, options, probe, time.monotonic() + limit, what)


# ---- the simulated Pi -------------------------------------------------------------------------

# The tree's files as read once, by path: the swarm's Pis compare the same files many times.
TREE_FILES = {}


class FakePi:
    """One Pi: `arguments` as fakepi.py parses them (model, serial, tree, time_limit,
    rom_tries, dhcp_timeout, netconsole, netconsole_broadcast), `net` its interface (None
    only to build frames, with `mac_text`), `stream` where its JSON lines go."""

    def __init__(self, arguments, net=None, mac_text=None, stream=None):
        mac_text = mac_text or net.mac_text
        self.model = MODEL_ALIASES.get(arguments.model, arguments.model)
        self.board = dhcp.EEPROM_BOARDS.get(self.model)
        self.serial = arguments.serial.lower()
        self.net = net
        self.tree = arguments.tree
        self.rom_tries = arguments.rom_tries
        self.dhcp_timeout = arguments.dhcp_timeout
        self.clock = Clock(arguments.time_limit)
        self.report = Reporter(self.clock, stream)
        self.mac_text = mac_text
        self.mac = bytes.fromhex(mac_text.replace(":", ""))
        self.bytes_read = 0
        self.prefix = ""
        # How this firmware probes a file: the Pi 5 reads block 1, the others stop at the OACK.
        self.probe_mode = "block" if self.board and self.board["generation"] >= 5 else "oack"
        # The EEPROM bootloader's TFTP_FILE_TIMEOUT (30 s a file, eeprom-bootloader.adoc); no
        # such limit is documented for the Pi 3 ROM and bootcode.bin, which retry per packet.
        self.file_timeout = 30.0 if self.board else None
        self.netconsole_port = getattr(arguments, "netconsole", None)
        self.netconsole_broadcast = getattr(arguments, "netconsole_broadcast", False)

    # -- helpers --

    def set_address(self, address, mask):
        prefix = bin(struct.unpack("!I", socket.inet_aton(mask))[0]).count("1") if mask else 24
        self.net.set_address(address, prefix)

    def rom_discover(self, bootcode):
        """The Pi 3 ROM's DHCPDISCOVER, or bootcode.bin's. Option 97: the 3B ROM's constant,
        else the serial four times (the 3B+ ROM, and bootcode.bin on both)."""
        guid = dhcp.rom_guid() if self.model == "3b" and not bootcode else dhcp.serial_guid(self.serial)
        return dhcp.rom_discover(self.mac, guid, bootcode)

    def pi4_discover(self, xid):
        return dhcp.eeprom_discover(self.mac, xid, self.board, self.serial)

    def kernel_message(self, xid, secs, extra=()):
        return dhcp.kernel_message(self.mac, xid, secs, extra)

    def check_tree(self, name, data, step, stage):
        if not self.tree:
            return
        candidates = [os.path.join(self.tree, name)]
        if self.prefix and name.startswith(self.prefix):
            candidates.append(os.path.join(self.tree, name[len(self.prefix):].lstrip("/")))
        for path in candidates:
            if os.path.isfile(path + ".tmpl"):
                return  # rendered for this node (docs/serving.md, Templates): no copy to compare
            if os.path.isfile(path):
                if path not in TREE_FILES:
                    with open(path, "rb") as f:
                        TREE_FILES[path] = f.read()
                if TREE_FILES[path] != data:
                        raise BootFailure(step, stage, "%s: received %d bytes that differ from %s" % (name, len(data), path))
                return
        raise BootFailure(step, stage, "%s: served, but not in the tree %s" % (name, self.tree))

    def fetch(self, name, step, stage, options=(), probe_first=False, optional=False, reached=None, path=None):
        """Reads one boot file as the firmware does; returns its bytes (None for a routine miss).
        `path` is the name as sent when it is not the prefix and `name` (the doubled slash)."""
        path = path or self.prefix + name
        started = self.clock.ms()
        if probe_first:
            result = yield tftp_read(self.net, self.server, path, options, self.probe_mode, self.clock, step, stage, self.file_timeout)
            if result.outcome == "not-found" and optional:
                self.report.emit("tftp", file=path, result="not-found", ms=self.clock.ms() - started)
                return None
            if result.outcome != "probe":
                raise BootFailure(step, stage, failure_reason(path, result))
        result = yield tftp_read(self.net, self.server, path, options, False, self.clock, step, stage, self.file_timeout)
        if result.outcome == "not-found" and optional:
            self.report.emit("tftp", file=path, result="not-found", ms=self.clock.ms() - started)
            return None
        if result.outcome != "ok":
            raise BootFailure(step, stage, failure_reason(path, result))
        if result.tsize is not None and result.tsize != len(result.data):
            raise BootFailure(step, stage, "%s: OACK said tsize %d, received %d bytes" % (path, result.tsize, len(result.data)))
        self.check_tree(path, result.data, step, stage)
        self.bytes_read += len(result.data)
        # The kernel command line as served (a template is rendered per node): what it mounts.
        extra = {"cmdline": result.data.decode(errors="replace").strip()} if name == "cmdline.txt" else {}
        self.report.emit("tftp", reached, file=path, result="ok", bytes=len(result.data), blksize=result.blksize,
                         probed=probe_first, retransmits=result.retransmits, ms=self.clock.ms() - started, **extra)
        return result.data

    def expect_missing(self, name, step, stage, options):
        """The serial-prefix probe: "file not found" clears the prefix; a file there sets it."""
        return (yield from self.probe(name, step, stage, options, expected="not-found"))

    def probe(self, name, step, stage, options, expected="found"):
        """An existence probe of `name` as sent: True when the file is there. Only "found" and
        "file not found" are answers; anything else fails the step."""
        result = yield tftp_read(self.net, self.server, name, options, self.probe_mode, self.clock, step, stage, self.file_timeout)
        if result.outcome == "not-found":
            self.report.emit("tftp", file=name, result="not-found", expected=expected == "not-found")
            return False
        if result.outcome == "probe":
            self.report.emit("tftp", file=name, result="found", expected=expected == "found")
            return True
        raise BootFailure(step, stage, "%s: %s" % (name, result.error or result.outcome))

    # -- the boot --

    def rom_dhcp(self, client, bootcode):
        """The Pi 3 ROM, or bootcode.bin after it: DISCOVER, take the OFFER, never REQUEST.
        bootcode.bin asks for 1 and 3 too and always sends the serial in option 97."""
        step = "bootcode-dhcp" if bootcode else "rom-dhcp"
        frame = self.rom_discover(bootcode)
        started = self.clock.ms()
        for attempt in range(1, self.rom_tries + 1):
            offer = yield from client.gather_offer(frame, dhcp.PI3_XID, 5.0, step, self.report.stage)
            if offer:
                return offer, attempt, self.clock.ms() - started
        raise BootFailure(step, self.report.stage, "no DHCPOFFER after %d DISCOVERs 5 s apart" % self.rom_tries)

    def pi4_dhcp(self, client):
        """The Pi 4 and Pi 5 bootloader: a full DORA, 4 s retries, 45 s in all (DHCP_REQ_TIMEOUT,
        DHCP_TIMEOUT; --dhcp-timeout), REQUEST without option 60; an OFFER without "Raspberry Pi Boot"
        in option 43 is ignored (eeprom-bootloader.adoc `PXE_OPTION43`; tinkerbell's Pi 5
        notes: "The bootloader ignores DHCP offers that lack `Raspberry Pi Boot` in option 43")."""
        step, stage = "rom-dhcp", self.report.stage
        xid = random.getrandbits(32)
        started = time.monotonic()
        discover = self.pi4_discover(xid)
        attempt, ignored = 0, []
        while time.monotonic() - started < self.dhcp_timeout:
            attempt += 1
            offer = yield from client.gather_offer(discover, xid, 4.0, step, stage, ignored=ignored)
            if not offer:
                continue
            server_id = offer["options"].get(54, b"")
            request = dhcp.eeprom_request(self.mac, xid, self.board, self.serial, offer["yiaddr"], server_id)
            ack = yield from client.exchange(request, xid, (5, 6), 4.0, step, stage)
            if ack and ack["type"] == 5:
                return with_boot_options(ack, offer), attempt, round((time.monotonic() - started) * 1000)
            if ack:
                raise BootFailure(step, stage, "DHCPNAK for %s" % offer["yiaddr"])
        if ignored:
            raise BootFailure(step, stage, "no DHCPOFFER with %r in option 43 within %g s (%d DISCOVERs, %d offers without it ignored)"
                              % (dhcp.PXE_OPTION43.decode(), self.dhcp_timeout, attempt, len(ignored)))
        raise BootFailure(step, stage, "no DHCPACK within %g s (%d DISCOVERs)" % (self.dhcp_timeout, attempt))

    def firmware_server(self, reply):
        if self.board:
            named = reply["options"].get(66)
            return named.decode().strip("\0") if named else dhcp.ipv4_option(reply["options"], 54)
        return reply["source"]

    def kernel_name(self, config):
        settings = self.config_settings(config)
        if "kernel" in settings:
            return settings["kernel"]
        if settings.get("arm_64bit") == "1":
            return "kernel8.img"
        return "kernel7l.img" if self.board else "kernel7.img"

    @staticmethod
    def config_settings(config):
        """config.txt's `key=value` lines and its `initramfs FILE` line, comments dropped."""
        settings = {}
        for line in (config.decode(errors="replace") if config else "").splitlines():
            line = line.split("#")[0].strip()
            if "=" in line:
                key, value = line.split("=", 1)
                settings[key.strip()] = value.strip()
            elif line.startswith("initramfs") and len(line.split()) > 1:
                settings["initramfs"] = line.split()[1]
        return settings

    def dtb_name(self):
        return self.board["dtb"] if self.board else ROM_DTBS[self.model]

    def pi3_firmware(self, client):
        yield from self.fetch("bootcode.bin", "bootcode", "addressed", reached="firmware")
        yield from self.fetch("bootsig.bin", "bootcode", "firmware", optional=True)
        offer, attempts, ms = yield from self.rom_dhcp(client, bootcode=True)
        self.report.emit("bootcode-dhcp", ip=offer["yiaddr"], tries=attempts, ms=ms)
        tsize = [("tsize", "0")]
        if (yield from self.expect_missing("%s/start.elf" % self.serial, "loader", "firmware", tsize)):
            self.prefix = self.serial + "/"
        yield from self.fetch("start.elf", "loader", "firmware", tsize, reached="loader")
        yield from self.fetch("fixup.dat", "loader", "loader", tsize)
        config = yield from self.fetch("config.txt", "loader", "loader", tsize, probe_first=True)
        yield from self.fetch("cmdline.txt", "loader", "loader", tsize)
        kernel = self.kernel_name(config)
        yield from self.fetch(kernel, "kernel", "loader", tsize, probe_first=True, reached="kernel")
        yield from self.fetch(self.dtb_name(), "dtb", "kernel", tsize)

    def pi4_firmware(self):
        options = [("tsize", "0"), ("blksize", "1024")]
        found = yield from self.expect_missing("%s/start4.elf" % self.serial, "firmware", "addressed", options)
        if not found and not (yield from self.expect_missing("%s/start.elf" % self.serial, "firmware", "addressed", options)):
            self.prefix = ""
        else:
            self.prefix = self.serial + "/"
        yield from self.fetch("config.txt", "firmware", "addressed", options, reached="firmware")
        for routine in ("pieeprom.sig", "recover4.elf", "recovery.elf"):
            yield from self.fetch(routine, "firmware", "firmware", options, optional=True)
        yield from self.fetch("start4.elf", "loader", "firmware", options, reached="loader")
        yield from self.fetch("fixup4.dat", "loader", "loader", options)
        config = yield from self.fetch("config.txt", "loader", "loader", options, probe_first=True)
        yield from self.fetch("dt-blob.bin", "loader", "loader", options, optional=True)
        kernel = self.kernel_name(config)
        yield from self.fetch(self.dtb_name(), "dtb", "loader", options, probe_first=True)
        yield from self.fetch("cmdline.txt", "loader", "loader", options)
        yield from self.fetch(kernel, "kernel", "loader", options, probe_first=True, reached="kernel")

    def pi5_firmware(self):
        """The Pi 5 bootloader's reads (see the module's doc): no start*.elf; the prefix kept
        only for a serial directory with config.txt and the device tree; config.txt twice,
        the second time with the doubled slash; the kernel by name, `kernel_2712.img` first."""
        options = [("tsize", "0"), ("blksize", "1468")]
        dtb = self.dtb_name()
        keep = yield from self.probe("%s/config.txt" % self.serial, "firmware", "addressed", options, expected="not-found")
        if keep:
            keep = yield from self.probe("%s/%s" % (self.serial, dtb), "firmware", "addressed", options)
        self.prefix = self.serial + "/" if keep else ""
        yield from self.fetch("config.txt", "firmware", "addressed", options, reached="firmware")
        # The answer acted on (tinkerbell/tinkerbell smee/internal/ipxe/binary/route_rpi.go).
        config = yield from self.fetch("config.txt", "firmware", "firmware", options,
                            path="%s//config.txt" % self.serial if keep else None)
        for routine in ("pieeprom.sig", "overlay_map.dtb"):
            yield from self.fetch(routine, "firmware", "firmware", options, probe_first=True, optional=True)
        yield from self.fetch(dtb, "dtb", "firmware", options, probe_first=True)
        yield from self.fetch("cmdline.txt", "firmware", "firmware", options)
        yield from self.fetch("armstub8-2712.bin", "firmware", "firmware", options, probe_first=True, optional=True)
        settings = self.config_settings(config)
        if "kernel" in settings:
            yield from self.fetch(settings["kernel"], "kernel", "firmware", options, probe_first=True, reached="kernel")
        elif (yield from self.fetch("kernel_2712.img", "kernel", "firmware", options, probe_first=True, optional=True, reached="kernel")) is None:
            yield from self.fetch("kernel8.img", "kernel", "firmware", options, probe_first=True, reached="kernel")
        if "initramfs" in settings:
            yield from self.fetch(settings["initramfs"], "initramfs", "kernel", options)

    def kernel_dhcp(self, client):
        """Linux ip=dhcp: no PXE class, 548-byte payload, DISCOVER/REQUEST with a new xid."""
        step, stage = "kernel-dhcp", self.report.stage
        self.set_address(None, None)
        xid = random.getrandbits(32)
        started = time.monotonic()
        wait = 2.0
        while True:
            secs = int(time.monotonic() - started)
            discover = self.kernel_message(xid, secs)
            offer = yield from client.exchange(discover, xid, (2,), wait, step, stage)
            if offer:
                request = self.kernel_message(xid, secs, [(53, b"\x03"), (54, offer["options"].get(54, b"")),
                                                          (50, socket.inet_aton(offer["yiaddr"]))])
                ack = yield from client.exchange(request, xid, (5, 6), wait, step, stage)
                if ack and ack["type"] == 5:
                    return ack, round((time.monotonic() - started) * 1000)
            wait = min(wait * 1.5, 30.0)

    def os_dhcp(self, client, address):
        """The OS's DHCP client (dhcpcd) after the kernel's: a new transaction, an INIT-REBOOT
        REQUEST for the kernel's address. Played when the kernel's ACK named no host name to
        look up (an ordinary router's): the hub sees the OS up by this request instead."""
        step, stage = "os-dhcp", self.report.stage
        xid = random.getrandbits(32)
        started = self.clock.ms()
        for _ in range(3):
            request = self.kernel_message(xid, 0, [(53, b"\x03"), (50, socket.inet_aton(address))])
            ack = yield from client.exchange(request, xid, (5, 6), 2.0, step, stage)
            if ack and ack["type"] == 5:
                return self.clock.ms() - started
            if ack:
                raise BootFailure(step, stage, "DHCPNAK for %s" % address)
        raise BootFailure(step, stage, "no DHCPACK for %s after 3 REQUESTs" % address)

    def dns_query(self, ack):
        step, stage = "dns", self.report.stage
        options = ack["options"]
        host = options.get(12, b"").decode(errors="replace").strip("\0")
        domain = options.get(15, b"").decode(errors="replace").strip("\0")
        if not host:
            raise BootFailure(step, stage, "the kernel's DHCPACK carried no host name (option 12)")
        name = host + ("." + domain if domain else "")
        resolver = dhcp.ipv4_option(options, 6) or dhcp.ipv4_option(options, 54)
        if not resolver:
            raise BootFailure(step, stage, "the kernel's DHCPACK named no DNS server (option 6)")
        query_id = random.getrandbits(16)
        query = dns.query(name, query_id)
        sock = self.net.udp_socket()
        started = self.clock.ms()
        try:
            for attempt in range(3):
                sock.sendto(query, (resolver, 53))
                received = yield Receive(sock, time.monotonic() + self.clock.bounded(2.0, step, stage))
                if not received:
                    continue
                answer = received[0]
                if len(answer) < 12 or dns.parse_header(answer).id != query_id:
                    continue
                header = dns.parse_header(answer)
                addresses = dns.a_records(answer)
                if dns.rcode(header.flags) != 0 or header.answers == 0:
                    raise BootFailure(step, stage, "%s: DNS answer rcode %d with %d records" % (name, dns.rcode(header.flags), header.answers))
                if ack["yiaddr"] not in addresses:
                    raise BootFailure(step, stage, "%s resolved to %s, not this node's %s" % (name, addresses, ack["yiaddr"]))
                return name, resolver, addresses, self.clock.ms() - started
            raise BootFailure(step, stage, "no DNS answer from %s for %s after 3 tries" % (resolver, name))
        finally:
            sock.close()

    def netconsole(self, address, mask):
        """The bootloader's log lines after its DHCP, in the format of a real one's UART log."""
        if not self.netconsole_port or not self.board:
            return
        lines = [
            "  0.07 RPi: BOOTLOADER release VERSION:fakepi DATE: 2026/12/01 TIME: 00:00:00",
            "  0.11 BOOTMODE: 0x06 partition 0 serial %s" % self.serial,
            "  2.52 Boot mode: NETWORK (02) order f21",
            "  5.38 NET %s %s gw 0.0.0.0 tftp %s" % (address, mask or "255.255.255.0", self.server),
        ]
        destination = "255.255.255.255" if self.netconsole_broadcast else self.server
        sock = self.net.udp_socket()
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            sock.bind((address, 6665))
            # Two datagrams, as the bootloader sends what it has logged so far.
            sock.sendto(("\r\n".join(lines[:2]) + "\r\n").encode(), (destination, self.netconsole_port))
            sock.sendto(("\r\n".join(lines[2:]) + "\r\n").encode(), (destination, self.netconsole_port))
        finally:
            sock.close()
        self.report.emit("netconsole", lines=len(lines), to=destination, port=self.netconsole_port)

    def boot(self):
        """The whole boot (a generator, see the module's doc): returns the exit status, 0
        when every step succeeded."""
        board = {"revision": "%06x" % self.board["revision"]} if self.board else {}
        self.report.emit("power-on", "rom-dhcp", model=self.model, mac=self.mac_text, serial=self.serial, **board)
        client = DHCPClient(self.net, self.mac, self.clock)
        try:
            self.set_address(None, None)
            if self.board:
                reply, attempts, ms = yield from self.pi4_dhcp(client)
            else:
                reply, attempts, ms = yield from self.rom_dhcp(client, bootcode=False)
            self.server = self.firmware_server(reply)
            self.set_address(reply["yiaddr"], dhcp.ipv4_option(reply["options"], 1))
            self.report.emit("rom-dhcp", "addressed", ip=reply["yiaddr"], server=self.server, tries=attempts, ms=ms,
                             answer=dhcp.NAMES.get(reply["type"], str(reply["type"])))
            self.netconsole(reply["yiaddr"], dhcp.ipv4_option(reply["options"], 1))
            if self.board and self.board["generation"] >= 5:
                yield from self.pi5_firmware()
            elif self.board:
                yield from self.pi4_firmware()
            else:
                yield from self.pi3_firmware(client)
            ack, ms = yield from self.kernel_dhcp(client)
            self.set_address(ack["yiaddr"], dhcp.ipv4_option(ack["options"], 1))
            hostname = ack["options"].get(12, b"").decode(errors="replace")
            root_path = ack["options"].get(17, b"").decode(errors="replace")
            self.report.emit("kernel-dhcp", "kernel-dhcp", ip=ack["yiaddr"], hostname=hostname, rootPath=root_path, ms=ms)
            if not hostname:
                ms = yield from self.os_dhcp(client, ack["yiaddr"])
                self.report.emit("os-dhcp", "up", ip=ack["yiaddr"], ms=ms)
                self.report.emit("result", ok=True, ip=ack["yiaddr"], name="", bytes=self.bytes_read, bootMs=self.clock.ms())
                return 0
            name, resolver, addresses, ms = yield from self.dns_query(ack)
            self.report.emit("dns", "up", name=name, server=resolver, answer=addresses, ms=ms)
            self.report.emit("result", ok=True, ip=ack["yiaddr"], name=hostname, bytes=self.bytes_read,
                             bootMs=self.clock.ms())
            return 0
        except BootFailure as failure:
            self.report.emit("result", ok=False, failed=failure.step, reason=failure.reason, bytes=self.bytes_read)
            return 1
        finally:
            client.close()


def failure_reason(path, result):
    if result.outcome == "not-found":
        return "%s: not found on the TFTP server (%s)" % (path, result.error)
    return "%s: %s" % (path, result.error or "unexpected %s" % result.outcome)


