import BrambleControl
import CNetShims
import Glibc

/// One client of the control socket in the loop: request lines in, response lines out, over
/// a non-blocking stream. Nothing it does waits: a partial line waits for its rest, output
/// the client does not read queues up to a bound, and past that bound, past the line
/// length, or idle too long (unless following), the client is dropped.
final class ControlConnection {
    /// Output a follower may leave unread before it is dropped (a few thousand events).
    static let maximumPendingOutput = 1 << 20
    /// A client that sends no complete request for this long is closed; followers are not.
    static let idleMilliseconds = 10_000

    /// What the client follows: boot events (of every node, or one), or unknown MACs asking.
    enum Subscription: Equatable {
        case bootEvents(nodeID: Int?)
        case discoveries
    }

    let stream: TCPStream
    private let loop: EventLoop
    private var input: [UInt8] = []
    private var output: [UInt8] = []
    private var outputStart = 0
    private var watchingWritable = false
    private var lastRequest: MonotonicInstant
    private var idleTimer: EventLoop.TimerID?
    private(set) var isClosed = false
    /// A last response is queued: close once it is written.
    private var closeAfterFlush = false
    var subscription: Subscription?
    private let onRequest: (ControlConnection, Result<ControlRequest, ControlRequestError>) -> Void
    private let onClose: () -> Void

    init(
        stream: TCPStream, loop: EventLoop, onRequest: @escaping (ControlConnection, Result<ControlRequest, ControlRequestError>) -> Void,
        onClose: @escaping () -> Void
    ) throws(SystemCallError) {
        self.stream = stream
        self.loop = loop
        lastRequest = loop.now
        self.onRequest = onRequest
        self.onClose = onClose
        try loop.register(stream.fd) { [weak self] events in self?.handle(events) }
        idleTimer = loop.schedule(afterMilliseconds: Self.idleMilliseconds) { [weak self] in self?.checkIdle() }
    }

    deinit {
        if !isClosed { loop.deregister(stream.fd) }
        if let idleTimer { loop.cancel(idleTimer) }
    }

    /// Queues one response line and writes what the socket takes now.
    func send(_ response: ControlResponse) {
        guard !isClosed, let line = try? ControlLine.encode(response) else { return }
        output += line
        guard output.count - outputStart <= Self.maximumPendingOutput else {
            close()
            return
        }
        flush()
    }

    /// Sends the last response, then closes once it is written (or at once when it cannot be).
    func sendAndClose(_ response: ControlResponse) {
        send(response)
        if outputStart == output.count { close() } else { closeAfterFlush = true }
    }

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
                // Past a refused request, what else the client sends is dropped unread.
                guard !closeAfterFlush else { continue }
                input += buffer[0..<count]
                takeLines()
            case .wouldBlock:
                return
            case .closed:
                close()
            }
        }
    }

    private func takeLines() {
        while !isClosed, !closeAfterFlush, let newline = input.firstIndex(of: UInt8(ascii: "\n")) {
            let line = input[..<newline]
            input.removeSubrange(...newline)
            lastRequest = loop.now
            guard line.count <= ControlLine.maximumRequestLength else {
                onRequest(self, .failure(.lineTooLong))
                return
            }
            do {
                onRequest(self, .success(try ControlLine.decode(ControlRequest.self, from: line)))
            } catch {
                onRequest(self, .failure(.malformed(String(describing: error))))
            }
        }
        if !closeAfterFlush, input.count > ControlLine.maximumRequestLength {
            input = []
            onRequest(self, .failure(.lineTooLong))
        }
    }

    private func flush() {
        guard outputStart < output.count else { return }
        guard let written = stream.write(output[outputStart...]) else {
            close()
            return
        }
        outputStart += written
        if outputStart == output.count {
            output.removeAll(keepingCapacity: true)
            outputStart = 0
            if closeAfterFlush {
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
        let expiry = lastRequest.adding(milliseconds: Self.idleMilliseconds)
        if subscription == nil && loop.now >= expiry {
            close()
        } else {
            idleTimer = loop.schedule(at: subscription == nil ? expiry : loop.now.adding(milliseconds: Self.idleMilliseconds)) { [weak self] in
                self?.checkIdle()
            }
        }
    }
}
