/// One option: its code and its whole value, after RFC 3396 concatenation on decode and
/// before splitting on encode, so callers never see the wire's 255-byte limit.
public struct DHCPOption: Hashable, Sendable {
    public var code: DHCPOptionCode
    public var value: [UInt8]

    public init(_ code: DHCPOptionCode, _ value: [UInt8]) {
        self.code = code
        self.value = value
    }
}

/// Where in a message an option was found: the options field, or the `file` or `sname`
/// field reused through option overload (52).
public enum DHCPOptionArea: Hashable, Sendable, CustomStringConvertible {
    case options
    case file
    case sname

    public var description: String {
        switch self {
        case .options: "options field"
        case .file: "file field (option overload)"
        case .sname: "sname field (option overload)"
        }
    }
}
