extension ByteWriter {
    /// A writer that fills `buffer`'s storage, emptied first, which ``finish()`` hands back:
    /// an encoder run for every packet then reuses one allocation instead of making one.
    @inlinable
    public init(reusing buffer: inout [UInt8], limit: Int) {
        self.init(limit: limit)
        swap(&storage, &buffer)
        storage.removeAll(keepingCapacity: true)
    }

    /// Forgets what was written after the first `count` bytes: an encoder backing out of a
    /// field that turned out not to fit (a DNS record, then sent with TC instead).
    @inlinable
    public mutating func truncate(to count: Int) {
        guard count >= 0, count < storage.count else { return }
        storage.removeSubrange(count...)
    }
}
