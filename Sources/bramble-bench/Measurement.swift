import Glibc

/// Wall and CPU time of repeated runs, reported as medians because single runs on a shared
/// machine are noisy.
struct Measurement {
    var wallSeconds: [Double] = []
    var cpuSeconds: [Double] = []

    mutating func time(_ body: () throws -> Void) rethrows {
        let wallStart = Self.monotonicSeconds()
        let cpuStart = Self.processCPUSeconds()
        try body()
        wallSeconds.append(Self.monotonicSeconds() - wallStart)
        cpuSeconds.append(Self.processCPUSeconds() - cpuStart)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Peak resident set size of this process, in MiB (Linux reports ru_maxrss in KiB).
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

func milliseconds(_ seconds: Double) -> String {
    let tenths = Int((seconds * 10_000).rounded())
    return "\(tenths / 10).\(tenths % 10) ms"
}
