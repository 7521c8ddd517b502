import ArgumentParser
import BrambleControl
import BrambleNodeMap
import Glibc

/// `bramble power-on --ids LIST --power CMD [--max-booting N]`: powers bays on one by one,
/// never letting more than N boot at once, so a 48-node power-on does not flood the hub.
struct PowerOnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "power-on",
        abstract: "Power nodes on in order, keeping at most N booting at once; ends with each node's boot time.",
        discussion: """
            Runs the power command for each ID in order ({id} is replaced; it should return once \
            the bay is on). A node counts as booting from its power-on until its kernel asks for \
            an address, or until --timeout; the next bay is powered when fewer than --max-booting \
            are booting. Reads the stages from the running daemon (as `bramble status`). Exit \
            status 1 when a node was not up within --timeout. \
            --power bmc powers each bay through a BitScope Edge Rack's BMC (the node's bmc= ID, else \
            its bay's). \
            Example: bramble power-on --ids 1-48 --power 'python power.py {id} on' --max-booting 8
            """)

    @OptionGroup var daemon: DaemonOptions
    @Option(help: ArgumentHelp("The node IDs in power-on order: 1-16,23,30-48.", valueName: "LIST"), transform: EnrollCommand.idList)
    var ids: NodeIDList
    @Option(help: ArgumentHelp("The command that powers a bay on; {id} is replaced by the node ID. `bmc`: the Edge Rack's BMC (docs/bmc.md).", valueName: "CMD"))
    var power: String
    @Option(help: ArgumentHelp("With --power bmc: the BMC's serial line. (default: the config's bmc-device, else /dev/serial0)", valueName: "PATH"))
    var bmcDevice: String?
    @Option(help: ArgumentHelp("Nodes booting at once at most (1 to 96).", valueName: "N"))
    var maxBooting = 8
    @Option(help: ArgumentHelp("Seconds from power-on to up before a node is reported stuck.", valueName: "SECONDS"))
    var timeout: Double = 180

    /// Status is read this often: stages change on the scale of seconds.
    static let pollMilliseconds: Int32 = 200

    func validate() throws {
        guard (1...96).contains(maxBooting) else { throw ValidationError("--max-booting must be between 1 and 96") }
        guard (1...3600).contains(timeout) else { throw ValidationError("--timeout must be between 1 and 3600 seconds") }
    }

    func run() throws {
        let configuration = try daemon.configuration()
        let client = try ControlClient(path: DaemonOptions.socketPath(in: configuration))
        let command = PowerBackend(option: power, bmcDevice: bmcDevice ?? configuration.bmcDevice,
                                   nodes: NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet))
        var pacing = PowerOnPacing(ids: ids.ids, maxBooting: maxBooting, timeout: Int64(timeout * 1000))
        var report = StatusReport(now: 0, nodes: [])
        while true {
            report = try StatusCommand.report(from: client)
            let step = pacing.step(report, now: EnrollCommand.now())
            for note in step.notes { print(progress(pacing, powered: pacing.poweredAt.count - step.powerOn.count) + note) }
            for (index, id) in step.powerOn.enumerated() {
                let failure = try command.powerOn(id)
                let prefix = progress(pacing, powered: pacing.poweredAt.count - step.powerOn.count + index + 1)
                if let failure {
                    pacing.powerFailed(id)
                    print(prefix + "node \(id): \(failure)")
                } else {
                    print(prefix + "node \(id): powered on")
                }
            }
            fflush(nil)
            if pacing.isFinished { break }
            poll(nil, 0, Self.pollMilliseconds)
        }
        let wanted = Set(ids.ids)
        print(StatusTable.render(StatusReport(now: report.now, nodes: report.nodes.filter { wanted.contains($0.id) })), terminator: "")
        print("at most \(pacing.peakBooting) booting at once (limit \(maxBooting))")
        let stuck = ids.ids.filter { if case .up = pacing.outcomes[$0] { false } else { true } }
        if !stuck.isEmpty { throw NodesNotUp(ids: stuck) }
    }

    /// `[12/48 powered, 8 up] `: the line's prefix, counting bays powered up to this line.
    private func progress(_ pacing: PowerOnPacing, powered: Int) -> String {
        let up = pacing.outcomes.values.filter { if case .up = $0 { true } else { false } }.count
        return "[\(powered)/\(ids.ids.count) powered, \(up) up] "
    }
}
