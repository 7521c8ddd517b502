import BrambleControl
import Testing

/// BrambleControl's own JSON (RFC 8259), which replaced Foundation's JSONEncoder and
/// JSONDecoder so `bramble serve` links no Foundation: what it writes, what it reads, and
/// what it refuses.
@Suite struct JSONTextTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func decode<Value: Decodable>(_ type: Value.Type, _ json: String) throws -> Value {
        try JSONText.decode(type, from: Array(json.utf8))
    }

    struct Sample: Codable, Equatable {
        var name: String
        var count: Int
        var ratio: Double
        var flags: [Bool]
        var note: String?
        var nested: [String: [Int]]
    }

    @Test func writesKeysSortedByteWiseWithoutSpacesOrEscapedSlashes() throws {
        let sample = Sample(name: "a/b", count: -3, ratio: 0.25, flags: [true, false], note: nil, nested: ["b": [], "B": [1], "a_": [2, 3]])
        #expect(text(try JSONText.encode(sample)) == #"{"count":-3,"flags":[true,false],"name":"a/b","nested":{"B":[1],"a_":[2,3],"b":[]},"ratio":0.25}"#)
    }

    @Test func escapesQuotesBackslashesAndEveryControlCharacterSoALineStaysOneLine() throws {
        let value = "q\"b\\n\nr\rt\tb\u{08}f\u{0C}z\u{00}e\u{1F}é🙂\u{7F}"
        let written = text(try JSONText.encode([value]))
        #expect(written == #"["q\"b\\n\nr\rt\tb\bf\fz\u0000e\u001fé🙂"# + "\u{7F}\"]")
        #expect(try decode([String].self, written) == [value])
    }

    @Test func writesNumbersAsTheShortestTextThatReadsBackTheSame() throws {
        #expect(text(try JSONText.encode([1.0, 0.1, -0.5, 1e300, 5e-324])) == "[1,0.1,-0.5,1e+300,5e-324]")
        #expect(text(try JSONText.encode([Int64.min, Int64.max])) == "[-9223372036854775808,9223372036854775807]")
        #expect(text(try JSONText.encode([UInt64.max])) == "[18446744073709551615]")
        for value in [Double.nan, .infinity, -.infinity] {
            #expect(throws: EncodingError.self) { try JSONText.encode(["x": value]) }
        }
    }

    @Test func prettyTextIsOneMemberALineIndentedByTwoSpaces() throws {
        let written = text(try JSONText.encode([["b": 1, "a": 2], [:]], pretty: true))
        #expect(written == "[\n  {\n    \"a\" : 2,\n    \"b\" : 1\n  },\n  {}\n]")
    }

    @Test func readsWhitespaceEscapesAndSurrogatePairs() throws {
        let read = try decode([String: String].self, " {\"a\" :\t\"\\u00e9\\ud83d\\ude42\\/\" ,\r\n\"b\":\"\"} ")
        #expect(read == ["a": "é🙂/", "b": ""])
        #expect(try decode([String: Int].self, #"{"k":1,"k":2}"#) == ["k": 2], "a repeated key keeps its last value")
    }

    @Test func readsIntegersWrittenWithAFractionOrExponentWhenTheyAreWhole() throws {
        #expect(try decode([Int].self, "[0, -0, 1.0, 2e3, 1E+2, 9223372036854775807]") == [0, 0, 1, 2000, 100, Int.max])
        #expect(try decode([Double].self, "[0.5, -1e-2, 3]") == [0.5, -0.01, 3])
        #expect(try decode([UInt8].self, "[255]") == [255])
    }

    @Test func refusesNumbersTheTypeCannotHold() {
        for json in ["[1.5]", "[9223372036854775808]", "[1e30]"] {
            #expect(throws: DecodingError.self, "\(json) as Int") { try decode([Int].self, json) }
        }
        #expect(throws: DecodingError.self) { try decode([UInt8].self, "[256]") }
        #expect(throws: DecodingError.self) { try decode([UInt].self, "[-1]") }
        #expect(throws: DecodingError.self, "not finite as a Double") { try decode([Double].self, "[1e999]") }
        #expect(throws: DecodingError.self) { try decode([Float].self, "[1e39]") }
    }

    @Test func refusesWhatIsNotJSONWithTheByteItStoppedAt() {
        let invalid = [
            "", " ", "{", "[1,]", "{\"a\":1,}", "[01]", "[+1]", "[.5]", "[1.]", "[1e]", "[-]", "[NaN]", "[Infinity]", "tru", "nul",
            "{a:1}", "{'a':1}", "[1] [2]", "[1]x", "\"a\tb\"", "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\ud800\\u0041\"",
            "\"\\udc00\"", "\"abc", "[1 2]", "{\"a\" 1}", "// comment\n1",
        ]
        for json in invalid {
            #expect(throws: DecodingError.self, "\(json.debugDescription)") { try decode(JSONShape.self, json) }
        }
        #expect(throws: DecodingError.self, "not UTF-8") { try JSONText.decode(String.self, from: [0x22, 0xC3, 0x28, 0x22]) }
        do {
            _ = try decode([Int].self, "[1,,2]")
            Issue.record("[1,,2] read")
        } catch let DecodingError.dataCorrupted(context) {
            let syntax = context.underlyingError as? JSONSyntaxError
            #expect(syntax?.offset == 3 && syntax?.reason == "no JSON value starts here", "\(context)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func nestingIsBoundedSoHostileInputCannotExhaustTheStack() throws {
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try decode(JSONShape.self, deepest) != .null)
        let deeper = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: DecodingError.self) { try decode(JSONShape.self, deeper) }
        #expect(throws: DecodingError.self) { try decode(JSONShape.self, String(repeating: "[", count: 100_000)) }
    }

    @Test func shapeMismatchesAndMissingKeysAreDecodingErrors() throws {
        #expect(throws: DecodingError.self) { try decode(Sample.self, #"{"name":"n"}"#) }
        #expect(throws: DecodingError.self) { try decode([String].self, "[1]") }
        #expect(throws: DecodingError.self) { try decode([Int].self, #"{"a":1}"#) }
        #expect(throws: DecodingError.self) { try decode([String: Int].self, "[1]") }
        #expect(throws: DecodingError.self) { try decode(Bool.self, "1") }
        let sample = try decode(Sample.self, #"{"name":"n","count":1,"ratio":1,"flags":[],"nested":{},"unknown":[{"x":null}],"note":null}"#)
        #expect(sample == Sample(name: "n", count: 1, ratio: 1, flags: [], note: nil, nested: [:]), "unknown keys ignored, null is nil")
    }

    @Test func everyShapeOfJSONSurvivesAReadAndAWrite() throws {
        let json = #"{"a":[null,true,false,0,-1.5,"s",{"b":{}},[]],"c":"\u0001","d":123456789012}"#
        let shape = try decode(JSONShape.self, json)
        #expect(text(try JSONText.encode(shape)) == json)
        #expect(try JSONText.decode(JSONShape.self, from: JSONText.encode(shape)) == shape)
    }
}

/// Any JSON value, read and written through the Decoder and Encoder protocols' every
/// container kind, as the `control` fuzz target does.
enum JSONShape: Codable, Equatable {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONShape]), object([String: JSONShape])

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: Key.self) {
            var members: [String: JSONShape] = [:]
            for key in keyed.allKeys { members[key.stringValue] = try keyed.decode(JSONShape.self, forKey: key) }
            self = .object(members)
        } else if var unkeyed = try? decoder.unkeyedContainer() {
            var elements: [JSONShape] = []
            while !unkeyed.isAtEnd { elements.append(try unkeyed.decode(JSONShape.self)) }
            self = .array(elements)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let flag = try? single.decode(Bool.self) {
                self = .bool(flag)
            } else if let integer = try? single.decode(Int64.self) {
                self = .integer(integer)
            } else if let number = try? single.decode(Double.self) {
                self = .number(number)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let flag):
            var single = encoder.singleValueContainer()
            try single.encode(flag)
        case .integer(let integer):
            var single = encoder.singleValueContainer()
            try single.encode(integer)
        case .number(let number):
            var single = encoder.singleValueContainer()
            try single.encode(number)
        case .string(let text):
            var single = encoder.singleValueContainer()
            try single.encode(text)
        case .array(let elements):
            var unkeyed = encoder.unkeyedContainer()
            for element in elements { try unkeyed.encode(element) }
        case .object(let members):
            var keyed = encoder.container(keyedBy: Key.self)
            for (key, value) in members { try keyed.encode(value, forKey: Key(stringValue: key)) }
        }
    }
}
