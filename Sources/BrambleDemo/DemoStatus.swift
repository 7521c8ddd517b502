import Foundation

/// The hub's own view of the boots: `bramble status` run against the demo's config, through
/// the daemon's control socket (a file in the state directory, so it answers from outside
/// the hub's namespace). Read through the command line and its JSON contract only, so the
/// demo shows exactly what an operator would see. While the Pis boot it runs in the
/// background, one at a time, so a slow answer never holds up the power-on sequence.
final class DemoStatus {
    /// `bramble status --json`, as the contract defines it.
    struct Report: Decodable {
        struct Node: Decodable {
            var id: Int
            var name: String
            var stage: String
            var bootMilliseconds: Int?
            var reboots: Int
            var lastError: String?
        }

        var now: Int
        var nodes: [Node]
        var summary: [String: Int]

        /// "3 up, 1 loader, 2 waiting": the stages with nodes in them, furthest first.
        var counts: String {
            DemoNodeProgress.stages.reversed().compactMap { stage in
                summary[stage].flatMap { $0 > 0 ? "\($0) \(stage)" : nil }
            }.joined(separator: ", ")
        }
    }

    enum Answer {
        case table(String)
        case report(Report)
        /// `bramble status` failed (no such command, no daemon): the reason, in one line.
        case unavailable(String)
    }

    let executable: String
    let configPath: String
    private let outputPath: String
    private var running: (process: Process, json: Bool)?

    init(executable: String, configPath: String, outputPath: String) {
        self.executable = executable
        self.configPath = configPath
        self.outputPath = outputPath
    }

    /// Starts `bramble status` (`--json` for a report) unless one is still running.
    func request(json: Bool) {
        guard running == nil else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["status", "--config", configPath] + (json ? ["--json"] : [])
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
              let handle = FileHandle(forWritingAtPath: outputPath) else { return }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
            running = (process, json)
        } catch {
            running = nil
        }
        try? handle.close()
    }

    /// The answer of the last request once it has ended, else nil.
    func collect() -> Answer? {
        guard let (process, json) = running, !process.isRunning else { return nil }
        running = nil
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            return .unavailable("bramble status: " + (text.split(separator: "\n").first.map(String.init) ?? "exit status \(process.terminationStatus)"))
        }
        guard json else { return .table(text) }
        guard let report = try? JSONDecoder().decode(Report.self, from: Data(text.utf8)) else {
            return .unavailable("bramble status --json printed something other than its JSON object: \(text.prefix(120))")
        }
        return .report(report)
    }

    /// Asks for a report and waits for it (at most `timeout` seconds), for the final table.
    func report(timeout: Double = 15) -> Result<Report, DemoError> {
        if let (process, _) = running { DemoCluster.stop(process, grace: 1) }
        running = nil
        request(json: true)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            switch collect() {
            case .report(let report)?: return .success(report)
            case .unavailable(let reason)?: return .failure(DemoError(reason))
            case .table?: return .failure(DemoError("bramble status printed a table, not JSON"))
            case nil: usleep(20_000)
            }
        }
        if let (process, _) = running { DemoCluster.stop(process, grace: 1) }
        running = nil
        return .failure(DemoError("bramble status did not answer within \(Int(timeout)) s"))
    }

    /// Stops a request still running (the demo is ending).
    func cancel() {
        if let (process, _) = running { DemoCluster.stop(process, grace: 1) }
        running = nil
    }
}
