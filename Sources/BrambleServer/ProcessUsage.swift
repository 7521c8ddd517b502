import BrambleProcfs
import Glibc

/// What the daemon's own process uses, read when a client asks for counters (never on a
/// timer): CPU from getrusage(2), memory from /proc/self/status, descriptors from
/// /proc/self/fd and RLIMIT_NOFILE.
enum ProcessUsage {
    struct Reading {
        var cpuUserSeconds: Double
        var cpuSystemSeconds: Double
        var residentBytes: Int?
        var anonymousResidentBytes: Int?
        var openDescriptors: Int?
        var maximumDescriptors: Int?
    }

    static func read() -> Reading {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        var limit = rlimit()
        let maximum = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 && limit.rlim_cur != rlim_t.max ? Int(clamping: limit.rlim_cur) : nil
        let memory = ProcessMemory(statusFile: smallFile("/proc/self/status") ?? "")
        return Reading(
            cpuUserSeconds: seconds(usage.ru_utime), cpuSystemSeconds: seconds(usage.ru_stime), residentBytes: memory.residentBytes,
            anonymousResidentBytes: memory.anonymousResidentBytes, openDescriptors: openDescriptorCount(),
            maximumDescriptors: maximum)
    }

    private static func seconds(_ value: timeval) -> Double {
        Double(value.tv_sec) + Double(value.tv_usec) / 1_000_000
    }

    /// The entries of /proc/self/fd, less the one the listing itself holds open.
    private static func openDescriptorCount() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { $0.first == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return count - 1
    }

    /// A /proc file's text (a few KB); nil when it cannot be opened.
    private static func smallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 16 {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
