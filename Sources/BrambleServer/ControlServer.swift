import BrambleControl
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

    /// Whether a client is enrolling: DHCP skips building discoveries nobody reads (a
    /// benchmark's or a foreign network's unknown MACs arrive by the thousand).
    var isFollowingDiscoveries: Bool { connections.values.contains { $0.subscription == .discoveries } }

    /// Tells the clients enrolling nodes that a MAC outside the node map asked for an address.
    func publish(_ discovery: Discovery) {
        for connection in connections.values where connection.subscription == .discoveries {
            connection.send(ControlResponse(discovery: discovery))
        }
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
