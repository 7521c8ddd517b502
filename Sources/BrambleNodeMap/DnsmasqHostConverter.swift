import BrambleWire

/// Turns host entries (`dhcp-host=` values, dhcp-hostsfile lines, /etc/ethers lines) into
/// nodes, one entry at a time, remembering earlier entries so that a duplicate is reported
/// against the line that came first.
///
/// An entry converts only when it names exactly one Ethernet MAC and one IPv4 host address
/// of the cluster subnet: the node map is keyed by both, and guessing either would hand a
/// node's address to the wrong machine.
struct DnsmasqHostConverter {
    /// How the entry's fields were separated; only changes how a missing MAC is explained.
    enum Form {
        case commaSeparated
        case whitespaceSeparated
    }

    enum Outcome {
        case node(ImportedNode, notes: [String])
        case unconverted(reason: String)
    }

    let subnet: IPv4Subnet
    let domains: [String]
    private var firstLineByMAC: [MACAddress: Int] = [:]
    private var firstByID: [Int: (line: Int, mac: MACAddress)] = [:]
    private var firstLineByName: [String: Int] = [:]

    init(subnet: IPv4Subnet, domains: [String]) {
        self.subnet = subnet
        self.domains = domains
    }

    mutating func convert(fields: [Substring], form: Form, line: Int) -> Outcome {
        let entry = ClassifiedEntry(fields.filter { !$0.isEmpty }.map(DnsmasqHostField.init(classifying:)))
        switch checkedNode(entry, form: form, line: line) {
        case .failure(let problem):
            return .unconverted(reason: problem.reason)
        case .success(let node):
            firstLineByMAC[node.mac] = line
            firstByID[node.id] = (line, node.mac)
            if let name = node.name { firstLineByName[name.lowercased()] = line }
            return .node(node, notes: droppedParts(of: entry))
        }
    }

    private struct Problem: Error {
        let reason: String
    }

    /// The node the entry describes, or the first reason it cannot be one. Reasons come in
    /// the order an operator would fix them: which machine, then which address, then the name.
    private func checkedNode(_ entry: ClassifiedEntry, form: Form, line: Int) -> Result<ImportedNode, Problem> {
        if let malformed = entry.malformedHardwareAddresses.first {
            return .failure(Problem(reason: "malformed MAC '\(malformed.text)': \(malformed.problem)"))
        }
        if let other = entry.otherHardwareTypes.first {
            return .failure(Problem(reason: "hardware type \(other.type) in '\(other.text)' is not Ethernet (1): bramble serves Ethernet clients only"))
        }
        if let wildcard = entry.wildcards.first {
            return .failure(Problem(reason: "wildcard MAC '\(wildcard)' matches many machines: the node map needs each node's own MAC"))
        }
        guard let mac = entry.macs.first else {
            return .failure(Problem(reason: missingMACReason(entry, form: form)))
        }
        if entry.macs.count > 1 {
            let listed = entry.macs.map(\.description).joined(separator: ", ")
            let example = suggestedLine(entry, mac: mac).map { ", e.g. `\($0)`," } ?? ""
            return .failure(Problem(reason: "several MACs (\(listed)) share one entry: the node map holds one MAC per node; "
                + "keep the one this node boots with\(example) and give the other machine a node of its own"))
        }
        if !mac.isAssignable {
            let kind = mac.isZero ? "all zeros" : "a multicast address"
            return .failure(Problem(reason: "MAC \(mac) is \(kind): no DHCP client has it"))
        }
        if let tag = entry.matchTags.first {
            let example = suggestedLine(entry, mac: mac).map { ": if this machine should always get this address, add `\($0)`" } ?? ""
            return .failure(Problem(reason: "applies only when tag '\(tag)' is set (tag:\(tag)) and the node map has no conditions\(example)"))
        }
        let id: Int
        switch addressID(entry) {
        case .failure(let problem): return .failure(problem)
        case .success(let found): id = found
        }
        var name: String?
        if entry.names.count > 1 {
            let listed = entry.names.map { "'\($0)'" }.joined(separator: ", ")
            return .failure(Problem(reason: "several host names (\(listed)): a node has one name; keep one"))
        }
        if let written = entry.names.first {
            switch DnsmasqHostName.nodeName(from: written, domains: domains) {
            case .invalid(let reason): return .failure(Problem(reason: reason))
            case .label(let label): name = label
            }
        }
        if let first = firstLineByMAC[mac] {
            return .failure(Problem(reason: "duplicate MAC \(mac): already imported from line \(first); the node map holds each MAC once"))
        }
        if let first = firstByID[id] {
            return .failure(Problem(reason: "duplicate ID \(id) (\(entry.ipv4s[0])): already given to \(first.mac) on line \(first.line); "
                + "the node map holds one MAC per node"))
        }
        if let name, let first = firstLineByName[name.lowercased()] {
            return .failure(Problem(reason: "duplicate name '\(name)': already imported from line \(first); node names must be unique"))
        }
        return .success(ImportedNode(line: line, id: id, mac: mac, name: name, disabled: entry.ignore))
    }

    /// The node ID from the entry's one IPv4 address, or why there is none.
    private func addressID(_ entry: ClassifiedEntry) -> Result<Int, Problem> {
        if let malformed = entry.malformedIPv4s.first {
            return .failure(Problem(reason: "'\(malformed)' is not an IPv4 address (four numbers 0-255, no leading zeros)"))
        }
        if entry.ipv4s.count > 1 {
            let listed = entry.ipv4s.map(\.description).joined(separator: ", ")
            return .failure(Problem(reason: "several IPv4 addresses (\(listed)): a node has one address; keep one"))
        }
        guard let address = entry.ipv4s.first else {
            return .failure(Problem(reason: missingAddressReason(entry)))
        }
        guard subnet.contains(address) else {
            return .failure(Problem(reason: "address \(address) is outside the cluster subnet \(subnet)"))
        }
        if address == subnet.base {
            return .failure(Problem(reason: "address \(address) is the network address of \(subnet), not a node's: use a host address"))
        }
        if address == subnet.broadcast {
            return .failure(Problem(reason: "address \(address) is the broadcast address of \(subnet), not a node's: use a host address"))
        }
        guard let id = subnet.hostNumber(of: address) else {
            return .failure(Problem(reason: "address \(address) is not a host address of \(subnet)"))
        }
        return .success(id)
    }

    private func missingMACReason(_ entry: ClassifiedEntry, form: Form) -> String {
        let advice = "bramble matches nodes by MAC: add the node with its machine's MAC"
        if let clientID = entry.clientIDs.first {
            return "no MAC address: the entry matches client ID 'id:\(clientID)' (DHCP option 61); \(advice)"
        }
        if form == .whitespaceSeparated, case .ipv4 = entry.fields.first {
            return "no MAC address: this is an /etc/hosts line (address, then names); \(advice)"
        }
        if let name = entry.names.first {
            return "no MAC address: the entry matches host name '\(name)' only; \(advice)"
        }
        return "no MAC address: \(advice)"
    }

    private func missingAddressReason(_ entry: ClassifiedEntry) -> String {
        if let ipv6 = entry.ipv6s.first {
            return "IPv6 only (\(ipv6)): bramble serves DHCPv4; give the node an IPv4 address in \(subnet)"
        }
        if entry.ignore {
            return "'ignore' without an IPv4 address: the node map needs the address to know the node's ID; "
                + "bramble does not answer machines missing from the node map unless a pool is set"
        }
        if let name = entry.names.first {
            return "no IPv4 address: dnsmasq looked '\(name)' up in /etc/hosts or gave a pool address, "
                + "and the importer cannot look names up; write the entry with the node's address"
        }
        return "no IPv4 address: the node map needs the address to know the node's ID"
    }

    /// A node-map line for `mac` built from what of the entry is usable, offered when an entry
    /// is refused for a reason only the operator can settle; nil when no ID can be derived.
    private func suggestedLine(_ entry: ClassifiedEntry, mac: MACAddress) -> String? {
        guard entry.ipv4s.count == 1, let id = subnet.hostNumber(of: entry.ipv4s[0]) else { return nil }
        var line = "\(id) \(mac)"
        if entry.names.count == 1, case .label(let name) = DnsmasqHostName.nodeName(from: entry.names[0], domains: domains) {
            line += " \(name)"
        }
        return line
    }

    /// What of a converted entry the node map does not keep.
    private func droppedParts(of entry: ClassifiedEntry) -> [String] {
        var notes: [String] = []
        notes += entry.setTags.map { "tag '\($0)' (set:\($0)) dropped: the node map has no tags; bramble recognises Pi models itself" }
        notes += entry.leaseTimes.map { "lease time '\($0)' dropped: bramble gives every lease the `lease-time` of bramble.conf" }
        notes += entry.ipv6s.map { "IPv6 address \($0) dropped: bramble serves DHCPv4 only" }
        notes += entry.clientIDs.map { "client ID 'id:\($0)' dropped: bramble matches the node by its MAC" }
        if entry.anyClientID { notes.append("'id:*' dropped: bramble always matches by MAC") }
        return notes
    }
}

/// An entry's fields sorted by kind, so the checks read as questions about the entry.
private struct ClassifiedEntry {
    let fields: [DnsmasqHostField]
    var macs: [MACAddress] = []
    var otherHardwareTypes: [(type: String, text: Substring)] = []
    var wildcards: [Substring] = []
    var malformedHardwareAddresses: [(text: Substring, problem: String)] = []
    var clientIDs: [Substring] = []
    var anyClientID = false
    var setTags: [Substring] = []
    var matchTags: [Substring] = []
    var ipv4s: [IPv4Address] = []
    var malformedIPv4s: [Substring] = []
    var ipv6s: [Substring] = []
    var leaseTimes: [Substring] = []
    var ignore = false
    var names: [Substring] = []

    init(_ fields: [DnsmasqHostField]) {
        self.fields = fields
        for field in fields {
            switch field {
            case .hardwareAddress(let mac): macs.append(mac)
            case .otherHardwareType(let type, let text): otherHardwareTypes.append((type, text))
            case .wildcardHardwareAddress(let text): wildcards.append(text)
            case .malformedHardwareAddress(let text, let problem): malformedHardwareAddresses.append((text, problem))
            case .clientID(let id): clientIDs.append(id)
            case .anyClientID: anyClientID = true
            case .setTag(let tag): setTags.append(tag)
            case .matchTag(let tag): matchTags.append(tag)
            case .ipv4(let address): ipv4s.append(address)
            case .malformedIPv4(let text): malformedIPv4s.append(text)
            case .ipv6(let text): ipv6s.append(text)
            case .leaseTime(let text): leaseTimes.append(text)
            case .ignore: ignore = true
            case .name(let name): names.append(name)
            }
        }
    }
}
