import BrambleBoot
import BrambleControl

/// The daemon's counters and the module's status as Prometheus metric families, named as
/// Prometheus' conventions ask (https://prometheus.io/docs/practices/naming/): a `bramble_`
/// prefix, base units (`_seconds`, `_bytes`), `_total` on counters. What `bramble-web`
/// serves on /metrics:
///
/// ```swift
/// let text = BrambleExposition.render(counters: counters, status: status, extra: bmcFamilies)
/// // Content-Type: PrometheusExposition.contentType
/// ```
///
/// The daemon's process metrics are `bramble_daemon_*`, not the client libraries'
/// `process_*`: those describe the process a scrape reaches, which is `bramble-web`.
public enum BrambleExposition {
    /// The text for one scrape. `counters` or `status` is nil when the daemon did not
    /// answer; `bramble_daemon_up` says so and their families are left out. `extra`
    /// families (BMC readings) follow the daemon's; one named like a daemon family is left out.
    public static func render(counters: DaemonCounters?, status: StatusReport?, extra: [MetricFamily] = []) -> String {
        PrometheusExposition.render(families(counters: counters, status: status) + extra)
    }

    public static func families(counters: DaemonCounters?, status: StatusReport?) -> [MetricFamily] {
        var families = [
            MetricFamily(
                name: "bramble_daemon_up", help: "1 when bramble serve answered on its control socket for this scrape, else 0.", kind: .gauge,
                samples: [MetricSample(counters != nil && status != nil ? 1 : 0)])
        ]
        if let counters {
            families += dhcp(counters.dhcp) + tftp(counters.tftp) + (counters.dns.map(dns) ?? []) + process(counters.process)
            families.append(histogram(
                "bramble_boot_duration_seconds", "Boots that reached up since the daemon started, from the first firmware DHCP to up.",
                counters.boot.duration))
        }
        if let status { families += nodes(status) }
        return families
    }

    // MARK: services

    private static func dhcp(_ dhcp: DHCPCounters) -> [MetricFamily] {
        var families = [
            counter("bramble_dhcp_packets_received_total", "DHCP messages received, by message type (none: BOOTP without option 53).", dhcp.received, label: "type"),
            MetricFamily(name: "bramble_dhcp_malformed_packets_total", help: "Frames to port 67 that did not decode as DHCP.", kind: .counter, samples: [MetricSample(dhcp.malformed)]),
            counter("bramble_dhcp_replies_sent_total", "DHCP replies sent, by message type.", dhcp.replies, label: "type"),
            counter("bramble_dhcp_requests_ignored_total", "DHCP requests not answered, by reason.", dhcp.ignored, label: "reason"),
        ]
        if let pool = dhcp.pool {
            families += [
                gauge("bramble_dhcp_pool_size_addresses", "Addresses in the dynamic pool's range.", pool.total),
                gauge("bramble_dhcp_pool_assigned_addresses", "Pool addresses under an unexpired lease.", pool.assigned),
                gauge("bramble_dhcp_pool_declined_addresses", "Pool addresses held out of use after a client declined them.", pool.declined),
            ]
        }
        return families
    }

    private static func tftp(_ tftp: TFTPCounters) -> [MetricFamily] {
        [
            counter("bramble_tftp_transfers_total", "TFTP read requests by how they ended (sent: the whole file).", tftp.transfers, label: "result"),
            MetricFamily(name: "bramble_tftp_sent_bytes_total", help: "Bytes of the files TFTP sent whole.", kind: .counter, samples: [MetricSample(tftp.bytesSent)]),
            histogram("bramble_tftp_transfer_duration_seconds", "Time to send a whole file, first packet to last ACK.", tftp.duration),
            gauge("bramble_tftp_transfers_in_flight", "TFTP transfers running now.", tftp.inFlight),
        ]
    }

    private static func dns(_ dns: DNSCounters) -> [MetricFamily] {
        var answers: [MetricSample] = []
        for source in dns.answers.keys.sorted() {
            for (code, count) in (dns.answers[source] ?? [:]).sorted(by: { $0.key < $1.key }) {
                answers.append(MetricSample(count, labels: [MetricLabel("source", source), MetricLabel("rcode", code)]))
            }
        }
        return [
            MetricFamily(name: "bramble_dns_queries_received_total", help: "DNS query messages received.", kind: .counter, samples: [MetricSample(dns.queries)]),
            MetricFamily(name: "bramble_dns_answers_total", help: "DNS answers sent, by where the answer came from and its response code.", kind: .counter, samples: answers),
            histogram("bramble_dns_upstream_latency_seconds", "Time from sending a query upstream to its accepted answer.", dns.upstreamLatency),
            gauge("bramble_dns_cache_entries", "Answers in the forwarder's cache.", dns.cacheEntries),
        ]
    }

    private static func process(_ process: ProcessCounters) -> [MetricFamily] {
        var families = [
            MetricFamily(
                name: "bramble_daemon_cpu_seconds_total", help: "CPU time bramble serve used, by mode.", kind: .counter,
                samples: [MetricSample(process.cpuSystemSeconds, labels: [MetricLabel("mode", "system")]),
                          MetricSample(process.cpuUserSeconds, labels: [MetricLabel("mode", "user")])]),
            MetricFamily(
                name: "bramble_daemon_start_time_seconds", help: "When bramble serve started, in seconds since the epoch.", kind: .gauge,
                samples: [MetricSample(Double(process.startTime) / 1000)]),
        ]
        let optional: [(String, String, Int?)] = [
            ("bramble_daemon_resident_memory_bytes", "Resident memory of bramble serve (VmRSS).", process.residentBytes),
            ("bramble_daemon_anonymous_memory_bytes", "Anonymous resident memory of bramble serve: heap and stacks (RssAnon).", process.anonymousResidentBytes),
            ("bramble_daemon_open_fds", "Open file descriptors of bramble serve.", process.openDescriptors),
            ("bramble_daemon_max_fds", "The soft limit on bramble serve's file descriptors.", process.maximumDescriptors),
        ]
        for (name, help, value) in optional {
            if let value { families.append(gauge(name, help, value)) }
        }
        families.append(histogram("bramble_daemon_event_loop_lag_seconds", "How late the event loop ran each timer past its deadline.", process.eventLoopLag))
        families.append(MetricFamily(
            name: "bramble_daemon_event_loop_lag_max_seconds", help: "The largest event-loop lag since bramble serve started.", kind: .gauge,
            samples: [MetricSample(Double(process.eventLoopLagMaximumMicroseconds) / 1_000_000)]))
        return families
    }

    // MARK: nodes

    private static func nodes(_ status: StatusReport) -> [MetricFamily] {
        let stages = BootStage.allCases
        var stage: [MetricSample] = []
        var info: [MetricSample] = []
        var bootDuration: [MetricSample] = []
        var reboots: [MetricSample] = []
        var sinceSeen: [MetricSample] = []
        stage.reserveCapacity(status.nodes.count * stages.count)
        for node in status.nodes {
            let labels = [MetricLabel("id", String(node.id)), MetricLabel("node", node.name)]
            for candidate in stages {
                stage.append(MetricSample(candidate == node.stage ? 1 : 0, labels: labels + [MetricLabel("stage", candidate.description)]))
            }
            info.append(MetricSample(1, labels: labels + [MetricLabel("ip", node.ip), MetricLabel("mac", node.mac ?? ""), MetricLabel("model", node.model ?? "")]))
            if let milliseconds = node.bootMilliseconds { bootDuration.append(MetricSample(Double(milliseconds) / 1000, labels: labels)) }
            reboots.append(MetricSample(node.reboots, labels: labels))
            if let seen = node.lastSeen { sinceSeen.append(MetricSample(Double(max(0, status.now - seen)) / 1000, labels: labels)) }
        }
        let summary = stages.map { MetricSample(status.summary[$0.description] ?? 0, labels: [MetricLabel("stage", $0.description)]) }
        return [
            MetricFamily(name: "bramble_nodes", help: "Nodes of the node map in each boot stage.", kind: .gauge, samples: summary),
            MetricFamily(name: "bramble_node_stage", help: "1 for the boot stage each node is in, 0 for the others.", kind: .gauge, samples: stage),
            MetricFamily(name: "bramble_node_info", help: "Each node's address, MAC and the model its firmware reported.", kind: .gauge, samples: info),
            MetricFamily(name: "bramble_node_boot_duration_seconds", help: "Each node's last boot, first firmware DHCP to up; absent until it is up.", kind: .gauge, samples: bootDuration),
            MetricFamily(name: "bramble_node_reboots_total", help: "Boots each node began again since the daemon started.", kind: .counter, samples: reboots),
            MetricFamily(name: "bramble_node_seconds_since_last_seen", help: "Seconds since each node's latest boot event; absent until it is heard.", kind: .gauge, samples: sinceSeen),
        ]
    }

    // MARK: building blocks

    private static func counter(_ name: String, _ help: String, _ counts: [String: Int], label: String) -> MetricFamily {
        MetricFamily(name: name, help: help, kind: .counter, samples: counts.sorted { $0.key < $1.key }.map { MetricSample($0.value, labels: [MetricLabel(label, $0.key)]) })
    }

    private static func gauge(_ name: String, _ help: String, _ value: Int) -> MetricFamily {
        MetricFamily(name: name, help: help, kind: .gauge, samples: [MetricSample(value)])
    }

    /// Cumulative `_bucket` lines (`le` in seconds, then `+Inf`), `_sum` and `_count`.
    public static func histogram(_ name: String, _ help: String, _ histogram: DurationHistogram, labels: [MetricLabel] = []) -> MetricFamily {
        var samples: [MetricSample] = []
        var cumulative = 0
        for (index, bound) in histogram.upperBoundsMicroseconds.enumerated() {
            cumulative += histogram.counts[index]
            samples.append(MetricSample(cumulative, labels: labels + [MetricLabel("le", PrometheusExposition.number(Double(bound) / 1_000_000))], suffix: "_bucket"))
        }
        cumulative += histogram.counts.last ?? 0
        samples.append(MetricSample(cumulative, labels: labels + [MetricLabel("le", "+Inf")], suffix: "_bucket"))
        samples.append(MetricSample(Double(histogram.sumMicroseconds) / 1_000_000, labels: labels, suffix: "_sum"))
        samples.append(MetricSample(cumulative, labels: labels, suffix: "_count"))
        return MetricFamily(name: name, help: help, kind: .histogram, samples: samples)
    }
}
