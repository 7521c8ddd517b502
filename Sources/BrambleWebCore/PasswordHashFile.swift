/// The file `web-password-file` names: one bcrypt hash (`$2b$12$` + 53 characters), as
/// `bramble web hash-password` prints it or `htpasswd -nB` writes after the user's colon.
/// Blank lines and `#` comments around it are allowed, so the operator may note what it is.
/// Parsing is total: any file is a hash or a typed error naming the line.
public struct PasswordHashFile: Hashable, Sendable {
    /// The hash, as bcrypt's verify function takes it.
    public let hash: String

    /// Bigger than any sensible password file; a larger one is the wrong file.
    public static let maximumSize = 4096

    public init(parsing text: some Collection<UInt8>, path: String) throws(PasswordHashFileError) {
        guard text.count <= Self.maximumSize else { throw .init(path: path, line: nil, reason: "the file is larger than \(Self.maximumSize) bytes: it should hold one bcrypt hash") }
        var found: (line: Int, hash: String)?
        for (index, rawLine) in Array(text).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var line = rawLine[...]
            while let last = line.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { line = line.dropLast() }
            line = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            if let previous = found {
                throw .init(path: path, line: index + 1, reason: "a second hash; the file holds one (the first is at line \(previous.line))")
            }
            found = (index + 1, try Self.bcryptHash(line, path: path, line: index + 1))
        }
        guard let found else { throw .init(path: path, line: nil, reason: "no hash in the file: write one with `bramble web hash-password`") }
        hash = found.hash
    }

    /// `$2a$`, `$2b$` or `$2y$`, a two-digit cost from 04 to 31, `$`, then 22 salt and 31 hash
    /// characters of bcrypt's base64 alphabet (`./A-Za-z0-9`).
    private static func bcryptHash(_ line: ArraySlice<UInt8>, path: String, line number: Int) throws(PasswordHashFileError) -> String {
        let bytes = Array(line)
        let shape = "a bcrypt hash like $2b$12$ and 53 more characters (from `bramble web hash-password`)"
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]), bytes[3] == UInt8(ascii: "$"), bytes[6] == UInt8(ascii: "$")
        else { throw .init(path: path, line: number, reason: "not \(shape)") }
        guard bytes[4...5].allSatisfy({ (0x30...0x39).contains($0) }), let cost = Int(String(decoding: bytes[4...5], as: UTF8.self)), (4...31).contains(cost) else {
            throw .init(path: path, line: number, reason: "the bcrypt cost must be 04 to 31")
        }
        let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        guard bytes[7...].allSatisfy(alphabet.contains) else { throw .init(path: path, line: number, reason: "not \(shape)") }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The password file cannot be used: the message names the file and, where it can, the line.
public struct PasswordHashFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let line: Int?
    public let reason: String

    public var description: String { line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)" }
}
