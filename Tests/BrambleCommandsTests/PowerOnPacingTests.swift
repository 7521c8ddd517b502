import BrambleBoot
@testable import BrambleCommands
import BrambleControl
import Testing

@Suite struct PowerOnPacingTests {
    func node(_ id: Int, _ stage: BootStage, since: Int64?, boot: Int64? = nil, error: String? = nil) -> NodeStatus {
        NodeStatus(id: id, name: "node0\(id)", ip: "10.42.0.\(id)", mac: nil, stage: stage, stageSince: since, bootStarted: since, bootMilliseconds: boot, reboots: 0, lastError: error)
    }

    @Test func atMostNBootUntilTheirKernelsAskForAnAddress() {
        var pacing = PowerOnPacing(ids: [1, 2, 3, 4], maxBooting: 2, timeout: 60_000)
        let stale = [node(1, .up, since: 10, boot: 5), node(2, .waiting, since: nil), node(3, .waiting, since: nil), node(4, .waiting, since: nil)]
        #expect(pacing.step(StatusReport(now: 1000, nodes: stale), now: 1000).powerOn == [1, 2])
        #expect(pacing.freshStage(stale[0]) == .waiting, "node 1's up is from before its power-on")
        #expect(pacing.step(StatusReport(now: 2000, nodes: [node(1, .kernel, since: 1500), node(2, .firmware, since: 1600)]), now: 2000).powerOn.isEmpty)
        let third = pacing.step(StatusReport(now: 3000, nodes: [node(1, .kernelDHCP, since: 2500), node(2, .loader, since: 2600)]), now: 3000)
        #expect(third.powerOn == [3])
        let up = pacing.step(StatusReport(now: 4000, nodes: [node(1, .up, since: 3500, boot: 2400), node(2, .loader, since: 2600)]), now: 4000)
        #expect(up.notes == ["node01: up, booted in 2.4s"] && up.powerOn.isEmpty)
        #expect(pacing.peakBooting == 2 && !pacing.isFinished)
    }

    @Test func othersBootingCountAndAStuckNodeTimesOut() {
        var pacing = PowerOnPacing(ids: [1, 2], maxBooting: 2, timeout: 10_000)
        let busy = [node(1, .waiting, since: nil), node(2, .waiting, since: nil), node(9, .loader, since: 0)]
        #expect(pacing.step(StatusReport(now: 0, nodes: busy), now: 0).powerOn == [1], "node 9 is booting on its own")
        let stuck = pacing.step(StatusReport(now: 10_000, nodes: [node(1, .loader, since: 500, error: "file not found: kernel7.img"), node(9, .up, since: 5)]), now: 10_000)
        #expect(stuck.notes == ["node01: not up 10.0s after power-on, stuck at loader: file not found: kernel7.img"])
        #expect(stuck.powerOn == [2])
        #expect(pacing.outcomes[1] == .timedOut(stage: .loader))
    }
}
