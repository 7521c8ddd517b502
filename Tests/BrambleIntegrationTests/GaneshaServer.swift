import BrambleLab
import BrambleRoots
import Foundation

/// nfs-ganesha serving bramble's export lines from a lab namespace (GaneshaConfig), its
/// configuration, log and state in `directory`, and a reader of its files in the nodes'
/// namespaces (libnfs-utils, NFSv4).
///
/// A child of Foundation's Process starts with SIGTERM and SIGINT blocked, which ganesha
/// would inherit and so ignore a stop: a one-line Python wrapper clears the signal mask and
/// execs ganesha in its own place, so the process held here is ganesha itself, SIGKILLed by
/// ``kill()`` (and by the lab's tear-down, should a test end early).
final class GaneshaServer {
    static let executable = "/usr/bin/ganesha.nfsd"
    static let tools = [executable, "/usr/bin/nfs-cat", "/usr/bin/nfs-cp", "/usr/bin/nfs-ls"]

    let lab: NetworkLab
    let directory: URL
    let process: Process

    /// Fails with the package to install when ganesha or the libnfs tools are missing.
    static func checkInstalled() throws {
        for tool in tools where !FileManager.default.isExecutableFile(atPath: tool) {
            throw NetworkLab.Unavailable(description: "\(tool) is missing: apt-get install nfs-ganesha nfs-ganesha-vfs libnfs-utils (scripts/test does)")
        }
    }

    /// Starts ganesha in `namespace` bound to `address` and waits until it listens there.
    init(lab: NetworkLab, namespace: String, address: String, exports: [NFSExport], directory: URL) throws {
        try Self.checkInstalled()
        self.lab = lab
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = try GaneshaConfig.render(exports: exports, bind: address, stateDirectory: directory.path)
        let configFile = directory.appendingPathComponent("ganesha.conf")
        try config.write(to: configFile, atomically: false, encoding: .utf8)
        let unblocked = ["python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])"]
        process = try lab.start(in: namespace, unblocked + [
            Self.executable, "-F", "-f", configFile.path,
            "-L", directory.appendingPathComponent("ganesha.log").path, "-p", directory.appendingPathComponent("ganesha.pid").path,
        ], output: directory.appendingPathComponent("ganesha.out").path)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && process.isRunning {
            if try lab.run(in: namespace, ["ss", "-Hltn", "sport", "= :2049"]).output.contains(address) {
                // ganesha serves on with the blocks it could not read left out: a translation
                // it refuses must fail here, not as a puzzling read later.
                guard !log.contains(":CONFIG :CRIT") else {
                    kill()
                    throw NetworkLab.Unavailable(description: "ganesha refused parts of its configuration:\n\(config)\n\(log)")
                }
                return
            }
            usleep(50_000)
        }
        kill()
        throw NetworkLab.Unavailable(description: "ganesha did not listen on \(address):2049; its log:\n\(log)")
    }

    deinit { kill() }

    var log: String { (try? String(contentsOf: directory.appendingPathComponent("ganesha.log"), encoding: .utf8)) ?? "" }

    /// SIGKILL, then wait for the exit: nothing of ganesha outlives the test.
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// `nfs-cat nfs://SERVER/PATH?version=4` from a namespace.
    static func read(_ path: String, from server: String, in namespace: String, lab: NetworkLab) throws -> NetworkLab.CommandResult {
        try lab.run(in: namespace, ["nfs-cat", "nfs://\(server)\(path)?version=4"], timeout: 20)
    }
}
