import BrambleBoot
import BrambleNodeMap
import BrambleTFTP
import BrambleWire
import CNetShims
import Glibc
import Logging

/// Read-only TFTP on the wire: the sockets and timers around ``TFTPServer``, which decides
/// every answer. Requests arrive on hub:69; every transfer runs on one shared port
/// (``TFTPTransferPort``), each as a ``TFTPSession`` found by its client's address and
/// port, in the one event loop; files come from `<pxe>/boot`
/// (``FileSystemBootTree``), opened once per version (``BootFileCache``) and read block by
/// block with `pread`.
///
/// Every request is answered at once: with the file, or with an ERROR that says why
/// (not found, access violation, read-only, busy). dnsmasq leaves requests beyond its
/// `tftp-max` unanswered, and the client's timeout then decides; a refused Pi retries
/// sooner than a stalled one gives up.
final class TFTPService {
    /// How many transfers may run at once.
    struct Limits: Sendable {
        var total: Int
        var perClient: Int
    }

    private let socket: UDPSocket
    /// The port every transfer's DATA leaves from and its ACKs arrive at.
    private let port: TFTPTransferPort
    private let loop: EventLoop
    private let logger: Logger
    /// Admission, refusals, lookup, negotiation and the table of transfers: the one TFTP
    /// implementation, which replay drives too.
    /// Touched at every block from the loop's one thread, never through overlapping
    /// accesses: no dynamic exclusivity checks (see ``TFTPSession``).
    @exclusivity(unchecked) private var server: TFTPServer<FileSystemBootTree>
    private let sessions = TFTPSessionTable<TFTPSession>()
    private var requestBuffer = [UInt8](repeating: 0, count: 65_536)
    private(set) var transfersStarted = 0
    /// What `counters` reports: requests by how they ended, bytes and durations sent.
    private(set) var tally = TFTPTally()
    /// Proxy mode: runs before a read request is resolved, so the node that sent it is
    /// known by its address (``TFTPRequestFrameWatch``).
    var beforeReadRequest: (() -> Void)?
    /// Each transfer's start and end and each missing file, for the client's boot timeline.
    var onBootEvent: ((_ client: IPv4Address, BootEvent.Kind) -> Void)?

    init(
        interface: String, hub: IPv4Address, bootDirectory: String, defaultRoot: String, nodeMap: NodeMap, limits: Limits,
        loop: EventLoop, capture: PacketCapture?, logger: Logger, reportOf: @escaping (MACAddress) -> RaspberryPiDHCPReport
    ) throws(SystemCallError) {
        let socket = try UDPSocket(address: hub, port: 69, device: interface, capture: capture)
        self.socket = socket
        port = try TFTPTransferPort(hub: hub, device: interface, capture: capture)
        self.loop = loop
        self.logger = logger
        let mtu = interface.withCString { cnet_interface_mtu(socket.fd, $0) }
        if mtu <= 0 { logger.warning("cannot read the MTU of \(interface) (\(SystemCallError("SIOCGIFMTU"))); assuming 1500") }
        server = TFTPServer(
            tree: FileSystemBootTree(root: bootDirectory), nodeMap: nodeMap,
            settings: TFTPServer.Settings(
                hub: hub, defaultRoot: defaultRoot, admission: TFTPAdmission(total: limits.total, perClient: limits.perClient),
                limits: TFTPServerLimits(interfaceMTU: mtu > 0 ? Int(mtu) : 1500)),
            reportOf: reportOf)
        try socket.watch(in: loop) { [unowned self] in self.readRequests() }
        // Called per datagram: `unowned` would check the service is alive each time. The
        // port's watch ends with the service (`deinit` deregisters it).
        try port.watch(in: loop) { [unowned(unsafe) self] in self.dispatch($0, at: $1) }
    }

    deinit {
        loop.deregister(socket.fd)
        loop.deregister(port.socket.fd)
    }

    /// The port transfers run on: the server's half of every transfer ID.
    var transferPort: UInt16 { port.socket.localPort }

    var bootDirectory: String { server.tree.root }
    var maximumBlockSize: Int { server.settings.limits.maximumBlockSize }
    var activeTransfers: Int { server.activeTransfers }

    func replaceNodeMap(_ map: NodeMap) {
        server.nodeMap = map
    }

    /// A reload's new settings: they apply to requests from now on; running transfers go on.
    func reconfigure(bootDirectory: String, defaultRoot: String, limits: Limits) {
        server.tree = FileSystemBootTree(root: bootDirectory, cache: server.tree.cache)
        server.settings.defaultRoot = defaultRoot
        server.settings.admission = TFTPAdmission(total: limits.total, perClient: limits.perClient)
    }

    private func readRequests() {
        while let datagram = socket.receive(into: &requestBuffer) {
            handle(datagram)
        }
        port.flush()
    }

    /// A datagram on the transfer port goes to the transfer of its address and port, and
    /// nowhere else: the server decides, the session sends. Bytes that are no TFTP packet
    /// change nothing.
    private func dispatch(_ datagram: UDPSocket.Datagram, at now: MonotonicInstant) {
        let id = TFTPTransferID(address: datagram.source, port: datagram.sourcePort)
        if let session = sessions[id] {
            do throws(TFTPDecodingError) {
                if let actions = try server.received(datagram.payload, from: id, at: now) { session.perform(actions, at: now) }
            } catch {
                logger.debug("TFTP \(id) \(session.fileName): ignored a malformed packet: \(error)")
            }
        } else if port.answerStray(datagram) {
            logger.debug("TFTP packet from \(datagram.source):\(datagram.sourcePort) on the transfer port answered with error 5 (unknown transfer ID)")
        }
    }

    private func handle(_ datagram: UDPSocket.Datagram) {
        let id = TFTPTransferID(address: datagram.source, port: datagram.sourcePort)
        if Self.isReadRequest(datagram.payload) { beforeReadRequest?() }
        switch server.request(datagram.payload, from: id, at: loop.now) {
        case .ignored:
            return
        case .refused(let refusal):
            report(refusal)
            socket.send(refusal.payload, to: id.address, port: id.port)
        case .admitted(let start):
            begin(start)
        }
    }

    /// Opcode 1, read before decoding: proxy mode drains the request frames first.
    private static func isReadRequest(_ payload: ArraySlice<UInt8>) -> Bool {
        payload.count >= 2 && payload[payload.startIndex] == 0 && payload[payload.startIndex + 1] == UInt8(TFTPOpcode.readRequest.rawValue)
    }

    private func begin(_ start: TFTPStart) {
        let id = start.id, fileName = start.request.fileName
        if !start.emptyTemplateKeys.isEmpty, let node = start.resolved.node {
            let keys = start.emptyTemplateKeys.map { "{{\($0)}}" }.joined(separator: " ")
            logger.notice("TFTP \(fileName) for \(who(id.address)): \(start.resolved.path) rendered \(keys) empty: not known for \(node.name) yet", metadata: Self.peer(id.address))
        }
        let session = TFTPSession(port: port, id: id, fileName: fileName, start: start, service: self, loop: loop, logger: logger)
        sessions[id] = session
        transfersStarted += 1
        log(start.event, fileName: fileName, client: id.address)
        onBootEvent?(id.address, BootEvent.Kind(start.event, fileName: fileName))
        let now = loop.now
        session.perform(server.begin(start, at: now), at: now)
    }

    // MARK: what a transfer's session asks of the server

    func timerFired(for session: TFTPSession, at now: MonotonicInstant) -> TFTPTransfer.Actions? {
        server.timerFired(session.id, at: now)
    }

    func readFailed(_ error: TFTPReadError, for session: TFTPSession) -> TFTPTransfer.Actions? {
        server.readFailed(session.id, error)
    }

    func slow(_ session: TFTPSession, milliseconds: Int) {
        logger.notice("TFTP \(session.fileName) to \(who(session.id.address)) still running after \(milliseconds) ms", metadata: Self.peer(session.id.address))
        onBootEvent?(session.id.address, .transferSlow(file: session.fileName, milliseconds: milliseconds))
    }

    /// The session's transfer ended (the server has already removed it from its table).
    func ended(_ session: TFTPSession, _ event: TFTPEvent) {
        sessions[session.id] = nil
        tally.count(ended: event)
        log(event, fileName: session.fileName, client: session.id.address)
        onBootEvent?(session.id.address, BootEvent.Kind(event, fileName: session.fileName))
    }

    // MARK: logs and counters

    /// Counts a refusal and logs why, at the level its cause deserves.
    private func report(_ refusal: TFTPRefusal) {
        let address = refusal.id.address, metadata = Self.peer(address)
        let fileName = refusal.fileName ?? ""
        let client = who(address)
        switch refusal.reason {
        case .malformed(let error):
            tally.count(.malformedRequest)
            logger.debug("TFTP from \(address):\(refusal.id.port): malformed request: \(error)", metadata: metadata)
        case .notARequest:
            return
        case .writeRequest:
            tally.count(.writeRefused)
            logger.notice("TFTP write request for \(fileName) from \(client) refused: the boot tree is read-only", metadata: metadata)
        case .mailMode:
            tally.count(.wrongMode)
        case .busy(let limit):
            tally.count(.refusedBusy)
            logger.notice("TFTP \(fileName) for \(client) refused as busy: already \(limit)", metadata: metadata)
        case .path(let error, let searched):
            tally.count(TFTPTally.Result(error))
            let message: Logger.Message = "TFTP \(fileName) for \(client): \(error)"
            switch error {
            case .notFound(isRoutine: true): logger.debug(message, metadata: metadata)
            case .notFound, .isDirectory, .templateNeedsKnownNode: logger.notice(message, metadata: metadata)
            case .accessViolation: logger.warning(message, metadata: metadata)
            }
            if let onBootEvent, refusal.node != nil, let kind = BootEvent.Kind(refusal: error, fileName: fileName, tried: searched) {
                onBootEvent(address, kind)
            }
        case .cannotOpen(let path, let failure):
            switch failure {
            case .missing: tally.count(.notFound)
            case .denied: tally.count(.accessViolation)
            }
            logger.error("TFTP \(fileName) for \(client): cannot read \(bootDirectory)/\(path): \(failure)", metadata: metadata)
        case .unreadable(let path, let error, let template):
            tally.count(.unreadable)
            logger.warning("TFTP \(fileName) for \(client): \(template ? "template " : "")\(bootDirectory)/\(path): \(error)", metadata: metadata)
        case .templateTooLarge(let path, let size):
            tally.count(.unreadable)
            logger.error("TFTP \(fileName) for \(client): template \(bootDirectory)/\(path) is \(size) bytes, over the \(TFTPServer<FileSystemBootTree>.maximumTemplateSize) a template may have; not sending it", metadata: metadata)
        case .templateInvalid(let path, let error):
            tally.count(.unreadable)
            logger.error("TFTP \(fileName) for \(client): template \(bootDirectory)/\(path) \(error); not sending it", metadata: metadata)
        }
    }

    /// "10.42.0.5 node05", or the bare address for a client outside the node map.
    private func who(_ address: IPv4Address) -> String {
        server.nodeMap.node(address: address).map { "\(address) \($0.name)" } ?? "\(address)"
    }

    /// The log metadata that keys rate limiting by client (``LogRateLimiter``): one client
    /// flooding a call site cannot silence the same line for the others.
    private static func peer(_ address: IPv4Address) -> Logger.Metadata { ["peer": "\(address)"] }

    private func log(_ event: TFTPEvent, fileName: String, client address: IPv4Address) {
        let client = who(address)
        let metadata = Self.peer(address)
        switch event {
        case .started(_, let resolved, let parameters):
            let options = parameters.acknowledgedOptions.isEmpty ? "no options" : "options \(parameters.acknowledgedOptions)"
            let source = resolved.path == fileName || "/" + resolved.path == fileName ? "" : " from \(resolved)"
            logger.info("TFTP sending \(fileName) to \(client)\(source), \(options)", metadata: metadata)
        case .finished(let summary):
            logger.info("TFTP sent \(fileName) to \(client): \(summary)", metadata: metadata)
        case .failed(let failure):
            logger.warning("TFTP \(fileName) to \(client) failed: \(failure)", metadata: metadata)
        case .probeEnded(let ending):
            logger.debug("TFTP \(fileName) to \(client) ended as a probe: \(ending)", metadata: metadata)
        }
    }
}
