import BrambleControl
import Glibc

/// The CLI's end of the control socket: a blocking connection, one request line out, one
/// response line back, with a time limit so a stuck daemon never hangs the command.
/// `package`: `bramble demo` asks its hub the same way.
package final class ControlClient {
    package let path: String
    let fd: Int32
    private var pending: [UInt8] = []

    package init(path: String) throws(ControlSocketError) {
        self.path = path
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw ControlSocketError(path: path, reason: "the path is too long for a Unix socket") }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes + [0]) }
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ControlSocketError(path: path, reason: String(cString: strerror(errno))) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ControlSocketError(path: path, reason: reason)
        }
    }

    deinit { close(fd) }

    package func send(_ requests: [ControlRequest]) throws(ControlSocketError) {
        var bytes: [UInt8] = []
        for request in requests {
            guard let line = try? ControlLine.encode(request) else { throw ControlSocketError(path: path, reason: "cannot encode the request") }
            bytes += line
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw ControlSocketError(path: path, reason: String(cString: strerror(errno))) }
            offset += written
        }
    }

    /// One request, its one response.
    package func ask(_ request: ControlRequest, timeoutMilliseconds: Int32 = 5000) throws(ControlSocketError) -> ControlResponse {
        try send([request])
        guard let response = try next(timeoutMilliseconds: timeoutMilliseconds) else {
            throw ControlSocketError(path: path, reason: "the daemon closed the connection without answering")
        }
        return response
    }

    /// The next response line: nil when the daemon closed the connection; an error when
    /// none came in time or it cannot be read.
    func next(timeoutMilliseconds: Int32) throws(ControlSocketError) -> ControlResponse? {
        switch try nextLine(timeoutMilliseconds: timeoutMilliseconds) {
        case .line(let line): return try decode(line)
        case .closed: return nil
        case .timedOut: throw ControlSocketError(path: path, reason: "no answer within \(timeoutMilliseconds) ms")
        }
    }

    /// The next line if one comes within the time: nil when none did; an error when the
    /// daemon closed the connection (a subscription never ends by itself).
    package func poll(timeoutMilliseconds: Int32) throws(ControlSocketError) -> ControlResponse? {
        switch try nextLine(timeoutMilliseconds: timeoutMilliseconds) {
        case .line(let line): return try decode(line)
        case .closed: throw ControlSocketError(path: path, reason: "the daemon closed the connection")
        case .timedOut: return nil
        }
    }

    /// Whether a line is already buffered: read it before waiting on the socket again.
    var hasBufferedLine: Bool { pending.contains(UInt8(ascii: "\n")) }

    private enum LineResult {
        case line([UInt8])
        case closed
        case timedOut
    }

    private func decode(_ line: [UInt8]) throws(ControlSocketError) -> ControlResponse {
        do {
            return try ControlLine.decode(ControlResponse.self, from: line)
        } catch {
            throw ControlSocketError(path: path, reason: "unreadable answer: \(error)")
        }
    }

    private func nextLine(timeoutMilliseconds: Int32) throws(ControlSocketError) -> LineResult {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                return .line(line)
            }
            guard pending.count <= ControlLine.maximumResponseLength else { throw ControlSocketError(path: path, reason: "answer too long") }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&poller, 1, timeoutMilliseconds)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { return .timedOut }
            guard ready > 0 else { throw ControlSocketError(path: path, reason: String(cString: strerror(errno))) }
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return .closed }
            pending += buffer[0..<count]
        }
    }
}
