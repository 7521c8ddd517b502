/// Why a value cannot be used for a key. The reason is written for the operator: it says what
/// was found and what to write instead, and reads the same after a file line or after a flag.
public struct InvalidConfigValue: Error, Hashable, Sendable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
