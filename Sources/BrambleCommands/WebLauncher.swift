import ArgumentParser

/// `bramble web` hands over to `bramble-web`, built next to `bramble`: the dashboard's HTTP
/// server (Hummingbird, SwiftNIO, Foundation) stays out of `bramble serve`'s process.
struct WebLauncher: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "Serve a live dashboard of the module over HTTP (read-only), from the running bramble serve.",
        discussion: """
            Runs bramble-web, built next to bramble; `bramble web --help` lists its options \
            (--config, --listen, --socket) and `bramble web hash-password` makes the web-password-file. \
            Off until web-listen is set in bramble.conf; see docs/web.md.
            """
    )

    @Argument(parsing: .captureForPassthrough, help: "Options for bramble-web.")
    var options: [String] = []

    func run() throws {
        let failure = SiblingProgram.exec("bramble-web", arguments: options)
        throw SiblingProgramError(message: "bramble web: cannot run \(failure.path): \(failure.reason); build it with `swift build --product bramble-web`")
    }
}
