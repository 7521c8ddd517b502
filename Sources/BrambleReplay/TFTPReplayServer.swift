import BrambleCapture
import BrambleNodeMap
import BrambleTFTP
import BrambleWire

/// TFTP as ``TFTPService`` and ``TFTPSession`` answer it, on the pure parts: a request on
/// port 69 is decoded, refused (write, mail mode, path refusals, unreadable files) or
/// started as a ``TFTPTransfer`` keyed by the client's address and port; later packets from
/// that client drive its transfer, and its timers fire when the capture's clock passes them.
///
/// Not reproduced: the transfer limits (a capture made under load shows "server busy"
/// answers that replay does not make).
struct TFTPReplayServer {
    struct Transfer {
        var transfer: TFTPTransfer
        var deadline: TFTPInstant?
    }

    /// The replay's configuration; in proxy mode its node map carries the addresses learned so far.
    var configuration: ReplayConfiguration
    var reportOf: (MACAddress) -> RaspberryPiDHCPReport
    private(set) var transfers: [ReplayConversation: Transfer] = [:]

    init(configuration: ReplayConfiguration, reportOf: @escaping (MACAddress) -> RaspberryPiDHCPReport) {
        self.configuration = configuration
        self.reportOf = reportOf
    }

    var hub: IPv4Address { configuration.hub.address }

    /// A datagram to port 69: what the server sends back.
    mutating func request(_ payload: ArraySlice<UInt8>, from tid: ReplayConversation, at now: TFTPInstant) -> [TFTPPacket] {
        let packet: TFTPPacket
        do {
            packet = try TFTPPacket(decoding: payload)
        } catch {
            return [.error(.illegalOperation, message: "malformed request: \(error)")]
        }
        switch packet {
        case .readRequest(let request):
            return read(request, from: tid, at: now)
        case .writeRequest:
            return [.error(.accessViolation, message: "access violation: the boot tree is read-only")]
        case .error:
            return []
        case .data, .acknowledgement, .optionAcknowledgement:
            return [.error(.unknownTransferID, message: "unknown transfer ID")]
        }
    }

    private mutating func read(_ request: TFTPRequest, from tid: ReplayConversation, at now: TFTPInstant) -> [TFTPPacket] {
        guard transfers[tid] == nil, case .tftp(let address, _) = tid else { return [] }
        guard request.mode != .mail else {
            return [.error(.illegalOperation, message: "mail mode is for writing; read in octet or netascii")]
        }
        let node = configuration.nodeMap.node(address: address)
        let mac = node?.mac
        let identity = TFTPClient(node: node, reported: mac.map { reportOf($0) } ?? RaspberryPiDHCPReport())
        let resolved: TFTPResolvedPath
        do throws(TFTPPathRefusal) {
            resolved = try TFTPPathResolver(nodeMap: configuration.nodeMap).resolve(request.fileName, for: identity, in: configuration.bootTree)
        } catch {
            return [.error(error.errorCode, message: error.clientMessage(for: request.fileName))]
        }
        guard let file = configuration.bootFile(resolved.path) else {
            return [.error(.fileNotFound, message: "file not found: \(request.fileName)")]
        }
        var contents: any TFTPFileContents = file
        if resolved.isTemplate, let node = resolved.node {
            guard let template = try? BootFileTemplate(parsing: file) else {
                return [.error(.notDefined, message: "cannot render \(request.fileName): see the hub's log")]
            }
            contents = template.render(BootFileTemplateValues(
                node: node, address: configuration.nodeMap.address(of: node), serial: resolved.serial, hub: hub,
                defaultRoot: configuration.defaultRoot)).bytes
        }
        guard let sent: any TFTPFileContents = request.mode == .netascii ? try? NetasciiContents(source: contents) : contents else {
            return [.error(.notDefined, message: TFTPTransfer.fileChangedMessage)]
        }
        let parameters = TFTPOptionNegotiation.negotiate(request.options, transferSize: sent.count, limits: configuration.tftpLimits)
        var state = Transfer(transfer: TFTPTransfer(contents: sent, parameters: parameters))
        let packets = perform(state.transfer.start(now: now), on: &state)
        if !state.transfer.hasEnded { transfers[tid] = state }
        return packets
    }

    /// A datagram from a client with a running transfer.
    mutating func received(_ payload: ArraySlice<UInt8>, from tid: ReplayConversation, at now: TFTPInstant) -> [TFTPPacket] {
        guard var state = transfers[tid], let packet = try? TFTPPacket(decoding: payload) else { return [] }
        let packets = perform(state.transfer.received(packet, now: now), on: &state)
        transfers[tid] = state.transfer.hasEnded ? nil : state
        return packets
    }

    /// Fires every timer due by `now`, earliest first: the retransmissions the capture shows.
    mutating func fireTimers(until now: TFTPInstant) -> [(ReplayConversation, TFTPPacket, TFTPInstant)] {
        var sent: [(ReplayConversation, TFTPPacket, TFTPInstant)] = []
        while let (tid, state) = transfers.filter({ $0.value.deadline.map { $0 <= now } ?? false }).min(by: { $0.value.deadline! < $1.value.deadline! }) {
            var state = state
            let deadline = state.deadline!
            state.deadline = nil
            let packets = perform(state.transfer.timerFired(now: deadline), on: &state)
            transfers[tid] = state.transfer.hasEnded ? nil : state
            sent += packets.map { (tid, $0, deadline) }
        }
        return sent
    }

    private func perform(_ actions: TFTPTransfer.Actions, on state: inout Transfer) -> [TFTPPacket] {
        var packets: [TFTPPacket] = []
        for action in actions {
            switch action {
            case .send(let packet):
                packets.append(packet)
            case .sendData(let block):
                if let bytes = try? state.transfer.dataPacket(block), let packet = try? TFTPPacket(decoding: bytes) { packets.append(packet) }
            case .armTimer(let deadline):
                state.deadline = deadline
            case .finished, .failed, .abandoned:
                state.deadline = nil
            }
        }
        return packets
    }
}
