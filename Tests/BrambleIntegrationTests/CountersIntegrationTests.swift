import BrambleBoot
import BrambleControl
import BrambleLab
import Foundation
import Testing

/// `counters` over the control socket after simulated Pis booted: the daemon's numbers are
/// exactly what the Pis' own reports of their boots imply.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct CountersIntegrationTests {
    /// One request line to the daemon's control socket, its one answer line decoded.
    static func ask(_ request: String, server: ServerUnderTest) throws -> ControlResponse {
        let result = try NetworkLab.execute([
            "python3", "-c",
            "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode()+b'\\n'); print(s.makefile().readline().strip())",
            server.file("state/control.sock").path, request,
        ], timeout: 10)
        return try ControlLine.decode(ControlResponse.self, from: Array(result.output.trimmingCharacters(in: .whitespacesAndNewlines).utf8))
    }

    @Test("three Pis boot; counters count their DHCP messages, TFTP reads and bytes, DNS queries and boots exactly")
    func countersMatchTheBoots() throws {
        let cluster = try SimulatedPiBootTests.Cluster()
        let hello = try #require(try Self.ask(#"{"command":"hello"}"#, server: cluster.server).hello)
        #expect(hello.protocolVersion == 2 && hello.commands.contains("counters") && hello.version.hasPrefix("0."))
        let unknown = try Self.ask(#"{"command":"metrics"}"#, server: cluster.server)
        #expect(unknown.error?.hasPrefix(#"unknown command "metrics": protocol 2 knows hello, status"#) == true, "\(unknown)")

        let results = try cluster.boot(SimulatedPiBootTests.pis)
        let lines = SimulatedPiBootTests.pis.flatMap { results[$0.name]?.lines ?? [] }
        for pi in SimulatedPiBootTests.pis { #expect(results[pi.name]?.status == 0, "\(pi.name): \(results[pi.name]?.lines ?? [])") }
        let counters = try #require(try Self.ask(#"{"command":"counters"}"#, server: cluster.server).counters)

        func steps(_ step: String) -> [[String: Any]] { lines.filter { $0["step"] as? String == step } }
        let tftp = steps("tftp")
        let delivered = tftp.filter { $0["result"] as? String == "ok" }
        let probes = delivered.filter { $0["probed"] as? Bool == true }.count + tftp.filter { $0["result"] as? String == "found" }.count
        #expect(counters.tftp.transfers["sent"] == delivered.count, "\(counters.tftp)")
        #expect(counters.tftp.transfers["not_found"] == tftp.filter { $0["result"] as? String == "not-found" }.count)
        #expect((counters.tftp.transfers["early_terminate"] ?? 0) + (counters.tftp.transfers["abandoned"] ?? 0) == probes)
        #expect(counters.tftp.transfers.values.reduce(0, +) == tftp.count + probes - tftp.filter { $0["result"] as? String == "found" }.count)
        #expect(counters.tftp.bytesSent == delivered.compactMap { $0["bytes"] as? Int }.reduce(0, +))
        #expect(counters.tftp.duration.count == delivered.count && counters.tftp.inFlight == 0)

        // The ROMs and bootcode.bin DISCOVER (`tries` times) and never REQUEST; the Pi 4's
        // bootloader DISCOVERs and REQUESTs once per try; each kernel DISCOVERs and REQUESTs at
        // least once (fakepi does not report the kernel's retries on a loaded machine: the
        // daemon's log line per message does).
        let romTries = (steps("rom-dhcp") + steps("bootcode-dhcp")).compactMap { $0["tries"] as? Int }.reduce(0, +)
        let pi4Tries = lines.filter { $0["step"] as? String == "rom-dhcp" && $0["answer"] as? String == "ACK" }.compactMap { $0["tries"] as? Int }.reduce(0, +)
        let kernels = steps("kernel-dhcp").count
        let logged = cluster.server.log.split(separator: "\n")
        #expect(kernels == 3)
        #expect(counters.dhcp.received["discover"] == logged.count { $0.contains("DHCPDISCOVER from ") }, "\(counters.dhcp)")
        #expect(counters.dhcp.received["request"] == logged.count { $0.contains("DHCPREQUEST from ") })
        #expect((counters.dhcp.received["discover"] ?? 0) >= romTries + kernels && (counters.dhcp.received["request"] ?? 0) >= pi4Tries + kernels)
        #expect(counters.dhcp.replies["offer"] == counters.dhcp.received["discover"] && counters.dhcp.replies["ack"] == counters.dhcp.received["request"])
        #expect(counters.dhcp.replies["nak"] == 0 && counters.dhcp.malformed == 0)
        #expect(counters.dhcp.ignored.values.reduce(0, +) == 0, "\(counters.dhcp.ignored)")

        let dns = try #require(counters.dns)
        #expect(dns.answers["zone"]?["noerror"] == steps("dns").count && dns.queries == steps("dns").count)
        #expect(counters.boot.duration.count == 3)
        #expect((counters.process.residentBytes ?? 0) > 1_000_000 && (counters.process.openDescriptors ?? 0) > 5)
        #expect(counters.process.startTime <= counters.time && counters.process.eventLoopLag.count > 0)

        let status = try #require(try Self.ask(#"{"command":"status"}"#, server: cluster.server).status)
        #expect(status.nodes.allSatisfy { $0.stage == .up && ($0.lastSeen ?? 0) >= ($0.stageSince ?? .max) }, "\(status.nodes)")
    }
}
