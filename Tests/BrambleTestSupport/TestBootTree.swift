import BrambleWire
import Foundation

/// A boot tree for a test's server: files of given sizes in a directory (a `pxe/boot`),
/// filled with one byte or with seeded pseudo-random bytes (SplitMix64, so a failure
/// reproduces and contents differ from file to file), plus text files such as config.txt.
public enum TestBootTree {
    public enum Fill: Sendable {
        /// Every byte the same.
        case repeating(UInt8)
        /// SplitMix64's stream from this seed, one stream for all the files in name order.
        case seeded(UInt64)
    }

    /// Writes the files, sizes by name, in name order (creating `directory` and its
    /// parents); returns each file's bytes.
    @discardableResult
    public static func write(_ sizes: [String: Int], into directory: URL, fill: Fill) throws -> [String: Data] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var generator: SplitMix64? = nil
        if case .seeded(let seed) = fill { generator = SplitMix64(seed: seed) }
        var written: [String: Data] = [:]
        for (name, size) in sizes.sorted(by: { $0.key < $1.key }) {
            let bytes: Data
            switch fill {
            case .repeating(let byte): bytes = Data(repeating: byte, count: size)
            case .seeded: bytes = Data(generator!.bytes(size))
            }
            try bytes.write(to: directory.appendingPathComponent(name))
            written[name] = bytes
        }
        return written
    }

    /// Writes text files by name (config.txt, cmdline.txt ...) into `directory`.
    public static func write(texts: [String: String], into directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in texts { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
    }
}
