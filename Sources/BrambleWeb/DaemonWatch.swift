import BrambleControl
import BrambleWebCore
import NIOCore
import ServiceLifecycle
import Synchronization

/// Keeps ``DashboardState`` current: one connection to the daemon that follows every boot
/// event and asks for the status again shortly after events (and every few seconds, which is
/// also how a lost daemon is noticed). When the daemon is not there, the state says why and
/// the watch connects again every second until it is back.
public struct DaemonWatch: Service {
    let client: DaemonClient
    let state: DashboardState
    /// A status is asked at most this often after events ...
    var settle: Duration = .milliseconds(250)
    /// ... and at least this often without any.
    var heartbeat: Duration = .seconds(5)
    var reconnect: Duration = .seconds(1)

    public init(client: DaemonClient, state: DashboardState) {
        self.client = client
        self.state = state
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do throws(DaemonLinkError) {
                    try await session()
                } catch {
                    await state.lost(error.description)
                }
                try await Task.sleep(for: reconnect)
            }
        }
        await state.finishFollowers()
    }

    /// One connection: follow, status, then events and statuses until it ends.
    func session() async throws(DaemonLinkError) {
        let channel = try await client.connect()
        let path = client.socketPath
        let (state, settle, heartbeat) = (state, settle, heartbeat)
        do {
            try await channel.executeThenClose { inbound, outbound in
                let signals = WatchSignals()
                try await outbound.write(ByteBuffer(bytes: try ControlLine.encode(ControlRequest(command: .follow))))
                try await outbound.write(ByteBuffer(bytes: try ControlLine.encode(ControlRequest(command: .status))))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        var framer = ControlLineFramer()
                        for try await buffer in inbound {
                            for line in try framer.append(buffer.readableBytesView) {
                                let response = try DaemonClient.decode(line, path: path)
                                if let report = response.status {
                                    signals.unansweredStatus.store(0, ordering: .relaxed)
                                    await state.update(report)
                                } else if let event = response.event {
                                    await state.record(event)
                                    signals.eventsPending.store(true, ordering: .relaxed)
                                } else if let error = response.error {
                                    throw DaemonLinkError.refused(error)
                                }
                            }
                        }
                        throw DaemonLinkError.closed(path: path)
                    }
                    group.addTask {
                        var quiet = Duration.zero
                        while true {
                            try await Task.sleep(for: settle)
                            quiet += settle
                            if signals.eventsPending.exchange(false, ordering: .relaxed) || quiet >= heartbeat {
                                quiet = .zero
                                if signals.unansweredStatus.add(1, ordering: .relaxed).newValue > WatchSignals.maximumUnanswered {
                                    throw DaemonLinkError.timedOut(path: path, milliseconds: DaemonClient.milliseconds(heartbeat) * WatchSignals.maximumUnanswered)
                                }
                                try await outbound.write(ByteBuffer(bytes: try ControlLine.encode(ControlRequest(command: .status))))
                            }
                        }
                    }
                    defer { group.cancelAll() }
                    try await group.next()
                }
            }
        } catch {
            throw DaemonClient.linkError(error, path: path)
        }
    }
}

/// What the watch's reader tells its writer: events arrived since the last status
/// request; how many status requests went unanswered (a daemon that holds the connection
/// but answers nothing counts as gone after a few).
final class WatchSignals: Sendable {
    static let maximumUnanswered = 3
    let eventsPending = Atomic<Bool>(false)
    let unansweredStatus = Atomic<Int>(0)
}
