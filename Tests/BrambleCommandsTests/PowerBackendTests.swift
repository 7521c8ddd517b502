@testable import BrambleCommands
import BrambleTestSupport
import BrambleWire
import Foundation
import Testing

/// `--power bmc` for enroll and power-on, against scripts/lib/fake-bmc.py on a pty (no root).
@Suite(.serialized) struct PowerBackendTests {
    /// The simulator in `directory`: its pty linked as `serial0`, its commands in `commands.log`.
    final class SimulatedBMC {
        let directory: TemporaryDirectory
        let process = Process()

        init(_ arguments: [String] = []) throws {
            directory = try TemporaryDirectory()
            let script = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/") + "/scripts/lib/fake-bmc.py"
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [script, "--link", directory.file("serial0"), "--log", directory.file("commands.log")] + arguments
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            _ = output.fileHandleForReading.availableData
        }

        var commands: [String] { ((try? String(contentsOfFile: directory.file("commands.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    @Test func theKeywordSelectsTheBMCAndAnythingElseIsACommand() {
        let nodes = NodeMapFile(path: "/nonexistent/nodes", subnet: IPv4Interface("10.42.0.250/24")!.subnet)
        #expect(PowerBackend(option: "python power.py {id} on", bmcDevice: "/dev/serial0", nodes: nodes).description(for: 7) == "python power.py 7 on")
        #expect(PowerBackend(option: "bmc", bmcDevice: "/dev/serial0", nodes: nodes).description(for: 10) == "bmc [0a]| / on /dev/serial0")
    }

    @Test func eachBayIsPoweredAtItsBMCID() throws {
        let bmc = try SimulatedBMC(["--nodes", "0-12"])
        try bmc.directory.file("nodes", text: "3 b8:27:eb:00:00:03\n5 b8:27:eb:00:00:05 bmc=0c\n")
        let nodes = NodeMapFile(path: bmc.directory.file("nodes"), subnet: IPv4Interface("10.42.0.250/24")!.subnet)
        let backend = PowerBackend(option: "bmc", bmcDevice: bmc.directory.file("serial0"), nodes: nodes)
        #expect(try backend.powerOn(3) == nil)
        #expect(try backend.powerOn(5) == nil)
        #expect(backend.description(for: 5) == "bmc [0c]| / on \(bmc.directory.file("serial0"))")
        #expect(bmc.commands.filter { $0.hasPrefix("on ") } == ["on 03", "on 0c"])
    }

    @Test func aSilentBMCIsAFailureWithItsReason() throws {
        let bmc = try SimulatedBMC(["--silent"])
        let nodes = NodeMapFile(path: bmc.directory.file("nodes"), subnet: IPv4Interface("10.42.0.250/24")!.subnet)
        let failure = try PowerBackend(option: "bmc", bmcDevice: bmc.directory.file("serial0"), nodes: nodes).powerOn(2)
        #expect(failure?.contains("no status line from the BMC on \(bmc.directory.file("serial0")) within 1 s after `[02]| =`") == true, "\(failure ?? "nil")")
    }
}
