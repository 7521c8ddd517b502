import BrambleControl
import BrambleDHCP
import BrambleWire
import Glibc
import Logging

/// The control socket `<state-dir>/control.sock` in the one loop: accepts clients (at most
/// ``maximumConnections``), hands each request line to the daemon, and streams boot events
/// to the clients that follow them.
final class ControlServer {
    static let maximumConnections = 16
    /// Read-write for the daemon's account and its group: the socket's permission is the
    /// control (docs/design.md: mode 0660).
    static let mode: mode_t = 0o660

    private let listener: UnixListener
    private let loop: EventLoop
    private let logger: Logger
    private var connections: [UInt64: ControlConnection] = [:]
    private var nextSerial: UInt64 = 0
    private let handler: (ControlRequest, ControlConnection) -> Void

    var path: String { listener.path }
    var connectionCount: Int { connections.count }

    /// Binds `name` in `directory` (the state directory's descriptor; see ``UnixListener``
    /// for how that stays safe while root).
    init(
        directory: DirectoryHandle, name: String, owner: (uid: uid_t, gid: gid_t)?, loop: EventLoop, logger: Logger,
        handler: @escaping (ControlRequest, ControlConnection) -> Void
    ) throws(UnsafeFileError) {
        listener = try UnixListener(directory: directory, name: name, mode: Self.mode, owner: owner)
        self.loop = loop
        self.logger = logger
        self.handler = handler
        do throws(SystemCallError) {
            try listener.watch(in: loop, logger: logger) { [unowned self] in self.acceptAll() }
        } catch {
            throw .system(error)
        }
    }

    deinit {
        loop.deregister(listener.fd)
        // Dropping them closes their sockets; their onClose would find this server gone.
        connections.removeAll()
    }

    /// Sends a boot event to every client following it.
    func publish(_ record: BootLogRecord) {
        for connection in connections.values {
            guard case .bootEvents(let nodeID) = connection.subscription, nodeID == nil || nodeID == record.nodeID else { continue }
            connection.send(ControlResponse(event: record))
        }
    }

    /// Whether a client follows boot events (`bramble logs --follow`): the recorder makes
    /// no record for ``publish(_:)`` otherwise.
    var isFollowingBootEvents: Bool {
        connections.values.contains {
            if case .bootEvents = $0.subscription { true } else { false }
        }
    }

    /// Whether a client is enrolling: DHCP skips building discoveries nobody reads (a
    /// benchmark's or a foreign network's unknown MACs arrive by the thousand).
    var isFollowingDiscoveries: Bool { connections.values.contains { $0.subscription == .discoveries } }

    /// Tells the clients enrolling nodes that a MAC outside the node map asked for an address.
    func publish(_ discovery: Discovery) {
        for connection in connections.values where connection.subscription == .discoveries {
            connection.send(ControlResponse(discovery: discovery))
        }
    }

    /// A DISCOVER or REQUEST from a MAC outside the node map, to the clients enrolling nodes
    /// (read at `time`, only when one follows): the spine's
    /// ``DHCPEventFanOut/Consumer/discoveryFollowers``.
    func publishDiscovery(of event: DHCPEvent, time: @autoclosure () -> Int64) {
        guard event.nodeID == nil, event.received == .discover || event.received == .request, isFollowingDiscoveries else { return }
        publish(Discovery(mac: event.mac.description, client: event.client.description, firmware: event.client.isPXE, time: time()))
    }

    private func acceptAll() {
        while let stream = listener.accept() {
            guard connections.count < Self.maximumConnections else {
                // Told why, then closed: the CLI prints the reason instead of hanging.
                _ = stream.write(ArraySlice((try? ControlLine.encode(ControlResponse(error: "the daemon is busy: \(Self.maximumConnections) control clients are connected"))) ?? []))
                continue
            }
            nextSerial += 1
            let serial = nextSerial
            do throws(SystemCallError) {
                connections[serial] = try ControlConnection(
                    stream: stream, loop: loop,
                    onRequest: { [unowned self] connection, request in self.received(request, on: connection) },
                    onClose: { [weak self] in self?.connections[serial] = nil })
            } catch {
                logger.warning("control socket: cannot watch a new client: \(error)")
            }
        }
    }

    private func received(_ request: Result<ControlRequest, ControlRequestError>, on connection: ControlConnection) {
        switch request {
        case .success(let request): handler(request, connection)
        // A well-formed request for a command this daemon lacks leaves the stream intact:
        // the client (newer than the daemon) may go on with one it knows.
        case .failure(.unknownCommand(let unknown)): connection.send(ControlResponse(error: unknown.description))
        case .failure(let error): connection.sendAndClose(ControlResponse(error: error.description))
        }
    }
}

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

/// A request line the daemon cannot take.
enum ControlRequestError: Error, CustomStringConvertible {
    case lineTooLong
    case malformed(String)
    case unknownCommand(UnknownControlCommand)

    var description: String {
        switch self {
        case .lineTooLong: "request longer than \(ControlLine.maximumRequestLength) bytes"
        case .malformed(let reason): "malformed request: \(reason)"
        case .unknownCommand(let unknown): "\(unknown)"
        }
    }
}
