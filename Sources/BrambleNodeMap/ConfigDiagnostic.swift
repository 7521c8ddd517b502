/// Where a setting came from: a line of a config file or a command-line flag. Diagnostics point
/// here, so the operator knows exactly what to edit.
public enum ConfigLocation: Hashable, Sendable {
    case line(file: String, number: Int)
    case flag(String)
}

/// One problem in the configuration, rendered `FILE:LINE: reason` (or `--flag: reason`), the
/// form editors and `grep -n` users jump to.
public struct ConfigDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public let location: ConfigLocation
    public let reason: String

    public init(location: ConfigLocation, reason: String) {
        self.location = location
        self.reason = reason
    }

    public var description: String {
        switch location {
        case .line(let file, let number): "\(file):\(number): \(reason)"
        case .flag(let flag): "\(flag): \(reason)"
        }
    }
}

/// A configuration that cannot be served, with every problem found, not just the first: fixing a
/// file one error per run is slow when the hub is a Pi.
public struct ConfigError: Error, Hashable, Sendable {
    public let diagnostics: [ConfigDiagnostic]

    public init(diagnostics: [ConfigDiagnostic]) { self.diagnostics = diagnostics }

    /// One diagnostic per line, file lines first in line order, then flags.
    public var message: String { diagnostics.map(\.description).joined(separator: "\n") }
}
