import BrambleControl
import BrambleMetrics
import BrambleWebCore
import FoundationEssentials
import HTTPTypes
import Hummingbird
import ServiceLifecycle

/// The HTTP side of `bramble web`: the dashboard page, its two files, the JSON and
/// event-stream endpoints it reads (docs/web.md), and /metrics for Prometheus (docs/metrics.md). Read-only: every route is a GET, and
/// nothing is served from the file system, so no path reaches a file.
public enum WebRoutes {
    public static func router(
        client: DaemonClient, state: DashboardState, authentication: WebAuthentication?
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        if let authentication { router.add(middleware: BasicAuthMiddleware(authentication: authentication)) }
        router.get("/") { _, _ in
            html(DashboardPage.render(model: await state.model))
        }
        router.get("/dashboard.css") { _, _ in asset(DashboardStyle.text, type: "text/css; charset=utf-8") }
        router.get("/dashboard.js") { _, _ in asset(DashboardScript.text, type: "text/javascript; charset=utf-8") }
        router.get("/api/dashboard") { _, _ in json(await state.model) }
        router.get("/api/status") { _, _ in await status(client) }
        router.get("/metrics") { _, _ in await metrics(client, state: state) }
        router.get("/api/nodes/{id}/history") { _, context in await history(client, node: context.parameters.get("id")) }
        router.get("/api/events") { _, _ in
            guard let (id, events) = await state.follow() else {
                return problem(.serviceUnavailable, "\(DashboardState.maximumFollowers) pages follow already; close one")
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await withGracefulShutdownHandler {
                        for await text in events { try await writer.write(ByteBuffer(string: text)) }
                    } onGracefulShutdown: {
                        Task { await state.unfollow(id) }
                    }
                    await state.unfollow(id)
                    try await writer.finish(nil)
                })
        }
        return router
    }

    /// `GET /api/status`: the daemon's status report as `bramble status --json` prints it.
    static func status(_ client: DaemonClient) async -> Response {
        do throws(DaemonLinkError) {
            return json(try await client.status())
        } catch {
            return problem(.serviceUnavailable, error.description)
        }
    }

    /// `GET /metrics`: the daemon's counters and status in Prometheus' text format
    /// (docs/metrics.md), both asked for this scrape at once. When the daemon does not
    /// answer, the scrape still succeeds with `bramble_daemon_up 0`, so Prometheus records
    /// the daemon down rather than the exporter. The BMC's last poll (`bramble_bmc_*`,
    /// docs/bmc.md) follows when the BMC is polled.
    static func metrics(_ client: DaemonClient, state: DashboardState) async -> Response {
        async let counters = try? client.counters()
        async let status = try? client.status()
        let (answeredCounters, answeredStatus) = await (counters, status)
        var headers = HTTPFields()
        headers[.contentType] = PrometheusExposition.contentType
        let text = BrambleExposition.render(counters: answeredCounters, status: answeredStatus, extra: await state.bmcMetricFamilies)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// `GET /api/nodes/ID/history`: the node's recent boot events, oldest first.
    static func history(_ client: DaemonClient, node: String?) async -> Response {
        guard let node, let id = nodeID(node) else { return problem(.badRequest, "a node is named by its ID, a number from 1 to 9999") }
        do throws(DaemonLinkError) {
            return json(try await client.history(of: id))
        } catch .refused(let message) {
            return problem(.notFound, message)
        } catch {
            return problem(.serviceUnavailable, error.description)
        }
    }

    /// A node ID as the URL gives it: digits only, 1 to 9999 (a node map's IDs), so nothing
    /// but a number ever reaches the daemon.
    static func nodeID(_ text: String) -> Int? {
        guard (1...4).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let id = Int(text), id > 0 else { return nil }
        return id
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        let bytes = (try? encoder.encode(value)) ?? Data("null".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// An error as JSON, `{"error": "..."}`, which the page shows as it is.
    static func problem(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(["error": message], status: status)
    }

    static func html(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
