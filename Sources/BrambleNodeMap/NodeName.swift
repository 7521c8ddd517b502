/// Node host names: the defaults the BitScope guide implies, and RFC 1123 validation.
public enum NodeName {
    /// `nodeNN` (two digits at least), with the guide's fixed roles for 201 and 250.
    public static func defaultName(forID id: Int) -> String {
        switch id {
        case 201: "switch"
        case 250: "hub"
        case 0..<10: "node0\(id)"
        default: "node\(id)"
        }
    }

    /// Why a name cannot be a node's host name, or nil when it can.
    ///
    /// A node name is one DNS label (RFC 1123 section 2.1): the cluster domain is appended
    /// from the config, and DHCP option 12 carries the label alone. All-digit labels are
    /// refused because they read as node IDs on every command line that takes either.
    public static func problem(with name: Substring) -> String? {
        let utf8 = name.utf8
        if utf8.isEmpty { return "a name cannot be empty" }
        if utf8.count > 63 { return "a name is at most 63 characters (this one has \(utf8.count))" }
        var allDigits = true
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "-"): allDigits = false
            case UInt8(ascii: "."): return "a node name is a single label without dots; the domain comes from the config"
            default:
                let bad = name.first { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) } ?? "?"
                return "'\(bad)' is not allowed; use letters, digits and '-'"
            }
        }
        if utf8.first == UInt8(ascii: "-") || utf8.last == UInt8(ascii: "-") { return "a name cannot start or end with '-'" }
        if allDigits { return "a name cannot be all digits (it would read as a node ID)" }
        return nil
    }
}
