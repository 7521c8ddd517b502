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
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        endsWithNewline = text.isEmpty || text.hasSuffix("\n")
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
    static func content(of line: Substring) -> Substring {
        var content = line
        if let hash = content.firstIndex(of: "#") { content = content[..<hash] }
        if content.last == "\r" { content = content.dropLast() }
        return content
    }

    static func tokens(of content: Substring) -> [Substring] {
        content.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }

    static func parse(_ line: Substring, lineNumber: Int) -> NodeLine {
        let tokens = tokens(of: content(of: line))
        guard let first = tokens.first else { return .blank }
        if first.lowercased() == "id" { return .header }
        guard first.utf8.count <= 9, first.allSatisfy(\.isASCII), first.allSatisfy(\.isNumber), let id = Int(first) else {
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
        if let candidate = rest.first, !candidate.contains("="), NodeSettingKey(rawValue: String(candidate)) == nil {
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
