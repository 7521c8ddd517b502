import BrambleCommands
import BrambleWire

/// Boot trees as listings, the way the scanner would report them.
enum BootTreeFixtures {
    static let hub = IPv4Address(10, 42, 0, 250)
    static let goodCmdline =
        "console=serial0,115200 console=tty1 root=/dev/nfs nfsroot=10.42.0.250:/pxe/root,vers=3 rw ip=dhcp rootwait\n"

    static let common: [String: UInt64] = ["config.txt": 600, "cmdline.txt": 110, "kernel8.img": 9_000_000]
    static let pi3Only: [String: UInt64] = [
        "bootcode.bin": 52_000, "start.elf": 2_900_000, "fixup.dat": 7_300,
        "bcm2710-rpi-3-b.dtb": 32_000, "bcm2710-rpi-3-b-plus.dtb": 33_000,
    ]
    static let pi4Only: [String: UInt64] = ["start4.elf": 2_200_000, "fixup4.dat": 5_400, "bcm2711-rpi-4-b.dtb": 54_000]
    static let cm4Only: [String: UInt64] = ["start4.elf": 2_200_000, "fixup4.dat": 5_400, "bcm2711-rpi-cm4.dtb": 55_000]
    static let pi5Only: [String: UInt64] = ["bcm2712-rpi-5-b.dtb": 78_000, "bcm2712d0-rpi-5-b.dtb": 78_000]
    static let cm5Only: [String: UInt64] = ["bcm2712-rpi-cm5-cm5io.dtb": 79_000, "bcm2712-rpi-cm5l-cm5io.dtb": 79_000]
    /// Every model's files: a tree every model boots from.
    static let everyModel = [pi3Only, pi4Only, cm4Only, pi5Only, cm5Only].reduce(common) { $0.merging($1) { $1 } }

    static func listing(_ parts: [String: UInt64]..., overlays: Bool = true) -> BootTreeListing {
        var files: [String: UInt64] = [:]
        for part in parts { files.merge(part) { $1 } }
        if overlays { files["overlays/disable-bt.dtbo"] = 1_100 }
        return BootTreeListing(files: files, directories: overlays ? ["overlays"] : [])
    }

    static func report(
        _ listing: BootTreeListing, cmdline: String? = goodCmdline, config: String? = "arm_64bit=1\n"
    ) -> BootTreeReport {
        BootTreeReport(
            bootDirectory: "/pxe/boot", listing: listing, cmdlineText: cmdline, configText: config,
            hubAddress: hub, nfsRootDirectory: "/pxe/root")
    }
}
