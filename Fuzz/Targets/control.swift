import BrambleControl

/// `control`: the control socket's line protocol. The input is split into lines as
/// ControlConnection splits what a client sends (over-long lines refused unread); each line
/// is decoded as a request, as the daemon does, and as a response, as `bramble status` and
/// `bramble logs --follow` do with what the daemon sends.
///
/// Invariants: decoding is total (a value or an error); whatever decodes encodes to
/// exactly one line (one newline, at the end) that decodes back to the same value; a
/// request for a command the daemon lacks is an ``UnknownControlCommand`` that repeats at
/// most 64 characters of it and names every command of the protocol. Protocol 2's shapes
/// (`hello`, `counters` and their answers, a ``DurationHistogram``) are seeded in
/// Fuzz/Seeds/control.
///
/// The JSON itself is BrambleControl's own (``JSONText``, not Foundation's): each line is
/// also read as any JSON value through every kind of `Decoder` container (``AnyJSON``), and
/// whatever reads writes to one line, compact and pretty, that reads back to the same value;
/// and what is refused is a `DecodingError`, nothing else.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControl(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    where line.count <= ControlLine.maximumRequestLength {
        roundTrip(ControlRequest.self, line)
        roundTrip(ControlResponse.self, line)
        roundTrip(AnyJSON.self, line)
        checkPretty(line)
        checkUnknownCommand(line)
    }
    return 0
}

private func roundTrip<Value: Codable & Equatable>(_ type: Value.Type, _ line: ArraySlice<UInt8>) {
    guard let value = try? ControlLine.decode(type, from: line) else { return }
    let encoded: [UInt8]
    do {
        encoded = try ControlLine.encode(value)
    } catch {
        invariant(false, "a decoded \(type) does not encode: \(error); line \(hexText(line))")
        return
    }
    invariant(encoded.last == UInt8(ascii: "\n") && encoded.dropLast().allSatisfy { $0 != UInt8(ascii: "\n") },
              "a \(type) encodes to more than one line: \(hexText(encoded))")
    let again = try? ControlLine.decode(type, from: encoded.dropLast())
    invariant(again == value, "a \(type) does not survive encode/decode: line \(hexText(line))")
}

private func checkUnknownCommand(_ line: ArraySlice<UInt8>) {
    do {
        _ = try ControlLine.decode(ControlRequest.self, from: line)
    } catch let unknown as UnknownControlCommand {
        invariant(unknown.name.count <= UnknownControlCommand.maximumEchoedLength, "an unknown command echoes \(unknown.name.count) characters")
        invariant(ControlRequest.Command(rawValue: unknown.name) == nil, "a known command \(unknown.name) refused as unknown")
        invariant(ControlRequest.Command.allCases.allSatisfy { unknown.description.contains($0.rawValue) }, "the error does not name every command: \(unknown)")
    } catch {}
}

private func checkPretty(_ line: ArraySlice<UInt8>) {
    let value: AnyJSON
    do {
        value = try JSONText.decode(AnyJSON.self, from: line)
    } catch is DecodingError {
        return
    } catch {
        invariant(false, "JSON refused with another error than DecodingError: \(error); line \(hexText(line))")
        return
    }
    guard let pretty = try? JSONText.encode(value, pretty: true) else {
        invariant(false, "a decoded JSON value does not encode pretty: line \(hexText(line))")
        return
    }
    invariant((try? JSONText.decode(AnyJSON.self, from: pretty)) == value, "pretty JSON does not read back: line \(hexText(line))")
}

/// Any JSON value, read through the keyed, unkeyed and single-value containers.
private enum AnyJSON: Codable, Equatable {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: Key.self) {
            var members: [String: AnyJSON] = [:]
            for key in keyed.allKeys { members[key.stringValue] = try keyed.decode(AnyJSON.self, forKey: key) }
            self = .object(members)
        } else if var unkeyed = try? decoder.unkeyedContainer() {
            var elements: [AnyJSON] = []
            while !unkeyed.isAtEnd { elements.append(try unkeyed.decode(AnyJSON.self)) }
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
        case .array(let elements):
            var unkeyed = encoder.unkeyedContainer()
            for element in elements { try unkeyed.encode(element) }
        case .object(let members):
            var keyed = encoder.container(keyedBy: Key.self)
            for (key, value) in members { try keyed.encode(value, forKey: Key(stringValue: key)) }
        default:
            var single = encoder.singleValueContainer()
            switch self {
            case .bool(let flag): try single.encode(flag)
            case .integer(let integer): try single.encode(integer)
            case .number(let number): try single.encode(number)
            case .string(let text): try single.encode(text)
            default: try single.encodeNil()
            }
        }
    }
}
