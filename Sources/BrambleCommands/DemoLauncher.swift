import ArgumentParser
import Glibc

/// `bramble demo` hands over to `bramble-demo`, built next to `bramble`: the demo needs all
/// of Foundation, which would otherwise load into every `bramble serve` on the hub.
struct DemoLauncher: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Boot a virtual cluster of simulated Raspberry Pis from bramble serve, in network namespaces.",
        discussion: """
            Runs bramble-demo, which `swift build` builds next to bramble; `bramble demo --help` \
            lists its options (--nodes, --interval, --time-limit, --keep, --simulator).
            """
    )

    @Argument(parsing: .captureForPassthrough, help: "Options for the demo.")
    var options: [String] = []

    func run() throws {
        let directory = (realpathOf("/proc/self/exe") ?? "/proc/self/exe").split(separator: "/", omittingEmptySubsequences: false).dropLast()
        let demo = directory.joined(separator: "/") + "/bramble-demo"
        let arguments = [demo] + options
        var pointers = arguments.map { strdup($0) } + [nil]
        execv(demo, &pointers)
        let reason = String(cString: strerror(errno))
        throw DemoLauncherError(message: "bramble demo: cannot run \(demo): \(reason); build it with `swift build --product bramble-demo`")
    }

    private func realpathOf(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

struct DemoLauncherError: UserFacingError {
    let message: String
}
