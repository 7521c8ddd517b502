import BrambleLab
import Foundation
import Testing

/// `bramble serve` under systemd's `Type=notify` protocol, with a unix datagram socket of
/// the test's own standing in for systemd's: READY=1 only once the sockets are bound and
/// privileges dropped, RELOADING=1 and READY=1 around a SIGHUP reload, STOPPING=1 on
/// SIGTERM. Started as root (it drops to an account) and as bramble.service starts it (an
/// unprivileged user with three ambient capabilities, which it sheds to CAP_NET_ADMIN).
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct SystemdNotifyIntegrationTests {
    static let nodes = "1  b8:27:eb:10:00:01\n2  b8:27:eb:10:00:02\n3  b8:27:eb:XX:XX:XX\n"
    static let readyStatus = "READY=1\nSTATUS=serving 2 of 3 nodes on eth0 as 10.42.0.250/24"
    /// CAP_NET_ADMIN (bit 12) alone, as /proc/PID/status shows capability sets.
    static let netAdminOnly = "0000000000001000"

    /// systemd's notify socket as the daemon sees it: a socket file anyone may write to.
    final class NotifySocket {
        let path: String
        let fd: Int32

        init(label: String) throws {
            path = NSTemporaryDirectory() + "bramble-notify-\(label)-\(getpid()).sock"
            unlink(path)
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            try #require(bound == 0, "bind \(path): \(String(cString: strerror(errno)))")
            chmod(path, 0o777)
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            unlink(path)
        }

        /// The next datagram; nil when none arrives within ten seconds.
        func datagram() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            return count < 0 ? nil : String(decoding: buffer[0..<count], as: UTF8.self)
        }
    }

    /// The `Uid:`, `CapEff:`, `CapAmb:` ... lines of the process's status, by name.
    static func status(of pid: Int32) throws -> [String: String] {
        let text = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// Runs the daemon with `NOTIFY_SOCKET` set behind `launcher`, and checks the whole
    /// conversation: READY=1 (the caller checks the process as it was then), a SIGHUP
    /// reload, a SIGTERM stop.
    func converse(label: String, launcher: [String], prepare: (ServerUnderTest) throws -> Void = { _ in },
                  whenReady: (Int32) throws -> Void) throws {
        let lab = try NetworkLab()
        let hub = try lab.addHost("hub", address: "10.42.0.250/24")
        let server = try ServerUnderTest(lab: lab, hub: hub, nodes: Self.nodes)
        try FileManager.default.createDirectory(at: server.file("pxe/boot"), withIntermediateDirectories: true)
        try prepare(server)
        let notify = try NotifySocket(label: label)
        try server.start(launcher: launcher + ["env", "NOTIFY_SOCKET=\(notify.path)"])
        let process = try #require(server.process)

        #expect(notify.datagram() == Self.readyStatus)
        try whenReady(process.processIdentifier)

        kill(process.processIdentifier, SIGHUP)
        let reloading = try #require(notify.datagram()).split(separator: "\n")
        #expect(reloading.first == "RELOADING=1")
        #expect(reloading.contains { $0.hasPrefix("MONOTONIC_USEC=") && UInt64($0.dropFirst("MONOTONIC_USEC=".count)) != nil })
        #expect(notify.datagram() == Self.readyStatus)

        server.stop()
        #expect(notify.datagram() == "STOPPING=1\nSTATUS=stopping")
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0, "\(server.log)")
    }

    @Test func startedAsRootItIsReadyOnlyAfterTheDrop() throws {
        try converse(label: "root", launcher: []) { pid in
            let status = try Self.status(of: pid)
            #expect(status["Uid"]?.split(separator: "\t").first != "0", "\(status)")
            #expect(status["CapEff"] == Self.netAdminOnly)
            #expect(status["NoNewPrivs"] == "1")
        }
    }

    /// As bramble.service runs it: `User=`, `AmbientCapabilities=` and
    /// `CapabilityBoundingSet=` of the three capabilities, with no root to drop from.
    @Test func startedUnprivilegedWithAmbientCapabilitiesItKeepsOnlyNetAdmin() throws {
        let capabilities = "+net_bind_service,+net_raw,+net_admin"
        let launcher = [
            "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--bounding-set=-all,\(capabilities)",
            "--inh-caps=\(capabilities)", "--ambient-caps=\(capabilities)",
        ]
        try converse(label: "ambient", launcher: launcher, prepare: { server in
            // StateDirectory= makes the state directory the service user's.
            try FileManager.default.createDirectory(at: server.file("state"), withIntermediateDirectories: true)
            #expect(chown(server.file("state").path, 65534, 65534) == 0)
        }) { pid in
            let status = try Self.status(of: pid)
            #expect(status["Uid"] == "65534\t65534\t65534\t65534")
            #expect(status["CapEff"] == Self.netAdminOnly)
            #expect(status["CapPrm"] == Self.netAdminOnly)
            #expect(status["CapAmb"] == "0000000000000000")
            #expect(status["CapInh"] == "0000000000000000")
            #expect(status["NoNewPrivs"] == "1")
        }
    }
}
