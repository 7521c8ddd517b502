import BrambleWire
import CNetShims
import Glibc

/// Many datagrams per system call: `recvmmsg(2)` fills a reusable ``ReceiveBatch`` and
/// `sendmmsg(2)` sends a ``SendBatch`` of replies, so a busy socket costs the kernel entry
/// and the loop's wake-up once per batch instead of once per datagram (see recvmmsg(2),
/// sendmmsg(2): https://man7.org/linux/man-pages/man2/recvmmsg.2.html).
///
/// The same rules as the one-datagram calls: a batch never reads past this turn's share
/// (``EventLoop/readBatch``, ``watch(in:_:)``), every datagram received and sent is
/// recorded in `--capture`, and nothing a peer sends can trap.
extension UDPSocket {
    /// Buffers for ``receive(into:)``, allocated once and reused for every batch.
    ///
    /// Each datagram lands in a slot of `slotSize` bytes; a larger one spills into one
    /// spare buffer of 64 KiB that every slot shares, so a datagram of any size IPv4 can
    /// carry arrives whole, as with `recvfrom` into a 64 KiB buffer, while the slots stay
    /// small. Two datagrams that spill in one batch overwrite each other's spill: only the
    /// last is kept, the others are dropped and counted in ``dropped``.
    public final class ReceiveBatch {
        /// Datagrams one ``receive(into:)`` may return.
        public let capacity: Int
        public let slotSize: Int
        /// What the last ``receive(into:)`` returned, in arrival order. Their payloads share
        /// this batch's storage: handle them before the next receive (a payload kept past it
        /// costs the batch a copy of its storage, not a wrong byte).
        public private(set) var datagrams: [Datagram] = []
        /// Datagrams the last ``receive(into:)`` took off the socket but could not return
        /// whole (see above; or cut short by the kernel, MSG_TRUNC).
        public private(set) var dropped = 0

        fileprivate var storage: [UInt8]
        /// The one spilled datagram of the last batch, joined from its slot and the spill.
        fileprivate var joined: [UInt8] = []
        fileprivate let spill: UnsafeMutableRawBufferPointer
        fileprivate let messages: UnsafeMutablePointer<cnet_mmsghdr>
        /// Two per message: its slot, then the shared spill.
        fileprivate let vectors: UnsafeMutablePointer<iovec>
        fileprivate let sources: UnsafeMutablePointer<sockaddr_in>

        /// The largest payload an IPv4 UDP datagram carries (65,535 - 20 - 8), rounded up.
        static let spillSize = 65_536

        public init(capacity: Int = EventLoop.readBatch, slotSize: Int = 2048) {
            precondition(capacity > 0 && slotSize > 0, "a batch holds at least one byte of one datagram")
            self.capacity = capacity
            self.slotSize = slotSize
            storage = [UInt8](repeating: 0, count: capacity * slotSize)
            spill = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.spillSize, alignment: 16)
            messages = .allocate(capacity: capacity)
            messages.initialize(repeating: cnet_mmsghdr(), count: capacity)
            vectors = .allocate(capacity: 2 * capacity)
            vectors.initialize(repeating: iovec(), count: 2 * capacity)
            sources = .allocate(capacity: capacity)
            sources.initialize(repeating: sockaddr_in(), count: capacity)
            datagrams.reserveCapacity(capacity)
            for index in 0..<capacity {
                vectors[2 * index + 1] = iovec(iov_base: spill.baseAddress, iov_len: Self.spillSize)
                messages[index].msg_hdr.msg_name = UnsafeMutableRawPointer(sources + index)
                messages[index].msg_hdr.msg_iov = vectors + 2 * index
                messages[index].msg_hdr.msg_iovlen = 2
            }
        }

        deinit {
            spill.deallocate()
            messages.deallocate()
            vectors.deallocate()
            sources.deallocate()
        }

        /// Points the first `count` messages at their slots in `bytes` (the storage, whose
        /// address is only fixed inside `withUnsafeMutableBytes`) and resets what the
        /// kernel writes back.
        fileprivate func prepare(_ count: Int, slots bytes: UnsafeMutableRawBufferPointer) {
            for index in 0..<count {
                vectors[2 * index] = iovec(iov_base: bytes.baseAddress! + index * slotSize, iov_len: slotSize)
                messages[index].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
                messages[index].msg_hdr.msg_flags = 0
                messages[index].msg_len = 0
            }
        }

        /// Empties the batch; the payloads of the last one must be gone before the storage
        /// is written again, or writing it would copy it.
        fileprivate func reset() {
            datagrams.removeAll(keepingCapacity: true)
            joined.removeAll(keepingCapacity: true)
            dropped = 0
        }

        /// Turns the kernel's `count` results into ``datagrams``, dropping what cannot be
        /// returned whole.
        fileprivate func collect(_ count: Int) {
            var lastSpilled = -1
            for index in 0..<count where Int(messages[index].msg_len) > slotSize { lastSpilled = index }
            for index in 0..<count {
                let header = messages[index].msg_hdr
                let length = Int(messages[index].msg_len)
                let source = sources[index]
                guard header.msg_flags & Int32(MSG_TRUNC) == 0,
                      header.msg_namelen == socklen_t(MemoryLayout<sockaddr_in>.size), source.sin_family == sa_family_t(AF_INET),
                      length <= slotSize || (index == lastSpilled && length - slotSize <= Self.spillSize)
                else {
                    dropped += 1
                    continue
                }
                let payload: ArraySlice<UInt8>
                if length > slotSize {
                    joined.append(contentsOf: storage[(index * slotSize)..<((index + 1) * slotSize)])
                    joined.append(contentsOf: UnsafeRawBufferPointer(rebasing: spill[0..<(length - slotSize)]))
                    payload = joined[...]
                } else {
                    payload = storage[(index * slotSize)..<(index * slotSize + length)]
                }
                let (address, port) = SocketAddress.address(of: source)
                datagrams.append(Datagram(payload: payload, source: address, sourcePort: port))
            }
        }
    }

    /// Receives up to `batch.capacity` datagrams with one `recvmmsg`, never more than this
    /// turn's share, into `batch.datagrams`. Returns how many it took off the socket,
    /// dropped ones included: 0 when none waits or the turn's share is used up, so
    /// `while socket.receive(into: batch) > 0 { ... }` reads one turn's batch and no more.
    @discardableResult
    public func receive(into batch: ReceiveBatch) -> Int {
        batch.reset()
        let allowed = turnBudget.take(upTo: batch.capacity)
        guard allowed > 0 else { return 0 }
        let received = batch.storage.withUnsafeMutableBytes { slots in
            batch.prepare(allowed, slots: slots)
            return Int(cnet_recvmmsg(fd, batch.messages, UInt32(allowed)))
        }
        guard received > 0 else {
            turnBudget.giveBack(allowed)
            return 0
        }
        turnBudget.giveBack(allowed - received)
        batch.collect(received)
        if capturesReceived, let capture {
            for datagram in batch.datagrams {
                datagram.payload.withUnsafeBytes {
                    capture.record($0, from: datagram.source, port: datagram.sourcePort, to: localAddress, port: localPort, sent: false)
                }
            }
        }
        return received
    }

    /// Datagrams to send with one ``send(_:)``: each payload is copied in as it is added
    /// (a DNS reply written into one reused buffer), except a body added with
    /// ``append(header:body:to:port:)``, which is sent from where it lies (a mapped boot file).
    public final class SendBatch {
        /// Datagrams one batch holds; ``append(_:to:port:)`` refuses more.
        public let capacity: Int
        public var count: Int { entries.count }
        public var isEmpty: Bool { entries.isEmpty }
        public var isFull: Bool { entries.count == capacity }

        fileprivate struct Entry {
            let offset: Int
            let length: Int
            let body: UnsafeRawBufferPointer?
            let address: IPv4Address
            let port: UInt16
        }

        fileprivate var entries: [Entry] = []
        fileprivate var bytes: [UInt8] = []
        fileprivate let messages: UnsafeMutablePointer<cnet_mmsghdr>
        fileprivate let vectors: UnsafeMutablePointer<iovec>
        fileprivate let destinations: UnsafeMutablePointer<sockaddr_in>

        public init(capacity: Int = EventLoop.readBatch) {
            precondition(capacity > 0, "a batch holds at least one datagram")
            self.capacity = capacity
            entries.reserveCapacity(capacity)
            messages = .allocate(capacity: capacity)
            messages.initialize(repeating: cnet_mmsghdr(), count: capacity)
            vectors = .allocate(capacity: 2 * capacity)
            vectors.initialize(repeating: iovec(), count: 2 * capacity)
            destinations = .allocate(capacity: capacity)
            destinations.initialize(repeating: sockaddr_in(), count: capacity)
            for index in 0..<capacity {
                messages[index].msg_hdr.msg_name = UnsafeMutableRawPointer(destinations + index)
                messages[index].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
                messages[index].msg_hdr.msg_iov = vectors + 2 * index
            }
        }

        deinit {
            messages.deallocate()
            vectors.deallocate()
            destinations.deallocate()
        }

        /// Adds a copy of `payload` for `address:port`; false (nothing added) when full.
        @discardableResult
        public func append(_ payload: UnsafeRawBufferPointer, to address: IPv4Address, port: UInt16) -> Bool {
            guard !isFull else { return false }
            entries.append(Entry(offset: bytes.count, length: payload.count, body: nil, address: address, port: port))
            bytes.append(contentsOf: payload)
            return true
        }

        @discardableResult
        public func append(_ payload: [UInt8], to address: IPv4Address, port: UInt16) -> Bool {
            payload.withUnsafeBytes { append($0, to: address, port: port) }
        }

        /// Adds one datagram of a copy of `header` followed by `body` itself, not copied:
        /// `body` must stay valid until the batch is sent.
        @discardableResult
        public func append(header: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, to address: IPv4Address, port: UInt16) -> Bool {
            guard !isFull else { return false }
            entries.append(Entry(offset: bytes.count, length: header.count, body: body.isEmpty ? nil : body, address: address, port: port))
            bytes.append(contentsOf: header)
            return true
        }

        fileprivate func removeAll() {
            entries.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: true)
        }
    }

    /// How a ``send(_:)`` went: every datagram of the batch is one or the other.
    public struct BatchSendResult: Equatable, Sendable {
        public var sent = 0
        /// Refused by the kernel: a full send queue (then the rest of the batch too, as
        /// a UDP server treats a full queue: lost packets) or a datagram it will not send
        /// (no route, too large).
        public var dropped = 0
    }

    /// Sends every datagram of `batch` in order with as few `sendmmsg` calls as the kernel
    /// allows, then empties the batch. A call that takes only the first few is called
    /// again for the rest; a datagram the kernel refuses is dropped and the next one tried.
    @discardableResult
    public func send(_ batch: SendBatch) -> BatchSendResult {
        defer { batch.removeAll() }
        let count = batch.entries.count
        guard count > 0 else { return BatchSendResult() }
        return batch.bytes.withUnsafeBytes { bytes in
            for (index, entry) in batch.entries.enumerated() {
                batch.vectors[2 * index] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress! + entry.offset), iov_len: entry.length)
                if let body = entry.body {
                    batch.vectors[2 * index + 1] = iovec(iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress), iov_len: body.count)
                }
                batch.messages[index].msg_hdr.msg_iovlen = entry.body == nil ? 1 : 2
                batch.destinations[index] = SocketAddress.make(entry.address, entry.port)
            }
            var result = BatchSendResult()
            var next = 0
            while next < count {
                let taken = Int(cnet_sendmmsg(fd, batch.messages + next, UInt32(count - next)))
                if taken > 0 {
                    if let capture { record(batch.entries[next..<(next + taken)], from: bytes, in: capture) }
                    result.sent += taken
                    next += taken
                } else if taken < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
                    result.dropped += count - next
                    break
                } else {
                    result.dropped += 1
                    next += 1
                }
            }
            return result
        }
    }

    private func record(_ entries: ArraySlice<SendBatch.Entry>, from bytes: UnsafeRawBufferPointer, in capture: PacketCapture) {
        for entry in entries {
            let header = UnsafeRawBufferPointer(rebasing: bytes[entry.offset..<(entry.offset + entry.length)])
            capture.record(header, entry.body, from: localAddress, port: localPort, to: entry.address, port: entry.port, sent: true)
        }
    }
}
