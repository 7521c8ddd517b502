/// Why labels do not make a DNS name.
public enum DNSNameError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyLabel
    case labelTooLong(length: Int)
    case nameTooLong(wireLength: Int)

    public var description: String {
        switch self {
        case .emptyLabel: "a DNS name cannot have an empty label"
        case .labelTooLong(let length): "a DNS label is at most 63 bytes (this one has \(length))"
        case .nameTooLong(let wireLength): "a DNS name is at most 255 bytes on the wire (this one needs \(wireLength))"
        }
    }
}
