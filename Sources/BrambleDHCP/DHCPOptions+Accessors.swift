import BrambleWire

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
