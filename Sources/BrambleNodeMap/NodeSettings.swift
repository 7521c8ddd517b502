import BrambleWire

/// Per-node settings, written `key=value` (or a bare flag) after the name on a node line.
///
/// Only keys that bramble acts on exist: an unknown key is an error rather than silently
/// kept, so a typo (`rooot=`) never leaves a node booting the wrong root unnoticed.
public struct NodeSettings: Hashable, Sendable {
    /// NFS root for DHCP option 17 and `{{root}}` in boot templates; nil = the hub default.
    public var root: String?
    /// The Pi's serial number (8 lowercase hex digits), pinning its TFTP `<serial>/` prefix
    /// to this node before the node has ever booted.
    public var serial: String?
    /// The node gets no DHCP answer (it is logged instead), e.g. a bay under repair.
    public var disabled: Bool
    /// The node's ID on the Edge Rack BMC's serial bus (`bmc=0a`, hexadecimal as the BMC
    /// prints it); nil = the bay's ID (docs/bmc.md).
    public var bmc: UInt8?

    public init(root: String? = nil, serial: String? = nil, disabled: Bool = false, bmc: UInt8? = nil) {
        self.root = root
        self.serial = serial
        self.disabled = disabled
        self.bmc = bmc
    }

    public var isEmpty: Bool { root == nil && serial == nil && !disabled && bmc == nil }

    /// The settings as node-map tokens, in a fixed order so written lines are predictable.
    public var tokens: [String] {
        var tokens: [String] = []
        if let root { tokens.append("root=\(root)") }
        if let serial { tokens.append("serial=\(serial)") }
        if disabled { tokens.append("disabled") }
        if let bmc { tokens.append("bmc=" + String(bmc >> 4, radix: 16) + String(bmc & 0x0f, radix: 16)) }
        return tokens
    }

    /// Applies one `key=value` or flag token, saying precisely what is wrong with a bad one.
    public mutating func apply(token: Substring) -> NodeMapProblem? {
        let key: Substring
        let value: Substring?
        if let equals = token.utf8.firstIndex(of: UInt8(ascii: "=")) {
            key = token[..<equals]
            value = token[token.utf8.index(after: equals)...]
        } else {
            key = token
            value = nil
        }
        guard let known = NodeSettingKey(rawValue: String(key)) else {
            return .unknownSetting(String(key))
        }
        switch known {
        case .disabled:
            guard value == nil else { return .badSettingValue(key: "disabled", value: String(value!), reason: "'disabled' is a flag and takes no value") }
            if disabled { return .duplicateSetting("disabled") }
            disabled = true
        case .root:
            guard let value, !value.isEmpty else { return .badSettingValue(key: "root", value: "", reason: "root= needs a path, e.g. root=10.42.0.250:/pxe/root/node05") }
            if root != nil { return .duplicateSetting("root") }
            if let reason = Self.nfsRootProblem(value) { return .badSettingValue(key: "root", value: String(value), reason: reason) }
            root = String(value)
        case .serial:
            guard let value, !value.isEmpty else { return .badSettingValue(key: "serial", value: "", reason: "serial= needs the Pi's 8-digit hexadecimal serial number") }
            if serial != nil { return .duplicateSetting("serial") }
            guard value.utf8.count == 8, value.allSatisfy(\.isHexDigit) else {
                return .badSettingValue(key: "serial", value: String(value), reason: "a Pi serial number is 8 hexadecimal digits, as in the TFTP prefix (e.g. 9ffefdef)")
            }
            serial = value.lowercased()
        case .bmc:
            guard let value, !value.isEmpty else { return .badSettingValue(key: "bmc", value: "", reason: "bmc= needs the node's BMC ID, two hexadecimal digits (e.g. bmc=0a for bay 10)") }
            if bmc != nil { return .duplicateSetting("bmc") }
            guard value.utf8.count == 2, value.allSatisfy(\.isHexDigit), let id = UInt8(value, radix: 16) else {
                return .badSettingValue(key: "bmc", value: String(value), reason: "a BMC ID is two hexadecimal digits, as the BMC prints it (e.g. bmc=0a, bmc=17)")
            }
            bmc = id
        }
        return nil
    }

    /// Removes a setting by key; returns false when the key is unknown.
    public mutating func unset(_ key: String) -> Bool {
        switch NodeSettingKey(rawValue: key) {
        case .root: root = nil
        case .serial: serial = nil
        case .disabled: disabled = false
        case .bmc: bmc = nil
        case nil: return false
        }
        return true
    }

    /// `SERVER:/path` or `/path`, the forms DHCP option 17 and the kernel's nfsroot= take.
    static func nfsRootProblem(_ value: Substring) -> String? {
        var path = value
        if let colon = value.utf8.firstIndex(of: UInt8(ascii: ":")) {
            let server = value[..<colon]
            guard IPv4Address(server) != nil else {
                return "'\(server)' is not an IPv4 address; write root=SERVER:/path or root=/path"
            }
            path = value[value.utf8.index(after: colon)...]
        }
        guard path.utf8.first == UInt8(ascii: "/") else { return "the NFS root path must be absolute (start with '/')" }
        guard !path.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: " ") }) else {
            return "the NFS root path cannot contain ',' or spaces (mount options belong in cmdline.txt)"
        }
        return nil
    }
}

/// The settings keys a node line may carry.
public enum NodeSettingKey: String, CaseIterable, Sendable {
    case root
    case serial
    case disabled
    case bmc

    /// How each key is written, for messages and `--help`.
    public static var usage: String { "root=SERVER:/path, serial=XXXXXXXX, disabled, bmc=NN" }
}
