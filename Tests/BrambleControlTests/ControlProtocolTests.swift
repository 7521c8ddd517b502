import BrambleBoot
import BrambleControl
import Testing

@Suite struct ControlProtocolTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func aStatusReportKeepsToTheContractWithNullsForAbsentValues() throws {
        let waiting = NodeStatus(id: 7, name: "node07", ip: "10.42.0.7", mac: nil, timeline: NodeBootTimeline())
        let booted = NodeStatus(
            id: 5, name: "node05", ip: "10.42.0.5", mac: "b8:27:eb:00:00:05", stage: .up, stageSince: 1_030_000, bootStarted: 1_000_000,
            bootMilliseconds: 30_000, reboots: 1, lastError: nil, model: "Pi 5B 8GB rev 1.0")
        let report = StatusReport(now: 1_040_000, nodes: [waiting, booted])
        let line = text(try ControlLine.encode(report))
        #expect(line.hasSuffix("\n") && line.filter { $0 == "\n" }.count == 1)
        #expect(line.contains(#"{"bootMilliseconds":30000,"bootStarted":1000000,"id":5,"ip":"10.42.0.5","lastError":null,"lastSeen":null,"mac":"b8:27:eb:00:00:05","model":"Pi 5B 8GB rev 1.0","name":"node05","reboots":1,"stage":"up","stageSince":1030000}"#))
        #expect(line.contains(#"{"bootMilliseconds":null,"bootStarted":null,"id":7,"ip":"10.42.0.7","lastError":null,"lastSeen":null,"mac":null,"model":null,"name":"node07","reboots":0,"stage":"waiting","stageSince":null}"#))
        #expect(line.hasPrefix(#"{"nodes":[{"bootMilliseconds":30000"#), "nodes sorted by ID")
        #expect(line.contains(#""now":1040000"#))
        #expect(line.contains(#""summary":{"addressed":0,"firmware":0,"kernel":0,"kernel-dhcp":0,"loader":0,"rom-dhcp":0,"up":1,"waiting":1}"#))
        let decoded = try ControlLine.decode(StatusReport.self, from: line.utf8.dropLast())
        #expect(decoded == report)
    }

    @Test func requestsRoundTrip() throws {
        for request in [ControlRequest(command: .status), ControlRequest(command: .history, node: "node05"), ControlRequest(command: .follow), ControlRequest(command: .reload), ControlRequest(command: .discoveries)] {
            let bytes = try ControlLine.encode(request)
            #expect(try ControlLine.decode(ControlRequest.self, from: bytes.dropLast()) == request)
        }
        #expect(text(try ControlLine.encode(ControlRequest(command: .history, node: "5"))) == #"{"command":"history","node":"5"}"# + "\n")
    }

    @Test func responsesRoundTrip() throws {
        let record = BootLogRecord(nodeID: 5, node: "node05", time: 1, stage: .firmware, failure: false, line: "a line")
        let responses = [
            ControlResponse(error: "no node 61 in /etc/bramble/nodes"),
            ControlResponse(history: NodeHistory(nodeID: 5, node: "node05", records: [record])),
            ControlResponse(event: record),
            ControlResponse(message: "reloaded"),
            ControlResponse(discovery: Discovery(mac: "b8:27:eb:12:34:56", client: "Pi 3B ROM", firmware: true, time: 5)),
        ]
        for response in responses {
            #expect(try ControlLine.decode(ControlResponse.self, from: ControlLine.encode(response).dropLast()) == response)
        }
    }

    @Test func malformedLinesAreTypedErrors() {
        #expect(throws: (any Error).self) { try ControlLine.decode(ControlRequest.self, from: [0xff, 0x00]) }
        #expect(throws: (any Error).self) {
            try ControlLine.decode(NodeStatus.self, from: Array(#"{"id":1,"name":"n","ip":"i","stage":"flying","reboots":0}"#.utf8))
        }
    }
}
