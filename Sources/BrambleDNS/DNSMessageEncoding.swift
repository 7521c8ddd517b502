import BrambleWire

extension DNSMessage {
    /// Encodes within `limit` bytes (see ``maximumResponseSize(overTCP:)``), and never
    /// beyond 65535, the most a TCP length prefix can say.
    public func encoded(limit: Int = DNSMessage.classicUDPSize) throws(DNSEncodingError) -> [UInt8] {
        var bytes: [UInt8] = []
        try encode(into: &bytes, limit: limit)
        return bytes
    }

    /// Encodes into a buffer the caller keeps between messages, so the answer path reuses
    /// one allocation. On error `bytes` is left empty.
    func encode(into bytes: inout [UInt8], limit: Int) throws(DNSEncodingError) {
        var writer = ByteWriter(reusing: &bytes, limit: min(max(limit, Self.headerLength), Self.maximumTCPSize))
        do {
            try encode(into: &writer)
        } catch {
            bytes = writer.finish()
            bytes.removeAll(keepingCapacity: true)
            throw error
        }
        bytes = writer.finish()
    }

    /// Appends the message to `writer`, within what the writer has left and 65535 bytes.
    ///
    /// The header and questions are written first; when even they do not fit, nothing is
    /// written (``DNSEncodingError/questionsDoNotFit(questionCount:limit:)``). When an
    /// answer or authority record does not fit, the message goes out with TC set, its
    /// questions and OPT record only: the client retries over TCP (RFC 2181 section 9) and
    /// a partial answer section is never mistaken for a whole one. Additional records that
    /// do not fit are left out without TC, as they are optional. Names are compressed
    /// (RFC 1035 section 4.1.4), in the record data of NS, CNAME, SOA, PTR and MX too.
    public func encode(into writer: inout ByteWriter) throws(DNSEncodingError) {
        // Moved, not copied, in and out: a second reference to the buffer would make the
        // first append copy it whole.
        var taken = ByteWriter(limit: 0)
        swap(&taken, &writer)
        var message = DNSMessageWriter(consume taken)
        defer { writer = message.finish() }
        let limit = message.limit
        guard message.appendHeaderSpace() else {
            message.restore(message.start)
            throw .questionsDoNotFit(questionCount: questions.count, limit: limit)
        }
        for question in questions {
            guard message.append(name: question.name), message.append(question.type.rawValue),
                  message.append(question.recordClass.rawValue), message.size <= limit
            else {
                message.restore(message.start)
                throw .questionsDoNotFit(questionCount: questions.count, limit: limit)
            }
        }
        let optLength = edns.map { 11 + $0.options.count } ?? 0
        let afterQuestions = message.checkpoint
        /// Writes required records; false (and back to the question) when one does not fit.
        func appendAll(_ records: [DNSResourceRecord]) -> Bool {
            for record in records {
                guard message.append(record: record), message.size + optLength <= limit else {
                    message.restore(afterQuestions)
                    return false
                }
            }
            return true
        }
        var counts = (answers: 0, authorities: 0, additionals: 0)
        let overflowed = message.size + optLength > limit || !appendAll(answers) || !appendAll(authorities)
        if !overflowed {
            counts = (answers.count, authorities.count, 0)
            for record in additionals {
                let beforeRecord = message.checkpoint
                guard message.append(record: record), message.size + optLength <= limit else {
                    message.restore(beforeRecord)
                    break
                }
                counts.additionals += 1
            }
        }
        if let edns, message.size + optLength <= limit {
            message.append(opt: edns, extendedCodeBits: UInt8(responseCode.rawValue >> 4))
            counts.additionals += 1
        }
        var flagged = header
        flagged.isTruncated = header.isTruncated || overflowed
        // Each question takes at least 5 bytes and each record 11, so within 65535 bytes
        // no count can pass 65535.
        message.storeHeader(
            id: header.id, flags: flagged.flagWord(responseCodeLowBits: responseCode.rawValue),
            counts: (UInt16(clamping: questions.count), UInt16(clamping: counts.answers),
                     UInt16(clamping: counts.authorities), UInt16(clamping: counts.additionals)))
    }
}

/// Appends message parts to a ``ByteWriter`` and remembers where names were written, for
/// compression. Each append returns false, having written at most part of its field, when
/// the field does not fit: the encoder then restores a checkpoint.
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

    private var out: ByteWriter
    /// Where the message starts in `out`: pointers count from there.
    let start: Checkpoint
    /// The most bytes the message may take.
    let limit: Int
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

    init(_ out: ByteWriter) {
        self.out = out
        start = Checkpoint(byteCount: out.count, suffixCount: 0)
        limit = min(out.remaining, DNSMessage.maximumTCPSize)
        suffixes.reserveCapacity(16)
        interned.reserveCapacity(16)
    }

    /// Hands the writer back, leaving an empty one.
    mutating func finish() -> ByteWriter {
        var taken = ByteWriter(limit: 0)
        swap(&taken, &out)
        return taken
    }

    /// Bytes of the message written so far.
    var size: Int { out.count - start.byteCount }

    /// The 12 header bytes, zero until ``storeHeader(id:flags:counts:)``.
    mutating func appendHeaderSpace() -> Bool {
        out.append(contentsOf: repeatElement(0, count: DNSMessage.headerLength))
    }

    mutating func storeHeader(id: UInt16, flags: UInt16, counts: (UInt16, UInt16, UInt16, UInt16)) {
        let base = start.byteCount
        out.store(id, at: base)
        out.store(flags, at: base + 2)
        out.store(counts.0, at: base + 4)
        out.store(counts.1, at: base + 6)
        out.store(counts.2, at: base + 8)
        out.store(counts.3, at: base + 10)
    }

    struct Checkpoint {
        let byteCount: Int
        let suffixCount: Int
    }

    var checkpoint: Checkpoint { Checkpoint(byteCount: out.count, suffixCount: interned.count) }

    /// Forgets what was written after the checkpoint, including its names, so nothing
    /// later points into bytes that are gone. A suffix interned before the checkpoint keeps
    /// its offset: that lies before the checkpoint too.
    mutating func restore(_ checkpoint: Checkpoint) {
        out.truncate(to: checkpoint.byteCount)
        for key in interned[checkpoint.suffixCount...] { suffixes[key] = nil }
        interned.removeSubrange(checkpoint.suffixCount...)
    }

    mutating func append(_ value: UInt16) -> Bool { out.append(value) }
    mutating func append(_ value: UInt32) -> Bool { out.append(value) }

    /// Writes the name's labels up to the longest suffix already in the message that a
    /// pointer can reach, then a pointer to it (or the root byte when there is none).
    mutating func append(name: DNSName) -> Bool {
        let wire = name.wire
        // A name has at most 127 labels (255 bytes, 2 per label at least). The scratch holds
        // where each label starts in `wire` in its lower half, and the ID of the suffix
        // starting at that label in its upper half.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * 128) { scratch in
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
            let base = size
            var fits = out.append(contentsOf: wire[..<(written < labelCount ? scratch[written] : wire.count)])
            if fits, let target { fits = out.append(UInt16(0xc000) | UInt16(target.offset)) }
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
            return fits
        }
    }

    mutating func append(record: DNSResourceRecord) -> Bool {
        guard append(name: record.name), append(record.type.rawValue), append(record.recordClass.rawValue),
              append(record.ttl) else { return false }
        let lengthIndex = out.count
        guard append(UInt16(0)) else { return false }
        guard appendData(of: record) else { return false }
        out.store(UInt16(clamping: out.count - lengthIndex - 2), at: lengthIndex)
        return true
    }

    private mutating func appendData(of record: DNSResourceRecord) -> Bool {
        switch record.data {
        case .a(let address):
            return append(address.value)
        case .ns(let name), .cname(let name), .ptr(let name):
            return append(name: name)
        case .mx(let preference, let exchange):
            guard append(preference) else { return false }
            return append(name: exchange)
        case .soa(let soa):
            guard append(name: soa.primaryServer), append(name: soa.responsibleMailbox) else { return false }
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] {
                guard append(value) else { return false }
            }
            return true
        case .other(_, let data):
            return out.append(contentsOf: data)
        }
    }

    /// Only called once the caller has checked it fits.
    mutating func append(opt edns: DNSEDNS, extendedCodeBits: UInt8) {
        out.append(UInt8(0))
        out.append(DNSRecordType.opt.rawValue)
        out.append(edns.udpPayloadSize)
        out.append(UInt32(extendedCodeBits) << 24 | UInt32(edns.version) << 16 | (edns.dnssecOK ? 0x8000 : 0))
        out.append(UInt16(clamping: edns.options.count))
        out.append(contentsOf: edns.options)
    }
}

/// Why a message was not encoded. The encoder never writes more than its limit: a reply
/// that cannot be made to fit is this error, which the server logs and drops, rather than
/// bytes a transport cannot carry.
public enum DNSEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The header and question section alone are over the limit, so not even a truncated
    /// (TC) reply fits. A reply from this server echoes at most one question (at most
    /// 12 + 259 bytes), which fits any limit of 512 or more.
    case questionsDoNotFit(questionCount: Int, limit: Int)

    public var description: String {
        switch self {
        case .questionsDoNotFit(let questionCount, let limit):
            "DNS reply not sent: its header and \(questionCount) question(s) do not fit the \(limit)-byte limit of its transport"
        }
    }
}
