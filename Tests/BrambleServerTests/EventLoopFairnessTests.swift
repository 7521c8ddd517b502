@testable import BrambleServer
import BrambleWire
import CNetShims
import Glibc
import Logging
import Testing

/// A flood on one socket cannot starve the others or the timers, and a listener out of
/// descriptors cannot make the loop spin. Loopback only (127.0.0.1): no namespace needed.
@Suite(.serialized) struct EventLoopFairnessTests {
    static let loopback = IPv4Address(127, 0, 0, 1)

    static func milliseconds(since start: MonotonicInstant) -> Double {
        Double(MonotonicInstant.now().nanoseconds - start.nanoseconds) / 1_000_000
    }

    /// Work a real handler does per datagram (decode, decide, encode), as a busy wait.
    static func spin(microseconds: UInt64) {
        let end = MonotonicInstant.now().nanoseconds + microseconds * 1000
        while MonotonicInstant.now().nanoseconds < end {}
    }

    /// 20,000 queued datagrams at 25 µs each are half a second of work for their handler,
    /// which reads "until nil" as the services do. A datagram on a second socket and a
    /// timer, both due a few milliseconds in, are still served within 150 ms, because the
    /// flooded socket gives the loop back after each batch. Without the batch bound the
    /// first call of the flooded handler would drain all 20,000 before anything else ran.
    @Test func aFloodedSocketLeavesRoomForAnotherSocketAndATimer() throws {
        let flooded = try UDPSocket(address: Self.loopback, port: 0)
        let quiet = try UDPSocket(address: Self.loopback, port: 0)
        let sender = try UDPSocket(address: Self.loopback, port: 0)
        var size: Int32 = 64 << 20
        #expect(setsockopt(flooded.fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) == 0)
        let floodCount = 20_000
        var queued = 0
        for _ in 0..<floodCount where sender.send([1], to: Self.loopback, port: flooded.localPort) { queued += 1 }
        #expect(queued == floodCount)

        let loop = try EventLoop()
        var buffer = [UInt8](repeating: 0, count: 2048)
        var floodReceived = 0
        var quietServedAt: Double?
        var timerFiredAt: Double?
        let start = MonotonicInstant.now()
        try flooded.watch(in: loop) {
            while flooded.receive(into: &buffer) != nil {
                floodReceived += 1
                Self.spin(microseconds: 25)
            }
            if floodReceived == floodCount { loop.stop() }
        }
        try quiet.watch(in: loop) {
            while quiet.receive(into: &buffer) != nil { quietServedAt = Self.milliseconds(since: start) }
        }
        loop.schedule(afterMilliseconds: 5) { _ = sender.send([2], to: Self.loopback, port: quiet.localPort) }
        loop.schedule(afterMilliseconds: 10) { timerFiredAt = Self.milliseconds(since: start) }
        loop.schedule(afterMilliseconds: 10_000) { loop.stop() }
        try loop.run()

        #expect(floodReceived == floodCount, "the flood is still served in full")
        let quietAt = try #require(quietServedAt)
        let timerAt = try #require(timerFiredAt)
        #expect(quietAt < 150, "second socket served after \(quietAt) ms")
        #expect(timerAt < 150, "timer due at 10 ms fired at \(timerAt) ms")
        #expect(Self.milliseconds(since: start) > 300, "the flood took long enough to matter")
    }

    /// A timer that keeps scheduling another already due one cannot hold the loop: sockets
    /// are served between passes.
    @Test func aTimerReschedulingItselfAtNowDoesNotStarveSockets() throws {
        let socket = try UDPSocket(address: Self.loopback, port: 0)
        let sender = try UDPSocket(address: Self.loopback, port: 0)
        let loop = try EventLoop()
        var passes = 0
        func again() {
            passes += 1
            loop.schedule(afterMilliseconds: 0) { again() }
        }
        again()
        var buffer = [UInt8](repeating: 0, count: 64)
        try socket.watch(in: loop) {
            if socket.receive(into: &buffer) != nil { loop.stop() }
        }
        #expect(sender.send([1], to: Self.loopback, port: socket.localPort))
        try loop.run()
        #expect(passes < 10_000, "the socket was served after \(passes) timer passes")
    }

    /// A descriptor that stays readable (as a listener whose accept fails with EMFILE
    /// does) is not called again until the pause is over: about four calls a second,
    /// instead of a spinning loop.
    @Test func aListenerOutOfDescriptorsPausesInsteadOfSpinning() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var byte: UInt8 = 1
        #expect(write(fds[1], &byte, 1) == 1)
        let loop = try EventLoop()
        let pause = ListenerPause(fd: fds[0], name: "test", loop: loop, logger: Logger(label: "test"))
        var calls = 0
        try loop.register(fds[0]) { _ in
            calls += 1
            pause.acceptFailed(errno: EMFILE)
        }
        let start = MonotonicInstant.now()
        loop.schedule(afterMilliseconds: 1000) { loop.stop() }
        try loop.run()
        #expect(Self.milliseconds(since: start) >= 1000)
        #expect((3...6).contains(calls), "\(calls) calls in one second")
    }

    @Test func onlyResourceShortagesPause() throws {
        for errno in [EMFILE, ENFILE, ENOBUFS, ENOMEM] { #expect(ListenerPause.isResourceShortage(errno)) }
        for errno in [EAGAIN, ECONNABORTED, EINTR, EPROTO] { #expect(!ListenerPause.isResourceShortage(errno)) }
        let loop = try EventLoop()
        let pause = ListenerPause(fd: 0, name: "test", loop: loop, logger: Logger(label: "test"))
        #expect(!pause.acceptFailed(errno: ECONNABORTED))
        #expect(!pause.isPaused)
        #expect(pause.acceptFailed(errno: ENFILE))
        #expect(pause.isPaused)
    }

    @Test(arguments: [
        (Int32(PACKET_HOST), true), (Int32(PACKET_BROADCAST), true), (Int32(PACKET_MULTICAST), true),
        (Int32(PACKET_OTHERHOST), false), (Int32(PACKET_OUTGOING), false),
    ])
    func promiscuousFramesForAnotherHostAreNotAnswered(_ packetType: Int32, _ answered: Bool) {
        #expect(PacketSocket.isForThisHost(packetType: packetType) == answered)
    }
}
