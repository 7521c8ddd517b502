#!/usr/bin/env python3
"""A simulated Raspberry Pi network boot, for the integration tests and `bramble demo`.

Plays, inside one network namespace whose interface has the Pi's MAC and no address, the
conversation of docs/raspberry-pi-netboot.md byte for byte where it is known:

  3b, 3b+  the boot ROM's DHCPDISCOVER (raw frame from 0.0.0.0, xid 0x26f30339, 320-byte
           BOOTP payload, options 53 55 93 94 97 60; option 97 constant on the 3B, the serial
           on the 3B+), 5 tries 5 s apart, taking the OFFER (the ROM never sends a REQUEST);
           TFTP `bootcode.bin` without options at 512-byte blocks and `bootsig.bin`;
           bootcode.bin's own DISCOVER (same xid, 14 parameters, still no REQUEST); then
           `<serial>/start.elf`, which must get "file not found" to clear the prefix, and
           start.elf, fixup.dat, config.txt, cmdline.txt, the kernel, the dtb, all with
           `tsize 0`, probing config.txt and the kernel first (OACK, "Early terminate").
  4, 4b    the Pi 4B's EEPROM bootloader: DISCOVER/OFFER/REQUEST/ACK with a random xid and 4 s
           retries, the REQUEST without option 60, option 97 the `RPi4` GUID (FourCC, board
           revision c03115, the MAC's low 4 bytes, the serial), offers without "Raspberry Pi
           Boot" in option 43 ignored; TFTP with `tsize 0 blksize 1024` in the order of a real
           Pi 4's dnsmasq log: `<serial>/start4.elf`, `<serial>/start.elf`, config.txt, the
           routine misses (pieeprom.sig, recover4.elf, recovery.elf), start4.elf, fixup4.dat,
           config.txt again, dt-blob.bin, the kernel probe, the dtb, cmdline.txt, the kernel.
  cm4      the same bootloader on a Compute Module 4 (revision c03140, `bcm2711-rpi-cm4.dtb`);
           its option 97 has the FourCC in the other byte order, `52 50 69 34`, as a CM4's
           dnsmasq log shows (raspberrypi/cmprovision#5).
  5b, cm5  the Pi 5 family's EEPROM bootloader (revision d04170 Pi 5B 8GB, d04180 CM5 8GB):
           the Pi 4's DHCP with the `RPi5` GUID, and no start*.elf (the bootloader embeds the
           firmware): the prefix is kept only when `<serial>/config.txt` and
           `<serial>/<dtb>` exist (eeprom-bootloader.adoc: a boot location needs "config.txt
           and a suitable device-tree"); config.txt, then `<serial>//config.txt` with the
           doubled slash, the answer the bootloader acts on (observed on real Pi 5s,
           tinkerbell/tinkerbell smee/internal/ipxe/binary/route_rpi.go; with the prefix
           cleared it reads plain config.txt again, a case nobody has published); the probes
           pieeprom.sig, overlay_map.dtb and armstub8-2712.bin, the dtb
           (`bcm2712-rpi-5-b.dtb`, CM5 `bcm2712-rpi-cm5-cm5io.dtb`), cmdline.txt, the kernel
           (`kernel=` of config.txt, else `kernel_2712.img`, then `kernel8.img`) and an
           `initramfs` that config.txt names; every read with `tsize 0 blksize 1468`
           (tinkerbell/tinkerbell docs/technical/RASPBERRY_PI5.md). Its existence probes
           read block 1 and end with ERROR 0 "Early terminate" (the same notes).

The TFTP phase runs on the address the firmware was given (configured on the interface,
as the ROM's own stack would hold it). Then the kernel boots: the address is dropped, and
the kernel's ip=dhcp client does a full DHCP exchange without PXE class (548-byte payload,
parameters 1 3 6 12 15 17 26 40 42, a new random xid); the address it gets is configured
and one DNS query for the node's own name (options 12 and 15) goes to the hub.

Output: one JSON line per step, `{"step": ..., "stage": ..., "t": ms since start, ...}`,
where `stage` is the boot stage the node has reached (the names of `bramble status`), and a
final `{"step": "result", "ok": true|false, ...}` line naming the failed step and why.
Exit status 0 only when the whole boot succeeded. Every wait has a timeout and the whole
run a time limit. With --tree, every file read in full must equal the tree's copy.

With --netconsole PORT the EEPROM bootloader (Pi 4 and later) also sends a few lines of its
debug log over UDP, as `NETCONSOLE=@ADDRESS/,PORT@HUB/` in its EEPROM config makes it do
(docs/netconsole.md): from port 6665 of the address it was given, to the TFTP server, or to
255.255.255.255 (the bootloader's default destination) with --netconsole-broadcast.

usage: fakepi.py --model 3b|3b+|4|4b|cm4|5b|cm5 --serial XXXXXXXX [--interface eth0] [--tree DIR]
                 [--time-limit SECONDS] [--rom-tries N] [--dhcp-timeout SECONDS]
                 [--netconsole PORT [--netconsole-broadcast]]
"""
import argparse
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bramblelab.pi import MODELS, FakePi, LocalNet, run_blocking  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description="A simulated Raspberry Pi network boot (JSON lines out).")
    parser.add_argument("--model", choices=MODELS, required=True, help="4 and 4b are the same board")
    parser.add_argument("--serial", required=True, help="8 hex digits")
    parser.add_argument("--interface", default="eth0")
    parser.add_argument("--tree", help="the boot tree: every file read in full must equal its copy here")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds for the whole boot")
    parser.add_argument("--rom-tries", type=int, default=5, help="DHCPDISCOVERs before the ROM gives up")
    parser.add_argument("--dhcp-timeout", type=float, default=45.0,
                        help="seconds before an EEPROM bootloader gives up on DHCP (its DHCP_TIMEOUT, 45 s by default)")
    parser.add_argument("--netconsole", type=int, metavar="PORT", help="send bootloader log lines to this UDP port (Pi 4 and later)")
    parser.add_argument("--netconsole-broadcast", action="store_true", help="with --netconsole: to 255.255.255.255, not the TFTP server")
    parser.add_argument("--print-frame", choices=["rom", "bootcode", "eeprom", "pi4", "kernel"],
                        help="print that DHCPDISCOVER as hex (with --mac, --xid) and exit: for the frame tests; "
                             "eeprom (pi4, its older name) is the Pi 4/5 bootloader's, for --model 4, cm4, 5b, cm5")
    parser.add_argument("--mac", help="with --print-frame: the MAC instead of the interface's")
    parser.add_argument("--xid", default="12345678", help="with --print-frame: the transaction ID (hex) of a pi4 or kernel frame")
    arguments = parser.parse_args()
    if len(arguments.serial) != 8 or any(c not in "0123456789abcdefABCDEF" for c in arguments.serial):
        parser.error("--serial must be 8 hex digits")
    if arguments.print_frame:
        pi = FakePi(arguments, mac_text=arguments.mac or "02:00:00:00:00:01")
        xid = int(arguments.xid, 16)
        if arguments.print_frame in ("eeprom", "pi4") and not pi.board:
            parser.error("--print-frame %s needs an EEPROM model (4, 4b, cm4, 5b, cm5)" % arguments.print_frame)
        builders = {"rom": lambda: pi.rom_discover(False), "bootcode": lambda: pi.rom_discover(True),
                  "eeprom": lambda: pi.pi4_discover(xid), "pi4": lambda: pi.pi4_discover(xid),
                  "kernel": lambda: pi.kernel_message(xid, 0)}
        print(builders[arguments.print_frame]().hex())
        return
    pi = FakePi(arguments, LocalNet(arguments.interface))

    def stopped(signum, frame):
        reason = "the %.0f s time limit passed" % arguments.time_limit if signum == signal.SIGALRM else "stopped by signal %d" % signum
        pi.report.emit("result", ok=False, failed=pi.report.stage, reason=reason, bytes=pi.bytes_read)
        os._exit(1)

    signal.signal(signal.SIGALRM, stopped)
    signal.signal(signal.SIGTERM, stopped)
    signal.alarm(int(arguments.time_limit) + 5)
    sys.exit(run_blocking(pi.boot()))


if __name__ == "__main__":
    main()
