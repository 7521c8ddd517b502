/// Says once that a running TFTP transfer has passed a time limit: at half of the Pi 4/5
/// bootloader's `TFTP_FILE_TIMEOUT` (``BootloaderFileTimeout``), while the file can still
/// arrive, so the boot log warns before the bootloader gives up rather than only after.
/// Times are monotonic nanoseconds, passed in, so tests drive the clock.
struct SlowTransferWatch {
    let started: UInt64
    let thresholdMilliseconds: Int
    private(set) var warned = false

    init(started: UInt64, thresholdMilliseconds: Int) {
        self.started = started
        self.thresholdMilliseconds = thresholdMilliseconds
    }

    /// The milliseconds since the start the first time they exceed the threshold; nil before
    /// that and every time after.
    mutating func check(now: UInt64) -> Int? {
        guard !warned, now > started else { return nil }
        let elapsed = Int((now - started) / 1_000_000)
        guard elapsed > thresholdMilliseconds else { return nil }
        warned = true
        return elapsed
    }
}
