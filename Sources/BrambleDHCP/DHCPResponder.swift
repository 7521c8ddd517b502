import BrambleNodeMap
import BrambleWire

/// The DHCP server's decisions (RFC 2131/2132), with no sockets, clock or files: a decoded
/// request, the node map and `now` in; a reply, an event and the state changes out. The
/// same code answers the wire, the capture replays and the demo.
///
/// Static nodes come from the node map; machines not in it get nothing unless a pool is
/// configured. Raspberry Pi firmware gets the boot menu in option 43 and is remembered by
/// MAC, because the Pi 4's REQUEST carries no vendor class and TFTP needs the serial.
public struct DHCPResponder: Sendable {
    public var settings: DHCPResponderSettings {
        didSet { replyOptions = DHCPReplyOptions(settings: settings) }
    }
    private var replyOptions: DHCPReplyOptions
    public private(set) var nodeMap: NodeMap
    public private(set) var pool: LeasePool?
    var memory = DHCPClientMemory()

    public init(settings: DHCPResponderSettings, nodeMap: NodeMap, pool: LeasePool? = nil) {
        self.settings = settings
        replyOptions = DHCPReplyOptions(settings: settings)
        self.nodeMap = nodeMap
        self.pool = pool
        self.pool?.updateReserved(Self.reservedAddresses(nodeMap, hub: settings.hub.address))
    }

    /// Swaps in a reloaded node map; the pool stops handing out the new nodes' addresses.
    public mutating func replaceNodeMap(_ map: NodeMap) {
        nodeMap = map
        pool?.updateReserved(Self.reservedAddresses(map, hub: settings.hub.address))
    }

    /// Rebuilds the pool from its journal at start-up.
    public mutating func restore(_ entries: [LeaseJournalEntry]) {
        for entry in entries { pool?.apply(entry) }
    }

    /// The serial a Pi reported in option 97, for its TFTP `<serial>/` prefix.
    public func serial(of mac: MACAddress) -> RaspberryPiSerial? { memory.client(mac)?.serial }

    /// The bootloader generation a Pi named in option 97 (5 for `RPi5`), for TFTP's
    /// per-model prefix rule; nil for the ROMs, other clients and non-digit FourCCs.
    public func bootloaderGeneration(of mac: MACAddress) -> Int? { memory.client(mac)?.bootloaderGeneration?.wholeNumberValue }

    /// The one DHCP path: the daemon (after decoding a frame from its raw socket) and replay
    /// (after decoding a captured datagram) both call this, then only perform the result:
    /// journal the lease change, seed the ARP entry, send ``DHCPReply`` to its
    /// ``DHCPReplyDestination`` (address, port and, for a raw frame, MAC) after
    /// `delayMilliseconds`, publish the event. Returning values rather than acting keeps
    /// replay and the daemon from drifting and lets tests check every decision without root.
    ///
    /// In proxy mode (`settings.mode`), see ``respondAsProxy(to:messageType:mac:now:)``.
    ///
    /// - Parameters:
    ///   - now: the monotonic instant, for what is timed only while the process runs (the
    ///     once-a-minute report of an unknown MAC).
    ///   - wallClock: seconds since the epoch, for the pool: its lease and decline expiries
    ///     are written to the lease journal and must still hold after a restart, which only
    ///     the wall clock spans (see ``LeasePool``).
    public mutating func respond(to request: DHCPMessage, now: MonotonicInstant, wallClock: Int64) -> DHCPResponse {
        guard request.operation == .request, let messageType = request.options.messageType else { return DHCPResponse() }
        guard let mac = request.clientMAC else {
            return DHCPResponse()
        }
        // Before the client memory sees it: a forged request must leave no trace.
        if let reason = Self.unusableAddressing(request, mac: mac, subnet: settings.hub.subnet) {
            return DHCPResponse(event: DHCPEvent(
                mac: mac, nodeID: nil, nodeName: nil, received: messageType, client: .plain, serial: nil,
                relay: nil, outcome: .ignored(reason), transactionID: request.transactionID))
        }
        if settings.mode == .proxy { return respondAsProxy(to: request, messageType: messageType, mac: mac, now: now) }
        let option97 = request.options[.clientMachineIdentifier].map(RaspberryPiOption97.init)
        let client = memory.observe(request, mac: mac, identity: RaspberryPiClientIdentity(options: request.options, option97: option97))
        let node = nodeMap.node(mac: mac)
        var event = DHCPEvent(
            mac: mac, nodeID: node?.id, nodeName: node?.name, received: messageType, client: client.kind,
            serial: client.serial,
            relay: request.relayAgentAddress == .any ? nil : request.relayAgentAddress, outcome: .ignored(.noReplyExpected),
            transactionID: request.transactionID, boardRevision: client.boardRevision,
            clientMachineIdentifier: option97)

        func ignored(_ reason: DHCPIgnoreReason, worthLogging: Bool = true) -> DHCPResponse {
            event.outcome = .ignored(reason)
            event.worthLogging = worthLogging
            return DHCPResponse(event: event)
        }

        if request.relayAgentAddress != .any, !settings.hub.subnet.contains(request.relayAgentAddress) {
            return ignored(.foreignRelay(request.relayAgentAddress))
        }
        if let node, node.settings.disabled { return ignored(.disabledNode) }
        if node == nil && pool == nil {
            return ignored(.unknownMAC, worthLogging: memory.shouldReportUnknown(mac, now: now))
        }

        let decision: Decision
        switch messageType {
        case .discover: decision = discover(request, mac: mac, node: node, client: client, wallClock: wallClock)
        case .request: decision = requestMessage(request, mac: mac, node: node, client: client, wallClock: wallClock)
        case .decline: decision = decline(request, mac: mac, wallClock: wallClock)
        case .release: decision = release(request, mac: mac)
        case .inform: decision = .reply(.ack, address: nil, journal: nil)
        case .offer, .ack, .nak: decision = .ignore(.noReplyExpected)
        }

        switch decision {
        case .ignore(let reason):
            return ignored(reason)
        case .journalOnly(let entry):
            var response = ignored(.noReplyExpected)
            response.journal = entry
            return response
        case .reply(let type, let address, let journal):
            event.outcome = .replied(type, address: address)
            let reply = buildReply(type, to: request, mac: mac, address: address, node: node, client: client)
            var response = DHCPResponse(reply: reply, event: event, journal: journal)
            if let address, type != .nak, request.relayAgentAddress == .any {
                response.arpEntry = DHCPResponse.ARPEntry(address: address, mac: mac)
            }
            if client.kind == .pi3BBootROM, type == .offer {
                response.delayMilliseconds = settings.pi3BReplyDelayMilliseconds
            }
            return response
        }
    }

    private enum Decision {
        case reply(DHCPMessageType, address: IPv4Address?, journal: LeaseJournalEntry?)
        case ignore(DHCPIgnoreReason)
        case journalOnly(LeaseJournalEntry)
    }

    private mutating func discover(_ request: DHCPMessage, mac: MACAddress, node: NodeEntry?, client: DHCPClientMemory.Client, wallClock: Int64) -> Decision {
        if let node { return .reply(.offer, address: nodeMap.address(of: node), journal: nil) }
        guard var pool, let address = pool.offer(to: mac, requested: request.options.requestedIPAddress, now: wallClock) else {
            return .ignore(.poolExhausted)
        }
        // The Pi ROMs never send a REQUEST: for them the OFFER is the binding, so it is
        // journaled like an ACK.
        var journal: LeaseJournalEntry?
        if client.kind == .pi3BBootROM || client.kind == .piSerialROM {
            journal = pool.grant(address, to: mac, now: wallClock, leaseSeconds: Int64(settings.leaseSeconds), hostname: nil)
        }
        self.pool = pool
        return .reply(.offer, address: address, journal: journal)
    }

    /// REQUEST in each RFC 2131 4.3.2 state: SELECTING (server identifier present),
    /// INIT-REBOOT (requested address, no ciaddr), RENEWING/REBINDING (ciaddr).
    private mutating func requestMessage(_ request: DHCPMessage, mac: MACAddress, node: NodeEntry?, client: DHCPClientMemory.Client, wallClock: Int64) -> Decision {
        let options = request.options
        if let server = options.serverIdentifier, server != settings.hub.address {
            pool?.withdrawOffer(to: mac)
            return .ignore(.otherServerChosen(server))
        }
        let wanted: IPv4Address
        if options.serverIdentifier != nil || request.clientAddress == .any {
            guard let requested = options.requestedIPAddress ?? (request.clientAddress == .any ? nil : request.clientAddress) else {
                return .reply(.nak, address: nil, journal: nil)
            }
            wanted = requested
        } else {
            wanted = request.clientAddress
        }
        if let node {
            let address = nodeMap.address(of: node)
            return wanted == address ? .reply(.ack, address: address, journal: nil) : .reply(.nak, address: nil, journal: nil)
        }
        guard var pool else { return .ignore(.unknownMAC) }
        let initReboot = options.serverIdentifier == nil && request.clientAddress == .any
        if !settings.hub.subnet.contains(wanted) { return .reply(.nak, address: nil, journal: nil) }
        if initReboot, pool.lease(for: mac)?.address != wanted, !pool.contains(wanted) {
            return .ignore(.noRecordOfClient)
        }
        let hostname = options.hostName.flatMap(Self.sanitisedHostname)
        guard let entry = pool.grant(wanted, to: mac, now: wallClock, leaseSeconds: Int64(settings.leaseSeconds), hostname: hostname) else {
            return .reply(.nak, address: nil, journal: nil)
        }
        self.pool = pool
        return .reply(.ack, address: wanted, journal: entry)
    }

    private mutating func decline(_ request: DHCPMessage, mac: MACAddress, wallClock: Int64) -> Decision {
        guard let address = request.options.requestedIPAddress, let entry = pool?.decline(address, from: mac, now: wallClock) else {
            return .ignore(.noReplyExpected)
        }
        return .journalOnly(entry)
    }

    private mutating func release(_ request: DHCPMessage, mac: MACAddress) -> Decision {
        guard let entry = pool?.release(request.clientAddress, from: mac) else { return .ignore(.noReplyExpected) }
        return .journalOnly(entry)
    }

    private func buildReply(_ type: DHCPMessageType, to request: DHCPMessage, mac: MACAddress, address: IPv4Address?, node: NodeEntry?, client: DHCPClientMemory.Client) -> DHCPReply {
        var reply = DHCPMessage(
            operation: .reply, transactionID: request.transactionID, clientMAC: mac, flags: request.flags,
            clientAddress: type == .nak ? .any : request.clientAddress,
            yourAddress: type == .nak ? .any : address ?? .any,
            serverAddress: type == .nak ? .any : settings.hub.address,
            relayAgentAddress: request.relayAgentAddress,
            options: replyOptions.build(type, for: request, node: node, client: client, hostname: node?.name ?? pool?.lease(for: mac)?.hostname))
        if type != .nak, let file = bootFile(for: client) {
            reply.bootFileName = Array(file.utf8)
            reply.options.set(.bootFileName, text: file)
        }
        if type == .nak, request.relayAgentAddress != .any { reply.isBroadcast = true }
        return DHCPReply(
            message: reply,
            maximumMessageSize: min(request.options.maximumMessageSize ?? DHCPMessage.minimumMaximumMessageSize, Self.maximumReplySize),
            destination: Self.destination(type, request: request, mac: mac, address: address))
    }

    /// The largest reply (IP datagram) sent, whatever option 57 claims: the Ethernet MTU.
    /// A larger reply would leave as IP fragments, which boot ROMs do not reassemble, and
    /// option 57 is the client's word, up to 65,535.
    public static let maximumReplySize = 1500

    /// Every Pi firmware ignores the file name; other PXE ROMs and iPXE need one to boot.
    func bootFile(for client: DHCPClientMemory.Client) -> String? {
        switch client.kind {
        case .iPXE: settings.iPXEBootFile
        case .pxe(let architecture?): settings.bootFileByArchitecture[architecture]
        case .pxe(nil), .pi3BBootROM, .piSerialROM, .piBootloader, .plain: nil
        }
    }

    /// RFC 2131 section 4.1: relay first, then the client's own address, then broadcast when
    /// asked (and for every NAK), else unicast to the MAC with the new address.
    static func destination(_ type: DHCPMessageType, request: DHCPMessage, mac: MACAddress, address: IPv4Address?) -> DHCPReplyDestination {
        if request.relayAgentAddress != .any { return .relay(request.relayAgentAddress) }
        if type == .nak { return .broadcast }
        if request.clientAddress != .any { return .clientAddress(request.clientAddress) }
        if request.isBroadcast { return .broadcast }
        guard let address else { return .broadcast }
        return .clientHardware(mac, address)
    }

    /// Why a request's addressing fields cannot be genuine, or nil. A reply goes to chaddr,
    /// ciaddr or giaddr (RFC 2131 section 4.1), so each must name one host: chaddr a
    /// unicast MAC; ciaddr and giaddr 0.0.0.0 ("none", which RFC 2131 allows for both) or
    /// a unicast address.
    static func unusableAddressing(_ request: DHCPMessage, mac: MACAddress, subnet: IPv4Subnet) -> DHCPIgnoreReason? {
        guard mac.isAssignable else { return .unusableHardwareAddress(mac) }
        if request.clientAddress != .any, !isUnicast(request.clientAddress, in: subnet) {
            return .unusableAddressField(field: "ciaddr", request.clientAddress)
        }
        if request.relayAgentAddress != .any, !isUnicast(request.relayAgentAddress, in: subnet) {
            return .unusableAddressField(field: "giaddr", request.relayAgentAddress)
        }
        return nil
    }

    /// Not 0/8 ("this network", RFC 1122 3.2.1.3), 127/8 (loopback), 224/4 (multicast),
    /// 240/4 (reserved, with 255.255.255.255), nor the cluster subnet's broadcast address.
    static func isUnicast(_ address: IPv4Address, in subnet: IPv4Subnet) -> Bool {
        let first = address.value >> 24
        return first != 0 && first != 127 && first < 224 && (subnet.prefixLength >= 31 || address != subnet.broadcast)
    }

    static func reservedAddresses(_ map: NodeMap, hub: IPv4Address) -> Set<IPv4Address> {
        Set(map.nodes.map { map.address(of: $0) } + [hub])
    }

    /// A client's option 12 as a DNS label: lowercase letters, digits and hyphens, or nil.
    static func sanitisedHostname(_ name: String) -> String? {
        let label = String(name.lowercased().prefix { $0 != "." }.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        let trimmed = label.drop { $0 == "-" }.reversed().drop { $0 == "-" }.reversed()
        let result = String(String(trimmed).prefix(63))
        return result.isEmpty ? nil : result
    }
}

/// The options of a reply, in order of importance: the encoder drops from the end when a
/// reply must shrink to the client's maximum message size, so what a client cannot boot
/// without comes first.
///
/// The values that depend only on the settings are encoded once, when the settings are
/// set, so a reply's options cost no allocation beyond the client's own values.
struct DHCPReplyOptions: Sendable {
    let settings: DHCPResponderSettings
    private let hub: [UInt8]
    private let subnetMask: [UInt8]
    private let broadcast: [UInt8]
    private let leaseTime: [UInt8]
    private let renewalTime: [UInt8]
    private let rebindingTime: [UInt8]
    private let pxeClient: [UInt8]
    private let tftpServer: [UInt8]
    private let domain: [UInt8]
    private let defaultRootPath: [UInt8]
    private let nakMessage: [UInt8]
    /// Option 53's value for each message type, by raw value.
    private let messageTypes: [[UInt8]]

    init(settings: DHCPResponderSettings) {
        self.settings = settings
        hub = settings.hub.address.bytes
        subnetMask = settings.hub.subnet.mask.bytes
        broadcast = settings.hub.subnet.broadcast.bytes
        leaseTime = Self.uint32(settings.leaseSeconds)
        renewalTime = Self.uint32(settings.leaseSeconds / 2)
        rebindingTime = Self.uint32(settings.leaseSeconds / 8 * 7)
        pxeClient = Array("PXEClient".utf8)
        tftpServer = Array(settings.hub.address.description.utf8)
        domain = Array(settings.domain.utf8)
        defaultRootPath = Array(settings.defaultRootPath.utf8)
        nakMessage = Array("requested address is not this client's".utf8)
        messageTypes = (0...UInt8(DHCPMessageType.allCases.count)).map { [$0] }
    }

    private static func uint32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    func build(_ type: DHCPMessageType, for request: DHCPMessage, node: NodeEntry?, client: DHCPClientMemory.Client, hostname: String?) -> DHCPOptions {
        var options = DHCPOptions(reservingCapacity: 16)
        options[.messageType] = messageTypes[Int(type.rawValue)]
        options[.serverIdentifier] = hub
        guard type != .nak else {
            options[.message] = nakMessage
            return options
        }
        let isInform = request.options.messageType == .inform
        let requested = request.options[.parameterRequestList] ?? []
        if !isInform { options[.ipAddressLeaseTime] = leaseTime }
        // Sent whether asked or not: some Pi firmware needs them unrequested (firmware#1001).
        options[.subnetMask] = subnetMask
        options[.router] = hub
        if client.kind.isPXE || request.options.vendorClassIdentifier?.hasPrefix("PXEClient") == true {
            options[.vendorClassIdentifier] = pxeClient
            // Every Pi firmware ignores offers without it: recognised by option 97 alone,
            // the Pi 5's `RPi5` included (docs/raspberry-pi-netboot.md, option 43).
            if client.kind.isRaspberryPiFirmware {
                options[.vendorSpecificInformation] = settings.bootMenu.vendorSpecificInformation
            }
            if let guid = request.options[.clientMachineIdentifier] { options[.clientMachineIdentifier] = guid }
        }
        // The TFTP server as text without a trailing NUL; the Pi 4 reads it, the Pi 3 takes
        // the server from the OFFER's source address (boot-net.adoc; docs/raspberry-pi-netboot.md).
        if client.kind.isPXE || requested.contains(DHCPOptionCode.tftpServerName.rawValue) {
            options[.tftpServerName] = tftpServer
        }
        options[.domainNameServer] = hub
        options[.broadcastAddress] = broadcast
        if requested.contains(DHCPOptionCode.rootPath.rawValue) || node?.settings.root != nil {
            options[.rootPath] = node?.settings.root == nil ? defaultRootPath : Array(rootPath(for: node).utf8)
        }
        if let hostname { options.set(.hostName, text: hostname) }
        options[.domainName] = domain
        if !isInform {
            options[.renewalTime] = renewalTime
            options[.rebindingTime] = rebindingTime
        }
        return options
    }

    /// The node's `root=` (a bare path is on the hub), else the hub's shared root.
    func rootPath(for node: NodeEntry?) -> String {
        guard let root = node?.settings.root else { return settings.defaultRootPath }
        return root.hasPrefix("/") ? "\(settings.hub.address):\(root)" : root
    }
}

/// What the responder remembers about clients between messages: their kind and serial
/// from option 97, and when an unknown MAC was last reported.
///
/// A Pi 4's REQUEST carries no vendor class, so its kind is taken from the DISCOVER of the
/// same transaction; the kernel's DHCP later (a new transaction) is a plain client again.
/// Bounded, because any machine on the switch can make up MACs.
struct DHCPClientMemory: Sendable {
    struct Client: Hashable, Sendable {
        var kind: DHCPClientKind
        var serial: RaspberryPiSerial?
        /// From a bootloader GUID: the model, for the boot log and status.
        var boardRevision: RaspberryPiBoardRevision?
        /// From a bootloader GUID (`4`, `5`): kept past the kernel's DHCP like the serial,
        /// for TFTP's per-model prefix rule.
        var bootloaderGeneration: Character?
        var transactionID: UInt32
    }

    static let capacity = 4096
    static let unknownReportInterval: Duration = .seconds(60)

    private var clients: [MACAddress: Client] = [:]
    private var unknownReported: [MACAddress: MonotonicInstant] = [:]

    func client(_ mac: MACAddress) -> Client? { clients[mac] }

    /// - Parameter identity: the request's, decoded once by the caller.
    mutating func observe(_ request: DHCPMessage, mac: MACAddress, identity: RaspberryPiClientIdentity) -> Client {
        var kind = Self.kind(of: request, identity: identity)
        let previous = clients[mac]
        if kind == .plain, let previous, previous.transactionID == request.transactionID, previous.kind.isPXE {
            kind = previous.kind
        }
        let serial = identity.serial ?? previous?.serial
        let boardRevision = identity.boardRevision ?? previous?.boardRevision
        var generation = previous?.bootloaderGeneration
        if case .bootloader(let guid) = identity { generation = guid.generation }
        let client = Client(
            kind: kind, serial: serial, boardRevision: boardRevision, bootloaderGeneration: generation, transactionID: request.transactionID)
        if clients.count >= Self.capacity && previous == nil { clients.removeAll(keepingCapacity: true) }
        clients[mac] = client
        return client
    }

    /// One report per unknown MAC per minute: a machine retrying every few seconds must not
    /// bury the log.
    mutating func shouldReportUnknown(_ mac: MACAddress, now: MonotonicInstant) -> Bool {
        if let last = unknownReported[mac], now.duration(since: last) < Self.unknownReportInterval { return false }
        if unknownReported.count >= Self.capacity { unknownReported.removeAll(keepingCapacity: true) }
        unknownReported[mac] = now
        return true
    }

    static func kind(of request: DHCPMessage, identity: RaspberryPiClientIdentity) -> DHCPClientKind {
        if request.options.isFromIPXE { return .iPXE }
        switch identity {
        case .pi3BBootROM: return .pi3BBootROM
        case .serialGUID: return .piSerialROM
        case .bootloader(let guid): return .piBootloader(generation: guid.generation)
        case .pxeClient(let architectures): return .pxe(architecture: architectures.first)
        case .nonPXE: return .plain
        }
    }
}
