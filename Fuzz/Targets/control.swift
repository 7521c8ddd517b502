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
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControl(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    where line.count <= ControlLine.maximumRequestLength {
        roundTrip(ControlRequest.self, line)
        roundTrip(ControlResponse.self, line)
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
