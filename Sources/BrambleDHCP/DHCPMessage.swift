import BrambleWire

/// A DHCPv4 message (RFC 2131): the fixed BOOTP header and the options.
///
/// Option overload (52) is resolved on decode: options found in the `file` and `sname`
/// fields join ``options``, and a field used that way decodes as empty. The encoder decides
/// about overload itself, so a value never carries layout, only content.
public struct DHCPMessage: Hashable, Sendable {
    public enum Operation: UInt8, Hashable, Sendable {
        case request = 1
        case reply = 2
    }

    /// op through file: everything before the magic cookie.
    public static let fixedHeaderLength = 236
    public static let magicCookie: UInt32 = 0x6382_5363
    /// RFC 1542 section 3.5 and RFC 2131: clients may ignore anything shorter, and some
    /// boot ROMs do.
    public static let minimumBOOTPLength = 300
    /// The smallest maximum message size a client may announce (RFC 2132 section 9.10); it
    /// counts the IP and UDP headers, as RFC 2131 section 2 derives it from the 576-byte
    /// minimum IP datagram.
    public static let minimumMaximumMessageSize = 576
    public static let broadcastFlag: UInt16 = 0x8000
    public static let hardwareAddressFieldLength = 16
    public static let serverNameFieldLength = 64
    public static let bootFileFieldLength = 128
    public static let hardwareTypeEthernet: UInt8 = 1
    static let optionsOffset = fixedHeaderLength + 4
    static let serverNameOffset = 44
    static let bootFileOffset = serverNameOffset + serverNameFieldLength

    public var operation: Operation
    public var hardwareType: UInt8
    public var hardwareAddressLength: UInt8
    /// Relay hops. The Pi 3B ROM only accepts relayed replies with hops == 1.
    public var hops: UInt8
    /// Not unique: every Pi 3 ROM uses 0x26f30339, so transactions are keyed by chaddr too.
    public var transactionID: UInt32
    public var secondsElapsed: UInt16
    public var flags: UInt16
    /// ciaddr: the client's current address, when it has one (renewing).
    public var clientAddress: IPv4Address
    /// yiaddr: the address offered or assigned.
    public var yourAddress: IPv4Address
    /// siaddr: the next server. The Linux kernel takes the NFS root server from it.
    public var serverAddress: IPv4Address
    /// giaddr: the relay agent that forwarded the request, or 0.0.0.0.
    public var relayAgentAddress: IPv4Address
    /// chaddr as sent: 16 bytes on decode; shorter values are zero-padded on encode.
    public var clientHardwareAddress: [UInt8]
    /// sname up to its first NUL.
    public var serverName: [UInt8]
    /// file up to its first NUL.
    public var bootFileName: [UInt8]
    public var options: DHCPOptions

    public init(
        operation: Operation, transactionID: UInt32, clientMAC: MACAddress,
        hops: UInt8 = 0, secondsElapsed: UInt16 = 0, flags: UInt16 = 0,
        clientAddress: IPv4Address = .any, yourAddress: IPv4Address = .any,
        serverAddress: IPv4Address = .any, relayAgentAddress: IPv4Address = .any,
        serverName: [UInt8] = [], bootFileName: [UInt8] = [], options: DHCPOptions = DHCPOptions()
    ) {
        self.operation = operation
        hardwareType = Self.hardwareTypeEthernet
        hardwareAddressLength = 6
        self.hops = hops
        self.transactionID = transactionID
        self.secondsElapsed = secondsElapsed
        self.flags = flags
        self.clientAddress = clientAddress
        self.yourAddress = yourAddress
        self.serverAddress = serverAddress
        self.relayAgentAddress = relayAgentAddress
        clientHardwareAddress = clientMAC.bytes + [UInt8](repeating: 0, count: 10)
        self.serverName = serverName
        self.bootFileName = bootFileName
        self.options = options
    }

    /// The client asked for replies by broadcast: it cannot receive unicast before it has an
    /// address. The Pi ROMs leave it clear and still accept unicast to their MAC.
    public var isBroadcast: Bool {
        get { flags & Self.broadcastFlag != 0 }
        set { flags = newValue ? flags | Self.broadcastFlag : flags & ~Self.broadcastFlag }
    }

    /// The client's MAC address when the hardware is Ethernet (htype 1, hlen 6), the only
    /// kind the servers answer.
    public var clientMAC: MACAddress? {
        guard hardwareType == Self.hardwareTypeEthernet, hardwareAddressLength == 6,
              clientHardwareAddress.count >= 6
        else { return nil }
        return MACAddress(bytes: clientHardwareAddress.prefix(6))
    }

    public init(decoding bytes: [UInt8]) throws(DHCPDecodingError) {
        try self.init(decoding: bytes[...])
    }

    /// Decodes a UDP payload. Bytes after the options field's end option are ignored
    /// (padding), as are bytes of `sname` and `file` after their first NUL.
    public init(decoding bytes: ArraySlice<UInt8>) throws(DHCPDecodingError) {
        guard bytes.count >= Self.optionsOffset else { throw .truncated(length: bytes.count) }
        let start = bytes.startIndex
        guard let operation = Operation(rawValue: bytes[start]) else { throw .unknownOperation(bytes[start]) }
        let hardwareAddressLength = bytes[start + 2]
        guard hardwareAddressLength <= Self.hardwareAddressFieldLength else {
            throw .hardwareAddressTooLong(length: hardwareAddressLength)
        }
        let cookie = NetworkByteOrder.uint32(bytes, at: Self.fixedHeaderLength)
        guard cookie == Self.magicCookie else { throw .badMagicCookie(found: cookie) }

        var options = DHCPOptions()
        let overload = try options.decodeArea(bytes[(start + Self.optionsOffset)...], .options)
        let serverNameField = bytes[(start + Self.serverNameOffset)..<(start + Self.bootFileOffset)]
        let bootFileField = bytes[(start + Self.bootFileOffset)..<(start + Self.fixedHeaderLength)]
        var serverName = Self.untilNUL(serverNameField)
        var bootFileName = Self.untilNUL(bootFileField)
        if let value = overload {
            guard value.count == 1, (1...3).contains(value[0]) else { throw .invalidOptionOverload(value: value) }
            // RFC 3396 section 5: the options field, then file, then sname.
            if value[0] & 1 != 0 {
                try options.decodeArea(bootFileField, .file)
                bootFileName = []
            }
            if value[0] & 2 != 0 {
                try options.decodeArea(serverNameField, .sname)
                serverName = []
            }
        }

        self.operation = operation
        hardwareType = bytes[start + 1]
        self.hardwareAddressLength = hardwareAddressLength
        hops = bytes[start + 3]
        transactionID = NetworkByteOrder.uint32(bytes, at: 4)
        secondsElapsed = NetworkByteOrder.uint16(bytes, at: 8)
        flags = NetworkByteOrder.uint16(bytes, at: 10)
        clientAddress = IPv4Address(NetworkByteOrder.uint32(bytes, at: 12))
        yourAddress = IPv4Address(NetworkByteOrder.uint32(bytes, at: 16))
        serverAddress = IPv4Address(NetworkByteOrder.uint32(bytes, at: 20))
        relayAgentAddress = IPv4Address(NetworkByteOrder.uint32(bytes, at: 24))
        clientHardwareAddress = Array(bytes[(start + 28)..<(start + Self.serverNameOffset)])
        self.serverName = serverName
        self.bootFileName = bootFileName
        self.options = options
    }

    private static func untilNUL(_ field: ArraySlice<UInt8>) -> [UInt8] {
        Array(field.prefix { $0 != 0 })
    }
}
