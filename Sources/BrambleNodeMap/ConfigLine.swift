import BrambleWire

/// One line of a config file, split into key and value before any key is interpreted.
///
/// The syntax is dnsmasq's spirit with spaces allowed: `key = value`, `#` starts a comment
/// (a whole line or the rest of one), and a value may be wrapped in double quotes to keep a
/// `#` or surrounding spaces in it. There are no escapes: a value cannot contain `"`.
enum ConfigLine: Equatable {
    case blank
    case entry(key: Substring, value: Substring)
    /// A line with text but no `=` before its comment; `text` is that text, so the parser can
    /// tell a known key with a forgotten `=` from a stray word.
    case missingEquals(text: Substring)
    case malformed(reason: String)

    init(_ line: Substring) {
        let content = line.trimmingSpaces
        guard let firstCharacter = content.first, firstCharacter != "#" else {
            self = .blank
            return
        }
        let hash = content.firstIndex(of: "#") ?? content.endIndex
        guard let equals = content[..<hash].firstIndex(of: "=") else {
            self = .missingEquals(text: content[..<hash].trimmingSpaces)
            return
        }
        let key = content[..<equals].trimmingSpaces
        guard !key.isEmpty else {
            self = .malformed(reason: "missing key before '=': write 'key = value'")
            return
        }
        let rest = content[content.index(after: equals)...].trimmingSpaces
        guard rest.first == "\"" else {
            let comment = rest.firstIndex(of: "#") ?? rest.endIndex
            self = .entry(key: key, value: rest[..<comment].trimmingSpaces)
            return
        }
        let opening = rest.startIndex
        guard let closing = rest[rest.index(after: opening)...].firstIndex(of: "\"") else {
            self = .malformed(reason: "'\(key)': the value's opening '\"' has no closing '\"'")
            return
        }
        let trailing = rest[rest.index(after: closing)...].trimmingSpaces
        guard trailing.isEmpty || trailing.first == "#" else {
            self = .malformed(
                reason: "'\(key)': unexpected '\(trailing)' after the closing '\"': quote the whole value or start a comment with '#'")
            return
        }
        self = .entry(key: key, value: rest[rest.index(after: opening)..<closing])
    }
}
