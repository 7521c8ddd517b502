/// The user and password of an `Authorization: Basic` header (RFC 7617, section 2): the
/// scheme name (any case), one or more spaces, then base64 (RFC 4648, section 4) of
/// `user:password`. Decoding is total: a header from any client is a value or a typed refusal.
public struct BasicCredentials: Hashable, Sendable {
    public let user: String
    public let password: String

    /// Longest header value looked at: a name and password of a few hundred bytes fit; a
    /// client sending more is not a person logging in.
    public static let maximumHeaderLength = 1024

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    public init(header: some Collection<UInt8>) throws(BasicCredentialsError) {
        guard header.count <= Self.maximumHeaderLength else { throw .tooLong }
        let bytes = Array(header)
        let scheme = Array("basic".utf8)
        guard bytes.count > scheme.count, zip(bytes, scheme).allSatisfy({ Self.lowercased($0.0) == $0.1 }) else { throw .notBasic }
        var rest = bytes[scheme.count...]
        guard rest.first == UInt8(ascii: " ") else { throw .notBasic }
        rest = rest.drop { $0 == UInt8(ascii: " ") }
        while rest.last == UInt8(ascii: " ") { rest = rest.dropLast() }
        guard let decoded = Base64.decode(rest) else { throw .notBase64 }
        guard let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { throw .noColon }
        guard let user = String(validating: decoded[..<colon], as: UTF8.self),
            let password = String(validating: decoded[(colon + 1)...], as: UTF8.self)
        else { throw .notUTF8 }
        self.user = user
        self.password = password
    }

    /// The header value a client sends for these credentials.
    public var header: String { "Basic " + Base64.encode(Array("\(user):\(password)".utf8)) }

    private static func lowercased(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }
}

/// Why an `Authorization` header does not carry basic credentials.
public enum BasicCredentialsError: Error, Hashable, Sendable, CustomStringConvertible {
    case tooLong
    case notBasic
    case notBase64
    case noColon
    case notUTF8

    public var description: String {
        switch self {
        case .tooLong: "the Authorization header is longer than \(BasicCredentials.maximumHeaderLength) bytes"
        case .notBasic: "the Authorization header is not of the Basic scheme"
        case .notBase64: "the Basic credentials are not base64"
        case .noColon: "the Basic credentials have no ':' between user and password"
        case .notUTF8: "the Basic credentials are not UTF-8"
        }
    }
}

/// Standard base64 with padding (RFC 4648, section 4), strict: a character outside the
/// alphabet, a wrong length or misplaced padding is no value.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<4 {
                out.append(position <= chunk.count ? alphabet[Int(value >> (18 - 6 * UInt32(position)) & 0x3F)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        let characters = Array(text)
        guard !characters.isEmpty, characters.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(characters.count / 4 * 3)
        for start in stride(from: 0, to: characters.count, by: 4) {
            let quad = characters[start..<start + 4]
            let padding = quad.reversed().prefix { $0 == UInt8(ascii: "=") }.count
            guard padding <= 2, padding == 0 || start + 4 == characters.count else { return nil }
            var value: UInt32 = 0
            for (offset, character) in quad.prefix(4 - padding).enumerated() {
                guard let sextet = sextet(character) else { return nil }
                value |= UInt32(sextet) << (18 - 6 * UInt32(offset))
            }
            out.append(contentsOf: [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)].prefix(3 - padding))
        }
        return out
    }

    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
