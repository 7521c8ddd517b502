import BrambleWire

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

    func value(for view: DNSQueryView, in bytes: ArraySlice<UInt8>, flags: UInt8) -> Int? {
        let name = view.name(in: bytes)
        let hash = hash(name: name, type: view.type.rawValue, recordClass: view.recordClass.rawValue, flags: flags)
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
        var index = 0
        for byte in name {
            guard key[index] == DNSName.lowercased(byte) else { return false }
            index += 1
        }
        return key[index] == UInt8(view.type.rawValue >> 8) && key[index + 1] == UInt8(view.type.rawValue & 0xff)
            && key[index + 2] == UInt8(view.recordClass.rawValue >> 8) && key[index + 3] == UInt8(view.recordClass.rawValue & 0xff)
            && key[index + 4] == flags
    }

    /// FNV-1a over the lower-cased name, then the type, class and flags, from the seed.
    private func hash(name: ArraySlice<UInt8>, type: UInt16, recordClass: UInt16, flags: UInt8) -> UInt64 {
        var hash = seed ^ 0xcbf2_9ce4_8422_2325
        for byte in name { hash = (hash ^ UInt64(DNSName.lowercased(byte))) &* 0x100_0000_01b3 }
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
