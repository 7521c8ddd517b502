import BrambleBoot
import BrambleControl
import BrambleTestSupport
import BrambleWeb
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A stand-in for `bramble serve`'s control socket: a Unix socket in a temporary directory
/// that answers each request line with whatever bytes the test scripts (canned JSON lines,
/// garbage, nothing), and keeps `follow` connections to push events to.
final class FakeDaemon: Sendable {
    /// What the fake does with one request line.
    enum Reply: Sendable {
        case bytes([UInt8])
        case line(ControlResponse)
        case silence
        case hangUp
    }

    let directory: String
    let path: String
    private let server: any Channel
    private let followers = NIOLockedValueBox<[any Channel]>([])
    let requests = NIOLockedValueBox<[String]>([])

    convenience init(_ respond: @escaping @Sendable (ControlRequest?) -> Reply) async throws {
        try await self.init(directory: try TemporaryDirectory.make(prefix: "bramble-web"), respond)
    }

    /// A fake in an existing directory: the daemon started again where it was.
    static func restarted(at directory: String, report: @escaping @Sendable () -> StatusReport) async throws -> FakeDaemon {
        try await FakeDaemon(directory: directory) { request in
            request?.command == .status ? .line(ControlResponse(status: report())) : .line(ControlResponse(message: "ok"))
        }
    }

    init(directory: String, _ respond: @escaping @Sendable (ControlRequest?) -> Reply) async throws {
        self.directory = directory
        path = directory + "/control.sock"
        let followers = self.followers
        let requests = self.requests
        server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(respond: respond, followers: followers, requests: requests))
                }
            }
            .bind(unixDomainSocketPath: path).get()
    }

    /// A fake that answers `status` with `report` and `follow` with its greeting.
    convenience init(report: @escaping @Sendable () -> StatusReport) async throws {
        try await self.init { request in
            switch request?.command {
            case .status: .line(ControlResponse(status: report()))
            case .follow: .line(ControlResponse(message: "following every node's boot events"))
            case .history:
                request?.node == "3"
                    ? .line(ControlResponse(history: NodeHistory(nodeID: 3, node: "node03", records: [FakeDaemon.record(node: 3, stage: .romDHCP, time: 1000)])))
                    : .line(ControlResponse(error: "no node \(request?.node ?? "") in /etc/bramble/nodes: give an ID, a name or a MAC of the node map"))
            default: .line(ControlResponse(error: "unexpected"))
            }
        }
    }

    /// Sends bytes to every connection that asked to follow.
    func push(_ bytes: [UInt8]) {
        for channel in followers.withLockedValue({ $0 }) {
            channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
        }
    }

    func push(_ response: ControlResponse) throws { push(try ControlLine.encode(response)) }

    var followerCount: Int { followers.withLockedValue { $0.filter(\.isActive).count } }

    func stop() async {
        try? await server.close()
        for channel in followers.withLockedValue({ $0 }) { try? await channel.close() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func record(node: Int, stage: BootStage, time: Int64, failure: Bool = false) -> BootLogRecord {
        BootLogRecord(nodeID: node, node: "node0\(node)", time: time, stage: stage, failure: failure, line: "node0\(node) \(stage)")
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let respond: @Sendable (ControlRequest?) -> Reply
        let followers: NIOLockedValueBox<[any Channel]>
        let requests: NIOLockedValueBox<[String]>
        var pending: [UInt8] = []

        init(respond: @escaping @Sendable (ControlRequest?) -> Reply, followers: NIOLockedValueBox<[any Channel]>, requests: NIOLockedValueBox<[String]>) {
            self.respond = respond
            self.followers = followers
            self.requests = requests
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = Self.unwrapInboundIn(data)
            pending += buffer.readBytes(length: buffer.readableBytes) ?? []
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                let request = try? ControlLine.decode(ControlRequest.self, from: line)
                requests.withLockedValue { $0.append(String(decoding: line, as: UTF8.self)) }
                if request?.command == .follow {
                    let channel = context.channel
                    followers.withLockedValue { $0.append(channel) }
                }
                switch respond(request) {
                case .bytes(let bytes): context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
                case .line(let response):
                    if let bytes = try? ControlLine.encode(response) { context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil) }
                case .silence: break
                case .hangUp:
                    context.close(promise: nil)
                    return
                }
            }
        }
    }
}

/// A module of `count` nodes: the first `up` of them up, the rest in `rest`.
func fakeReport(count: Int = 8, up: Int = 5, rest: BootStage = .kernel, now: Int64 = 100_000, since: Int64 = 95_000, error: String? = nil) -> StatusReport {
    StatusReport(
        now: now,
        nodes: (1...count).map { id in
            NodeStatus(
                id: id, name: "node0\(id)", ip: "10.42.0.\(id)", mac: "b8:27:eb:00:00:0\(id)", stage: id <= up ? .up : rest,
                stageSince: since, bootStarted: 60_000, bootMilliseconds: id <= up ? 31_200 : nil, reboots: 0, lastError: id == count ? error : nil)
        })
}

/// A response body's bytes, for JSONDecoder.
func bodyData(_ buffer: ByteBuffer) -> Data { Data(buffer.readableBytesView) }

extension DaemonClient {
    /// A client for tests: it waits up to two minutes for an answer instead of five seconds.
    /// The whole suite runs in parallel on a two-core CI machine, where namespace tests can
    /// hold the cooperative threads long enough for a 5 s timeout to fire before a fake
    /// daemon's prompt answer is read; the tests that are about the timeout set their own.
    static func underTest(_ socketPath: String) -> DaemonClient {
        var client = DaemonClient(socketPath: socketPath)
        client.timeout = .seconds(120)
        return client
    }
}
