import BrambleNodeMap
import BrambleWire

/// A boot file with `{{key}}` placeholders (`cmdline.txt.tmpl`), parsed once and rendered
/// per node.
///
/// Placeholders are `{{key}}` with optional spaces or tabs inside the braces
/// (`{{ ip }}`), on one line. Every other byte is copied as it is, so templates need not
/// be UTF-8 and a single `{` or `}` means itself. Parsing checks every placeholder up
/// front: an unknown key fails the whole file instead of rendering the rest.
public struct BootFileTemplate: Hashable, Sendable {
    private enum Segment: Hashable, Sendable {
        case literal(Range<Int>)
        case placeholder(BootFileTemplateKey)
    }

    public let source: [UInt8]
    private let segments: [Segment]

    public init(parsing source: [UInt8]) throws(BootFileTemplateError) {
        let openBrace = UInt8(ascii: "{")
        let closeBrace = UInt8(ascii: "}")
        let newline = UInt8(ascii: "\n")
        var segments: [Segment] = []
        var line = 1
        var literalStart = 0
        var index = 0
        while index < source.count {
            let byte = source[index]
            if byte == newline { line += 1 }
            guard byte == openBrace, index + 1 < source.count, source[index + 1] == openBrace else {
                index += 1
                continue
            }
            var end = index + 2
            while end + 1 < source.count, source[end] != newline, !(source[end] == closeBrace && source[end + 1] == closeBrace) {
                end += 1
            }
            guard end + 1 < source.count, source[end] == closeBrace, source[end + 1] == closeBrace else {
                throw .unterminatedPlaceholder(line: line)
            }
            let keyText = String(decoding: Self.trimmed(source[(index + 2)..<end]), as: UTF8.self)
            guard let key = BootFileTemplateKey(rawValue: keyText) else { throw .unknownKey(keyText, line: line) }
            if literalStart < index { segments.append(.literal(literalStart..<index)) }
            segments.append(.placeholder(key))
            index = end + 2
            literalStart = index
        }
        if literalStart < source.count { segments.append(.literal(literalStart..<source.count)) }
        self.source = source
        self.segments = segments
    }

    /// The keys the template uses, each once, in order of first use.
    public var keys: [BootFileTemplateKey] {
        var keys: [BootFileTemplateKey] = []
        for case .placeholder(let key) in segments where !keys.contains(key) { keys.append(key) }
        return keys
    }

    public func render(_ values: BootFileTemplateValues) -> BootFileRendering {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(source.count)
        var emptyKeys: [BootFileTemplateKey] = []
        for segment in segments {
            switch segment {
            case .literal(let range):
                bytes.append(contentsOf: source[range])
            case .placeholder(let key):
                if let text = values.text(for: key) {
                    bytes.append(contentsOf: text.utf8)
                } else if !emptyKeys.contains(key) {
                    emptyKeys.append(key)
                }
            }
        }
        return BootFileRendering(bytes: bytes, emptyKeys: emptyKeys)
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return bytes[bytes.startIndex..<bytes.startIndex]
        }
        return bytes[first...last]
    }
}

/// The placeholders a boot-file template may use, written `{{key}}`.
public enum BootFileTemplateKey: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The node's ID (bay number).
    case id
    case name
    /// The node's address.
    case ip
    /// The node's MAC, colon-separated lowercase.
    case mac
    /// The Pi's serial number, as its TFTP prefix writes it.
    case serial
    /// The hub's address: the NFS and TFTP server.
    case hub
    /// The node's NFS root: its `root=` setting, else the hub's default.
    case root

    public var description: String { "{{\(rawValue)}}" }
}

/// What a template's placeholders are replaced with, for one node.
public struct BootFileTemplateValues: Hashable, Sendable {
    public var id: Int
    public var name: String
    public var ip: IPv4Address
    /// Nil while the node map holds a placeholder (`b8:27:eb:XX:XX:XX`).
    public var mac: MACAddress?
    /// Nil until the Pi reports it or the node map pins it.
    public var serial: String?
    public var hub: IPv4Address
    public var root: String

    public init(id: Int, name: String, ip: IPv4Address, mac: MACAddress?, serial: String?, hub: IPv4Address, root: String) {
        self.id = id
        self.name = name
        self.ip = ip
        self.mac = mac
        self.serial = serial
        self.hub = hub
        self.root = root
    }

    /// The values for a node of the map; `defaultRoot` (e.g. `10.42.0.250:/pxe/root`)
    /// applies unless the node has its own `root=`.
    public init(node: NodeEntry, address: IPv4Address, serial: String?, hub: IPv4Address, defaultRoot: String) {
        self.init(
            id: node.id, name: node.name, ip: address, mac: node.mac, serial: serial ?? node.settings.serial,
            hub: hub, root: node.settings.root ?? defaultRoot)
    }

    /// The text for a key, nil when the value is unknown.
    public func text(for key: BootFileTemplateKey) -> String? {
        switch key {
        case .id: String(id)
        case .name: name
        case .ip: ip.description
        case .mac: mac?.description
        case .serial: serial
        case .hub: hub.description
        case .root: root
        }
    }
}

/// A rendered template, and the placeholders that had no value.
public struct BootFileRendering: Hashable, Sendable {
    public var bytes: [UInt8]
    /// Keys rendered as empty text because the value is unknown (a serial not yet
    /// reported, a placeholder MAC), each once, in order of first use. The file is still
    /// served; the server reports these in the node's boot log.
    public var emptyKeys: [BootFileTemplateKey]

    public init(bytes: [UInt8], emptyKeys: [BootFileTemplateKey]) {
        self.bytes = bytes
        self.emptyKeys = emptyKeys
    }
}

/// Why a template cannot be rendered. The server refuses the file (a node booting with a
/// half-rendered `cmdline.txt` is worse than one that visibly fails) and logs this with
/// the template's path.
public enum BootFileTemplateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `{{key}}` with a key that is not one of ``BootFileTemplateKey``: a typo that would
    /// otherwise reach the kernel command line as literal braces.
    case unknownKey(String, line: Int)
    /// `{{` with no `}}` after it on the same line.
    case unterminatedPlaceholder(line: Int)

    public var description: String {
        let known = BootFileTemplateKey.allCases.map(\.description).joined(separator: " ")
        return switch self {
        case .unknownKey(let key, let line):
            "line \(line): unknown placeholder {{\(key)}}; known: \(known)"
        case .unterminatedPlaceholder(let line):
            "line \(line): '{{' has no closing '}}' on the same line"
        }
    }
}
