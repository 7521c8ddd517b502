import BrambleBoot
import BrambleControl

/// One node's last boot records (``BootRecorder/historyLimit``), packed into one byte array:
/// what `bramble logs` shows without reading the node's log file.
///
/// Kept as ``BootLogRecord`` values, every record was a 72-byte array slot plus its log line
/// in a string object of its own (a 32-byte header and a malloc chunk each): about 270
/// bytes a record, 4.4 MiB of the daemon's heap for a 252-node map under DHCP load (valgrind
/// massif: 77 % of the heap). Packed, a record is its event's text, its node's name and 23
/// bytes; the line's timestamp, boot offset and stage column are formatted again
/// (``BootLogLine/format(time:bootStarted:node:stage:failure:text:)``, pure) when
/// ``records(nodeID:)`` is asked, and a node's records share one allocation.
struct BootHistory {
    /// Records in the order appended, each: time (8 bytes, little-endian), when the boot
    /// started (8), flags (1: bit 0 failure, bit 1 a boot had started), stage (1), the
    /// node's name's length (1) and UTF-8, the text's length (4, little-endian) and UTF-8.
    private var bytes: [UInt8] = []
    /// How many records ``bytes`` holds.
    private(set) var count = 0
    /// At this many records the oldest quarter is dropped.
    let limit: Int
    /// The bytes allocated for the records: what this history costs the heap.
    var allocatedBytes: Int { bytes.capacity }

    private static let headerSize = 8 + 8 + 1 + 1 + 1

    init(limit: Int) {
        self.limit = max(limit, 1)
    }

    /// Appends the record of an event: the arguments ``BootLogLine`` formatted its line from.
    /// When the history is full its oldest quarter is dropped first.
    mutating func append(time: Int64, bootStarted: Int64?, node: String, stage: BootStage, failure: Bool, text: String) {
        if count == limit { dropOldest(max(limit / 4, 1)) }
        let name = node.utf8.prefix(Int(UInt8.max))
        let size = Self.headerSize + name.count + 4 + text.utf8.count
        // Grown by a quarter, not doubled: a full history's array is then at most a quarter
        // larger than its records, where doubling could leave half of it unused.
        if bytes.capacity < bytes.count + size { bytes.reserveCapacity(bytes.count + size + bytes.count / 4) }
        append(UInt64(bitPattern: time))
        append(UInt64(bitPattern: bootStarted ?? 0))
        bytes.append((failure ? 1 : 0) | (bootStarted != nil ? 2 : 0))
        bytes.append(UInt8(truncatingIfNeeded: stage.rawValue))
        bytes.append(UInt8(name.count))
        bytes.append(contentsOf: name)
        append(UInt32(truncatingIfNeeded: text.utf8.count))
        bytes.append(contentsOf: text.utf8)
        count += 1
    }

    /// The records, oldest first, as ``BootLogRecord`` values of node `nodeID`.
    func records(nodeID: Int) -> [BootLogRecord] {
        var records: [BootLogRecord] = []
        records.reserveCapacity(count)
        var offset = 0
        while offset < bytes.count {
            let time = Int64(bitPattern: load(UInt64.self, at: offset))
            let flags = bytes[offset + 16]
            let bootStarted = flags & 2 != 0 ? Int64(bitPattern: load(UInt64.self, at: offset + 8)) : nil
            let failure = flags & 1 != 0
            let stage = BootStage(rawValue: Int(bytes[offset + 17])) ?? .waiting
            let nameCount = Int(bytes[offset + 18])
            let nameStart = offset + Self.headerSize
            let textCount = Int(load(UInt32.self, at: nameStart + nameCount))
            let textStart = nameStart + nameCount + 4
            let node = String(decoding: bytes[nameStart..<nameStart + nameCount], as: UTF8.self)
            let text = String(decoding: bytes[textStart..<textStart + textCount], as: UTF8.self)
            let line = BootLogLine.format(time: time, bootStarted: bootStarted, node: node, stage: stage, failure: failure, text: text)
            records.append(BootLogRecord(nodeID: nodeID, node: node, time: time, stage: stage, failure: failure, line: line))
            offset = textStart + textCount
        }
        return records
    }

    /// Removes the `dropped` oldest records.
    private mutating func dropOldest(_ dropped: Int) {
        let dropped = min(dropped, count)
        var offset = 0
        for _ in 0..<dropped {
            let nameCount = Int(bytes[offset + 18])
            offset += Self.headerSize + nameCount + 4 + Int(load(UInt32.self, at: offset + Self.headerSize + nameCount))
        }
        bytes.removeFirst(offset)
        count -= dropped
    }

    private mutating func append<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A little-endian integer at `offset`, read byte by byte (records are not aligned).
    private func load<Integer: FixedWidthInteger & UnsignedInteger>(_: Integer.Type, at offset: Int) -> Integer {
        var value: Integer = 0
        for index in 0..<MemoryLayout<Integer>.size { value |= Integer(bytes[offset + index]) << (8 * index) }
        return value
    }
}
