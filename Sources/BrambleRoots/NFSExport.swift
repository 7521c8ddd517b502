import BrambleWire

/// One line of an exports file: a directory and the clients it is exported to, each with its
/// options, as exports(5) writes it (`/pxe/roots/node05 10.42.0.5(rw,sync)`).
/// (https://man7.org/linux/man-pages/man5/exports.5.html)
public struct NFSExport: Hashable, Sendable {
    /// The exported directory, with exports(5)'s quoting and `\ooo` escapes undone.
    public var path: String
    public var clients: [NFSExportClient]

    public init(path: String, clients: [NFSExportClient]) {
        self.path = path
        self.clients = clients
    }

    /// The line as exports(5) reads it: the path with every byte that would end or confuse
    /// the token (blank, `"`, `\`, `#`, control bytes, non-ASCII) written `\ooo`, then the
    /// clients. Parsing the line gives this export back.
    public var line: String {
        ([Self.escaped(path)] + clients.map(\.description)).joined(separator: " ")
    }

    static func escaped(_ path: String) -> String {
        var text = ""
        for byte in path.utf8 {
            let plain = byte > 0x20 && byte < 0x7f && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
                && byte != UInt8(ascii: "#")
            if plain {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\" + String(byte >> 6) + String((byte >> 3) & 7) + String(byte & 7)
            }
        }
        return text
    }

    /// The clients whose host spec admits `address` (or a name of it), in line order.
    public func clients(admitting address: IPv4Address, names: [String] = []) -> [NFSExportClient] {
        clients.filter { $0.admits(address, names: names) }
    }
}

/// One `host(options)` of an export line.
public struct NFSExportClient: Hashable, Sendable, CustomStringConvertible {
    /// `10.42.0.5`, `10.42.0.0/24`, `10.42.0.0/255.255.255.0`, `*`, a host name or
    /// wildcard (`node*.cluster`), or a netgroup (`@pis`).
    public var host: String
    /// The options in the order written, e.g. `["rw", "sync", "no_subtree_check"]`.
    public var options: [String]

    public init(host: String, options: [String]) {
        self.host = host
        self.options = options
    }

    public var description: String { options.isEmpty ? host : "\(host)(\(options.joined(separator: ",")))" }

    /// Whether the export is writable for this client: exports(5) makes `ro` the default and
    /// the last of `rw`/`ro` wins.
    public var isReadWrite: Bool { options.last { $0 == "rw" || $0 == "ro" } == "rw" }

    /// Whether root on the client stays root on the files: `no_root_squash` after any
    /// `root_squash` (`root_squash` is the default), and not `all_squash`.
    public var keepsRoot: Bool {
        options.last { $0 == "root_squash" || $0 == "no_root_squash" } == "no_root_squash" && !options.contains("all_squash")
    }

    /// Whether the host spec admits exactly one address: an IPv4 address or a /32 network.
    public var isSingleAddress: Bool {
        if IPv4Address(host) != nil { return true }
        guard let network = Self.network(host) else { return false }
        return network.prefixLength == 32
    }

    /// Whether `address`, or a host of one of `names`, is admitted by the host spec. Names
    /// compare case-insensitively and `*`/`?` match as exports(5) says; netgroups are not
    /// resolved here and admit no one.
    public func admits(_ address: IPv4Address, names: [String] = []) -> Bool {
        if host == "*" { return true }
        if let single = IPv4Address(host) { return single == address }
        if let network = Self.network(host) { return network.contains(address) }
        if host.hasPrefix("@") { return false }
        let pattern = Array(host.lowercased().utf8)
        return names.contains { Self.glob(pattern[...], Array($0.lowercased().utf8)[...]) }
    }

    /// `ADDRESS/LENGTH` or `ADDRESS/MASK`.
    static func network(_ host: String) -> IPv4Subnet? {
        let parts = host.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let base = IPv4Address(parts[0]) else { return nil }
        if !parts[1].isEmpty, parts[1].utf8.count <= 2, parts[1].utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
           let length = Int(parts[1]), length <= 32
        {
            return IPv4Subnet(containing: base, prefixLength: length)
        }
        guard let mask = IPv4Address(parts[1]) else { return nil }
        let length = mask.value.leadingZeroBitCount == 0 ? (~mask.value).leadingZeroBitCount : 0
        guard mask.value == (length == 0 ? 0 : UInt32.max << (32 - length)) else { return nil }
        return IPv4Subnet(containing: base, prefixLength: length)
    }

    /// Shell-style `*` and `?` (no brackets), iterative so a hostile pattern costs at most
    /// pattern × name steps.
    static func glob(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex, n = name.startIndex
        var star: Int?, resume = name.startIndex
        while n < name.endIndex {
            if p < pattern.endIndex, pattern[p] == UInt8(ascii: "?") || pattern[p] == name[n] {
                p += 1
                n += 1
            } else if p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                star = p
                p += 1
                resume = n
            } else if let star {
                p = star + 1
                resume += 1
                n = resume
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }
}
