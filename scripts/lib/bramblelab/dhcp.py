"""BOOTP/DHCP messages (RFC 2131, RFC 2132), and the requests Raspberry Pis send.

The Pi builders reproduce the frames of docs/raspberry-pi-netboot.md byte for byte (checked
against Fixtures/frames/ by bramblelab/test_fixture_frames.py):

  Pi 3B / 3B+ boot ROM  DISCOVER only (it takes the OFFER, never REQUESTs), fixed xid
                        0x26f30339, 320-byte payload, TTL 128, options 53 55 93 94 97 60;
                        option 97 is 16 bytes of 0x44 on the 3B, the serial four times on
                        the 3B+ (and from bootcode.bin, which also asks for options 1 and 3)
  Pi 4 / 5 bootloader   DISCOVER and REQUEST (the REQUEST without option 60), 322 bytes,
                        TTL 64, option 97 = FourCC, board revision (little-endian), the
                        MAC's low 4 bytes, the serial least significant byte first
                        (eeprom-bootloader.adoc `DHCP_OPTION97`)
  Linux ip=dhcp         no PXE class, 548 bytes, DF set, parameters 1 3 6 12 15 17 26 40 42
"""
import socket
import struct
from collections import namedtuple

from . import frames

MAGIC_COOKIE = b"\x63\x82\x53\x63"
DISCOVER, OFFER, REQUEST, ACK, NAK = 1, 2, 3, 5, 6
NAMES = {DISCOVER: "DISCOVER", OFFER: "OFFER", REQUEST: "REQUEST", ACK: "ACK", NAK: "NAK"}

PI3_XID = 0x26F30339
ROM_PARAMETERS = [43, 60, 67, 128, 129, 130, 131, 132, 133, 134, 135, 66]
BOOTCODE_PARAMETERS = ROM_PARAMETERS + [1, 3]
EEPROM_PARAMETERS = [1, 3, 43, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135]
KERNEL_PARAMETERS = [1, 3, 6, 12, 15, 17, 26, 40, 42]
PXE_VENDOR_CLASS = b"PXEClient:Arch:00000:UNDI:002001"
# The menu text an EEPROM bootloader looks for in option 43 (eeprom-bootloader.adoc
# `PXE_OPTION43`, default "Raspberry Pi Boot"): offers without it are ignored.
PXE_OPTION43 = b"Raspberry Pi Boot"

# The EEPROM boards. `fourcc` is option 97's first four GUID bytes as they go on the wire:
# the documented number 0x34695052 ("RPi4") appears in both byte orders in public logs (a
# Pi 4B: `34 69 50 52`; a CM4, raspberrypi/cmprovision#5: `52 50 69 34`), and bramble
# accepts both. No Pi 5 capture is public: the Pi 5s send `52 50 69 35` here, the order of
# the CM4 log with eeprom-bootloader.adoc's `RPi5` 0x35695052. Revisions follow
# revision-codes.adoc (c03115 Pi 4B 4GB rev 1.5, c03140 CM4 4GB rev 1.0, d04170 Pi 5B 8GB
# rev 1.0, d04180 CM5 8GB rev 1.0).
EEPROM_BOARDS = {
    "4": {"fourcc": b"\x34\x69\x50\x52", "revision": 0x00C03115, "dtb": "bcm2711-rpi-4-b.dtb", "generation": 4},
    "cm4": {"fourcc": b"RPi4", "revision": 0x00C03140, "dtb": "bcm2711-rpi-cm4.dtb", "generation": 4},
    "5b": {"fourcc": b"RPi5", "revision": 0x00D04170, "dtb": "bcm2712-rpi-5-b.dtb", "generation": 5},
    "cm5": {"fourcc": b"RPi5", "revision": 0x00D04180, "dtb": "bcm2712-rpi-cm5-cm5io.dtb", "generation": 5},
}


def encode_options(options):
    """(code, value) pairs as code, length, value, then the end option 255."""
    return b"".join(bytes([code, len(value)]) + value for code, value in options) + b"\xff"


def bootp_request(chaddr, xid, options, length=300, secs=0, flags=0):
    """A client's BOOTREQUEST with `options`, zero-padded to `length` bytes."""
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, secs, flags,
                        bytes(4), bytes(4), bytes(4), bytes(4), chaddr + bytes(10), bytes(64), bytes(128))
    return (bootp + MAGIC_COOKIE + encode_options(options)).ljust(length, b"\0")


def with_options(bootp, options, length=300):
    """`bootp`'s fixed fields and cookie with `options` in place of its own."""
    return (bootp[:240] + encode_options(options)).ljust(length, b"\0")


def parse_options(bootp):
    """The options of a BOOTP message in order, as (code, value) pairs; None when one runs
    past the end."""
    found, index = [], 240
    while index < len(bootp):
        code = bootp[index]
        if code == 255:
            break
        if code == 0:
            index += 1
            continue
        if index + 1 >= len(bootp):
            return None
        length = bootp[index + 1]
        value = bootp[index + 2:index + 2 + length]
        if len(value) != length:
            return None
        found.append((code, value))
        index += 2 + length
    return found


Reply = namedtuple("Reply", "type xid chaddr yiaddr siaddr options")
Reply.__doc__ = """A BOOTREPLY: `type` the option 53 message type (None without one), `options` a
dict with a code's values concatenated as RFC 3396 has a long option split."""


def parse_reply(bootp):
    """The Reply in a BOOTP payload, or None when it is no well-formed BOOTREPLY."""
    if len(bootp) < 240 or bootp[0] != 2 or bootp[236:240] != MAGIC_COOKIE:
        return None
    pairs = parse_options(bootp)
    if pairs is None:
        return None
    options = {}
    for code, value in pairs:
        options[code] = options.get(code, b"") + value
    kind = options[53][0] if options.get(53) else None
    return Reply(kind, struct.unpack("!I", bootp[4:8])[0], bootp[28:34], socket.inet_ntoa(bootp[16:20]),
                 socket.inet_ntoa(bootp[20:24]), options)


def ipv4_option(options, code):
    """An option's first address as a dotted quad, or None."""
    value = options.get(code)
    return socket.inet_ntoa(value[:4]) if value and len(value) >= 4 else None


def reply_in(frame):
    """(UDPFrame, Reply) for a frame from port 67 to port 68, or None."""
    udp = frames.parse_udp(frame)
    if udp is None or udp.source_port != 67 or udp.destination_port != 68:
        return None
    reply = parse_reply(udp.payload)
    return (udp, reply) if reply else None


# ---- Raspberry Pi -------------------------------------------------------------------------

def rom_guid():
    """Option 97 of the Pi 3B ROM: type 0, then a constant (the 3B reports no serial)."""
    return b"\x00" + b"\x44" * 16


def serial_guid(serial):
    """Option 97 of the 3B+ ROM and bootcode.bin: type 0, the serial four times, least
    significant byte first."""
    return b"\x00" + bytes.fromhex(serial)[::-1] * 4


def eeprom_guid(board, mac, serial):
    """Option 97 of the Pi 4/5 bootloader (eeprom-bootloader.adoc `DHCP_OPTION97`)."""
    return b"\x00" + board["fourcc"] + struct.pack("<I", board["revision"]) + mac[2:6] + bytes.fromhex(serial)[::-1]


def pxe_options(message, parameters, guid, extra=(), vendor_class=True):
    """A Pi firmware's options: 53, 55, 93 (architecture 0), 94 (UNDI 2.1), 97, `extra`, 60."""
    options = [(53, bytes([message])), (55, bytes(parameters)), (93, b"\x00\x00"), (94, b"\x01\x02\x01"), (97, guid)]
    options += list(extra)
    if vendor_class:
        options.append((60, PXE_VENDOR_CLASS))
    return options


def pi_frame(mac, xid, options, length, ttl, dont_fragment=False, secs=0):
    """A broadcast DHCP request from 0.0.0.0:68 as a Pi's firmware or kernel sends it."""
    return frames.udp_frame(bootp_request(mac, xid, options, length, secs), mac, ttl=ttl, dont_fragment=dont_fragment)


def rom_discover(mac, guid, bootcode=False, xid=PI3_XID):
    """The Pi 3 ROM's DHCPDISCOVER, or bootcode.bin's (options 1 and 3 asked too, 322 bytes)."""
    if bootcode:
        return pi_frame(mac, xid, pxe_options(DISCOVER, BOOTCODE_PARAMETERS, guid), 322, 128)
    return pi_frame(mac, xid, pxe_options(DISCOVER, ROM_PARAMETERS, guid), 320, 128)


def eeprom_discover(mac, xid, board, serial):
    """The Pi 4/5 bootloader's DHCPDISCOVER."""
    return pi_frame(mac, xid, pxe_options(DISCOVER, EEPROM_PARAMETERS, eeprom_guid(board, mac, serial)), 322, 64)


def eeprom_request(mac, xid, board, serial, address, server_id):
    """The Pi 4/5 bootloader's DHCPREQUEST: requested address and server identifier, no 60."""
    extra = [(50, socket.inet_aton(address)), (54, server_id)]
    options = pxe_options(REQUEST, EEPROM_PARAMETERS, eeprom_guid(board, mac, serial), extra, vendor_class=False)
    return pi_frame(mac, xid, options, 322, 64)


def kernel_message(mac, xid, secs, extra=()):
    """The Linux ip=dhcp client's DISCOVER (no `extra`) or REQUEST (53=3, 54, 50 first)."""
    options = list(extra) if extra else [(53, bytes([DISCOVER]))]
    return pi_frame(mac, xid, options + [(55, bytes(KERNEL_PARAMETERS))], 548, 64, dont_fragment=True, secs=secs)
