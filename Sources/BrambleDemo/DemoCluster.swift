import Foundation

/// The demo's network: a switch namespace holding a bridge, the hub's namespace
/// (10.42.0.250/24) and one namespace per bay whose `eth0` carries the Pi's MAC and no
/// address, each wired to the bridge by a veth pair. Names carry the demo's pid so runs
/// never collide. `tearDown` stops every process the demo started and deletes every
/// namespace; it runs on success, on failure and after Ctrl-C.
final class DemoCluster {
    let prefix: String
    var switchNamespace: String { "\(prefix)-sw" }
    var hubNamespace: String { "\(prefix)-hub" }
    private(set) var namespaces: [String] = []
    private var processes: [Process] = []

    init(prefix: String) { self.prefix = prefix }

    func namespace(for bay: DemoBay) -> String { "\(prefix)-n\(bay.id)" }

    /// Creates the namespaces and links, a few `ip -batch` runs rather than hundreds of `ip`s.
    func build(bays: [DemoBay]) throws {
        let hosts = [(hubNamespace, "02:42:0a:2a:00:fa")] + bays.map { (namespace(for: $0), $0.mac) }
        var add = ""
        for name in [switchNamespace] + hosts.map(\.0) {
            add += "netns add \(name)\n"
        }
        namespaces = [switchNamespace] + hosts.map(\.0)
        try Self.ip(["-batch", "-"], input: add)
        var wiring = "link set lo up\nlink add br0 type bridge\nlink set br0 up\n"
        for (index, host) in hosts.enumerated() {
            wiring += "link add \(prefix)p\(index) type veth peer name eth0 netns \(host.0)\n"
            wiring += "link set \(prefix)p\(index) master br0 up\n"
        }
        try Self.ip(["-n", switchNamespace, "-batch", "-"], input: wiring)
        for (index, host) in hosts.enumerated() {
            var setup = "link set lo up\nlink set eth0 address \(host.1)\nlink set eth0 up\n"
            if index == 0 { setup += "addr add 10.42.0.250/24 dev eth0\n" }
            try Self.ip(["-n", host.0, "-batch", "-"], input: setup)
        }
    }

    /// Starts `arguments` inside `namespace`, its output (both streams) appended to `output`.
    func start(in namespace: String, _ arguments: [String], output: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace] + arguments
        guard FileManager.default.createFile(atPath: output, contents: nil) else {
            throw DemoError("cannot create \(output)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        processes.append(process)
        return process
    }

    /// Stops a process: SIGTERM, then SIGKILL after `grace` seconds.
    static func stop(_ process: Process, grace: Double = 3) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func tearDown() {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        for process in processes { Self.stop(process, grace: 2) }
        processes = []
        for namespace in namespaces.reversed() {
            // Anything left inside (a process the demo did not start itself) goes too.
            if let pids = try? Self.run(["ip", "netns", "pids", namespace], input: nil) {
                for pid in pids.output.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
            _ = try? Self.run(["ip", "netns", "del", namespace], input: nil)
        }
        namespaces = []
    }

    /// Removes the namespaces of earlier demos whose process is gone (killed with SIGKILL,
    /// which no clean-up survives); returns how many.
    static func removeAbandoned() -> Int {
        let abandoned = existingNamespaces(prefix: "bdemo").filter { name in
            guard let pid = Int32(name.dropFirst("bdemo".count).prefix { $0.isNumber }) else { return false }
            return kill(pid, 0) != 0 && errno == ESRCH
        }
        let cluster = DemoCluster(prefix: "")
        cluster.namespaces = abandoned
        cluster.tearDown()
        return abandoned.count
    }

    /// Namespaces whose names start with `prefix` (none should be left after tear-down).
    static func existingNamespaces(prefix: String) -> [String] {
        guard let list = try? run(["ip", "netns", "list"], input: nil) else { return [] }
        return list.output.split(separator: "\n").map { String($0.split(separator: " ").first ?? "") }.filter { $0.hasPrefix(prefix) }
    }

    private static func ip(_ arguments: [String], input: String) throws {
        let result = try run(["ip"] + arguments, input: input)
        guard result.status == 0 else {
            throw DemoError("ip \(arguments.joined(separator: " ")) failed: \(result.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// Runs a short command to completion (at most `timeout` s), feeding it `input`.
    static func run(_ arguments: [String], input: String?, timeout: Double = 30) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let feed = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = feed
        try process.run()
        if let input { feed.fileHandleForWriting.write(Data(input.utf8)) }
        try feed.fileHandleForWriting.close()
        // The commands print little (far less than a pipe holds), so reading after the exit is safe.
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        if process.isRunning {
            process.terminate()
            throw DemoError("\(arguments.joined(separator: " ")) took more than \(Int(timeout)) s")
        }
        process.waitUntilExit()
        let collected = output.fileHandleForReading.readDataToEndOfFile()
        return (process.terminationStatus, String(decoding: collected, as: UTF8.self))
    }
}
