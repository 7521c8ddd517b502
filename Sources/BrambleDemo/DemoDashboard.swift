import BrambleLab
import Foundation
import Glibc

/// `bramble demo --web`: bramble-web beside the demo's hub, so a new user watches the module
/// boot in a browser. The hub's daemon runs in its namespace, but its control socket is a
/// file of the demo's directory, so bramble-web runs in the demo's own network namespace and
/// listens on 127.0.0.1 only (never another interface of the machine).
struct DemoDashboard {
    let process: Process
    let url: String

    /// Starts bramble-web (built next to this executable) on 127.0.0.1:`port` for the
    /// daemon of `configPath`, and waits (at most 10 s) until it listens.
    static func start(configPath: String, port: Int, logPath: String) throws -> DemoDashboard {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("bramble-web").path
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw DemoError("--web needs bramble-web next to bramble-demo: build it with `swift build --product bramble-web`")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--config", configPath, "--listen", "loopback:\(port)"]
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw DemoError("cannot create \(logPath)") }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if text.contains("serving http://") { return DemoDashboard(process: process, url: "http://127.0.0.1:\(port)/") }
            if !process.isRunning { throw DemoError("bramble web did not start: \(text.trimmingCharacters(in: .whitespacesAndNewlines))") }
            usleep(50_000)
        }
        NetworkLab.stop(process)
        throw DemoError("bramble web did not listen within 10 s; see \(logPath)")
    }

    /// Keeps the module and the dashboard up for `seconds` after the boot, or until a signal.
    static func hold(url: String, seconds: Double) {
        print("the module stays up for \(Int(seconds)) s so you can look around at \(url); Ctrl-C ends it sooner")
        fflush(nil)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && DemoSignals.received == 0 { usleep(100_000) }
    }

    func stop() { NetworkLab.stop(process) }
}
