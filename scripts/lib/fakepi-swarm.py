#!/usr/bin/env python3
"""Many simulated Raspberry Pis booting at once from one process: fakepi.py's boot (the
same conversation, bramblelab/pi.py), each Pi in its own network namespace with its own
interface, all driven by one selector loop (bramblelab/swarm.py) so that the simulators
cost little beside the server and the links they measure (scripts/bench-storm).

Each PI is ID:NAMESPACE:MODEL:SERIAL: the namespace (as `ip netns add` names it, under
/run/netns) holds the Pi's interface, whose MAC is the Pi's. All power on together; Pi ID
writes fakepi.py's JSON lines to OUT/ID.jsonl, ending with its `result` line. When every Pi
has ended it prints one JSON line, `{"pis": N, "failed": F, "ended": UNIX_TIME, "raw_dropped":
D}` (the last Pi's end, before the sockets are released: scripts/bench-storm's end of the
storm; D, the frames the Pis' DHCP sockets had no room for, which should be 0). Runs
from the host's namespace (it enters each Pi's to open its sockets); needs root. Exit
status 0 only when every Pi booted.

usage: fakepi-swarm.py --out DIR [--tree DIR] [--time-limit SECONDS] [--interface eth0]
                       [--rom-tries N] [--dhcp-timeout SECONDS] PI [PI ...]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bramblelab import frames  # noqa: E402
from bramblelab.netns import NamespaceNet  # noqa: E402
from bramblelab.pi import MODELS, FakePi  # noqa: E402
from bramblelab.swarm import Swarm  # noqa: E402


def bay(text):
    parts = text.split(":")
    if len(parts) != 4 or not parts[0] or not parts[1] or parts[2] not in MODELS or len(parts[3]) != 8 \
            or any(c not in "0123456789abcdefABCDEF" for c in parts[3]):
        raise argparse.ArgumentTypeError("%r is not ID:NAMESPACE:MODEL:SERIAL (MODEL one of %s, SERIAL 8 hex digits)"
                                         % (text, " ".join(MODELS)))
    return parts


def main():
    parser = argparse.ArgumentParser(description="Many simulated Raspberry Pi network boots at once (JSON lines per Pi).")
    parser.add_argument("pis", nargs="+", type=bay, metavar="PI", help="ID:NAMESPACE:MODEL:SERIAL")
    parser.add_argument("--out", required=True, help="the directory for each Pi's ID.jsonl")
    parser.add_argument("--tree", help="the boot tree: every file read in full must equal its copy here")
    parser.add_argument("--interface", default="eth0", help="each Pi's interface in its namespace")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds for each Pi's whole boot")
    parser.add_argument("--rom-tries", type=int, default=5, help="DHCPDISCOVERs before a Pi 3 ROM gives up")
    parser.add_argument("--dhcp-timeout", type=float, default=45.0, help="seconds before an EEPROM bootloader gives up on DHCP")
    arguments = parser.parse_args()
    nets = [NamespaceNet(namespace, arguments.interface) for _, namespace, _, _ in arguments.pis]
    swarm, failed, ended_at = Swarm(), [], [time.time()]
    pis = []
    for (ident, _, model, serial), net in zip(arguments.pis, nets):
        settings = argparse.Namespace(model=model, serial=serial, tree=arguments.tree, time_limit=arguments.time_limit,
                                      rom_tries=arguments.rom_tries, dhcp_timeout=arguments.dhcp_timeout,
                                      netconsole=None, netconsole_broadcast=False)
        stream = open(os.path.join(arguments.out, "%s.jsonl" % ident), "w")
        pis.append((FakePi(settings, net, stream=stream), stream))

    def ended(pi, stream):
        def end(status):
            if status is None:
                pi.report.emit("result", ok=False, failed=pi.report.stage,
                               reason="the %.0f s time limit passed" % arguments.time_limit, bytes=pi.bytes_read)
            elif isinstance(status, Exception):
                pi.report.emit("result", ok=False, failed=pi.report.stage, reason="simulator error: %r" % status,
                               bytes=pi.bytes_read)
            if status != 0:
                failed.append(pi.serial)
            stream.close()
            ended_at[0] = time.time()
        return end

    for pi, stream in pis:
        swarm.add(pi.boot(), ended(pi, stream))
    swarm.run(time.monotonic() + arguments.time_limit + 5)
    raw_dropped = sum(frames.dropped(net.raw_socket()) for net in nets)
    print(json.dumps({"pis": len(pis), "failed": len(failed), "ended": ended_at[0], "raw_dropped": raw_dropped}), flush=True)
    for net in nets:
        net.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
