import BrambleBoot
import BrambleControl
import BrambleMetrics
import Foundation
import Testing

@Suite struct BrambleExpositionTests {
    static func counters() -> DaemonCounters {
        var transfer = DurationHistogram(upperBoundsMilliseconds: [10, 100])
        transfer.observe(microseconds: 5_000)
        transfer.observe(microseconds: 50_000)
        transfer.observe(microseconds: 250_000)
        var boot = DurationHistogram(upperBoundsMilliseconds: [20_000, 30_000])
        boot.observe(microseconds: 21_500_000)
        return DaemonCounters(
            time: 1_700_000_100_000,
            dhcp: DHCPCounters(
                received: ["discover": 3, "request": 2, "none": 0], malformed: 1, replies: ["offer": 3, "ack": 2],
                ignored: ["unknown_mac": 4, "disabled": 0], pool: PoolCounters(total: 50, assigned: 2, declined: 1)),
            tftp: TFTPCounters(transfers: ["sent": 9, "not_found": 2, "early_terminate": 1], bytesSent: 123_456, duration: transfer, inFlight: 1),
            dns: DNSCounters(
                answers: ["zone": ["noerror": 5, "nxdomain": 1], "cache": ["noerror": 2]], queries: 8,
                upstreamLatency: DurationHistogram(upperBoundsMilliseconds: [1, 10]), cacheEntries: 3),
            boot: BootCounters(duration: boot),
            process: ProcessCounters(
                cpuUserSeconds: 1.25, cpuSystemSeconds: 0.5, residentBytes: 9_437_184, anonymousResidentBytes: 2_097_152, openDescriptors: 14,
                maximumDescriptors: 1024, startTime: 1_700_000_000_500, eventLoopLag: DurationHistogram(upperBoundsMilliseconds: [1]),
                eventLoopLagMaximumMicroseconds: 850))
    }

    static func status(names: [String] = ["node05", "node07"], models: [String?] = ["Pi 5B 8GB rev 1.0", nil]) -> StatusReport {
        let up = NodeStatus(
            id: 5, name: names[0], ip: "10.42.0.5", mac: "b8:27:eb:00:00:05", stage: .up, stageSince: 1_700_000_090_000, bootStarted: 1_700_000_068_500,
            bootMilliseconds: 21_500, reboots: 1, lastError: nil, model: models[0], lastSeen: 1_700_000_090_000)
        let waiting = NodeStatus(id: 7, name: names[1], ip: "-", mac: nil, timeline: NodeBootTimeline())
        var waitingModel = waiting
        waitingModel.model = models[1]
        return StatusReport(now: 1_700_000_100_000, nodes: [up, waitingModel])
    }

    func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test func countersAndStatusBecomeNamedFamiliesWithHelpAndType() {
        let text = BrambleExposition.render(counters: Self.counters(), status: Self.status())
        let lines = lines(text)
        for expected in [
            "bramble_daemon_up 1",
            "# HELP bramble_dhcp_packets_received_total DHCP messages received, by message type (none: BOOTP without option 53).",
            "# TYPE bramble_dhcp_packets_received_total counter",
            #"bramble_dhcp_packets_received_total{type="discover"} 3"#,
            #"bramble_dhcp_packets_received_total{type="none"} 0"#,
            "bramble_dhcp_malformed_packets_total 1",
            #"bramble_dhcp_replies_sent_total{type="offer"} 3"#,
            #"bramble_dhcp_requests_ignored_total{reason="unknown_mac"} 4"#,
            "bramble_dhcp_pool_size_addresses 50", "bramble_dhcp_pool_assigned_addresses 2", "bramble_dhcp_pool_declined_addresses 1",
            #"bramble_tftp_transfers_total{result="sent"} 9"#,
            "bramble_tftp_sent_bytes_total 123456",
            "# TYPE bramble_tftp_transfer_duration_seconds histogram",
            #"bramble_tftp_transfer_duration_seconds_bucket{le="0.01"} 1"#,
            #"bramble_tftp_transfer_duration_seconds_bucket{le="0.1"} 2"#,
            #"bramble_tftp_transfer_duration_seconds_bucket{le="+Inf"} 3"#,
            "bramble_tftp_transfer_duration_seconds_sum 0.305",
            "bramble_tftp_transfer_duration_seconds_count 3",
            "bramble_tftp_transfers_in_flight 1",
            #"bramble_dns_answers_total{source="zone",rcode="nxdomain"} 1"#,
            "bramble_dns_queries_received_total 8", "bramble_dns_cache_entries 3",
            #"bramble_boot_duration_seconds_bucket{le="20"} 0"#, #"bramble_boot_duration_seconds_bucket{le="30"} 1"#,
            "bramble_boot_duration_seconds_sum 21.5",
            #"bramble_daemon_cpu_seconds_total{mode="user"} 1.25"#,
            "bramble_daemon_resident_memory_bytes 9437184", "bramble_daemon_open_fds 14", "bramble_daemon_start_time_seconds 1700000000.5",
            "bramble_daemon_event_loop_lag_max_seconds 0.00085",
            #"bramble_nodes{stage="up"} 1"#, #"bramble_nodes{stage="waiting"} 1"#,
            #"bramble_node_stage{id="5",node="node05",stage="up"} 1"#, #"bramble_node_stage{id="5",node="node05",stage="kernel"} 0"#,
            #"bramble_node_info{id="5",node="node05",ip="10.42.0.5",mac="b8:27:eb:00:00:05",model="Pi 5B 8GB rev 1.0"} 1"#,
            #"bramble_node_boot_duration_seconds{id="5",node="node05"} 21.5"#,
            #"bramble_node_reboots_total{id="7",node="node07"} 0"#,
            #"bramble_node_seconds_since_last_seen{id="5",node="node05"} 10"#,
        ] {
            #expect(lines.contains(expected), "missing \(expected)")
        }
        #expect(!text.contains(#"bramble_node_boot_duration_seconds{id="7""#), "no boot duration before up")
        #expect(!text.contains(#"bramble_node_seconds_since_last_seen{id="7""#), "never heard")
        #expect(lines.filter { $0.hasPrefix("bramble_node_stage{") }.count == 2 * BootStage.allCases.count)
        #expect(text.hasSuffix("\n") && !text.contains("\n\n"))
        #expect(BrambleExposition.render(counters: Self.counters(), status: Self.status()) == text, "the same input renders the same text")
    }

    @Test func withoutTheDaemonOnlyItsAbsenceIsReported() {
        #expect(BrambleExposition.render(counters: nil, status: nil) == "# HELP bramble_daemon_up 1 when bramble serve answered on its control socket for this scrape, else 0.\n# TYPE bramble_daemon_up gauge\nbramble_daemon_up 0\n")
        var counters = Self.counters()
        counters.dns = nil
        counters.dhcp.pool = nil
        let text = BrambleExposition.render(counters: counters, status: Self.status())
        #expect(!text.contains("bramble_dns_") && !text.contains("bramble_dhcp_pool"))
    }

    @Test func extraFamiliesFollowAndCannotShadowTheDaemons() {
        let bmc = MetricFamily(
            name: "bramble_bmc_current_amperes", help: "Current each bay draws, as the BMC reports it.", kind: .gauge,
            samples: [MetricSample(0.42, labels: [MetricLabel("node", "node05")])])
        let shadow = MetricFamily(name: "bramble_daemon_up", help: "again", kind: .gauge, samples: [MetricSample(5)])
        let text = BrambleExposition.render(counters: nil, status: nil, extra: [bmc, shadow])
        #expect(text.hasSuffix("# TYPE bramble_bmc_current_amperes gauge\nbramble_bmc_current_amperes{node=\"node05\"} 0.42\n"))
        #expect(!text.contains("bramble_daemon_up 5") && !text.contains("again"))
    }

    @Test func hostileNamesAndModelsAreEscapedAndNamesMadeValid() {
        let names = ["a\"b\\c\nd", "ü€ 🎉"]
        let text = BrambleExposition.render(counters: nil, status: Self.status(names: names, models: ["x\"} 1\nevil_metric 666", "\\"]))
        #expect(text.contains(#"node="a\"b\\c\nd""#))
        #expect(text.contains(#"model="x\"} 1\nevil_metric 666""#))
        #expect(text.contains(#"model="\\""#))
        #expect(text.contains(#"node="ü€ 🎉""#))
        #expect(!lines(text).contains { $0.hasPrefix("evil_metric") })
        let odd = MetricFamily(
            name: "9bad name-é", help: "two\nlines \\ here", kind: .counter,
            samples: [MetricSample(.infinity, labels: [MetricLabel("__reserved", "v"), MetricLabel("1x-y", "w")]), MetricSample(.nan), MetricSample(-.infinity)])
        #expect(PrometheusExposition.render([odd]) == """
            # HELP _bad_name__ two\\nlines \\\\ here
            # TYPE _bad_name__ counter
            _bad_name__{x_reserved="v",_x_y="w"} +Inf
            _bad_name__ NaN
            _bad_name__ -Inf

            """)
    }

    @Test func numbersAreWrittenAsPrometheusReadsThem() {
        #expect(PrometheusExposition.number(3) == "3")
        #expect(PrometheusExposition.number(-2) == "-2")
        #expect(PrometheusExposition.number(0.005) == "0.005")
        #expect(PrometheusExposition.number(1e-7) == "1e-07")
        #expect(PrometheusExposition.number(1e300) == "1e+300")
    }

    /// Debian's promtool (the prometheus package) lints the whole exposition: syntax,
    /// names, units, HELP, histogram shape. Clean means exit 0 and nothing printed.
    @Test func promtoolFindsNothingToReport() throws {
        let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let path = try #require(promtool, "promtool is missing: apt-get install prometheus (scripts/test installs it)")
        let hostile = Self.status(names: ["node \"5\"\\", "node07"], models: ["Pi 5B\n8GB", nil])
        for text in [
            BrambleExposition.render(counters: Self.counters(), status: Self.status()),
            BrambleExposition.render(counters: Self.counters(), status: hostile),
            BrambleExposition.render(counters: nil, status: nil),
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["check", "metrics"]
            let input = Pipe()
            let output = Pipe()
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
}
