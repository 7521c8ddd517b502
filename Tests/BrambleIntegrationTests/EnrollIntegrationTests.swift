import BrambleBoot
import BrambleControl
import BrambleLab
import Foundation
import Testing

/// `bramble enroll` against `bramble serve` in namespaces: a fake power command "powers a
/// bay on" by sending that bay's Pi ROM DISCOVER (scripts/lib/pidiscover.py) from a client
/// namespace, as the control plane powers bays on in order.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct EnrollIntegrationTests {
    static func mac(_ id: Int) -> String { "b8:27:eb:00:10:" + String(format: "%02x", id) }

    /// A power command: `power.sh ID` sends bay ID's DISCOVER; bays in `silent` send
    /// nothing, bays in `twins` send two MACs at once.
    static func powerScript(_ server: ServerUnderTest, namespace: String, silent: Set<Int> = [], twins: Set<Int> = []) throws -> String {
        let discover = ServerUnderTest.repository.appendingPathComponent("scripts/lib/pidiscover.py").path
        let script = server.file("power.sh")
        let cases = silent.map { "  \($0)) exit 0 ;;\n" }.joined()
            + twins.map { "  \($0)) exec ip netns exec \(namespace) python3 \(discover) eth0 \(mac($0)) b8:27:eb:00:20:\(String(format: "%02x", $0)) ;;\n" }.joined()
        try """
            #!/bin/sh
            case "$1" in
            \(cases)esac
            exec ip netns exec \(namespace) python3 \(discover) eth0 b8:27:eb:00:10:$(printf %02x "$1")

            """.write(to: script, atomically: false, encoding: .utf8)
        chmod(script.path, 0o755)
        return script.path
    }

    @Test func sixteenBaysPoweredInOrderFillTheNodeMap() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let bays = try lab.addHost("bays")
        let sheet = "# BitScope module, bays 1-16: MACs unknown until enrolled\n"
            + (1...16).map { "\($0) b8:27:eb:XX:XX:XX\($0 == 5 ? " web05  # the web node" : "")" }.joined(separator: "\n") + "\n"
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: sheet)
        try server.start()
        let power = try Self.powerScript(server, namespace: bays)
        // A machine that is no Pi 3 keeps asking meanwhile: the placeholder keeps it out.
        try lab.run(in: bays, ["python3", ServerUnderTest.repository.appendingPathComponent("scripts/lib/pidiscover.py").path, "eth0", "dc:a6:32:99:99:99"])

        let result = try NetworkLab.execute([
            ServerUnderTest.executable.path, "enroll", "--config", server.configPath, "--ids", "1-16", "--power", "\(power) {id}",
            "--timeout", "5", "--settle", "0.3",
        ], timeout: 120)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("node 1 (node01): powering on: \(power) 1"))
        #expect(result.output.contains("node 16 (node16): b8:27:eb:00:10:10 after "))
        #expect(result.output.contains("enrolled 16 nodes into \(server.file("nodes").path)"))

        let written = try String(contentsOf: server.file("nodes"), encoding: .utf8)
        let lines = written.split(separator: "\n").map(String.init)
        #expect(lines.first == "# BitScope module, bays 1-16: MACs unknown until enrolled", "comments kept")
        for id in 1...16 {
            #expect(lines.contains { $0.hasPrefix("\(id) \(Self.mac(id))") }, "node \(id) in:\n\(written)")
        }
        #expect(lines.contains { $0.hasPrefix("5 \(Self.mac(5)) web05") && $0.hasSuffix("# the web node") }, "name and comment kept:\n\(written)")

        // The daemon reloaded the map: the enrolled bays are answered now.
        try server.waitForLog("reloaded: 16 of 16 nodes enrolled")
        try lab.run(in: bays, ["python3", ServerUnderTest.repository.appendingPathComponent("scripts/lib/pidiscover.py").path, "eth0", Self.mac(9)])
        let status = try server.bramble(["status", "--json", "--config", server.configPath])
        let report = try ControlLine.decode(StatusReport.self, from: Array(status.output.utf8).prefix { $0 != UInt8(ascii: "\n") })
        #expect(report.nodes.allSatisfy { $0.mac == Self.mac($0.id) })
        #expect(report.nodes.first { $0.id == 9 }?.stage == .addressed)
    }

    @Test func aSilentBayAndTwoMACsAtOnceAreReportedAndLeftOut() throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let bays = try lab.addHost("bays")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: "1 b8:27:eb:00:10:01\n")
        try server.start()
        let power = try Self.powerScript(server, namespace: bays, silent: [4], twins: [3])

        let result = try NetworkLab.execute([
            ServerUnderTest.executable.path, "enroll", "--config", server.configPath, "--ids", "1-5", "--power", "\(power) {id}",
            "--timeout", "1.5", "--settle", "0.5",
        ], timeout: 60)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("node 1 (node01): already enrolled as b8:27:eb:00:10:01, skipped"))
        #expect(result.output.contains("node 3 (node03): 2 new MACs appeared at once (b8:27:eb:00:10:03, b8:27:eb:00:20:03): not enrolled; power one bay at a time"))
        #expect(result.output.contains("node 4 (node04): no new MAC within 1.5s: not enrolled"))
        #expect(result.output.contains("not enrolled: node 3 (2 new MACs at once), node 4 (no new MAC within 1.5s); run bramble enroll again for them"))
        let written = try String(contentsOf: server.file("nodes"), encoding: .utf8)
        #expect(written == "1 b8:27:eb:00:10:01\n2 b8:27:eb:00:10:02\n5 b8:27:eb:00:10:05\n", "\(written)")
    }
}
