/// What `create` (and `update`) write beside a finished root, `<roots>/.<name>.made`: how the
/// root was made and from which base, so `list` can say it and `update` can reuse the mode.
///
/// The text is `key=value` lines; unknown keys are ignored and a missing or malformed file
/// is simply "not recorded" (the root itself is what matters, the record is a note about it).
public struct RootRecord: Hashable, Sendable {
    public var mode: RootCopyMode
    public var base: String

    public init(mode: RootCopyMode, base: String) {
        self.mode = mode
        self.base = base
    }

    public init?(parsing text: String) {
        var mode: RootCopyMode?
        var base: String?
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals]
            let value = String(line[line.index(after: equals)...])
            switch key {
            case "mode": mode = RootCopyMode(rawValue: value)
            case "base": base = value
            default: continue
            }
        }
        guard let mode, let base else { return nil }
        self.init(mode: mode, base: base)
    }

    public var text: String { "mode=\(mode.rawValue)\nbase=\(base)\n" }
}
