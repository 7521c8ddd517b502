import BrambleBoot
import BrambleControl
@testable import BrambleServer
import BrambleTestSupport
import Glibc
import Logging
import Testing

@Suite struct ControlServerTests {
    /// A blocking client, as the CLI is.
    final class Client {
        let fd: Int32
        private var pending: [UInt8] = []

        init(path: String) throws {
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            try #require(result == 0)
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        func send(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }

        /// The next line, nil at end of stream or when none comes within the timeout.
        func line() -> String? {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    defer { pending.removeSubrange(...newline) }
                    return String(decoding: pending[..<newline], as: UTF8.self)
                }
                let count = read(fd, &buffer, buffer.count)
                if count <= 0 { return nil }
                pending += buffer[0..<count]
            }
        }

        func response() throws -> ControlResponse? {
            try line().map { try ControlLine.decode(ControlResponse.self, from: Array($0.utf8)) }
        }
    }

    struct Harness {
        let loop: EventLoop
        let server: ControlServer
        let path: String

        init() throws {
            let directory = try TemporaryDirectory.make(prefix: "bramble-server")
            path = directory + "/control.sock"
            loop = try EventLoop()
            server = try ControlServer(directory: try DirectoryHandle.openState(directory, owner: nil), name: "control.sock", owner: nil, loop: loop, logger: Logger(label: "test")) { request, connection in
                switch request.command {
                case .status: connection.send(ControlResponse(status: StatusReport(now: 7, nodes: [])))
                case .follow:
                    connection.subscription = .bootEvents(nodeID: request.node.flatMap { Int($0) })
                    connection.send(ControlResponse(message: "following"))
                case .discoveries:
                    connection.subscription = .discoveries
                    connection.send(ControlResponse(message: "discoveries"))
                case .hello: connection.send(ControlResponse(hello: ControlHello(version: "test")))
                case .history, .reload, .counters: connection.send(ControlResponse(error: "not here"))
                }
            }
        }

        /// Lets the loop serve what is queued.
        func turn(milliseconds: Int = 50) throws {
            loop.schedule(afterMilliseconds: milliseconds) { [loop] in loop.stop() }
            try loop.run()
        }
    }

    @Test func theSocketIsMode0660AndAnswersRequestLines() throws {
        let harness = try Harness()
        var status = stat()
        #expect(stat(harness.path, &status) == 0 && status.st_mode & 0o777 == 0o660 && status.st_mode & S_IFMT == S_IFSOCK)
        let client = try Client(path: harness.path)
        client.send(#"{"command":"status"}"# + "\n" + #"{"command":"history","node":"5"}"# + "\n")
        try harness.turn()
        #expect(try client.response()?.status?.now == 7)
        #expect(try client.response()?.error == "not here")
    }

    @Test func aRequestSplitAcrossWritesIsAssembled() throws {
        let harness = try Harness()
        let client = try Client(path: harness.path)
        client.send(#"{"command":"#)
        try harness.turn()
        client.send(#""status"}"# + "\n")
        try harness.turn()
        #expect(try client.response()?.status != nil)
    }

    @Test func malformedAndOverlongLinesGetAnErrorAndAClose() throws {
        let harness = try Harness()
        let malformed = try Client(path: harness.path)
        malformed.send("{\"command\":\"status\"\n")
        let overlong = try Client(path: harness.path)
        overlong.send(String(repeating: "x", count: ControlLine.maximumRequestLength + 10))
        try harness.turn()
        #expect(try malformed.response()?.error?.hasPrefix("malformed request") == true)
        #expect(malformed.line() == nil, "closed after the error")
        #expect(try overlong.response()?.error == "request longer than 4096 bytes")
        #expect(harness.server.connectionCount == 0)
    }

    @Test func anUnknownCommandIsAnErrorNamingTheKnownOnesAndTheClientStays() throws {
        let harness = try Harness()
        let client = try Client(path: harness.path)
        client.send(#"{"command":"explode","protocol":9}"# + "\n" + #"{"command":"hello"}"# + "\n")
        try harness.turn()
        let error = try #require(try client.response()?.error)
        #expect(error == #"unknown command "explode": protocol 2 knows hello, status, history, reload, follow, discoveries, counters"#)
        let hello = try #require(try client.response()?.hello)
        #expect(hello.protocolVersion == ControlProtocol.version && hello.commands.contains("counters"))
        #expect(harness.server.connectionCount == 1, "an unknown command is the client's to fall back from, not a broken stream")
    }

    @Test func followersGetTheirNodesEventsAndASlowFollowerIsDropped() throws {
        let harness = try Harness()
        let everyNode = try Client(path: harness.path)
        everyNode.send(#"{"command":"follow"}"# + "\n")
        let nodeFive = try Client(path: harness.path)
        nodeFive.send(#"{"command":"follow","node":"5"}"# + "\n")
        let notFollowing = try Client(path: harness.path)
        try harness.turn()
        #expect(try everyNode.response()?.message == "following")
        #expect(try nodeFive.response()?.message == "following")
        harness.server.publish(BootLogRecord(nodeID: 7, node: "node07", time: 1, stage: .romDHCP, failure: false, line: "seven"))
        harness.server.publish(BootLogRecord(nodeID: 5, node: "node05", time: 2, stage: .romDHCP, failure: false, line: "five"))
        try harness.turn()
        #expect(try everyNode.response()?.event?.line == "seven")
        #expect(try everyNode.response()?.event?.line == "five")
        #expect(try nodeFive.response()?.event?.line == "five")
        #expect(notFollowing.line() == nil)

        // Nobody reads now: a few MB of events overflow the kernel's buffer and the bound.
        let line = String(repeating: "x", count: 1000)
        for time in 0..<5000 { harness.server.publish(BootLogRecord(nodeID: 5, node: "node05", time: Int64(time), stage: .romDHCP, failure: false, line: line)) }
        try harness.turn()
        #expect(harness.server.connectionCount == 1, "both followers dropped; the idle client stays until its timeout")
    }

    @Test func discoveriesGoToTheirSubscribersOnly() throws {
        let harness = try Harness()
        let enrolling = try Client(path: harness.path)
        enrolling.send(#"{"command":"discoveries"}"# + "\n")
        let following = try Client(path: harness.path)
        following.send(#"{"command":"follow"}"# + "\n")
        #expect(!harness.server.isFollowingDiscoveries)
        try harness.turn()
        #expect(harness.server.isFollowingDiscoveries)
        #expect(try enrolling.response()?.message == "discoveries")
        #expect(try following.response()?.message == "following")
        harness.server.publish(Discovery(mac: "b8:27:eb:12:34:56", client: "Pi 3B ROM", firmware: true, time: 9))
        harness.server.publish(BootLogRecord(nodeID: 5, node: "node05", time: 2, stage: .romDHCP, failure: false, line: "five"))
        try harness.turn()
        #expect(try enrolling.response()?.discovery?.mac == "b8:27:eb:12:34:56")
        #expect(enrolling.line() == nil, "no boot events for an enrolling client")
        #expect(try following.response()?.event?.line == "five")
    }

    @Test func connectionsAreBounded() throws {
        let harness = try Harness()
        let clients = try (0..<ControlServer.maximumConnections).map { _ in try Client(path: harness.path) }
        try harness.turn()
        let extra = try Client(path: harness.path)
        try harness.turn()
        #expect(try extra.response()?.error == "the daemon is busy: 16 control clients are connected")
        #expect(harness.server.connectionCount == clients.count)
    }

    @Test func anIdleClientIsClosed() throws {
        let harness = try Harness()
        let idle = try Client(path: harness.path)
        try harness.turn(milliseconds: ControlConnection.idleMilliseconds + 200)
        #expect(harness.server.connectionCount == 0)
        #expect(idle.line() == nil)
    }
}
