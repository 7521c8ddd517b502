/// The DNS domain bramble is authoritative for (`cluster`, so node 1 is `node01.cluster`).
/// Validated as RFC 1123 host-name labels because every node name is built under it, and a
/// name resolvers reject would only show up later as nodes that cannot find each other.
public struct DomainName: Hashable, Sendable, CustomStringConvertible {
    /// Lowercase, without a trailing dot: DNS compares names case-insensitively.
    public let name: String

    public init(parsing text: String) throws(InvalidConfigValue) {
        var candidate = Substring(text)
        if candidate.hasSuffix("."), candidate.count > 1 { candidate = candidate.dropLast() }
        guard !candidate.isEmpty else { throw InvalidConfigValue("a domain name is needed, like cluster") }
        guard candidate.utf8.count <= 253 else {
            throw InvalidConfigValue("'\(text)' is longer than the 253 characters DNS allows for a name")
        }
        for label in candidate.split(separator: ".", omittingEmptySubsequences: false) {
            try Self.check(label: label, in: text)
        }
        name = candidate.lowercased()
    }

    private static func check(label: Substring, in text: String) throws(InvalidConfigValue) {
        guard !label.isEmpty else {
            throw InvalidConfigValue("'\(text)' has an empty label: labels are separated by single dots")
        }
        guard label.utf8.count <= 63 else {
            throw InvalidConfigValue("'\(text)': the label '\(label)' is longer than the 63 characters DNS allows")
        }
        if let bad = label.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }) {
            throw InvalidConfigValue(
                "'\(text)' contains '\(bad)': a domain name holds letters, digits, hyphens and dots only")
        }
        guard label.first != "-", label.last != "-" else {
            throw InvalidConfigValue("'\(text)': the label '\(label)' starts or ends with a hyphen, which DNS does not allow")
        }
    }

    public var description: String { name }
}
