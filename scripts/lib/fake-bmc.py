#!/usr/bin/env python3
"""A simulated BitScope Edge Rack BMC on a pseudo-terminal, for bramble's BMC tests.

    fake-bmc.py --link PATH [--nodes 0-8] [--on LIST] [--on-power-on CMD] [--log FILE]
                [--silent | --garbage | --garbage-only]

Opens a pty, puts it in raw mode, makes PATH a symlink to its slave side (the "serial
line" bramble opens, like /dev/serial0 on the rack's master Pi), prints PATH on stdout and
answers like the BMC in geekdojo's "Assembling BitScope's 24-Node Raspberry Pi Cluster":

  UnLockMe   unlocks; before it every other byte is ignored
  [NN]|      selects node NN (hexadecimal); a node the rack lacks answers nothing
  =          "   NN RR P CC FF": ID, 00 master / ff slave, power 1/0, current, fan (hex)
  \\  /       power off / on (a powered-on node runs --on-power-on, {id} = decimal ID,
             {hex} = two hex digits, in the background)
  #          the UID line, "   NN uid XXXXXXXXXXXXXXXX" (the article does not show its form)
  Ctrl-G     back to the master (node 00)

Node 00 is the master and is on; the others start off unless --on names them. A powered
node's current is 0x18 + (id mod 8) and its fan 0x60 + id, an unpowered node's both 0, so a
test can tell every bay's readings apart. --silent never answers; --garbage sends a line of
binary noise and an overlong line before every status; --garbage-only sends only those.
--log FILE appends one line per command understood (unlock, select 09, status 09, on 09,
off 09, uid 09, master), so a test can check what was sent and in what order.
Runs until SIGTERM or SIGINT.
"""
import argparse
import os
import pty
import select
import signal
import subprocess
import sys
import tty

UNLOCK = b"UnLockMe"


def id_list(text):
    ids = set()
    for part in text.split(","):
        if "-" in part:
            first, last = part.split("-", 1)
            ids.update(range(int(first), int(last) + 1))
        elif part:
            ids.add(int(part))
    return ids


class BMC:
    def __init__(self, args, write):
        self.args = args
        self.write = write
        self.nodes = id_list(args.nodes)
        self.nodes.add(0)
        self.power = {node: node == 0 or node in id_list(args.on) for node in self.nodes}
        self.unlocked = False
        self.recent = b""
        self.selected = 0
        self.collecting = None
        self.pending = None

    def log(self, text):
        if self.args.log:
            with open(self.args.log, "a") as handle:
                handle.write(text + "\n")

    def answer(self, line):
        if self.args.silent:
            return
        if self.args.garbage or self.args.garbage_only:
            self.write(b"\x00\xff\xfe\x1b[2J noise \x07\r\n" + b"z" * 300 + b"\r\n")
        if not self.args.garbage_only:
            self.write(line.encode() + b"\r\n")

    def feed(self, data):
        for value in data:
            byte = bytes([value])
            self.recent = (self.recent + byte)[-len(UNLOCK):]
            if not self.unlocked:
                if self.recent == UNLOCK:
                    self.unlocked = True
                    self.log("unlock")
                continue
            if self.recent == UNLOCK:
                self.log("unlock")
                continue
            if self.collecting is not None:
                if byte == b"]":
                    self.pending, self.collecting = self.collecting, None
                elif len(self.collecting) < 4:
                    self.collecting += byte
                continue
            if byte == b"[":
                self.collecting = b""
                continue
            if byte == b"|" and self.pending is not None:
                try:
                    node = int(self.pending.decode("ascii"), 16)
                except ValueError:
                    node = None
                self.pending = None
                self.selected = node if node in self.nodes else None
                self.log("select %s" % ("%02x" % node if node is not None else "?"))
                continue
            self.pending = None
            node = self.selected
            if byte == b"=":
                self.log("status %s" % ("%02x" % node if node is not None else "none"))
                if node is not None:
                    on = self.power[node]
                    current = 0x18 + node % 8 if on else 0
                    fan = 0x60 + node if on else 0
                    self.answer("   %02x %s %d %02x %02x" % (node, "00" if node == 0 else "ff", 1 if on else 0, current, fan))
            elif byte == b"\\" and node is not None:
                self.log("off %02x" % node)
                self.power[node] = False
            elif byte == b"/" and node is not None:
                self.log("on %02x" % node)
                if not self.power[node]:
                    self.power[node] = True
                    if self.args.on_power_on:
                        command = self.args.on_power_on.replace("{id}", str(node)).replace("{hex}", "%02x" % node)
                        subprocess.Popen(command, shell=True, start_new_session=True,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elif byte == b"#" and node is not None:
                self.log("uid %02x" % node)
                self.answer("   %02x uid %016x" % (node, 0x10000000000 + node))
            elif byte == b"\x07":
                self.log("master")
                self.selected = 0


def main():
    parser = argparse.ArgumentParser(description="A simulated BitScope Edge Rack BMC on a pty.")
    parser.add_argument("--link", required=True, help="the symlink to create to the pty (the 'serial line')")
    parser.add_argument("--nodes", default="0-8", help="the node IDs the rack has, decimal: 0-8,12")
    parser.add_argument("--on", default="", help="nodes powered at start (00 always is)")
    parser.add_argument("--on-power-on", default="", help="a shell command run when a node is powered on; {id} {hex}")
    parser.add_argument("--log", default="", help="append the commands understood to this file")
    parser.add_argument("--silent", action="store_true", help="never answer")
    parser.add_argument("--garbage", action="store_true", help="noise before every status line")
    parser.add_argument("--garbage-only", action="store_true", help="noise instead of status lines")
    args = parser.parse_args()

    master, slave = pty.openpty()
    # The slave stays open here too, so the master never reads EIO when a client closes it.
    tty.setraw(slave)
    if os.path.lexists(args.link):
        os.unlink(args.link)
    os.symlink(os.ttyname(slave), args.link)

    def stop(*_):
        if os.path.islink(args.link):
            os.unlink(args.link)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # A parent may start us with these blocked (Foundation's Process does): take them back.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

    def write(data):
        os.write(master, data)

    bmc = BMC(args, write)
    print(args.link, flush=True)
    while True:
        readable, _, _ = select.select([master], [], [], 1.0)
        if readable:
            try:
                data = os.read(master, 1024)
            except OSError:
                continue
            bmc.feed(data)


if __name__ == "__main__":
    main()
