import ArgumentParser
import BrambleCapture
import BrambleFiles
import BrambleNodeMap
import BrambleReplay
import BrambleServer
import BrambleWire
import Glibc

/// `bramble replay`: a capture's client packets through today's responders, their answers
/// compared with the capture's. The comparison is BrambleReplay's; this is the file edge.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a capture's DHCP, TFTP and DNS requests and compare today's answers with the capture's.",
        discussion: """
            Reads FILE (pcap or pcapng, Ethernet), feeds every client packet to the responders \
            with the capture's timestamps as the clock, and compares each server packet field \
            by field: DHCP option by option, DNS record by record, TFTP packet by packet. \
            Prints every difference with its packet numbers (as tcpdump -r numbers them) and \
            exits 1 if there is any. The node map, boot tree and config come from --nodes, \
            --pxe and --config as for `bramble serve`.
            """
    )

    @Argument(help: ArgumentHelp("The capture to replay.", valueName: "FILE.pcap"))
    var file: String

    @OptionGroup var config: ConfigOptions

    @Flag(help: "Also write today's answers, with the capture's client packets, to FILE.new.pcap for review.")
    var update = false

    func run() throws {
        let configuration = try config.loadConfiguration()
        let frames = try CaptureFileReader.read(path: file)
        let report = CaptureReplay.run(frames, configuration: try Self.setup(configuration))
        for difference in report.differences { print(difference) }
        print(report.summary)
        if update {
            let path = Self.updatePath(for: file)
            try AtomicFile.replace(path, bytes: PcapEncoder.file(ReplayCapture.frames(original: frames, report: report, hub: configuration.address.address)))
            print("today's answers: \(path)")
        }
        if !report.isClean { throw ExitCode(1) }
    }

    /// The responders' inputs from the config: its node map, and the boot tree on disk.
    static func setup(_ configuration: BrambleConfig) throws -> ReplayConfiguration {
        let nodeMap = try NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet).load()
        let tree = FileSystemBootTree(root: configuration.bootDirectory)
        return ReplayConfiguration(config: configuration, nodeMap: nodeMap, bootTree: tree) { path in
            tree.realPathInsideRoot(path).flatMap { try? FileContents.read($0) }
        }
    }

    /// `x.pcap` -> `x.new.pcap`, beside it.
    static func updatePath(for path: String) -> String {
        path.hasSuffix(".pcap") ? String(path.dropLast(5)) + ".new.pcap" : path + ".new.pcap"
    }
}

extension CaptureReadError: UserFacingError {
    public var message: String { "bramble replay: \(description)" }
}
