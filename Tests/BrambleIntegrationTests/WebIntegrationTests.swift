import BrambleLab
import Foundation
import Testing

/// `bramble web` on a hub in a lab: it serves the hub's address only, says when the daemon
/// is not there and recovers when it comes, refuses clients without the password, and
/// stays up through what a hostile client on the uplink sends (scripts/lib/hostile-http.py).
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct WebIntegrationTests {
    static let hostile = ServerUnderTest.repository.appendingPathComponent("scripts/lib/hostile-http.py").path
    static let webConfig = "web-listen = hub:9420\nweb-user = ops\nweb-password-file = web.password\n"

    struct Hub {
        let lab: NetworkLab
        let hub: String
        let client: String
        let server: ServerUnderTest
        let web: Process

        var webLog: String { (try? String(contentsOf: server.file("web.log"), encoding: .utf8)) ?? "" }

        /// `curl` from the client namespace: the status code and the body.
        func curl(_ path: String, user: String? = "ops:secret") throws -> (status: Int, body: String) {
            var arguments = ["curl", "-s", "-m", "5", "-w", "\n%{http_code}"]
            if let user { arguments += ["-u", user] }
            let result = try lab.run(in: client, arguments + ["http://10.42.0.250:9420\(path)"], timeout: 10)
            let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }

        func dashboard() throws -> [String: Any] {
            let answer = try curl("/api/dashboard")
            return (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any] ?? [:]
        }

        /// Polls `condition` every 100 ms for at most `seconds`.
        func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
            for _ in 0..<Int(seconds * 10) {
                if try condition() { return true }
                usleep(100_000)
            }
            return try condition()
        }
    }

    /// A lab with the hub (config and node map written, daemon not started) and bramble web
    /// serving the hub's address with basic authentication.
    static func hub(startingWeb: Bool = true) throws -> Hub {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let client = try lab.addHost("client", address: "10.42.0.9/24")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: "1 b8:27:eb:00:00:01\n2 b8:27:eb:00:00:02\n", config: webConfig)
        let hashed = try NetworkLab.execute(
            ["sh", "-c", "echo secret | \"$0\" web hash-password --cost 4 > \"$1\"", ServerUnderTest.executable.path, server.file("web.password").path],
            timeout: 30)
        #expect(hashed.status == 0, "\(hashed.output)")
        let web = try lab.start(in: hub, [ServerUnderTest.executable.path, "web", "--config", server.configPath], output: server.file("web.log").path)
        let started = Hub(lab: lab, hub: hub, client: client, server: server, web: web)
        let listening = started.eventually(10) { started.webLog.contains("serving http://10.42.0.250:9420/") }
        #expect(listening, "bramble web prints the address it serves: \(started.webLog)")
        return started
    }

    @Test("bramble web shows the daemon unreachable, then its nodes once it runs, and again unreachable when it stops")
    func daemonComesAndGoes() throws {
        let hub = try Self.hub()
        defer { hub.lab.tearDown() }
        let before = try hub.dashboard()
        #expect(before["daemonReachable"] as? Bool == false)
        #expect((before["daemonProblem"] as? String)?.contains("no bramble daemon answers on \(hub.server.directory.path)/state/control.sock") == true, "\(before)")
        let page = try hub.curl("/")
        #expect(page.status == 200 && page.body.contains("<title>bramble: the module</title>"))

        try hub.server.start()
        #expect(try hub.eventually(10) { try hub.dashboard()["daemonReachable"] as? Bool == true }, "recovers when the daemon comes")
        let running = try hub.dashboard()
        #expect(running["summary"] as? String == "2 nodes: 2 waiting", "\(running)")
        let status = try hub.curl("/api/status")
        #expect(status.status == 200 && status.body.contains("\"name\":\"node01\""), "\(status)")
        let history = try hub.curl("/api/nodes/1/history")
        #expect(history.status == 200 && history.body.contains("\"nodeID\":1"), "\(history)")
        #expect(try hub.curl("/api/nodes/7/history").status == 404)

        hub.server.stop()
        #expect(try hub.eventually(10) { try hub.dashboard()["daemonReachable"] as? Bool == false }, "says so when the daemon stops")
        #expect(try hub.curl("/api/status").status == 503)
        #expect(hub.web.isRunning, "bramble web outlives the daemon")
    }

    @Test("bramble web refuses clients without the password and stays up through hostile HTTP clients")
    func hostileClients() throws {
        let hub = try Self.hub()
        defer { hub.lab.tearDown() }
        try hub.server.start()
        #expect(try hub.curl("/api/dashboard", user: nil).status == 401)
        #expect(try hub.curl("/api/dashboard", user: "ops:wrong").status == 401)
        #expect(try hub.curl("/api/dashboard", user: "root:secret").status == 401)

        let result = try hub.lab.run(in: hub.client, ["python3", Self.hostile, "10.42.0.250", "9420", "--auth", "ops:secret"], timeout: 120)
        let line = String(result.output.split(separator: "\n").last ?? "")
        let outcome = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(result.output)")
        for attack in ["garbage", "not-http", "huge-uri", "huge-header", "many-headers", "post-body", "bad-content-length", "smuggle"] {
            let answer = outcome[attack]
            #expect(answer as? String == "closed" || (answer as? Int).map { (400..<600).contains($0) } == true, "\(attack): \(String(describing: answer))")
        }
        for attack in ["traversal", "traversal-encoded", "traversal-history", "null-byte"] {
            #expect((outcome[attack] as? Int).map { [400, 404].contains($0) } == true, "\(attack): \(String(describing: outcome[attack]))")
        }
        #expect(outcome["bad-auth"] as? Int == 401 && outcome["wrong-password"] as? Int == 401)
        #expect((outcome["leaks"] as? [String])?.isEmpty == true, "no file content in any answer: \(outcome)")
        #expect(outcome["slow-clients-held"] as? Int == 40)
        #expect(outcome["served-beside-slow-clients"] as? Int == 200)
        #expect(outcome["followers-200"] as? Int == 64 && outcome["followers-503"] as? Int == 6, "\(outcome)")
        #expect(outcome["served-after-followers"] as? Int == 200 && outcome["page"] as? Int == 200)
        #expect(hub.web.isRunning, "bramble web is still running: \(hub.webLog)")
        #expect(try hub.curl("/api/status").status == 200)
    }

    @Test("bramble web says why it cannot start: off, port in use, an address the machine lacks")
    func startErrors() throws {
        let hub = try Self.hub()
        defer { hub.lab.tearDown() }
        let bramble = ServerUnderTest.executable.path
        let inUse = try hub.lab.run(in: hub.hub, [bramble, "web", "--config", hub.server.configPath], timeout: 20)
        #expect(inUse.status == 1)
        #expect(inUse.output.contains("cannot listen on 10.42.0.250:9420: another program holds the port"), "\(inUse.output)")

        let offConfig = hub.server.file("off.conf")
        try "address = 10.42.0.250/24\n".write(to: offConfig, atomically: true, encoding: .utf8)
        let off = try hub.lab.run(in: hub.hub, [bramble, "web", "--config", offConfig.path], timeout: 20)
        #expect(off.status == 1 && off.output.contains("bramble web: off: set `web-listen = loopback`"), "\(off.output)")

        let elsewhere = hub.server.file("elsewhere.conf")
        try "address = 10.42.0.77/24\nweb-listen = hub\n".write(to: elsewhere, atomically: true, encoding: .utf8)
        let missing = try hub.lab.run(in: hub.hub, [bramble, "web", "--config", elsewhere.path], timeout: 20)
        #expect(missing.status == 1)
        #expect(missing.output.contains("cannot listen on 10.42.0.77:9420: this machine has no such address"), "\(missing.output)")
    }
}
