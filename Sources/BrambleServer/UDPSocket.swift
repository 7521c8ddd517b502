import BrambleWire
import CNetShims
import Glibc

/// A non-blocking IPv4 UDP socket for the loop: DHCP's port 67 (relays, unicast renewals),
/// TFTP's port 69 and per-transfer ports, DNS's port 53.
public final class UDPSocket {
    public let fd: Int32
    public let localPort: UInt16
    public let localAddress: IPv4Address
    /// `--capture`: told of every datagram sent, and received when `capturesReceived`.
    /// Internal, not private: the batched calls (UDPSocket+Batching.swift) record too.
    let capture: PacketCapture?
    let capturesReceived: Bool
    /// Datagrams ``receive(into:)`` may still return this turn: no limit until watched through
    /// ``watch(in:_:)``. Shared with the batched receive.
    var turnBudget = EventLoop.TurnBudget()

    /// A received datagram and where it came from.
    public struct Datagram {
        public let payload: ArraySlice<UInt8>
        public let source: IPv4Address
        public let sourcePort: UInt16
    }

    /// Binds `address:port` (port 0: an ephemeral port, a new TFTP transfer ID), optionally
    /// pinned to `device` so a hub with an uplink never answers the uplink's side.
    ///
    /// `capture` records its traffic; `capturingReceived: false` records only what it sends
    /// (DHCP's port 67, whose requests the raw socket records).
    public init(
        address: IPv4Address = .any, port: UInt16, device: String? = nil, broadcast: Bool = false,
        capture: PacketCapture? = nil, capturingReceived: Bool = true
    ) throws(SystemCallError) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError("socket(AF_INET, SOCK_DGRAM)") }
        do throws(SystemCallError) {
            var one: Int32 = 1
            // Only for well-known ports (a restart rebinding 67 or 69). On an ephemeral bind
            // SO_REUSEADDR lets the kernel hand out a port another such socket already holds,
            // and two TFTP transfers sharing a port take each other's ACKs.
            if port != 0 { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
            if broadcast {
                guard setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                    throw SystemCallError("setsockopt(SO_BROADCAST)")
                }
            }
            if let device {
                let pinned = device.withCString { setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, $0, socklen_t(strlen($0) + 1)) }
                guard pinned == 0 else { throw SystemCallError("setsockopt(SO_BINDTODEVICE, \(device))") }
            }
            guard SocketAddress.bind(fd, address, port) else { throw SystemCallError("bind(\(address):\(port))") }
            self.fd = fd
            localPort = SocketAddress.localPort(of: fd)
            localAddress = address
            self.capture = capture
            capturesReceived = capturingReceived
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// Calls `handler` whenever datagrams wait, and from then on lets ``receive(into:)``
    /// return at most ``EventLoop/readBatch`` of them per call of the handler: a handler
    /// that reads "until nil" takes one batch, and a flooded socket leaves the rest of the
    /// turn to the other sockets and the timers (the level-triggered loop calls it again).
    public func watch(in loop: EventLoop, _ handler: @escaping () -> Void) throws(SystemCallError) {
        turnBudget.watch()
        try loop.register(fd) { [weak self] _ in
            guard let self else { return }
            turnBudget.newTurn()
            handler()
        }
    }

    /// One datagram, or nil when none is queued (or this turn's batch is taken).
    public func receive(into buffer: inout [UInt8]) -> Datagram? {
        guard turnBudget.take() else { return nil }
        var source = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = buffer.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, bytes.baseAddress, bytes.count, 0, $0, &length) }
            }
        }
        guard count >= 0 else { return nil }
        let datagram = Datagram(payload: buffer[0..<count], source: IPv4Address(UInt32(bigEndian: source.sin_addr.s_addr)), sourcePort: UInt16(bigEndian: source.sin_port))
        if capturesReceived, let capture {
            buffer.withUnsafeBytes {
                capture.record(UnsafeRawBufferPointer(rebasing: $0[0..<count]), from: datagram.source, port: datagram.sourcePort, to: localAddress, port: localPort, sent: false)
            }
        }
        return datagram
    }

    /// Sends one datagram; returns false when the kernel refused it (queue full, no route),
    /// which UDP servers treat as a lost packet.
    @discardableResult
    public func send(_ payload: [UInt8], to address: IPv4Address, port: UInt16) -> Bool {
        payload.withUnsafeBytes { send($0, to: address, port: port) }
    }

    /// Sends straight from memory the caller owns (a mapped boot file), with no copy.
    @discardableResult
    public func send(_ payload: UnsafeRawBufferPointer, to address: IPv4Address, port: UInt16) -> Bool {
        var destination = SocketAddress.make(address, port)
        let sent = withUnsafePointer(to: &destination) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, payload.baseAddress, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if sent >= 0, let capture {
            capture.record(payload, from: localAddress, port: localPort, to: address, port: port, sent: true)
        }
        return sent >= 0
    }

    /// Sends `header` followed by `body` as one datagram with one `sendmsg`: a TFTP DATA
    /// packet is its 4-byte header and a range of a mapped boot file, and gathering the two
    /// in the kernel spares copying every block into a packet buffer first.
    @discardableResult
    public func send(header: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, to address: IPv4Address, port: UInt16) -> Bool {
        var destination = SocketAddress.make(address, port)
        var vectors = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: header.baseAddress), iov_len: header.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress), iov_len: body.count)
        )
        let sent = withUnsafeMutablePointer(to: &destination) { destinationPointer in
            withUnsafeMutablePointer(to: &vectors) { vectorPointer in
                vectorPointer.withMemoryRebound(to: iovec.self, capacity: 2) { iov in
                    var message = msghdr()
                    message.msg_name = UnsafeMutableRawPointer(destinationPointer)
                    message.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
                    message.msg_iov = iov
                    message.msg_iovlen = body.isEmpty ? 1 : 2
                    return sendmsg(fd, &message, 0)
                }
            }
        }
        if sent >= 0, let capture {
            capture.record(header, body, from: localAddress, port: localPort, to: address, port: port, sent: true)
        }
        return sent >= 0
    }
    /// How a ``sendSegmented(_:segmentSize:to:port:)`` went.
    public enum SegmentedSend {
        case sent
        /// The kernel had no room (a full send queue): as good as lost on the wire.
        case dropped
        /// The kernel cannot segment here (EIO: the interface cannot offload the checksum);
        /// send the datagrams one by one.
        case unsupported(SystemCallError)
    }

    /// Sends the bytes gathered in `vectors` as datagrams of `segmentSize` bytes, the last
    /// possibly shorter, with one `sendmsg` (UDP GSO): the network stack runs once for the
    /// lot instead of once per datagram. A TFTP window is its blocks' headers and mapped
    /// ranges in turn, with no copy.
    public func sendSegmented(_ vectors: UnsafeBufferPointer<iovec>, segmentSize: Int, to address: IPv4Address, port: UInt16) -> SegmentedSend {
        var destination = SocketAddress.make(address, port)
        guard cnet_send_segmented(fd, vectors.baseAddress, vectors.count, &destination, UInt16(segmentSize)) < 0 else {
            if let capture { recordSegments(vectors, segmentSize: segmentSize, to: address, port: port, in: capture) }
            return .sent
        }
        let error = SystemCallError("sendmsg(UDP_SEGMENT)")
        return error.errno == EAGAIN || error.errno == ENOBUFS ? .dropped : .unsupported(error)
    }

    /// `--capture` sees the datagrams the kernel cut, one record each, as on the wire.
    private func recordSegments(_ vectors: UnsafeBufferPointer<iovec>, segmentSize: Int, to address: IPv4Address, port: UInt16, in capture: PacketCapture) {
        var segment: [UInt8] = []
        segment.reserveCapacity(segmentSize)
        for vector in vectors {
            var bytes = UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len)[...]
            while !bytes.isEmpty {
                let taken = bytes.prefix(segmentSize - segment.count)
                segment.append(contentsOf: taken)
                bytes = bytes.dropFirst(taken.count)
                if segment.count == segmentSize {
                    segment.withUnsafeBytes { capture.record($0, from: localAddress, port: localPort, to: address, port: port, sent: true) }
                    segment.removeAll(keepingCapacity: true)
                }
            }
        }
        if !segment.isEmpty {
            segment.withUnsafeBytes { capture.record($0, from: localAddress, port: localPort, to: address, port: port, sent: true) }
        }
    }
}
