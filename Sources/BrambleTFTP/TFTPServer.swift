import BrambleNodeMap
import BrambleWire

/// A client's transfer ID (RFC 1350 section 4): the address and port its request came
/// from. Every packet of a transfer comes from it, so it keys the table of transfers.
public struct TFTPTransferID: Hashable, Sendable, CustomStringConvertible {
    public let address: IPv4Address
    public let port: UInt16

    public init(address: IPv4Address, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// One 64-bit word into the hasher instead of two fields.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(UInt64(address.value) << 16 | UInt64(port))
    }

    /// What `Dictionary` places the key by, for the server's table of transfers, looked up
    /// at every ACK: the address and port as one word, mixed with the table's own random
    /// seed by SplitMix64's finalizer (a bijection in which every input bit moves every
    /// output bit; https://prng.di.unimi.it/splitmix64.c), about 10 instructions where
    /// `Hasher`'s SipHash took 200. Without the seed, which differs per table and process,
    /// a client cannot choose ports that collide; and the table holds only admitted
    /// transfers (``TFTPAdmission``), so even colliding keys make short probes.
    public func _rawHashValue(seed: Int) -> Int {
        var mixed = (UInt64(address.value) << 16 | UInt64(port)) ^ UInt64(bitPattern: Int64(seed))
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: mixed ^ (mixed >> 31))
    }

    public var description: String { "\(address):\(port)" }
}

/// The read-only TFTP server as a value: one request or client packet and `now` in, what
/// to send out. The daemon's `TFTPService` and capture replay both drive it, so a capture
/// that replays clean was answered by the very code that serves the wire.
///
/// Why this shape:
/// - A request (``request(_:from:at:)``) goes through the steps below, in this order, and
///   the first that says no is the answer; every refusal is a typed ``TFTPRefusal`` that
///   carries its ERROR packet and enough to log why:
///   malformed or not a request; a write; a repeat of a running transfer's request
///   (ignored); mail mode; admission (``TFTPAdmission``); the path (``TFTPPathResolver``
///   through ``tree``); opening the file (``TFTPServedTree/open(_:)``, a typed result, no
///   file I/O here); a template that is too large or does not parse; the netascii form;
///   option negotiation.
/// - An admitted request comes back as a ``TFTPStart`` and only enters the table when the
///   caller ``begin(_:at:)``s it: the daemon logs the start and sets up the transfer's
///   session on its shared transfer port in between.
/// - Client packets (``received(_:from:at:)``), timers (``timerFired(_:at:)``) and read
///   failures (``readFailed(_:_:)``) go to the transfer with that ID and come back as
///   ``TFTPTransfer/Actions``: a plain value, not an array, because one is made per ACK
///   (one per 512-byte block) and must not allocate. A transfer whose actions end it leaves
///   the table before they are returned.
public struct TFTPServer<Tree: TFTPServedTree> {
    /// What the operator configures, and what the interface allows.
    public struct Settings: Sendable {
        /// The hub's address on the cluster LAN: `{{hub}}` in templates.
        public var hub: IPv4Address
        /// `HUB:<pxe>/root`: `{{root}}` for nodes without their own `root=`.
        public var defaultRoot: String
        /// `tftp-max-transfers` and `tftp-max-per-client`.
        public var admission: TFTPAdmission
        public var limits: TFTPServerLimits
        public var policy: TFTPRetransmissionPolicy

        public init(
            hub: IPv4Address, defaultRoot: String, admission: TFTPAdmission, limits: TFTPServerLimits,
            policy: TFTPRetransmissionPolicy = TFTPRetransmissionPolicy()
        ) {
            self.hub = hub
            self.defaultRoot = defaultRoot
            self.admission = admission
            self.limits = limits
            self.policy = policy
        }
    }

    /// What a datagram to port 69 leads to.
    public enum RequestOutcome {
        /// Nothing to send: an ERROR sent to port 69, or a repeated request of a transfer
        /// that is running (the client did not hear the first answer yet).
        case ignored
        /// Send ``TFTPRefusal/payload`` back to the sender.
        case refused(TFTPRefusal)
        /// Start it with ``begin(_:at:)``.
        case admitted(TFTPStart)
    }

    /// One running transfer and what the table needs to know about it.
    public struct Entry: Sendable {
        public var transfer: TFTPTransfer
        public let fileName: String
        /// Its client is outside the node map (``TFTPAdmission/strangerShare``).
        public let isStranger: Bool
        /// When its timer is due: the latest deadline its actions armed.
        public internal(set) var deadline: MonotonicInstant?
    }

    /// The boot tree files are resolved in and opened from; replaced on reload.
    public var tree: Tree
    public var settings: Settings
    /// The nodes, by address for the client and by serial or MAC for a Pi prefix.
    public var nodeMap: NodeMap {
        didSet { resolver.nodeMap = nodeMap }
    }
    /// What DHCP learned about a MAC from its option 97 (serial, bootloader generation).
    public var reportOf: (MACAddress) -> RaspberryPiDHCPReport
    private var resolver: TFTPPathResolver
    public private(set) var transfers: [TFTPTransferID: Entry] = [:]
    private var transfersPerClient: [IPv4Address: Int] = [:]
    private var strangerTransfers = 0
    /// Each boot file's netascii form, counted once per open version: the count reads the
    /// whole file, and a client repeating netascii requests for the kernel must not make
    /// the server read 30 MB each time. Only files the tree hands out as objects (one per
    /// version) are kept; a value is counted per request.
    private var netasciiForms: [String: NetasciiContents] = [:]

    /// The largest template rendered. Templates are `cmdline.txt` and `config.txt`, a few
    /// hundred bytes (the kernel's command line is at most 2 KB on arm64); a template is
    /// read whole into memory, so a huge one is refused instead.
    public static var maximumTemplateSize: Int { 65_536 }

    public init(tree: Tree, nodeMap: NodeMap, settings: Settings, reportOf: @escaping (MACAddress) -> RaspberryPiDHCPReport) {
        self.tree = tree
        self.nodeMap = nodeMap
        self.settings = settings
        self.reportOf = reportOf
        resolver = TFTPPathResolver(nodeMap: nodeMap)
    }

    public var activeTransfers: Int { transfers.count }

    // MARK: requests

    /// A datagram to port 69 from `id`.
    public mutating func request(_ payload: ArraySlice<UInt8>, from id: TFTPTransferID, at now: MonotonicInstant) -> RequestOutcome {
        let packet: TFTPPacket
        do {
            packet = try TFTPPacket(decoding: payload)
        } catch {
            return .refused(TFTPRefusal(.malformed(error), id: id, fileName: nil, node: nil))
        }
        switch packet {
        case .readRequest(let request):
            return read(request, from: id)
        case .writeRequest(let request):
            return .refused(TFTPRefusal(.writeRequest, id: id, fileName: request.fileName, node: nodeMap.node(address: id.address)))
        case .error:
            return .ignored
        case .data, .acknowledgement, .optionAcknowledgement:
            return .refused(TFTPRefusal(.notARequest(packet.opcode), id: id, fileName: nil, node: nil))
        }
    }

    private mutating func read(_ request: TFTPRequest, from id: TFTPTransferID) -> RequestOutcome {
        guard transfers.index(forKey: id) == nil else { return .ignored }
        let node = nodeMap.node(address: id.address)
        func refusal(_ reason: TFTPRefusal.Reason) -> RequestOutcome {
            .refused(TFTPRefusal(reason, id: id, fileName: request.fileName, node: node))
        }
        guard request.mode != .mail else { return refusal(.mailMode) }
        let fromClient = transfersPerClient[id.address, default: 0]
        let running = TFTPAdmission.Running(
            total: transfers.count, strangers: strangerTransfers, fromClient: fromClient,
            unacknowledgedFromClient: fromClient == 0 || node == nil ? 0 : transfers.count { $0.key.address == id.address && !$0.value.transfer.isAcknowledged })
        if let busy = settings.admission.refusal(running: running, clientIsNode: node != nil) { return refusal(.busy(busy)) }
        let mac = node?.mac
        let identity = TFTPClient(node: node, reported: mac.map { reportOf($0) } ?? RaspberryPiDHCPReport())
        let resolved: TFTPResolvedPath
        do throws(TFTPPathRefusal) {
            resolved = try resolver.resolve(request.fileName, for: identity, in: tree)
        } catch {
            return refusal(.path(error, searched: resolver.searchedPaths(request.fileName, for: identity)))
        }
        let file: any TFTPFileContents
        switch tree.open(resolved.path) {
        case .opened(let opened): file = opened
        case .missing(let reason): return refusal(.cannotOpen(path: resolved.path, .missing(reason: reason)))
        case .denied(let reason): return refusal(.cannotOpen(path: resolved.path, .denied(reason: reason)))
        }
        var contents = file
        var emptyKeys: [BootFileTemplateKey] = []
        if resolved.isTemplate, let templateNode = resolved.node {
            guard file.count <= Self.maximumTemplateSize else { return refusal(.templateTooLarge(path: resolved.path, size: file.count)) }
            let source: [UInt8]
            do throws(TFTPReadError) {
                source = try file.bytes(in: 0..<file.count)
            } catch {
                return refusal(.unreadable(path: resolved.path, error, template: true))
            }
            let template: BootFileTemplate
            do throws(BootFileTemplateError) {
                template = try BootFileTemplate(parsing: source)
            } catch {
                return refusal(.templateInvalid(path: resolved.path, error))
            }
            let rendering = template.render(BootFileTemplateValues(
                node: templateNode, address: nodeMap.address(of: templateNode), serial: resolved.serial, hub: settings.hub,
                defaultRoot: settings.defaultRoot))
            contents = rendering.bytes
            emptyKeys = rendering.emptyKeys
        }
        if request.mode == .netascii {
            do throws(TFTPReadError) {
                contents = try netascii(contents, path: resolved.path)
            } catch {
                return refusal(.unreadable(path: resolved.path, error, template: false))
            }
        }
        let parameters = TFTPOptionNegotiation.negotiate(request.options, transferSize: contents.count, limits: settings.limits)
        return .admitted(TFTPStart(
            id: id, request: request, node: node, resolved: resolved, contents: contents, parameters: parameters,
            emptyTemplateKeys: emptyKeys))
    }

    /// `contents` as netascii: a boot file's form from ``netasciiForms`` while it is the
    /// same open version, else counted now (a rendered template is small and per node).
    private mutating func netascii(_ contents: any TFTPFileContents, path: String) throws(TFTPReadError) -> NetasciiContents {
        guard let file = contents as? any TFTPFileContents & AnyObject else { return try NetasciiContents(source: contents) }
        if let known = netasciiForms[path], let source = known.source as? any TFTPFileContents & AnyObject, source === file { return known }
        let form = try NetasciiContents(source: file)
        netasciiForms[path] = form
        return form
    }

    /// Enters an admitted request into the table and starts its transfer: the OACK, or
    /// the first window of DATA.
    public mutating func begin(_ start: TFTPStart, at now: MonotonicInstant) -> TFTPTransfer.Actions {
        let entry = Entry(
            transfer: TFTPTransfer(contents: start.contents, parameters: start.parameters, policy: settings.policy),
            fileName: start.request.fileName, isStranger: start.node == nil)
        transfers[start.id] = entry
        transfersPerClient[start.id.address, default: 0] += 1
        if entry.isStranger { strangerTransfers += 1 }
        return step(start.id) { $0.start(now: now) }!
    }

    // MARK: running transfers

    /// A datagram from `id` to its transfer; nil when no transfer has that ID. Throws for
    /// bytes that are no TFTP packet, which change nothing.
    public mutating func received(_ payload: ArraySlice<UInt8>, from id: TFTPTransferID, at now: MonotonicInstant) throws(TFTPDecodingError) -> TFTPTransfer.Actions? {
        guard let index = transfers.index(forKey: id) else { return nil }
        if let block = TFTPPacket.acknowledgedBlock(in: payload) {
            return step(at: index) { $0.receivedAcknowledgement(block, now: now) }
        }
        let packet = try TFTPPacket(decoding: payload)
        return step(at: index) { $0.received(packet, now: now) }
    }

    /// The transfer's timer passed its deadline.
    public mutating func timerFired(_ id: TFTPTransferID, at now: MonotonicInstant) -> TFTPTransfer.Actions? {
        guard let index = transfers.index(forKey: id) else { return nil }
        transfers.values[index].deadline = nil
        return step(at: index) { $0.timerFired(now: now) }
    }

    /// The bytes of a block to send could not be read: the transfer ends with an ERROR.
    public mutating func readFailed(_ id: TFTPTransferID, _ error: TFTPReadError) -> TFTPTransfer.Actions? {
        step(id) { $0.readFailed(error) }
    }

    /// The earliest timer due, for a caller that runs the clock itself (replay).
    public var nextDeadline: (id: TFTPTransferID, deadline: MonotonicInstant)? {
        var earliest: (id: TFTPTransferID, deadline: MonotonicInstant)?
        for (id, entry) in transfers {
            guard let deadline = entry.deadline else { continue }
            if earliest.map({ deadline < $0.deadline || (deadline == $0.deadline && id.description < $0.id.description) }) ?? true {
                earliest = (id, deadline)
            }
        }
        return earliest
    }

    private mutating func step(_ id: TFTPTransferID, _ input: (inout TFTPTransfer) -> TFTPTransfer.Actions) -> TFTPTransfer.Actions? {
        guard let index = transfers.index(forKey: id) else { return nil }
        return step(at: index, input)
    }

    /// Runs one input through the transfer in place, notes its deadline, and removes it from
    /// the table when the actions end it. By index, once looked up: `transfers[id] != nil`
    /// and `transfers[id]?.field` copy the whole entry out (retains included) at every ACK,
    /// which profiling showed as the core's largest user-space cost per block.
    private mutating func step(at index: [TFTPTransferID: Entry].Index, _ input: (inout TFTPTransfer) -> TFTPTransfer.Actions) -> TFTPTransfer.Actions {
        let actions = input(&transfers.values[index].transfer)
        if let rare = actions.rare, rare.ending != nil {
            end(transfers.keys[index])
        } else if let deadline = actions.deadline {
            transfers.values[index].deadline = deadline
        }
        return actions
    }

    private mutating func end(_ id: TFTPTransferID) {
        guard let entry = transfers.removeValue(forKey: id) else { return }
        let remaining = transfersPerClient[id.address, default: 1] - 1
        transfersPerClient[id.address] = remaining > 0 ? remaining : nil
        if entry.isStranger { strangerTransfers -= 1 }
    }
}

/// An admitted read request, ready to start: what it asked, what was found for it, and
/// what was negotiated.
public struct TFTPStart: Sendable {
    public let id: TFTPTransferID
    public let request: TFTPRequest
    /// The node whose address the request came from, if any.
    public let node: NodeEntry?
    public let resolved: TFTPResolvedPath
    /// The bytes to send: the file, a rendered template, or either's netascii form.
    public let contents: any TFTPFileContents
    public let parameters: TFTPTransferParameters
    /// Placeholders a template rendered empty (not known for the node yet).
    public let emptyTemplateKeys: [BootFileTemplateKey]

    /// The boot event that says this transfer began.
    public var event: TFTPEvent { .started(fileName: request.fileName, resolved: resolved, parameters: parameters) }
}

/// A request the server answers with an ERROR, and why: the packet is the client's
/// answer, the reason the operator's log line.
public struct TFTPRefusal: Sendable {
    public enum Reason: Sendable {
        /// Bytes to port 69 that are no TFTP packet.
        case malformed(TFTPDecodingError)
        /// DATA, ACK or OACK to port 69, where only requests belong.
        case notARequest(TFTPOpcode)
        /// The boot tree is read-only.
        case writeRequest
        case mailMode
        /// Too many transfers running (``TFTPAdmission``).
        case busy(TFTPAdmission.Refusal)
        /// The name leads to no file to send; `searched` lists where it was looked for.
        case path(TFTPPathRefusal, searched: [String])
        /// The resolver found the file, and it could not be opened.
        case cannotOpen(path: String, TFTPBootFileOpening.Failure)
        /// The file (or, with `template`, the template) could not be read to its end.
        case unreadable(path: String, TFTPReadError, template: Bool)
        case templateTooLarge(path: String, size: Int)
        case templateInvalid(path: String, BootFileTemplateError)
    }

    public let reason: Reason
    public let id: TFTPTransferID
    /// The file the request named; nil for what is no request.
    public let fileName: String?
    public let node: NodeEntry?

    public init(_ reason: Reason, id: TFTPTransferID, fileName: String?, node: NodeEntry?) {
        self.reason = reason
        self.id = id
        self.fileName = fileName
        self.node = node
    }

    /// The ERROR packet sent back. Messages name only what the client asked for, never
    /// the server's own paths.
    public var packet: TFTPPacket {
        let name = fileName ?? ""
        return switch reason {
        case .malformed(let error): .error(.illegalOperation, message: "malformed request: \(error)")
        case .notARequest: .error(.unknownTransferID, message: "unknown transfer ID")
        case .writeRequest: .error(.accessViolation, message: "access violation: the boot tree is read-only")
        case .mailMode: .error(.illegalOperation, message: "mail mode is for writing; read in octet or netascii")
        case .busy: .error(.notDefined, message: "server busy, retry")
        case .path(let refusal, _): .error(refusal.errorCode, message: refusal.clientMessage(for: name))
        case .cannotOpen(_, .missing): .error(.fileNotFound, message: "file not found: \(name)")
        case .cannotOpen(_, .denied): .error(.accessViolation, message: "access violation: \(name)")
        case .unreadable: .error(.notDefined, message: TFTPTransfer.fileChangedMessage)
        case .templateTooLarge, .templateInvalid: .error(.notDefined, message: "cannot render \(name): see the hub's log")
        }
    }

    /// ``packet``'s bytes; the answers a flood provokes most are encoded once.
    public var payload: [UInt8] {
        switch reason {
        case .busy: Self.busyPayload
        case .notARequest: Self.unknownTransferIDPayload
        case .writeRequest: Self.readOnlyPayload
        default: Self.encoded(packet)
        }
    }

    /// An ERROR's bytes. Its message is cut to ``TFTPPacket/maximumErrorMessageLength``, so
    /// it always fits a datagram and the empty fallback is never sent.
    private static func encoded(_ packet: TFTPPacket) -> [UInt8] { (try? packet.encoded()) ?? [] }

    /// "server busy, retry": the answer to every request over the admission limits.
    public static let busyPayload = encoded(.error(.notDefined, message: "server busy, retry"))
    /// ERROR 5, for packets that belong to no transfer.
    public static let unknownTransferIDPayload = encoded(.error(.unknownTransferID, message: "unknown transfer ID"))
    private static let readOnlyPayload = encoded(.error(.accessViolation, message: "access violation: the boot tree is read-only"))
}

/// Whether a new read transfer may start, given those running: the limits that keep a
/// flood of requests, spoofed source addresses included, from taking every slot, without
/// refusing what dnsmasq serves.
///
/// One address may be many clients: a test host running 48 TFTP clients, or nodes behind
/// one relay or NAT (dnsmasq serves all 48 reading 7 files each). So no address is held to
/// a small number by default: `tftp-max-per-client` defaults to `tftp-max-transfers`, and
/// what keeps one client from taking every slot is ``clientShare``, half of the total.
///
/// A source address costs an attacker on the cluster LAN nothing, so a limit per address
/// alone never binds a spoofer. Two more rules keep slots for the nodes:
/// - a node's address is one Pi, which probes one file at a time; a transfer not yet
///   acknowledged (no ACK of its OACK or first block) proves nothing about its source, so
///   a node address may hold at most ``maximumUnacknowledgedPerClient`` of them;
/// - addresses outside the node map (strangers: PCs, a pool client, a NAT, a forged
///   address) share at most ``strangerShare`` of the total.
///
/// A spoofer that cannot see the hub's answers never ACKs, so each forged request holds
/// its slot at most ``TFTPRetransmissionPolicy/maximumTimeWithoutProgress`` (30 s; 6-7 s
/// without the `timeout` option). The resulting worst case, with N nodes in the map:
/// strangers hold at most `total / 2` slots, forged node addresses at most 2 × N, and the
/// rest stays for the nodes.
public struct TFTPAdmission: Hashable, Sendable {
    /// `tftp-max-transfers`.
    public var total: Int
    /// `tftp-max-per-client`.
    public var perClient: Int

    public static let maximumUnacknowledgedPerClient = 2

    public init(total: Int, perClient: Int) {
        self.total = total
        self.perClient = perClient
    }

    /// Slots strangers may hold together: half the total, at least one.
    public var strangerShare: Int { max(1, total / 2) }

    /// Slots one address may hold whatever `tftp-max-per-client` says: half the total, at
    /// least one, so no client takes every slot.
    public var clientShare: Int { max(1, total / 2) }

    /// The transfers running when a request arrives, as they bear on its client.
    public struct Running: Hashable, Sendable {
        public var total: Int
        /// Transfers to addresses outside the node map.
        public var strangers: Int
        public var fromClient: Int
        public var unacknowledgedFromClient: Int

        public init(total: Int, strangers: Int, fromClient: Int, unacknowledgedFromClient: Int) {
            self.total = total
            self.strangers = strangers
            self.fromClient = fromClient
            self.unacknowledgedFromClient = unacknowledgedFromClient
        }
    }

    /// Why a request is answered "busy"; the text ends a log line "already ...".
    public enum Refusal: Hashable, Sendable, CustomStringConvertible {
        case total(Int)
        case perClient(Int)
        case clientShare(Int)
        case unacknowledged(Int)
        case strangers(Int)

        public var description: String {
            switch self {
            case .total(let limit): "\(limit) transfers in all (tftp-max-transfers)"
            case .perClient(let limit): "\(limit) transfers from this client (tftp-max-per-client)"
            case .clientShare(let limit): "\(limit) transfers from this client (half of tftp-max-transfers)"
            case .unacknowledged(let limit): "\(limit) transfers from this client that it has not acknowledged yet"
            case .strangers(let limit): "\(limit) transfers to clients outside the node map (half of tftp-max-transfers)"
            }
        }
    }

    /// Nil when the request may start a transfer.
    public func refusal(running: Running, clientIsNode: Bool) -> Refusal? {
        if running.total >= total { return .total(total) }
        if running.fromClient >= perClient { return .perClient(perClient) }
        if running.fromClient >= clientShare { return .clientShare(clientShare) }
        if clientIsNode, running.unacknowledgedFromClient >= Self.maximumUnacknowledgedPerClient {
            return .unacknowledged(Self.maximumUnacknowledgedPerClient)
        }
        if !clientIsNode, running.strangers >= strangerShare { return .strangers(strangerShare) }
        return nil
    }
}

/// Decides which of a read request's options the server grants (RFC 2347, 2348, 2349, 7440).
///
/// The rules, option by option (only options the client sent are ever answered; a name
/// that repeats counts once, first value; unknown names and unusable values are left out
/// of the OACK, which RFC 2347 defines as declining them):
/// - `blksize`: granted at the client's value, lowered to ``TFTPServerLimits/maximumBlockSize``
///   (a server may answer smaller, never larger). Below 8 or not a number: declined.
///   The Pi 4 sends `tsize 0 blksize 1024` and ignores config.txt unless this is granted.
/// - `tsize`: answered with the real size of what will be sent, when known.
/// - `timeout`: granted exactly as asked from 1 up to ``TFTPServerLimits/maximumTimeoutSeconds``;
///   anything else declined. RFC 2349 ("Timeout Interval Option Specification") allows
///   1-255 s and says the value in the OACK "must match the value specified by the client",
///   so a server may not answer a smaller value: it can only grant or decline.
/// - `windowsize`: 1-65535, lowered to ``TFTPServerLimits/maximumWindowSize``.
///
/// When nothing is granted there is no OACK and the transfer is plain RFC 1350.
public enum TFTPOptionNegotiation {
    public static let defaultBlockSize = 512
    public static let blockSizeRange = 8...65464
    public static let timeoutSecondsRange = 1...255
    public static let windowSizeRange = 1...65535

    /// - Parameters:
    ///   - requested: the request's options.
    ///   - transferSize: the bytes the transfer will send (after netascii conversion), or
    ///     nil when not known upfront; then `tsize` is declined.
    public static func negotiate(
        _ requested: TFTPOptions, transferSize: Int?, limits: TFTPServerLimits
    ) -> TFTPTransferParameters {
        var parameters = TFTPTransferParameters()
        var answered: Set<String> = []
        for option in requested {
            let name = option.name.lowercased()
            guard answered.insert(name).inserted, let number = decimal(option.value) else { continue }
            switch name {
            case "blksize" where number >= blockSizeRange.lowerBound:
                parameters.blockSize = min(number, limits.maximumBlockSize)
                parameters.acknowledgedOptions.append(name, String(parameters.blockSize))
            case "tsize":
                guard let transferSize else { continue }
                parameters.acknowledgedOptions.append(name, String(transferSize))
            case "timeout" where timeoutSecondsRange.contains(number) && number <= limits.maximumTimeoutSeconds:
                parameters.timeout = .seconds(number)
                parameters.acknowledgedOptions.append(name, String(number))
            case "windowsize" where number >= windowSizeRange.lowerBound:
                parameters.windowSize = min(number, limits.maximumWindowSize)
                parameters.acknowledgedOptions.append(name, String(parameters.windowSize))
            default:
                continue
            }
        }
        return parameters
    }

    /// Plain decimal digits, as RFC 2347 writes numbers; no sign, no spaces. Values too long
    /// for any option are not numbers either, which also keeps the arithmetic from overflowing.
    private static func decimal(_ text: String) -> Int? {
        guard (1...18).contains(text.utf8.count),
              text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int(text)
    }
}

/// What the server is willing to grant when a client proposes options.
public struct TFTPServerLimits: Hashable, Sendable {
    /// IPv4 header without options, UDP header, TFTP DATA header.
    public static let headerOverhead = 20 + 8 + 4

    /// The largest DATA payload granted. A block that does not fit the interface MTU would be
    /// sent as IP fragments, which the Pi firmware does not reassemble; so this comes from
    /// the MTU, not from what the client asks.
    public var maximumBlockSize: Int
    /// The largest RFC 7440 window granted. No Pi asks for one; PC clients (curl, atftp)
    /// may, and a bound keeps one client from flooding the hub's send queue.
    public var maximumWindowSize: Int
    /// The largest `timeout` option granted (RFC 2349), in seconds. The RFC allows 1-255,
    /// but a client granted 255 s makes the server wait minutes between resends and keeps
    /// a transfer slot that long; larger requests are declined (left out of the OACK, as
    /// RFC 2349 requires the acknowledged value to match the request) and the transfer
    /// runs on the server's default timeout. No Pi firmware sends the option.
    public var maximumTimeoutSeconds: Int

    public init(maximumBlockSize: Int, maximumWindowSize: Int = 16, maximumTimeoutSeconds: Int = 5) {
        self.maximumBlockSize = TFTPOptionNegotiation.blockSizeRange.clamp(maximumBlockSize)
        self.maximumWindowSize = TFTPOptionNegotiation.windowSizeRange.clamp(maximumWindowSize)
        self.maximumTimeoutSeconds = TFTPOptionNegotiation.timeoutSecondsRange.clamp(maximumTimeoutSeconds)
    }

    /// Limits for an interface: MTU 1500 gives blocks of 1468, what the Pi 5 asks for.
    public init(interfaceMTU: Int, maximumWindowSize: Int = 16, maximumTimeoutSeconds: Int = 5) {
        self.init(
            maximumBlockSize: interfaceMTU - Self.headerOverhead, maximumWindowSize: maximumWindowSize,
            maximumTimeoutSeconds: maximumTimeoutSeconds)
    }
}

extension ClosedRange where Bound == Int {
    func clamp(_ value: Int) -> Int { Swift.min(Swift.max(value, lowerBound), upperBound) }
}

/// Who is asking for a file, as far as the server knows from DHCP and the node map.
public struct TFTPClient: Sendable {
    /// The node whose address the request came from, if it is in the node map.
    public var node: NodeEntry?
    /// The Pi serial number (8 lowercase hex digits) the client's MAC reported in DHCP
    /// option 97, if it did.
    public var serial: String?
    /// The generation in the Pi bootloader's option 97 FourCC (`RPi5`: 5), if it sent
    /// one: it decides which files are the prefix probes (``TFTPPathResolver``).
    public var bootloaderGeneration: Int?

    public init(node: NodeEntry? = nil, serial: String? = nil, bootloaderGeneration: Int? = nil) {
        self.node = node
        self.serial = serial
        self.bootloaderGeneration = bootloaderGeneration
    }

    public init(node: NodeEntry?, reported: RaspberryPiDHCPReport) {
        self.init(node: node, serial: reported.serial, bootloaderGeneration: reported.bootloaderGeneration)
    }
}

/// What DHCP learned about a MAC from its option 97, handed to TFTP.
public struct RaspberryPiDHCPReport: Hashable, Sendable {
    public var serial: String?
    public var bootloaderGeneration: Int?

    public init(serial: String? = nil, bootloaderGeneration: Int? = nil) {
        self.serial = serial
        self.bootloaderGeneration = bootloaderGeneration
    }
}
