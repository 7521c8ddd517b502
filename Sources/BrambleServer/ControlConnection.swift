import BrambleControl

/// One client of the control socket in the loop: request lines in, response lines out, over
/// a ``BufferedStreamConnection``. A partial line waits for its rest; past the line length
/// the client is refused, and after a refusal what it sends is dropped unread. The client is
/// dropped when it leaves too much output unread, or when it sends no complete request for
/// too long (unless following).
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

    private let connection: BufferedStreamConnection
    private var input: [UInt8] = []
    var subscription: Subscription? {
        didSet { connection.staysOpenWhenIdle = subscription != nil }
    }
    private let onRequest: (ControlConnection, Result<ControlRequest, ControlRequestError>) -> Void

    init(
        stream: TCPStream, loop: EventLoop, onRequest: @escaping (ControlConnection, Result<ControlRequest, ControlRequestError>) -> Void,
        onClose: @escaping () -> Void
    ) throws(SystemCallError) {
        connection = BufferedStreamConnection(
            stream: stream, loop: loop, maximumPendingOutput: Self.maximumPendingOutput,
            idleMilliseconds: Self.idleMilliseconds, activity: .markedByOwner)
        self.onRequest = onRequest
        try connection.start(onInput: { [weak self] bytes in self?.received(bytes) }, onClose: onClose)
    }

    /// Queues one response line and writes what the socket takes now.
    func send(_ response: ControlResponse) {
        guard !connection.isClosed, let line = try? ControlLine.encode(response) else { return }
        connection.send { $0 += line }
    }

    /// Sends the last response, then closes once it is written (or at once when it cannot be).
    func sendAndClose(_ response: ControlResponse) {
        send(response)
        connection.closeWhenFlushed()
    }

    private func received(_ bytes: ArraySlice<UInt8>) {
        input += bytes
        takeLines()
    }

    private func takeLines() {
        while !connection.isClosed, !connection.isClosing, let newline = input.firstIndex(of: UInt8(ascii: "\n")) {
            let line = input[..<newline]
            input.removeSubrange(...newline)
            connection.markActive()
            guard line.count <= ControlLine.maximumRequestLength else {
                onRequest(self, .failure(.lineTooLong))
                return
            }
            do {
                onRequest(self, .success(try ControlLine.decode(ControlRequest.self, from: line)))
            } catch let unknown as UnknownControlCommand {
                onRequest(self, .failure(.unknownCommand(unknown)))
            } catch {
                onRequest(self, .failure(.malformed(String(describing: error))))
            }
        }
        if !connection.isClosing, input.count > ControlLine.maximumRequestLength {
            input = []
            onRequest(self, .failure(.lineTooLong))
        }
    }
}
