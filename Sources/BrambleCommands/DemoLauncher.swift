import ArgumentParser

/// `bramble demo` hands over to `bramble-demo`, built next to `bramble`: the demo needs all
/// of Foundation, which would otherwise load into every `bramble serve` on the hub.
struct DemoLauncher: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Boot a virtual cluster of simulated Raspberry Pis from bramble serve, in network namespaces.",
        discussion: """
            Runs bramble-demo, which `swift build` builds next to bramble; `bramble demo --help` \
            lists its options (--nodes, --interval, --time-limit, --keep, --simulator, --web).
            """
    )

    @Argument(parsing: .captureForPassthrough, help: "Options for the demo.")
    var options: [String] = []

    func run() throws {
        let failure = SiblingProgram.exec("bramble-demo", arguments: options)
        throw SiblingProgramError(message: "bramble demo: cannot run \(failure.path): \(failure.reason); build it with `swift build --product bramble-demo`")
    }
}
