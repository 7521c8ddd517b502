/// The Raspberry Pi boards bramble network-boots, grouped by the files their firmware reads
/// (docs/raspberry-pi-netboot.md, "What each model reads"): the Pi 3B and 3B+ boot from the
/// ROM through bootcode.bin; the Pi 4B and the CM4 from the EEPROM bootloader, with
/// start4.elf and their own device trees; the Pi 5 and the CM5 from the EEPROM bootloader
/// that carries its firmware, so they read no start*.elf. Pi Zero W bays boot from SD cards
/// and are not served.
public enum PiModel: String, CaseIterable, Hashable, Sendable {
    case pi3 = "Pi 3"
    case pi4 = "Pi 4"
    case cm4 = "CM4"
    case pi5 = "Pi 5"
    case cm5 = "CM5"
}
