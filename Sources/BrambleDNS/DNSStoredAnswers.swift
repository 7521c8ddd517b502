import BrambleWire

/// The common shape of a query, read in place from the bytes as received: one question
/// with an uncompressed name, no answer or authority records, at most an OPT record of
/// version 0. Nothing is copied, so the answer path for such queries allocates nothing.
///
/// Anything else (several questions, compression in a query, other additional records,
/// EDNS versions above 0, malformed bytes) is not a view: the full decoder handles it and
/// reports what is wrong.
public struct DNSQueryView: Sendable {
    public let id: UInt16
    /// The query's RD and CD bits where a response keeps them (byte 2 bit 0, byte 3 bit 4).
    let recursionDesired: Bool
    let checkingDisabled: Bool
    /// AD in a query: the client understands it (RFC 6840 section 5.7).
    let authenticDataWanted: Bool
    /// Where the question's name lies, relative to the bytes' start index: offset 12 up to
    /// and including the root byte.
    let nameEnd: Int
    public let type: DNSRecordType
    public let recordClass: DNSClass
    /// The OPT record's payload size and DO bit; nil without one.
    let edns: (payloadSize: UInt16, dnssecOK: Bool)?

    static let nameStart = DNSMessage.headerLength

    /// Nil unless the bytes are a query of the common shape above.
    public init?(_ bytes: ArraySlice<UInt8>) {
        guard let view = bytes.withUnsafeBufferPointer({ Self.read($0) }) else { return nil }
        self = view
    }

    /// The checks of ``init(_:)`` on the bytes' buffer, where a read is not checked again:
    /// every read below comes after a check that it lies within `bytes.count`. Through the
    /// slice's subscript, each of the two dozen reads was checked twice, on every query.
    private static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> DNSQueryView? {
        guard bytes.count >= DNSMessage.headerLength + 5 else { return nil }
        let flags = bytes[2]
        // QR clear and opcode 0 (QUERY); TC in a query is meaningless and left to the decoder.
        guard flags & 0xfa == 0 else { return nil }
        guard bytes[4] == 0, bytes[5] == 1, bytes[6] == 0, bytes[7] == 0,
              bytes[8] == 0, bytes[9] == 0, bytes[10] == 0, bytes[11] <= 1
        else { return nil }
        var position = nameStart
        while true {
            guard position < bytes.count else { return nil }
            let length = Int(bytes[position])
            if length == 0 { break }
            guard length <= DNSName.maximumLabelLength else { return nil }
            position += length + 1
        }
        let nameEnd = position + 1
        guard nameEnd - nameStart <= DNSName.maximumWireLength, nameEnd + 4 <= bytes.count else { return nil }
        var edns: (payloadSize: UInt16, dnssecOK: Bool)?
        if bytes[11] == 1 {
            // OPT: root name, TYPE 41, CLASS = payload size, TTL = extended RCODE, version, flags.
            let opt = nameEnd + 4
            guard opt + 11 <= bytes.count, bytes[opt] == 0,
                  bytes[opt + 1] == 0, bytes[opt + 2] == UInt8(DNSRecordType.opt.rawValue),
                  bytes[opt + 6] == 0
            else { return nil }
            let dataLength = Int(bytes[opt + 9]) << 8 | Int(bytes[opt + 10])
            guard opt + 11 + dataLength <= bytes.count else { return nil }
            edns = (UInt16(bytes[opt + 3]) << 8 | UInt16(bytes[opt + 4]), bytes[opt + 7] & 0x80 != 0)
        }
        return DNSQueryView(
            id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), recursionDesired: flags & 0x01 != 0,
            checkingDisabled: bytes[3] & 0x10 != 0, authenticDataWanted: bytes[3] & 0x20 != 0, nameEnd: nameEnd,
            type: DNSRecordType(rawValue: UInt16(bytes[nameEnd]) << 8 | UInt16(bytes[nameEnd + 1])),
            recordClass: DNSClass(rawValue: UInt16(bytes[nameEnd + 2]) << 8 | UInt16(bytes[nameEnd + 3])), edns: edns)
    }

    private init(
        id: UInt16, recursionDesired: Bool, checkingDisabled: Bool, authenticDataWanted: Bool, nameEnd: Int,
        type: DNSRecordType, recordClass: DNSClass, edns: (payloadSize: UInt16, dnssecOK: Bool)?
    ) {
        self.id = id
        self.recursionDesired = recursionDesired
        self.checkingDisabled = checkingDisabled
        self.authenticDataWanted = authenticDataWanted
        self.nameEnd = nameEnd
        self.type = type
        self.recordClass = recordClass
        self.edns = edns
    }

    /// As ``DNSMessage/maximumResponseSize(overTCP:)`` for the decoded query.
    public func maximumResponseSize(overTCP: Bool) -> Int {
        if overTCP { return DNSMessage.maximumTCPSize }
        guard let edns else { return DNSMessage.classicUDPSize }
        return min(max(Int(edns.payloadSize), DNSMessage.classicUDPSize), Int(DNSEDNS.advertisedPayloadSize))
    }

    /// DO, as the cache keys answers.
    var dnssecOK: Bool { edns?.dnssecOK ?? false }

    /// The question's name bytes, case as received.
    func name(in bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        bytes[(bytes.startIndex + Self.nameStart)..<(bytes.startIndex + nameEnd)]
    }

    /// How many labels the name has.
    func labelCount(in bytes: ArraySlice<UInt8>) -> Int {
        var count = 0
        var index = bytes.startIndex + Self.nameStart
        while bytes[index] != 0 {
            count += 1
            index += Int(bytes[index]) + 1
        }
        return count
    }

    /// Whether the name is `ancestor` or below it, compared without regard to ASCII case.
    func name(in bytes: ArraySlice<UInt8>, isSubdomainOf ancestor: DNSName) -> Bool {
        let name = self.name(in: bytes)
        let offset = name.count - ancestor.wire.count
        guard offset >= 0 else { return false }
        var index = 0
        while index < offset { index += Int(name[name.startIndex + index]) + 1 }
        return index == offset && DNSName.equalIgnoringASCIICase(name[(name.startIndex + offset)...], ancestor.wire[...])
    }
}

/// A response encoded once and sent many times: the zone's answers for its names, built
/// when the zone is, and the cache's answers, built when stored. Sending one copies the
/// bytes and patches in what differs per query (ID, RD, CD, AD, the question's case, the
/// TTLs' countdown, an OPT record), which is what the full encoder would have written.
///
/// The stored bytes are the encoding of a response to a query with ID 0, RD, CD and AD
/// clear and no OPT record. Names in the records that equal the question's are pointers to
/// it (the encoder compresses case-insensitively), so patching the question's bytes with
/// the query's also gives the answer records the query's case, as the encoder would.
struct DNSStoredResponse: Sendable {
    let bytes: [UInt8]
    /// Where each record's TTL lies, for the cache's countdown.
    let ttlOffsets: [Int]

    /// Nil for what cannot be patched this way: an OPT record or an extended RCODE in the
    /// message, or more than a TCP message holds (the encoder would truncate it).
    init?(_ message: DNSMessage) {
        guard message.edns == nil, message.responseCode.rawValue < 16, message.questions.count == 1,
              !message.header.recursionDesired, !message.header.checkingDisabled, !message.header.authenticData
        else { return nil }
        guard let bytes = try? message.encoded(limit: DNSMessage.maximumTCPSize), bytes[2] & 0x02 == 0 else { return nil }
        self.bytes = bytes
        ttlOffsets = Self.ttlOffsets(in: bytes)
    }

    /// Writes the response to `view` (whose bytes are `query`) into `out`; false, with
    /// `out` untouched, when it would exceed `maximumSize` (the full encoder then truncates).
    /// `elapsedSeconds` is taken off every TTL, down to 0.
    func write(
        answering view: DNSQueryView, in query: ArraySlice<UInt8>, elapsedSeconds: UInt32 = 0, authenticData: Bool = false,
        maximumSize: Int, into out: inout [UInt8]
    ) -> Bool {
        let length = bytes.count + (view.edns == nil ? 0 : Self.optLength)
        guard length <= maximumSize else { return false }
        // The buffer keeps its length from one answer to the next (the same question gets
        // the same length), so usually it is only written over: emptying and appending
        // costs more than the copy.
        if out.count > length {
            out.removeSubrange(length...)
        } else if out.count < length {
            out.append(contentsOf: repeatElement(0, count: length - out.count))
        }
        // The copy and the patches on one buffer, not through the array's subscript: that
        // checks the index and the array's uniqueness on every byte, on the path of every
        // answer.
        out.withUnsafeMutableBufferPointer { out in
            _ = UnsafeMutableBufferPointer(rebasing: out[..<bytes.count]).update(fromContentsOf: bytes)
            out[0] = UInt8(truncatingIfNeeded: view.id >> 8)
            out[1] = UInt8(truncatingIfNeeded: view.id)
            if view.recursionDesired { out[2] |= 0x01 }
            if view.checkingDisabled { out[3] |= 0x10 }
            if authenticData { out[3] |= 0x20 }
            // The stored question is the query's name in some case, so as long: the slice
            // below is within the stored bytes (and checked to be).
            view.name(in: query).withUnsafeBufferPointer { name in
                _ = UnsafeMutableBufferPointer(rebasing: out[DNSQueryView.nameStart..<(DNSQueryView.nameStart + name.count)])
                    .update(fromContentsOf: name)
            }
            if elapsedSeconds > 0 {
                for offset in ttlOffsets {
                    let ttl = UInt32(out[offset]) << 24 | UInt32(out[offset + 1]) << 16 | UInt32(out[offset + 2]) << 8 | UInt32(out[offset + 3])
                    let left = ttl - min(ttl, elapsedSeconds)
                    out[offset] = UInt8(truncatingIfNeeded: left >> 24)
                    out[offset + 1] = UInt8(truncatingIfNeeded: left >> 16)
                    out[offset + 2] = UInt8(truncatingIfNeeded: left >> 8)
                    out[offset + 3] = UInt8(truncatingIfNeeded: left)
                }
            }
            if let edns = view.edns {
                // The OPT the encoder writes for a response: our payload size, version 0,
                // DO echoed; and one more additional record in the header.
                let opt = bytes.count
                out[opt] = 0
                out[opt + 1] = 0
                out[opt + 2] = UInt8(DNSRecordType.opt.rawValue)
                out[opt + 3] = UInt8(DNSEDNS.advertisedPayloadSize >> 8)
                out[opt + 4] = UInt8(DNSEDNS.advertisedPayloadSize & 0xff)
                out[opt + 5] = 0
                out[opt + 6] = 0
                out[opt + 7] = edns.dnssecOK ? 0x80 : 0
                out[opt + 8] = 0
                out[opt + 9] = 0
                out[opt + 10] = 0
                let additionals = (UInt16(out[10]) << 8 | UInt16(out[11])) &+ 1
                out[10] = UInt8(additionals >> 8)
                out[11] = UInt8(additionals & 0xff)
            }
        }
        return true
    }

    static let optLength = 11

    /// Walks the encoded records: past each owner name (labels, then a root byte or a
    /// pointer), TYPE and CLASS lies the TTL.
    private static func ttlOffsets(in bytes: [UInt8]) -> [Int] {
        func skipName(_ position: inout Int) {
            while bytes[position] != 0 {
                if bytes[position] >= 0xc0 {
                    position += 2
                    return
                }
                position += Int(bytes[position]) + 1
            }
            position += 1
        }
        var position = DNSMessage.headerLength
        skipName(&position)
        position += 4
        let records = stride(from: 6, to: 12, by: 2).reduce(0) { $0 + Int(NetworkByteOrder.uint16(bytes[...], at: $1)) }
        var offsets: [Int] = []
        for _ in 0..<records {
            skipName(&position)
            offsets.append(position + 4)
            position += 8
            position += Int(NetworkByteOrder.uint16(bytes[...], at: position)) + 2
        }
        return offsets
    }
}

/// The zone's answers, kept encoded as they are first given, so a repeated question is
/// answered by copying bytes: no decoding, no zone lookup, no encoding, no allocation.
///
/// Filled by the server as the zone answers queries of the common shape
/// (``DNSQueryView``), and emptied whenever a new zone is swapped in, so it never outlives
/// the names it was made from. Costs nothing when the zone is built (a large node map
/// reloads as fast as before) and holds only what clients ask. Bounded: when full (a
/// client asking for endless made-up names), it starts over.
public struct DNSAnswerMemo: Sendable {
    public let capacity: Int
    private var index: DNSQuestionIndex
    private var responses: [DNSStoredResponse] = []
    private let seed: UInt64

    /// - Parameter seed: random in the server: clients choose the names.
    public init(capacity: Int = 4096, seed: UInt64 = 0) {
        self.capacity = capacity
        self.seed = seed
        index = DNSQuestionIndex(seed: seed)
    }

    public var count: Int { responses.count }

    public mutating func removeAll() {
        index = DNSQuestionIndex(seed: seed)
        responses.removeAll()
    }

    /// Writes the remembered answer to `view`'s question into `out`, patched for this
    /// query; false when there is none or it needs truncating to `maximumSize`.
    public func write(to view: DNSQueryView, in bytes: ArraySlice<UInt8>, maximumSize: Int, into out: inout [UInt8]) -> Bool {
        guard let found = index.value(for: view, in: bytes, flags: 0) else { return false }
        return responses[found].write(answering: view, in: bytes, maximumSize: maximumSize, into: &out)
    }

    /// Remembers the zone's `response` to the query `view` (whose bytes are `bytes`). The
    /// response depends on the query only through what ``DNSStoredResponse`` patches (ID,
    /// RD, CD, the question's case, the OPT record), which is cleared here.
    public mutating func remember(_ response: DNSMessage, answering view: DNSQueryView, in bytes: ArraySlice<UInt8>) {
        guard capacity > 0 else { return }
        var canonical = response
        canonical.header.id = 0
        canonical.header.recursionDesired = false
        canonical.header.checkingDisabled = false
        canonical.edns = nil
        guard let stored = DNSStoredResponse(canonical) else { return }
        let key = DNSQuestionIndex.key(view, in: bytes, flags: 0)
        guard index.value(for: key) == nil else { return }
        if count >= capacity { removeAll() }
        index.insert(key, value: responses.count)
        responses.append(stored)
    }
}

/// A hash table from questions to small integers, looked up with the question's bytes as
/// they arrived: the name is hashed and compared lower-cased in place, so a lookup
/// allocates nothing (a Swift Dictionary would need a key value built first).
///
/// A key is the question's name in wire form (lower-cased), its TYPE, its CLASS and one
/// byte of flags (the cache's DO bit). Open addressing with linear probing; removal shifts
/// later entries back, so no tombstones pile up in a cache that churns. The hash is seeded:
/// the cache's keys come from clients, who must not be able to aim names at one bucket.
struct DNSQuestionIndex: Sendable {
    private struct Entry: Sendable {
        var key: [UInt8]
        var hash: UInt64
        var value: Int
    }

    private let seed: UInt64
    /// Indexes into ``entries``, or -1; a power of two long, at most half full.
    private var buckets: [Int32]
    private var entries: [Entry] = []
    private var freeEntries: [Int] = []
    private(set) var count = 0

    init(seed: UInt64, capacity: Int = 8) {
        self.seed = seed
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        buckets = Array(repeating: -1, count: size)
        entries.reserveCapacity(capacity)
    }

    /// The key for a question: lower-cased name wire, TYPE, CLASS, flags.
    static func key(name: DNSName, type: DNSRecordType, recordClass: DNSClass, flags: UInt8) -> [UInt8] {
        var key = name.wire.map(DNSName.lowercased)
        key.reserveCapacity(key.count + 5)
        NetworkByteOrder.append(type.rawValue, to: &key)
        NetworkByteOrder.append(recordClass.rawValue, to: &key)
        key.append(flags)
        return key
    }

    /// The key for a query's question as received.
    static func key(_ view: DNSQueryView, in bytes: ArraySlice<UInt8>, flags: UInt8) -> [UInt8] {
        var key = view.name(in: bytes).map(DNSName.lowercased)
        key.reserveCapacity(key.count + 5)
        NetworkByteOrder.append(view.type.rawValue, to: &key)
        NetworkByteOrder.append(view.recordClass.rawValue, to: &key)
        key.append(flags)
        return key
    }

    /// The value for the query's question, on every query's path: the probe walks the
    /// tables' buffers directly, so no entry (and no key array in it) is copied or retained
    /// per probe.
    func value(for view: DNSQueryView, in bytes: ArraySlice<UInt8>, flags: UInt8) -> Int? {
        let name = view.name(in: bytes)
        let hash = hash(name: name, type: view.type.rawValue, recordClass: view.recordClass.rawValue, flags: flags)
        return buckets.withUnsafeBufferPointer { buckets in
            entries.withUnsafeBufferPointer { entries in
                let mask = buckets.count - 1
                var bucket = Int(truncatingIfNeeded: hash) & mask
                while buckets[bucket] >= 0 {
                    let index = Int(buckets[bucket])
                    if entries[index].hash == hash, Self.matches(entries[index].key, name: name, view: view, flags: flags) {
                        return entries[index].value
                    }
                    bucket = (bucket + 1) & mask
                }
                return nil
            }
        }
    }

    func value(for key: [UInt8]) -> Int? {
        find(key).map { entries[Int(buckets[$0])].value }
    }

    /// Adds or replaces `key`'s value.
    mutating func insert(_ key: [UInt8], value: Int) {
        if let bucket = find(key) {
            entries[Int(buckets[bucket])].value = value
            return
        }
        if (count + 1) * 2 > buckets.count { grow() }
        let entry = Entry(key: key, hash: hash(key: key), value: value)
        let index: Int
        if let free = freeEntries.popLast() {
            index = free
            entries[index] = entry
        } else {
            index = entries.count
            entries.append(entry)
        }
        place(index, hash: entry.hash)
        count += 1
    }

    mutating func remove(_ key: [UInt8]) {
        guard var hole = find(key) else { return }
        let index = Int(buckets[hole])
        entries[index].key = []
        freeEntries.append(index)
        count -= 1
        // Backward shift: move up every later entry of the run whose home bucket is not
        // between the hole and where it sits, so probes never stop early at the hole.
        let mask = buckets.count - 1
        var next = hole
        while true {
            buckets[hole] = -1
            while true {
                next = (next + 1) & mask
                guard buckets[next] >= 0 else { return }
                let home = Int(truncatingIfNeeded: entries[Int(buckets[next])].hash) & mask
                let staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
                if !staysPut { break }
            }
            buckets[hole] = buckets[next]
            hole = next
        }
    }

    private func find(_ key: [UInt8]) -> Int? {
        let hash = hash(key: key)
        let mask = buckets.count - 1
        var bucket = Int(truncatingIfNeeded: hash) & mask
        while buckets[bucket] >= 0 {
            let entry = entries[Int(buckets[bucket])]
            if entry.hash == hash, entry.key == key { return bucket }
            bucket = (bucket + 1) & mask
        }
        return nil
    }

    private mutating func place(_ index: Int, hash: UInt64) {
        let mask = buckets.count - 1
        var bucket = Int(truncatingIfNeeded: hash) & mask
        while buckets[bucket] >= 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = Int32(index)
    }

    private mutating func grow() {
        buckets = Array(repeating: -1, count: buckets.count * 2)
        for index in entries.indices where !entries[index].key.isEmpty {
            place(index, hash: entries[index].hash)
        }
    }

    private static func matches(_ key: [UInt8], name: ArraySlice<UInt8>, view: DNSQueryView, flags: UInt8) -> Bool {
        guard key.count == name.count + 5 else { return false }
        // Eight bytes at a time; the key is longer than the name, so every read is within it.
        let sameName = key.withUnsafeBytes { key in
            name.withUnsafeBytes { name in
                var offset = 0
                while offset + 8 <= name.count {
                    guard key.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        == DNSName.lowercased(word: name.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                    else { return false }
                    offset += 8
                }
                while offset < name.count {
                    guard key[offset] == DNSName.lowercased(name[offset]) else { return false }
                    offset += 1
                }
                return true
            }
        }
        guard sameName else { return false }
        let index = name.count
        return key[index] == UInt8(view.type.rawValue >> 8) && key[index + 1] == UInt8(view.type.rawValue & 0xff)
            && key[index + 2] == UInt8(view.recordClass.rawValue >> 8) && key[index + 3] == UInt8(view.recordClass.rawValue & 0xff)
            && key[index + 4] == flags
    }

    /// The lower-cased name eight bytes at a time (the last word zero-padded), each mixed
    /// in with a multiply and a shift, then the type, class and flags, from the seed. A
    /// byte at a time (FNV-1a) cost as much as the rest of a cached answer's lookup.
    private func hash(name: ArraySlice<UInt8>, type: UInt16, recordClass: UInt16, flags: UInt8) -> UInt64 {
        var hash = seed ^ 0xcbf2_9ce4_8422_2325
        name.withUnsafeBytes { name in
            var offset = 0
            while offset + 8 <= name.count {
                hash = (hash ^ DNSName.lowercased(word: name.loadUnaligned(fromByteOffset: offset, as: UInt64.self))) &* 0x9e37_79b9_7f4a_7c15
                hash ^= hash >> 32
                offset += 8
            }
            if offset < name.count {
                var last: UInt64 = 0
                var shift: UInt64 = 0
                while offset < name.count {
                    last |= UInt64(name[offset]) << shift
                    shift += 8
                    offset += 1
                }
                hash = (hash ^ DNSName.lowercased(word: last)) &* 0x9e37_79b9_7f4a_7c15
                hash ^= hash >> 32
            }
        }
        hash = (hash ^ UInt64(type) << 24 ^ UInt64(recordClass) << 8 ^ UInt64(flags)) &* 0x100_0000_01b3
        return hash ^ hash >> 29
    }

    private func hash(key: [UInt8]) -> UInt64 {
        let nameLength = key.count - 5
        let type = UInt16(key[nameLength]) << 8 | UInt16(key[nameLength + 1])
        let recordClass = UInt16(key[nameLength + 2]) << 8 | UInt16(key[nameLength + 3])
        return hash(name: key[..<nameLength], type: type, recordClass: recordClass, flags: key[nameLength + 4])
    }
}
