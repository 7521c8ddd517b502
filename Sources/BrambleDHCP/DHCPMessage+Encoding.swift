import BrambleWire

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
        guard clientHardwareAddress.count <= Self.hardwareAddressFieldLength else {
            throw .hardwareAddressTooLong(length: clientHardwareAddress.count)
        }
        guard serverName.count <= Self.serverNameFieldLength else {
            throw .serverNameTooLong(length: serverName.count)
        }
        guard bootFileName.count <= Self.bootFileFieldLength else {
            throw .bootFileNameTooLong(length: bootFileName.count)
        }
        let limit = min(max(maximumMessageSize, Self.minimumMaximumMessageSize), Int(UInt16.max))
        let payloadLimit = limit - Self.ipAndUDPHeadersLength
        let mainCapacity = payloadLimit - Self.optionsOffset - 1

        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.minimumMaximumMessageSize)
        appendHeader(to: &bytes)

        var options = options
        var dropped: [DHCPOptionCode] = []
        while true {
            if options.reduce(0, { $0 + DHCPOptions.encodedLength(of: $1) }) <= mainCapacity {
                for option in options { Self.appendPieces(of: option, to: &bytes) }
                bytes.append(DHCPOptionCode.end.rawValue)
                Self.copy(serverName, into: &bytes, at: Self.serverNameOffset)
                Self.copy(bootFileName, into: &bytes, at: Self.bootFileOffset)
                break
            }
            if let layout = overloadLayout(of: options, mainCapacity: mainCapacity) {
                bytes.append(contentsOf: [DHCPOptionCode.optionOverload.rawValue, 1, layout.overloadValue])
                bytes.append(contentsOf: layout.options)
                bytes.append(DHCPOptionCode.end.rawValue)
                Self.copy(layout.sname ?? serverName, into: &bytes, at: Self.serverNameOffset)
                Self.copy(layout.file ?? bootFileName, into: &bytes, at: Self.bootFileOffset)
                break
            }
            guard let code = options.removeLastDroppable(keeping: mandatoryOptions) else {
                throw .optionsDoNotFit(maximumMessageSize: limit)
            }
            dropped.append(code)
        }
        if bytes.count < Self.minimumBOOTPLength {
            bytes.append(contentsOf: repeatElement(0, count: Self.minimumBOOTPLength - bytes.count))
        }
        return DHCPEncodedMessage(bytes: bytes, droppedOptions: dropped)
    }

    /// The fixed header with `sname` and `file` zeroed, and the magic cookie.
    private func appendHeader(to bytes: inout [UInt8]) {
        bytes.append(operation.rawValue)
        bytes.append(hardwareType)
        bytes.append(hardwareAddressLength)
        bytes.append(hops)
        NetworkByteOrder.append(transactionID, to: &bytes)
        NetworkByteOrder.append(secondsElapsed, to: &bytes)
        NetworkByteOrder.append(flags, to: &bytes)
        NetworkByteOrder.append(clientAddress.value, to: &bytes)
        NetworkByteOrder.append(yourAddress.value, to: &bytes)
        NetworkByteOrder.append(serverAddress.value, to: &bytes)
        NetworkByteOrder.append(relayAgentAddress.value, to: &bytes)
        bytes.append(contentsOf: clientHardwareAddress)
        bytes.append(contentsOf: repeatElement(0, count: Self.fixedHeaderLength - bytes.count))
        NetworkByteOrder.append(Self.magicCookie, to: &bytes)
    }

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

    private static func appendPieces(of option: DHCPOption, to bytes: inout [UInt8]) {
        _ = DHCPOptions.forEachPiece(of: option) { piece in
            bytes.append(option.code.rawValue)
            bytes.append(UInt8(piece.count))
            bytes.append(contentsOf: piece)
            return true
        }
    }

    /// Writes a field's content over the zeros the header was built with.
    private static func copy(_ content: [UInt8], into bytes: inout [UInt8], at offset: Int) {
        bytes.replaceSubrange(offset..<(offset + content.count), with: content)
    }
}

private struct OverloadLayout {
    var options: [UInt8]
    var file: [UInt8]?
    var sname: [UInt8]?

    /// Option 52's value: bit 0 for `file`, bit 1 for `sname` (RFC 2132 section 9.3).
    var overloadValue: UInt8 { (file == nil ? 0 : 1) | (sname == nil ? 0 : 2) }
}
