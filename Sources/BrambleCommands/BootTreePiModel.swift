/// The Raspberry Pi boards bramble network-boots, grouped by the files their firmware reads
/// (docs/raspberry-pi-netboot.md): the Pi 3B and 3B+ boot from the ROM through bootcode.bin, the Pi 4B from
/// its EEPROM bootloader. Pi Zero W bays boot from SD cards and are not served.
public enum PiModel: String, CaseIterable, Hashable, Sendable {
    case pi3 = "Pi 3"
    case pi4 = "Pi 4"
}
