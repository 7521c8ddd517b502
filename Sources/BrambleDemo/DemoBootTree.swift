import BrambleWire
import Foundation

/// The demo hub's files in its temporary directory: `bramble.conf`, the node map and a
/// `pxe/boot` tree of realistic sizes (synthetic bytes), all world-readable because
/// `bramble serve` reads them again after dropping to an unprivileged user.
struct DemoBootTree {
    /// The sizes of a Raspberry Pi OS boot partition's files, as the Pis read them (32-bit
    /// kernels up to the Pi 4; the Pi 5's kernel_2712.img, which it always runs 64-bit).
    static let files: [(name: String, size: Int)] = [
        ("bootcode.bin", 52 * 1024),
        ("start.elf", 2900 * 1024),
        ("fixup.dat", 7 * 1024),
        ("start4.elf", 2200 * 1024),
        ("fixup4.dat", 5 * 1024),
        ("kernel7.img", 6 * 1024 * 1024),
        ("kernel7l.img", 6 * 1024 * 1024),
        ("kernel_2712.img", 9 * 1024 * 1024),
        ("bcm2710-rpi-3-b.dtb", 25 * 1024),
        ("bcm2710-rpi-3-b-plus.dtb", 25 * 1024),
        ("bcm2711-rpi-4-b.dtb", 25 * 1024),
        ("bcm2711-rpi-cm4.dtb", 25 * 1024),
        ("bcm2712-rpi-5-b.dtb", 77 * 1024),
        ("bcm2712-rpi-cm5-cm5io.dtb", 77 * 1024),
    ]

    /// The files a model reads (docs/raspberry-pi-netboot.md, "What each model reads"): only
    /// these are written, so a module without Pi 5s serves exactly what it did before.
    static func fileNames(for model: DemoBay.Model) -> Set<String> {
        switch model {
        case .pi3B: ["bootcode.bin", "start.elf", "fixup.dat", "kernel7.img", "bcm2710-rpi-3-b.dtb"]
        case .pi3BPlus: ["bootcode.bin", "start.elf", "fixup.dat", "kernel7.img", "bcm2710-rpi-3-b-plus.dtb"]
        case .pi4B: ["start4.elf", "fixup4.dat", "kernel7l.img", "bcm2711-rpi-4-b.dtb"]
        case .cm4: ["start4.elf", "fixup4.dat", "kernel7l.img", "bcm2711-rpi-cm4.dtb"]
        case .pi5B: ["kernel_2712.img", "bcm2712-rpi-5-b.dtb"]
        case .cm5: ["kernel_2712.img", "bcm2712-rpi-cm5-cm5io.dtb"]
        }
    }

    /// 32-bit kernels: kernel7.img on the Pi 3, kernel7l.img on the Pi 4 (no `arm_64bit`);
    /// the Pi 5 reads kernel_2712.img whatever `arm_64bit` says.
    static let configTxt = """
        # config.txt of the bramble demo: 32-bit kernels, serial console, no splash.
        [all]
        enable_uart=1
        disable_splash=1

        """

    static let cmdlineTxt = "console=serial0,115200 console=tty1 root=/dev/nfs nfsroot=10.42.0.250:/pxe/root,vers=3 rw ip=dhcp rootwait\n"

    let directory: URL

    var configPath: String { directory.appendingPathComponent("bramble.conf").path }
    var bootPath: String { directory.appendingPathComponent("pxe/boot").path }
    var serveLogPath: String { directory.appendingPathComponent("serve.log").path }
    /// The daemon's control socket: `state-dir = state` in the config it writes.
    var controlSocketPath: String { directory.appendingPathComponent("state/control.sock").path }
    func simulatorLogPath(_ bay: DemoBay) -> String { directory.appendingPathComponent("pis/\(bay.name).jsonl").path }

    /// Writes the config, the node map for `bays` and the boot tree.
    func write(bays: [DemoBay]) throws {
        let manager = FileManager.default
        for sub in ["pxe/boot", "pxe/root", "pis"] {
            try manager.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true,
                                        attributes: [.posixPermissions: 0o755])
        }
        // The upstream is an address nobody holds inside the namespaces: the demo's nodes ask
        // only cluster names, and the hub must never forward to a real resolver.
        let config = """
            # bramble demo hub (generated)
            interface = eth0
            address = 10.42.0.250/24
            nodes = nodes
            pxe = pxe
            state-dir = state
            upstream = 10.42.0.253
            log-level = info

            """
        try write(config, to: "bramble.conf")
        var nodes = "# bramble demo node map (generated; the bays of etc/nodes)\n"
        for bay in bays { nodes += "\(bay.id)  \(bay.mac)    # \(bay.model.label)\n" }
        try write(nodes, to: "nodes")
        try write(Self.configTxt, to: "pxe/boot/config.txt")
        try write(Self.cmdlineTxt, to: "pxe/boot/cmdline.txt")
        var generator = SplitMix64(seed: UInt64(truncatingIfNeeded: getpid()))
        let needed = Set(bays.flatMap { Self.fileNames(for: $0.model) })
        for file in Self.files where needed.contains(file.name) {
            try write(Data(generator.bytes(file.size)), to: "pxe/boot/\(file.name)")
        }
    }

    private func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    private func write(_ data: Data, to path: String) throws {
        let url = directory.appendingPathComponent(path)
        try data.write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
    }
}
