/// A boot file with `{{key}}` placeholders (`cmdline.txt.tmpl`), parsed once and rendered
/// per node.
///
/// Placeholders are `{{key}}` with optional spaces or tabs inside the braces
/// (`{{ ip }}`), on one line. Every other byte is copied as it is, so templates need not
/// be UTF-8 and a single `{` or `}` means itself. Parsing checks every placeholder up
/// front: an unknown key fails the whole file instead of rendering the rest.
public struct BootFileTemplate: Hashable, Sendable {
    private enum Segment: Hashable, Sendable {
        case literal(Range<Int>)
        case placeholder(BootFileTemplateKey)
    }

    public let source: [UInt8]
    private let segments: [Segment]

    public init(parsing source: [UInt8]) throws(BootFileTemplateError) {
        let openBrace = UInt8(ascii: "{")
        let closeBrace = UInt8(ascii: "}")
        let newline = UInt8(ascii: "\n")
        var segments: [Segment] = []
        var line = 1
        var literalStart = 0
        var index = 0
        while index < source.count {
            let byte = source[index]
            if byte == newline { line += 1 }
            guard byte == openBrace, index + 1 < source.count, source[index + 1] == openBrace else {
                index += 1
                continue
            }
            var end = index + 2
            while end + 1 < source.count, source[end] != newline, !(source[end] == closeBrace && source[end + 1] == closeBrace) {
                end += 1
            }
            guard end + 1 < source.count, source[end] == closeBrace, source[end + 1] == closeBrace else {
                throw .unterminatedPlaceholder(line: line)
            }
            let keyText = String(decoding: Self.trimmed(source[(index + 2)..<end]), as: UTF8.self)
            guard let key = BootFileTemplateKey(rawValue: keyText) else { throw .unknownKey(keyText, line: line) }
            if literalStart < index { segments.append(.literal(literalStart..<index)) }
            segments.append(.placeholder(key))
            index = end + 2
            literalStart = index
        }
        if literalStart < source.count { segments.append(.literal(literalStart..<source.count)) }
        self.source = source
        self.segments = segments
    }

    /// The keys the template uses, each once, in order of first use.
    public var keys: [BootFileTemplateKey] {
        var keys: [BootFileTemplateKey] = []
        for case .placeholder(let key) in segments where !keys.contains(key) { keys.append(key) }
        return keys
    }

    public func render(_ values: BootFileTemplateValues) -> BootFileRendering {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(source.count)
        var emptyKeys: [BootFileTemplateKey] = []
        for segment in segments {
            switch segment {
            case .literal(let range):
                bytes.append(contentsOf: source[range])
            case .placeholder(let key):
                if let text = values.text(for: key) {
                    bytes.append(contentsOf: text.utf8)
                } else if !emptyKeys.contains(key) {
                    emptyKeys.append(key)
                }
            }
        }
        return BootFileRendering(bytes: bytes, emptyKeys: emptyKeys)
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return bytes[bytes.startIndex..<bytes.startIndex]
        }
        return bytes[first...last]
    }
}
