import Foundation
import Glibc

/// What the hub's `bramble serve` cost: CPU seconds (utime + stime from /proc/PID/stat) and
/// peak resident memory (VmHWM from /proc/PID/status), read while it still runs, and the
/// bytes its TFTP sent (from its log's "TFTP sent" lines).
struct DemoServerStats {
    var cpuSeconds: Double?
    var peakResidentKiB: Int?
    var tftpBytesSent = 0
    var tftpTransfersSent = 0

    static func read(pid: Int32, logPath: String) -> DemoServerStats {
        var stats = DemoServerStats()
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            // Fields after the command name: state is field 3, utime 14 and stime 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                stats.cpuSeconds = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
            }
        }
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) {
            stats.peakResidentKiB = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        if let log = try? String(contentsOfFile: logPath, encoding: .utf8) {
            for line in log.split(separator: "\n") where line.contains("TFTP sent ") {
                // "... TFTP sent FILE to IP NAME: N bytes in ..."
                guard let sent = line.range(of: "TFTP sent "),
                      let colon = line.range(of: ": ", range: sent.upperBound..<line.endIndex)
                else { continue }
                if let bytes = line[colon.upperBound...].split(separator: " ").first.flatMap({ Int($0) }) {
                    stats.tftpBytesSent += bytes
                    stats.tftpTransfersSent += 1
                }
            }
        }
        return stats
    }
}
