import BrambleWire

extension DNSMessage {
    /// Encodes within `maximumSize` bytes (see ``maximumResponseSize(overTCP:)``), and never
    /// beyond 65535, the most a TCP length prefix can say.
    ///
    /// The header and questions are written first; when even they do not fit, nothing is
    /// sent (``DNSEncodingError/questionsDoNotFit(questionCount:limit:)``). When an answer or
    /// authority record does not fit, the message goes out with TC set, its questions and
    /// OPT record only: the client retries over TCP (RFC 2181 section 9) and a partial
    /// answer section is never mistaken for a whole one. Additional records that do not fit
    /// are left out without TC, as they are optional. Names are compressed
    /// (RFC 1035 section 4.1.4), in the record data of NS, CNAME, SOA, PTR and MX too.
    public func encoded(maximumSize: Int = DNSMessage.classicUDPSize) throws(DNSEncodingError) -> [UInt8] {
        var bytes: [UInt8] = []
        try encode(into: &bytes, maximumSize: maximumSize)
        return bytes
    }

    /// Encodes into a buffer the caller keeps between messages, so the answer path reuses
    /// one allocation. On error `bytes` is left empty.
    public func encode(into bytes: inout [UInt8], maximumSize: Int) throws(DNSEncodingError) {
        let limit = min(max(maximumSize, Self.headerLength), Self.maximumTCPSize)
        var writer = DNSMessageWriter(bytes: [])
        swap(&writer.bytes, &bytes)
        defer { swap(&writer.bytes, &bytes) }
        writer.bytes.removeAll(keepingCapacity: true)
        writer.bytes.append(contentsOf: repeatElement(0, count: Self.headerLength))
        for question in questions {
            writer.append(name: question.name)
            writer.append(question.type.rawValue)
            writer.append(question.recordClass.rawValue)
            guard writer.bytes.count <= limit else {
                writer.bytes.removeAll(keepingCapacity: true)
                throw .questionsDoNotFit(questionCount: questions.count, limit: limit)
            }
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
        // Each question takes at least 5 bytes and each record 11, so within 65535 bytes
        // no count can pass 65535.
        NetworkByteOrder.store(UInt16(clamping: questions.count), into: &writer.bytes, at: 4)
        NetworkByteOrder.store(UInt16(clamping: counts.answers), into: &writer.bytes, at: 6)
        NetworkByteOrder.store(UInt16(clamping: counts.authorities), into: &writer.bytes, at: 8)
        NetworkByteOrder.store(UInt16(clamping: counts.additionals), into: &writer.bytes, at: 10)
    }
}

/// Appends message parts and remembers where names were written, for compression.
///
/// Compression costs one hash-table probe per label, whatever the message holds: every
/// name suffix written is interned as (its first label, the suffix after it), so a name's
/// longest suffix already in the message is found by walking its labels from the right.
/// Comparing each suffix with every one written before, as a plain list would, costs the
/// product of the two, which a message of many long names turns into some 10^8 byte
/// comparisons on the one event loop.
struct DNSMessageWriter {
    /// Pointers have 14 bits of offset.
    static let maximumPointerTarget = 0x3fff

    var bytes: [UInt8]
    /// Interned suffixes by their first label and the ID of the suffix after it (0: the root).
    private var suffixes: [SuffixKey: Suffix] = [:]
    /// Keys in the order they were interned; a suffix's ID is its position here plus one.
    private var interned: [SuffixKey] = []
    /// Hash-table probes so far: what a test counts to show compression is linear.
    private(set) var suffixProbes = 0

    /// A label, compared and hashed without regard to ASCII case as names are, under the
    /// suffix with ID `parent`. The label is a slice of the name's own storage: no copy.
    private struct SuffixKey: Hashable {
        let parent: Int32
        let label: ArraySlice<UInt8>

        static func == (lhs: SuffixKey, rhs: SuffixKey) -> Bool {
            lhs.parent == rhs.parent && DNSName.equalIgnoringASCIICase(lhs.label, rhs.label)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(parent)
            hasher.combine(label.count)
            for byte in label { hasher.combine(DNSName.lowercased(byte)) }
        }
    }

    private struct Suffix {
        let id: Int32
        /// Where the suffix was first written, or nil when that was beyond what a pointer
        /// can reach (then it is known, so names below it can be interned, but never a target).
        let offset: Int?
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
        suffixes.reserveCapacity(16)
        interned.reserveCapacity(16)
    }

    struct Checkpoint {
        let byteCount: Int
        let suffixCount: Int
    }

    var checkpoint: Checkpoint { Checkpoint(byteCount: bytes.count, suffixCount: interned.count) }

    /// Forgets what was written after the checkpoint, including its names, so nothing
    /// later points into bytes that are gone. A suffix interned before the checkpoint keeps
    /// its offset: that lies before the checkpoint too.
    mutating func restore(_ checkpoint: Checkpoint) {
        bytes.removeSubrange(checkpoint.byteCount...)
        for key in interned[checkpoint.suffixCount...] { suffixes[key] = nil }
        interned.removeSubrange(checkpoint.suffixCount...)
    }

    mutating func append(_ value: UInt16) { NetworkByteOrder.append(value, to: &bytes) }
    mutating func append(_ value: UInt32) { NetworkByteOrder.append(value, to: &bytes) }

    /// Writes the name's labels up to the longest suffix already in the message that a
    /// pointer can reach, then a pointer to it (or the root byte when there is none).
    mutating func append(name: DNSName) {
        let wire = name.wire
        // A name has at most 127 labels (255 bytes, 2 per label at least). The scratch holds
        // where each label starts in `wire` in its lower half, and the ID of the suffix
        // starting at that label in its upper half.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * 128) { scratch in
            var labelCount = 0
            var position = 0
            while wire[position] != 0 {
                scratch[labelCount] = position
                labelCount += 1
                position += Int(wire[position]) + 1
            }
            // From the right: the suffix starting at each label, while it is interned; the
            // leftmost one a pointer can reach is the target.
            var parent: Int32 = 0
            var known = labelCount
            var target: (index: Int, offset: Int)?
            while known > 0 {
                let start = scratch[known - 1]
                let key = SuffixKey(parent: parent, label: wire[(start + 1)..<(start + 1 + Int(wire[start]))])
                suffixProbes += 1
                guard let suffix = suffixes[key] else { break }
                known -= 1
                scratch[128 + known] = Int(suffix.id)
                parent = suffix.id
                if let offset = suffix.offset { target = (known, offset) }
            }
            let written = target?.index ?? labelCount
            let base = bytes.count
            bytes.append(contentsOf: wire[..<(written < labelCount ? scratch[written] : wire.count)])
            if let target { append(UInt16(0xc000) | UInt16(target.offset)) }
            // Intern the labels no suffix covered, right to left, each under the one after it.
            var index = known
            while index > 0 {
                index -= 1
                let start = scratch[index]
                parent = index + 1 < labelCount ? Int32(scratch[128 + index + 1]) : 0
                let key = SuffixKey(parent: parent, label: wire[(start + 1)..<(start + 1 + Int(wire[start]))])
                let offset = base + start
                interned.append(key)
                let id = Int32(interned.count)
                suffixProbes += 1
                suffixes[key] = Suffix(id: id, offset: offset <= Self.maximumPointerTarget ? offset : nil)
                scratch[128 + index] = Int(id)
            }
        }
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
