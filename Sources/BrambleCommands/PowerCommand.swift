import Glibc

/// The operator's power command (`python power.py {id} on`): `{id}` replaced by the node's
/// ID, run with `/bin/sh -c` as the control plane's own scripts are, waited for.
struct PowerCommand: Equatable {
    let template: String

    func command(for id: Int) -> String { template.replacing("{id}", with: String(id)) }

    /// Runs the command for `id`; returns its exit status (128 + N for signal N).
    func run(for id: Int) throws(PowerCommandError) -> Int32 {
        let command = command(for: id)
        var pid: pid_t = 0
        let arguments = ["/bin/sh", "-c", command]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let spawned = posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ)
        guard spawned == 0 else { throw PowerCommandError(command: command, reason: String(cString: strerror(spawned))) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw PowerCommandError(command: command, reason: String(cString: strerror(errno))) }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
