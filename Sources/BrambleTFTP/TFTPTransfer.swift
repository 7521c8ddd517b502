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
/// 4. Perform the returned ``Actions`` in order. After `finished`, `failed` or `abandoned`
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
        case armTimer(deadline: TFTPInstant)
        case finished(TFTPTransferSummary)
        case failed(TFTPTransferFailure)
        /// The client only probed the file: an expected end, not a failure.
        case abandoned(TFTPAbandonment)
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
        var deadline: TFTPInstant
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
    private var startedAt = TFTPInstant(nanoseconds: 0)
    /// The start, or the last ACK that acknowledged a new block (or the OACK).
    private var lastProgress = TFTPInstant(nanoseconds: 0)
    private var retransmits = 0

    public init(contents: any TFTPFileContents, parameters: TFTPTransferParameters, policy: TFTPRetransmissionPolicy = TFTPRetransmissionPolicy()) {
        self.contents = contents
        self.parameters = parameters
        self.policy = policy
        layout = TFTPBlockLayout(blockSize: parameters.blockSize, byteCount: contents.count)
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
    public mutating func start(now: TFTPInstant) -> Actions {
        guard case .notStarted = state else { return none }
        startedAt = now
        lastProgress = now
        guard parameters.sendsOptionAcknowledgement else { return sendFirstWindow(now: now) }
        let firstWait = parameters.timeout ?? policy.firstOptionAcknowledgementWait
        let timer = RetransmissionTimer(deadline: now + firstWait, consecutiveTimeouts: 0)
        state = .awaitingOptionAcknowledgement(timer)
        return actions(packet: .optionAcknowledgement(parameters.acknowledgedOptions), deadline: timer.deadline)
    }

    public mutating func received(_ packet: TFTPPacket, now: TFTPInstant) -> Actions {
        switch (state, packet) {
        case (.notStarted, _), (.ended, _):
            return none
        case (.awaitingOptionAcknowledgement, .acknowledgement(let number)):
            guard number == 0 else { return none }
            lastProgress = now
            return sendFirstWindow(now: now)
        case (.sending(let window), .acknowledgement(let number)):
            return acknowledged(number, window: window, now: now)
        case (_, .error(let code, let message)):
            let wasProbing = code == .notDefined && acknowledgedBlocks <= 1
            state = .ended
            if wasProbing { return actions(ending: .abandoned(.endedEarly(message: message))) }
            return actions(ending: .failed(.clientError(code, message: message)))
        case (_, .readRequest), (_, .writeRequest), (_, .data), (_, .optionAcknowledgement):
            state = .ended
            return actions(
                packet: .error(.illegalOperation, message: "\(packet.opcode) is not part of a read transfer"),
                ending: .failed(.illegalPacket(packet.opcode)))
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
    public mutating func timerFired(now: TFTPInstant) -> Actions {
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
                return actions(ending: .abandoned(.wentSilent(acknowledgedBlocks: 0)))
            }
            timer = RetransmissionTimer(deadline: now + timeout, consecutiveTimeouts: timer.consecutiveTimeouts + 1)
            state = .awaitingOptionAcknowledgement(timer)
            retransmits += 1
            return actions(packet: .optionAcknowledgement(parameters.acknowledgedOptions), deadline: timer.deadline)
        case .sending(var window):
            guard now >= window.timer.deadline else { return actions(deadline: window.timer.deadline) }
            guard window.timer.consecutiveTimeouts < policy.maximumRetransmissions else {
                state = .ended
                let acknowledged = window.lastAcknowledged
                // A client that took at most the first block was probing, as the Pi does.
                if acknowledged <= 1 { return actions(ending: .abandoned(.wentSilent(acknowledgedBlocks: acknowledged))) }
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
    private var stallDeadline: TFTPInstant { lastProgress + policy.maximumTimeWithoutProgress }

    private var acknowledgedBlocks: Int {
        if case .sending(let window) = state { window.lastAcknowledged } else { 0 }
    }

    private var none: Actions { Actions(layout: layout) }

    /// Deadlines never pass the stall deadline, so the timer wakes the transfer to end it.
    private func actions(packet: TFTPPacket? = nil, blocks: Range<Int> = 0..<0, deadline: TFTPInstant? = nil, ending: Action? = nil) -> Actions {
        var actions = Actions(layout: layout)
        actions.packet = packet
        actions.blocks = blocks
        actions.deadline = deadline.map { min($0, stallDeadline) }
        actions.ending = ending
        return actions
    }

    private mutating func sendFirstWindow(now: TFTPInstant) -> Actions {
        let timer = RetransmissionTimer(deadline: now + timeout, consecutiveTimeouts: 0)
        var window = Window(firstUnacknowledged: 1, nextUnsent: 1, timer: timer)
        let blocks = sendNewBlocks(of: &window)
        state = .sending(window)
        return actions(blocks: blocks, deadline: timer.deadline)
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
    private mutating func acknowledged(_ number: UInt16, window: Window, now: TFTPInstant) -> Actions {
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
        window.timer = RetransmissionTimer(deadline: now + timeout, consecutiveTimeouts: 0)
        let blocks = sendNewBlocks(of: &window)
        state = .sending(window)
        return actions(blocks: blocks, deadline: window.timer.deadline)
    }

    /// The blocks of the window never sent before (possibly none), marked as sent.
    private func sendNewBlocks(of window: inout Window) -> Range<Int> {
        let end = min(window.firstUnacknowledged + parameters.windowSize, blockCount + 1)
        guard window.nextUnsent < end else { return 0..<0 }
        let blocks = window.nextUnsent..<end
        window.nextUnsent = end
        return blocks
    }

    private func summary(now: TFTPInstant) -> TFTPTransferSummary {
        TFTPTransferSummary(
            bytes: contents.count, blocks: blockCount, duration: now.duration(since: startedAt),
            retransmits: retransmits, blockSize: parameters.blockSize, windowSize: parameters.windowSize)
    }
}
