import ArgumentParser

@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bramble-bench",
        abstract: "Benchmarks of bramble's pure cores. Build with -c release before quoting a number.",
        subcommands: [NodeMapBenchmark.self, CaptureBenchmark.self]
    )
}
