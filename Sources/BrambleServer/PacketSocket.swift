import BrambleWire
import CNetShims
import Glibc

/// An AF_PACKET socket on the cluster interface: DHCP requests arrive here before the
/// interface has any address, and replies to clients without an address go out as whole
/// Ethernet frames addressed to the client's MAC (RFC 2131 4.1), built by BrambleWire.
///
/// Frames are received through a PACKET_MMAP ring (TPACKET_V2,
/// https://docs.kernel.org/networking/packet_mmap.html): the kernel writes each frame into a
/// slot of memory shared with the daemon and wakes the loop; reading a frame is a copy out
/// of its slot, with no system call, and a wake-up reads every frame waiting (up to the
/// turn's batch). The ring is also the queue: when it is full the kernel drops new frames,
/// as it does when a socket's receive buffer is full, and ``isBacklogged(beyond:)`` tells
/// how deep it is, so DHCP can shed new work before that happens.
public final class PacketSocket {
    public let fd: Int32
    public let interfaceName: String
    public let interfaceIndex: Int32
    public let interfaceMAC: MACAddress
    /// `--capture`: told of every frame received and sent.
    private let capture: PacketCapture?
    /// Frames ``receive(into:)`` may still return this turn: no limit until watched through
    /// ``watch(in:_:)``.
    private var turnBudget = EventLoop.TurnBudget()
    /// The mapped ring: ``ringFrames`` slots of ``slotSize`` bytes.
    private let ring: UnsafeMutableRawPointer
    public let ringFrames: Int
    /// The slot the next frame is read from: the kernel fills the slots in order and skips
    /// none, so this follows it.
    private var nextSlot: UInt32 = 0

    /// One slot: the kernel's header and address (about 80 bytes), then a frame of up to
    /// an Ethernet MTU of 1500 with room to spare. A longer frame (jumbo frames; no DHCP or
    /// TFTP client sends one) is cut to the slot, fails to decode and is dropped.
    public static let slotSize = 2048
    /// The largest frame a slot holds: the size of a buffer that never cuts one.
    public static let maximumFrameLength = slotSize

    /// - Parameter ringFrames: the ring's slots (rounded up to whole pages of slots): the
    ///   frames that can wait to be read.
    public init(interface: String, filter: PacketFilter, capture: PacketCapture? = nil, ringFrames: Int = 256) throws(SystemCallError) {
        let ethertypeIPv4 = UInt16(ETH_P_IP).bigEndian
        let fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(ethertypeIPv4))
        guard fd >= 0 else { throw SystemCallError("socket(AF_PACKET)") }
        do throws(SystemCallError) {
            let index = Int32(if_nametoindex(interface))
            guard index > 0 else { throw SystemCallError("if_nametoindex(\(interface))") }
            var mac = [UInt8](repeating: 0, count: 6)
            guard cnet_interface_mac(fd, interface, &mac) == 0 else { throw SystemCallError("SIOCGIFHWADDR(\(interface))") }
            // Filter before bind, so no unfiltered frame is ever queued.
            try filter.attach(to: fd)
            // The ring's block is one page (the kernel's rule), 16 or 64 KiB on some arm64
            // kernels (a Pi 5's): whole blocks of slots.
            let slotsPerBlock = max(1, sysconf(Int32(_SC_PAGESIZE)) / Self.slotSize)
            let frames = (max(ringFrames, 1) + slotsPerBlock - 1) / slotsPerBlock * slotsPerBlock
            var mapped: UnsafeMutableRawPointer?
            guard cnet_packet_ring_map(fd, UInt32(Self.slotSize), UInt32(frames), UInt32(slotsPerBlock), &mapped) == 0, let mapped else {
                throw SystemCallError("PACKET_RX_RING(\(frames) x \(Self.slotSize) bytes)")
            }
            ring = mapped
            self.ringFrames = frames
            var address = sockaddr_ll()
            address.sll_family = UInt16(AF_PACKET)
            address.sll_protocol = ethertypeIPv4
            address.sll_ifindex = index
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_ll>.size)) }
            }
            guard bound == 0 else { throw SystemCallError("bind(AF_PACKET, \(interface))") }
            self.fd = fd
            interfaceName = interface
            interfaceIndex = index
            interfaceMAC = MACAddress(bytes: mac)!
            self.capture = capture
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        cnet_packet_ring_unmap(ring, UInt32(Self.slotSize), UInt32(ringFrames))
        close(fd)
    }

    /// Calls `handler` whenever frames wait, and from then on lets ``receive(into:)``
    /// return at most ``EventLoop/readBatch`` frames per call of the handler, so a flood
    /// of DHCP frames leaves each turn's rest to the other sockets and the timers.
    public func watch(in loop: EventLoop, _ handler: @escaping () -> Void) throws(SystemCallError) {
        turnBudget.watch()
        try loop.register(fd) { [weak self] _ in
            guard let self else { return }
            turnBudget.newTurn()
            handler()
        }
    }

    /// Starts a turn outside a readiness report (a timer polling the ring): ``receive(into:)``
    /// may return another batch.
    public func beginTurn() { turnBudget.newTurn() }

    /// A frame the kernel received.
    public struct ReceivedFrame {
        public let bytes: ArraySlice<UInt8>
        /// The sender left its transport checksum for offload (a local veth or tap sender):
        /// do not verify it. See `UDPDatagram`'s decoder.
        public let checksumNotReady: Bool
        /// When the kernel received it: wall-clock nanoseconds since the epoch
        /// (CLOCK_REALTIME, the ring's timestamp).
        public let receivedAtNanoseconds: Int64
    }

    /// Reads one frame the kernel received for this host, copied out of its ring slot into
    /// `buffer` (the slot goes back to the kernel at once); nil when nothing is queued.
    /// Frames this host sent and frames for another host's MAC are skipped (see
    /// ``isForThisHost(packetType:)``), at most ``maximumSkippedFrames`` per call so a
    /// flood of them cannot hold the loop; so is a slot whose header does not fit in it or
    /// whose frame does not fit in `buffer`.
    public func receive(into buffer: inout [UInt8]) -> ReceivedFrame? {
        guard turnBudget.take() else { return nil }
        for _ in 0..<Self.maximumSkippedFrames {
            guard cnet_packet_ring_ready(ring, UInt32(Self.slotSize), nextSlot) != 0 else { return nil }
            var packetType: Int32 = 0
            var checksumNotReady: Int32 = 0
            var wireLength: UInt32 = 0
            var seconds: UInt32 = 0
            var nanoseconds: UInt32 = 0
            let count = buffer.withUnsafeMutableBytes {
                cnet_packet_ring_copy(
                    ring, UInt32(Self.slotSize), nextSlot, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count, &packetType, &checksumNotReady,
                    &wireLength, &seconds, &nanoseconds)
            }
            cnet_packet_ring_release(ring, UInt32(Self.slotSize), nextSlot)
            nextSlot = nextSlot + 1 == UInt32(ringFrames) ? 0 : nextSlot + 1
            guard count >= 0, Self.isForThisHost(packetType: packetType) else { continue }
            let frame = buffer[0..<count]
            capture?.record(frame: frame, checksumNotReady: checksumNotReady != 0)
            return ReceivedFrame(
                bytes: frame, checksumNotReady: checksumNotReady != 0, receivedAtNanoseconds: Int64(seconds) * 1_000_000_000 + Int64(nanoseconds))
        }
        return nil
    }

    /// Whether more than `depth` frames wait behind the next one to read: the slot `depth`
    /// places ahead is already filled. One load from the ring, no system call.
    /// A depth outside the ring is taken as its last slot.
    public func isBacklogged(beyond depth: Int) -> Bool {
        let ahead = min(max(depth, 0), ringFrames - 1)
        return cnet_packet_ring_ready(ring, UInt32(Self.slotSize), UInt32((Int(nextSlot) + ahead) % ringFrames)) != 0
    }

    /// Frames skipped by one ``receive(into:)`` before it returns nil; the level-triggered
    /// loop calls again on its next turn if more are queued.
    static let maximumSkippedFrames = 64

    /// Whether a frame with this `sll_pkttype` is one to answer: addressed to this host,
    /// broadcast or multicast. Not one this host sent (PACKET_OUTGOING: the socket sees our
    /// own replies), and not one for another MAC that reached the socket because the
    /// interface is promiscuous (PACKET_OTHERHOST: tcpdump running, or a bridge port): a
    /// DISCOVER unicast to another server is that server's to answer.
    static func isForThisHost(packetType: Int32) -> Bool {
        packetType != PACKET_OUTGOING && packetType != PACKET_OTHERHOST
    }

    public func send(frame: [UInt8]) throws(SystemCallError) {
        let sent = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == frame.count else { throw SystemCallError("send(AF_PACKET, \(frame.count) bytes)") }
        capture?.record(frame: frame[...])
    }
}

extension PacketSocket {
    /// Frames to send together with ``send(_:)``: copied in back to back, so one buffer
    /// holds them all while the kernel reads them.
    public struct FrameBatch {
        fileprivate var bytes: [UInt8] = []
        /// Where each frame ends in ``bytes``.
        fileprivate var ends: [Int] = []

        public init() {}

        public var count: Int { ends.count }
        public var isEmpty: Bool { ends.isEmpty }

        public mutating func append(_ frame: [UInt8]) {
            bytes.append(contentsOf: frame)
            ends.append(bytes.count)
        }

        fileprivate mutating func removeAll() {
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
        }
    }

    /// How a ``send(_:)`` went: the frames the kernel refused, and why the first was.
    public struct FrameBatchResult {
        public var dropped = 0
        public var error: SystemCallError?
    }

    /// Sends every frame of `batch` in order with as few `sendmmsg(2)` calls as the kernel
    /// allows (one, unless it takes only some), then empties the batch. A frame the kernel
    /// refuses is dropped and the next one tried; a full queue (EAGAIN, ENOBUFS) drops the
    /// rest, as a UDP server treats a full queue: lost packets, which the client retries.
    @discardableResult
    public func send(_ batch: inout FrameBatch) -> FrameBatchResult {
        defer { batch.removeAll() }
        var result = FrameBatchResult()
        let count = batch.count
        guard count > 0 else { return result }
        var vectors = [iovec](repeating: iovec(), count: count)
        var messages = [cnet_mmsghdr](repeating: cnet_mmsghdr(), count: count)
        let ends = batch.ends
        var sent: [Range<Int>] = []
        batch.bytes.withUnsafeMutableBytes { bytes in
            vectors.withUnsafeMutableBufferPointer { vectors in
                var start = 0
                for index in 0..<count {
                    vectors[index] = iovec(iov_base: bytes.baseAddress! + start, iov_len: ends[index] - start)
                    messages[index].msg_hdr.msg_iov = vectors.baseAddress! + index
                    messages[index].msg_hdr.msg_iovlen = 1
                    start = ends[index]
                }
                messages.withUnsafeMutableBufferPointer { messages in
                    var next = 0
                    while next < count {
                        let taken = Int(cnet_sendmmsg(fd, messages.baseAddress! + next, UInt32(count - next)))
                        if taken > 0 {
                            sent.append(next..<(next + taken))
                            next += taken
                            continue
                        }
                        let error = errno
                        if result.error == nil { result.error = SystemCallError("sendmmsg(AF_PACKET, \(count - next) frames)", errno: error) }
                        if taken < 0 && (error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS) {
                            result.dropped += count - next
                            break
                        }
                        result.dropped += 1
                        next += 1
                    }
                }
            }
        }
        if let capture {
            for index in sent.joined() { capture.record(frame: batch.bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]]) }
        }
        return result
    }
}
