import BrambleNodeMap
import BrambleWire

/// The names bramble answers for itself: the cluster domain (every node-map name, the hub,
/// the switch, dynamic lease names) and the cluster subnet's reverse zone.
///
/// An immutable value: a node-map reload or a lease change builds a new zone and the server
/// swaps it in, so a query always sees one consistent set of names. Lookups hash the query
/// name in place and allocate nothing but the answer.
public struct ClusterZone: Sendable {
    /// The BitScope guide's fixed address for the internal switch: host 201.
    public static let switchHostNumber = 201

    public let domain: DNSName
    public let hubAddress: IPv4Address
    /// `hub.DOMAIN`: the zone's name server and SOA primary.
    public let hubName: DNSName
    public let subnet: IPv4Subnet
    /// TTL of positive answers. dnsmasq's default for its own names is 0, because they
    /// change whenever a node is added or a lease comes; the same holds here.
    public let recordTTL: UInt32
    /// TTL of NXDOMAIN and NODATA answers (the SOA minimum, RFC 2308 section 4).
    public let negativeTTL: UInt32
    public let serial: UInt32
    /// The SOA data both zones share, built once rather than per negative answer.
    let startOfAuthorityData: DNSStartOfAuthority
    let reverseZone: ReverseZone
    /// Both `node01.cluster` and `node01`: one lookup serves either form of the question.
    private let addressesByName: [DNSName: IPv4Address]
    private let namesByAddress: [IPv4Address: DNSName]
    /// Reverse names that own no record but have a PTR below them: they exist (NODATA),
    /// rather than not (NXDOMAIN), per RFC 8020.
    private let reverseEmptyNonTerminals: Set<ReverseZone.Position>

    /// - Parameters:
    ///   - hub: the hub's cluster address and prefix; the prefix defines the subnet.
    ///   - dynamicHosts: lease names. On a conflict, node-map names come first, then the hub
    ///     and switch, then leases in the order given, so no client can claim a node's name.
    public init(
        nodeMap: NodeMap, hub: IPv4Interface, domain: DomainName, hubLabel: String = NodeName.defaultName(forID: 250),
        dynamicHosts: [DynamicHost] = [], recordTTL: UInt32 = 0, negativeTTL: UInt32 = 0, serial: UInt32 = 1
    ) {
        // DomainName guarantees RFC 1123 labels of at most 63 bytes and 253 characters.
        let domainName = try! DNSName(parsing: domain.name)
        self.domain = domainName
        hubAddress = hub.address
        subnet = hub.subnet
        self.recordTTL = recordTTL
        self.negativeTTL = negativeTTL
        self.serial = serial
        reverseZone = ReverseZone(subnet: subnet)

        var builder = Builder(domain: domainName, subnet: subnet, capacity: nodeMap.nodes.count + dynamicHosts.count + 2)
        // In proxy mode a node has a name only once its address was seen (docs/proxy-dhcp.md).
        for node in nodeMap.nodes {
            if let address = nodeMap.knownAddress(of: node) { builder.add(label: Array(node.name.utf8), address: address) }
        }
        builder.add(label: Array(hubLabel.utf8), address: hub.address)
        if nodeMap.assignedAddresses == nil, let switchAddress = subnet.host(Self.switchHostNumber), nodeMap.node(id: Self.switchHostNumber) == nil {
            builder.add(label: Array(NodeName.defaultName(forID: Self.switchHostNumber).utf8), address: switchAddress)
        }
        for host in dynamicHosts {
            if let label = host.sanitisedLabel { builder.add(label: label, address: host.address) }
        }
        let hubName = (try? domainName.prepending(label: Array(hubLabel.utf8))) ?? domainName
        self.hubName = hubName
        // `hostmaster` is no longer than most hub labels; if even it does not fit under the
        // domain, the domain itself stands in as the mailbox.
        let mailbox = (try? domainName.prepending(label: Array("hostmaster".utf8))) ?? domainName
        startOfAuthorityData = DNSStartOfAuthority(
            primaryServer: hubName, responsibleMailbox: mailbox, serial: serial,
            refresh: 1200, retry: 180, expire: 1_209_600, minimum: negativeTTL)
        addressesByName = builder.addressesByName
        namesByAddress = builder.namesByAddress
        var emptyNonTerminals: Set<ReverseZone.Position> = []
        for address in builder.namesByAddress.keys {
            emptyNonTerminals.formUnion(reverseZone.partialNames(above: address))
        }
        reverseEmptyNonTerminals = emptyNonTerminals
    }

    /// Whether the zone answers `client` at all: the cluster subnet and the hub's loopback.
    public func serves(_ client: IPv4Address) -> Bool {
        subnet.contains(client) || Self.isLoopback(client)
    }

    /// Whether the query's name is plainly not the zone's: more than one label, outside the
    /// domain and outside in-addr.arpa (where ``authority(for:type:)`` decides whether
    /// to forward). Such queries go to the forwarder.
    public func isPlainlyElsewhere(_ view: DNSQueryView, in bytes: ArraySlice<UInt8>) -> Bool {
        view.labelCount(in: bytes) > 1 && !view.name(in: bytes, isSubdomainOf: domain)
            && !view.name(in: bytes, isSubdomainOf: LocallyServedReverseZones.inAddrArpa)
    }

    /// Collects names, first claim wins.
    private struct Builder {
        let domain: DNSName
        let subnet: IPv4Subnet
        var addressesByName: [DNSName: IPv4Address] = [:]
        var namesByAddress: [IPv4Address: DNSName] = [:]

        init(domain: DNSName, subnet: IPv4Subnet, capacity: Int) {
            self.domain = domain
            self.subnet = subnet
            addressesByName.reserveCapacity(capacity * 2)
            namesByAddress.reserveCapacity(capacity)
        }

        /// Names that do not fit under the domain (a 63-byte label under a 250-byte
        /// domain) or addresses outside the subnet are left out rather than failing the
        /// whole zone over one host.
        mutating func add(label: [UInt8], address: IPv4Address) {
            guard subnet.contains(address),
                  let short = try? DNSName(labels: [label]),
                  let qualified = try? domain.prepending(label: label),
                  addressesByName[qualified] == nil
            else { return }
            addressesByName[qualified] = address
            if addressesByName[short] == nil { addressesByName[short] = address }
            if namesByAddress[address] == nil { namesByAddress[address] = qualified }
        }
    }

    /// The address of a host name, qualified (`node01.cluster`) or short (`node01`).
    public func address(of name: DNSName) -> IPv4Address? { addressesByName[name] }

    /// The qualified name of an address, for PTR answers.
    public func hostName(of address: IPv4Address) -> DNSName? { namesByAddress[address] }

    func isReverseEmptyNonTerminal(_ position: ReverseZone.Position) -> Bool {
        reverseEmptyNonTerminals.contains(position)
    }
}

extension ClusterZone {
    /// Decides who answers `name` asked with `type`. Short names count as the cluster's
    /// only when a host has that name; any other single label is answered NXDOMAIN here
    /// (dnsmasq's `domain-needed`) unless `type` is one a resolver asks about a top-level
    /// domain. Reverse names in private and special-use ranges that are not the cluster's
    /// are answered NXDOMAIN too (`bogus-priv`). See ``DNSAuthority/neverForwarded``.
    public func authority(for name: DNSName, type: DNSRecordType) -> DNSAuthority {
        if name.isSubdomain(of: domain) { return .clusterDomain }
        let labelCount = name.labelCount
        if labelCount == 1, address(of: name) != nil { return .clusterDomain }
        if let position = reverseZone.position(of: name), reverseZone.isAuthoritative(for: position) { return .reverseZone }
        if labelCount == 1, !Self.topLevelDomainTypes.contains(type) { return .neverForwarded }
        if LocallyServedReverseZones.contains(name) { return .neverForwarded }
        return .elsewhere
    }

    /// What a validating resolver asks about a top-level domain (`com SOA`, `org DS`):
    /// single-label names that exist upstream, so they are still forwarded.
    static let topLevelDomainTypes: Set<DNSRecordType> = [.soa, .ns, .ds, .dnskey]

    /// Answers a query from `client`, or says to forward or drop it.
    ///
    /// Clients outside the cluster subnet (other than the hub's own loopback) are refused
    /// everything, so the hub is never an open resolver to whatever its uplink reaches.
    public func respond(to query: DNSMessage, from client: IPv4Address) -> ZoneDisposition {
        guard !query.header.isResponse else { return .drop }
        guard serves(client) else { return .answer(reply(to: query, .refused)) }
        guard query.header.opcode == DNSHeader.standardQueryOpcode else { return .answer(reply(to: query, .notImplemented)) }
        guard let question = query.question else { return .answer(reply(to: query, .formatError)) }
        if let edns = query.edns, edns.version > 0 { return .answer(reply(to: query, .badVersion)) }
        let authority = authority(for: question.name, type: question.type)
        switch authority {
        case .elsewhere: return .forward
        case .neverForwarded: return .answer(reply(to: query, .nameError))
        case .clusterDomain, .reverseZone: break
        }
        guard question.recordClass == .internet || question.recordClass == .any,
              question.type != .axfr, question.type != Self.incrementalTransferType
        else { return .answer(reply(to: query, .refused)) }
        return .answer(authority == .clusterDomain ? forwardZoneAnswer(query, question) : reverseZoneAnswer(query, question))
    }

    /// IXFR: zone transfers are refused like AXFR.
    private static let incrementalTransferType = DNSRecordType(rawValue: 251)

    static func isLoopback(_ address: IPv4Address) -> Bool { address.value >> 24 == 127 }

    private func forwardZoneAnswer(_ query: DNSMessage, _ question: DNSQuestion) -> DNSMessage {
        if question.name == domain {
            return apexAnswer(query, question, apex: domain)
        }
        guard let address = address(of: question.name) else { return negative(query, apex: domain, code: .nameError) }
        guard question.type == .a || question.type == .any else { return negative(query, apex: domain, code: .noError) }
        return positive(query, DNSResourceRecord(name: question.name, ttl: recordTTL, data: .a(address)))
    }

    private func reverseZoneAnswer(_ query: DNSMessage, _ question: DNSQuestion) -> DNSMessage {
        let apex = reverseZone.apex
        switch reverseZone.position(of: question.name) {
        case .apex?:
            return apexAnswer(query, question, apex: apex)
        case .address(let address)?:
            guard let name = hostName(of: address) else { return negative(query, apex: apex, code: .nameError) }
            guard question.type == .ptr || question.type == .any else { return negative(query, apex: apex, code: .noError) }
            return positive(query, DNSResourceRecord(name: question.name, ttl: recordTTL, data: .ptr(name)))
        case let position?:
            return negative(query, apex: apex, code: isReverseEmptyNonTerminal(position) ? .noError : .nameError)
        case nil:
            return negative(query, apex: apex, code: .nameError)
        }
    }

    /// SOA and NS at a zone's apex; ANY gets the SOA alone (RFC 8482 section 4.1).
    private func apexAnswer(_ query: DNSMessage, _ question: DNSQuestion, apex: DNSName) -> DNSMessage {
        switch question.type {
        case .soa, .any:
            return positive(query, startOfAuthority(apex: apex, ttl: recordTTL))
        case .ns:
            var response = positive(query, DNSResourceRecord(name: question.name, ttl: recordTTL, data: .ns(hubName)))
            response.additionals = [DNSResourceRecord(name: hubName, ttl: recordTTL, data: .a(hubAddress))]
            return response
        default:
            return negative(query, apex: apex, code: .noError)
        }
    }

    /// The zone's SOA. Its TTL in negative answers is the negative TTL, so resolvers cache
    /// the denial for min(TTL, MINIMUM) = that (RFC 2308 section 3).
    public func startOfAuthority(apex: DNSName, ttl: UInt32) -> DNSResourceRecord {
        DNSResourceRecord(name: apex, ttl: ttl, data: .soa(startOfAuthorityData))
    }

    private func reply(to query: DNSMessage, _ code: DNSResponseCode) -> DNSMessage {
        var response = DNSMessage(responseTo: query, code: code)
        response.header.recursionAvailable = true
        return response
    }

    private func positive(_ query: DNSMessage, _ record: DNSResourceRecord) -> DNSMessage {
        var response = reply(to: query, .noError)
        response.header.isAuthoritative = true
        response.answers = [record]
        return response
    }

    /// NXDOMAIN (`.nameError`) or NODATA (`.noError` with no answer), the SOA in the
    /// authority section so resolvers can cache the denial (RFC 2308 section 2).
    private func negative(_ query: DNSMessage, apex: DNSName, code: DNSResponseCode) -> DNSMessage {
        var response = reply(to: query, code)
        response.header.isAuthoritative = true
        response.authorities = [startOfAuthority(apex: apex, ttl: negativeTTL)]
        return response
    }
}

/// What to do with a received query.
public enum ZoneDisposition: Hashable, Sendable {
    /// Send this response (encode it with the query's ``DNSMessage/maximumResponseSize(overTCP:)``).
    case answer(DNSMessage)
    /// Not the zone's name: hand the query to the ``DNSForwarder``.
    case forward
    /// Send nothing: the message is itself a response.
    case drop
}

/// Who answers a name: the cluster zone itself, or the upstream resolvers.
public enum DNSAuthority: Hashable, Sendable {
    /// The cluster domain, its apex and everything below it, or a short name
    /// (`node07`) of a host in it.
    case clusterDomain
    /// The cluster subnet's part of in-addr.arpa.
    case reverseZone
    /// A name no upstream should be asked about: answered NXDOMAIN here, as dnsmasq's
    /// `domain-needed` and `bogus-priv` do. A single label that is no host of the cluster
    /// (`foo`, a typo, a name meant for another network's search domain), except for the
    /// types a validating resolver asks about top-level domains (SOA, NS, DS, DNSKEY); and
    /// a reverse name in a private or special-use range other than the cluster's own
    /// (``LocallyServedReverseZones``).
    case neverForwarded
    /// Anything else: forwarded.
    case elsewhere
}

/// A name the zone learns at run time: a dynamic lease's client host name (DHCP option 12)
/// and the address leased to it.
public struct DynamicHost: Hashable, Sendable {
    /// As the client sent it: untrusted bytes, sanitised before they become a name.
    public var hostname: [UInt8]
    public var address: IPv4Address

    public init(hostname: [UInt8], address: IPv4Address) {
        self.hostname = hostname
        self.address = address
    }

    /// The client's host name as one RFC 1123 label, or nil when nothing usable is left.
    ///
    /// Clients send anything: `Bob's iPhone`, `laptop.home.lan`, UTF-8, NULs. Like dnsmasq,
    /// only the part before the first dot counts (the domain is ours, not the client's);
    /// spaces and underscores become hyphens, other bytes outside letters, digits and `-`
    /// are dropped, hyphens are trimmed from the ends, and the label is cut to 63 bytes.
    /// All-digit results are refused as node names are: they read as node IDs.
    public var sanitisedLabel: [UInt8]? {
        var label: [UInt8] = []
        for byte in hostname.prefix(while: { $0 != UInt8(ascii: ".") && $0 != 0 }) {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                label.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "_"):
                label.append(UInt8(ascii: "-"))
            default:
                continue
            }
        }
        let trimmed = label.drop { $0 == UInt8(ascii: "-") }.reversed().drop { $0 == UInt8(ascii: "-") }.reversed()
        var result = Array(trimmed.prefix(DNSName.maximumLabelLength))
        while result.last == UInt8(ascii: "-") { result.removeLast() }
        guard !result.isEmpty, !result.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return result
    }
}
