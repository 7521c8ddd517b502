import BrambleLab
import Foundation
import Testing

/// A real Prometheus (Debian's) scrapes bramble web's /metrics once a second while simulated
/// Pis boot from `bramble serve`; the test then asks Prometheus' HTTP API, not bramble, that
/// every node reached `up` and how many bytes TFTP sent. Prometheus runs in a namespace of
/// its own on the lab's bridge and listens on that namespace's 127.0.0.1 only.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct PrometheusScrapeTests {
    static let prometheus = "/usr/bin/prometheus"
    static let promtool = "/usr/bin/promtool"

    /// One instant query through Prometheus' HTTP API (`/api/v1/query`), from inside its
    /// namespace: each series' labels and value.
    static func query(_ lab: NetworkLab, in namespace: String, _ expression: String) throws -> [(labels: [String: String], value: String)] {
        let result = try lab.run(
            in: namespace, ["curl", "-s", "-m", "5", "--get", "--data-urlencode", "query=\(expression)", "http://127.0.0.1:9090/api/v1/query"], timeout: 10)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(result.output.utf8))) as? [String: Any],
            object["status"] as? String == "success", let data = object["data"] as? [String: Any], let series = data["result"] as? [[String: Any]]
        else { return [] }
        return series.compactMap { entry in
            guard let labels = entry["metric"] as? [String: String], let value = entry["value"] as? [Any], value.count == 2, let text = value[1] as? String
            else { return nil }
            return (labels, text)
        }
    }

    @Test("Prometheus scrapes bramble web during simulated boots and reads back every node up and TFTP's bytes")
    func prometheusSeesTheBoot() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.prometheus), "install Debian's prometheus (scripts/test does)")
        let cluster = try SimulatedPiBootTests.Cluster()
        defer { cluster.lab.tearDown() }
        let lab = cluster.lab
        let hub = "\(lab.prefix)-hub"
        let promNamespace = try lab.addHost("prom", address: "10.42.0.200/24")

        let web = try lab.start(
            in: hub, [ServerUnderTest.executable.path, "web", "--config", cluster.server.configPath, "--listen", "hub:9420"],
            output: cluster.server.file("web.log").path)
        var listening = false
        for _ in 0..<100 where !listening {
            listening = ((try? String(contentsOf: cluster.server.file("web.log"), encoding: .utf8)) ?? "").contains("serving http://10.42.0.250:9420/")
            if !listening { usleep(100_000) }
        }
        #expect(listening && web.isRunning)

        let storage = cluster.server.file("prometheus")
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        let config = cluster.server.file("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: bramble
                static_configs:
                  - targets: ['10.42.0.250:9420']
            """.write(to: config, atomically: true, encoding: .utf8)
        let prometheus = try lab.start(
            in: promNamespace,
            [Self.prometheus, "--config.file=\(config.path)", "--storage.tsdb.path=\(storage.path)", "--web.listen-address=127.0.0.1:9090"],
            output: cluster.server.file("prometheus.log").path)

        // Prometheus up, and its first scrape of bramble web done: the nodes waiting.
        var scraping = false
        for _ in 0..<300 where !scraping {
            scraping = (try? Self.query(lab, in: promNamespace, "up{job=\"bramble\"} == 1").count == 1) ?? false
            if !scraping { usleep(100_000) }
        }
        #expect(scraping && prometheus.isRunning, "Prometheus scrapes bramble web: \((try? String(contentsOf: cluster.server.file("prometheus.log"), encoding: .utf8)) ?? "")")
        #expect(try Self.query(lab, in: promNamespace, "bramble_nodes{stage=\"waiting\"}").first?.value == "3")

        let results = try cluster.boot(SimulatedPiBootTests.pis)
        for pi in SimulatedPiBootTests.pis { #expect(results[pi.name]?.status == 0, "\(pi.name) boots: \(results[pi.name]?.lines ?? [])") }

        // Two more scrapes after the last Pi is up.
        var up: [(labels: [String: String], value: String)] = []
        for _ in 0..<100 {
            up = try Self.query(lab, in: promNamespace, "bramble_node_stage{stage=\"up\"} == 1")
            if up.count == 3 { break }
            usleep(200_000)
        }
        usleep(2_100_000)
        #expect(Set(up.compactMap { $0.labels["node"] }) == ["node01", "node17", "node33"], "every node up in Prometheus: \(up)")
        #expect(try Self.query(lab, in: promNamespace, "bramble_nodes{stage=\"up\"}").first?.value == "3")
        #expect(try Self.query(lab, in: promNamespace, "min_over_time(bramble_nodes{stage=\"up\"}[5m])").first?.value == "0",
                "scraped while the nodes were still booting")
        let bootSeconds = try Self.query(lab, in: promNamespace, "bramble_node_boot_duration_seconds")
        #expect(bootSeconds.count == 3 && bootSeconds.allSatisfy { (Double($0.value) ?? 0) > 0 }, "\(bootSeconds)")

        // TFTP's bytes as Prometheus stored them: the bytes of every file the Pis read whole.
        let sent = try Self.query(lab, in: promNamespace, "bramble_tftp_sent_bytes_total")
        let stored = Int(Double(sent.first?.value ?? "") ?? -1)
        var expected = 0
        for pi in SimulatedPiBootTests.pis {
            for line in results[pi.name]?.lines ?? [] where line["step"] as? String == "tftp" && line["result"] as? String == "ok" {
                guard let file = line["file"] as? String else { continue }
                let attributes = try FileManager.default.attributesOfItem(atPath: cluster.boot.appendingPathComponent(file).path)
                expected += (attributes[.size] as? Int) ?? 0
            }
        }
        #expect(expected > 1_000_000 && stored == expected, "Prometheus says TFTP sent \(stored) bytes; the Pis read \(expected)")
        let sentTransfers = try Self.query(lab, in: promNamespace, "bramble_tftp_transfers_total{result=\"sent\"}")
        #expect((Int(sentTransfers.first?.value ?? "") ?? 0) >= 3 * 6, "\(sentTransfers)")

        // What Prometheus scraped passes promtool's lint.
        let scrape = try lab.run(in: promNamespace, ["curl", "-s", "-m", "5", "http://10.42.0.250:9420/metrics"], timeout: 10)
        let metrics = cluster.server.file("metrics.txt")
        try scrape.output.write(to: metrics, atomically: true, encoding: .utf8)
        let lint = try NetworkLab.execute(["sh", "-c", "\"$0\" check metrics < \"$1\"", Self.promtool, metrics.path], timeout: 30)
        #expect(lint.status == 0 && lint.output.isEmpty, "promtool check metrics: \(lint.output)")
    }
}
