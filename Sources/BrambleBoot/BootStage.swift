/// Where a node is in its network boot, in the order a Pi goes through them.
public enum BootStage: Int, Comparable, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// Powered on (or never seen): nothing heard yet.
    case waiting
    /// Its boot ROM (or the Pi 4 bootloader) asked for an address.
    case romDHCP
    /// It was given one.
    case addressed
    /// It read its first boot file: bootcode.bin, or the Pi 4 bootloader's first read.
    case firmware
    /// The GPU firmware loads: start*.elf, fixup*.dat.
    case loader
    /// A kernel image was read.
    case kernel
    /// The kernel's own DHCP (ip=dhcp), no PXE class.
    case kernelDHCP
    /// The OS runs: its DHCP client asked again, or it sent its first DNS query.
    case up

    public static func < (lhs: BootStage, rhs: BootStage) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .waiting: "waiting"
        case .romDHCP: "rom-dhcp"
        case .addressed: "addressed"
        case .firmware: "firmware"
        case .loader: "loader"
        case .kernel: "kernel"
        case .kernelDHCP: "kernel-dhcp"
        case .up: "up"
        }
    }

    /// The stage a boot file's name reveals, or nil for files any stage reads (config.txt,
    /// cmdline.txt, overlays): Pi file names are stable across models (docs/raspberry-pi-netboot.md).
    static func revealed(byFile path: String) -> BootStage? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name == "bootcode.bin" { return .firmware }
        if name.hasPrefix("start") && name.hasSuffix(".elf") || name.hasPrefix("fixup") && name.hasSuffix(".dat") { return .loader }
        if name.hasPrefix("kernel") && name.hasSuffix(".img") { return .kernel }
        return nil
    }
}
