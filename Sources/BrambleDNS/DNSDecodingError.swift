/// Why bytes are not a DNS message. Offsets count from the message's first byte, so a log
/// line and a packet capture can be read side by side.
public enum DNSDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Shorter than the 12-byte header.
    case truncatedHeader(length: Int)
    /// A name, record or count needed bytes past the end: the usual sign of counts that lie.
    case truncated(at: Int)
    /// A length byte of 64...191: longer than a label may be, or a label type
    /// (RFC 6891 extended labels) that is not in use.
    case labelTooLong(at: Int, lengthByte: UInt8)
    case nameTooLong(at: Int)
    case pointerBeyondMessage(at: Int, target: Int)
    /// A compression pointer must point before the start of the piece of name it continues
    /// (an encoder only points at names already written). Anything else could loop.
    case pointerLoop(at: Int, target: Int)
    /// More jumps than a name of 127 labels could need: work bounded per name.
    case tooManyPointers(at: Int)
    /// More jumps, all names together, than the message has bytes: work bounded per
    /// message, whatever its names point at.
    case tooManyPointersInMessage(at: Int)
    /// RDATA whose length does not fit its type (an A record of 5 bytes, a PTR whose name
    /// ends before or after RDLENGTH).
    case invalidRecordData(type: DNSRecordType, at: Int)
    /// A second OPT record, or one whose owner is not the root (RFC 6891 section 6.1.1).
    case invalidOPTRecord(at: Int)

    public var description: String {
        switch self {
        case .truncatedHeader(let length):
            "DNS message of \(length) bytes is shorter than the 12-byte header"
        case .truncated(let offset):
            "DNS message ends at byte \(offset) in the middle of a name or record (do its counts lie?)"
        case .labelTooLong(let offset, let lengthByte):
            "label length \(lengthByte) at byte \(offset) is over 63 or a reserved label type"
        case .nameTooLong(let offset):
            "name at byte \(offset) is longer than 255 bytes"
        case .pointerBeyondMessage(let offset, let target):
            "compression pointer at byte \(offset) points to \(target), past the end of the message"
        case .pointerLoop(let offset, let target):
            "compression pointer at byte \(offset) points forward or back into its own name (to \(target))"
        case .tooManyPointers(let offset):
            "name at byte \(offset) follows too many compression pointers"
        case .tooManyPointersInMessage(let offset):
            "name at byte \(offset) takes the message past one compression pointer per byte"
        case .invalidRecordData(let type, let offset):
            "\(type) record data at byte \(offset) does not match its length"
        case .invalidOPTRecord(let offset):
            "OPT record at byte \(offset) is a second one or not owned by the root"
        }
    }
}
