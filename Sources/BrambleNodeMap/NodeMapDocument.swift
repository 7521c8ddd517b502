/// A node map file as text and as parsed lines.
///
/// The raw lines are kept so edits can change one line and write every other byte back as
/// it was: operators annotate these files (bay positions, repair notes), and a tool that
/// reformats them loses trust fast.
public struct NodeMapDocument: Sendable {
    public let fileName: String
    /// The file's lines without their `\n` terminators (a `\r` of CRLF files stays in place).
    public let lines: [Substring]
    /// Whether the last line ended with `\n`; kept so an edit doesn't add or drop it.
    public let endsWithNewline: Bool
    /// Every line that is a well-formed node, in file order.
    public let entries: [NodeEntry]
    /// Problems found within single lines (bad MAC, unknown setting, ...).
    public let lineDiagnostics: [NodeMapDiagnostic]

    public init(parsing text: String, fileName: String) {
        self.fileName = fileName
        var lines = Self.splitLines(text)
        endsWithNewline = text.isEmpty || text.utf8.last == UInt8(ascii: "\n")
        if endsWithNewline { lines.removeLast() }
        self.lines = lines
        var entries: [NodeEntry] = []
        var diagnostics: [NodeMapDiagnostic] = []
        entries.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            switch NodeLine.parse(line, lineNumber: index + 1) {
            case .node(let entry): entries.append(entry)
            case .invalid(let problems):
                diagnostics += problems.map { NodeMapDiagnostic(file: fileName, line: index + 1, problem: $0) }
            case .blank, .header: break
            }
        }
        self.entries = entries
        lineDiagnostics = diagnostics
    }

    /// Splits at `\n` bytes (not Characters: a `\r\n` pair is one Character, and a CRLF
    /// file must keep its `\r`s byte for byte).
    static func splitLines(_ text: String) -> [Substring] {
        var lines: [Substring] = []
        let whole = text[...]
        var start = whole.utf8.startIndex
        var index = start
        while index < whole.utf8.endIndex {
            if whole.utf8[index] == UInt8(ascii: "\n") {
                lines.append(whole[start..<index])
                start = whole.utf8.index(after: index)
            }
            index = whole.utf8.index(after: index)
        }
        lines.append(whole[start...])
        return lines
    }

    /// The document's text, byte for byte what was parsed.
    public var text: String { Self.join(lines, endsWithNewline: endsWithNewline) }

    static func join(_ lines: [Substring], endsWithNewline: Bool) -> String {
        var text = lines.joined(separator: "\n")
        if endsWithNewline && !lines.isEmpty { text += "\n" }
        return text
    }
}

/// What one line of a node map holds.
enum NodeLine {
    case blank
    /// The guide's table header, `ID NMEBW9HT 01` (module tag and number): pasted with the
    /// table, recognised and skipped.
    case header
    case node(NodeEntry)
    case invalid([NodeMapProblem])

    /// The part of a line before any `#` comment, without a CRLF file's `\r`.
    ///
    /// Works on UTF-8 bytes: the node map's syntax is ASCII, and grapheme-aware Character
    /// scanning made a 10,000-node reload several times slower.
    static func content(of line: Substring) -> Substring {
        var content = line
        if let hash = content.utf8.firstIndex(of: UInt8(ascii: "#")) { content = content[..<hash] }
        if content.utf8.last == UInt8(ascii: "\r") { content = content[..<content.utf8.index(before: content.utf8.endIndex)] }
        return content
    }

    static func tokens(of content: Substring) -> [Substring] {
        var tokens: [Substring] = []
        let bytes = content.utf8
        var index = bytes.startIndex
        while index < bytes.endIndex {
            while index < bytes.endIndex, isBlank(bytes[index]) { index = bytes.index(after: index) }
            guard index < bytes.endIndex else { break }
            let start = index
            while index < bytes.endIndex, !isBlank(bytes[index]) { index = bytes.index(after: index) }
            tokens.append(content[start..<index])
        }
        return tokens
    }

    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// A decimal node ID of at most 9 digits, or nil.
    static func decimalID(_ token: Substring) -> Int? {
        guard (1...9).contains(token.utf8.count) else { return nil }
        var value = 0
        for byte in token.utf8 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    static func isHeaderWord(_ token: Substring) -> Bool {
        let bytes = Array(token.utf8)
        return bytes.count == 2 && bytes[0] | 0x20 == UInt8(ascii: "i") && bytes[1] | 0x20 == UInt8(ascii: "d")
    }

    static func parse(_ line: Substring, lineNumber: Int) -> NodeLine {
        let tokens = tokens(of: content(of: line))
        guard let first = tokens.first else { return .blank }
        if isHeaderWord(first) { return .header }
        guard let id = decimalID(first) else {
            return .invalid([.badID(String(first))])
        }
        guard tokens.count >= 2 else { return .invalid([.missingMAC(id: id)]) }
        var problems: [NodeMapProblem] = []
        var hardwareAddress: NodeHardwareAddress?
        switch NodeHardwareAddress.parse(tokens[1]) {
        case .success(let parsed): hardwareAddress = parsed
        case .failure(let problem): problems.append(problem)
        }
        var rest = tokens.dropFirst(2)
        var explicitName: String?
        if let candidate = rest.first, !candidate.utf8.contains(UInt8(ascii: "=")), NodeSettingKey(rawValue: String(candidate)) == nil {
            rest = rest.dropFirst()
            if let reason = NodeName.problem(with: candidate) {
                problems.append(.invalidName(String(candidate), reason: reason))
            } else {
                explicitName = String(candidate)
            }
        }
        var settings = NodeSettings()
        for token in rest {
            if let problem = settings.apply(token: token) { problems.append(problem) }
        }
        guard problems.isEmpty, let hardwareAddress else { return .invalid(problems) }
        return .node(NodeEntry(id: id, hardwareAddress: hardwareAddress, explicitName: explicitName, settings: settings, line: lineNumber))
    }
}
