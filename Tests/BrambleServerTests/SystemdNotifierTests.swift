@testable import BrambleServer
import BrambleWire
import CNetShims
import Glibc
import Testing

/// The sd_notify datagrams as systemd would receive them: a unix datagram socket bound
/// where `$NOTIFY_SOCKET` points (a file, or an abstract name), read back byte for byte.
@Suite struct SystemdNotifierTests {
    /// A bound datagram socket standing in for systemd's notify socket.
    final class Listener {
        let fd: Int32
        let destination: SystemdNotifier.Destination

        init(_ destination: SystemdNotifier.Destination) throws {
            self.destination = destination
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            try #require(fd >= 0)
            var (address, length) = destination.socketAddress()
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            try #require(bound == 0, "bind: \(String(cString: strerror(errno)))")
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            if case .path(let path) = destination { unlink(path) }
        }

        /// The next datagram, nil when none arrives within two seconds.
        func datagram() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            return count < 0 ? nil : String(decoding: buffer[0..<count], as: UTF8.self)
        }
    }

    static func uniqueName(_ label: String) -> String { "bramble-notify-test-\(label)-\(getpid())" }

    @Test func absolutePathsAndAbstractNamesAreDestinations() {
        #expect(SystemdNotifier.Destination(environment: "/run/systemd/notify") == .path("/run/systemd/notify"))
        #expect(SystemdNotifier.Destination(environment: "@/org/freedesktop/systemd1/notify/42") == .abstract("/org/freedesktop/systemd1/notify/42"))
    }

    @Test(arguments: [nil, "", "@", "relative/notify", "vsock:2:1234", "/run/\u{0}x", "@" + String(repeating: "n", count: 108), "/" + String(repeating: "p", count: 107)])
    func unusableValuesSendNothing(_ value: String?) {
        #expect(SystemdNotifier.Destination(environment: value) == nil)
    }

    @Test func theLongestNamesFit() {
        let abstract = String(repeating: "n", count: 107)
        #expect(SystemdNotifier.Destination(environment: "@" + abstract) == .abstract(abstract))
        let path = "/" + String(repeating: "p", count: 106)
        #expect(SystemdNotifier.Destination(environment: path) == .path(path))
    }

    @Test func readyReloadingAndStoppingReachAnAbstractSocket() throws {
        let listener = try Listener(.abstract(Self.uniqueName("abstract")))
        let notifier = try #require(SystemdNotifier(destination: listener.destination))
        #expect(notifier.ready(status: "serving 3 of 4 nodes"))
        #expect(listener.datagram() == "READY=1\nSTATUS=serving 3 of 4 nodes")

        let before = MonotonicInstant.now().nanoseconds / 1_000
        #expect(notifier.reloading())
        let reloading = try #require(listener.datagram()).split(separator: "\n").map(String.init)
        #expect(reloading.first == "RELOADING=1")
        #expect(reloading.last == "STATUS=reloading the node map and config")
        let stamp = try #require(reloading.first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
        #expect(stamp >= before && stamp < before + 5_000_000)

        #expect(notifier.stopping())
        #expect(listener.datagram() == "STOPPING=1\nSTATUS=stopping")
    }

    @Test func aSocketFileIsReachedByPath() throws {
        let listener = try Listener(.path("/tmp/\(Self.uniqueName("path"))"))
        let notifier = try #require(SystemdNotifier(destination: listener.destination))
        #expect(notifier.ready(status: "line one\nline two"))
        #expect(listener.datagram() == "READY=1\nSTATUS=line one line two")
    }

    @Test func noListenerIsAFailedSendNotACrash() throws {
        let notifier = try #require(SystemdNotifier(destination: .abstract(Self.uniqueName("nobody"))))
        #expect(!notifier.stopping())
    }
}
