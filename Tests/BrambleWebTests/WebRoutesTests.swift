import BrambleBMC
import BrambleBoot
import BrambleControl
import BrambleMetrics
import BrambleTestSupport
import BrambleWeb
import BrambleWebCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// The routes against a fake control socket, through Hummingbird's router test framework:
/// no root, no network; only the Unix socket in a temporary directory.
@Suite struct WebRoutesTests {
    static func application(_ client: DaemonClient, state: DashboardState = DashboardState(), authentication: WebAuthentication? = nil) -> Application<RouterResponder<BasicRequestContext>> {
        Application(router: WebRoutes.router(client: client, state: state, authentication: authentication))
    }

    @Test func statusIsTheDaemonsReportAsJSON() async throws {
        let report = fakeReport()
        let daemon = try await FakeDaemon(report: { report })
        defer { Task { await daemon.stop() } }
        try await Self.application(DaemonClient.underTest(daemon.path)).test(.router) { client in
            try await client.execute(uri: "/api/status", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let decoded = try JSONDecoder().decode(StatusReport.self, from: bodyData(response.body))
                #expect(decoded == report)
            }
        }
    }

    @Test func withoutADaemonTheAnswerSaysSoAndNamesTheSocket() async throws {
        let path = try TemporaryDirectory.make(prefix: "bramble-web") + "/control.sock"
        try await Self.application(DaemonClient.underTest(path)).test(.router) { client in
            try await client.execute(uri: "/api/status", method: .get) { response throws in
                #expect(response.status == .serviceUnavailable)
                let body = String(buffer: response.body)
                #expect(body.contains("no bramble daemon answers on \(path)"))
                #expect(body.contains("No such file or directory"))
            }
        }
    }

    /// Whatever the daemon sends, the answer is a 503 naming the problem, and the next
    /// request is served as usual.
    @Test(arguments: [
        ("garbage", FakeDaemon.Reply.bytes(Array("garbage\n".utf8)), "unreadable"),
        ("a status of the wrong shape", .bytes(Array("{\"status\":{\"now\":\"soon\"}}\n".utf8)), "unreadable"),
        ("an unknown stage", .bytes(Array("{\"status\":{\"now\":1,\"nodes\":[{\"id\":1,\"name\":\"a\",\"ip\":\"b\",\"stage\":\"dancing\",\"reboots\":0}],\"summary\":{}}}\n".utf8)), "unreadable"),
        ("a message instead of a status", .line(ControlResponse(message: "hello")), "holds no status"),
        ("binary", .bytes([0xFF, 0x00, 0xFE, 0x0A]), "unreadable"),
        ("a hang-up", .hangUp, "closed the connection"),
        ("an error", .line(ControlResponse(error: "the daemon is unhappy")), "the daemon is unhappy"),
    ])
    func hostileDaemonRepliesAreRefusedInWords(_ name: String, _ reply: FakeDaemon.Reply, _ expected: String) async throws {
        let answered = NIOLockedCounter()
        let daemon = try await FakeDaemon { _ in answered.next() == 0 ? reply : .line(ControlResponse(status: fakeReport())) }
        defer { Task { await daemon.stop() } }
        try await Self.application(DaemonClient.underTest(daemon.path)).test(.router) { client in
            try await client.execute(uri: "/api/status", method: .get) { response throws in
                #expect(response.status == .serviceUnavailable, "\(name)")
                #expect(String(buffer: response.body).contains(expected), "\(name)")
            }
            try await client.execute(uri: "/api/status", method: .get) { response throws in
                #expect(response.status == .ok, "after \(name)")
            }
        }
    }

    @Test func aLineBeyondTheProtocolsLimitIsRefusedWithoutReadingOn() async throws {
        let daemon = try await FakeDaemon { _ in .bytes([UInt8](repeating: UInt8(ascii: "a"), count: ControlLine.maximumResponseLength + 10)) }
        defer { Task { await daemon.stop() } }
        try await Self.application(DaemonClient.underTest(daemon.path)).test(.router) { client in
            try await client.execute(uri: "/api/status", method: .get) { response throws in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("longer than"))
            }
        }
    }

    @Test func aSilentDaemonTimesOut() async throws {
        let daemon = try await FakeDaemon { _ in .silence }
        defer { Task { await daemon.stop() } }
        // The answer naming the 300 ms timeout is the proof that the client gave up on the
        // silent daemon (which never answers); how long that took on a loaded machine is not.
        var client = DaemonClient(socketPath: daemon.path)
        client.timeout = .milliseconds(300)
        try await Self.application(client).test(.router) { client in
            try await client.execute(uri: "/api/status", method: .get) { response throws in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("did not answer within 300 ms"))
            }
        }
    }

    @Test func historyAsksTheDaemonForANumberOnly() async throws {
        let daemon = try await FakeDaemon(report: { fakeReport() })
        defer { Task { await daemon.stop() } }
        try await Self.application(DaemonClient.underTest(daemon.path)).test(.router) { client in
            try await client.execute(uri: "/api/nodes/3/history", method: .get) { response throws in
                #expect(response.status == .ok)
                let history = try JSONDecoder().decode(NodeHistory.self, from: bodyData(response.body))
                #expect(history.nodeID == 3 && history.records.count == 1)
            }
            try await client.execute(uri: "/api/nodes/42/history", method: .get) { response throws in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("no node 42"))
            }
            for hostile in ["node03", "0", "-1", "12345", "1e3", "%2e%2e", "3%00", "..%2f..%2fetc%2fpasswd"] {
                try await client.execute(uri: "/api/nodes/\(hostile)/history", method: .get) { response throws in
                    #expect(response.status == .badRequest, "\(hostile)")
                }
            }
        }
        #expect(daemon.requests.withLockedValue { $0 }.allSatisfy { !$0.contains("node03") && !$0.contains("..") })
    }

    /// Nothing is served from the file system: traversal and unknown paths are 404, and only
    /// GET is routed.
    @Test func pathsOutsideTheRoutesAreNotFound() async throws {
        let daemon = try await FakeDaemon(report: { fakeReport() })
        defer { Task { await daemon.stop() } }
        try await Self.application(DaemonClient.underTest(daemon.path)).test(.router) { client in
            for path in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/dashboard.js/../../../etc/shadow", "/etc/passwd", "/api", "/api/nodes", "/index.html"] {
                try await client.execute(uri: path, method: .get) { response throws in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(!String(buffer: response.body).contains("root:"), "\(path)")
                }
            }
            for method in [HTTPRequest.Method.post, .put, .delete, .patch] {
                try await client.execute(uri: "/api/status", method: method, body: ByteBuffer(repeating: 0x41, count: 100_000)) { response throws in
                    #expect(!(200..<300).contains(response.status.code), "\(method)")
                }
            }
        }
    }

    @Test func thePageEmbedsTheModelSafelyAndLoadsOnlyItsOwnFiles() async throws {
        let hostileName = "</script><script>alert(1)</script>"
        let report = StatusReport(now: 10, nodes: [NodeStatus(id: 1, name: hostileName, ip: "10.42.0.1", mac: nil, stage: .up, stageSince: 1, bootStarted: 1, bootMilliseconds: 9, reboots: 0, lastError: nil)])
        let state = DashboardState()
        await state.update(report)
        let daemon = try await FakeDaemon(report: { report })
        defer { Task { await daemon.stop() } }
        try await Self.application(DaemonClient.underTest(daemon.path), state: state).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                let page = String(buffer: response.body)
                #expect(!page.contains(hostileName))
                #expect(page.contains(#"\u003c\/script>\u003cscript>alert(1)\u003c\/script>"#))
                #expect(!page.contains("http://") && !page.contains("https://"), "every asset is served by bramble web")
                let start = try #require(page.firstRange(of: "type=\"application/json\">")).upperBound
                let end = try #require(page[start...].firstRange(of: "</script>")).lowerBound
                let json = String(page[start..<end])
                let model = try JSONDecoder().decode(DashboardModel.self, from: Data(json.utf8))
                #expect(model.bays.first?.name == hostileName)
            }
            for (path, type) in [("/dashboard.js", "text/javascript; charset=utf-8"), ("/dashboard.css", "text/css; charset=utf-8")] {
                try await client.execute(uri: path, method: .get) { response throws in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == type)
                    let text = String(buffer: response.body)
                    #expect(!text.contains("http://") && !text.contains("https://"), "\(path) loads nothing from elsewhere")
                }
            }
            try await client.execute(uri: "/dashboard.js", method: .get) { response throws in
                #expect(!String(buffer: response.body).contains("innerHTML"), "daemon text goes in as text")
            }
        }
    }

    @Test func theDashboardModelCarriesEveryBayWithItsPlaceAndStall() async throws {
        let state = DashboardState()
        await state.update(fakeReport(count: 8, up: 5, rest: .kernel, now: 1_000_000, since: 1_000_000 - 61_000))
        let daemon = try await FakeDaemon(report: { fakeReport() })
        defer { Task { await daemon.stop() } }
        try await Self.application(DaemonClient.underTest(daemon.path), state: state).test(.router) { client in
            try await client.execute(uri: "/api/dashboard", method: .get) { response throws in
                let model = try JSONDecoder().decode(DashboardModel.self, from: bodyData(response.body))
                #expect(model.daemonReachable)
                #expect(model.summary == "8 nodes: 5 up, 3 kernel")
                #expect(model.bays.map(\.id) == Array(1...8))
                #expect(model.bays.filter(\.stalled).map(\.id) == [6, 7, 8], "61 s in kernel is past its 60 s floor")
                #expect(model.bays[6].position == BayPosition(bar: 2, slot: 1))
                #expect(model.layout.bars == 2 && model.layout.baysPerBar == 6)
            }
        }
    }

    @Test func basicAuthenticationAdmitsOnlyTheUserWithTheirPassword() async throws {
        let authentication = WebAuthentication(user: "ops", passwordHash: Bcrypt.hash("correct horse", cost: 4))
        let daemon = try await FakeDaemon(report: { fakeReport() })
        defer { Task { await daemon.stop() } }
        let app = Self.application(DaemonClient.underTest(daemon.path), authentication: authentication)
        try await app.test(.router) { client in
            let refused: [String?] = [
                nil, BasicCredentials(user: "ops", password: "wrong").header, BasicCredentials(user: "root", password: "correct horse").header,
                BasicCredentials(user: "op", password: "correct horse").header, "Basic", "Basic !!!!", "Bearer abc", "Basic " + String(repeating: "QUFB", count: 5000),
                "Basic b3Bz", "basic b3BzOg==", "Basic \u{7F}",
            ]
            for header in refused {
                var headers = HTTPFields()
                if let header { headers[.authorization] = header }
                for path in ["/", "/api/status", "/api/events", "/dashboard.js", "/nowhere"] {
                    try await client.execute(uri: path, method: .get, headers: headers) { response throws in
                        #expect(response.status == .unauthorized, "\(header ?? "no header") \(path)")
                        #expect(response.headers[.wwwAuthenticate] == "Basic realm=\"bramble web\", charset=\"UTF-8\"")
                    }
                }
            }
            for header in [BasicCredentials(user: "ops", password: "correct horse").header, "bAsIc   b3BzOmNvcnJlY3QgaG9yc2U="] {
                try await client.execute(uri: "/api/status", method: .get, headers: [.authorization: header]) { response throws in
                    #expect(response.status == .ok, "\(header)")
                }
            }
        }
    }
}

/// A counter the fake's reply closure can bump from the event loop.
final class NIOLockedCounter: Sendable {
    private let value = NIOLockedValueBox(0)
    func next() -> Int {
        value.withLockedValue { count in
            count += 1
            return count - 1
        }
    }
}

/// `/metrics`: what Prometheus scrapes, from the daemon's counters and status.
@Suite struct MetricsRouteTests {
    static func counters() -> DaemonCounters {
        DaemonCounters(
            time: 100_000,
            dhcp: DHCPCounters(received: ["discover": 3], malformed: 0, replies: ["offer": 3], ignored: ["unknown_mac": 1], pool: nil),
            tftp: TFTPCounters(transfers: ["sent": 9], bytesSent: 123_456, duration: DurationHistogram(upperBoundsMilliseconds: [5, 60_000]), inFlight: 0),
            dns: nil, boot: BootCounters(duration: DurationHistogram(upperBoundsMilliseconds: [5_000])),
            process: ProcessCounters(
                cpuUserSeconds: 1, cpuSystemSeconds: 0.5, residentBytes: 9_000_000, anonymousResidentBytes: nil, openDescriptors: 12,
                maximumDescriptors: 1024, startTime: 50_000, eventLoopLag: DurationHistogram(upperBoundsMilliseconds: [1]),
                eventLoopLagMaximumMicroseconds: 10))
    }

    @Test func aScrapeAsksForCountersAndStatusAndRendersBoth() async throws {
        let daemon = try await FakeDaemon { request in
            switch request?.command {
            case .counters: .line(ControlResponse(counters: Self.counters()))
            case .status: .line(ControlResponse(status: fakeReport(count: 3, up: 3)))
            default: .line(ControlResponse(error: "unexpected"))
            }
        }
        defer { Task { await daemon.stop() } }
        try await WebRoutesTests.application(DaemonClient.underTest(daemon.path)).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                #expect(text.contains("bramble_daemon_up 1"))
                #expect(text.contains("bramble_tftp_sent_bytes_total 123456"))
                #expect(text.contains("bramble_nodes{stage=\"up\"} 3"))
            }
        }
    }

    @Test func theBMCsLastPollFollowsTheDaemonsFamilies() async throws {
        let path = try TemporaryDirectory.make(prefix: "bramble-web") + "/control.sock"
        let state = DashboardState()
        await state.setBMC([
            BMCBayReading(
                id: 3, name: "node03", bmc: BMCID(3), status: BMCStatus(id: BMCID(3), role: .slave, power: .on, currentRaw: 0x1B, fanRaw: 0x63),
                error: nil)
        ])
        try await WebRoutesTests.application(DaemonClient.underTest(path), state: state).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response throws in
                let text = String(buffer: response.body)
                #expect(text.contains("bramble_daemon_up 0"))
                #expect(text.contains("bramble_bmc_current_raw{id=\"3\",node=\"node03\",bmc=\"03\"} 27\n"), "\(text)")
                #expect(text.contains("bramble_bmc_fan_raw{id=\"3\",node=\"node03\",bmc=\"03\"} 99\n"))
            }
        }
    }

    @Test func withoutADaemonTheScrapeSaysItIsDown() async throws {
        let path = try TemporaryDirectory.make(prefix: "bramble-web") + "/control.sock"
        try await WebRoutesTests.application(DaemonClient.underTest(path)).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response throws in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains("bramble_daemon_up 0"))
                #expect(!text.contains("bramble_tftp_sent_bytes_total"))
            }
        }
    }

    @Test func aDaemonSendingGarbageCountsAsDown() async throws {
        let daemon = try await FakeDaemon { _ in .bytes(Array("{\"counters\":{\"time\":\"x\"}}\n".utf8)) }
        defer { Task { await daemon.stop() } }
        try await WebRoutesTests.application(DaemonClient.underTest(daemon.path)).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response throws in
                #expect(String(buffer: response.body).contains("bramble_daemon_up 0"))
            }
        }
    }
}
