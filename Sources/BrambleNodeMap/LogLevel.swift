/// How much the daemon logs. The names and order are swift-log's, so the server can map them
/// one to one without this module depending on swift-log.
public enum LogLevel: String, CaseIterable, Comparable, Hashable, Sendable {
    case trace, debug, info, notice, warning, error, critical

    public init(parsing text: String) throws(InvalidConfigValue) {
        guard let level = LogLevel(rawValue: text.lowercased()) else {
            let names = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw InvalidConfigValue("'\(text)' is not a log level: use one of \(names)")
        }
        self = level
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
