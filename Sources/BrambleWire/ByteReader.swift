/// A bounds-checked cursor over received bytes: the one reader the DHCP, TFTP and DNS
/// decoders share.
///
/// Every read checks that its bytes are there and throws ``WireTruncation`` instead of
/// trapping, so a decoder built on it is total by construction; each decoder maps the
/// truncation to its own typed error with what it was reading. Offsets count from the
/// first byte of `bytes` (not the slice's `startIndex`), because slices of a received frame
/// keep the frame's indices and every protocol counts from its own first byte.
public struct ByteReader: Sendable {
    public let bytes: ArraySlice<UInt8>
    /// The next byte to read, counted from the first byte of `bytes`.
    public var offset: Int

    @inlinable
    public init(_ bytes: ArraySlice<UInt8>, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    @inlinable
    public init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    public var count: Int { bytes.count }
    public var remaining: Int { max(0, bytes.count - offset) }
    public var isAtEnd: Bool { offset >= bytes.count }

    /// Throws unless `length` bytes remain at `offset`.
    @inlinable
    public func require(_ length: Int, at start: Int) throws(WireTruncation) {
        guard start >= 0, length >= 0, length <= bytes.count - start else {
            throw WireTruncation(offset: start, needed: length, available: bytes.count)
        }
    }

    @inlinable
    public mutating func readUInt8() throws(WireTruncation) -> UInt8 {
        try require(1, at: offset)
        defer { offset += 1 }
        return bytes[bytes.startIndex + offset]
    }

    @inlinable
    public mutating func readUInt16() throws(WireTruncation) -> UInt16 {
        try require(2, at: offset)
        defer { offset += 2 }
        return NetworkByteOrder.uint16(bytes, at: offset)
    }

    @inlinable
    public mutating func readUInt32() throws(WireTruncation) -> UInt32 {
        try require(4, at: offset)
        defer { offset += 4 }
        return NetworkByteOrder.uint32(bytes, at: offset)
    }

    /// The next `length` bytes as a slice of the input (no copy).
    @inlinable
    public mutating func readBytes(_ length: Int) throws(WireTruncation) -> ArraySlice<UInt8> {
        try require(length, at: offset)
        let start = bytes.startIndex + offset
        offset += length
        return bytes[start..<(start + length)]
    }

    /// Bytes up to the next `terminator`, which is consumed but not returned; `nil` (and
    /// nothing consumed) when no terminator follows, so the caller can name the field.
    @inlinable
    public mutating func readUntil(_ terminator: UInt8) -> ArraySlice<UInt8>? {
        guard offset >= 0, offset <= bytes.count else { return nil }
        let start = bytes.startIndex + offset
        guard let end = bytes[start...].firstIndex(of: terminator) else { return nil }
        offset = end - bytes.startIndex + 1
        return bytes[start..<end]
    }

    @inlinable
    public mutating func skip(_ length: Int) throws(WireTruncation) {
        try require(length, at: offset)
        offset += length
    }

    /// Random access for formats that point backwards (DNS name compression).
    @inlinable
    public func uint8(at position: Int) throws(WireTruncation) -> UInt8 {
        try require(1, at: position)
        return bytes[bytes.startIndex + position]
    }

    @inlinable
    public func uint16(at position: Int) throws(WireTruncation) -> UInt16 {
        try require(2, at: position)
        return NetworkByteOrder.uint16(bytes, at: position)
    }

    @inlinable
    public func uint32(at position: Int) throws(WireTruncation) -> UInt32 {
        try require(4, at: position)
        return NetworkByteOrder.uint32(bytes, at: position)
    }
}

/// A read ran past the end of the received bytes.
public struct WireTruncation: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where the read started, from the first byte of the reader's input.
    public let offset: Int
    public let needed: Int
    public let available: Int

    @inlinable
    public init(offset: Int, needed: Int, available: Int) {
        self.offset = offset
        self.needed = needed
        self.available = available
    }

    public var description: String {
        "needs \(needed) bytes at offset \(offset) of a \(available)-byte message"
    }
}
