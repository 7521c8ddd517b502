/// The Pi 4/5 bootloader's limit on one TFTP file: it gives up on a file that has not
/// arrived within `TFTP_FILE_TIMEOUT` milliseconds, 30,000 by default (raspberrypi/
/// documentation, `eeprom-bootloader.adoc`, `TFTP_FILE_TIMEOUT`), and the boot fails or
/// loops. A transfer that took more than half of that is a warning in the boot log: the
/// next, slightly slower boot (a busier link, a larger initramfs) crosses it.
public enum BootloaderFileTimeout {
    public static let defaultMilliseconds = 30_000
    /// Transfers taking longer than this are flagged.
    public static let warningMilliseconds = defaultMilliseconds / 2

    /// The warning for a transfer of this many milliseconds, or nil when it was fast enough.
    public static func warning(milliseconds: Int) -> String? {
        guard milliseconds > warningMilliseconds else { return nil }
        return "slow: over half of the \(defaultMilliseconds / 1000) s a Pi 4/5 bootloader waits for a file by default (EEPROM setting TFTP_FILE_TIMEOUT)"
    }
}
