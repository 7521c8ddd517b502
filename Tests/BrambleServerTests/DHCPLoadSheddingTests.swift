import BrambleDHCP
@testable import BrambleServer
import BrambleWire
import Testing

@Suite struct DHCPLoadSheddingTests {
    let shedding = DHCPLoadShedding()

    @Test func aKeptUpLoopAnswersEverything() {
        for type in [nil] + DHCPMessageType.allCases.map(Optional.some) {
            #expect(shedding.admit(type, waitedMilliseconds: 3, backlogged: false) == .answer)
        }
    }

    /// Under a backlog, REQUESTs (which complete exchanges already offered) are answered and
    /// new exchanges are not; RELEASE and DECLINE change the pool and are always taken.
    @Test func aBacklogShedsNewExchangesAndKeepsRequests() {
        #expect(shedding.admit(.request, waitedMilliseconds: 20, backlogged: true) == .answer)
        #expect(shedding.admit(.discover, waitedMilliseconds: 20, backlogged: true) == .shed(.backlog))
        #expect(shedding.admit(.inform, waitedMilliseconds: 20, backlogged: true) == .shed(.backlog))
        #expect(shedding.admit(nil, waitedMilliseconds: 20, backlogged: true) == .shed(.backlog))
        #expect(shedding.admit(.release, waitedMilliseconds: 20, backlogged: true) == .answer)
        #expect(shedding.admit(.decline, waitedMilliseconds: 20, backlogged: true) == .answer)
    }

    @Test func aRequestOlderThanItsClientsPatienceIsNotAnswered() {
        #expect(shedding.admit(.request, waitedMilliseconds: shedding.staleAfterMilliseconds, backlogged: false) == .answer)
        #expect(shedding.admit(.request, waitedMilliseconds: shedding.staleAfterMilliseconds + 1, backlogged: false) == .shed(.stale))
        #expect(shedding.admit(.discover, waitedMilliseconds: 10_000, backlogged: true) == .shed(.stale))
        #expect(shedding.admit(.release, waitedMilliseconds: 10_000, backlogged: true) == .answer)
    }

    @Test func delayedRepliesAreBounded() {
        #expect(shedding.admitDelayedReply(pending: 0) == .answer)
        #expect(shedding.admitDelayedReply(pending: shedding.maximumDelayedReplies - 1) == .answer)
        #expect(shedding.admitDelayedReply(pending: shedding.maximumDelayedReplies) == .shed(.delayedRepliesFull))
    }

    /// The model the policy rests on: perfdhcp-like clients start exchanges at `offered`
    /// per tick against a server answering `capacity` requests per tick, shed ones costing
    /// a tenth of an answer. Without shedding the queue overflows and drops at random
    /// (at twice the sustained rate, 38 % fewer exchanges complete); with it, the completed
    /// exchanges stay near the sustained rate (capacity / 2), less what shedding costs.
    @Test(arguments: [2, 3])
    func overloadCompletesAboutTheSustainedRate(factor: Int) {
        let capacity = 100
        let sustained = capacity / 2
        let withShedding = Self.simulate(offered: sustained * factor, capacity: capacity, shedding: shedding)
        let withoutShedding = Self.simulate(offered: sustained * factor, capacity: capacity, shedding: nil)
        #expect(withShedding >= sustained * 85 / 100, "completed \(withShedding) a tick, sustained \(sustained)")
        #expect(withoutShedding < sustained * 8 / 10, "without shedding \(withoutShedding) a tick: the model no longer collapses")
        #expect(withShedding > withoutShedding, "shedding \(withShedding), without \(withoutShedding)")
    }

    /// Completed exchanges per tick in steady state. A queue of `ringFrames` requests in
    /// arrival order; in each of a tick's ten steps, a tenth of `offered` DISCOVERs arrive
    /// with the REQUESTs answering OFFERs made five steps before, in random order, and what
    /// does not fit in the ring is dropped; the server spends a tenth of its `capacity`
    /// units a step, 10 per answer and 1 per shed request.
    static func simulate(offered: Int, capacity: Int, shedding: DHCPLoadShedding?, ringFrames: Int = 256, ticks: Int = 200) -> Int {
        let steps = 10
        let lag = 5
        var queue: [DHCPMessageType] = []
        var offers = Array(repeating: 0, count: lag)
        var completed = 0
        var random = SplitMix64(seed: 18)
        for step in 0..<(ticks * steps) {
            var arrivals = Array(repeating: DHCPMessageType.discover, count: offered / steps)
                + Array(repeating: DHCPMessageType.request, count: offers[step % lag])
            arrivals.shuffle(using: &random)
            for arrival in arrivals where queue.count < ringFrames { queue.append(arrival) }
            offers[step % lag] = 0
            var budget = capacity * 10 / steps
            while budget > 0, !queue.isEmpty {
                let type = queue.removeFirst()
                let backlogged = queue.count > (shedding?.backlogDepth ?? Int.max)
                if let shedding, case .shed = shedding.admit(type, waitedMilliseconds: 0, backlogged: backlogged) {
                    budget -= 1
                    continue
                }
                budget -= 10
                if type == .discover {
                    offers[step % lag] += 1
                } else if step >= ticks * steps / 2 {
                    completed += 1
                }
            }
        }
        return completed / (ticks - ticks / 2)
    }
}
