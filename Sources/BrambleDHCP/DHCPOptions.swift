import BrambleWire

/// The options of a message, in order, one entry per code.
///
/// Order matters on the wire (the Pi firmware reads options in sequence, and a responder
/// puts the options it cannot do without first), so this is an ordered list rather than a
/// dictionary. Messages carry a few dozen options at most, so lookups scan the list: no
/// hashing, one allocation for the list itself.
///
/// The framing codes pad (0), option overload (52) and end (255) are never stored: the
/// codec reads and writes them itself. Storing one is a programming error and traps.
///
/// A `Sequence`, not a `Collection`: an integer position subscript would make
/// `options[53]` mean "the 54th option" instead of option 53.
public struct DHCPOptions: Hashable, Sendable, Sequence {
    private var storage: [DHCPOption]

    public init() { storage = [] }

    /// An empty list with room for `capacity` options: a reply's are added one by one.
    init(reservingCapacity capacity: Int) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    /// Builds the list from options in order; a repeated code is concatenated onto its first
    /// occurrence, as RFC 3396 reads repeated codes on the wire.
    public init(_ options: some Sequence<DHCPOption>) {
        storage = []
        for option in options { append(option.code, option.value) }
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    public func makeIterator() -> IndexingIterator<[DHCPOption]> { storage.makeIterator() }

    /// The value of `code`, or nil when absent. Setting replaces the value in place (the
    /// option keeps its position), appends a new option at the end, or removes it (nil).
    public subscript(code: DHCPOptionCode) -> [UInt8]? {
        get { storage.first { $0.code == code }?.value }
        set {
            Self.requireStorable(code)
            let index = storage.firstIndex { $0.code == code }
            switch (index, newValue) {
            case let (index?, value?): storage[index].value = value
            case let (index?, nil): storage.remove(at: index)
            case let (nil, value?): storage.append(DHCPOption(code, value))
            case (nil, nil): break
            }
        }
    }

    public func contains(_ code: DHCPOptionCode) -> Bool {
        storage.contains { $0.code == code }
    }

    /// Appends `value` to the option `code`, creating it at the end if absent: the RFC 3396
    /// rule for a code that appears more than once.
    public mutating func append(_ code: DHCPOptionCode, _ value: some Sequence<UInt8>) {
        Self.requireStorable(code)
        if let index = storage.firstIndex(where: { $0.code == code }) {
            storage[index].value.append(contentsOf: value)
        } else {
            storage.append(DHCPOption(code, Array(value)))
        }
    }

    /// Removes the last option whose code is not in `mandatory`; returns its code, or nil
    /// when every option left is mandatory.
    mutating func removeLastDroppable(keeping mandatory: Set<DHCPOptionCode>) -> DHCPOptionCode? {
        guard let index = storage.lastIndex(where: { !mandatory.contains($0.code) }) else { return nil }
        return storage.remove(at: index).code
    }

    static func isFraming(_ code: DHCPOptionCode) -> Bool {
        code == .pad || code == .end || code == .optionOverload
    }

    private static func requireStorable(_ code: DHCPOptionCode) {
        precondition(!isFraming(code), "option \(code) is framing, written by the codec itself")
    }
}

// MARK: - Wire format

extension DHCPOptions {
    /// Reads one option area, concatenating repeated codes (RFC 3396) onto what earlier
    /// areas held. Returns the value of option overload (52), concatenated like any other,
    /// if the area holds one: only the options field's counts (RFC 2132 section 9.3).
    ///
    /// The options field must end with an end option (RFC 2131 section 4.1); the `file` and
    /// `sname` fields may simply run out, since their size is fixed and some clients fill
    /// them to the last byte.
    @discardableResult
    mutating func decodeArea(_ reader: inout ByteReader, _ kind: DHCPOptionArea) throws(DHCPDecodingError) -> [UInt8]? {
        var overload: [UInt8]?
        while !reader.isAtEnd {
            let code: DHCPOptionCode
            do {
                code = DHCPOptionCode(try reader.readUInt8())
            } catch {
                break
            }
            if code == .pad { continue }
            if code == .end { return overload }
            let value: ArraySlice<UInt8>
            do {
                value = try reader.readBytes(Int(try reader.readUInt8()))
            } catch {
                throw .optionOverrun(code: code, area: kind)
            }
            if code == .optionOverload {
                overload = (overload ?? []) + value
            } else {
                append(code, value)
            }
        }
        if kind == .options { throw .missingEndOption }
        return overload
    }

    /// The encoded size of `option` alone: one code-length header per 255-byte piece.
    static func encodedLength(of option: DHCPOption) -> Int {
        let pieces = Swift.max(1, (option.value.count + 254) / 255)
        return option.value.count + 2 * pieces
    }

    /// Each option as the pieces it is written in: RFC 3396 splits values over 255 bytes
    /// into consecutive options with the same code.
    static func forEachPiece(of option: DHCPOption, _ body: (ArraySlice<UInt8>) -> Bool) -> Bool {
        var remaining = option.value[...]
        repeat {
            let piece = remaining.prefix(255)
            guard body(piece) else { return false }
            remaining = remaining.dropFirst(piece.count)
        } while !remaining.isEmpty
        return true
    }
}

/// One option: its code and its whole value, after RFC 3396 concatenation on decode and
/// before splitting on encode, so callers never see the wire's 255-byte limit.
public struct DHCPOption: Hashable, Sendable {
    public var code: DHCPOptionCode
    public var value: [UInt8]

    public init(_ code: DHCPOptionCode, _ value: [UInt8]) {
        self.code = code
        self.value = value
    }
}

/// Where in a message an option was found: the options field, or the `file` or `sname`
/// field reused through option overload (52).
public enum DHCPOptionArea: Hashable, Sendable, CustomStringConvertible {
    case options
    case file
    case sname

    public var description: String {
        switch self {
        case .options: "options field"
        case .file: "file field (option overload)"
        case .sname: "sname field (option overload)"
        }
    }
}

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

/// Typed views of the options a responder reads and writes.
///
/// Getters return nil both when an option is absent and when its value is malformed (wrong
/// length, unknown type): a responder treats a garbled option like a missing one, and the
/// raw bytes stay available through the code subscript for logging.
extension DHCPOptions {
    /// Option 53.
    public var messageType: DHCPMessageType? {
        get {
            guard let value = self[.messageType], value.count == 1 else { return nil }
            return DHCPMessageType(rawValue: value[0])
        }
        set { self[.messageType] = newValue.map { [$0.rawValue] } }
    }

    /// Option 50: the address a client asks for in DISCOVER (a hint) or REQUEST (selecting).
    public var requestedIPAddress: IPv4Address? {
        get { address(.requestedIPAddress) }
        set { self[.requestedIPAddress] = newValue?.bytes }
    }

    /// Option 54: which server's offer a REQUEST accepts; in replies, who is answering.
    public var serverIdentifier: IPv4Address? {
        get { address(.serverIdentifier) }
        set { self[.serverIdentifier] = newValue?.bytes }
    }

    /// Option 55, in the client's order.
    public var parameterRequestList: [DHCPOptionCode]? {
        self[.parameterRequestList].map { $0.map(DHCPOptionCode.init(rawValue:)) }
    }

    /// Option 57: the largest IP datagram the client accepts, for ``DHCPMessage/encoded(maximumMessageSize:mandatoryOptions:)``.
    public var maximumMessageSize: Int? {
        guard let value = self[.maximumMessageSize], value.count == 2 else { return nil }
        return Int(value[0]) << 8 | Int(value[1])
    }

    /// Option 60 as text: `PXEClient:Arch:00000:UNDI:002001` from every Pi ROM and bootloader.
    public var vendorClassIdentifier: String? {
        self[.vendorClassIdentifier].map { String(decoding: $0, as: UTF8.self) }
    }

    /// Option 61, raw: usually a hardware type byte and the MAC, but any bytes are legal.
    public var clientIdentifier: [UInt8]? { self[.clientIdentifier] }

    /// Option 12.
    public var hostName: String? {
        get { self[.hostName].map { String(decoding: $0, as: UTF8.self) } }
        set { self[.hostName] = newValue.map { Array($0.utf8) } }
    }

    /// Option 93 (RFC 4578): the client's pre-boot architectures, 16 bits each. Every Pi sends
    /// 0 ("x86 BIOS"), so this alone does not tell a Pi from a PC.
    public var clientSystemArchitectures: [UInt16]? {
        guard let value = self[.clientSystemArchitecture], !value.isEmpty, value.count % 2 == 0 else { return nil }
        return stride(from: 0, to: value.count, by: 2).map { UInt16(value[$0]) << 8 | UInt16(value[$0 + 1]) }
    }

    /// Option 94 (RFC 4578): the client's network interface (UNDI) version.
    public var clientNetworkInterface: ClientNetworkInterface? {
        guard let value = self[.clientNetworkInterface], value.count == 3 else { return nil }
        return ClientNetworkInterface(type: value[0], major: value[1], minor: value[2])
    }

    /// Option 97 (RFC 4578): a type byte and the machine's GUID, where the Pi firmware puts
    /// its serial number (see ``RaspberryPiClientIdentity``).
    public var clientMachineIdentifier: ClientMachineIdentifier? {
        guard let value = self[.clientMachineIdentifier], let type = value.first else { return nil }
        return ClientMachineIdentifier(type: type, identifier: Array(value.dropFirst()))
    }

    /// Option 82 (RFC 3046), raw: relays add it, and a reply must echo it unchanged.
    public var relayAgentInformation: [UInt8]? { self[.relayAgentInformation] }

    /// iPXE sends option 175; it needs a boot file of its own (a script), not the PXE ROM's.
    public var isFromIPXE: Bool { contains(.iPXEEncapsulated) }

    /// Sets an option holding one address (1, 28, 54 ...).
    public mutating func set(_ code: DHCPOptionCode, address: IPv4Address) {
        self[code] = address.bytes
    }

    /// Sets an option holding a list of addresses (3, 6, 42 ...).
    public mutating func set(_ code: DHCPOptionCode, addresses: [IPv4Address]) {
        self[code] = addresses.flatMap(\.bytes)
    }

    /// Sets a 32-bit option such as a lease time in seconds (51, 58, 59).
    public mutating func set(_ code: DHCPOptionCode, uint32 value: UInt32) {
        var bytes: [UInt8] = []
        NetworkByteOrder.append(value, to: &bytes)
        self[code] = bytes
    }

    /// Sets a text option without a trailing NUL (RFC 2132 section 2: none is needed, and one
    /// after option 66 is suspected of confusing the Pi 3).
    public mutating func set(_ code: DHCPOptionCode, text: String) {
        self[code] = Array(text.utf8)
    }

    private func address(_ code: DHCPOptionCode) -> IPv4Address? {
        self[code].flatMap { IPv4Address(bytes: $0) }
    }
}

/// Option 94's value: interface type (1 = UNDI) and version. The Pi ROMs send 1.2.1.
public struct ClientNetworkInterface: Hashable, Sendable {
    public var type: UInt8
    public var major: UInt8
    public var minor: UInt8

    public init(type: UInt8, major: UInt8, minor: UInt8) {
        self.type = type
        self.major = major
        self.minor = minor
    }
}

/// Option 97's value. RFC 4578 defines type 0 followed by a 16-byte GUID; other types and
/// lengths are kept as sent rather than refused.
public struct ClientMachineIdentifier: Hashable, Sendable {
    public var type: UInt8
    public var identifier: [UInt8]

    public init(type: UInt8, identifier: [UInt8]) {
        self.type = type
        self.identifier = identifier
    }
}
