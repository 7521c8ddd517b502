#!/usr/bin/env python3
"""Where a server's CPU goes, by what it is for, from `perf script` output.

Usage: perf script -F comm,ip,sym -i perf.data | kernel-cost.py QUERIES [TOP]

Reads the samples of `perf record -e cpu-clock -g -p PID` (each a call chain, innermost
frame first) and puts every sample in one bucket, by the first rule its chain matches:

  network delivery  the kernel carrying a packet through the test network after the
                    server handed it over: softirq receive processing (the veth peer, the
                    bridge, the other veth, the client's IP and UDP receive and its socket's
                    wake-up), which on veth runs on the sending CPU, inside the server's
                    sendmmsg, and is charged to the server. On a hub with a NIC the driver
                    queues the frame and the client's own machine does all of this.
  send path         the server's own transmit: the system call, route lookup, the skb,
                    IP and UDP headers, down to the device's transmit (veth_xmit here, a
                    NIC driver on a hub)
  receive path      recvmmsg: taking queued datagrams off the socket and copying them out
  waiting           epoll_wait and the scheduler around it
  other kernel      any other system call or kernel work
  user              the server's own code and its libraries

and prints each bucket's share and, given QUERIES (the queries answered while perf
recorded), its samples per query, so two servers measured alike can be compared bucket by
bucket; with TOP, each bucket's TOP functions where the samples fell (their own time, as
`perf report --no-children`). Needs call chains (`perf record -g`); kernel symbols from /proc/kallsyms.
"""
import sys

DELIVERY = ("net_rx_action", "__napi_poll", "process_backlog", "__netif_receive_skb", "__netif_receive_skb_core",
            "__netif_receive_skb_one_core", "netif_receive_skb", "br_handle_frame")
SEND = ("__sys_sendmmsg", "__sys_sendmsg", "__sys_sendto", "udp_sendmsg", "__x64_sys_sendmmsg",
        "__x64_sys_sendmsg", "__x64_sys_sendto")
RECEIVE = ("__sys_recvmmsg", "__sys_recvmsg", "__sys_recvfrom", "udp_recvmsg", "__x64_sys_recvmmsg",
           "__x64_sys_recvmsg", "__x64_sys_recvfrom")
WAITING = ("do_epoll_wait", "__x64_sys_epoll_wait", "__x64_sys_epoll_pwait", "do_sys_poll", "schedule",
           "__x64_sys_poll", "__x64_sys_ppoll", "do_select")
BUCKETS = ("network delivery", "send path", "receive path", "waiting", "other kernel", "user")


def samples(lines):
    """Yields each sample's frames as (ip, symbol), innermost first."""
    frames = []
    for line in lines:
        if not line.strip():
            if frames:
                yield frames
            frames = []
            continue
        if not line.startswith((" ", "\t")):
            if frames:
                yield frames
            frames = []
            continue
        parts = line.split(None, 1)
        ip = parts[0]
        symbol = parts[1].strip() if len(parts) > 1 else "[unknown]"
        symbol = symbol.split("+0x")[0]
        frames.append((ip, symbol))
    if frames:
        yield frames


def kernel(ip):
    try:
        return int(ip, 16) >= 0xffff800000000000
    except ValueError:
        return False


def bucket(frames):
    if not kernel(frames[0][0]):
        return "user"
    symbols = [symbol for _, symbol in frames]
    for names, name in ((DELIVERY, "network delivery"), (SEND, "send path"), (RECEIVE, "receive path"),
                        (WAITING, "waiting")):
        if any(symbol in names for symbol in symbols):
            return name
    return "other kernel"


def main():
    queries = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    counts = dict.fromkeys(BUCKETS, 0)
    where = {name: {} for name in BUCKETS}
    for frames in samples(sys.stdin):
        name = bucket(frames)
        counts[name] += 1
        where[name][frames[0][1]] = where[name].get(frames[0][1], 0) + 1
    total = sum(counts.values())
    if total == 0:
        sys.exit("kernel-cost: no samples (was perf recording with -g?)")
    for name in BUCKETS:
        per_query = " {:.3f} samples/1000 queries".format(counts[name] * 1000 / queries) if queries else ""
        print("  {:<17} {:5.1f} %  ({} samples){}".format(name, 100 * counts[name] / total, counts[name], per_query))
        for symbol, count in sorted(where[name].items(), key=lambda item: -item[1])[:top]:
            print("      {:5.1f} %  {}".format(100 * count / total, symbol))
    print("  {:<17} {} samples".format("total", total))


if __name__ == "__main__":
    main()
