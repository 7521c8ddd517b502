import BrambleWire

/// What `bramble nodes import-dnsmasq FILE` learned from one dnsmasq file.
///
/// Every line of the file lands in exactly one of `nodes`, `unconverted`, `configHints` or
/// `commentOrBlankLines`, so nothing an operator wrote is dropped without a word: an import
/// that silently loses a node is worse than no import. `notes` add detail to converted lines
/// (what of the dnsmasq entry bramble does not keep) and never stand for a line on their own.
public struct DnsmasqImportResult: Equatable, Sendable {
    /// The file the text came from, as the caller named it; used only to label messages.
    public var fileName: String
    /// Physical lines in the text (a final newline does not start another line).
    public var lineCount: Int
    public var nodes: [ImportedNode]
    public var unconverted: [UnconvertedLine]
    public var configHints: [ConfigHint]
    public var notes: [ImportNote]
    /// Lines that were comments or blank, so callers can prove every line was read.
    public var commentOrBlankLines: [Int]

    public init(
        fileName: String, lineCount: Int, nodes: [ImportedNode], unconverted: [UnconvertedLine],
        configHints: [ConfigHint], notes: [ImportNote], commentOrBlankLines: [Int]
    ) {
        self.fileName = fileName
        self.lineCount = lineCount
        self.nodes = nodes
        self.unconverted = unconverted
        self.configHints = configHints
        self.notes = notes
        self.commentOrBlankLines = commentOrBlankLines
    }

    /// One message per unconverted line, hint and note, in file order, each starting with
    /// `FILE:LINE:` so the operator can jump to it (the CLI's error-message convention).
    public var reportLines: [String] {
        var messages: [(line: Int, text: String)] = []
        messages += unconverted.map { ($0.line, "\(fileName):\($0.line): not imported: \($0.reason)") }
        messages += configHints.map { ($0.line, "\(fileName):\($0.line): \($0.advice)") }
        messages += notes.map { ($0.line, "\(fileName):\($0.line): note: \($0.note)") }
        return messages.enumerated()
            .sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
            .map(\.element.text)
    }
}

/// A `dhcp-host` (or hosts-file, or /etc/ethers) entry that became a node-map entry.
public struct ImportedNode: Equatable, Sendable {
    /// The 1-based line of the entry in the imported file.
    public var line: Int
    /// The node ID: the host number of the entry's address in the cluster subnet.
    public var id: Int
    public var mac: MACAddress
    /// The entry's host name reduced to one label, or nil when the entry named none.
    public var name: String?
    /// True for dnsmasq's `ignore`: the node is kept in the map but must not be answered.
    public var disabled: Bool

    public init(line: Int, id: Int, mac: MACAddress, name: String?, disabled: Bool) {
        self.line = line
        self.id = id
        self.mac = mac
        self.name = name
        self.disabled = disabled
    }
}

/// A host entry that cannot become a node, with the reason phrased so the operator knows what
/// to change (conventions: lowercase start, the problem first, then after a colon what to do).
public struct UnconvertedLine: Equatable, Sendable {
    public var line: Int
    /// The line as written, without its line break.
    public var text: String
    public var reason: String

    public init(line: Int, text: String, reason: String) {
        self.line = line
        self.text = text
        self.reason = reason
    }
}

/// A dnsmasq option other than a host entry, and what it becomes under bramble.
public struct ConfigHint: Equatable, Sendable {
    /// What the operator should do about an option; `advice` says it in words.
    public enum Kind: Equatable, Sendable {
        /// Write `key = value` in bramble.conf.
        case setting(key: String, value: String)
        /// bramble does this itself: nothing to write.
        case builtIn
        /// The option names another file of dnsmasq settings or hosts: import it too.
        case importAlso(path: String)
        /// bramble has no equivalent: the option is not imported.
        case unsupported
    }

    public var line: Int
    /// The line as written, without its line break.
    public var text: String
    public var kind: Kind
    public var advice: String

    public init(line: Int, text: String, kind: Kind, advice: String) {
        self.line = line
        self.text = text
        self.kind = kind
        self.advice = advice
    }
}

/// Something of a converted entry that the node map does not keep (a tag, a lease time, an
/// IPv6 address), reported so the loss is visible.
public struct ImportNote: Equatable, Sendable {
    /// The line of the converted node this note belongs to.
    public var line: Int
    public var note: String

    public init(line: Int, note: String) {
        self.line = line
        self.note = note
    }
}
