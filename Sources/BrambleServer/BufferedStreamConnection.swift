import BrambleWire
import CNetShims
import Glibc

/// A non-blocking stream in the loop with a queue for what it sends: bytes that arrive are
/// handed to the owner's framing as they come, bytes the owner queues are written as the
/// socket takes them (partial writes wait for epoll to report it writable), and nothing
/// ever waits. The connection closes itself when the peer leaves, when the peer leaves more
/// output unread than a bound (a client that never reads must not grow the hub's memory),
/// or when it has been idle too long.
///
/// The control socket (JSON lines) and DNS over TCP (length-prefixed messages) share it
/// and keep only their framing on top. The owner hears of the close once, in `onClose`.
final class BufferedStreamConnection {
    /// What keeps the connection from counting as idle.
    enum Activity {
        /// Any bytes read or written.
        case traffic
        /// Only the owner's ``markActive()``, e.g. on each whole request: a peer that
        /// trickles bytes without ever finishing one cannot hold the connection open.
        case markedByOwner
    }

    private let stream: TCPStream
    private let loop: EventLoop
    private let maximumPendingOutput: Int
    private let idleMilliseconds: Int
    private let activity: Activity
    private var output: [UInt8] = []
    private var outputStart = 0
    private var watchingWritable = false
    private var lastActivity: MonotonicInstant
    private var idleTimer: EventLoop.TimerID?
    private var onInput: (ArraySlice<UInt8>) -> Void = { _ in }
    private var onClose: () -> Void = {}
    private(set) var isClosed = false
    /// ``closeWhenFlushed()`` was called: the last output is queued, and what the peer
    /// sends from now on is read and dropped.
    private(set) var isClosing = false
    /// While true the idle timeout does not close the connection (a client following
    /// events sends nothing for as long as it follows).
    var staysOpenWhenIdle = false

    init(stream: TCPStream, loop: EventLoop, maximumPendingOutput: Int, idleMilliseconds: Int, activity: Activity) {
        self.stream = stream
        self.loop = loop
        self.maximumPendingOutput = maximumPendingOutput
        self.idleMilliseconds = idleMilliseconds
        self.activity = activity
        lastActivity = loop.now
    }

    /// Starts watching the stream. Separate from `init` so that an owner's `onInput` can
    /// refer to the owner, which holds this connection.
    func start(onInput: @escaping (ArraySlice<UInt8>) -> Void, onClose: @escaping () -> Void) throws(SystemCallError) {
        self.onInput = onInput
        self.onClose = onClose
        try loop.register(stream.fd) { [weak self] events in self?.handle(events) }
        idleTimer = loop.schedule(afterMilliseconds: idleMilliseconds) { [weak self] in self?.checkIdle() }
    }

    deinit {
        if !isClosed { loop.deregister(stream.fd) }
        if let idleTimer { loop.cancel(idleTimer) }
    }

    /// Restarts the idle period (with ``Activity/markedByOwner``).
    func markActive() {
        lastActivity = loop.now
    }

    /// Appends to the output queue with `append`, then writes what the socket takes now.
    /// Past ``maximumPendingOutput`` unwritten bytes the connection closes instead.
    func send(_ append: (inout [UInt8]) -> Void) {
        guard !isClosed else { return }
        append(&output)
        guard output.count - outputStart <= maximumPendingOutput else {
            close()
            return
        }
        flush()
    }

    /// Closes once the queued output is written, at once when nothing is queued.
    func closeWhenFlushed() {
        if outputStart == output.count { close() } else { isClosing = true }
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
                if activity == .traffic { lastActivity = loop.now }
                guard !isClosing else { continue }
                onInput(buffer[0..<count])
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
        if activity == .traffic, written > 0 { lastActivity = loop.now }
        outputStart += written
        if outputStart == output.count {
            output.removeAll(keepingCapacity: true)
            outputStart = 0
            if isClosing {
                close()
                return
            }
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
        let expiry = lastActivity.adding(milliseconds: idleMilliseconds)
        if !staysOpenWhenIdle && loop.now >= expiry {
            close()
        } else {
            let next = staysOpenWhenIdle ? loop.now.adding(milliseconds: idleMilliseconds) : expiry
            idleTimer = loop.schedule(at: next) { [weak self] in self?.checkIdle() }
        }
    }
}
