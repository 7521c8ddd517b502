/// The Pi 4/5 EEPROM bootloader's limit on one TFTP file: `TFTP_FILE_TIMEOUT`, 30000 ms by
/// default (raspberrypi/documentation `eeprom-bootloader.adoc`). A file still arriving when
/// it passes is abandoned ("Early terminate") and the boot fails, typically on a large
/// initramfs from a busy hub (tinkerbell/tinkerbell docs/technical/RASPBERRY_PI5.md:
/// "TFTP_FILE_TIMEOUT ... defaults to 30000"). A transfer that took more than half of that
/// is a warning: the same file on a busier day, or a bit bigger, fails.
public enum BootloaderFileTimeout {
    /// The default limit, in milliseconds.
    public static let defaultMilliseconds = 30_000
    /// The EEPROM setting that raises it.
    public static let setting = "TFTP_FILE_TIMEOUT"

    /// Whether a transfer of `milliseconds` to a client whose option 97 named this bootloader
    /// generation deserves the warning. Only the EEPROM bootloader (generation 4 and later)
    /// has the limit; the Pi 3 ROM and bootcode.bin retry per packet.
    public static func isCloseToTheLimit(milliseconds: Int, bootloaderGeneration: Int?) -> Bool {
        guard let generation = bootloaderGeneration, generation >= 4 else { return false }
        return milliseconds > defaultMilliseconds / 2
    }
}
