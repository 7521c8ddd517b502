/// The options of a message, in order, one entry per code.
///
/// Order matters on the wire (the Pi firmware reads options in sequence, and a responder
/// puts the options it cannot do without first), so this is an ordered list rather than a
/// dictionary. Messages carry a few dozen options at most, so lookups scan the list: no
/// hashing, one allocation for the list itself.
///
/// The framing codes pad (0), option overload (52) and end (255) are never stored: the
/// codec reads and writes them itself. Storing one is a programming error and traps.
///
/// A `Sequence`, not a `Collection`: an integer position subscript would make
/// `options[53]` mean "the 54th option" instead of option 53.
public struct DHCPOptions: Hashable, Sendable, Sequence {
    private var storage: [DHCPOption]

    public init() { storage = [] }

    /// Builds the list from options in order; a repeated code is concatenated onto its first
    /// occurrence, as RFC 3396 reads repeated codes on the wire.
    public init(_ options: some Sequence<DHCPOption>) {
        storage = []
        for option in options { append(option.code, option.value) }
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    public func makeIterator() -> IndexingIterator<[DHCPOption]> { storage.makeIterator() }

    /// The value of `code`, or nil when absent. Setting replaces the value in place (the
    /// option keeps its position), appends a new option at the end, or removes it (nil).
    public subscript(code: DHCPOptionCode) -> [UInt8]? {
        get { storage.first { $0.code == code }?.value }
        set {
            Self.requireStorable(code)
            let index = storage.firstIndex { $0.code == code }
            switch (index, newValue) {
            case let (index?, value?): storage[index].value = value
            case let (index?, nil): storage.remove(at: index)
            case let (nil, value?): storage.append(DHCPOption(code, value))
            case (nil, nil): break
            }
        }
    }

    public func contains(_ code: DHCPOptionCode) -> Bool {
        storage.contains { $0.code == code }
    }

    /// Appends `value` to the option `code`, creating it at the end if absent: the RFC 3396
    /// rule for a code that appears more than once.
    public mutating func append(_ code: DHCPOptionCode, _ value: some Sequence<UInt8>) {
        Self.requireStorable(code)
        if let index = storage.firstIndex(where: { $0.code == code }) {
            storage[index].value.append(contentsOf: value)
        } else {
            storage.append(DHCPOption(code, Array(value)))
        }
    }

    /// Removes the last option whose code is not in `mandatory`; returns its code, or nil
    /// when every option left is mandatory.
    mutating func removeLastDroppable(keeping mandatory: Set<DHCPOptionCode>) -> DHCPOptionCode? {
        guard let index = storage.lastIndex(where: { !mandatory.contains($0.code) }) else { return nil }
        return storage.remove(at: index).code
    }

    static func isFraming(_ code: DHCPOptionCode) -> Bool {
        code == .pad || code == .end || code == .optionOverload
    }

    private static func requireStorable(_ code: DHCPOptionCode) {
        precondition(!isFraming(code), "option \(code) is framing, written by the codec itself")
    }
}

// MARK: - Wire format

extension DHCPOptions {
    /// Reads one option area, concatenating repeated codes (RFC 3396) onto what earlier
    /// areas held. Returns the value of option overload (52), concatenated like any other,
    /// if the area holds one: only the options field's counts (RFC 2132 section 9.3).
    ///
    /// The options field must end with an end option (RFC 2131 section 4.1); the `file` and
    /// `sname` fields may simply run out, since their size is fixed and some clients fill
    /// them to the last byte.
    @discardableResult
    mutating func decodeArea(_ area: ArraySlice<UInt8>, _ kind: DHCPOptionArea) throws(DHCPDecodingError) -> [UInt8]? {
        var overload: [UInt8]?
        var index = area.startIndex
        while index < area.endIndex {
            let code = DHCPOptionCode(area[index])
            if code == .pad {
                index += 1
                continue
            }
            if code == .end { return overload }
            guard index + 1 < area.endIndex else { throw .optionOverrun(code: code, area: kind) }
            let valueStart = index + 2
            let valueEnd = valueStart + Int(area[index + 1])
            guard valueEnd <= area.endIndex else { throw .optionOverrun(code: code, area: kind) }
            if code == .optionOverload {
                overload = (overload ?? []) + area[valueStart..<valueEnd]
            } else {
                append(code, area[valueStart..<valueEnd])
            }
            index = valueEnd
        }
        if kind == .options { throw .missingEndOption }
        return overload
    }

    /// The encoded size of `option` alone: one code-length header per 255-byte piece.
    static func encodedLength(of option: DHCPOption) -> Int {
        let pieces = Swift.max(1, (option.value.count + 254) / 255)
        return option.value.count + 2 * pieces
    }

    /// Each option as the pieces it is written in: RFC 3396 splits values over 255 bytes
    /// into consecutive options with the same code.
    static func forEachPiece(of option: DHCPOption, _ body: (ArraySlice<UInt8>) -> Bool) -> Bool {
        var remaining = option.value[...]
        repeat {
            let piece = remaining.prefix(255)
            guard body(piece) else { return false }
            remaining = remaining.dropFirst(piece.count)
        } while !remaining.isEmpty
        return true
    }
}
