@testable import BrambleServer
import BrambleWire
import CNetShims
import Glibc
import Testing

@Suite struct EventLoopTests {
    /// A clock the test moves by hand, so timer order is tested without sleeping.
    final class ManualClock {
        var now = MonotonicInstant(nanoseconds: 1_000_000_000)
        func advance(milliseconds: Int) { now = now.adding(milliseconds: milliseconds) }
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesNever() throws {
        let clock = ManualClock()
        let loop = try EventLoop(clock: { clock.now })
        var fired: [String] = []
        loop.schedule(afterMilliseconds: 30) { fired.append("c") }
        loop.schedule(afterMilliseconds: 10) { fired.append("a") }
        let cancelled = loop.schedule(afterMilliseconds: 20) { fired.append("cancelled") }
        loop.schedule(afterMilliseconds: 10) { fired.append("b (same deadline, scheduled later)") }
        loop.cancel(cancelled)
        clock.advance(milliseconds: 40)
        loop.schedule(afterMilliseconds: 0) { loop.stop() }
        try loop.run()
        #expect(fired == ["a", "b (same deadline, scheduled later)", "c"])
        #expect(loop.pendingTimerCount == 0)
    }

    @Test func readinessHandlersRunAndDeregisteredOnesDoNot() throws {
        let loop = try EventLoop()
        var pipeA: [Int32] = [0, 0]
        var pipeB: [Int32] = [0, 0]
        pipe(&pipeA)
        pipe(&pipeB)
        defer { [pipeA[0], pipeA[1], pipeB[0], pipeB[1]].forEach { close($0) } }
        var received: [UInt8] = []
        try loop.register(pipeA[0]) { _ in
            var byte: UInt8 = 0
            read(pipeA[0], &byte, 1)
            received.append(byte)
            if byte == 3 { loop.stop() }
        }
        try loop.register(pipeB[0]) { _ in Issue.record("deregistered handler ran") }
        loop.deregister(pipeB[0])
        var one: UInt8 = 1, three: UInt8 = 3, other: UInt8 = 9
        write(pipeB[1], &other, 1)
        write(pipeA[1], &one, 1)
        loop.schedule(afterMilliseconds: 5) { write(pipeA[1], &three, 1) }
        try loop.run()
        #expect(received == [1, 3])
        #expect(loop.registeredDescriptorCount == 1)
    }

    @Test func timersWakeAnIdleLoop() throws {
        let loop = try EventLoop()
        let start = MonotonicInstant.now()
        loop.schedule(afterMilliseconds: 50) { loop.stop() }
        try loop.run()
        let elapsedMilliseconds = (MonotonicInstant.now().nanoseconds - start.nanoseconds) / 1_000_000
        #expect(elapsedMilliseconds >= 50 && elapsedMilliseconds < 2000)
    }

    @Test func signalsArriveAsLoopEvents() throws {
        let loop = try EventLoop()
        var received: [Int32] = []
        let source = try SignalSource(signals: [SIGUSR1], loop: loop) { signal in
            received.append(signal)
            loop.stop()
        }
        // Thread-directed, so no other test thread can take it the default way.
        pthread_kill(pthread_self(), SIGUSR1)
        loop.schedule(afterMilliseconds: 2000) { loop.stop() }
        try loop.run()
        #expect(received == [SIGUSR1])
        withExtendedLifetime(source) {}
    }
}
