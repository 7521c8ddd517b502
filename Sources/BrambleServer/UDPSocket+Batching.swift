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
    ///
    /// What changes per datagram lives in raw memory the batch owns, not in Swift arrays
    /// or `var`s of the class: each of those is checked for exclusive access at run time,
    /// on every datagram, and the checks cost more than the rest of the bookkeeping.
    public final class ReceiveBatch {
        /// Datagrams one ``receive(into:)`` may return.
        public let capacity: Int
        public let slotSize: Int

        /// What the last ``receive(into:)`` returned, in arrival order. Their payloads share
        /// this batch's storage: handle them before the next receive (a payload kept past it
        /// costs the batch a copy of its storage, not a wrong byte).
        public var datagrams: Datagrams { Datagrams(batch: self) }

        /// The datagrams of a batch, as a collection.
        public struct Datagrams: RandomAccessCollection {
            fileprivate let batch: ReceiveBatch
            public var startIndex: Int { 0 }
            public var endIndex: Int { batch.state.pointee.count }
            public subscript(position: Int) -> Datagram {
                precondition(position >= 0 && position < endIndex, "datagram \(position) of \(endIndex)")
                return batch.received[position]
            }
        }

        /// Datagrams the last ``receive(into:)`` took off the socket but could not return
        /// whole (see above; or cut short by the kernel, MSG_TRUNC).
        public var dropped: Int { state.pointee.dropped }
        /// The last ``receive(into:)`` got fewer datagrams than it asked the kernel for (or
        /// none): the socket was empty, and reading again now would cost a system call
        /// that finds nothing. The loop reports the socket again when more arrive.
        public var drained: Bool { state.pointee.drained }

        fileprivate struct State {
            var count = 0
            var dropped = 0
            var drained = false
        }

        fileprivate let state: UnsafeMutablePointer<State>
        /// The datagrams returned, the first `state.count` initialized.
        fileprivate let received: UnsafeMutablePointer<Datagram>
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
            state = .allocate(capacity: 1)
            state.initialize(to: State())
            received = .allocate(capacity: capacity)
            for index in 0..<capacity {
                vectors[2 * index + 1] = iovec(iov_base: spill.baseAddress, iov_len: Self.spillSize)
                messages[index].msg_hdr.msg_name = UnsafeMutableRawPointer(sources + index)
                messages[index].msg_hdr.msg_iov = vectors + 2 * index
                messages[index].msg_hdr.msg_iovlen = 2
            }
        }

        deinit {
            received.deinitialize(count: state.pointee.count)
            received.deallocate()
            state.deallocate()
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
            received.deinitialize(count: state.pointee.count)
            state.pointee = State()
            if !joined.isEmpty { joined.removeAll(keepingCapacity: true) }
        }

        /// Turns the kernel's `count` results into ``datagrams``, dropping what cannot be
        /// returned whole.
        fileprivate func collect(_ count: Int) {
            let storage = self.storage
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
                    state.pointee.dropped += 1
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
                (received + state.pointee.count).initialize(to: Datagram(payload: payload, source: address, sourcePort: port))
                state.pointee.count += 1
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
        guard allowed > 0 else {
            batch.state.pointee.drained = false
            return 0
        }
        let received = batch.storage.withUnsafeMutableBytes { slots in
            batch.prepare(allowed, slots: slots)
            return Int(cnet_recvmmsg(fd, batch.messages, UInt32(allowed)))
        }
        batch.state.pointee.drained = received < allowed
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
    ///
    /// Its storage is raw memory, not Swift arrays or `var`s of the class: appending is on
    /// the path of every reply, and those are checked for exclusive access at run time on
    /// each append, which cost more than the copy itself.
    public final class SendBatch {
        /// Datagrams one batch holds; ``append(_:to:port:)`` refuses more.
        public let capacity: Int
        public var count: Int { state.pointee.count }
        public var isEmpty: Bool { count == 0 }
        public var isFull: Bool { count == capacity }

        fileprivate struct State {
            var count = 0
            /// The copied payloads and headers, back to back; grows (doubling) as needed.
            var bytes: UnsafeMutableRawPointer
            var byteCount = 0
            var byteCapacity: Int
        }

        fileprivate struct Entry {
            var offset: Int
            var length: Int
            var body: UnsafeRawBufferPointer?
            var address: IPv4Address
            var port: UInt16
        }

        fileprivate let state: UnsafeMutablePointer<State>
        fileprivate let entries: UnsafeMutablePointer<Entry>
        fileprivate let messages: UnsafeMutablePointer<cnet_mmsghdr>
        fileprivate let vectors: UnsafeMutablePointer<iovec>
        fileprivate let destinations: UnsafeMutablePointer<sockaddr_in>

        /// - Parameter bytesPerDatagram: room reserved for each copied payload; more is
        ///   allocated when the payloads need it.
        public init(capacity: Int = EventLoop.readBatch, bytesPerDatagram: Int = 512) {
            precondition(capacity > 0 && bytesPerDatagram >= 0, "a batch holds at least one datagram")
            self.capacity = capacity
            entries = .allocate(capacity: capacity)
            let byteCapacity = max(capacity * bytesPerDatagram, 64)
            state = .allocate(capacity: 1)
            state.initialize(to: State(bytes: .allocate(byteCount: byteCapacity, alignment: 16), byteCapacity: byteCapacity))
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
            entries.deinitialize(count: count)
            entries.deallocate()
            state.pointee.bytes.deallocate()
            state.deallocate()
            messages.deallocate()
            vectors.deallocate()
            destinations.deallocate()
        }

        /// Adds a copy of `payload` for `address:port`; false (nothing added) when full.
        @discardableResult
        public func append(_ payload: UnsafeRawBufferPointer, to address: IPv4Address, port: UInt16) -> Bool {
            add(payload, body: nil, to: address, port: port)
        }

        @discardableResult
        public func append(_ payload: [UInt8], to address: IPv4Address, port: UInt16) -> Bool {
            payload.withUnsafeBytes { add($0, body: nil, to: address, port: port) }
        }

        /// Adds one datagram of a copy of `header` followed by `body` itself, not copied:
        /// `body` must stay valid until the batch is sent.
        @discardableResult
        public func append(header: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, to address: IPv4Address, port: UInt16) -> Bool {
            add(header, body: body.isEmpty ? nil : body, to: address, port: port)
        }

        private func add(_ copied: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer?, to address: IPv4Address, port: UInt16) -> Bool {
            let count = state.pointee.count, byteCount = state.pointee.byteCount
            guard count < capacity else { return false }
            if byteCount + copied.count > state.pointee.byteCapacity { grow(toHold: byteCount + copied.count) }
            if let source = copied.baseAddress { (state.pointee.bytes + byteCount).copyMemory(from: source, byteCount: copied.count) }
            (entries + count).initialize(to: Entry(offset: byteCount, length: copied.count, body: body, address: address, port: port))
            state.pointee.byteCount = byteCount + copied.count
            state.pointee.count = count + 1
            return true
        }

        private func grow(toHold needed: Int) {
            var larger = state.pointee.byteCapacity
            while larger < needed { larger *= 2 }
            let moved = UnsafeMutableRawPointer.allocate(byteCount: larger, alignment: 16)
            moved.copyMemory(from: state.pointee.bytes, byteCount: state.pointee.byteCount)
            state.pointee.bytes.deallocate()
            state.pointee.bytes = moved
            state.pointee.byteCapacity = larger
        }

        fileprivate func removeAll() {
            entries.deinitialize(count: count)
            state.pointee.count = 0
            state.pointee.byteCount = 0
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
        let count = batch.count
        var result = BatchSendResult()
        guard count > 0 else { return result }
        for index in 0..<count {
            let entry = batch.entries[index]
            batch.vectors[2 * index] = iovec(iov_base: batch.state.pointee.bytes + entry.offset, iov_len: entry.length)
            if let body = entry.body {
                batch.vectors[2 * index + 1] = iovec(iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress), iov_len: body.count)
            }
            batch.messages[index].msg_hdr.msg_iovlen = entry.body == nil ? 1 : 2
            batch.destinations[index] = SocketAddress.make(entry.address, entry.port)
        }
        var next = 0
        while next < count {
            let taken = Int(cnet_sendmmsg(fd, batch.messages + next, UInt32(count - next)))
            if taken > 0 {
                if let capture { record(batch, next..<(next + taken), in: capture) }
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

    private func record(_ batch: SendBatch, _ range: Range<Int>, in capture: PacketCapture) {
        for index in range {
            let entry = batch.entries[index]
            let header = UnsafeRawBufferPointer(start: batch.state.pointee.bytes + entry.offset, count: entry.length)
            capture.record(header, entry.body, from: localAddress, port: localPort, to: entry.address, port: entry.port, sent: true)
        }
    }
}
