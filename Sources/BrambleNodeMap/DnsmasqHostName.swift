/// Turns the host name of a dnsmasq entry into a node-map name.
///
/// The node map holds one DNS label per node and bramble appends the cluster domain itself,
/// so `node07.cluster` becomes `node07`; a name that does not fit is reported, never cut down
/// to something the operator did not write.
enum DnsmasqHostName {
    enum Outcome {
        case label(String)
        case invalid(reason: String)
    }

    /// - Parameter domains: the suffixes that may be dropped: the cluster domain and any
    ///   domain the imported file itself sets with `domain=`.
    static func nodeName(from name: Substring, domains: [String]) -> Outcome {
        var name = name
        if name.utf8.count > 1, name.utf8.last == UInt8(ascii: ".") {
            name = name[..<name.utf8.index(before: name.endIndex)]
        }
        if name.utf8.contains(UInt8(ascii: ".")) {
            guard let label = label(of: name, inAnyOf: domains) else {
                let cluster = domains.first.map { " '\($0)'" } ?? ""
                return .invalid(reason: "name '\(name)' is not in the cluster domain\(cluster): "
                    + "the node map holds one-label names and bramble adds the domain; write the name without a domain")
            }
            name = label
        }
        // Then the node map's own rule, so an imported name is never one the map rejects
        // (the dnsmasq fuzz target found an all-digit name that the importer let through).
        if let problem = labelProblem(name) ?? NodeName.problem(with: name) {
            return .invalid(reason: "name '\(name)' is not a valid host name: \(problem)")
        }
        return .label(String(name))
    }

    /// What keeps the text from being an RFC 1123 label, or nil when it is one.
    private static func labelProblem(_ label: Substring) -> String? {
        let bytes = label.utf8
        if bytes.isEmpty { return "it is empty" }
        if bytes.count > 63 { return "it is longer than 63 characters" }
        let isAllowed = { (scalar: Unicode.Scalar) in
            scalar.isASCII && (DnsmasqText.isLetter(UInt8(scalar.value)) || DnsmasqText.isDigit(UInt8(scalar.value)) || scalar == "-")
        }
        if let bad = label.unicodeScalars.first(where: { !isAllowed($0) }) {
            return "'\(bad.escaped(asASCII: true))' is not allowed (letters, digits and hyphens only)"
        }
        if bytes.first == UInt8(ascii: "-") || bytes.last == UInt8(ascii: "-") {
            return "it starts or ends with a hyphen"
        }
        return nil
    }

    /// The part of `name` before `.domain` for the first matching domain (compared without
    /// regard to ASCII case, as DNS does), or nil.
    private static func label(of name: Substring, inAnyOf domains: [String]) -> Substring? {
        let lowercasedName = asciiLowercased(name.utf8)
        for domain in domains where !domain.isEmpty {
            let suffix = [UInt8(ascii: ".")] + asciiLowercased(domain.utf8)
            guard lowercasedName.count > suffix.count, lowercasedName.suffix(suffix.count).elementsEqual(suffix) else {
                continue
            }
            return name[..<name.utf8.index(name.startIndex, offsetBy: lowercasedName.count - suffix.count)]
        }
        return nil
    }

    private static func asciiLowercased(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
    }
}
