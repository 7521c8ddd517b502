/// A DHCP option code (RFC 2132 and later RFCs).
///
/// A struct rather than an enum: every value 0-255 can arrive on the wire, and an unknown
/// code must survive decoding and re-encoding unchanged.
public struct DHCPOptionCode: RawRepresentable, Hashable, Sendable, ExpressibleByIntegerLiteral, Comparable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt8) { rawValue = value }

    /// Framing, not an option: one byte of filler, never stored in ``DHCPOptions``.
    public static let pad: DHCPOptionCode = 0
    public static let subnetMask: DHCPOptionCode = 1
    public static let router: DHCPOptionCode = 3
    public static let domainNameServer: DHCPOptionCode = 6
    public static let hostName: DHCPOptionCode = 12
    public static let domainName: DHCPOptionCode = 15
    public static let rootPath: DHCPOptionCode = 17
    public static let interfaceMTU: DHCPOptionCode = 26
    public static let broadcastAddress: DHCPOptionCode = 28
    public static let ntpServers: DHCPOptionCode = 42
    public static let vendorSpecificInformation: DHCPOptionCode = 43
    public static let requestedIPAddress: DHCPOptionCode = 50
    public static let ipAddressLeaseTime: DHCPOptionCode = 51
    /// Framing, not an option: says the `file` and/or `sname` fields hold more options.
    /// The codec reads and writes it itself and never stores it in ``DHCPOptions``.
    public static let optionOverload: DHCPOptionCode = 52
    public static let messageType: DHCPOptionCode = 53
    public static let serverIdentifier: DHCPOptionCode = 54
    public static let parameterRequestList: DHCPOptionCode = 55
    public static let message: DHCPOptionCode = 56
    public static let maximumMessageSize: DHCPOptionCode = 57
    public static let renewalTime: DHCPOptionCode = 58
    public static let rebindingTime: DHCPOptionCode = 59
    public static let vendorClassIdentifier: DHCPOptionCode = 60
    public static let clientIdentifier: DHCPOptionCode = 61
    public static let tftpServerName: DHCPOptionCode = 66
    public static let bootFileName: DHCPOptionCode = 67
    public static let userClass: DHCPOptionCode = 77
    public static let relayAgentInformation: DHCPOptionCode = 82
    public static let clientSystemArchitecture: DHCPOptionCode = 93
    public static let clientNetworkInterface: DHCPOptionCode = 94
    public static let clientMachineIdentifier: DHCPOptionCode = 97
    /// Sent by iPXE (its "encapsulated options"): the mark of an iPXE client.
    public static let iPXEEncapsulated: DHCPOptionCode = 175
    /// Framing, not an option: ends an option area, never stored in ``DHCPOptions``.
    public static let end: DHCPOptionCode = 255

    /// The option's name as dnsmasq's log prints it, so bramble's logs can be compared with
    /// dnsmasq's line by line; pad, end and iPXE's 175, which dnsmasq does not name, get
    /// names in the same style.
    public var name: String? {
        switch self {
        case .pad: "pad"
        case .subnetMask: "netmask"
        case .router: "router"
        case .domainNameServer: "dns-server"
        case .hostName: "hostname"
        case .domainName: "domain-name"
        case .rootPath: "root-path"
        case .interfaceMTU: "mtu"
        case .broadcastAddress: "broadcast"
        case .ntpServers: "ntp-server"
        case .vendorSpecificInformation: "vendor-encap"
        case .requestedIPAddress: "requested-address"
        case .ipAddressLeaseTime: "lease-time"
        case .optionOverload: "option-overload"
        case .messageType: "message-type"
        case .serverIdentifier: "server-identifier"
        case .parameterRequestList: "parameter-request"
        case .message: "message"
        case .maximumMessageSize: "max-message-size"
        case .renewalTime: "T1"
        case .rebindingTime: "T2"
        case .vendorClassIdentifier: "vendor-class"
        case .clientIdentifier: "client-id"
        case .tftpServerName: "tftp-server"
        case .bootFileName: "bootfile-name"
        case .userClass: "user-class"
        case .relayAgentInformation: "agent-id"
        case .clientSystemArchitecture: "client-arch"
        case .clientNetworkInterface: "client-interface-id"
        case .clientMachineIdentifier: "client-machine-id"
        case .iPXEEncapsulated: "ipxe-encap"
        case .end: "end"
        default: nil
        }
    }

    public static func < (lhs: DHCPOptionCode, rhs: DHCPOptionCode) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension DHCPOptionCode: CustomStringConvertible {
    /// `53:message-type`, or just `128` for codes without a name: dnsmasq's log format.
    public var description: String {
        if let name { "\(rawValue):\(name)" } else { "\(rawValue)" }
    }
}
