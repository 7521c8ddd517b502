import BrambleWire

extension DNSMessage {
    public init(decoding bytes: [UInt8]) throws(DNSDecodingError) {
        try self.init(decoding: bytes[...])
    }

    /// Decodes a UDP payload or a TCP message without its length prefix. Bytes after the
    /// last counted record are ignored. Never traps: every read goes through a
    /// ``ByteReader``, bounds-checked against the counts, lengths and pointers the sender
    /// claims.
    public init(decoding bytes: ArraySlice<UInt8>) throws(DNSDecodingError) {
        guard bytes.count >= Self.headerLength else { throw .truncatedHeader(length: bytes.count) }
        var reader = DNSMessageReader(bytes: bytes)
        let id = try reader.uint16()
        let flags = try reader.uint16()
        let counts = (try reader.uint16(), try reader.uint16(), try reader.uint16(), try reader.uint16())

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

/// DNS's reading on top of a ``ByteReader`` over one received message: names with their
/// compression pointers, records, and the per-message pointer budget. Offsets are from the
/// message's first byte; a read past the end is ``DNSDecodingError/truncated(at:)``.
struct DNSMessageReader {
    /// RFC 1035 allows 127 labels; a pointer per label is the most a sane encoder uses.
    static let maximumPointerHops = 127

    private var reader: ByteReader
    /// Compression pointers the rest of the message may still follow, all names together:
    /// one per byte of the message. The per-name limit alone lets each of thousands of
    /// 2-byte names walk a chain of 127 pointers (10^6 hops in one 64 KB message); an
    /// encoder points each name at an earlier one once, or a few times along a chain,
    /// and every pointer takes two bytes, so real messages stay far below this.
    var pointerHopsLeft: Int

    init(bytes: ArraySlice<UInt8>) {
        reader = ByteReader(bytes)
        pointerHopsLeft = bytes.count
    }

    var position: Int {
        get { reader.offset }
        set { reader.offset = newValue }
    }

    var count: Int { reader.count }

    /// The error for a read past the end: it names the message's length, where it ended.
    private var truncation: DNSDecodingError { .truncated(at: count) }

    mutating func uint16() throws(DNSDecodingError) -> UInt16 {
        do { return try reader.readUInt16() } catch { throw truncation }
    }

    mutating func uint32() throws(DNSDecodingError) -> UInt32 {
        do { return try reader.readUInt32() } catch { throw truncation }
    }

    private mutating func bytes(_ length: Int) throws(DNSDecodingError) -> ArraySlice<UInt8> {
        do { return try reader.readBytes(length) } catch { throw truncation }
    }

    private func byte(at offset: Int) throws(DNSDecodingError) -> UInt8 {
        do { return try reader.uint8(at: offset) } catch { throw truncation }
    }

    /// A count a header claims, limited by what the remaining bytes could hold, so a lying
    /// count cannot make the decoder reserve memory for 65535 records.
    func plausibleCount(_ claimed: UInt16, minimumSize: Int) -> Int {
        min(Int(claimed), reader.remaining / minimumSize)
    }

    mutating func readQuestion() throws(DNSDecodingError) -> DNSQuestion {
        let name = try readName()
        let type = DNSRecordType(rawValue: try uint16())
        return DNSQuestion(name: name, type: type, recordClass: DNSClass(rawValue: try uint16()))
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
        // TYPE, CLASS, TTL and RDLENGTH come as one piece: a record cut short in them is
        // truncated however many of them arrived.
        do { try reader.require(10, at: position) } catch { throw truncation }
        let type = DNSRecordType(rawValue: try uint16())
        let classField = try uint16()
        let ttl = try uint32()
        let dataLength = Int(try uint16())
        let dataStart = position
        let data = try bytes(dataLength)
        if type == .opt {
            return .opt(name: name, payloadSize: classField, ttl: ttl, options: Array(data))
        }
        let decoded = try readData(type: type, data, from: dataStart, to: position)
        return .record(DNSResourceRecord(
            name: name, recordClass: DNSClass(rawValue: classField),
            ttl: ttl & 0x8000_0000 == 0 ? ttl : 0, data: decoded))
    }

    /// RDATA of `type` lying at `start..<end` (`raw` is those bytes). Names in it are read
    /// against the whole message, as their pointers may reach back anywhere before them.
    private mutating func readData(
        type: DNSRecordType, _ raw: ArraySlice<UInt8>, from start: Int, to end: Int
    ) throws(DNSDecodingError) -> DNSRecordData {
        var data = self
        data.position = start
        defer { pointerHopsLeft = data.pointerHopsLeft }
        let decoded: DNSRecordData
        switch type {
        case .a:
            guard end - start == 4 else { throw .invalidRecordData(type: type, at: start) }
            decoded = .a(IPv4Address(try data.uint32()))
        case .ns: decoded = .ns(try data.readName(within: end, of: type))
        case .cname: decoded = .cname(try data.readName(within: end, of: type))
        case .ptr: decoded = .ptr(try data.readName(within: end, of: type))
        case .mx:
            guard end - start >= 3 else { throw .invalidRecordData(type: type, at: start) }
            let preference = try data.uint16()
            decoded = .mx(preference: preference, exchange: try data.readName(within: end, of: type))
        case .soa:
            let primary = try data.readName(within: end, of: type)
            let mailbox = try data.readName(within: end, of: type)
            guard end - data.position == 20 else { throw .invalidRecordData(type: type, at: start) }
            decoded = .soa(DNSStartOfAuthority(
                primaryServer: primary, responsibleMailbox: mailbox, serial: try data.uint32(),
                refresh: try data.uint32(), retry: try data.uint32(), expire: try data.uint32(),
                minimum: try data.uint32()))
        default:
            decoded = .other(type, Array(raw))
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
            let lengthByte = try byte(at: cursor)
            switch lengthByte {
            case 0:
                wire.append(0)
                position = resumeAfter ?? cursor + 1
                return DNSName(uncheckedWire: wire)
            case 1...63:
                let length = Int(lengthByte)
                do { try reader.require(length + 1, at: cursor) } catch { throw truncation }
                guard wire.count + length + 2 <= DNSName.maximumWireLength else { throw .nameTooLong(at: nameStart) }
                let first = reader.bytes.startIndex + cursor
                wire.append(contentsOf: reader.bytes[first...(first + length)])
                cursor += length + 1
            case 0xc0...0xff:
                let target = Int(lengthByte & 0x3f) << 8 | Int(try byte(at: cursor + 1))
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

/// Why bytes are not a DNS message. Offsets count from the message's first byte, so a log
/// line and a packet capture can be read side by side.
public enum DNSDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Shorter than the 12-byte header.
    case truncatedHeader(length: Int)
    /// A name, record or count needed bytes past the end: the usual sign of counts that lie.
    case truncated(at: Int)
    /// A length byte of 64...191: longer than a label may be, or a label type
    /// (RFC 6891 extended labels) that is not in use.
    case labelTooLong(at: Int, lengthByte: UInt8)
    case nameTooLong(at: Int)
    case pointerBeyondMessage(at: Int, target: Int)
    /// A compression pointer must point before the start of the piece of name it continues
    /// (an encoder only points at names already written). Anything else could loop.
    case pointerLoop(at: Int, target: Int)
    /// More jumps than a name of 127 labels could need: work bounded per name.
    case tooManyPointers(at: Int)
    /// More jumps, all names together, than the message has bytes: work bounded per
    /// message, whatever its names point at.
    case tooManyPointersInMessage(at: Int)
    /// RDATA whose length does not fit its type (an A record of 5 bytes, a PTR whose name
    /// ends before or after RDLENGTH).
    case invalidRecordData(type: DNSRecordType, at: Int)
    /// A second OPT record, or one whose owner is not the root (RFC 6891 section 6.1.1).
    case invalidOPTRecord(at: Int)

    public var description: String {
        switch self {
        case .truncatedHeader(let length):
            "DNS message of \(length) bytes is shorter than the 12-byte header"
        case .truncated(let offset):
            "DNS message ends at byte \(offset) in the middle of a name or record (do its counts lie?)"
        case .labelTooLong(let offset, let lengthByte):
            "label length \(lengthByte) at byte \(offset) is over 63 or a reserved label type"
        case .nameTooLong(let offset):
            "name at byte \(offset) is longer than 255 bytes"
        case .pointerBeyondMessage(let offset, let target):
            "compression pointer at byte \(offset) points to \(target), past the end of the message"
        case .pointerLoop(let offset, let target):
            "compression pointer at byte \(offset) points forward or back into its own name (to \(target))"
        case .tooManyPointers(let offset):
            "name at byte \(offset) follows too many compression pointers"
        case .tooManyPointersInMessage(let offset):
            "name at byte \(offset) takes the message past one compression pointer per byte"
        case .invalidRecordData(let type, let offset):
            "\(type) record data at byte \(offset) does not match its length"
        case .invalidOPTRecord(let offset):
            "OPT record at byte \(offset) is a second one or not owned by the root"
        }
    }
}
