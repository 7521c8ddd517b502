import BrambleBoot
import BrambleTFTP
import BrambleWire
import CNetShims
import Glibc
import Logging

/// One read transfer on the wire: its timer, its send buffer, and the sending of its DATA
/// blocks on the port every transfer shares (``TFTPTransferPort``). What to send is the
/// server's (``TFTPServer``, through ``TFTPService``): this performs the
/// ``TFTPTransfer/Actions`` it returns.
///
/// It acts only on datagrams from the client's address and port: the service looks the
/// session up by that pair, and anything else arriving on the port gets ERROR 5 (unknown
/// transfer ID) and changes nothing, so a stray or spoofed packet from another address or
/// port cannot end or steer a transfer.
///
/// The mutable state is marked `@exclusivity(unchecked)`: it is touched block after block,
/// only from the loop's one thread and never through overlapping accesses, and the dynamic
/// checks (a thread-local access set, entered and left at every access) cost more
/// instructions per block than deciding what to send.
final class TFTPSession {
    /// The client's address and port: the transfer's key in the server's table.
    let id: TFTPTransferID
    let fileName: String
    /// Shared with the service. A strong `let`: a call through it borrows the reference,
    /// where an `unowned(unsafe)` one is copied (retained and released) at every block.
    private let port: TFTPTransferPort
    /// Owned by the service, which owns this session and outlives it; not strong, which
    /// would make a cycle through the service's table.
    private unowned(unsafe) let service: TFTPService
    /// The bytes sent and how: copied from the start, read block by block.
    private let contents: any TFTPFileContents
    private let blockSize: Int
    private let loop: EventLoop
    private let logger: Logger
    /// Says once that the transfer has run longer than half of the Pi bootloader's
    /// per-file timeout and is still going.
    @exclusivity(unchecked) private var slowWatch: SlowTransferWatch
    /// The loop timer, and when it fires. Deadlines only move later (each ACK pushes the
    /// retransmission deadline to now + timeout), so a pending timer that fires before the
    /// transfer's current deadline is left alone: the transfer answers an early wake with
    /// the real deadline. That is one timer per timeout period instead of one per ACK.
    @exclusivity(unchecked) private var timer: EventLoop.TimerID?
    @exclusivity(unchecked) private var timerDeadline: MonotonicInstant?
    @exclusivity(unchecked) private var ended = false
    /// Windows (RFC 7440) leave as UDP GSO trains of up to ``trainBlocks`` blocks until
    /// the kernel refuses one; then this transfer sends block by block.
    @exclusivity(unchecked) private var segmenting: Bool
    /// Blocks per GSO train: the window, as far as one UDP datagram's 64 KB and the
    /// kernel's 64 segments allow.
    private let trainBlocks: Int
    /// The file's bytes from ``buffered``, read with `pread` (never a pointer into a
    /// mapping: see ``OpenBootFile``) up to ``readAheadBlocks`` blocks at a time, so a
    /// lockstep transfer pays one read per 16 blocks, not one per block. Allocated once per
    /// transfer, at a fixed address: a queued block points into it until the port's batch
    /// leaves (``queuedAt``).
    private let sendBuffer: UnsafeMutableRawBufferPointer
    /// The range of the file that ``sendBuffer`` holds.
    @exclusivity(unchecked) private var buffered: Range<Int> = 0..<0
    /// The port's ``TFTPTransferPort/flushes`` when this last queued a block: while that
    /// batch waits, ``sendBuffer`` must neither be read over nor freed.
    @exclusivity(unchecked) private var queuedAt = -1
    @exclusivity(unchecked) private var windowHeaders: [UInt32]
    @exclusivity(unchecked) private var windowVectors: [iovec]

    /// The most bytes one GSO `sendmsg` carries: a UDP datagram's payload limit (65,507)
    /// with room to spare.
    static let maximumTrainBytes = 65_000
    /// The kernel refuses a GSO train of more segments than this (UDP_MAX_SEGMENTS).
    static let maximumTrainSegments = 64
    /// Blocks read at once, within 64 KB: 8 KB at 512-byte blocks, 23 KB at 1468.
    static let readAheadBlocks = 16

    init(port: TFTPTransferPort, id: TFTPTransferID, fileName: String, start: TFTPStart, service: TFTPService, loop: EventLoop, logger: Logger) {
        self.port = port
        self.id = id
        self.fileName = fileName
        contents = start.contents
        let blockSize = start.parameters.blockSize
        self.blockSize = blockSize
        self.service = service
        self.loop = loop
        self.logger = logger
        slowWatch = SlowTransferWatch(started: loop.now.nanoseconds, thresholdMilliseconds: BootloaderFileTimeout.warningMilliseconds)
        let trainBlocks = min(start.parameters.windowSize, Self.maximumTrainBytes / (4 + blockSize), Self.maximumTrainSegments)
        self.trainBlocks = max(1, trainBlocks)
        segmenting = trainBlocks > 1
        let bufferBlocks = max(trainBlocks, min(Self.readAheadBlocks, 65_536 / blockSize), 1)
        sendBuffer = .allocate(byteCount: bufferBlocks * blockSize, alignment: 16)
        windowHeaders = trainBlocks > 1 ? [UInt32](repeating: 0, count: trainBlocks) : []
        windowVectors = trainBlocks > 1 ? [iovec](repeating: iovec(), count: 2 * trainBlocks) : []
    }

    deinit {
        if let timer { loop.cancel(timer) }
        sendBuffer.deallocate()
    }

    /// Queues what the server decided at `now` on the port, arms the timer, and hands an
    /// ending back to the service. The caller sends the port's batch (``TFTPTransferPort/flush()``).
    func perform(_ actions: TFTPTransfer.Actions, at now: MonotonicInstant) {
        guard !ended else { return }
        // Nearly every ACK's actions are DATA and a deadline: no packet or ending to copy out.
        let rare = actions.hasPacketOrEnding
        // An OACK or ERROR: its options and message are bounded, so it always encodes.
        if rare, let packet = actions.packet, let bytes = try? packet.encoded() { port.queue(bytes, to: id) }
        do throws(TFTPReadError) {
            try send(actions)
        } catch {
            // The file shrank or was rewritten under the transfer: ERROR to the client,
            // and the transfer ends as failed, which the service logs with the file name.
            if let failed = service.readFailed(error, for: self) { perform(failed, at: now) }
            return
        }
        if let deadline = actions.deadline { arm(deadline) }
        if rare, let ending = actions.ending {
            end(TFTPEvent(ending: ending))
        } else if let milliseconds = slowWatch.check(now: now.nanoseconds) {
            service.slow(self, milliseconds: milliseconds)
        }
    }

    /// The DATA blocks of `actions`: as GSO trains while the kernel takes them, else one
    /// by one.
    private func send(_ actions: TFTPTransfer.Actions) throws(TFTPReadError) {
        var next = actions.blocks.lowerBound
        while next < actions.blocks.upperBound {
            let train = next..<min(next + trainBlocks, actions.blocks.upperBound)
            if train.count > 1, segmenting, try sendTrain(train, of: actions) {
                next = train.upperBound
            } else {
                try sendData(actions.block(next))
                next += 1
            }
        }
    }

    /// Where `range` of the file starts in ``sendBuffer``, reading it (and what follows,
    /// as far as the buffer goes) unless the buffer holds it already.
    private func buffer(_ range: Range<Int>) throws(TFTPReadError) -> Int {
        if range.lowerBound >= buffered.lowerBound, range.upperBound <= buffered.upperBound {
            return range.lowerBound - buffered.lowerBound
        }
        if port.isWaiting(since: queuedAt) { port.flush() }
        buffered = 0..<0
        let length = min(sendBuffer.count, contents.count - range.lowerBound)
        try contents.read(into: UnsafeMutableRawBufferPointer(rebasing: sendBuffer[0..<length]), at: range.lowerBound)
        buffered = range.lowerBound..<(range.lowerBound + length)
        return 0
    }

    /// Queues the block on the port: its header, and its bytes where ``sendBuffer`` holds them.
    private func sendData(_ block: TFTPDataBlock) throws(TFTPReadError) {
        let start = try buffer(block.range)
        let header = UInt32(TFTPOpcode.data.rawValue) << 16 | UInt32(block.number)
        port.queue(header: header, body: UnsafeRawBufferPointer(rebasing: sendBuffer[start..<(start + block.range.count)]), to: id)
        queuedAt = port.flushes
    }

    /// The train's blocks as one GSO `sendmsg`: each block's 4-byte header from
    /// ``windowHeaders`` followed by its range of ``sendBuffer``, which holds the train's
    /// span of the file. Every block but the file's last is full, and the last can only
    /// end a window, so the kernel's cut at 4 + block size falls exactly between blocks.
    /// False when the kernel cannot segment: send one by one.
    private func sendTrain(_ blocks: Range<Int>, of actions: TFTPTransfer.Actions) throws(TFTPReadError) -> Bool {
        let first = actions.block(blocks.lowerBound), last = actions.block(blocks.upperBound - 1)
        let span = first.range.lowerBound..<last.range.upperBound
        let start = try buffer(span)
        // What is queued goes first, so the client sees this transfer's blocks in order.
        port.flush()
        let body = sendBuffer
        let outcome = windowHeaders.withUnsafeMutableBufferPointer { headers in
            windowVectors.withUnsafeMutableBufferPointer { vectors in
                var count = 0
                for (slot, index) in blocks.enumerated() {
                    let block = actions.block(index)
                    headers[slot] = (UInt32(TFTPOpcode.data.rawValue) << 16 | UInt32(block.number)).bigEndian
                    vectors[count] = iovec(iov_base: UnsafeMutableRawPointer(headers.baseAddress.map { $0 + slot }), iov_len: 4)
                    count += 1
                    guard !block.range.isEmpty, let base = body.baseAddress else { continue }
                    vectors[count] = iovec(iov_base: base + start + (block.range.lowerBound - span.lowerBound), iov_len: block.range.count)
                    count += 1
                }
                return port.socket.sendSegmented(
                    UnsafeBufferPointer(rebasing: vectors[0..<count]), segmentSize: 4 + blockSize, to: id.address, port: id.port)
            }
        }
        guard case .unsupported(let error) = outcome else { return true }
        logger.debug("TFTP \(fileName) to \(id): \(error); sending block by block")
        segmenting = false
        return false
    }

    private func arm(_ deadline: MonotonicInstant) {
        if let timerDeadline, timerDeadline <= deadline { return }
        if let timer { loop.cancel(timer) }
        timerDeadline = deadline
        // Not `weak`: a weak reference gives the session a side table, and every retain and
        // release of it, several per block, then takes the runtime's slow path. The timer
        // never outlives the session (``end(_:)`` and `deinit` cancel it), and the call holds
        // the session strongly, since firing can end the transfer and free it.
        timer = loop.schedule(at: deadline) { [unowned(unsafe) self] in withExtendedLifetime(self) { $0.timerFired() } }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = nil
        let now = loop.now
        if let actions = service.timerFired(for: self, at: now) { perform(actions, at: now) }
        port.flush()
    }

    private func end(_ event: TFTPEvent?) {
        guard !ended, let event else { return }
        ended = true
        if let timer { loop.cancel(timer) }
        timer = nil
        // The service lets go of this session, and its buffer with it.
        if port.isWaiting(since: queuedAt) { port.flush() }
        port.ended(id)
        service.ended(self, event)
    }
}
