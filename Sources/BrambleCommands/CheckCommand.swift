import ArgumentParser
import BrambleNodeMap

/// `bramble check`: everything `serve` would read, checked before it matters.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the config, the node map and the boot tree before serving.",
        discussion: """
            Validates the config file and the node map (every problem as FILE:LINE: reason) and \
            looks at <pxe>/boot: for the Pi 3, Pi 4, CM4, Pi 5 and CM5 it lists which boot files \
            are there and which are missing, and checks that cmdline.txt mounts its NFS root from the hub. \
            Then, as 'bramble roots check' does, each node's root: there, exported to its address, \
            and the one its cmdline.txt mounts. \
            Exit status 1 when the config or node map is invalid, or with --strict when a model \
            cannot boot from the tree; missing firmware alone is reported, not an error, since a \
            cluster of one model needs only that model's files.
            """
    )

    @OptionGroup var config: ConfigOptions
    @Flag(help: "Also fail (exit 1) when no Pi model can boot from the boot tree.")
    var strict = false

    func run() throws {
        let settings = try config.loadConfiguration()
        print("Config \(config.configFilePath() ?? "(built-in defaults)"): OK (interface \(settings.interface), hub \(settings.address), domain \(settings.domain))")
        let map = try NodeMapFile(path: settings.nodesPath, subnet: settings.subnet).load()
        let enrolled = map.nodes.filter { $0.mac != nil }.count
        let disabled = map.nodes.filter { $0.settings.disabled }.count
        print("Node map \(settings.nodesPath): OK (\(map.nodes.count) nodes, \(enrolled) with a MAC, \(map.nodes.count - enrolled) awaiting enrollment, \(disabled) disabled)")
        for line in ProxyModeAdvice.lines(for: settings) { print(line) }
        print("")
        let report = BootTreeInspection.inspect(settings)
        print(BootTreeReportText.render(report), terminator: "")
        print("")
        let exportFiles = NodeRootInspection.systemExportFiles(exportsFile: settings.exportsFile).filter(TextFile.exists)
        let roots = NodeRootInspection.check(settings, nodeMap: NodeRootInspection.withKnownAddresses(map, settings), exportFiles: exportFiles)
        print(NodeRootCheckText.render(roots, exportFiles: exportFiles), terminator: "")
        if strict && !report.models.contains(where: \.canBoot) {
            throw NoModelCanBoot(bootDirectory: settings.bootDirectory)
        }
    }
}

struct NoModelCanBoot: UserFacingError {
    let bootDirectory: String
    var message: String { "\(bootDirectory): no Raspberry Pi model can boot from this tree (see the missing files above)" }
}
