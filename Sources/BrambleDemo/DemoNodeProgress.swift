import BrambleBoot
import Foundation

/// One simulated Pi's boot as its simulator (scripts/lib/fakepi.py) reports it: one JSON
/// line per step, read incrementally from the file its output goes to.
struct DemoNodeProgress {
    /// The boot stages in order, named as `bramble status` names them.
    static let stages = BootStage.allCases.map(\.description)

    enum Outcome: Equatable {
        case up(bootMilliseconds: Int)
        case failed(step: String, reason: String)
    }

    let bay: DemoBay
    /// Seconds after the demo's first power-on at which this bay was powered on.
    var poweredOn: Double?
    var stage = "waiting"
    /// Milliseconds since power-on of the last step reported.
    var lastReport = 0
    var bytes = 0
    var outcome: Outcome?
    private var consumed = 0

    init(bay: DemoBay) { self.bay = bay }

    /// One line of the simulator's output; the keys fakepi.py writes.
    private struct Line: Decodable {
        var step: String
        var stage: String?
        var t: Int
        var ok: Bool?
        var failed: String?
        var reason: String?
        var bytes: Int?
        var bootMs: Int?
    }

    /// Reads what the simulator wrote since the last call (whole lines only).
    mutating func update(from path: String) {
        guard let data = FileManager.default.contents(atPath: path), data.count > consumed else { return }
        let fresh = data[(data.startIndex + consumed)...]
        guard let end = fresh.lastIndex(of: UInt8(ascii: "\n")) else { return }
        consumed = end - data.startIndex + 1
        for text in fresh[..<end].split(separator: UInt8(ascii: "\n")) {
            absorb(Data(text))
        }
    }

    private mutating func absorb(_ text: Data) {
        guard let line = try? JSONDecoder().decode(Line.self, from: text) else { return }
        lastReport = line.t
        if let stage = line.stage { self.stage = stage }
        guard line.step == "result" else { return }
        bytes = line.bytes ?? 0
        if line.ok == true {
            outcome = .up(bootMilliseconds: line.bootMs ?? line.t)
        } else {
            outcome = .failed(step: line.failed ?? line.stage ?? "?", reason: line.reason ?? "no reason given")
        }
    }

    /// Marks a simulator that ended without its result line (killed, crashed).
    mutating func ended(status: Int32) {
        guard outcome == nil else { return }
        outcome = .failed(step: stage, reason: "the simulator exited with status \(status) and no result")
    }
}
