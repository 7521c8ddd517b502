/// Edits that change exactly one line of a node map and keep every other byte.
///
/// Each edit returns the new file text rather than a new map: the caller parses and
/// validates that text before writing it, so what is written is exactly what the server
/// will read, and a change that would make the map invalid is refused with the reasons.
extension NodeMapDocument {
    /// Inserts a node line in ID order (after the nearest lower ID), formatted in the
    /// columns of its neighbour so a hand-aligned table stays aligned.
    public func adding(_ entry: NodeEntry) -> String {
        let nodeLines = entries.map { (id: $0.id, index: $0.line - 1) }
        let insertAt: Int
        let neighbour: Substring?
        if let before = nodeLines.filter({ $0.id < entry.id }).max(by: { $0.index < $1.index }) {
            insertAt = before.index + 1
            neighbour = lines[before.index]
        } else if let first = nodeLines.min(by: { $0.index < $1.index }) {
            insertAt = first.index
            neighbour = lines[first.index]
        } else {
            insertAt = lines.count
            neighbour = nil
        }
        let layout = neighbour.map(LineLayout.init) ?? LineLayout.plain
        var newLines = lines
        newLines.insert(Substring(layout.render(tokens: entry.tokens, comment: nil)), at: insertAt)
        return Self.join(newLines, endsWithNewline: endsWithNewline || lines.isEmpty)
    }

    /// Rewrites the line of node `id` with new contents, keeping its columns and its
    /// trailing comment.
    public func replacing(nodeID id: Int, with entry: NodeEntry) -> String? {
        guard let existing = entries.first(where: { $0.id == id }) else { return nil }
        let index = existing.line - 1
        let layout = LineLayout(lines[index])
        var newLines = lines
        newLines[index] = Substring(layout.render(tokens: entry.tokens, comment: layout.comment))
        return Self.join(newLines, endsWithNewline: endsWithNewline)
    }

    /// Deletes the line of node `id`, and nothing else.
    public func removing(nodeID id: Int) -> String? {
        guard let existing = entries.first(where: { $0.id == id }) else { return nil }
        var newLines = lines
        newLines.remove(at: existing.line - 1)
        return Self.join(newLines, endsWithNewline: endsWithNewline)
    }
}

/// Where the tokens and comment of a line sit, so a rewritten line can put new tokens in
/// the same columns.
struct LineLayout {
    var indent: Substring
    var columns: [Int]
    var separators: [Substring]
    var comment: Substring?
    var commentColumn: Int?
    /// CRLF files keep their `\r` on rewritten lines.
    var carriageReturn: Bool

    static let plain = LineLayout(indent: "", columns: [], separators: [], comment: nil, commentColumn: nil, carriageReturn: false)

    init(indent: Substring, columns: [Int], separators: [Substring], comment: Substring?, commentColumn: Int?, carriageReturn: Bool) {
        self.indent = indent
        self.columns = columns
        self.separators = separators
        self.comment = comment
        self.commentColumn = commentColumn
        self.carriageReturn = carriageReturn
    }

    init(_ line: Substring) {
        var body = line
        carriageReturn = body.last == "\r"
        if carriageReturn { body = body.dropLast() }
        if let hash = body.firstIndex(of: "#") {
            comment = body[hash...]
            commentColumn = body.distance(from: body.startIndex, to: hash)
            body = body[..<hash]
        } else {
            comment = nil
            commentColumn = nil
        }
        indent = body.prefix(while: { $0 == " " || $0 == "\t" })
        columns = []
        separators = []
        var position = body.startIndex
        var column = 0
        var previousEnd: Substring.Index?
        while position < body.endIndex {
            if body[position] == " " || body[position] == "\t" {
                position = body.index(after: position)
                column += 1
                continue
            }
            let start = position
            if let previousEnd { separators.append(body[previousEnd..<start]) }
            columns.append(column)
            while position < body.endIndex, body[position] != " ", body[position] != "\t" {
                position = body.index(after: position)
                column += 1
            }
            previousEnd = position
        }
    }

    /// Tokens in this layout's columns where they fit; a tab-separated line keeps its tabs.
    func render(tokens: [String], comment: Substring?) -> String {
        var out = String(indent)
        var width = out.count
        let usesTabs = separators.contains { $0.contains("\t") }
        for (i, token) in tokens.enumerated() {
            if i > 0 {
                let separator: String
                if usesTabs {
                    separator = i - 1 < separators.count ? String(separators[i - 1]) : "\t"
                } else if i < columns.count, columns[i] > width {
                    separator = String(repeating: " ", count: columns[i] - width)
                } else {
                    separator = " "
                }
                out += separator
                width += separator.count
            }
            out += token
            width += token.count
        }
        if let comment {
            let padding = commentColumn.map { max(1, $0 - width) } ?? 1
            out += String(repeating: " ", count: tokens.isEmpty ? 0 : padding) + comment
        }
        if carriageReturn { out += "\r" }
        return out
    }
}
