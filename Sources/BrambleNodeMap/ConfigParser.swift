/// Reads a bramble config file (`key = value` lines; see `ConfigLine` for the syntax and
/// `ConfigKey` for the keys). Pure: the caller reads the file, so the same code checks a file
/// on disk, an edited buffer before a reload, and test strings.
public enum ConfigParser {
    /// Every line's setting over the built-in defaults, and every problem found, each at its
    /// line. Call `applying(_:)` for flags, then `validated()` for the finished configuration.
    ///
    /// - Parameter file: the path used in diagnostics, and whose directory relative paths in
    ///   the file are resolved against.
    public static func parse(_ text: String, file: String) -> ConfigDraft {
        var draft = ConfigDraft.builtInDefaults
        let directory = ConfigPath.directory(of: file)
        let body = text.hasPrefix("\u{FEFF}") ? text.dropFirst() : Substring(text)
        let lines = body.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, line) in lines.enumerated() {
            let location = ConfigLocation.line(file: file, number: index + 1)
            switch ConfigLine(line) {
            case .blank:
                continue
            case .malformed(let reason):
                draft.report(reason, at: location)
            case .missingEquals(let text):
                draft.report(missingEqualsReason(text), at: location)
            case .entry(let keyText, let value):
                guard let key = ConfigKey(rawValue: String(keyText)) else {
                    draft.report(KeySuggestion.unknownKeyReason(keyText), at: location)
                    continue
                }
                if !key.isRepeatable, case .line(_, let previous)? = draft.location(of: key) {
                    draft.report("'\(key.rawValue)' is already set at line \(previous); remove one of the two", at: location)
                    continue
                }
                draft.assign(key, text: String(value), at: location, relativeTo: directory)
            }
        }
        return draft
    }

    private static func missingEqualsReason(_ text: Substring) -> String {
        let word = text.prefix { !$0.isWhitespace }
        if let key = ConfigKey(rawValue: String(word)) {
            return "missing '=' after '\(key.rawValue)': write '\(key.rawValue) = VALUE'"
        }
        return "'\(text)' is not a setting: write 'key = value' (a '#' starts a comment)"
    }
}
