import BrambleBoot
import BrambleCommands
import BrambleControl
import Foundation

/// The hub's own view of the boots, asked over `bramble serve`'s control socket (a file in
/// the state directory, so it answers from outside the hub's namespace): the `StatusReport`
/// that `bramble status` prints and the `DaemonCounters` that `bramble-web` serves, both
/// decoded by BrambleControl, which owns the contract, so the demo shows exactly what an
/// operator would see. While the Pis boot, a status request goes out on one tick and its
/// answer is collected on a later one, so a slow answer never holds up the power-on sequence.
final class DemoDaemon {
    enum Answer {
        case report(StatusReport)
        /// The daemon cannot be asked (no socket, an unreadable answer): why, in one line.
        case unavailable(String)
    }

    let socketPath: String
    private var client: ControlClient?
    private var waiting = false
    /// Why the last request could not be sent: the next `collect` reports it.
    private var failure: String?
    /// Connections lost in a row while waiting for an answer.
    private var lostConnections = 0

    init(socketPath: String) { self.socketPath = socketPath }

    /// Sends a status request unless one is still unanswered.
    func request() {
        guard !waiting else { return }
        do throws(ControlSocketError) {
            let client: ControlClient
            if let connected = self.client {
                client = connected
            } else {
                client = try ControlClient(path: socketPath)
            }
            self.client = client
            try client.send([ControlRequest(command: .status)])
            waiting = true
        } catch {
            self.client = nil
            failure = error.message
        }
    }

    /// The answer to the last request once it came (or why none can come), else nil.
    func collect() -> Answer? {
        if let failure {
            self.failure = nil
            return .unavailable(failure)
        }
        guard waiting, let client else { return nil }
        do {
            guard let response = try client.poll(timeoutMilliseconds: 0) else { return nil }
            waiting = false
            lostConnections = 0
            guard let report = response.status else { return .unavailable(response.error ?? "the daemon answered a status request without a report") }
            return .report(report)
        } catch {
            // The daemon closes a connection idle for 10 s (a long pause of the live view):
            // the next request connects again, and only a second failure in a row counts.
            waiting = false
            self.client = nil
            lostConnections += 1
            return lostConnections > 1 ? .unavailable(error.message) : nil
        }
    }

    /// A status report now (at most `timeout` seconds), for the final table.
    func report(timeout: Double = 15) -> Result<StatusReport, DemoError> {
        ask(.status, timeout: timeout).flatMap { response in
            response.status.map { .success($0) } ?? .failure(DemoError("the daemon answered without a report: \(response.error ?? "no error given")"))
        }
    }

    /// The daemon's counters now (at most `timeout` seconds): what its TFTP sent and its CPU time.
    func counters(timeout: Double = 15) -> Result<DaemonCounters, DemoError> {
        ask(.counters, timeout: timeout).flatMap { response in
            response.counters.map { .success($0) } ?? .failure(DemoError("the daemon answered without counters: \(response.error ?? "no error given")"))
        }
    }

    /// Drops the connection (the demo is ending, or a request is abandoned).
    func cancel() {
        client = nil
        waiting = false
    }

    /// One request on a fresh connection, so an unanswered one from the live view cannot
    /// be taken for its answer.
    private func ask(_ command: ControlRequest.Command, timeout: Double) -> Result<ControlResponse, DemoError> {
        cancel()
        do {
            let response = try ControlClient(path: socketPath).ask(ControlRequest(command: command), timeoutMilliseconds: Int32(timeout * 1000))
            return .success(response)
        } catch {
            return .failure(DemoError(error.message))
        }
    }

    /// "3 up, 1 loader, 2 waiting": the stages with nodes in them, furthest first.
    static func counts(_ report: StatusReport) -> String {
        BootStage.allCases.reversed().compactMap { stage in
            report.summary[stage.description].flatMap { $0 > 0 ? "\($0) \(stage)" : nil }
        }.joined(separator: ", ")
    }
}
