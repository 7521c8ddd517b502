import BrambleBoot
import BrambleControl

/// The pacing of `bramble power-on`, from status reports: which bay to power next so that at
/// most `maxBooting` nodes are booting at once. Pure: reports and times in, decisions out.
///
/// A node counts as booting from its power-on until its kernel asks for an address (the
/// TFTP-heavy stages are over by then), or until `timeout` passes; a node this run did not
/// power counts while it is in the firmware, loader or kernel stage. A powered node's
/// stage counts only once it changed after the power-on (the report still shows its
/// previous boot until its ROM asks again).
struct PowerOnPacing {
    let maxBooting: Int
    let timeout: Int64
    private(set) var queue: [Int]
    private(set) var poweredAt: [Int: Int64] = [:]
    private(set) var outcomes: [Int: Outcome] = [:]
    private(set) var peakBooting = 0

    enum Outcome: Equatable {
        case up(milliseconds: Int64)
        case timedOut(stage: BootStage)
    }

    /// What to do now: bays to power (in order) and lines to print.
    struct Step: Equatable {
        var powerOn: [Int] = []
        var notes: [String] = []
    }

    init(ids: [Int], maxBooting: Int, timeout: Int64) {
        queue = ids
        self.maxBooting = maxBooting
        self.timeout = timeout
    }

    var isFinished: Bool { queue.isEmpty && outcomes.count == poweredAt.count }

    /// The stage a node is in for this run: its fresh stage, or waiting.
    func freshStage(_ node: NodeStatus) -> BootStage {
        guard let powered = poweredAt[node.id] else { return node.stage }
        guard let since = node.stageSince, since >= powered else { return .waiting }
        return node.stage
    }

    func isBooting(_ node: NodeStatus) -> Bool {
        guard poweredAt[node.id] != nil else { return (BootStage.firmware...BootStage.kernel).contains(node.stage) }
        return outcomes[node.id] == nil && freshStage(node) < .kernelDHCP
    }

    mutating func step(_ report: StatusReport, now: Int64) -> Step {
        var step = Step()
        for node in report.nodes {
            guard let powered = poweredAt[node.id], outcomes[node.id] == nil else { continue }
            let stage = freshStage(node)
            if stage == .up {
                let milliseconds = node.bootMilliseconds ?? (now - powered)
                outcomes[node.id] = .up(milliseconds: milliseconds)
                step.notes.append("\(node.name): up, booted in \(StatusTable.duration(milliseconds))")
            } else if now - powered >= timeout {
                outcomes[node.id] = .timedOut(stage: stage)
                step.notes.append("\(node.name): not up \(StatusTable.duration(timeout)) after power-on, stuck at \(stage)\(node.lastError.map { ": \($0)" } ?? "")")
            }
        }
        var booting = report.nodes.filter { isBooting($0) }.count
        // Bays powered this run but missing from the report (not in the node map) count too.
        booting += poweredAt.keys.filter { id in outcomes[id] == nil && !report.nodes.contains { $0.id == id } }.count
        while booting < maxBooting, !queue.isEmpty {
            let id = queue.removeFirst()
            step.powerOn.append(id)
            poweredAt[id] = now
            booting += 1
        }
        peakBooting = max(peakBooting, booting)
        return step
    }

    /// A bay whose power command failed: reported, never waited for.
    mutating func powerFailed(_ id: Int) {
        outcomes[id] = .timedOut(stage: .waiting)
    }
}
