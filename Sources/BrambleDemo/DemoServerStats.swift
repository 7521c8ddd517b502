import BrambleControl
import Foundation
import Glibc

/// What the hub's `bramble serve` did and cost: the files its TFTP delivered and its CPU
/// seconds, from its counters on the control socket, and its peak resident memory (VmHWM
/// from /proc/PID/status, which the counters do not keep), read while it still runs.
struct DemoServerStats {
    /// Bytes and count of the files TFTP delivered whole (the counters' `sent` transfers).
    var tftpBytesSent: Int?
    var tftpTransfersSent: Int?
    var cpuSeconds: Double?
    var peakResidentKiB: Int?
    /// Why the counters could not be read, when they could not.
    var countersUnavailable: String?

    static func read(pid: Int32, counters: Result<DaemonCounters, DemoError>) -> DemoServerStats {
        var stats = DemoServerStats()
        switch counters {
        case .success(let counters):
            stats.tftpBytesSent = counters.tftp.bytesSent
            stats.tftpTransfersSent = counters.tftp.transfers["sent"] ?? 0
            stats.cpuSeconds = counters.process.cpuUserSeconds + counters.process.cpuSystemSeconds
        case .failure(let error):
            stats.countersUnavailable = error.message
        }
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) {
            stats.peakResidentKiB = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        return stats
    }
}
