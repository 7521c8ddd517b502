import BrambleWire
import CNetShims
import Glibc

/// systemd's readiness protocol, without libsystemd: each state change is one datagram of
/// newline-separated `KEY=VALUE` lines sent to the AF_UNIX socket named in `$NOTIFY_SOCKET`
/// (https://www.freedesktop.org/software/systemd/man/latest/sd_notify.html, "Notes").
/// bramble.service is `Type=notify`: systemd holds `systemctl start` until READY=1, which
/// the daemon sends once every socket is bound and privileges are dropped, so a unit
/// ordered after bramble never sees a half-started server.
///
/// The socket is opened when the daemon starts, while it may still be root; sending needs
/// only write access to the socket, which systemd grants every service (its notify socket is
/// mode 0777). Without `$NOTIFY_SOCKET` (not started by systemd) nothing is sent.
public final class SystemdNotifier {
    /// Where `$NOTIFY_SOCKET` points, decoded from the variable once.
    public enum Destination: Equatable, Sendable {
        /// A socket file: an absolute path.
        case path(String)
        /// A Linux abstract socket (`@name` in the variable): no file, a name in the
        /// network namespace's abstract table. systemd uses these for containers.
        case abstract(String)

        /// The longest name `sockaddr_un.sun_path` holds: 108 bytes, less the path's NUL
        /// terminator or the abstract name's leading NUL.
        static let maximumNameBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

        /// The destination `value` names, or nil for anything sd_notify would not send to:
        /// unset, empty, a relative path, another transport (`vsock:`), or too long.
        public init?(environment value: String?) {
            guard let value, let first = value.utf8.first else { return nil }
            let name: Substring
            switch first {
            case UInt8(ascii: "/"):
                name = value[...]
                self = .path(value)
            case UInt8(ascii: "@"):
                name = value.dropFirst()
                self = .abstract(String(name))
            default:
                return nil
            }
            guard !name.isEmpty, name.utf8.count <= Self.maximumNameBytes, !name.utf8.contains(0) else { return nil }
        }

        /// The `sockaddr_un` and its length: a path with its NUL; an abstract name after a
        /// leading NUL and without a trailing one (its length is the name's).
        func socketAddress() -> (sockaddr_un, socklen_t) {
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes: [UInt8]
            switch self {
            case .path(let path): bytes = Array(path.utf8) + [0]
            case .abstract(let name): bytes = [0] + Array(name.utf8)
            }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
            return (address, socklen_t(pathOffset + bytes.count))
        }
    }

    public let destination: Destination
    private let fd: Int32

    /// A notifier for the socket in `$NOTIFY_SOCKET`; nil when systemd did not set one (or
    /// set one this protocol cannot use, or no socket can be opened: then systemd's own
    /// start timeout reports the missing READY=1, which is all a notifier could say).
    public convenience init?() {
        guard let value = getenv("NOTIFY_SOCKET"), let destination = Destination(environment: String(cString: value)) else { return nil }
        self.init(destination: destination)
    }

    public init?(destination: Destination) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        self.destination = destination
        self.fd = fd
    }

    deinit { close(fd) }

    /// READY=1 with a STATUS= line (`systemctl status` shows it): serving, after start-up
    /// or after a reload.
    @discardableResult
    public func ready(status: String) -> Bool {
        send(["READY=1", "STATUS=\(Self.oneLine(status))"])
    }

    /// RELOADING=1 with the monotonic clock's time in microseconds, which systemd 253 and
    /// later use to match the reload to the ExecReload= that asked for it; READY=1 follows
    /// once the reload is done, whether or not it was accepted.
    @discardableResult
    public func reloading() -> Bool {
        send(["RELOADING=1", "MONOTONIC_USEC=\(MonotonicInstant.now().nanoseconds / 1_000)", "STATUS=reloading the node map and config"])
    }

    /// STOPPING=1: shutting down on SIGTERM or SIGINT.
    @discardableResult
    public func stopping() -> Bool {
        send(["STOPPING=1", "STATUS=stopping"])
    }

    /// Sends the lines as one datagram; false when the send failed (systemd gone). The
    /// failure changes nothing for the daemon: it serves whether or not systemd listens.
    @discardableResult
    func send(_ lines: [String]) -> Bool {
        let message = Array(lines.joined(separator: "\n").utf8)
        var (address, length) = destination.socketAddress()
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                message.withUnsafeBytes { Glibc.sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), address, length) }
            }
        }
        return sent == message.count
    }

    /// A status fits one `STATUS=` line: a newline in it would start a new assignment.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
