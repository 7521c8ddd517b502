/// One `name=value` pair of a request or OACK (RFC 2347), both ASCII text on the wire.
public struct TFTPOption: Hashable, Sendable, CustomStringConvertible {
    /// As the client wrote it; compare with ``TFTPOptions/subscript(_:)``, which ignores case.
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name)=\(value)" }
}
