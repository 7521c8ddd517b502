import BrambleWire

extension DNSMessage {
    /// Encodes within `maximumSize` bytes (see ``maximumResponseSize(overTCP:)``).
    ///
    /// The header and question are always written. When an answer or authority record
    /// does not fit, the message goes out with TC set, its question and OPT record only:
    /// the client retries over TCP (RFC 2181 section 9) and a partial answer section is
    /// never mistaken for a whole one. Additional records that do not fit are left out
    /// without TC, as they are optional. Names are compressed
    /// (RFC 1035 section 4.1.4), in the record data of NS, CNAME, SOA, PTR and MX too.
    public func encoded(maximumSize: Int = DNSMessage.classicUDPSize) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(into: &bytes, maximumSize: maximumSize)
        return bytes
    }

    /// Encodes into a buffer the caller keeps between messages, so the answer path reuses
    /// one allocation.
    public func encode(into bytes: inout [UInt8], maximumSize: Int) {
        let limit = min(max(maximumSize, Self.headerLength), Self.maximumTCPSize)
        var writer = DNSMessageWriter(bytes: bytes)
        writer.bytes.removeAll(keepingCapacity: true)
        writer.bytes.append(contentsOf: repeatElement(0, count: Self.headerLength))
        for question in questions {
            writer.append(name: question.name)
            writer.append(question.type.rawValue)
            writer.append(question.recordClass.rawValue)
        }
        let optLength = edns.map { 11 + $0.options.count } ?? 0
        let afterQuestions = writer.checkpoint
        /// Writes required records; false (and back to the question) when one does not fit.
        func appendAll(_ records: [DNSResourceRecord]) -> Bool {
            for record in records {
                writer.append(record: record)
                if writer.bytes.count + optLength > limit {
                    writer.restore(afterQuestions)
                    return false
                }
            }
            return true
        }
        var counts = (answers: 0, authorities: 0, additionals: 0)
        let overflowed = writer.bytes.count + optLength > limit || !appendAll(answers) || !appendAll(authorities)
        if !overflowed {
            counts = (answers.count, authorities.count, 0)
        }
        if !overflowed {
            for record in additionals {
                let beforeRecord = writer.checkpoint
                writer.append(record: record)
                if writer.bytes.count + optLength > limit {
                    writer.restore(beforeRecord)
                    break
                }
                counts.additionals += 1
            }
        }
        if let edns, writer.bytes.count + optLength <= limit {
            writer.append(opt: edns, extendedCodeBits: UInt8(responseCode.rawValue >> 4))
            counts.additionals += 1
        }
        var flagged = header
        flagged.isTruncated = header.isTruncated || overflowed
        NetworkByteOrder.store(header.id, into: &writer.bytes, at: 0)
        NetworkByteOrder.store(flagged.flagWord(responseCodeLowBits: responseCode.rawValue), into: &writer.bytes, at: 2)
        NetworkByteOrder.store(UInt16(clamping: questions.count), into: &writer.bytes, at: 4)
        NetworkByteOrder.store(UInt16(clamping: counts.answers), into: &writer.bytes, at: 6)
        NetworkByteOrder.store(UInt16(clamping: counts.authorities), into: &writer.bytes, at: 8)
        NetworkByteOrder.store(UInt16(clamping: counts.additionals), into: &writer.bytes, at: 10)
        bytes = writer.bytes
    }
}

/// Appends message parts and remembers where names were written, for compression.
struct DNSMessageWriter {
    /// Pointers have 14 bits of offset.
    static let maximumPointerTarget = 0x3fff

    var bytes: [UInt8]
    /// Name suffixes already in the message: a suffix's wire form is a tail of its name's
    /// wire form, and `offset` is where that tail starts in ``bytes``.
    private var suffixes: [(tail: ArraySlice<UInt8>, offset: Int)] = []

    init(bytes: [UInt8]) {
        self.bytes = bytes
        suffixes.reserveCapacity(16)
    }

    struct Checkpoint {
        let byteCount: Int
        let suffixCount: Int
    }

    var checkpoint: Checkpoint { Checkpoint(byteCount: bytes.count, suffixCount: suffixes.count) }

    /// Forgets what was written after the checkpoint, including its names, so nothing
    /// later points into bytes that are gone.
    mutating func restore(_ checkpoint: Checkpoint) {
        bytes.removeSubrange(checkpoint.byteCount...)
        suffixes.removeSubrange(checkpoint.suffixCount...)
    }

    mutating func append(_ value: UInt16) { NetworkByteOrder.append(value, to: &bytes) }
    mutating func append(_ value: UInt32) { NetworkByteOrder.append(value, to: &bytes) }

    /// Writes the name's labels up to the longest suffix already in the message, then a
    /// pointer to it (or the root byte when none is).
    mutating func append(name: DNSName) {
        let wire = name.wire
        var labelStart = 0
        while wire[labelStart] != 0 {
            let tail = wire[labelStart...]
            if let match = suffixes.first(where: { DNSName.equalIgnoringASCIICase($0.tail, tail) }) {
                bytes.append(contentsOf: wire[..<labelStart])
                append(UInt16(0xc000) | UInt16(match.offset))
                return
            }
            let offset = bytes.count + labelStart
            if offset <= Self.maximumPointerTarget {
                suffixes.append((tail, offset))
            }
            labelStart += Int(wire[labelStart]) + 1
        }
        bytes.append(contentsOf: wire)
    }

    mutating func append(record: DNSResourceRecord) {
        append(name: record.name)
        append(record.type.rawValue)
        append(record.recordClass.rawValue)
        append(record.ttl)
        let lengthIndex = bytes.count
        append(UInt16(0))
        switch record.data {
        case .a(let address): append(address.value)
        case .ns(let name), .cname(let name), .ptr(let name): append(name: name)
        case .mx(let preference, let exchange):
            append(preference)
            append(name: exchange)
        case .soa(let soa):
            append(name: soa.primaryServer)
            append(name: soa.responsibleMailbox)
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { append(value) }
        case .other(_, let data): bytes.append(contentsOf: data)
        }
        NetworkByteOrder.store(UInt16(clamping: bytes.count - lengthIndex - 2), into: &bytes, at: lengthIndex)
    }

    mutating func append(opt edns: DNSEDNS, extendedCodeBits: UInt8) {
        bytes.append(0)
        append(DNSRecordType.opt.rawValue)
        append(edns.udpPayloadSize)
        append(UInt32(extendedCodeBits) << 24 | UInt32(edns.version) << 16 | (edns.dnssecOK ? 0x8000 : 0))
        append(UInt16(clamping: edns.options.count))
        bytes.append(contentsOf: edns.options)
    }
}
