import ArgumentParser
import BrambleBMC
import BrambleBMCSerial
import BrambleControl
import BrambleNodeMap
import Glibc

/// `bramble bmc status|on|off|cycle NODE...`: a BitScope Edge Rack's nodes through its BMC.
struct BmcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bmc",
        abstract: "Read and switch Edge Rack nodes' power through the BitScope BMC on the serial line.",
        discussion: """
            The BMC of a BitScope Edge Rack answers on the master Pi's serial line (/dev/serial0, \
            115200 baud; the config's bmc-device or --device). Each node has a BMC ID: its \
            node-map setting bmc=NN (two hexadecimal digits), else its bay's ID (bay 10 is 0a). \
            Power is cut at once, with no shutdown: shut the node's OS down first where you can. \
            Every answer is awaited at most --timeout seconds; a line nobody answers on fails \
            with what to check. Two bramble processes never talk on the line at once (a lock \
            on the device). See docs/bmc.md.
              bramble bmc status 1-8           (IDs, ranges, names or MACs)
              bramble bmc status --json node05
              bramble bmc cycle node07
            """,
        subcommands: [BmcStatusCommand.self, BmcOnCommand.self, BmcOffCommand.self, BmcCycleCommand.self]
    )
}

/// What every `bramble bmc` subcommand shares: where the node map and the line are.
struct BMCOptions: ParsableArguments {
    @OptionGroup var nodeMap: NodeMapOptions
    @Option(help: ArgumentHelp("The BMC's serial line. (default: the config's bmc-device, else /dev/serial0)", valueName: "PATH"))
    var device: String?
    @Option(help: ArgumentHelp("Seconds to wait for each answer of the BMC.", valueName: "SECONDS"))
    var timeout: Double = 1
    @Argument(help: ArgumentHelp("The nodes: IDs or ranges (1-8,12), names or MACs of the node map.", valueName: "NODE"))
    var nodes: [String]

    func validate() throws {
        guard (0.05...60).contains(timeout) else { throw ValidationError("--timeout must be between 0.05 and 60 seconds") }
        guard !nodes.isEmpty else { throw ValidationError("name at least one node: an ID, a name or a MAC") }
    }

    /// The nodes resolved and a session on the line, unlocked; not-understood lines go to
    /// standard error.
    func open() throws -> (targets: [BMCTarget], session: BMCSession) {
        let configuration = try nodeMap.configuration()
        let targets = try BMCTarget.resolve(nodes, file: NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet))
        let path = device ?? configuration.bmcDevice
        let session = try BMCSession(device: path, replyMilliseconds: Int(timeout * 1000)) { line in
            printToStandardError("bmc: \(path): not understood, skipped: \(line)")
        }
        return (targets, session)
    }
}

/// Failures were printed per node; exit 1.
struct BMCNodesFailed: UserFacingError {
    let count: Int
    var message: String { "\(count) node\(count == 1 ? "" : "s") failed (see above)" }
}

struct BmcStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Each node's master/slave role, power, current and fan, as the BMC reports them.",
        discussion: """
            Current and fan are the BMC's raw readings, in hexadecimal as it prints them (the \
            scale is BitScope's; bramble does not convert them). --json prints one object: \
            {"nodes": [{"id", "name", "bmc", "status": {"id", "role", "power", "currentRaw", \
            "fanRaw"} or "error"}]}, the readings there in decimal. Exit status 1 when a node \
            did not answer.
            """)

    @OptionGroup var options: BMCOptions
    @Flag(help: "Print JSON instead of the table.")
    var json = false

    struct Report: Codable, Equatable {
        let nodes: [BMCBayReading]
    }

    func run() throws {
        let (targets, session) = try options.open()
        let readings = targets.map { target in
            do throws(BMCLinkError) {
                return BMCBayReading(id: target.id, name: target.name, bmc: target.bmc, status: try session.status(of: target.bmc), error: nil)
            } catch {
                return BMCBayReading(id: target.id, name: target.name, bmc: target.bmc, status: nil, error: error.message)
            }
        }
        session.finish()
        if json {
            print(String(decoding: try ControlLine.encode(Report(nodes: readings)).dropLast(), as: UTF8.self))
        } else {
            print(Self.table(readings), terminator: "")
        }
        let failed = readings.filter { $0.error != nil }.count
        if failed > 0 { throw BMCNodesFailed(count: failed) }
    }

    /// One row per node; a node without a status shows why in place of its readings.
    static func table(_ readings: [BMCBayReading]) -> String {
        let rows = readings.map { reading -> [String] in
            let head = [reading.name, reading.bmc.description]
            guard let status = reading.status else { return head + ["-", "-", "-", "-", reading.error ?? ""] }
            return head + [status.role.rawValue, status.power.rawValue, BMCStatus.hex(status.currentRaw), BMCStatus.hex(status.fanRaw), ""]
        }
        let header = ["NODE", "BMC", "ROLE", "POWER", "CURRENT", "FAN", ""]
        let widths = (0..<6).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            var line = ""
            for column in 0..<6 { line += row[column].padding(to: widths[column] + 2) }
            line += row[6]
            while line.hasSuffix(" ") { line.removeLast() }
            return line + "\n"
        }.joined() + "(current and fan: the BMC's raw readings, hexadecimal)\n"
    }

}

/// Switches power and prints what the BMC then reports. Cutting the master's power is
/// refused unless asked for: the master is the Pi whose serial line reaches the BMC, often the
/// hub running bramble itself, and nothing could power it on again over that line.
private func switchPower(_ state: BMCPowerState, options: BMCOptions, offSeconds: Double? = nil, includeMaster: Bool = false) throws {
    let (targets, session) = try options.open()
    var failed = 0
    for target in targets {
        do throws(BMCLinkError) {
            if state == .off || offSeconds != nil, !includeMaster, try session.status(of: target.bmc).role == .master {
                failed += 1
                print("\(target.label): is the rack's master (the Pi on the BMC's serial line); not switched off without --include-master")
                continue
            }
            if let offSeconds {
                _ = try session.setPower(.off, of: target.bmc)
                print("\(target.label): off; on again in \(StatusTable.duration(Int64(offSeconds * 1000)))")
                fflush(nil)
                poll(nil, 0, Int32(offSeconds * 1000))
            }
            let status = try session.setPower(state, of: target.bmc)
            print("\(target.label): \(status.power.rawValue) (current \(BMCStatus.hex(status.currentRaw)), fan \(BMCStatus.hex(status.fanRaw)))")
        } catch {
            failed += 1
            print("\(target.label): \(error.message)")
        }
        fflush(nil)
    }
    session.finish()
    if failed > 0 { throw BMCNodesFailed(count: failed) }
}

struct BmcOnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "on", abstract: "Power nodes on and wait until the BMC reports them on.")
    @OptionGroup var options: BMCOptions
    func run() throws { try switchPower(.on, options: options) }
}

struct BmcOffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "off", abstract: "Cut nodes' power at once (no shutdown) and wait until the BMC reports them off.")
    @OptionGroup var options: BMCOptions
    @Flag(help: "Also switch the rack's master off (the Pi on the BMC's serial line; nothing can power it on over the line).")
    var includeMaster = false
    func run() throws { try switchPower(.off, options: options, includeMaster: includeMaster) }
}

struct BmcCycleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cycle", abstract: "Power nodes off, wait, and on again: a hard reset of a hung node.")
    @OptionGroup var options: BMCOptions
    @Option(help: ArgumentHelp("Seconds a node stays off, so the board really resets.", valueName: "SECONDS"))
    var offSeconds: Double = 2
    @Flag(help: "Also cycle the rack's master (the Pi on the BMC's serial line).")
    var includeMaster = false

    func validate() throws {
        guard (0...60).contains(offSeconds) else { throw ValidationError("--off-seconds must be between 0 and 60") }
    }

    func run() throws { try switchPower(.on, options: options, offSeconds: offSeconds, includeMaster: includeMaster) }
}
