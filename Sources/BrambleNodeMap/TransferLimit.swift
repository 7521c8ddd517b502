/// A bound on concurrent TFTP transfers (`tftp-max-transfers`, `tftp-max-per-client`): a
/// whole number from 1 to 65536.
///
/// Each transfer holds a socket (a file descriptor) and a timer, so the bound keeps a boot
/// storm from exhausting the hub; requests over it are refused at once, never queued.
public struct TransferLimit: Hashable, Sendable, CustomStringConvertible {
    public let value: Int

    public static let range = 1...65536

    public init(_ value: Int) throws(InvalidConfigValue) {
        guard Self.range.contains(value) else {
            throw InvalidConfigValue("\(value) is outside \(Self.range.lowerBound)-\(Self.range.upperBound)")
        }
        self.value = value
    }

    public init(parsing text: String) throws(InvalidConfigValue) {
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int(text) else {
            throw InvalidConfigValue("'\(text)' is not a number of transfers: write a whole number from \(Self.range.lowerBound) to \(Self.range.upperBound)")
        }
        try self.init(number)
    }

    public var description: String { String(value) }
}
