import BrambleLab
import Foundation
import Testing

/// `bramble demo` end to end: it builds its own namespaces, boots simulated Pis from the
/// real `bramble serve`, and leaves nothing behind, also when it is interrupted.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct DemoCommandTests {
    /// The demo's namespaces, from the `... in namespace bdemoPID-hub` line it prints first.
    static func prefix(in output: String) -> String? {
        guard let range = output.range(of: "in namespace bdemo") else { return nil }
        let name = output[range.upperBound...].prefix { $0 != "-" }
        return "bdemo" + name + "-"
    }

    static func workDirectory(in output: String) -> String? {
        guard let range = output.range(of: "files in ") else { return nil }
        return String(output[range.upperBound...].prefix { $0 != ")" && $0 != "\n" })
    }

    /// Demo namespaces left behind: those of a demo process (`bdemoPID-...`) that no longer
    /// runs. Another suite's demo (the dashboard's browser test) may run at the same time,
    /// and its live namespaces are not leftovers.
    static func demoNamespaces() throws -> Set<String> {
        Set(try NetworkLab.leftoverNamespaces(prefix: "bdemo").filter { name in
            guard let pid = Int32(name.dropFirst("bdemo".count).prefix { $0.isNumber }) else { return true }
            return kill(pid, 0) != 0 && errno == ESRCH
        })
    }

    /// What README's first command runs: the default 48-node module, every bay's Pi booted
    /// to `up` with no failure, then nothing left behind.
    @Test("bramble demo boots all 48 nodes, reports each, and removes its namespaces and files")
    func theWholeModuleBoots() throws {
        let before = try Self.demoNamespaces()
        let result = try NetworkLab.execute(
            [ServerUnderTest.executable.path, "demo", "--time-limit", "240s"], timeout: 300)
        let output = result.output
        #expect(result.status == 0, "\(output)")
        #expect(output.contains("48 simulated Pis (16 Pi 3B, 16 Pi 3B+, 16 Pi 4B)"), "\(output)")
        for node in 1...48 {
            let name = String(format: "node%02d", node)
            #expect(output.contains("\(name) up in "), "\(name): \(output)")
        }
        #expect(output.contains("48 of 48 nodes up, 0 failed"), "\(output)")
        #expect(output.contains("bramble status agrees with the simulators on every node: 48 up"), "\(output)")
        #expect(output.contains("bramble status: "), "the live view shows the daemon's stages")
        #expect(output.contains("bramble serve sent"), "\(output)")
        #expect(output.contains("CPU s, peak RSS"), "\(output)")
        #expect(!output.contains("FAILED"))
        let prefix = try #require(Self.prefix(in: output))
        #expect(try NetworkLab.leftoverNamespaces(prefix: prefix).isEmpty)
        #expect(try Self.demoNamespaces() == before, "no demo namespace left behind")
        let directory = try #require(Self.workDirectory(in: output))
        #expect(!FileManager.default.fileExists(atPath: directory), "the temporary directory is removed")
    }

    /// `--models` mixes the newer boards into the module: the Pi 4 bootloader's CM4, and the
    /// Pi 5 and CM5, which read no start*.elf, boot to `up` beside Pi 3s.
    @Test("bramble demo --models boots a module mixing CM4s, Pi 5s and CM5s with Pi 3s to up")
    func mixedModelsBoot() throws {
        let before = try Self.demoNamespaces()
        let result = try NetworkLab.execute(
            [ServerUnderTest.executable.path, "demo", "--models", "3b+,cm4,5b,cm5", "--nodes", "8", "--interval", "0.2s",
             "--time-limit", "120s"], timeout: 180)
        let output = result.output
        #expect(result.status == 0, "\(output)")
        #expect(output.contains("8 simulated Pis (2 Pi 3B+, 2 CM4, 2 Pi 5B, 2 CM5)"), "\(output)")
        for (bay, model) in [(1, "Pi 3B+"), (13, "CM4"), (25, "Pi 5B"), (37, "CM5"), (38, "CM5")] {
            let name = String(format: "node%02d", bay)
            #expect(output.contains("\(name) up in "), "\(name): \(output)")
            #expect(output.split(separator: "\n").contains { $0.contains(" \(name)  \(model) ") && $0.contains("up in") },
                    "the table names \(name)'s board: \(output)")
        }
        #expect(output.contains("8 of 8 nodes up, 0 failed"), "\(output)")
        #expect(output.contains("bramble status agrees with the simulators on every node: 8 up"), "\(output)")
        #expect(try Self.demoNamespaces() == before, "no demo namespace left behind")
    }

    @Test("SIGINT and SIGTERM stop the demo at once and it removes its namespaces and files", arguments: [SIGINT, SIGTERM])
    func interrupted(signal: Int32) throws {
        let before = try Self.demoNamespaces()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bramble-demo-test-\(getpid())-\(signal).out")
        #expect(FileManager.default.createFile(atPath: output.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = ServerUnderTest.executable
        process.arguments = ["demo", "--nodes", "12", "--interval", "1s"]
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while !text.contains("powering on") && process.isRunning && Date() < deadline {
            usleep(100_000)
            text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        }
        usleep(1_500_000)  // a few Pis are booting now
        let prefix = try #require(Self.prefix(in: text), "\(text)")
        #expect(try !NetworkLab.leftoverNamespaces(prefix: prefix).isEmpty, "the demo's namespaces exist while it runs")
        kill(process.processIdentifier, signal)
        let stopDeadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < stopDeadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 1, "\(text)")
        #expect(text.contains("interrupted; every namespace and temporary file was removed"), "\(text)")
        #expect(try NetworkLab.leftoverNamespaces(prefix: prefix).isEmpty, "\(text)")
        #expect(try Self.demoNamespaces() == before)
        let directory = try #require(Self.workDirectory(in: text))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("nodes that fail are named with their reason, the demo exits 1 and still removes everything, also what a killed demo left")
    func failingNodes() throws {
        let before = try Self.demoNamespaces()
        // A namespace of a demo killed with SIGKILL (no process has this pid).
        let abandoned = "bdemo4194302-sw"
        #expect(try NetworkLab.execute(["ip", "netns", "add", abandoned], timeout: 10).status == 0)
        let simulator = FileManager.default.temporaryDirectory.appendingPathComponent("bramble-demo-failing-\(getpid()).py")
        try """
            import json
            print(json.dumps({"step": "power-on", "stage": "rom-dhcp", "t": 0}))
            print(json.dumps({"step": "result", "stage": "rom-dhcp", "t": 5, "ok": False, "failed": "rom-dhcp",
                              "reason": "no DHCPOFFER after 5 DISCOVERs 5 s apart"}))
            raise SystemExit(1)
            """.write(to: simulator, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: simulator) }
        let result = try NetworkLab.execute(
            [ServerUnderTest.executable.path, "demo", "--nodes", "2", "--interval", "0.1s", "--simulator", simulator.path], timeout: 60)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("removed 1 namespaces left by an earlier demo that was killed"), "\(result.output)")
        #expect(result.output.contains("node01 FAILED at rom-dhcp: no DHCPOFFER after 5 DISCOVERs 5 s apart"), "\(result.output)")
        #expect(result.output.contains("0 of 2 nodes up, 2 failed"))
        #expect(result.output.contains("bramble demo: 2 of 2 nodes did not come up"))
        let prefix = try #require(Self.prefix(in: result.output))
        #expect(try NetworkLab.leftoverNamespaces(prefix: prefix).isEmpty)
        #expect(try Self.demoNamespaces() == before)
        let directory = try #require(Self.workDirectory(in: result.output))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("without root it says so in one line and exits 1")
    func needsRoot() throws {
        let result = try NetworkLab.execute(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                             ServerUnderTest.executable.path, "demo", "--nodes", "2"], timeout: 30)
        #expect(result.status == 1)
        #expect(result.output == "bramble demo: needs root to create network namespaces (run it with sudo)\n", "\(result.output)")
    }
}
