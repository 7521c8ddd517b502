import BrambleBoot
import BrambleControl
@testable import BrambleWeb
import BrambleWebCore
import Foundation
import NIOConcurrencyHelpers
import Testing

/// The watch keeps the dashboard's state current from a fake daemon, says when the daemon
/// is gone, and recovers when it is back.
@Suite struct DaemonWatchTests {
    /// Polls `condition` every 50 ms for at most `seconds`.
    static func eventually(_ seconds: Double = 10, _ condition: () async -> Bool) async -> Bool {
        for _ in 0..<Int(seconds * 20) {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await condition()
    }

    @Test func followsEventsAndAsksForTheStatusAgain() async throws {
        let stage = NIOLockedStage(.kernel)
        let daemon = try await FakeDaemon(report: { fakeReport(count: 2, up: 1, rest: stage.value) })
        defer { Task { await daemon.stop() } }
        let state = DashboardState()
        let watch = Task { try await DaemonWatch(client: DaemonClient.underTest(daemon.path), state: state).run() }
        defer { watch.cancel() }
        #expect(await Self.eventually { await state.model.summary == "2 nodes: 1 up, 1 kernel" })
        guard let (_, events) = await state.follow() else { Issue.record("cannot follow"); return }
        #expect(await Self.eventually { daemon.followerCount == 1 })
        stage.value = .up
        try daemon.push(ControlResponse(event: FakeDaemon.record(node: 2, stage: .up, time: 100_500)))
        var sawLog = false
        var sawUp = false
        for await text in events {
            if text.hasPrefix("event: log") { sawLog = text.contains("\"nodeID\":2") }
            if text.hasPrefix("event: dashboard"), text.contains("2 nodes: 2 up") { sawUp = true }
            if sawLog && sawUp { break }
        }
        #expect(sawLog && sawUp)
    }

    @Test func saysTheDaemonIsGoneAndRecoversWhenItIsBack() async throws {
        let daemon = try await FakeDaemon(report: { fakeReport(count: 3, up: 3) })
        let path = daemon.path
        let state = DashboardState()
        let watch = Task { try await DaemonWatch(client: DaemonClient.underTest(path), state: state).run() }
        defer { watch.cancel() }
        #expect(await Self.eventually { await state.model.daemonReachable })
        await daemon.stop()
        #expect(await Self.eventually {
            let problem = await state.daemonProblem ?? ""
            return problem.contains("no bramble daemon answers on \(path)") || problem.contains("closed")
        })
        let model = await state.model
        #expect(!model.daemonReachable)
        #expect(model.bays.count == 3, "the last report stays on the page")
        try FileManager.default.createDirectory(atPath: daemon.directory, withIntermediateDirectories: true)
        let again = try await FakeDaemon.restarted(at: daemon.directory, report: { fakeReport(count: 3, up: 3) })
        defer { Task { await again.stop() } }
        #expect(await Self.eventually { await state.model.daemonReachable })
    }

    @Test func aDaemonSendingGarbageIsDroppedAndRetried() async throws {
        let daemon = try await FakeDaemon { _ in .bytes(Array("{{{{ not json\n".utf8)) }
        defer { Task { await daemon.stop() } }
        let state = DashboardState()
        let watch = Task { try await DaemonWatch(client: DaemonClient.underTest(daemon.path), state: state).run() }
        defer { watch.cancel() }
        #expect(await Self.eventually { await state.daemonProblem?.contains("unreadable answer") == true })
        #expect(await Self.eventually(4) { daemon.requests.withLockedValue { $0.count } >= 4 }, "it connects again")
    }
}

/// A stage the fake's report closure reads and the test changes.
final class NIOLockedStage: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: BootStage
    init(_ stage: BootStage) { stored = stage }
    var value: BootStage {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// A daemon that accepts the watch's connection but never answers is reported gone.
@Suite struct SilentDaemonWatchTests {
    @Test func aSilentDaemonIsGoneAfterAFewUnansweredStatuses() async throws {
        let daemon = try await FakeDaemon { _ in .silence }
        defer { Task { await daemon.stop() } }
        let state = DashboardState()
        var watch = DaemonWatch(client: DaemonClient.underTest(daemon.path), state: state)
        watch.heartbeat = .milliseconds(200)
        watch.settle = .milliseconds(50)
        let running = Task { [watch] in try await watch.run() }
        defer { running.cancel() }
        #expect(await DaemonWatchTests.eventually(5) { await state.daemonProblem?.contains("did not answer within") == true })
    }
}

/// Readings from another source (the BMC) reach the model and every page following.
@Suite struct BayReadingsTests {
    @Test func readingsAppearOnTheirBayAndAreBroadcast() async throws {
        let state = DashboardState()
        await state.update(fakeReport(count: 2, up: 2))
        guard let (_, events) = await state.follow() else { Issue.record("cannot follow"); return }
        await state.setReadings([2: [BayReading(name: "current", value: 0.62, unit: "A"), BayReading(name: "fan", value: 3100, unit: "rpm")]])
        let model = await state.model
        #expect(model.bays[0].readings.isEmpty)
        #expect(model.bays[1].readings.map(\.name) == ["current", "fan"])
        var iterator = events.makeAsyncIterator()
        _ = await iterator.next()
        let broadcast = await iterator.next()
        #expect(broadcast?.contains("\"readings\":[{\"name\":\"current\",\"unit\":\"A\",\"value\":0.62}") == true, "\(broadcast ?? "")")
    }
}
