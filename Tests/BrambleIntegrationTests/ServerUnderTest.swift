import BrambleLab
import BrambleTestSupport
import Foundation
import Testing

/// A `bramble serve` running in a lab's hub namespace, with its own config, node map and
/// state directory in a temporary directory (world-readable: the daemon reloads as nobody).
final class ServerUnderTest {
    let lab: NetworkLab
    let hub: String
    let directory: URL
    private(set) var process: Process?

    /// The repository checkout.
    static let repository = Checkout.root
    /// The bramble executable built beside the test bundle.
    static let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("bramble")

    init(lab: NetworkLab, hub: String, nodes: String, config extra: String = "") throws {
        self.lab = lab
        self.hub = hub
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("bramble-it-\(lab.prefix)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        // `bramble serve` refuses to start without its boot tree; tests that serve files fill it.
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("pxe/boot"), withIntermediateDirectories: true)
        try nodes.write(to: file("nodes"), atomically: false, encoding: .utf8)
        let config = "interface = eth0\naddress = 10.42.0.250/24\nnodes = nodes\nstate-dir = state\npxe = pxe\n" + extra
        try config.write(to: file("bramble.conf"), atomically: false, encoding: .utf8)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
    var configPath: String { file("bramble.conf").path }

    /// Starts the daemon and waits for its `ready` line; `launcher` goes before the
    /// executable (`env VAR=VALUE`, `setpriv ...`).
    func start(arguments: [String] = [], launcher: [String] = []) throws {
        let process = try lab.start(in: hub, launcher + [Self.executable.path, "serve", "--config", configPath] + arguments, output: file("serve.log").path)
        self.process = process
        try waitForLog("ready:", timeout: 10)
    }

    var log: String { (try? String(contentsOf: file("serve.log"), encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text` (appearing after `skipping` characters).
    func waitForLog(_ text: String, after skipping: Int = 0, timeout: Double = 5) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let current = log
            if current.count > skipping, current.dropFirst(skipping).contains(text) { return }
            if let process, !process.isRunning { break }
            usleep(20_000)
        }
        throw NetworkLab.Unavailable(description: "bramble serve did not log '\(text)' within \(timeout) s; log:\n\(log)")
    }

    func stop(signal: Int32 = SIGTERM) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
    }

    /// Runs `bramble ARGS...` (the CLI, outside the namespaces) against this server's files.
    @discardableResult
    func bramble(_ arguments: [String]) throws -> NetworkLab.CommandResult {
        try NetworkLab.execute([Self.executable.path] + arguments, timeout: 30)
    }
}
