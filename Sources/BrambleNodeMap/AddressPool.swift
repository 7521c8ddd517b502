import BrambleWire

/// The dynamic range handed to machines that are not in the node map (`FIRST-LAST`). Only its
/// own shape is checked here; whether it fits the cluster subnet depends on the `address`
/// setting, which a flag may change, so `ConfigDraft.validated()` checks that after the merge.
public struct AddressPool: Hashable, Sendable, CustomStringConvertible {
    public let first: IPv4Address
    public let last: IPv4Address

    public init(first: IPv4Address, last: IPv4Address) throws(InvalidConfigValue) {
        guard first <= last else {
            throw InvalidConfigValue("pool \(first)-\(last) ends before it starts: write the lower address first")
        }
        self.first = first
        self.last = last
    }

    public init(parsing text: String) throws(InvalidConfigValue) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let first = IPv4Address(parts[0].trimmingSpaces),
              let last = IPv4Address(parts[1].trimmingSpaces)
        else {
            throw InvalidConfigValue("'\(text)' is not a pool: write FIRST-LAST, like 10.42.0.100-10.42.0.199, or off")
        }
        try self.init(first: first, last: last)
    }

    public func contains(_ address: IPv4Address) -> Bool { first <= address && address <= last }

    public var size: UInt32 { last.value - first.value + 1 }

    public var description: String { "\(first)-\(last)" }
}
