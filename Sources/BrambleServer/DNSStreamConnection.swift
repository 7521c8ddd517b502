import CNetShims
import Glibc

/// One DNS-over-TCP connection in the loop (RFC 7766), a client's or ours to an upstream:
/// length-prefixed messages in and out over a non-blocking stream, partial reads and
/// writes carried over to the next readiness event, closed after an idle period.
///
/// The owner hears of each whole message and of the close; it removes the connection from
/// its tables in ``onClose``, which runs once.
final class DNSStreamConnection {
    /// Answers a client has not read yet, beyond which it is dropped: a client that
    /// pipelines queries but never reads must not grow the hub's memory.
    static let maximumPendingOutput = 256 * 1024

    let stream: TCPStream
    private let loop: EventLoop
    private let idleNanoseconds: UInt64
    private var framer = LengthPrefixedFramer()
    private var output: [UInt8] = []
    private var outputStart = 0
    private var watchingWritable = false
    private var lastActivity: MonotonicInstant
    private var idleTimer: EventLoop.TimerID?
    private(set) var isClosed = false
    private let onMessage: (ArraySlice<UInt8>) -> Void
    private let onClose: () -> Void

    /// Registers with the loop. `onMessage` gets each message without its prefix.
    init(
        stream: TCPStream, loop: EventLoop, idleMilliseconds: Int,
        onMessage: @escaping (ArraySlice<UInt8>) -> Void, onClose: @escaping () -> Void
    ) throws(SystemCallError) {
        self.stream = stream
        self.loop = loop
        idleNanoseconds = UInt64(idleMilliseconds) * 1_000_000
        lastActivity = loop.now
        self.onMessage = onMessage
        self.onClose = onClose
        try loop.register(stream.fd) { [weak self] events in self?.handle(events) }
        idleTimer = loop.schedule(afterMilliseconds: idleMilliseconds) { [weak self] in self?.checkIdle() }
    }

    deinit {
        if !isClosed { loop.deregister(stream.fd) }
        if let idleTimer { loop.cancel(idleTimer) }
    }

    /// Queues `message` with its length prefix and writes what the socket takes now.
    func send(_ message: [UInt8]) {
        guard !isClosed else { return }
        LengthPrefixedFramer.frame(message, into: &output)
        guard output.count - outputStart <= Self.maximumPendingOutput else {
            close()
            return
        }
        flush()
    }

    /// Stops watching the socket and tells the owner; the socket itself closes when the
    /// owner lets go of this connection.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        loop.deregister(stream.fd)
        if let idleTimer { loop.cancel(idleTimer) }
        idleTimer = nil
        onClose()
    }

    private func handle(_ events: UInt32) {
        if events & EPOLLOUT.rawValue != 0 { flush() }
        if !isClosed, events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { readAvailable() }
    }

    private func readAvailable() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !isClosed {
            switch stream.read(into: &buffer) {
            case .received(let count):
                lastActivity = loop.now
                framer.append(buffer[0..<count])
                while !isClosed, let message = framer.nextMessage() { onMessage(message) }
            case .wouldBlock:
                return
            case .closed:
                close()
            }
        }
    }

    private func flush() {
        guard outputStart < output.count else { return }
        guard let written = stream.write(output[outputStart...]) else {
            close()
            return
        }
        if written > 0 { lastActivity = loop.now }
        outputStart += written
        if outputStart == output.count {
            output.removeAll(keepingCapacity: true)
            outputStart = 0
        }
        let wantWritable = outputStart < output.count
        guard wantWritable != watchingWritable else { return }
        // The loop has no "modify": watching for writability again is a fresh registration.
        loop.deregister(stream.fd)
        let events = EPOLLIN.rawValue | (wantWritable ? EPOLLOUT.rawValue : 0)
        do {
            try loop.register(stream.fd, events: events) { [weak self] events in self?.handle(events) }
            watchingWritable = wantWritable
        } catch {
            close()
        }
    }

    private func checkIdle() {
        idleTimer = nil
        guard !isClosed else { return }
        let expiry = MonotonicInstant(nanoseconds: lastActivity.nanoseconds &+ idleNanoseconds)
        if loop.now >= expiry {
            close()
        } else {
            idleTimer = loop.schedule(at: expiry) { [weak self] in self?.checkIdle() }
        }
    }
}
