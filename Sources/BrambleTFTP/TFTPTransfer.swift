import BrambleWire

/// One read transfer (RFC 1350 with RFC 2347 OACK and RFC 7440 windows) as a state machine:
/// inputs and `now` in, actions out. It owns no socket, clock or file, so a test drives it
/// packet by packet and instant by instant, and the event loop drives it the same way.
///
/// How the server drives it:
/// 1. ``start(now:)`` once, after negotiation.
/// 2. ``received(_:now:)`` for every packet decoded from the transfer's own socket *and*
///    the client's TID. Packets from another address or port never reach it: the server
///    answers those with ERROR 5 (unknown transfer ID) and carries on.
/// 3. ``timerFired(now:)`` when the deadline of the latest ``Action/armTimer(deadline:)``
///    passes. Each `armTimer` replaces the previous deadline; firing early is harmless.
/// 4. Perform the returned ``Actions`` in order. After `finished`, `failed` or `probeEnded`
///    the transfer is over: close its socket, drop its timer, forward the event.
/// 5. ``readFailed(_:)`` when the bytes of a block to send cannot be read (the file shrank
///    or was rewritten in place): the transfer ends with an ERROR to the client.
///
/// However the client behaves, a transfer ends at the latest
/// ``TFTPRetransmissionPolicy/maximumTimeWithoutProgress`` after the last ACK that moved
/// it on: a client (or a spoofed source that never hears the DATA) cannot hold a transfer
/// slot longer than that without taking new blocks.
///
/// Retransmission happens only when the timer fires, never on a duplicate ACK: answering
/// every duplicate with a resend is the Sorcerer's Apprentice bug, which doubles the
/// stream on each delayed ACK and is how a slow Pi 4 gets flooded.
public struct TFTPTransfer: Sendable {
    public enum Action: Hashable, Sendable {
        /// An OACK, or the ERROR that precedes a failure.
        case send(TFTPPacket)
        /// A data block: ``TFTPDataBlock/header`` followed by the block's bytes.
        case sendData(TFTPDataBlock)
        /// Wake the transfer (``timerFired(now:)``) at this instant, instead of any earlier
        /// deadline.
        case armTimer(deadline: MonotonicInstant)
        case finished(TFTPTransferSummary)
        case failed(TFTPTransferFailure)
        /// The client only probed the file: an expected end, not a failure.
        case probeEnded(TFTPProbeEnding)
    }

    /// Block numbers inside the state count from 1 without wrapping; only the wire number
    /// (``TFTPDataBlock/number``) wraps, so window arithmetic never meets the wrap.
    enum State: Sendable {
        case notStarted
        /// OACK sent; DATA 1 waits for ACK 0 (RFC 2347).
        case awaitingOptionAcknowledgement(RetransmissionTimer)
        case sending(Window)
        case ended
    }

    struct RetransmissionTimer: Sendable {
        var deadline: MonotonicInstant
        /// Timeouts in a row without progress; reset by every ACK that moves the window.
        var consecutiveTimeouts: Int
    }

    struct Window: Sendable {
        var firstUnacknowledged: Int
        /// Every block below this has been sent at least once.
        var nextUnsent: Int
        var timer: RetransmissionTimer

        var lastAcknowledged: Int { firstUnacknowledged - 1 }
    }

    /// The bytes sent; read only to build packets in ``dataPacket(_:)``.
    public let contents: any TFTPFileContents
    public let parameters: TFTPTransferParameters
    public let policy: TFTPRetransmissionPolicy
    /// Blocks in the file: the last one is short, empty when the size is a multiple of the
    /// block size, so even an empty file has one.
    public var blockCount: Int { layout.blockCount }
    let layout: TFTPBlockLayout
    private var state: State = .notStarted
    private var startedAt = MonotonicInstant(nanoseconds: 0)
    /// The start, or the last ACK that acknowledged a new block (or the OACK).
    private var lastProgress = MonotonicInstant(nanoseconds: 0)
    private var retransmits = 0
    /// ``timeout`` and the policy's time without progress in nanoseconds, converted once:
    /// every ACK computes both deadlines, and `Duration` arithmetic is a 128-bit multiply
    /// in the standard library each time.
    private let timeoutNanoseconds: UInt64
    private let stallNanoseconds: UInt64

    public init(contents: any TFTPFileContents, parameters: TFTPTransferParameters, policy: TFTPRetransmissionPolicy = TFTPRetransmissionPolicy()) {
        self.contents = contents
        self.parameters = parameters
        self.policy = policy
        layout = TFTPBlockLayout(blockSize: parameters.blockSize, byteCount: contents.count)
        timeoutNanoseconds = UInt64(max(0, (parameters.timeout ?? policy.defaultTimeout).wholeNanoseconds))
        stallNanoseconds = UInt64(max(0, policy.maximumTimeWithoutProgress.wholeNanoseconds))
    }

    /// The timeout in force: the client's, if it negotiated one.
    public var timeout: Duration { parameters.timeout ?? policy.defaultTimeout }

    /// The client has acknowledged something (the OACK or a block): it hears the hub,
    /// so its source address is real. See ``TFTPAdmission``.
    public var isAcknowledged: Bool {
        switch state {
        case .notStarted, .awaitingOptionAcknowledgement: false
        case .sending(let window): window.lastAcknowledged >= 1 || parameters.sendsOptionAcknowledgement
        case .ended: true
        }
    }

    public var hasEnded: Bool {
        if case .ended = state { true } else { false }
    }

    /// Sends the OACK, or without options the first window of data.
    public mutating func start(now: MonotonicInstant) -> Actions {
        guard case .notStarted = state else { return none }
        startedAt = now
        lastProgress = now
        guard parameters.sendsOptionAcknowledgement else { return sendFirstWindow(now: now) }
        let firstWait = parameters.timeout ?? policy.firstOptionAcknowledgementWait
        let timer = RetransmissionTimer(deadline: now + firstWait, consecutiveTimeouts: 0)
        state = .awaitingOptionAcknowledgement(timer)
        return actions(packet: .optionAcknowledgement(parameters.acknowledgedOptions), deadline: timer.deadline)
    }

    public mutating func received(_ packet: TFTPPacket, now: MonotonicInstant) -> Actions {
        switch (state, packet) {
        case (.notStarted, _), (.ended, _):
            return none
        case (_, .acknowledgement(let number)):
            return receivedAcknowledgement(number, now: now)
        case (_, .error(let code, let message)):
            let wasProbing = code == .notDefined && acknowledgedBlocks <= 1
            state = .ended
            if wasProbing { return actions(ending: .probeEnded(.endedEarly(message: message))) }
            return actions(ending: .failed(.clientError(code, message: message)))
        case (_, .readRequest), (_, .writeRequest), (_, .data), (_, .optionAcknowledgement):
            state = .ended
            return actions(
                packet: .error(.illegalOperation, message: "\(packet.opcode) is not part of a read transfer"),
                ending: .failed(.illegalPacket(packet.opcode)))
        }
    }

    /// An ACK of `number` (as on the wire): what ``received(_:now:)`` does with
    /// `.acknowledgement(block: number)`, without a packet to build and destroy, for the
    /// server's path of every block.
    public mutating func receivedAcknowledgement(_ number: UInt16, now: MonotonicInstant) -> Actions {
        switch state {
        case .notStarted, .ended:
            return none
        case .awaitingOptionAcknowledgement:
            guard number == 0 else { return none }
            lastProgress = now
            return sendFirstWindow(now: now)
        case .sending(let window):
            return acknowledged(number, window: window, now: now)
        }
    }

    /// The bytes of a block could not be read: the file shrank or was rewritten in place
    /// since the transfer started. The client gets ERROR 0 saying so (its next request
    /// reads the new file) and the transfer fails; a client that gets a file mixing two
    /// versions would boot, or fail to, for reasons no log would show.
    public mutating func readFailed(_ error: TFTPReadError) -> Actions {
        guard !hasEnded else { return none }
        state = .ended
        return actions(packet: .error(.notDefined, message: Self.fileChangedMessage), ending: .failed(.unreadable(error)))
    }

    /// The ERROR text for ``readFailed(_:)``: what happened and what to do.
    public static let fileChangedMessage = "the file changed on the server while it was sent; request it again"

    /// Resends what is unacknowledged, or ends the transfer once the retries are spent or
    /// it has gone ``TFTPRetransmissionPolicy/maximumTimeWithoutProgress`` without progress.
    public mutating func timerFired(now: MonotonicInstant) -> Actions {
        switch state {
        case .awaitingOptionAcknowledgement, .sending:
            guard now < stallDeadline else {
                let acknowledged = acknowledgedBlocks
                state = .ended
                return actions(ending: .failed(.noProgress(lastAcknowledgedBlock: acknowledged, for: now.duration(since: lastProgress))))
            }
        case .notStarted, .ended:
            break
        }
        switch state {
        case .notStarted, .ended:
            return none
        case .awaitingOptionAcknowledgement(var timer):
            guard now >= timer.deadline else { return actions(deadline: timer.deadline) }
            guard timer.consecutiveTimeouts < policy.maximumRetransmissions else {
                state = .ended
                return actions(ending: .probeEnded(.wentSilent(acknowledgedBlocks: 0)))
            }
            timer = RetransmissionTimer(deadline: now.adding(nanoseconds: timeoutNanoseconds), consecutiveTimeouts: timer.consecutiveTimeouts + 1)
            state = .awaitingOptionAcknowledgement(timer)
            retransmits += 1
            return actions(packet: .optionAcknowledgement(parameters.acknowledgedOptions), deadline: timer.deadline)
        case .sending(var window):
            guard now >= window.timer.deadline else { return actions(deadline: window.timer.deadline) }
            guard window.timer.consecutiveTimeouts < policy.maximumRetransmissions else {
                state = .ended
                let acknowledged = window.lastAcknowledged
                // A client that took at most the first block was probing, as the Pi does.
                if acknowledged <= 1 { return actions(ending: .probeEnded(.wentSilent(acknowledgedBlocks: acknowledged))) }
                return actions(ending: .failed(.timedOut(lastAcknowledgedBlock: acknowledged)))
            }
            let attempt = window.timer.consecutiveTimeouts + 1
            // After the last resend, stay quiet long enough for the client's own timer to
            // fire: a client that ignores duplicate DATA re-ACKs only once we stop sending.
            let isLast = attempt == policy.maximumRetransmissions && window.lastAcknowledged > 1
            let wait = isLast ? max(timeout, policy.finalWait) : timeout
            window.timer = RetransmissionTimer(deadline: now + wait, consecutiveTimeouts: attempt)
            state = .sending(window)
            let resent = window.firstUnacknowledged..<window.nextUnsent
            retransmits += resent.count
            return actions(blocks: resent, deadline: window.timer.deadline)
        }
    }

    /// The block with this 1-based number, counted without wrapping.
    public func block(_ index: Int) -> TFTPDataBlock { layout.block(index) }

    /// The whole DATA packet, copied out of ``contents``: for tests and replays.
    public func dataPacket(_ block: TFTPDataBlock) throws(TFTPReadError) -> [UInt8] {
        try block.header + contents.bytes(in: block.range)
    }

    /// When the transfer ends whatever the retransmission timer says.
    private var stallDeadline: MonotonicInstant { lastProgress.adding(nanoseconds: stallNanoseconds) }

    private var acknowledgedBlocks: Int {
        if case .sending(let window) = state { window.lastAcknowledged } else { 0 }
    }

    private var none: Actions { Actions(layout: layout) }

    /// Deadlines never pass the stall deadline, so the timer wakes the transfer to end it.
    private func actions(packet: TFTPPacket? = nil, blocks: Range<Int> = 0..<0, deadline: MonotonicInstant? = nil, ending: Action? = nil) -> Actions {
        var actions = Actions(layout: layout)
        if packet != nil || ending != nil { actions.rare = Actions.Rare(packet: packet, ending: ending) }
        actions.blocks = blocks
        actions.deadline = deadline.map { min($0, stallDeadline) }
        return actions
    }

    /// ``actions(packet:blocks:deadline:ending:)`` with only DATA and a deadline, what nearly
    /// every ACK returns: no optional packet and ending to pass in and destroy per block.
    private func dataActions(blocks: Range<Int>, deadline: MonotonicInstant) -> Actions {
        var actions = Actions(layout: layout)
        actions.blocks = blocks
        actions.deadline = min(deadline, stallDeadline)
        return actions
    }

    private mutating func sendFirstWindow(now: MonotonicInstant) -> Actions {
        let timer = RetransmissionTimer(deadline: now.adding(nanoseconds: timeoutNanoseconds), consecutiveTimeouts: 0)
        var window = Window(firstUnacknowledged: 1, nextUnsent: 1, timer: timer)
        let blocks = sendNewBlocks(of: &window)
        state = .sending(window)
        return dataActions(blocks: blocks, deadline: timer.deadline)
    }

    /// An ACK moves the window only when it acknowledges a block that was sent and not yet
    /// acknowledged. Any other ACK (a duplicate, a late one from before a retransmission,
    /// one for a block never sent) changes nothing and sends nothing.
    ///
    /// A moved window sends only blocks never sent before, up to the new window's end.
    /// Blocks after the acknowledged one that were already sent are not resent here, even
    /// when an RFC 7440 client acknowledges short of the window to report a gap: a client
    /// that acknowledges every block would otherwise get each block up to `windowSize`
    /// times. They go again when the timer fires, from the first unacknowledged block.
    private mutating func acknowledged(_ number: UInt16, window: Window, now: MonotonicInstant) -> Actions {
        var window = window
        let distance = Int(number &- UInt16(truncatingIfNeeded: window.lastAcknowledged))
        let block = window.lastAcknowledged + distance
        guard distance > 0, block < window.nextUnsent else { return none }
        if block == blockCount {
            state = .ended
            return actions(ending: .finished(summary(now: now)))
        }
        window.firstUnacknowledged = block + 1
        lastProgress = now
        window.timer = RetransmissionTimer(deadline: now.adding(nanoseconds: timeoutNanoseconds), consecutiveTimeouts: 0)
        let blocks = sendNewBlocks(of: &window)
        state = .sending(window)
        return dataActions(blocks: blocks, deadline: window.timer.deadline)
    }

    /// The blocks of the window never sent before (possibly none), marked as sent.
    private func sendNewBlocks(of window: inout Window) -> Range<Int> {
        let end = min(window.firstUnacknowledged + parameters.windowSize, blockCount + 1)
        guard window.nextUnsent < end else { return 0..<0 }
        let blocks = window.nextUnsent..<end
        window.nextUnsent = end
        return blocks
    }

    private func summary(now: MonotonicInstant) -> TFTPTransferSummary {
        TFTPTransferSummary(
            bytes: contents.count, blocks: blockCount, duration: now.duration(since: startedAt),
            retransmits: retransmits, blockSize: parameters.blockSize, windowSize: parameters.windowSize)
    }
}

extension TFTPTransfer {
    /// What the server does after one input, always in this order: send ``packet``, send
    /// the DATA ``blocks``, arm the timer for ``deadline``, then end with ``ending``.
    ///
    /// A plain value with no array inside: a transfer answers each ACK without allocating,
    /// which matters at one ACK per 512-byte block. It reads as a collection of ``Action``
    /// in that order too, for tests and for callers that prefer one switch.
    public struct Actions: RandomAccessCollection, Hashable, Sendable {
        /// An OACK, or the ERROR that precedes a failure.
        public var packet: TFTPPacket? { rare?.packet }
        /// Blocks to send, counted from 1 without wrapping; ``block(_:)`` gives each one's
        /// wire number and byte range.
        public internal(set) var blocks: Range<Int> = 0..<0
        /// Wake the transfer at this instant, instead of any earlier deadline.
        public internal(set) var deadline: MonotonicInstant?
        /// `finished`, `failed` or `probeEnded`: the transfer is over.
        public var ending: Action? { rare?.ending }
        /// False when there is no ``packet`` and no ``ending``, only DATA and a deadline, as
        /// for nearly every ACK: a caller that checks this first skips copying both
        /// optionals out (and destroying the copies) at every block.
        public var hasPacketOrEnding: Bool { rare != nil }
        /// The packet and the ending, out of line. Both are rare (an OACK, an ERROR, the
        /// end) and large: inline they made every ACK's actions a value of well over a
        /// hundred bytes, copied several times per block with `memcpy`. One allocation per
        /// transfer's OACK, ERROR or end; none per ACK.
        var rare: Rare?
        let layout: TFTPBlockLayout

        final class Rare: Hashable, Sendable {
            let packet: TFTPPacket?
            let ending: Action?

            init(packet: TFTPPacket?, ending: Action?) {
                self.packet = packet
                self.ending = ending
            }

            static func == (lhs: Rare, rhs: Rare) -> Bool { lhs.packet == rhs.packet && lhs.ending == rhs.ending }

            func hash(into hasher: inout Hasher) {
                hasher.combine(packet)
                hasher.combine(ending)
            }
        }

        init(layout: TFTPBlockLayout) {
            self.layout = layout
        }

        /// The DATA block with this index from ``blocks``.
        public func block(_ index: Int) -> TFTPDataBlock { layout.block(index) }

        public var startIndex: Int { 0 }
        public var endIndex: Int { (packet == nil ? 0 : 1) + blocks.count + (deadline == nil ? 0 : 1) + (ending == nil ? 0 : 1) }

        public subscript(position: Int) -> Action {
            precondition(position >= 0 && position < endIndex, "action \(position) of \(endIndex)")
            var index = position
            if let packet {
                if index == 0 { return .send(packet) }
                index -= 1
            }
            if index < blocks.count { return .sendData(block(blocks.lowerBound + index)) }
            index -= blocks.count
            if let deadline {
                if index == 0 { return .armTimer(deadline: deadline) }
                index -= 1
            }
            guard let ending, index == 0 else { preconditionFailure("action \(position) of \(endIndex)") }
            return ending
        }
    }
}

/// How a file of `byteCount` bytes splits into blocks of `blockSize`.
struct TFTPBlockLayout: Hashable, Sendable {
    let blockSize: Int
    let byteCount: Int

    /// The last block is short, empty when the size is a multiple of the block size, so even
    /// an empty file has one.
    var blockCount: Int { byteCount / blockSize + 1 }

    /// The block with this 1-based number, counted without wrapping.
    func block(_ index: Int) -> TFTPDataBlock {
        let start = (index - 1) * blockSize
        let end = min(start + blockSize, byteCount)
        return TFTPDataBlock(number: UInt16(truncatingIfNeeded: index), range: start..<end)
    }
}

/// The outcome of option negotiation: how a read transfer runs, and the OACK that tells
/// the client so.
public struct TFTPTransferParameters: Hashable, Sendable {
    /// Bytes per DATA block: 512 unless the client asked for another size (RFC 2348).
    public var blockSize: Int
    /// Blocks sent before waiting for an ACK: 1 (lockstep) unless negotiated (RFC 7440).
    public var windowSize: Int
    /// The retransmission timeout the client asked for (RFC 2349), nil for the server's
    /// default.
    public var timeout: Duration?
    /// The options granted, in the order the client asked, to send in an OACK. Empty means
    /// no OACK: the transfer is plain RFC 1350 and starts with DATA 1.
    public var acknowledgedOptions: TFTPOptions

    public init(
        blockSize: Int = TFTPOptionNegotiation.defaultBlockSize, windowSize: Int = 1,
        timeout: Duration? = nil, acknowledgedOptions: TFTPOptions = []
    ) {
        self.blockSize = blockSize
        self.windowSize = windowSize
        self.timeout = timeout
        self.acknowledgedOptions = acknowledgedOptions
    }

    /// Plain RFC 1350: 512-byte blocks in lockstep, no OACK.
    public static let rfc1350 = TFTPTransferParameters()

    public var sendsOptionAcknowledgement: Bool { !acknowledgedOptions.isEmpty }
}

/// A DATA packet to send, described rather than built: its block number and the range of
/// the transfer's bytes it carries.
///
/// The server writes ``header`` and the range's bytes with one `sendmsg` (two iovecs), so
/// no block is ever copied into a packet buffer; ``TFTPTransfer/dataPacket(_:)`` builds the
/// packet for callers that want one.
public struct TFTPDataBlock: Hashable, Sendable, CustomStringConvertible {
    /// The block number on the wire: wraps to 0 after 65535 (block 65536 is sent as 0).
    public let number: UInt16
    /// Offsets into ``TFTPFileContents``; shorter than the block size only for the last
    /// block, and empty when the size is a multiple of the block size (RFC 1350: a block
    /// under the block size ends the transfer).
    public let range: Range<Int>

    public init(number: UInt16, range: Range<Int>) {
        self.number = number
        self.range = range
    }

    /// The 4-byte DATA header: opcode 3 and the block number, big-endian.
    public var header: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4)
        NetworkByteOrder.append(TFTPOpcode.data.rawValue, to: &bytes)
        NetworkByteOrder.append(number, to: &bytes)
        return bytes
    }

    public var description: String { "DATA \(number) [\(range.lowerBound)..<\(range.upperBound)]" }
}

/// When the server resends and when it gives up.
///
/// The default timeout is deliberately long for a LAN: a Pi 4 can hang when a block is
/// retransmitted too early (docs/raspberry-pi-netboot.md, quirks), so the first resend waits the
/// client's own `timeout` option or a full second.
public struct TFTPRetransmissionPolicy: Hashable, Sendable {
    /// Used unless the client negotiated `timeout`.
    public var defaultTimeout: Duration
    /// Resends of the same packet (or window) without progress before the transfer ends.
    /// With the defaults a silent probe is dropped 6 s after the last packet it answered,
    /// quick enough for the abandoned probes.
    public var maximumRetransmissions: Int
    /// How long to wait after the last retransmission before giving up on a transfer past
    /// its first block (probes keep the plain timeout).
    ///
    /// It must outlast the client's own retransmission timer. Clients such as atftp answer
    /// only the first duplicate DATA with an extra ACK, ignore the rest, and restart their
    /// timer (5 s) on each one they ignore, so while the server resends every second they
    /// never re-ACK. If both the ACK and that extra ACK are lost, the client's re-ACK only
    /// comes once the server has gone quiet: 5 s after the last resend. 12 s leaves room
    /// for two such re-ACKs, and the whole silence (5 s + 12 s) stays well inside the
    /// Pi 4's 30 s per-file budget.
    public var finalWait: Duration
    /// How long the first OACK waits for its ACK before it is resent, unless the client
    /// negotiated `timeout`. A repeated OACK is not harmless: atftp aborts the transfer on
    /// the second one ("unexpected OACK"), and in a 48-client boot storm on a loaded hub a
    /// client's ACK of the OACK can take over a second. The later resends keep the plain
    /// timeout, so a silent probe is still dropped within seconds.
    public var firstOptionAcknowledgementWait: Duration
    /// The longest a transfer lives without an ACK that moves it on (the OACK's, or one of
    /// a new block), whatever the schedule above says: it holds one of the limited
    /// transfer slots and a socket. 30 s is the Pi 4's own budget per file; a client
    /// silent that long has given up. With the defaults the schedule ends a silent
    /// transfer after at most 17 s; with the largest `timeout` granted (5 s,
    /// ``TFTPServerLimits/maximumTimeoutSeconds``) it would take 32 s, and this cuts it.
    public var maximumTimeWithoutProgress: Duration

    public init(
        defaultTimeout: Duration = .seconds(1), maximumRetransmissions: Int = 5, finalWait: Duration = .seconds(12),
        firstOptionAcknowledgementWait: Duration = .seconds(2), maximumTimeWithoutProgress: Duration = .seconds(30)
    ) {
        self.defaultTimeout = defaultTimeout
        self.maximumRetransmissions = maximumRetransmissions
        self.finalWait = finalWait
        self.firstOptionAcknowledgementWait = firstOptionAcknowledgementWait
        self.maximumTimeWithoutProgress = maximumTimeWithoutProgress
    }
}

/// What a completed transfer did, for the boot log and metrics.
public struct TFTPTransferSummary: Hashable, Sendable, CustomStringConvertible {
    public var bytes: Int
    /// DATA blocks in the file, counting the final short (possibly empty) one.
    public var blocks: Int
    /// From ``TFTPTransfer/start(now:)`` to the last ACK.
    public var duration: Duration
    /// Packets sent again after a timeout: a healthy LAN transfer has none, and a count that
    /// grows across boots points at the switch or a client's timing.
    public var retransmits: Int
    public var blockSize: Int
    public var windowSize: Int

    public init(bytes: Int, blocks: Int, duration: Duration, retransmits: Int, blockSize: Int, windowSize: Int) {
        self.bytes = bytes
        self.blocks = blocks
        self.duration = duration
        self.retransmits = retransmits
        self.blockSize = blockSize
        self.windowSize = windowSize
    }

    public var description: String {
        "\(bytes) bytes in \(blocks) blocks of \(blockSize) (window \(windowSize)), \(duration), \(retransmits) retransmits"
    }
}

/// Why a transfer ended without delivering the file. Each of these is a real problem worth
/// a line in the node's boot log, unlike ``TFTPProbeEnding``.
public enum TFTPTransferFailure: Hashable, Sendable, CustomStringConvertible {
    /// The client stopped answering after it had taken more than the first block.
    case timedOut(lastAcknowledgedBlock: Int)
    /// The client sent ERROR mid-transfer, or refused the OACK (code 8).
    case clientError(TFTPErrorCode, message: String)
    /// A packet a read transfer's client never sends (DATA, a request, an OACK); the
    /// server answered ERROR 4.
    case illegalPacket(TFTPOpcode)
    /// No ACK moved the transfer on for this long (``TFTPRetransmissionPolicy/maximumTimeWithoutProgress``),
    /// whatever the retransmission schedule: the slot is freed for other clients.
    case noProgress(lastAcknowledgedBlock: Int, for: Duration)
    /// The file could not be read any more (it shrank or was rewritten in place); the
    /// client got ERROR 0 and can ask again for the new file.
    case unreadable(TFTPReadError)

    public var description: String {
        switch self {
        case .timedOut(let block):
            "timed out: no answer after block \(block)"
        case .clientError(let code, let message):
            "client sent error \(code): \(message)"
        case .illegalPacket(let opcode):
            "client sent \(opcode) during a read transfer"
        case .noProgress(let block, let duration):
            "ended: no progress for \(duration) after block \(block)"
        case .unreadable(let error):
            "stopped: \(error)"
        }
    }
}

/// How a client walked away from a transfer it only meant to probe. Normal Pi firmware
/// behaviour (it checks a file exists, or reads its `tsize`, then asks again), so it is
/// reported as the end of a probe and never logged as a failure.
public enum TFTPProbeEnding: Hashable, Sendable, CustomStringConvertible {
    /// ERROR 0 (usually "Early terminate") after the OACK or the first block.
    case endedEarly(message: String)
    /// No answer to the OACK or the first block until the retries ran out. A client that
    /// lost every packet looks the same; the bounded wait keeps that rare case cheap.
    case wentSilent(acknowledgedBlocks: Int)

    public var description: String {
        switch self {
        case .endedEarly(let message): "client ended the probe: \(message)"
        case .wentSilent(let blocks): "client went silent after \(blocks) acknowledged block(s)"
        }
    }
}

/// What a TFTP transfer contributes to the boot-event stream. The server adds the client
/// and the time; the per-node timeline reads the file names to place the node in its boot
/// (bootcode.bin, start4.elf, config.txt, the kernel).
public enum TFTPEvent: Hashable, Sendable {
    /// A transfer began: the name asked for, the file chosen for it, what was negotiated.
    case started(fileName: String, resolved: TFTPResolvedPath, parameters: TFTPTransferParameters)
    case finished(TFTPTransferSummary)
    case failed(TFTPTransferFailure)
    /// The client only probed the file (read its size or first block and left): normal Pi
    /// firmware behaviour, reported so a timeline can show it, never as a failure.
    case probeEnded(TFTPProbeEnding)

    /// The event a transfer's final action stands for; nil for actions that do not end it.
    public init?(ending action: TFTPTransfer.Action) {
        switch action {
        case .finished(let summary): self = .finished(summary)
        case .failed(let failure): self = .failed(failure)
        case .probeEnded(let ending): self = .probeEnded(ending)
        case .send, .sendData, .armTimer: return nil
        }
    }
}
