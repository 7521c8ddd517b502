import BrambleBoot
import BrambleControl
import BrambleWebCore

/// `web`: what `bramble web` reads from outside. A mode byte picks the input:
/// 0: the daemon's answers, cut into pieces at fuzzed points, through `ControlLineFramer`
///    and decoded as responses, fed to `StageTiming` and the dashboard's model;
/// 1: an `Authorization` header a browser (or anyone) sends, through `BasicCredentials`;
/// 2: a `web-password-file`, through `PasswordHashFile`.
///
/// Invariants: the framer's lines are the input's newline-separated lines (none holding a
/// newline, none past its limit) however the bytes are cut; decoding is total; credentials
/// that decode write back to a header that decodes to the same; a hash that parses is 60
/// characters; stage limits are never below their floor.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWeb(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(fuzzBytes(data, size))
    switch reader.byte() % 3 {
    case 0: daemonAnswers(&reader)
    case 1: authorizationHeader(reader.rest())
    default: passwordFile(reader.rest())
    }
    return 0
}

private func daemonAnswers(_ reader: inout FuzzReader) {
    let limit = Int(reader.uint16() % 512) + 1
    let cuts = reader.byte() % 8
    var pieces: [ArraySlice<UInt8>] = []
    for _ in 0..<cuts { pieces.append(reader.chunk()) }
    pieces.append(reader.rest())
    let whole = Array(pieces.joined())
    var framer = ControlLineFramer(maximumLineLength: limit)
    var lines: [[UInt8]] = []
    var refused = false
    for piece in pieces {
        do {
            lines += try framer.append(piece)
        } catch {
            refused = true
            break
        }
    }
    let expected = whole.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map(Array.init)
    if !refused {
        invariant(lines == expected, "framer lines differ from the input's lines: \(hexText(whole))")
    } else {
        invariant(whole.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).contains { $0.count > limit },
                  "framer refused an input whose lines all fit \(limit): \(hexText(whole))")
    }
    var timing = StageTiming()
    var report: StatusReport?
    for line in lines {
        invariant(line.count <= limit && !line.contains(UInt8(ascii: "\n")), "a framed line is over its limit or holds a newline")
        guard let response = try? ControlLine.decode(ControlResponse.self, from: line) else { continue }
        if let event = response.event { timing.record(event) }
        if let status = response.status { report = status }
    }
    for stage in BootStage.allCases {
        if let floor = StageTiming.floors[stage] { invariant(timing.limit(for: stage).map { $0 >= floor } == true, "stage \(stage) limit below its floor") }
    }
    let model = DashboardModel(report: report, problem: nil, timing: timing)
    invariant(model.bays.count == (report?.nodes.count ?? 0), "the model lost bays")
    for bay in model.bays { invariant(bay.position.bar >= 1 && (1...RackLayout.baysPerBar).contains(bay.position.slot), "a bay off the rack") }
}

private func authorizationHeader(_ bytes: ArraySlice<UInt8>) {
    guard let credentials = try? BasicCredentials(header: bytes) else { return }
    invariant(!credentials.user.contains(":"), "a user name with a colon: \(hexText(bytes))")
    let again = try? BasicCredentials(header: Array(credentials.header.utf8))
    invariant(again == credentials || credentials.header.utf8.count > BasicCredentials.maximumHeaderLength,
              "credentials do not survive header and back: \(hexText(bytes))")
}

private func passwordFile(_ bytes: ArraySlice<UInt8>) {
    guard let file = try? PasswordHashFile(parsing: bytes, path: "fuzz") else { return }
    invariant(file.hash.utf8.count == 60 && file.hash.hasPrefix("$2"), "a parsed hash of the wrong shape: \(hexText(bytes))")
}
