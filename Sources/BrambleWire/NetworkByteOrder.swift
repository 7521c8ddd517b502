/// Big-endian field access for the wire decoders and encoders of every Bramble protocol.
///
/// Reads trap on an out-of-range offset by design: each decoder checks a header's full
/// length once, before reading its fields, so one bounds check covers many reads. Offsets
/// count from the slice's `startIndex`, because slices of a received frame keep the
/// frame's indices.
public enum NetworkByteOrder {
    @inlinable
    public static func uint16(_ bytes: ArraySlice<UInt8>, at offset: Int) -> UInt16 {
        let start = bytes.startIndex + offset
        return UInt16(bytes[start]) << 8 | UInt16(bytes[start + 1])
    }

    @inlinable
    public static func uint32(_ bytes: ArraySlice<UInt8>, at offset: Int) -> UInt32 {
        let start = bytes.startIndex + offset
        return UInt32(bytes[start]) << 24 | UInt32(bytes[start + 1]) << 16
            | UInt32(bytes[start + 2]) << 8 | UInt32(bytes[start + 3])
    }

    @inlinable
    public static func append(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xff))
    }

    @inlinable
    public static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(value >> 24))
        bytes.append(UInt8(value >> 16 & 0xff))
        bytes.append(UInt8(value >> 8 & 0xff))
        bytes.append(UInt8(value & 0xff))
    }

    /// Overwrites two bytes in place: checksums are patched in after the bytes they cover.
    @inlinable
    public static func store(_ value: UInt16, into bytes: inout [UInt8], at index: Int) {
        bytes[index] = UInt8(value >> 8)
        bytes[index + 1] = UInt8(value & 0xff)
    }
}
