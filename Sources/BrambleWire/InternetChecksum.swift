/// The RFC 1071 Internet checksum, summed incrementally so a UDP checksum can cover the
/// pseudo-header, the UDP header and the payload without first copying them together.
///
/// Pieces may have odd lengths: a trailing odd byte is held back and paired with the first
/// byte of the next piece, exactly as if the pieces had been one buffer.
public struct InternetChecksum: Sendable {
    /// Wide enough that no realistic input (an IPv4 datagram is at most 64 KiB) can overflow
    /// before the end-around carries are folded in ``value``.
    private var sum: UInt64 = 0
    private var pendingHighByte: UInt8?

    public init() {}

    /// Adds bytes in network order.
    public mutating func add<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        for byte in bytes {
            if let high = pendingHighByte {
                sum &+= UInt64(high) << 8 | UInt64(byte)
                pendingHighByte = nil
            } else {
                pendingHighByte = byte
            }
        }
    }

    /// Adds one 16-bit word, as if its two bytes had been added in network order.
    public mutating func add(_ word: UInt16) {
        if pendingHighByte == nil {
            sum &+= UInt64(word)
        } else {
            add(CollectionOfOne(UInt8(word >> 8)))
            add(CollectionOfOne(UInt8(word & 0xff)))
        }
    }

    /// Adds a 32-bit value (an address in the pseudo-header) in network order.
    public mutating func add(_ word: UInt32) {
        add(UInt16(word >> 16))
        add(UInt16(word & 0xffff))
    }

    /// The checksum to put in a header: the ones' complement of the ones'-complement sum.
    ///
    /// Summing a header that already holds its correct checksum gives 0, which is how
    /// decoders verify one.
    public var value: UInt16 {
        var total = sum
        if let high = pendingHighByte { total &+= UInt64(high) << 8 }
        while total > 0xffff { total = (total & 0xffff) + (total >> 16) }
        return ~UInt16(total)
    }

    /// The checksum of one contiguous buffer.
    public static func of<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt16 {
        var checksum = InternetChecksum()
        checksum.add(bytes)
        return checksum.value
    }
}
