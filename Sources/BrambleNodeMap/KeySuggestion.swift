/// Finds the key an operator probably meant when a config file names an unknown one: a close
/// misspelling ("interfce"), or the dnsmasq option that bramble replaces with one of its keys.
enum KeySuggestion {
    /// dnsmasq options people carry over from the configuration bramble replaces.
    static let dnsmasqEquivalents: [String: (key: ConfigKey, note: String)] = [
        "dhcp-range": (.pool, "FIRST-LAST, or off"),
        "tftp-root": (.pxe, "the directory holding boot/ and root/"),
        "server": (.upstream, "one resolver per line"),
        "listen-address": (.address, "the hub's address with its prefix, like 10.42.0.250/24"),
        "log-facility": (.logFile, "a file path; empty means standard error"),
    ]

    /// The reason to report for `key`, with a suggestion when one is close enough to help.
    static func unknownKeyReason(_ key: Substring) -> String {
        let base = "unknown key '\(key)'"
        if let equivalent = dnsmasqEquivalents[String(key)] {
            return base + " (bramble's equivalent is '\(equivalent.key.rawValue)': \(equivalent.note))"
        }
        if let near = nearestKey(to: key) { return base + " (did you mean '\(near.rawValue)'?)" }
        let known = ConfigKey.allCases.map(\.rawValue).joined(separator: ", ")
        return base + "; known keys: \(known)"
    }

    /// The closest key within a small edit distance: one edit for short keys, two for longer
    /// ones, so "pol" finds "pool" but "log" does not claim "pool". Case and `_` for `-` are free.
    static func nearestKey(to text: Substring) -> ConfigKey? {
        let normalized = Array(text.lowercased().replacingUnderscores)
        var best: (key: ConfigKey, distance: Int)?
        for key in ConfigKey.allCases {
            let allowed = key.rawValue.count <= 4 ? 1 : 2
            // The distance is at least the difference in length: a long line of garbage is
            // never compared letter by letter with every key.
            guard abs(normalized.count - key.rawValue.count) <= allowed else { continue }
            let distance = editDistance(normalized, Array(key.rawValue))
            if distance <= allowed, distance < (best?.distance ?? .max) { best = (key, distance) }
        }
        return best?.key
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
    /// neighbours each cost one (a swap is the commonest typing slip).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var distance = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    distance = min(distance, rows[i - 2][j - 2] + 1)
                }
                rows[i][j] = distance
            }
        }
        return rows[a.count][b.count]
    }
}

private extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
