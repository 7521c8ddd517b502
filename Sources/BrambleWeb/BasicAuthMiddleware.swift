import BrambleWebCore
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import Synchronization

/// Basic authentication (RFC 7617) for every route when `web-user` is set: the uplink side
/// of a hub is not the cluster's own network. The password is checked against its bcrypt
/// hash; a header that passed is remembered (a few of them, in memory), so a page's
/// requests cost one bcrypt check, not one each.
struct BasicAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let authentication: WebAuthentication
    let admitted = AdmittedHeaders()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], isAdmitted(header) else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Basic realm=\"bramble web\", charset=\"UTF-8\""
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "log in with the web-user of bramble.conf\n")))
        }
        return try await next(request, context)
    }

    private func isAdmitted(_ header: String) -> Bool {
        if admitted.contains(header) { return true }
        guard let credentials = try? BasicCredentials(header: Array(header.utf8)),
            Self.equalInConstantTime(Array(credentials.user.utf8), Array(authentication.user.utf8)),
            Bcrypt.verify(credentials.password, hash: authentication.passwordHash)
        else { return false }
        admitted.insert(header)
        return true
    }

    /// Compares without stopping at the first difference, so the time taken does not tell
    /// how much of a guessed user name was right.
    static func equalInConstantTime(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in 0..<max(lhs.count, rhs.count) {
            difference |= (index < lhs.count ? lhs[index] : 0) ^ (index < rhs.count ? rhs[index] : 0)
        }
        return difference == 0
    }
}

/// Header values that passed the password check; at most ``maximum``, the oldest forgotten.
final class AdmittedHeaders: Sendable {
    static let maximum = 16
    private let headers = Mutex<[String]>([])

    func contains(_ header: String) -> Bool { headers.withLock { $0.contains(header) } }

    func insert(_ header: String) {
        headers.withLock {
            $0.append(header)
            if $0.count > Self.maximum { $0.removeFirst($0.count - Self.maximum) }
        }
    }
}

/// Headers on every answer: the page loads nothing but its own files, cannot be framed,
/// and nothing is cached (the module changes every second).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    static var frameOptions: HTTPField.Name { HTTPField.Name("X-Frame-Options")! }
    static var referrerPolicy: HTTPField.Name { HTTPField.Name("Referrer-Policy")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.frameOptions] = "DENY"
        response.headers[Self.referrerPolicy] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
