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
    public var settings: DHCPResponderSettings
    public private(set) var nodeMap: NodeMap
    public private(set) var pool: LeasePool?
    var memory = DHCPClientMemory()

    public init(settings: DHCPResponderSettings, nodeMap: NodeMap, pool: LeasePool? = nil) {
        self.settings = settings
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

    /// - Parameter now: wall-clock seconds since the epoch (leases outlive the process).
    /// In proxy mode (`settings.mode`), see ``respondAsProxy(to:messageType:mac:now:)``.
    public mutating func respond(to request: DHCPMessage, now: Int64) -> DHCPResponse {
        guard request.operation == .request, let messageType = request.options.messageType else { return DHCPResponse() }
        guard let mac = request.clientMAC else {
            return DHCPResponse()
        }
        // Before the client memory sees it: a forged request must leave no trace.
        if let reason = Self.unusableAddressing(request, mac: mac, subnet: settings.hub.subnet) {
            return DHCPResponse(event: DHCPEvent(
                mac: mac, nodeID: nil, nodeName: nil, received: messageType, client: .plain, vendorClass: nil, serial: nil,
                relay: nil, outcome: .ignored(reason), transactionID: request.transactionID))
        }
        if settings.mode == .proxy { return respondAsProxy(to: request, messageType: messageType, mac: mac, now: now) }
        let client = memory.observe(request, mac: mac)
        let node = nodeMap.node(mac: mac)
        var event = DHCPEvent(
            mac: mac, nodeID: node?.id, nodeName: node?.name, received: messageType, client: client.kind,
            vendorClass: request.options.vendorClassIdentifier, serial: client.serial,
            relay: request.relayAgentAddress == .any ? nil : request.relayAgentAddress, outcome: .ignored(.noReplyExpected),
            transactionID: request.transactionID, boardRevision: client.boardRevision,
            clientMachineIdentifier: request.options[.clientMachineIdentifier].map(RaspberryPiOption97.init))

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
        case .discover: decision = discover(request, mac: mac, node: node, client: client, now: now)
        case .request: decision = requestMessage(request, mac: mac, node: node, client: client, now: now)
        case .decline: decision = decline(request, mac: mac, now: now)
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

    private mutating func discover(_ request: DHCPMessage, mac: MACAddress, node: NodeEntry?, client: DHCPClientMemory.Client, now: Int64) -> Decision {
        if let node { return .reply(.offer, address: nodeMap.address(of: node), journal: nil) }
        guard var pool, let address = pool.offer(to: mac, requested: request.options.requestedIPAddress, now: now) else {
            return .ignore(.poolExhausted)
        }
        // The Pi ROMs never send a REQUEST: for them the OFFER is the binding, so it is
        // journaled like an ACK.
        var journal: LeaseJournalEntry?
        if client.kind == .pi3BBootROM || client.kind == .piSerialROM {
            journal = pool.grant(address, to: mac, now: now, leaseSeconds: Int64(settings.leaseSeconds), hostname: nil)
        }
        self.pool = pool
        return .reply(.offer, address: address, journal: journal)
    }

    /// REQUEST in each RFC 2131 4.3.2 state: SELECTING (server identifier present),
    /// INIT-REBOOT (requested address, no ciaddr), RENEWING/REBINDING (ciaddr).
    private mutating func requestMessage(_ request: DHCPMessage, mac: MACAddress, node: NodeEntry?, client: DHCPClientMemory.Client, now: Int64) -> Decision {
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
        guard let entry = pool.grant(wanted, to: mac, now: now, leaseSeconds: Int64(settings.leaseSeconds), hostname: hostname) else {
            return .reply(.nak, address: nil, journal: nil)
        }
        self.pool = pool
        return .reply(.ack, address: wanted, journal: entry)
    }

    private mutating func decline(_ request: DHCPMessage, mac: MACAddress, now: Int64) -> Decision {
        guard let address = request.options.requestedIPAddress, let entry = pool?.decline(address, from: mac, now: now) else {
            return .ignore(.noReplyExpected)
        }
        return .journalOnly(entry)
    }

    private mutating func release(_ request: DHCPMessage, mac: MACAddress) -> Decision {
        guard let entry = pool?.release(request.clientAddress, from: mac) else { return .ignore(.noReplyExpected) }
        return .journalOnly(entry)
    }

    private func buildReply(_ type: DHCPMessageType, to request: DHCPMessage, mac: MACAddress, address: IPv4Address?, node: NodeEntry?, client: DHCPClientMemory.Client) -> DHCPReply {
        let options = DHCPReplyOptions(settings: settings)
        var reply = DHCPMessage(
            operation: .reply, transactionID: request.transactionID, clientMAC: mac, flags: request.flags,
            clientAddress: type == .nak ? .any : request.clientAddress,
            yourAddress: type == .nak ? .any : address ?? .any,
            serverAddress: type == .nak ? .any : settings.hub.address,
            relayAgentAddress: request.relayAgentAddress,
            options: options.build(type, for: request, node: node, client: client, hostname: node?.name ?? pool?.lease(for: mac)?.hostname))
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
