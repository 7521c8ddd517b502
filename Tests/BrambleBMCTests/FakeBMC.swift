import Foundation

/// scripts/lib/fake-bmc.py running on a pseudo-terminal in a directory of its own: the
/// "serial line" is `link`, what it understood is in `log`. No root needed.
final class FakeBMC {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repository.appendingPathComponent("scripts/lib/fake-bmc.py").path

    let directory: URL
    let link: String
    let logPath: String
    private let process = Process()

    init(_ arguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-bmc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        link = directory.appendingPathComponent("serial0").path
        logPath = directory.appendingPathComponent("commands.log").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.script, "--link", link, "--log", logPath] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The script prints the link once the pty is open and the symlink made.
        let ready = output.fileHandleForReading.availableData
        guard String(decoding: ready, as: UTF8.self).contains(link) else {
            process.terminate()
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: link])
        }
    }

    /// The commands the simulator understood, one per line, in order.
    var commands: [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}
