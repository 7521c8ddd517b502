import BrambleWire

/// One exchange whose server packets are compared in order: a DHCP client, a TFTP client's
/// transfer ID, a DNS query, or the upstream queries for one question.
public enum ReplayConversation: Hashable, Sendable, Comparable, CustomStringConvertible {
    case dhcp(client: MACAddress)
    case tftp(client: IPv4Address, port: UInt16)
    case dns(client: IPv4Address, port: UInt16, id: UInt16)
    case upstream(question: String)

    public var description: String {
        switch self {
        case .dhcp(let client): "DHCP client \(client)"
        case .tftp(let client, let port): "TFTP client \(client):\(port)"
        case .dns(let client, let port, let id): "DNS query \(id) from \(client):\(port)"
        case .upstream(let question): "upstream query for \(question)"
        }
    }

    public static func < (lhs: ReplayConversation, rhs: ReplayConversation) -> Bool { lhs.description < rhs.description }
}
