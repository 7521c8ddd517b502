import Glibc

/// The init system as `bramble migrate --apply` and `--undo` use it: a protocol, so tests
/// drive the switch-over with a fake, and ``Systemctl`` runs the real commands.
protocol ServiceManager: AnyObject {
    /// Runs `systemctl ARGUMENTS...`; returns its exit status and output.
    func systemctl(_ arguments: [String]) -> ExternalCommand.Result
    /// The unit's last journal lines, for saying why it did not start.
    func journal(unit: String, lines: Int) -> [String]
}

/// systemd's own tools, run and waited for.
final class Systemctl: ServiceManager {
    func systemctl(_ arguments: [String]) -> ExternalCommand.Result {
        ExternalCommand.run(["systemctl"] + arguments)
    }

    func journal(unit: String, lines: Int) -> [String] {
        let result = ExternalCommand.run(["journalctl", "--unit", unit, "--lines", "\(lines)", "--no-pager", "--output", "cat"])
        return result.output.split(separator: "\n").map(String.init)
    }
}

/// A program run to completion with its standard output and error collected (bounded).
enum ExternalCommand {
    struct Result: Equatable {
        let status: Int32
        let output: String
    }

    /// More than any systemctl or journalctl answer here; a runaway program is cut off.
    static let maximumOutput = 256 * 1024

    static func run(_ arguments: [String]) -> Result {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return Result(status: 127, output: "pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ)
        close(pipeEnds[1])
        defer { close(pipeEnds[0]) }
        guard spawned == 0 else { return Result(status: 127, output: "\(arguments[0]): \(String(cString: strerror(spawned)))") }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            if output.count < maximumOutput { output += chunk[0..<min(count, maximumOutput - output.count)] }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return Result(status: signal == 0 ? (status >> 8) & 0xff : 128 + signal, output: String(decoding: output, as: UTF8.self))
    }
}
