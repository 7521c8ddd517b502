import ArgumentParser
import BrambleControl
import Glibc

/// `bramble logs NODE`: a node's boot timeline, from the running daemon.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a node's recent boot events; --follow prints new ones as they happen.",
        discussion: """
            NODE is an ID, a name or a MAC of the node map. Each line: UTC time, time since power-on \
            (the first ROM DHCP of this boot), node, stage after the event, what happened. The daemon \
            keeps the last few hundred events per node; the whole record is <state-dir>/logs/NAME.log.
            """)

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: ArgumentHelp("The node: ID, name or MAC.", valueName: "NODE"))
    var node: String
    @Flag(name: [.short, .long], help: "Keep printing new events until Ctrl-C.")
    var follow = false

    func run() throws {
        let client = try ControlClient(path: try daemon.socketPath())
        let requests = follow ? [ControlRequest(command: .follow, node: node), ControlRequest(command: .history, node: node)] : [ControlRequest(command: .history, node: node)]
        // With --follow, the subscription starts before the history is taken: nothing falls
        // between, and events that arrive before the history are in it already.
        let interrupt = follow ? InterruptWatch() : nil
        try client.send(requests)
        var historyShown = false
        while true {
            if let interrupt, !client.hasBufferedLine {
                let (interrupted, _) = interrupt.wait(milliseconds: -1, other: client.fd)
                if interrupted { return }
            }
            guard let response = try client.next(timeoutMilliseconds: follow ? -1 : 5000) else {
                throw ControlSocketError(path: client.path, reason: "the daemon closed the connection")
            }
            if let error = response.error { throw DaemonRefusal(message: error) }
            if let history = response.history {
                for record in history.records { print(record.line) }
                historyShown = true
                if !follow { return }
            }
            if let event = response.event, historyShown {
                print(event.line)
                fflush(nil)
            }
        }
    }
}
