import Glibc

/// A program built next to `bramble` (bramble-demo, bramble-web) that a subcommand hands
/// over to with `execv`: those programs link Foundation or an HTTP server, which would
/// otherwise load into every `bramble serve` on the hub.
enum SiblingProgram {
    /// Replaces this process with `name` from bramble's own directory; returns only when
    /// that fails, with the reason.
    static func exec(_ name: String, arguments: [String]) -> (path: String, reason: String) {
        let directory = (realpathOf("/proc/self/exe") ?? "/proc/self/exe").split(separator: "/", omittingEmptySubsequences: false).dropLast()
        let program = directory.joined(separator: "/") + "/" + name
        var pointers = ([program] + arguments).map { strdup($0) } + [nil]
        execv(program, &pointers)
        return (program, String(cString: strerror(errno)))
    }

    private static func realpathOf(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// The sibling program could not be started: its path, the reason, how to build it.
struct SiblingProgramError: UserFacingError {
    let message: String
}
