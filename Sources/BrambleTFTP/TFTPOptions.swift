/// The options of a request or OACK, in wire order.
///
/// Order is kept because an OACK answers in the order the client asked (some clients read
/// it that way) and because logs should show what was sent. Names compare
/// case-insensitively (RFC 2347: "case in-sensitive"); when a name repeats, the first one
/// counts, so a client cannot smuggle a second value past a check of the first.
public struct TFTPOptions: Hashable, Sendable, RandomAccessCollection, ExpressibleByArrayLiteral, CustomStringConvertible {
    public private(set) var options: [TFTPOption]

    public init(_ options: [TFTPOption] = []) { self.options = options }
    public init(arrayLiteral elements: TFTPOption...) { options = elements }

    public var startIndex: Int { options.startIndex }
    public var endIndex: Int { options.endIndex }
    public subscript(position: Int) -> TFTPOption { options[position] }

    /// The value of the first option with this name, in any letter case.
    public subscript(name: String) -> String? {
        let key = name.lowercased()
        return options.first { $0.name.lowercased() == key }?.value
    }

    public mutating func append(_ name: String, _ value: String) {
        options.append(TFTPOption(name, value))
    }

    public var description: String { options.map(\.description).joined(separator: " ") }
}
