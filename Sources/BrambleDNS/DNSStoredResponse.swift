import BrambleWire

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
        guard let bytes = try? message.encoded(maximumSize: DNSMessage.maximumTCPSize), bytes[2] & 0x02 == 0 else { return nil }
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
        guard bytes.count + (view.edns == nil ? 0 : Self.optLength) <= maximumSize else { return false }
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: bytes)
        out[0] = UInt8(truncatingIfNeeded: view.id >> 8)
        out[1] = UInt8(truncatingIfNeeded: view.id)
        if view.recursionDesired { out[2] |= 0x01 }
        if view.checkingDisabled { out[3] |= 0x10 }
        if authenticData { out[3] |= 0x20 }
        var index = DNSQueryView.nameStart
        for byte in view.name(in: query) {
            out[index] = byte
            index += 1
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
            // The OPT the encoder writes for a response: our payload size, version 0, DO echoed.
            out.append(0)
            NetworkByteOrder.append(DNSRecordType.opt.rawValue, to: &out)
            NetworkByteOrder.append(DNSEDNS.advertisedPayloadSize, to: &out)
            NetworkByteOrder.append(UInt32(edns.dnssecOK ? 0x8000 : 0), to: &out)
            NetworkByteOrder.append(UInt16(0), to: &out)
            NetworkByteOrder.store(NetworkByteOrder.uint16(out[...], at: 10) &+ 1, into: &out, at: 10)
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
