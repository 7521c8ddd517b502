/// Appends big-endian fields to an output buffer: the one writer the DHCP, TFTP and DNS
/// encoders share.
///
/// Writers never trap and never grow past `limit`: an encoder asks `fits` before a field
/// whose size depends on input (a file name, an option, a record), so every output stays
/// within the size its protocol or its socket allows. Fixed-size headers are written after
/// one up-front check.
public struct ByteWriter: Sendable {
    @usableFromInline var storage: [UInt8]
    public var bytes: [UInt8] { storage }
    /// The most bytes this writer will hold.
    public let limit: Int

    @inlinable
    public init(limit: Int, reservingCapacity capacity: Int = 0) {
        self.limit = max(0, limit)
        storage = []
        storage.reserveCapacity(min(self.limit, max(0, capacity)))
    }

    public var count: Int { storage.count }
    public var remaining: Int { limit - storage.count }

    @inlinable
    public func fits(_ length: Int) -> Bool { length >= 0 && length <= limit - storage.count }

    /// Each append returns `false` (writing nothing) when the field would pass `limit`.
    @inlinable @discardableResult
    public mutating func append(_ value: UInt8) -> Bool {
        guard fits(1) else { return false }
        storage.append(value)
        return true
    }

    @inlinable @discardableResult
    public mutating func append(_ value: UInt16) -> Bool {
        guard fits(2) else { return false }
        NetworkByteOrder.append(value, to: &storage)
        return true
    }

    @inlinable @discardableResult
    public mutating func append(_ value: UInt32) -> Bool {
        guard fits(4) else { return false }
        NetworkByteOrder.append(value, to: &storage)
        return true
    }

    @inlinable @discardableResult
    public mutating func append<Bytes: Collection<UInt8>>(contentsOf field: Bytes) -> Bool {
        guard fits(field.count) else { return false }
        storage.append(contentsOf: field)
        return true
    }

    /// Overwrites two bytes already written (lengths and checksums patched in after the
    /// bytes they cover); `false` if they were not written.
    @inlinable @discardableResult
    public mutating func store(_ value: UInt16, at position: Int) -> Bool {
        guard position >= 0, position <= storage.count - 2 else { return false }
        NetworkByteOrder.store(value, into: &storage, at: position)
        return true
    }

    /// Hands the buffer over without a copy.
    @inlinable
    public consuming func finish() -> [UInt8] { storage }
}
