/// One DNS-over-TCP connection in the loop (RFC 7766), a client's or ours to an upstream:
/// length-prefixed messages in and out over a ``BufferedStreamConnection``.
///
/// Only whole messages keep it open: it closes once `idleMilliseconds` pass without one
/// arriving, counted from when it opened. Bytes trickled in without ever completing a
/// message (one every few seconds) do not count, so no peer holds one of the few TCP slots
/// for longer than that without sending real queries.
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
            idleMilliseconds: idleMilliseconds, activity: .markedByOwner)
        self.onMessage = onMessage
        try connection.start(onInput: { [weak self] bytes in self?.received(bytes) }, onClose: onClose)
    }

    /// Queues `message` with its length prefix and writes what the socket takes now; a
    /// message too long to frame is not sent, and the error says why.
    func send(_ message: [UInt8]) throws(LengthPrefixedFramer.FramingError) {
        var framed: [UInt8] = []
        framed.reserveCapacity(message.count + 2)
        try LengthPrefixedFramer.frame(message, into: &framed)
        connection.send { $0.append(contentsOf: framed) }
    }

    /// Stops watching the socket and tells the owner; the socket itself closes when the
    /// owner lets go of this connection.
    func close() {
        connection.close()
    }

    private func received(_ bytes: ArraySlice<UInt8>) {
        framer.append(bytes)
        while !connection.isClosed, let message = framer.nextMessage() {
            connection.markActive()
            onMessage(message)
        }
    }
}
