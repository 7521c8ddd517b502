import BrambleBoot
import Testing

/// The warning for transfers that took more than half of the Pi 4/5 bootloader's default
/// per-file limit (TFTP_FILE_TIMEOUT, 30 s).
@Suite struct BootloaderFileTimeoutTests {
    @Test(arguments: [
        (15_001, 4, true), (29_999, 5, true), (15_000, 5, false), (900, 5, false),
        (20_000, nil, false), (40_000, nil, false),
    ] as [(Int, Int?, Bool)])
    func onlyTheEEPROMBootloaderAndOnlyPastHalfTheLimit(milliseconds: Int, generation: Int?, warned: Bool) {
        #expect(BootloaderFileTimeout.isCloseToTheLimit(milliseconds: milliseconds, bootloaderGeneration: generation) == warned)
    }

    @Test func theWarningNamesTheSettingAndIsNoFailure() {
        let kind = BootEvent.Kind.transferNearFileTimeout(file: "9ffefdef/initramfs8", milliseconds: 17_349)
        #expect(kind.description == "TFTP 9ffefdef/initramfs8 took 17.3 s, more than half of the bootloader's default 30 s per file: "
                + "raise TFTP_FILE_TIMEOUT in its EEPROM config (rpi-eeprom-config --edit) before a bigger file or a busier hub fails the boot")
        var timeline = NodeBootTimeline()
        timeline.apply(BootEvent(time: 1_000, kind: .dhcp(.init(message: .discover, answer: .offer, firmware: true, transactionID: 1))))
        let stage = timeline.stage
        #expect(timeline.apply(BootEvent(time: 20_000, kind: kind)) == nil)
        #expect(timeline.stage == stage && timeline.lastError == nil && timeline.failures.isEmpty)
    }
}
