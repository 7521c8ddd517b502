import Foundation
import Testing

/// `bramble bmc` as an operator runs it, against scripts/lib/fake-bmc.py on a pty (no root).
@Suite(.serialized) struct BMCCommandLineTests {
    static let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("bramble")

    struct Result {
        let status: Int32
        let output: String
        let errors: String
    }

    /// Runs `bramble ARGS` with a node map and config in the simulator's directory.
    static func bramble(_ arguments: [String], bmc: FakeBMC, nodes: String) throws -> Result {
        let nodesPath = bmc.directory.appendingPathComponent("nodes").path
        try nodes.write(toFile: nodesPath, atomically: true, encoding: .utf8)
        let config = bmc.directory.appendingPathComponent("bramble.conf").path
        try "nodes = \(nodesPath)\nbmc-device = \(bmc.link)\n".write(toFile: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments + ["--config", config]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), errors: String(decoding: err, as: UTF8.self))
    }

    static let nodes = "1 b8:27:eb:00:00:01\n2 b8:27:eb:00:00:02 web02\n3 b8:27:eb:00:00:03 bmc=0a\n"

    @Test func statusTableWithEachNodesBMCID() throws {
        let bmc = try FakeBMC(["--nodes", "0-10", "--on", "2,10"])
        let result = try Self.bramble(["bmc", "status", "1-3"], bmc: bmc, nodes: Self.nodes)
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output == """
            NODE    BMC  ROLE   POWER  CURRENT  FAN
            node01  01   slave  off    00       00
            web02   02   slave  on     1a       62
            node03  0a   slave  on     1a       6a
            (current and fan: the BMC's raw readings, hexadecimal)

            """)
        #expect(bmc.commands.last == "master", "the session ends on the master: \(bmc.commands)")
    }

    @Test func statusJSON() throws {
        let bmc = try FakeBMC(["--on", "2"])
        let result = try Self.bramble(["bmc", "status", "--json", "web02", "9"], bmc: bmc, nodes: Self.nodes)
        #expect(result.status == 1, "node 9 is not on this rack: \(result.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.count == 2)
        #expect(nodes[0]["name"] as? String == "web02")
        #expect(nodes[0]["bmc"] as? String == "02")
        let status = try #require(nodes[0]["status"] as? [String: Any])
        #expect(status["power"] as? String == "on")
        #expect(status["role"] as? String == "slave")
        #expect(status["currentRaw"] as? Int == 0x1a)
        #expect(status["fanRaw"] as? Int == 0x62)
        #expect(nodes[1]["id"] as? Int == 9)
        #expect((nodes[1]["error"] as? String)?.contains("no status line from the BMC") == true)
        #expect(result.errors.contains("1 node failed"))
    }

    @Test func onOffAndCycle() throws {
        let bmc = try FakeBMC()
        let on = try Self.bramble(["bmc", "on", "1", "web02"], bmc: bmc, nodes: Self.nodes)
        #expect(on.status == 0, "\(on.output)\(on.errors)")
        #expect(on.output == "node01 (bmc 01): on (current 19, fan 61)\nweb02 (bmc 02): on (current 1a, fan 62)\n")
        let off = try Self.bramble(["bmc", "off", "1"], bmc: bmc, nodes: Self.nodes)
        #expect(off.output == "node01 (bmc 01): off (current 00, fan 00)\n")
        let cycle = try Self.bramble(["bmc", "cycle", "--off-seconds", "0.2", "web02"], bmc: bmc, nodes: Self.nodes)
        #expect(cycle.status == 0, "\(cycle.output)\(cycle.errors)")
        #expect(cycle.output == "web02 (bmc 02): off; on again in 200ms\nweb02 (bmc 02): on (current 1a, fan 62)\n")
        let commands = bmc.commands.filter { $0.hasPrefix("on") || $0.hasPrefix("off") }
        #expect(commands == ["on 01", "on 02", "off 01", "off 02", "on 02"])
    }

    @Test func theMasterIsNotSwitchedOffUnlessAskedFor() throws {
        let bmc = try FakeBMC()
        let nodes = "1 b8:27:eb:00:00:01 hub-pi bmc=00\n2 b8:27:eb:00:00:02\n"
        let refused = try Self.bramble(["bmc", "off", "1", "2"], bmc: bmc, nodes: nodes)
        #expect(refused.status == 1)
        #expect(refused.output == "hub-pi (bmc 00): is the rack's master (the Pi on the BMC's serial line); not switched off without --include-master\n"
            + "node02 (bmc 02): off (current 00, fan 00)\n")
        let cycle = try Self.bramble(["bmc", "cycle", "1"], bmc: bmc, nodes: nodes)
        #expect(cycle.status == 1)
        #expect(!bmc.commands.contains("off 00"))
        let asked = try Self.bramble(["bmc", "off", "--include-master", "1"], bmc: bmc, nodes: nodes)
        #expect(asked.status == 0, "\(asked.output)")
        #expect(bmc.commands.contains("off 00"))
    }

    @Test func aSilentLineFailsFastWithAdvice() throws {
        let bmc = try FakeBMC(["--silent"])
        let start = Date()
        let result = try Self.bramble(["bmc", "on", "1", "--timeout", "0.3"], bmc: bmc, nodes: Self.nodes)
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(result.status == 1)
        #expect(result.output.contains("node01 (bmc 01): no status line from the BMC on \(bmc.link) within 0.3 s after `[01]| =`"))
    }

    @Test func garbageIsLoggedNotFatal() throws {
        let bmc = try FakeBMC(["--garbage", "--on", "1"])
        let result = try Self.bramble(["bmc", "status", "1"], bmc: bmc, nodes: Self.nodes)
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("node01  01   slave  on     19       61"))
        #expect(result.errors.contains("bmc: \(bmc.link): not understood, skipped: '\\x00\\xff\\xfe\\x1b[2J noise \\x07'"), "\(result.errors)")
    }

    @Test func aWrongDeviceSaysSo() throws {
        let bmc = try FakeBMC()
        let result = try Self.bramble(["bmc", "status", "1", "--device", "/dev/null"], bmc: bmc, nodes: Self.nodes)
        #expect(result.status == 1)
        #expect(result.errors.contains("/dev/null is not a serial line"))
        let unknown = try Self.bramble(["bmc", "status", "web99"], bmc: bmc, nodes: Self.nodes)
        #expect(unknown.status == 2)
        #expect(unknown.errors.contains("'web99' is no node of"))
    }
}
