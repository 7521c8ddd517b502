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
