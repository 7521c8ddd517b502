import BrambleBoot
import BrambleNodeMap
import BrambleTFTP
import BrambleWire
import CNetShims
import Glibc
import Logging

/// Read-only TFTP on the wire: requests on hub:69, each transfer on its own socket
/// (``TFTPSession``) in the one event loop, files from `<pxe>/boot` through the path
/// resolver, opened once per version (``BootFileCache``) and read block by block with
/// `pread`, templates rendered per node.
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

    /// A client's transfer ID: its address and port.
    private struct ClientTID: Hashable {
        let address: IPv4Address
        let port: UInt16
    }

    private let socket: UDPSocket
    private let loop: EventLoop
    private let logger: Logger
    private let hub: IPv4Address
    private var tree: FileSystemBootTree
    private var defaultRoot: String
    private var resolver: TFTPPathResolver
    private var nodeMap: NodeMap
    private var limits: Limits
    /// What DHCP learned: the serial and bootloader generation a MAC reported in option 97.
    private let reportOf: (MACAddress) -> RaspberryPiDHCPReport
    private let serverLimits: TFTPServerLimits
    private let cache = BootFileCache()
    private var sessions: [ClientTID: TFTPSession] = [:]
    private var sessionsPerClient: [IPv4Address: Int] = [:]
    /// Transfers to addresses outside the node map, as of their start.
    private var strangerSessions: Set<ClientTID> = []
    /// Each boot file's netascii form, counted once per version: the count reads the whole
    /// file, and a client repeating netascii requests for the kernel must not make the
    /// loop read 30 MB each time.
    private var netasciiForms: [String: NetasciiContents] = [:]
    private var requestBuffer = [UInt8](repeating: 0, count: 65_536)
    private(set) var transfersStarted = 0
    /// What `counters` reports: requests by how they ended, bytes and durations sent.
    private(set) var tally = TFTPTally()
    /// Proxy mode: runs before a read request is resolved, so the node that sent it is
    /// known by its address (``TFTPRequestFrameWatch``).
    var beforeReadRequest: (() -> Void)?
    /// Each transfer's start and end and each missing file, for the client's boot timeline.
    var onBootEvent: ((_ client: IPv4Address, BootEvent.Kind) -> Void)?

    private static let readOnly = TFTPPacket.error(.accessViolation, message: "access violation: the boot tree is read-only").encoded()
    private static let busy = TFTPPacket.error(.notDefined, message: "server busy, retry").encoded()
    private static let unknownTransferID = TFTPPacket.error(.unknownTransferID, message: "unknown transfer ID").encoded()

    init(
        interface: String, hub: IPv4Address, bootDirectory: String, defaultRoot: String, nodeMap: NodeMap, limits: Limits,
        loop: EventLoop, logger: Logger, reportOf: @escaping (MACAddress) -> RaspberryPiDHCPReport
    ) throws(SystemCallError) {
        let socket = try UDPSocket(address: hub, port: 69, device: interface, capture: loop.capture)
        self.socket = socket
        self.loop = loop
        self.logger = logger
        self.hub = hub
        tree = FileSystemBootTree(root: bootDirectory)
        self.defaultRoot = defaultRoot
        resolver = TFTPPathResolver(nodeMap: nodeMap)
        self.nodeMap = nodeMap
        self.limits = limits
        self.reportOf = reportOf
        let mtu = interface.withCString { cnet_interface_mtu(socket.fd, $0) }
        if mtu <= 0 { logger.warning("cannot read the MTU of \(interface) (\(SystemCallError("SIOCGIFMTU"))); assuming 1500") }
        serverLimits = TFTPServerLimits(interfaceMTU: mtu > 0 ? Int(mtu) : 1500)
        try socket.watch(in: loop) { [unowned self] in self.readRequests() }
    }

    deinit { loop.deregister(socket.fd) }

    var bootDirectory: String { tree.root }
    var maximumBlockSize: Int { serverLimits.maximumBlockSize }
    var activeTransfers: Int { sessions.count }

    func replaceNodeMap(_ map: NodeMap) {
        nodeMap = map
        resolver.nodeMap = map
    }

    /// A reload's new settings: they apply to requests from now on; running transfers go on.
    func reconfigure(bootDirectory: String, defaultRoot: String, limits: Limits) {
        tree = FileSystemBootTree(root: bootDirectory)
        self.defaultRoot = defaultRoot
        self.limits = limits
    }

    private func readRequests() {
        while let datagram = socket.receive(into: &requestBuffer) {
            handle(datagram)
        }
    }

    private func handle(_ datagram: UDPSocket.Datagram) {
        let packet: TFTPPacket
        do {
            packet = try TFTPPacket(decoding: datagram.payload)
        } catch {
            tally.count(.malformedRequest)
            logger.debug("TFTP from \(datagram.source):\(datagram.sourcePort): malformed request: \(error)", metadata: Self.peer(datagram.source))
            reply(TFTPPacket.error(.illegalOperation, message: "malformed request: \(error)").encoded(), to: datagram)
            return
        }
        switch packet {
        case .readRequest(let request):
            beforeReadRequest?()
            read(request, from: ClientTID(address: datagram.source, port: datagram.sourcePort))
        case .writeRequest(let request):
            tally.count(.writeRefused)
            logger.notice("TFTP write request for \(request.fileName) from \(who(datagram.source)) refused: the boot tree is read-only", metadata: Self.peer(datagram.source))
            reply(Self.readOnly, to: datagram)
        case .error:
            break
        case .data, .acknowledgement, .optionAcknowledgement:
            reply(Self.unknownTransferID, to: datagram)
        }
    }

    private func reply(_ payload: [UInt8], to datagram: UDPSocket.Datagram) {
        socket.send(payload, to: datagram.source, port: datagram.sourcePort)
    }

    private func refuse(_ tid: ClientTID, _ code: TFTPErrorCode, _ message: String) {
        socket.send(TFTPPacket.error(code, message: message).encoded(), to: tid.address, port: tid.port)
    }

    private func read(_ request: TFTPRequest, from tid: ClientTID) {
        // A client that did not hear our first answer repeats its request from the same
        // port: the transfer it asked for is already running.
        guard sessions[tid] == nil else { return }
        let client = who(tid.address)
        guard request.mode != .mail else {
            tally.count(.wrongMode)
            refuse(tid, .illegalOperation, "mail mode is for writing; read in octet or netascii")
            return
        }
        let perClient = sessionsPerClient[tid.address, default: 0]
        let node = nodeMap.node(address: tid.address)
        let running = TFTPAdmission.Running(
            total: sessions.count, strangers: strangerSessions.count, fromClient: perClient,
            unacknowledgedFromClient: perClient == 0 ? 0 : sessions.values.count { $0.client == tid.address && !$0.isAcknowledged })
        if let refusal = TFTPAdmission(total: limits.total, perClient: limits.perClient).refusal(running: running, clientIsNode: node != nil) {
            tally.count(.refusedBusy)
            logger.notice("TFTP \(request.fileName) for \(client) refused as busy: already \(refusal)", metadata: Self.peer(tid.address))
            socket.send(Self.busy, to: tid.address, port: tid.port)
            return
        }
        let mac = node?.mac
        let identity = TFTPClient(node: node, reported: mac.map { reportOf($0) } ?? RaspberryPiDHCPReport())
        let resolved: TFTPResolvedPath
        do throws(TFTPPathRefusal) {
            resolved = try resolver.resolve(request.fileName, for: identity, in: tree)
        } catch {
            tally.count(TFTPTally.Result(error))
            logRefusal(error, fileName: request.fileName, client: tid.address)
            refuse(tid, error.errorCode, error.clientMessage(for: request.fileName))
            if let onBootEvent, node != nil,
                let kind = BootEvent.Kind(refusal: error, fileName: request.fileName, tried: resolver.searchedPaths(request.fileName, for: identity)) {
                onBootEvent(tid.address, kind)
            }
            return
        }
        guard let contents = contents(of: resolved, fileName: request.fileName, client: client, tid: tid) else { return }
        let sent: any TFTPFileContents
        do throws(TFTPReadError) {
            sent = request.mode == .netascii ? try netascii(contents) : contents
        } catch {
            tally.count(.unreadable)
            logger.warning("TFTP \(request.fileName) for \(client): \(tree.root)/\(resolved.path): \(error)", metadata: Self.peer(tid.address))
            refuse(tid, .notDefined, TFTPTransfer.fileChangedMessage)
            return
        }
        let parameters = TFTPOptionNegotiation.negotiate(request.options, transferSize: sent.count, limits: serverLimits)
        let session: TFTPSession
        do throws(SystemCallError) {
            let transferSocket = try UDPSocket(address: hub, port: 0, capture: loop.capture)
            session = try TFTPSession(
                socket: transferSocket, client: tid.address, clientPort: tid.port, fileName: request.fileName,
                transfer: TFTPTransfer(contents: sent, parameters: parameters), loop: loop, logger: logger
            ) { [unowned self] session, event in self.ended(session, event) }
        } catch {
            tally.count(.refusedBusy)
            logger.error("TFTP \(request.fileName) for \(client): cannot open a transfer socket: \(error)", metadata: Self.peer(tid.address))
            socket.send(Self.busy, to: tid.address, port: tid.port)
            return
        }
        session.onSlow = { [unowned self] session, milliseconds in
            self.logger.notice("TFTP \(session.fileName) to \(self.who(session.client)) still running after \(milliseconds) ms", metadata: Self.peer(session.client))
            self.onBootEvent?(session.client, .transferSlow(file: session.fileName, milliseconds: milliseconds))
        }
        sessions[tid] = session
        sessionsPerClient[tid.address] = perClient + 1
        if node == nil { strangerSessions.insert(tid) }
        transfersStarted += 1
        let started = TFTPEvent.started(fileName: request.fileName, resolved: resolved, parameters: parameters)
        log(started, fileName: request.fileName, client: tid.address)
        onBootEvent?(tid.address, BootEvent.Kind(started, fileName: request.fileName))
        session.start()
    }

    /// The largest template rendered. Templates are `cmdline.txt` and `config.txt`, a few
    /// hundred bytes (the kernel's command line is at most 2 KB on arm64); a template is
    /// read whole into memory, so a huge one is refused instead.
    static let maximumTemplateSize = 65_536

    /// The bytes to send: the open file, or a template rendered for the node. Refuses the
    /// request itself (and returns nil) when the file cannot be read or rendered.
    private func contents(of resolved: TFTPResolvedPath, fileName: String, client: String, tid: ClientTID) -> (any TFTPFileContents)? {
        let file: OpenBootFile
        do throws(SystemCallError) {
            guard let real = tree.realPathInsideRoot(resolved.path) else {
                throw SystemCallError("realpath(\(resolved.path))", errno: ENOENT)
            }
            file = try cache.file(at: real)
        } catch {
            logger.error("TFTP \(fileName) for \(client): cannot read \(tree.root)/\(resolved.path): \(error)", metadata: Self.peer(tid.address))
            if error.errno == ENOENT {
                tally.count(.notFound)
                refuse(tid, .fileNotFound, "file not found: \(fileName)")
            } else {
                tally.count(.accessViolation)
                refuse(tid, .accessViolation, "access violation: \(fileName)")
            }
            return nil
        }
        guard resolved.isTemplate, let node = resolved.node else { return file }
        guard file.count <= Self.maximumTemplateSize else {
            tally.count(.unreadable)
            logger.error("TFTP \(fileName) for \(client): template \(tree.root)/\(resolved.path) is \(file.count) bytes, over the \(Self.maximumTemplateSize) a template may have; not sending it", metadata: Self.peer(tid.address))
            refuse(tid, .notDefined, "cannot render \(fileName): see the hub's log")
            return nil
        }
        let source: [UInt8]
        do throws(TFTPReadError) {
            source = try file.bytes(in: 0..<file.count)
        } catch {
            tally.count(.unreadable)
            logger.warning("TFTP \(fileName) for \(client): template \(tree.root)/\(resolved.path): \(error)", metadata: Self.peer(tid.address))
            refuse(tid, .notDefined, TFTPTransfer.fileChangedMessage)
            return nil
        }
        let template: BootFileTemplate
        do throws(BootFileTemplateError) {
            template = try BootFileTemplate(parsing: source)
        } catch {
            tally.count(.unreadable)
            logger.error("TFTP \(fileName) for \(client): template \(tree.root)/\(resolved.path) \(error); not sending it", metadata: Self.peer(tid.address))
            refuse(tid, .notDefined, "cannot render \(fileName): see the hub's log")
            return nil
        }
        let values = BootFileTemplateValues(
            node: node, address: nodeMap.address(of: node), serial: resolved.serial, hub: hub, defaultRoot: defaultRoot)
        let rendering = template.render(values)
        if !rendering.emptyKeys.isEmpty {
            let keys = rendering.emptyKeys.map { "{{\($0)}}" }.joined(separator: " ")
            logger.notice("TFTP \(fileName) for \(client): \(resolved.path) rendered \(keys) empty: not known for \(node.name) yet", metadata: Self.peer(tid.address))
        }
        return rendering.bytes
    }

    /// `contents` as netascii: a boot file's form from ``netasciiForms`` while it is the
    /// same open version, else counted now (a rendered template is small and per node).
    private func netascii(_ contents: any TFTPFileContents) throws(TFTPReadError) -> NetasciiContents {
        guard let file = contents as? OpenBootFile else { return try NetasciiContents(source: contents) }
        if let known = netasciiForms[file.path], known.source as? OpenBootFile === file { return known }
        let form = try NetasciiContents(source: file)
        netasciiForms[file.path] = form
        return form
    }

    private func ended(_ session: TFTPSession, _ event: TFTPEvent) {
        let tid = ClientTID(address: session.client, port: session.clientPort)
        sessions[tid] = nil
        strangerSessions.remove(tid)
        let remaining = sessionsPerClient[tid.address, default: 1] - 1
        sessionsPerClient[tid.address] = remaining > 0 ? remaining : nil
        tally.count(ended: event)
        log(event, fileName: session.fileName, client: session.client)
        onBootEvent?(session.client, BootEvent.Kind(event, fileName: session.fileName))
    }

    /// "10.42.0.5 node05", or the bare address for a client outside the node map.
    private func who(_ address: IPv4Address) -> String {
        nodeMap.node(address: address).map { "\(address) \($0.name)" } ?? "\(address)"
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
        case .probeEnded(let abandonment):
            logger.debug("TFTP \(fileName) to \(client) ended as a probe: \(abandonment)", metadata: metadata)
        }
    }

    private func logRefusal(_ refusal: TFTPPathRefusal, fileName: String, client address: IPv4Address) {
        let message: Logger.Message = "TFTP \(fileName) for \(who(address)): \(refusal)"
        let metadata = Self.peer(address)
        switch refusal {
        case .notFound(isRoutine: true): logger.debug(message, metadata: metadata)
        case .notFound, .isDirectory, .templateNeedsKnownNode: logger.notice(message, metadata: metadata)
        case .accessViolation: logger.warning(message, metadata: metadata)
        }
    }
}
