import BrambleBMC
import BrambleMetrics
import Foundation
import Testing

/// The BMC's readings as `bramble_bmc_*` gauges.
@Suite struct BMCExpositionTests {
    static let readings = (1...8).map { id in
        BMCBayReading(
            id: id, name: "node0\(id)", bmc: BMCID(UInt8(id)),
            status: id == 8 ? nil : BMCStatus(id: BMCID(UInt8(id)), role: .slave, power: id == 7 ? .off : .on, currentRaw: UInt16(0x18 + id), fanRaw: UInt16(0x60 + id)),
            error: id == 8 ? "no status line from the BMC" : nil)
    }

    @Test func eachBayHasItsGauges() {
        let text = PrometheusExposition.render(BMCExposition.families(Self.readings))
        #expect(text.contains("# TYPE bramble_bmc_current_raw gauge\n"))
        #expect(text.contains("bramble_bmc_up{id=\"1\",node=\"node01\",bmc=\"01\"} 1\n"))
        #expect(text.contains("bramble_bmc_up{id=\"8\",node=\"node08\",bmc=\"08\"} 0\n"))
        #expect(text.contains("bramble_bmc_current_raw{id=\"3\",node=\"node03\",bmc=\"03\"} 27\n"))
        #expect(text.contains("bramble_bmc_fan_raw{id=\"3\",node=\"node03\",bmc=\"03\"} 99\n"))
        #expect(text.contains("bramble_bmc_power_on{id=\"7\",node=\"node07\",bmc=\"07\"} 0\n"))
        #expect(!text.contains("node=\"node08\",bmc=\"08\"} 2"), "a bay without a status has only bramble_bmc_up")
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("bramble_bmc_current_raw{") }.count == 7)
        #expect(BMCExposition.families([]).isEmpty, "no BMC polled: no families")
    }

    @Test func theyFollowTheDaemonsAndPromtoolFindsNothing() throws {
        let text = BrambleExposition.render(counters: nil, status: nil, extra: BMCExposition.families(Self.readings))
        #expect(text.hasPrefix("# HELP bramble_daemon_up"))
        let promtool = try #require(["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) })
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && report.isEmpty, "promtool: \(report)\n\(text)")
    }
}
