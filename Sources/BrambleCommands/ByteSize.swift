import ArgumentParser

/// Sizes on the command line: a number of bytes with an optional unit, `64MiB`, `512k`, `1G`.
enum ByteSize {
    static func parse(_ text: String) throws -> Int {
        let digits = text.prefix { $0.isNumber }
        let unit = text.dropFirst(digits.count).lowercased()
        let multipliers: [String: Int] = [
            "": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
            "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
        ]
        guard let count = Int(digits), let multiplier = multipliers[unit], count > 0,
              count <= Int.max / multiplier else {
            throw ValidationError("`\(text)` is not a size: a positive number of bytes, optionally with KiB, MiB or GiB (e.g. 64MiB)")
        }
        return count * multiplier
    }
}
