import BrambleControl
import BrambleWebCore
import Glibc
import NIOCore
import NIOPosix

/// bramble-web's end of the daemon's control socket (docs/design.md: the only way other
/// processes talk to `bramble serve`): one connection per question, or one long-lived
/// connection that follows boot events. Every wait is bounded; every answer is decoded once
/// here, and anything that is not a response of the protocol is a ``DaemonLinkError``.
public struct DaemonClient: Sendable {
    public let socketPath: String
    let group: any EventLoopGroup
    /// How long a question may take, connecting included.
    public var timeout: Duration = .seconds(5)

    public init(socketPath: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.socketPath = socketPath
        self.group = group
    }

    typealias Channel = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    func connect() async throws(DaemonLinkError) -> Channel {
        do {
            return try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(2))
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture { try Channel(wrappingChannelSynchronously: channel) }
                }
        } catch {
            throw .notReachable(path: socketPath, reason: Self.reason(error))
        }
    }

    /// The daemon's answer to one request; its `error` answer as ``DaemonLinkError/refused(_:)``.
    public func ask(_ request: ControlRequest) async throws(DaemonLinkError) -> ControlResponse {
        let channel = try await connect()
        let path = socketPath
        let response: ControlResponse
        do {
            response = try await Self.withTimeout(timeout, path: path) {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(bytes: try ControlLine.encode(request)))
                    var framer = ControlLineFramer()
                    for try await buffer in inbound {
                        if let line = try framer.append(buffer.readableBytesView).first { return try Self.decode(line, path: path) }
                    }
                    throw DaemonLinkError.closed(path: path)
                }
            }
        } catch {
            throw Self.linkError(error, path: path)
        }
        if let message = response.error { throw .refused(message) }
        return response
    }

    /// `status`: every node's stage.
    public func status() async throws(DaemonLinkError) -> StatusReport {
        guard let status = try await ask(ControlRequest(command: .status)).status else {
            throw .unreadable(path: socketPath, reason: "the answer to status holds no status")
        }
        return status
    }

    /// `counters` (protocol 2): the services' and the daemon process's counters.
    public func counters() async throws(DaemonLinkError) -> DaemonCounters {
        guard let counters = try await ask(ControlRequest(command: .counters)).counters else {
            throw .unreadable(path: socketPath, reason: "the answer to counters holds no counters")
        }
        return counters
    }

    /// `history`: a node's recent boot events.
    public func history(of node: Int) async throws(DaemonLinkError) -> NodeHistory {
        guard let history = try await ask(ControlRequest(command: .history, node: String(node))).history else {
            throw .unreadable(path: socketPath, reason: "the answer to history holds no history")
        }
        return history
    }

    /// One line decoded as a response of the protocol.
    static func decode(_ line: [UInt8], path: String) throws(DaemonLinkError) -> ControlResponse {
        do {
            return try ControlLine.decode(ControlResponse.self, from: line)
        } catch {
            throw .unreadable(path: path, reason: "not a control response (\(line.count) bytes)")
        }
    }

    static func linkError(_ error: any Error, path: String) -> DaemonLinkError {
        switch error {
        case let link as DaemonLinkError: link
        case is ControlLineTooLong: .unreadable(path: path, reason: "a line longer than \(ControlLine.maximumResponseLength) bytes")
        case is CancellationError: .closed(path: path)
        default: .closed(path: path)
        }
    }

    /// The operating system's words for a failed connect ("No such file or directory").
    static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return String(describing: error)
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// `body`'s result, or ``DaemonLinkError/timedOut(path:milliseconds:)`` when it takes
    /// longer than `limit` (it is then cancelled, which closes its connection).
    static func withTimeout<Value: Sendable>(
        _ limit: Duration, path: String, _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        try await withThrowingTaskGroup(of: Value.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw DaemonLinkError.timedOut(path: path, milliseconds: milliseconds(limit))
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw DaemonLinkError.closed(path: path) }
            return first
        }
    }
}
