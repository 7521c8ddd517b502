import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded

/// Sends requests straight into an application's responder, in process: no socket, no port,
/// no network namespace, so the route tests run without root.
///
/// Why not `HummingbirdTesting`: its router mode is these few lines, and depending on it
/// pulls AsyncHTTPClient, NIOSSL with BoringSSL, NIOHTTP2 and swift-crypto into every test
/// build, several minutes of CI on the two-core machine for code the tests never run. The
/// live HTTP path is covered by the namespace tests against the real `bramble-web`.
struct RouterTestClient<Responder: HTTPResponder>: Sendable
where Responder.Context: RequestContext & InitializableFromSource<ApplicationRequestContextSource> {
    let responder: Responder
    let logger: Logger

    struct Response: Sendable {
        var head: HTTPResponse
        var body: ByteBuffer
        var status: HTTPResponse.Status { head.status }
        var headers: HTTPFields { head.headerFields }
    }

    func execute<Value>(
        uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
        _ check: (Response) async throws -> Value
    ) async throws -> Value {
        var headers = headers
        if let body { headers[.contentLength] = String(body.readableBytes) }
        let request = Request(
            head: HTTPRequest(method: method, scheme: "http", authority: "localhost", path: uri, headerFields: headers),
            body: RequestBody(buffer: body ?? ByteBuffer()))
        let context = Responder.Context(source: ApplicationRequestContextSource(channel: NIOAsyncTestingChannel(), logger: logger))
        let response: Hummingbird.Response
        do {
            response = try await responder.respond(to: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            response = Hummingbird.Response(status: .internalServerError)
        }
        let collector = BodyCollector()
        let head = response.head
        try await response.body.write(collector)
        return try await check(Response(head: head, body: collector.collected.withLockedValue { $0 }))
    }
}

/// The one way of running a route test, named after Hummingbird's so the tests read alike.
enum RouterTestMode { case router }

extension ApplicationProtocol where Responder.Context: RequestContext & InitializableFromSource<ApplicationRequestContextSource> {
    func test<Value>(_ mode: RouterTestMode, _ run: (RouterTestClient<Responder>) async throws -> Value) async throws -> Value {
        try await run(RouterTestClient(responder: try await responder, logger: logger))
    }
}

private struct BodyCollector: ResponseBodyWriter {
    let collected = NIOLockedValueBox(ByteBuffer())

    func write(_ buffer: ByteBuffer) async throws {
        collected.withLockedValue { _ = $0.writeImmutableBuffer(buffer) }
    }

    func write(contentsOf buffers: some Sequence<ByteBuffer>) async throws {
        for buffer in buffers { try await write(buffer) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
