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
        let octets = clientMAC.octets
        clientHardwareAddress = [octets.0, octets.1, octets.2, octets.3, octets.4, octets.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
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
        let bytes = clientHardwareAddress
        return MACAddress(bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5])
    }

    public init(decoding bytes: [UInt8]) throws(DHCPDecodingError) {
        try self.init(decoding: bytes[...])
    }

    /// Decodes a UDP payload. Bytes after the options field's end option are ignored
    /// (padding), as are bytes of `sname` and `file` after their first NUL.
    ///
    /// Read with ``ByteReader``, in place: the fixed header is checked for length once, so
    /// its fields read straight from the receive buffer, and each option value is copied
    /// once, into its ``DHCPOption``.
    public init(decoding bytes: ArraySlice<UInt8>) throws(DHCPDecodingError) {
        guard bytes.count >= Self.optionsOffset else { throw .truncated(length: bytes.count) }
        var reader = ByteReader(bytes)
        let header: Header
        do {
            header = try Header(&reader)
        } catch {
            throw .truncated(length: bytes.count)
        }
        guard let operation = Operation(rawValue: header.operation) else { throw .unknownOperation(header.operation) }
        guard header.hardwareAddressLength <= Self.hardwareAddressFieldLength else {
            throw .hardwareAddressTooLong(length: header.hardwareAddressLength)
        }
        guard header.cookie == Self.magicCookie else { throw .badMagicCookie(found: header.cookie) }

        var options = DHCPOptions(reservingCapacity: 16)
        let overload = try options.decodeArea(&reader, .options)
        var serverName = Self.untilNUL(header.serverNameField)
        var bootFileName = Self.untilNUL(header.bootFileField)
        if let value = overload {
            guard value.count == 1, (1...3).contains(value[0]) else { throw .invalidOptionOverload(value: value) }
            // RFC 3396 section 5: the options field, then file, then sname.
            if value[0] & 1 != 0 {
                var file = ByteReader(header.bootFileField)
                try options.decodeArea(&file, .file)
                bootFileName = []
            }
            if value[0] & 2 != 0 {
                var sname = ByteReader(header.serverNameField)
                try options.decodeArea(&sname, .sname)
                serverName = []
            }
        }

        self.operation = operation
        hardwareType = header.hardwareType
        hardwareAddressLength = header.hardwareAddressLength
        hops = header.hops
        transactionID = header.transactionID
        secondsElapsed = header.secondsElapsed
        flags = header.flags
        clientAddress = header.clientAddress
        yourAddress = header.yourAddress
        serverAddress = header.serverAddress
        relayAgentAddress = header.relayAgentAddress
        clientHardwareAddress = Array(header.clientHardwareAddress)
        self.serverName = serverName
        self.bootFileName = bootFileName
        self.options = options
    }

    /// The fixed BOOTP header and the magic cookie as read, before any check: the reads can
    /// only fail on length, which the decoder reports as ``DHCPDecodingError/truncated(length:)``
    /// before it judges the values.
    private struct Header {
        var operation: UInt8
        var hardwareType: UInt8
        var hardwareAddressLength: UInt8
        var hops: UInt8
        var transactionID: UInt32
        var secondsElapsed: UInt16
        var flags: UInt16
        var clientAddress: IPv4Address
        var yourAddress: IPv4Address
        var serverAddress: IPv4Address
        var relayAgentAddress: IPv4Address
        var clientHardwareAddress: ArraySlice<UInt8>
        var serverNameField: ArraySlice<UInt8>
        var bootFileField: ArraySlice<UInt8>
        var cookie: UInt32

        init(_ reader: inout ByteReader) throws(WireTruncation) {
            operation = try reader.readUInt8()
            hardwareType = try reader.readUInt8()
            hardwareAddressLength = try reader.readUInt8()
            hops = try reader.readUInt8()
            transactionID = try reader.readUInt32()
            secondsElapsed = try reader.readUInt16()
            flags = try reader.readUInt16()
            clientAddress = IPv4Address(try reader.readUInt32())
            yourAddress = IPv4Address(try reader.readUInt32())
            serverAddress = IPv4Address(try reader.readUInt32())
            relayAgentAddress = IPv4Address(try reader.readUInt32())
            clientHardwareAddress = try reader.readBytes(DHCPMessage.hardwareAddressFieldLength)
            serverNameField = try reader.readBytes(DHCPMessage.serverNameFieldLength)
            bootFileField = try reader.readBytes(DHCPMessage.bootFileFieldLength)
            cookie = try reader.readUInt32()
        }
    }

    private static func untilNUL(_ field: ArraySlice<UInt8>) -> [UInt8] {
        guard let end = field.firstIndex(of: 0) else { return Array(field) }
        return end == field.startIndex ? [] : Array(field[..<end])
    }
}

/// The DHCP message type (option 53, RFC 2132 section 9.6).
public enum DHCPMessageType: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case discover = 1
    case offer = 2
    case request = 3
    case decline = 4
    case ack = 5
    case nak = 6
    case release = 7
    case inform = 8

    /// `DHCPDISCOVER` and so on: the names dnsmasq and RFC 2131 use.
    public var description: String {
        switch self {
        case .discover: "DHCPDISCOVER"
        case .offer: "DHCPOFFER"
        case .request: "DHCPREQUEST"
        case .decline: "DHCPDECLINE"
        case .ack: "DHCPACK"
        case .nak: "DHCPNAK"
        case .release: "DHCPRELEASE"
        case .inform: "DHCPINFORM"
        }
    }
}

/// An encoded message and what had to be left out to fit it.
public struct DHCPEncodedMessage: Hashable, Sendable {
    /// The UDP payload.
    public var bytes: [UInt8]
    /// Options dropped to meet the size limit, last option first. Empty almost always; when
    /// not, the responder logs it, because a client then boots without something it asked for.
    public var droppedOptions: [DHCPOptionCode]
}

extension DHCPMessage {
    /// What a reply cannot be without: its type, and the server identifier clients use to
    /// tell servers apart (RFC 2131 section 4.3.1).
    public static let defaultMandatoryOptions: Set<DHCPOptionCode> = [.messageType, .serverIdentifier]

    static let ipAndUDPHeadersLength = IPv4Packet.minimumHeaderLength + UDPDatagram.headerLength

    /// Encodes the message to fit a client's maximum message size.
    ///
    /// Fitting is decided in this order, so that clients without RFC 3396 support (the Pi
    /// ROMs) see a plain message whenever one is possible:
    /// 1. All options in the options field.
    /// 2. Option overload (52): options continue in `file`, then `sname`, whichever of those
    ///    fields is empty in this message. Options keep their order; each wire piece of an
    ///    option stays whole inside one field.
    /// 3. Drop the last option whose code is not in `mandatoryOptions`, and try again. A
    ///    responder therefore appends options in order of importance: what it must send
    ///    first, what the client merely asked for last.
    ///
    /// Values longer than 255 bytes are split into consecutive options (RFC 3396). The
    /// result is padded to the 300-byte BOOTP minimum.
    ///
    /// - Parameters:
    ///   - maximumMessageSize: the largest IP datagram the client accepts: its option 57,
    ///     else 576. Values below 576 are raised to 576, the minimum every client must take.
    ///   - mandatoryOptions: codes never dropped; if they alone do not fit, encoding fails.
    public func encoded(
        maximumMessageSize: Int = DHCPMessage.minimumMaximumMessageSize,
        mandatoryOptions: Set<DHCPOptionCode> = DHCPMessage.defaultMandatoryOptions
    ) throws(DHCPEncodingError) -> DHCPEncodedMessage {
        let limit = min(max(maximumMessageSize, Self.minimumMaximumMessageSize), Int(UInt16.max))
        var writer = ByteWriter(limit: limit - Self.ipAndUDPHeadersLength, reservingCapacity: Self.minimumMaximumMessageSize)
        let dropped = try encode(into: &writer, mandatoryOptions: mandatoryOptions)
        return DHCPEncodedMessage(bytes: writer.finish(), droppedOptions: dropped)
    }

    /// Appends the message to `writer`, fitted (as ``encoded(maximumMessageSize:mandatoryOptions:)``
    /// describes) to the room the writer has left, which is the UDP payload's limit.
    /// Returns the options left out, last first.
    ///
    /// The layout is decided before a byte is written, so each field is written once, in
    /// order, straight into the writer's buffer: no second pass over the header, no copy.
    @discardableResult
    public func encode(
        into writer: inout ByteWriter, mandatoryOptions: Set<DHCPOptionCode> = DHCPMessage.defaultMandatoryOptions
    ) throws(DHCPEncodingError) -> [DHCPOptionCode] {
        guard clientHardwareAddress.count <= Self.hardwareAddressFieldLength else {
            throw .hardwareAddressTooLong(length: clientHardwareAddress.count)
        }
        guard serverName.count <= Self.serverNameFieldLength else {
            throw .serverNameTooLong(length: serverName.count)
        }
        guard bootFileName.count <= Self.bootFileFieldLength else {
            throw .bootFileNameTooLong(length: bootFileName.count)
        }
        let payloadLimit = writer.remaining
        guard payloadLimit >= Self.minimumBOOTPLength else {
            throw .optionsDoNotFit(maximumMessageSize: payloadLimit + Self.ipAndUDPHeadersLength)
        }
        let mainCapacity = payloadLimit - Self.optionsOffset - 1

        var options = options
        var dropped: [DHCPOptionCode] = []
        var layout: OverloadLayout?
        while true {
            if options.reduce(0, { $0 + DHCPOptions.encodedLength(of: $1) }) <= mainCapacity { break }
            layout = overloadLayout(of: options, mainCapacity: mainCapacity)
            if layout != nil { break }
            guard let code = options.removeLastDroppable(keeping: mandatoryOptions) else {
                throw .optionsDoNotFit(maximumMessageSize: payloadLimit + Self.ipAndUDPHeadersLength)
            }
            dropped.append(code)
        }

        let start = writer.count
        writer.append(operation.rawValue)
        writer.append(hardwareType)
        writer.append(hardwareAddressLength)
        writer.append(hops)
        writer.append(transactionID)
        writer.append(secondsElapsed)
        writer.append(flags)
        writer.append(clientAddress.value)
        writer.append(yourAddress.value)
        writer.append(serverAddress.value)
        writer.append(relayAgentAddress.value)
        Self.appendField(clientHardwareAddress, length: Self.hardwareAddressFieldLength, to: &writer)
        Self.appendField(layout?.sname ?? serverName, length: Self.serverNameFieldLength, to: &writer)
        Self.appendField(layout?.file ?? bootFileName, length: Self.bootFileFieldLength, to: &writer)
        writer.append(Self.magicCookie)
        if let layout {
            writer.append(DHCPOptionCode.optionOverload.rawValue)
            writer.append(UInt8(1))
            writer.append(layout.overloadValue)
            writer.append(contentsOf: layout.options)
        } else {
            for option in options { Self.appendPieces(of: option, to: &writer) }
        }
        writer.append(DHCPOptionCode.end.rawValue)
        let written = writer.count - start
        if written < Self.minimumBOOTPLength {
            writer.append(contentsOf: Self.zeros[..<(Self.minimumBOOTPLength - written)])
        }
        return dropped
    }

    /// A fixed-size header field: its content, then zeros to its length.
    private static func appendField(_ content: [UInt8], length: Int, to writer: inout ByteWriter) {
        writer.append(contentsOf: content)
        writer.append(contentsOf: zeros[..<(length - content.count)])
    }

    /// Zeros to copy from for padding (a copy, unlike appending a repeated element): as many
    /// as the longest run written, the padding up to the BOOTP minimum.
    private static let zeros = [UInt8](repeating: 0, count: minimumBOOTPLength)

    /// The options placed in the options field and the free ones of `file` and `sname`
    /// (each area's bytes ending with its end option), or nil if they still do not fit or
    /// neither field is free.
    ///
    /// Only called when the options exceed the options field alone, so at least one of
    /// `file` and `sname` ends up used.
    private func overloadLayout(of options: DHCPOptions, mainCapacity: Int) -> OverloadLayout? {
        let overloadOptionLength = 3
        var areas: [(area: DHCPOptionArea, capacity: Int, bytes: [UInt8])] = [
            (.options, mainCapacity - overloadOptionLength, []),
        ]
        if bootFileName.isEmpty { areas.append((.file, Self.bootFileFieldLength - 1, [])) }
        if serverName.isEmpty { areas.append((.sname, Self.serverNameFieldLength - 1, [])) }
        guard areas.count > 1 else { return nil }

        var current = 0
        for option in options {
            let placed = DHCPOptions.forEachPiece(of: option) { piece in
                while areas[current].bytes.count + 2 + piece.count > areas[current].capacity {
                    current += 1
                    if current == areas.count { return false }
                }
                areas[current].bytes.append(option.code.rawValue)
                areas[current].bytes.append(UInt8(piece.count))
                areas[current].bytes.append(contentsOf: piece)
                return true
            }
            guard placed else { return nil }
        }
        var layout = OverloadLayout(options: areas[0].bytes)
        for (area, _, bytes) in areas.dropFirst() where !bytes.isEmpty {
            switch area {
            case .file: layout.file = bytes + [DHCPOptionCode.end.rawValue]
            case .sname: layout.sname = bytes + [DHCPOptionCode.end.rawValue]
            case .options: break
            }
        }
        return layout
    }

    private static func appendPieces(of option: DHCPOption, to writer: inout ByteWriter) {
        if option.value.count <= 255 {
            writer.append(option.code.rawValue)
            writer.append(UInt8(option.value.count))
            writer.append(contentsOf: option.value)
            return
        }
        _ = DHCPOptions.forEachPiece(of: option) { piece in
            writer.append(option.code.rawValue)
            writer.append(UInt8(piece.count))
            writer.append(contentsOf: piece)
            return true
        }
    }
}

private struct OverloadLayout {
    var options: [UInt8]
    var file: [UInt8]?
    var sname: [UInt8]?

    /// Option 52's value: bit 0 for `file`, bit 1 for `sname` (RFC 2132 section 9.3).
    var overloadValue: UInt8 { (file == nil ? 0 : 1) | (sname == nil ? 0 : 2) }
}

/// Why bytes are not a DHCP message. The descriptions go to the log beside the sender's
/// MAC address, so they name the field and the numbers that were wrong.
public enum DHCPDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Shorter than the fixed BOOTP header plus the magic cookie.
    case truncated(length: Int)
    case unknownOperation(UInt8)
    case hardwareAddressTooLong(length: UInt8)
    /// A plain BOOTP message (or not BOOTP at all): no DHCP magic cookie.
    case badMagicCookie(found: UInt32)
    case optionOverrun(code: DHCPOptionCode, area: DHCPOptionArea)
    case missingEndOption
    case invalidOptionOverload(value: [UInt8])

    public var description: String {
        switch self {
        case .truncated(let length):
            "DHCP message of \(length) bytes is shorter than the 240-byte BOOTP header and magic cookie"
        case .unknownOperation(let op):
            "BOOTP op \(op) is neither 1 (request) nor 2 (reply)"
        case .hardwareAddressTooLong(let length):
            "hardware address length \(length) exceeds the 16-byte chaddr field"
        case .badMagicCookie(let found):
            "magic cookie 0x\(hex32(found)) is not DHCP's 0x63825363"
        case .optionOverrun(let code, let area):
            "option \(code) runs past the end of the \(area)"
        case .missingEndOption:
            "options field has no end option (255)"
        case .invalidOptionOverload(let value):
            "option overload (52) value \(value) is not one byte of 1, 2 or 3"
        }
    }
}

/// Why a message cannot be encoded.
public enum DHCPEncodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case hardwareAddressTooLong(length: Int)
    case serverNameTooLong(length: Int)
    case bootFileNameTooLong(length: Int)
    /// Even with every droppable option dropped and the `file` and `sname` fields used for
    /// options where free, the mandatory options exceed the size limit.
    case optionsDoNotFit(maximumMessageSize: Int)

    public var description: String {
        switch self {
        case .hardwareAddressTooLong(let length):
            "hardware address of \(length) bytes exceeds the 16-byte chaddr field"
        case .serverNameTooLong(let length):
            "server name of \(length) bytes exceeds the 64-byte sname field"
        case .bootFileNameTooLong(let length):
            "boot file name of \(length) bytes exceeds the 128-byte file field"
        case .optionsDoNotFit(let maximumMessageSize):
            "mandatory options do not fit a \(maximumMessageSize)-byte DHCP message"
        }
    }
}

func hex32(_ value: UInt32) -> String {
    let digits = Array("0123456789abcdef")
    return String((0..<8).reversed().map { digits[Int(value >> (UInt32($0) * 4) & 0xf)] })
}
