import BrambleWire

extension DNSMessage {
    public init(decoding bytes: [UInt8]) throws(DNSDecodingError) {
        try self.init(decoding: bytes[...])
    }

    /// Decodes a UDP payload or a TCP message without its length prefix. Bytes after the
    /// last counted record are ignored. Never traps: every read is bounds-checked against
    /// the counts, lengths and pointers the sender claims.
    public init(decoding bytes: ArraySlice<UInt8>) throws(DNSDecodingError) {
        guard bytes.count >= Self.headerLength else { throw .truncatedHeader(length: bytes.count) }
        var reader = DNSMessageReader(bytes: bytes)
        let id = reader.uint16(at: 0)
        let flags = reader.uint16(at: 2)
        let counts = (reader.uint16(at: 4), reader.uint16(at: 6), reader.uint16(at: 8), reader.uint16(at: 10))
        reader.position = Self.headerLength

        var questions: [DNSQuestion] = []
        questions.reserveCapacity(reader.plausibleCount(counts.0, minimumSize: 5))
        for _ in 0..<counts.0 {
            questions.append(try reader.readQuestion())
        }
        let answers = try reader.readRecords(count: counts.1)
        let authorities = try reader.readRecords(count: counts.2)
        var additionals: [DNSResourceRecord] = []
        additionals.reserveCapacity(reader.plausibleCount(counts.3, minimumSize: 11))
        var edns: DNSEDNS?
        var extendedCodeBits: UInt16 = 0
        for _ in 0..<counts.3 {
            let start = reader.position
            switch try reader.readRecordOrOPT() {
            case .record(let record):
                additionals.append(record)
            case .opt(let name, let payloadSize, let ttl, let options):
                guard edns == nil, name.isRoot else { throw .invalidOPTRecord(at: start) }
                extendedCodeBits = UInt16(ttl >> 24) << 4
                edns = DNSEDNS(
                    udpPayloadSize: payloadSize, version: UInt8(ttl >> 16 & 0xff),
                    dnssecOK: ttl & 0x8000 != 0, options: options)
            }
        }
        header = DNSHeader(id: id, flagWord: flags)
        responseCode = DNSResponseCode(rawValue: extendedCodeBits | flags & 0xf)
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
        self.edns = edns
    }
}

/// A cursor over one received message. Offsets are relative to the message's first byte;
/// every method checks the bytes it reads are there before reading them.
struct DNSMessageReader {
    /// RFC 1035 allows 127 labels; a pointer per label is the most a sane encoder uses.
    static let maximumPointerHops = 127

    let bytes: ArraySlice<UInt8>
    var position = 0
    /// Compression pointers the rest of the message may still follow, all names together:
    /// one per byte of the message. The per-name limit alone lets each of thousands of
    /// 2-byte names walk a chain of 127 pointers (10^6 hops in one 64 KB message); an
    /// encoder points each name at an earlier one once, or a few times along a chain,
    /// and every pointer takes two bytes, so real messages stay far below this.
    var pointerHopsLeft: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        pointerHopsLeft = bytes.count
    }

    var count: Int { bytes.count }

    func byte(at offset: Int) -> UInt8 { bytes[bytes.startIndex + offset] }
    func uint16(at offset: Int) -> UInt16 { NetworkByteOrder.uint16(bytes, at: offset) }
    func uint32(at offset: Int) -> UInt32 { NetworkByteOrder.uint32(bytes, at: offset) }

    func require(_ length: Int, at offset: Int) throws(DNSDecodingError) {
        guard length <= count - offset else { throw .truncated(at: count) }
    }

    /// A count a header claims, limited by what the remaining bytes could hold, so a lying
    /// count cannot make the decoder reserve memory for 65535 records.
    func plausibleCount(_ claimed: UInt16, minimumSize: Int) -> Int {
        min(Int(claimed), (count - position) / minimumSize)
    }

    mutating func readQuestion() throws(DNSDecodingError) -> DNSQuestion {
        let name = try readName()
        try require(4, at: position)
        let question = DNSQuestion(
            name: name, type: DNSRecordType(rawValue: uint16(at: position)),
            recordClass: DNSClass(rawValue: uint16(at: position + 2)))
        position += 4
        return question
    }

    mutating func readRecords(count claimed: UInt16) throws(DNSDecodingError) -> [DNSResourceRecord] {
        var records: [DNSResourceRecord] = []
        records.reserveCapacity(plausibleCount(claimed, minimumSize: 11))
        for _ in 0..<claimed {
            let start = position
            switch try readRecordOrOPT() {
            case .record(let record): records.append(record)
            case .opt: throw .invalidOPTRecord(at: start)
            }
        }
        return records
    }

    enum RecordOrOPT {
        case record(DNSResourceRecord)
        case opt(name: DNSName, payloadSize: UInt16, ttl: UInt32, options: [UInt8])
    }

    mutating func readRecordOrOPT() throws(DNSDecodingError) -> RecordOrOPT {
        let name = try readName()
        try require(10, at: position)
        let type = DNSRecordType(rawValue: uint16(at: position))
        let classField = uint16(at: position + 2)
        let ttl = uint32(at: position + 4)
        let dataLength = Int(uint16(at: position + 8))
        let dataStart = position + 10
        try require(dataLength, at: dataStart)
        let dataEnd = dataStart + dataLength
        position = dataEnd
        if type == .opt {
            return .opt(name: name, payloadSize: classField, ttl: ttl, options: slice(dataStart, dataEnd))
        }
        let data = try readData(type: type, from: dataStart, to: dataEnd)
        return .record(DNSResourceRecord(
            name: name, recordClass: DNSClass(rawValue: classField),
            ttl: ttl & 0x8000_0000 == 0 ? ttl : 0, data: data))
    }

    private func slice(_ start: Int, _ end: Int) -> [UInt8] {
        Array(bytes[(bytes.startIndex + start)..<(bytes.startIndex + end)])
    }

    private mutating func readData(type: DNSRecordType, from start: Int, to end: Int) throws(DNSDecodingError) -> DNSRecordData {
        var data = self
        data.position = start
        defer { pointerHopsLeft = data.pointerHopsLeft }
        let decoded: DNSRecordData
        switch type {
        case .a:
            guard end - start == 4 else { throw .invalidRecordData(type: type, at: start) }
            decoded = .a(IPv4Address(uint32(at: start)))
            data.position = end
        case .ns: decoded = .ns(try data.readName(within: end, of: type))
        case .cname: decoded = .cname(try data.readName(within: end, of: type))
        case .ptr: decoded = .ptr(try data.readName(within: end, of: type))
        case .mx:
            guard end - start >= 3 else { throw .invalidRecordData(type: type, at: start) }
            data.position += 2
            decoded = .mx(preference: uint16(at: start), exchange: try data.readName(within: end, of: type))
        case .soa:
            let primary = try data.readName(within: end, of: type)
            let mailbox = try data.readName(within: end, of: type)
            guard end - data.position == 20 else { throw .invalidRecordData(type: type, at: start) }
            let p = data.position
            decoded = .soa(DNSStartOfAuthority(
                primaryServer: primary, responsibleMailbox: mailbox, serial: uint32(at: p),
                refresh: uint32(at: p + 4), retry: uint32(at: p + 8), expire: uint32(at: p + 12),
                minimum: uint32(at: p + 16)))
            data.position = end
        default:
            decoded = .other(type, slice(start, end))
            data.position = end
        }
        guard data.position == end else { throw .invalidRecordData(type: type, at: start) }
        return decoded
    }

    /// A name inside RDATA: its own bytes (before any pointer) must end within the RDATA.
    private mutating func readName(within end: Int, of type: DNSRecordType) throws(DNSDecodingError) -> DNSName {
        let start = position
        let name = try readName()
        guard position <= end else { throw .invalidRecordData(type: type, at: start) }
        return name
    }

    /// Reads a possibly compressed name at ``position`` and moves past its bytes in place.
    ///
    /// Each pointer must point before the start of the piece of name being read (which
    /// starts out as the name's own first byte): jumps then always go strictly backwards
    /// past everything read so far, so no loop can form. The hop limits bound the work:
    /// 127 per name and ``pointerHopsLeft`` for the whole message, so decoding is linear
    /// in the message's length.
    mutating func readName() throws(DNSDecodingError) -> DNSName {
        let nameStart = position
        var wire: [UInt8] = []
        wire.reserveCapacity(32)
        var cursor = position
        var pieceStart = position
        var resumeAfter: Int?
        var hops = 0
        while true {
            guard cursor < count else { throw .truncated(at: count) }
            let lengthByte = byte(at: cursor)
            switch lengthByte {
            case 0:
                wire.append(0)
                position = resumeAfter ?? cursor + 1
                return DNSName(uncheckedWire: wire)
            case 1...63:
                let length = Int(lengthByte)
                try require(length + 1, at: cursor)
                guard wire.count + length + 2 <= DNSName.maximumWireLength else { throw .nameTooLong(at: nameStart) }
                wire.append(contentsOf: bytes[(bytes.startIndex + cursor)...(bytes.startIndex + cursor + length)])
                cursor += length + 1
            case 0xc0...0xff:
                try require(2, at: cursor)
                let target = Int(lengthByte & 0x3f) << 8 | Int(byte(at: cursor + 1))
                guard target < count else { throw .pointerBeyondMessage(at: cursor, target: target) }
                guard target < pieceStart else { throw .pointerLoop(at: cursor, target: target) }
                hops += 1
                guard hops <= Self.maximumPointerHops else { throw .tooManyPointers(at: nameStart) }
                pointerHopsLeft -= 1
                guard pointerHopsLeft >= 0 else { throw .tooManyPointersInMessage(at: nameStart) }
                if resumeAfter == nil { resumeAfter = cursor + 2 }
                cursor = target
                pieceStart = target
            default:
                throw .labelTooLong(at: cursor, lengthByte: lengthByte)
            }
        }
    }
}
