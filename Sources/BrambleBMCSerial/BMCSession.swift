import BrambleBMC
import Glibc

/// One conversation with the BMC over a locked line: unlocked on opening, every command
/// followed by a bounded wait for its status line, and Ctrl-G at the end so the BMC is left
/// addressing the master, as a person at `screen` expects to find it.
///
/// Lines that are not a status (an echo, a banner, noise) are handed to `unparsed` for the
/// caller's log and skipped: the session only fails when no status for the selected node
/// arrives within `replyMilliseconds`.
public final class BMCSession {
    public let line: BMCSerialLine
    public let replyMilliseconds: Int
    private let unparsed: (BMCUnparsedLine) -> Void
    private var selected: BMCID?

    public init(
        device: String, replyMilliseconds: Int = 1000, lockMilliseconds: Int = 5000,
        unparsed: @escaping (BMCUnparsedLine) -> Void
    ) throws(BMCLinkError) {
        line = try BMCSerialLine(device: device, lockMilliseconds: lockMilliseconds)
        self.replyMilliseconds = replyMilliseconds
        self.unparsed = unparsed
        try line.write(BMCCommand.unlock.bytes)
    }

    /// The node's status line (`[NN]|` then `=`).
    public func status(of id: BMCID) throws(BMCLinkError) -> BMCStatus {
        try select(id)
        return try ask(id)
    }

    /// Switches the node's power and waits (asking `=` again) until the BMC reports it so.
    public func setPower(_ state: BMCPowerState, of id: BMCID) throws(BMCLinkError) -> BMCStatus {
        try select(id)
        try send(state == .on ? .powerOn : .powerOff)
        let deadline = MonotonicClock.milliseconds() + Int64(replyMilliseconds)
        while true {
            let status = try ask(id)
            if status.power == state { return status }
            guard MonotonicClock.milliseconds() < deadline else {
                throw .powerNotConfirmed(device: line.device, id: id, wanted: state, waitedMilliseconds: replyMilliseconds)
            }
            poll(nil, 0, 50)
        }
    }

    /// Ctrl-G: back to the master. Called when done; a failure here changes nothing already done.
    public func finish() {
        try? send(.returnToMaster)
        selected = nil
    }

    private func select(_ id: BMCID) throws(BMCLinkError) {
        guard selected != id else { return }
        try send(.select(id))
        selected = id
    }

    private func send(_ command: BMCCommand) throws(BMCLinkError) {
        for stale in try line.drain() { report(stale) }
        try line.write(command.bytes)
    }

    /// Sends `=` and reads until the selected node's status line or the timeout.
    private func ask(_ id: BMCID) throws(BMCLinkError) -> BMCStatus {
        try send(.status)
        let deadline = MonotonicClock.milliseconds() + Int64(replyMilliseconds)
        var skipped: [BMCUnparsedLine] = []
        while let bytes = try line.readLine(until: deadline) {
            switch BMCReply.parse(bytes) {
            case .status(let status):
                guard status.id == id else {
                    selected = nil
                    throw .wrongNode(device: line.device, asked: id, answered: status.id)
                }
                return status
            case .notUnderstood(let text):
                skipped.append(text)
                unparsed(text)
            }
        }
        throw .silent(device: line.device, command: "[\(id)]| =", waitedMilliseconds: replyMilliseconds, unparsed: skipped)
    }

    private func report(_ bytes: [UInt8]) {
        if case .notUnderstood(let text) = BMCReply.parse(bytes) { unparsed(text) }
    }
}
