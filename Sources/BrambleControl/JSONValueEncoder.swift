/// Turns an `Encodable` into a ``JSONValue`` through the standard library's `Encoder`
/// protocol, so the synthesized and hand-written `encode(to:)` of the control types work as
/// they did with Foundation's `JSONEncoder`: optionals `encode`d are `null`, those
/// `encodeIfPresent`ed are left out, a value asking for no container is `{}`, and a
/// non-finite floating-point number is an `EncodingError.invalidValue` (JSON has none).
struct JSONValueEncoder: Encoder, SingleValueEncodingContainer {
    /// What one encoder (and the containers it hands out) builds: a reference, because
    /// containers are values that outlive the call which made them.
    final class Node {
        enum Shape { case empty, scalar(JSONValue), object, array }
        var shape = Shape.empty
        var members: [String: Node] = [:]
        var elements: [Node] = []

        var value: JSONValue {
            switch shape {
            case .empty: .object([:])
            case .scalar(let value): value
            case .object: .object(members.mapValues(\.value))
            case .array: .array(elements.map(\.value))
            }
        }
    }

    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func encode(_ value: some Encodable) throws -> JSONValue {
        let root = Node()
        try value.encode(to: JSONValueEncoder(node: root, codingPath: []))
        return root.value
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.shape {} else { node.shape = .object; node.members = [:] }
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.shape {} else { node.shape = .array; node.elements = [] }
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: One value, in place.

    func encodeNil() { node.shape = .scalar(.null) }
    func encode(_ value: Bool) { node.shape = .scalar(.bool(value)) }
    func encode(_ value: String) { node.shape = .scalar(.string(value)) }
    func encode(_ value: Double) throws { node.shape = .scalar(try Self.number(value, codingPath)) }
    func encode(_ value: Float) throws { node.shape = .scalar(try Self.number(value, codingPath)) }
    func encode(_ value: Int) { node.shape = .scalar(.number(String(value))) }
    func encode(_ value: Int8) { node.shape = .scalar(.number(String(value))) }
    func encode(_ value: Int16) { node.shape = .scalar(.number(String(value))) }
    func encode(_ value: Int32) { node.shape = .scalar(.number(String(value))) }
    func encode(_ value: Int64) { node.shape = .scalar(.number(String(value))) }
    func encode(_ value: UInt) { node.shape = .scalar(.number(String(value))) }
    func encode(_ value: UInt8) { node.shape = .scalar(.number(String(value))) }
    func encode(_ value: UInt16) { node.shape = .scalar(.number(String(value))) }
    func encode(_ value: UInt32) { node.shape = .scalar(.number(String(value))) }
    func encode(_ value: UInt64) { node.shape = .scalar(.number(String(value))) }
    func encode<T: Encodable>(_ value: T) throws { try value.encode(to: self) }

    /// The shortest text that reads back as the same number (the standard library's
    /// `description`), without a trailing `.0`, as Foundation writes it.
    static func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, _ codingPath: [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: codingPath, debugDescription: "\(value) is not a JSON number"))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return .number(text)
    }

    /// The encoder for a new member or element of `node`.
    fileprivate static func child(_ codingPath: [any CodingKey]) -> JSONValueEncoder { JSONValueEncoder(node: Node(), codingPath: codingPath) }

    // MARK: Containers.

    private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [any CodingKey]

        private func member(_ key: any CodingKey) -> JSONValueEncoder {
            let encoder = JSONValueEncoder.child(codingPath + [key])
            node.members[key.stringValue] = encoder.node
            return encoder
        }

        mutating func encodeNil(forKey key: Key) { member(key).encodeNil() }
        mutating func encode(_ value: Bool, forKey key: Key) { member(key).encode(value) }
        mutating func encode(_ value: String, forKey key: Key) { member(key).encode(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { try member(key).encode(value) }
        mutating func encode(_ value: Float, forKey key: Key) throws { try member(key).encode(value) }
        mutating func encode(_ value: Int, forKey key: Key) { member(key).encode(value) }
        mutating func encode(_ value: Int8, forKey key: Key) { member(key).encode(value) }
        mutating func encode(_ value: Int16, forKey key: Key) { member(key).encode(value) }
        mutating func encode(_ value: Int32, forKey key: Key) { member(key).encode(value) }
        mutating func encode(_ value: Int64, forKey key: Key) { member(key).encode(value) }
        mutating func encode(_ value: UInt, forKey key: Key) { member(key).encode(value) }
        mutating func encode(_ value: UInt8, forKey key: Key) { member(key).encode(value) }
        mutating func encode(_ value: UInt16, forKey key: Key) { member(key).encode(value) }
        mutating func encode(_ value: UInt32, forKey key: Key) { member(key).encode(value) }
        mutating func encode(_ value: UInt64, forKey key: Key) { member(key).encode(value) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try member(key).encode(value) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            member(key).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { member(key).unkeyedContainer() }
        mutating func superEncoder() -> any Encoder { member(SuperKey()) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { member(key) }
    }

    private struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]
        var count: Int { node.elements.count }

        private func element() -> JSONValueEncoder {
            let encoder = JSONValueEncoder.child(codingPath + [IndexKey(intValue: count)])
            node.elements.append(encoder.node)
            return encoder
        }

        mutating func encodeNil() { element().encodeNil() }
        mutating func encode(_ value: Bool) { element().encode(value) }
        mutating func encode(_ value: String) { element().encode(value) }
        mutating func encode(_ value: Double) throws { try element().encode(value) }
        mutating func encode(_ value: Float) throws { try element().encode(value) }
        mutating func encode(_ value: Int) { element().encode(value) }
        mutating func encode(_ value: Int8) { element().encode(value) }
        mutating func encode(_ value: Int16) { element().encode(value) }
        mutating func encode(_ value: Int32) { element().encode(value) }
        mutating func encode(_ value: Int64) { element().encode(value) }
        mutating func encode(_ value: UInt) { element().encode(value) }
        mutating func encode(_ value: UInt8) { element().encode(value) }
        mutating func encode(_ value: UInt16) { element().encode(value) }
        mutating func encode(_ value: UInt32) { element().encode(value) }
        mutating func encode(_ value: UInt64) { element().encode(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try element().encode(value) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            element().container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { element().unkeyedContainer() }
        mutating func superEncoder() -> any Encoder { element() }
    }
}

/// Where `superEncoder()` and `superDecoder()` put a superclass's values, as Foundation does.
struct SuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }

    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}

/// An array element's place in a coding path.
struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { intValue.map { "Index \($0)" } ?? "" }

    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
