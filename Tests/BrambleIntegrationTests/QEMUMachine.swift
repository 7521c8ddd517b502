import BrambleLab
import Foundation

/// A QEMU x86-64 machine that network-boots from a lab's bridge: its NIC's option ROM is
/// Debian's iPXE (ipxe-qemu), its serial console goes to a file the test reads.
///
/// The machine has no disk and ends by itself: `-boot reboot-timeout=0` makes SeaBIOS reboot
/// as soon as every boot device failed (iPXE's script returned), and `-no-reboot` turns that
/// reboot into QEMU's exit. A time limit bounds it anyway.
struct QEMUMachine {
    let lab: NetworkLab
    let tap: String
    let mac: String
    let accelerator: QEMUAccelerator

    struct Boot {
        /// The serial console, with carriage returns and iPXE's backspaced countdowns removed.
        let console: String
        let seconds: Double
        /// False when the time limit stopped the machine.
        let exited: Bool
    }

    /// The NIC: e1000, whose ROM QEMU finds as efi-e1000.rom in /usr/lib/ipxe/qemu.
    static let romFile = "/usr/lib/ipxe/qemu/efi-e1000.rom"

    var arguments: [String] {
        [
            "qemu-system-x86_64", "-accel", accelerator.rawValue, "-m", "128",
            "-machine", "graphics=off", "-display", "none", "-monitor", "none", "-serial", "file:SERIAL",
            "-no-reboot", "-boot", "order=n,reboot-timeout=0",
            "-netdev", "tap,id=net0,ifname=\(tap),script=no,downscript=no",
            "-device", "e1000,netdev=net0,mac=\(mac),romfile=\(Self.romFile)",
        ]
    }

    /// Powers the machine on in the switch namespace and waits for it to exit.
    func boot(serial: URL, output: URL) throws -> Boot {
        let limit = accelerator.timeLimit
        let command = ["timeout", "-s", "KILL", String(Int(limit))] + arguments.map { $0 == "file:SERIAL" ? "file:\(serial.path)" : $0 }
        let started = Date()
        let process = try lab.start(in: lab.switchNamespace, command, output: output.path)
        while process.isRunning && Date().timeIntervalSince(started) < limit + 5 { usleep(50_000) }
        let seconds = Date().timeIntervalSince(started)
        let exited = !process.isRunning && process.terminationStatus == 0
        let raw = (try? Data(contentsOf: serial)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return Boot(console: Self.readable(raw), seconds: seconds, exited: exited)
    }

    /// Drops the carriage returns and the backspaces of iPXE's "Press Ctrl-B" countdown.
    static func readable(_ console: String) -> String {
        String(console.unicodeScalars.filter { $0 != "\r" && $0 != "\u{8}" }.map(Character.init))
    }
}
