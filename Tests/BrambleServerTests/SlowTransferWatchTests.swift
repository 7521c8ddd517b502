import BrambleBoot
@testable import BrambleServer
import Testing

/// The running-transfer warning, on a fake monotonic clock (nanoseconds).
@Suite struct SlowTransferWatchTests {
    static let start: UInt64 = 7_000_000_000_000
    static func after(_ milliseconds: UInt64) -> UInt64 { start + milliseconds * 1_000_000 }

    @Test func warnsOnceWhenPastHalfTheBootloadersFileTimeout() {
        var watch = SlowTransferWatch(started: Self.start, thresholdMilliseconds: BootloaderFileTimeout.warningMilliseconds)
        #expect(BootloaderFileTimeout.warningMilliseconds == 15_000)
        #expect(watch.check(now: Self.after(0)) == nil)
        #expect(watch.check(now: Self.after(14_999)) == nil)
        #expect(watch.check(now: Self.after(15_000)) == nil, "exactly half is not over it")
        #expect(watch.check(now: Self.after(15_001)) == 15_001)
        #expect(watch.check(now: Self.after(20_000)) == nil, "once per transfer")
        #expect(watch.warned)
        var early = SlowTransferWatch(started: Self.start, thresholdMilliseconds: 15_000)
        #expect(early.check(now: Self.start - 1) == nil, "a clock before the start says nothing")
    }

    @Test func theBootLogLineNamesTheEEPROMSetting() {
        #expect(BootEvent.Kind.transferSlow(file: "initramfs8", milliseconds: 15_001).description
            == "TFTP initramfs8 still being sent after 15.001s: a Pi 4/5 bootloader gives up on a file after 30 s by default (EEPROM setting TFTP_FILE_TIMEOUT)")
        var timeline = NodeBootTimeline()
        #expect(timeline.apply(BootEvent(time: 1, kind: .transferSlow(file: "initramfs8", milliseconds: 15_001))) == nil, "a warning, not a failure")
    }
}
