import ArgumentParser
import BrambleBoot
@testable import BrambleCommands
import BrambleControl
import BrambleTestSupport
import Testing

@Suite struct StatusCommandTests {
    static let report = StatusReport(now: 100_000, nodes: [
        NodeStatus(id: 1, name: "node01", ip: "10.42.0.1", mac: "b8:27:eb:00:00:01", stage: .up, stageSince: 60_000, bootStarted: 28_800, bootMilliseconds: 31_200, reboots: 1, lastError: nil,
                   model: "Pi 5B 8GB rev 1.0"),
        NodeStatus(id: 2, name: "node02", ip: "10.42.0.2", mac: "b8:27:eb:00:00:02", stage: .loader, stageSince: 88_000, bootStarted: 80_000, bootMilliseconds: nil, reboots: 0,
                   lastError: "file not found: kernel7.img (tried nodes/node02/kernel7.img, kernel7.img)", model: "Pi 3B"),
        NodeStatus(id: 37, name: "node37", ip: "10.42.0.37", mac: nil, stage: .waiting, stageSince: nil, bootStarted: nil, bootMilliseconds: nil, reboots: 0, lastError: nil),
    ])

    @Test func theTableHasARowPerNodeAndASummary() {
        #expect(StatusTable.render(Self.report) == """
            ID  NAME    IP          MODEL              STAGE    TIME             LAST ERROR
            1   node01  10.42.0.1   Pi 5B 8GB rev 1.0  up       booted in 31.2s  -
            2   node02  10.42.0.2   Pi 3B              loader   12.0s in loader  file not found: kernel7.img (tried nodes/node02/kernel7.img, kernel7.img)
            37  node37  10.42.0.37  -                  waiting  -                -
            3 nodes: 1 up, 1 loader, 1 waiting; 1 with an error, 1 reboot

            """)
    }

    @Test(arguments: [(Int64(850), "850ms"), (31_249, "31.2s"), (125_000, "2m05s"), (3_725_000, "1h02m")])
    func durations(milliseconds: Int64, text: String) {
        #expect(StatusTable.duration(milliseconds) == text)
    }

    @Test func theSocketIsInTheStateDirectoryFromTheFlagOrTheConfig() throws {
        let directory = try TemporaryDirectory()
        #expect(try DaemonOptions.parse(["--state-dir", "/srv/bramble"]).socketPath(defaultConfigPath: "/nonexistent") == "/srv/bramble/control.sock")
        #expect(try DaemonOptions.parse([]).socketPath(defaultConfigPath: "/nonexistent") == "/var/lib/bramble/control.sock")
        try directory.file("bramble.conf", text: "state-dir = state\n")
        #expect(try DaemonOptions.parse(["--config", directory.file("bramble.conf")]).socketPath() == directory.file("state/control.sock"))
    }

    @Test func watchAndJSONDoNotMix() {
        #expect(throws: (any Error).self) { try StatusCommand.parse(["--json", "--watch"]) }
        #expect(throws: (any Error).self) { try StatusCommand.parse(["--watch", "--interval", "0.01"]) }
    }
}
