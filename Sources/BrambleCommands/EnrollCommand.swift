import ArgumentParser
import BrambleControl
import BrambleNodeMap
import BrambleWire
import Glibc

/// `bramble enroll --ids 1-16,23 [--power CMD]`: fills the node map's MACs in power-on order.
struct EnrollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Bind each new MAC that asks for an address to the next node ID, in power-on order.",
        discussion: """
            Watches the running daemon for DHCP requests from MACs outside the node map. With \
            --power, runs the command for one ID at a time ({id} is replaced; it should return \
            once the bay is on) and binds the first new MAC that appears after it; a second new \
            MAC within --settle seconds makes the bay ambiguous and neither is bound. Without \
            --power, binds new MACs to the IDs in the order they appear (power the bays on by \
            hand, in order). A node with a placeholder MAC (b8:27:eb:XX:XX:XX) only takes a MAC \
            that fits it. Each MAC is written to the node map at once (atomically, comments \
            kept); the daemon reloads it. Nodes that already have a MAC are skipped. \
            --power bmc powers each bay through a BitScope Edge Rack's BMC instead (the node's \
            bmc= ID, else its bay's). \
            Example: bramble enroll --ids 1-16,23 --power 'python power.py {id} on'
            """)

    @OptionGroup var daemon: DaemonOptions
    @Option(help: ArgumentHelp("The node IDs in power-on order: 1-16,23,30-48.", valueName: "LIST"), transform: EnrollCommand.idList)
    var ids: NodeIDList
    @Option(help: ArgumentHelp("The command that powers a bay on; {id} is replaced by the node ID. `bmc`: the Edge Rack's BMC (docs/bmc.md).", valueName: "CMD"))
    var power: String?
    @Option(help: ArgumentHelp("With --power bmc: the BMC's serial line. (default: the config's bmc-device, else /dev/serial0)", valueName: "PATH"))
    var bmcDevice: String?
    @Option(help: ArgumentHelp("Seconds to wait for each node's MAC.", valueName: "SECONDS"))
    var timeout: Double = 60
    @Option(help: ArgumentHelp("With --power: seconds after the first new MAC in which a second one makes the bay ambiguous.", valueName: "SECONDS"))
    var settle: Double = 2

    @Sendable static func idList(_ text: String) throws -> NodeIDList {
        do {
            return try NodeIDList(parsing: text)
        } catch {
            throw ValidationError("--ids \(error)")
        }
    }

    func validate() throws {
        guard (0.1...3600).contains(timeout) else { throw ValidationError("--timeout must be between 0.1 and 3600 seconds") }
        guard (0...60).contains(settle) else { throw ValidationError("--settle must be between 0 and 60 seconds") }
    }

    /// What became of one node.
    enum Outcome: Equatable {
        case enrolled(MACAddress)
        case noneAppeared
        case ambiguous([MACAddress])
    }

    func run() throws {
        let configuration = try daemon.configuration()
        let file = NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet)
        let client = try ControlClient(path: DaemonOptions.socketPath(in: configuration))
        let answer = try client.ask(ControlRequest(command: .discoveries))
        if let error = answer.error { throw DaemonRefusal(message: error) }
        var watch = EnrollmentWatch(map: try file.load())
        let powerCommand = power.map { PowerBackend(option: $0, bmcDevice: bmcDevice ?? configuration.bmcDevice, nodes: file) }
        var missed: [String] = []
        var enrolled = 0
        for id in ids.ids {
            let node = try file.load().node(id: id)
            let label = "node \(id) (\(node?.name ?? NodeName.defaultName(forID: id)))"
            if let mac = node?.mac {
                print("\(label): already enrolled as \(mac), skipped")
                continue
            }
            let started = Self.now()
            if let powerCommand {
                print("\(label): powering on: \(powerCommand.description(for: id))")
                if let failure = try powerCommand.powerOn(id) { throw PowerOnFailed(id: id, reason: failure) }
            } else {
                print("\(label): waiting for a new MAC (power the bay on)")
            }
            fflush(nil)
            let outcome = try awaitMAC(for: node?.hardwareAddress, watch: &watch, client: client, started: started, settling: powerCommand != nil)
            switch outcome {
            case .enrolled(let mac):
                try Self.write(mac, id: id, to: file)
                watch.bind(mac)
                enrolled += 1
                print("\(label): \(mac) after \(StatusTable.duration(Self.now() - started)): enrolled")
            case .noneAppeared:
                missed.append("\(id) (no new MAC within \(StatusTable.duration(Int64(timeout * 1000))))")
                print("\(label): no new MAC within \(StatusTable.duration(Int64(timeout * 1000))): not enrolled")
            case .ambiguous(let macs):
                missed.append("\(id) (\(macs.count) new MACs at once)")
                print("\(label): \(macs.count) new MACs appeared at once (\(macs.map(\.description).joined(separator: ", "))): not enrolled; power one bay at a time")
            }
            fflush(nil)
        }
        print("enrolled \(enrolled) node\(enrolled == 1 ? "" : "s") into \(file.path)")
        if !missed.isEmpty { throw EnrollmentIncomplete(missed: missed) }
    }

    /// Reads discoveries until a MAC fits (and, when powering, nothing else shows up within
    /// the settle time) or the time runs out.
    private func awaitMAC(
        for column: NodeHardwareAddress?, watch: inout EnrollmentWatch, client: ControlClient, started: Int64, settling: Bool
    ) throws -> Outcome {
        let deadline = started + Int64(timeout * 1000)
        var found: [MACAddress] = []
        var settleDeadline = Int64.max
        while true {
            let limit = min(deadline, settleDeadline)
            let now = Self.now()
            if now >= limit { break }
            guard let response = try client.poll(timeoutMilliseconds: Int32(limit - now)), let discovery = response.discovery else { continue }
            guard let mac = watch.candidate(discovery, for: column) else { continue }
            if settling && discovery.time < started {
                watch.setAside([mac])
                continue
            }
            if !found.contains(mac) { found.append(mac) }
            if !settling { break }
            if found.count > 1 { break }
            settleDeadline = min(deadline, Self.now() + Int64(settle * 1000))
        }
        switch found.count {
        case 0: return .noneAppeared
        case 1: return .enrolled(found[0])
        default:
            watch.setAside(found)
            return .ambiguous(found)
        }
    }

    /// The node's line gets the MAC (name, settings and comment kept), or a new line is added.
    static func write(_ mac: MACAddress, id: Int, to file: NodeMapFile) throws {
        try file.edit(creating: true) { document, _ in
            if let existing = document.entries.first(where: { $0.id == id }) {
                let entry = NodeEntry(id: id, hardwareAddress: .mac(mac), explicitName: existing.explicitName, settings: existing.settings, line: existing.line)
                return document.replacing(nodeID: id, with: entry)!
            }
            return document.adding(NodeEntry(id: id, hardwareAddress: .mac(mac), explicitName: nil, settings: NodeSettings(), line: 0))
        }
    }

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
