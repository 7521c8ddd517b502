import ArgumentParser
import BrambleNodeMap
import BrambleWire
import Glibc

/// Parses and validates a large generated node map: the work the server does at start and
/// on every reload, so it bounds how fast an edit takes effect on a big installation.
struct NodeMapBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodemap",
        abstract: "Time parsing and validating a generated node map (goal: 10,000 nodes under 50 ms)."
    )

    @Option(help: "Nodes in the generated map.")
    var nodes = 10_000
    @Option(help: "Timed runs; the median is reported.")
    var runs = 21
    @Option(help: ArgumentHelp("Also write the generated map to this file (for timing `bramble nodes check`).", valueName: "file"))
    var write: String?

    func validate() throws {
        guard (1...1_000_000).contains(nodes) else { throw ValidationError("--nodes must be 1-1000000") }
        guard (1...1000).contains(runs) else { throw ValidationError("--runs must be 1-1000") }
    }

    func run() throws {
        let (text, subnet) = Self.generate(count: nodes)
        if let write { try Self.writeFile(write, text) }
        var measurement = Measurement()
        var parsed = 0
        for _ in 0..<runs {
            try measurement.time {
                parsed = try NodeMap(parsing: text, fileName: "generated", subnet: subnet).nodes.count
            }
        }
        precondition(parsed == nodes, "the generated map lost nodes")
        let wall = measurement.wallSeconds
        print("node map parse+validate: \(nodes) nodes (\(text.utf8.count / 1024) KiB), \(runs) runs on \(subnet)")
        print("  median \(milliseconds(Measurement.median(wall)))  min \(milliseconds(wall.min()!))  max \(milliseconds(wall.max()!))  cpu median \(milliseconds(Measurement.median(measurement.cpuSeconds)))")
        print("  peak RSS \(Int(Measurement.peakRSSMiB())) MiB")
    }

    /// A realistic big map: aligned columns, a comment every 48 bays, a name on every
    /// third node and settings on some, in a subnet wide enough for the IDs.
    static func generate(count: Int) -> (String, IPv4Subnet) {
        let prefix = count <= 254 ? 24 : (count <= 65_534 ? 16 : 8)
        let subnet = IPv4Interface(address: IPv4Address(10, 42, 0, 250), prefixLength: prefix)!.subnet
        var text = "# generated node map: \(count) nodes\n"
        text.reserveCapacity(count * 48)
        for id in 1...count {
            if id % 48 == 1 { text += "\n# module \(id / 48 + 1)\n" }
            let mac = MACAddress(0xb8, 0x27, 0xeb, UInt8(id >> 16 & 0xff), UInt8(id >> 8 & 0xff), UInt8(id & 0xff))
            var line = String(id).padding(to: 7) + mac.description
            if id % 3 == 0 { line += "  worker\(id)" }
            if id % 10 == 0 { line += " root=10.42.0.250:/pxe/root/n\(id)" }
            if id % 97 == 0 { line += " disabled" }
            text += line + "\n"
        }
        return (text, subnet)
    }

    static func writeFile(_ path: String, _ text: String) throws {
        guard let file = fopen(path, "w") else { throw ValidationError("cannot write \(path): errno \(errno)") }
        defer { fclose(file) }
        _ = Array(text.utf8).withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    }
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
