/// One DNS-over-TCP connection in the loop (RFC 7766), a client's or ours to an upstream:
/// length-prefixed messages in and out over a ``BufferedStreamConnection``, closed after an
/// idle period with no traffic either way.
///
/// The owner hears of each whole message and of the close; it removes the connection from
/// its tables in `onClose`, which runs once.
final class DNSStreamConnection {
    /// Answers a client has not read yet, beyond which it is dropped: a client that
    /// pipelines queries but never reads must not grow the hub's memory.
    static let maximumPendingOutput = 256 * 1024

    private let connection: BufferedStreamConnection
    private var framer = LengthPrefixedFramer()
    private let onMessage: (ArraySlice<UInt8>) -> Void

    /// Registers with the loop. `onMessage` gets each message without its prefix.
    init(
        stream: TCPStream, loop: EventLoop, idleMilliseconds: Int,
        onMessage: @escaping (ArraySlice<UInt8>) -> Void, onClose: @escaping () -> Void
    ) throws(SystemCallError) {
        connection = BufferedStreamConnection(
            stream: stream, loop: loop, maximumPendingOutput: Self.maximumPendingOutput,
            idleMilliseconds: idleMilliseconds, activity: .traffic)
        self.onMessage = onMessage
        try connection.start(onInput: { [weak self] bytes in self?.received(bytes) }, onClose: onClose)
    }

    /// Queues `message` with its length prefix and writes what the socket takes now.
    func send(_ message: [UInt8]) {
        connection.send { LengthPrefixedFramer.frame(message, into: &$0) }
    }

    /// Stops watching the socket and tells the owner; the socket itself closes when the
    /// owner lets go of this connection.
    func close() {
        connection.close()
    }

    private func received(_ bytes: ArraySlice<UInt8>) {
        framer.append(bytes)
        while !connection.isClosed, let message = framer.nextMessage() { onMessage(message) }
    }
}
