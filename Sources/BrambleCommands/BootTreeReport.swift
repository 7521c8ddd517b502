import BrambleWire

/// One file (or directory, written with a trailing `/`) a model's firmware fetches.
public struct BootFileCheck: Hashable, Sendable {
    /// What the file is for, in the report's words ("GPU firmware", "device tree for the 3B+").
    public let purpose: String
    /// The names the firmware accepts, in the order it tries them.
    public let candidates: [String]
    /// The candidate present in the boot tree, if any.
    public let found: String?
    /// True when `candidates` is the single file config.txt's `kernel=` names.
    public let namedByConfigTxt: Bool

    public var isPresent: Bool { found != nil }
}

/// Whether one model can boot from the tree, with every file it needs.
public struct ModelBootReadiness: Hashable, Sendable {
    public let model: PiModel
    public let files: [BootFileCheck]
    /// Every file is present and cmdline.txt would mount the root from the hub.
    public let canBoot: Bool

    public var missing: [BootFileCheck] { files.filter { !$0.isPresent } }
}

/// Something that does not stop a boot today but will bite on some boards.
public enum BootTreeWarning: Hashable, Sendable {
    /// A Pi 4 ignores a config.txt over `BootTreeReport.configTxtLimit` bytes (docs/raspberry-pi-netboot.md).
    case configTxtTooLargeForPi4(size: UInt64)
    /// More TFTP blocks of 1468 bytes than a 16-bit block number counts: Pi 5 EEPROMs before
    /// pieeprom-2025-09-23 cannot wrap the block number, and the transfer fails (rpi-eeprom#720).
    case tooManyBlocksForOlderPi5(path: String, size: UInt64)
}

/// What `bramble check` says about `<pxe>/boot`: for each model bramble serves, which files are
/// present and missing and whether it can boot; whether cmdline.txt mounts the root from the
/// hub; and warnings. Built from a listing and two files' text, so it is pure and testable;
/// `BootTreeInspection` gathers those from disk, `BootTreeReportText` renders the result.
public struct BootTreeReport: Hashable, Sendable {
    public static let configTxtLimit: UInt64 = 4096
    /// 65535 blocks of 1468 bytes: the largest file an older Pi 5 EEPROM fetches whole.
    public static let largestFileForOlderPi5: UInt64 = 65535 * 1468

    public let bootDirectory: String
    public let hubAddress: IPv4Address
    public let models: [ModelBootReadiness]
    /// The cmdline.txt verdicts; nil when the file is absent or could not be read.
    public let cmdline: CmdlineCheck?
    public let warnings: [BootTreeWarning]
    /// What the scan could not see; a missing boot directory shows up here.
    public let scanProblems: [BootTreeScanProblem]

    /// - Parameters:
    ///   - listing: the files under `bootDirectory`.
    ///   - cmdlineText: `cmdline.txt`'s contents, nil when absent or unreadable.
    ///   - configText: `config.txt`'s contents, nil when absent or unreadable.
    ///   - nfsRootDirectory: the NFS export to suggest when cmdline.txt names none (`<pxe>/root`).
    public init(
        bootDirectory: String,
        listing: BootTreeListing,
        cmdlineText: String?,
        configText: String?,
        hubAddress: IPv4Address,
        nfsRootDirectory: String
    ) {
        self.bootDirectory = bootDirectory
        self.hubAddress = hubAddress
        scanProblems = listing.problems
        let cmdline = cmdlineText.map { CmdlineCheck(text: $0, hub: hubAddress, nfsRootDirectory: nfsRootDirectory) }
        self.cmdline = cmdline
        let configTxt = BootTreeConfigTxt(configText ?? "")
        models = PiModel.allCases.map { model in
            let files = Self.requirements(for: model, kernelOverride: configTxt.kernelOverrides[model]).map { requirement in
                BootFileCheck(
                    purpose: requirement.purpose,
                    candidates: requirement.candidates,
                    found: requirement.candidates.first { Self.isPresent($0, in: listing) },
                    namedByConfigTxt: requirement.namedByConfigTxt)
            }
            let canBoot = files.allSatisfy(\.isPresent) && cmdline?.isUsable == true
            return ModelBootReadiness(model: model, files: files, canBoot: canBoot)
        }
        var warnings: [BootTreeWarning] = []
        if let size = listing.files["config.txt"], size > Self.configTxtLimit {
            warnings.append(.configTxtTooLargeForPi4(size: size))
        }
        for (path, size) in listing.files.sorted(by: { $0.key < $1.key }) where size > Self.largestFileForOlderPi5 {
            warnings.append(.tooManyBlocksForOlderPi5(path: path, size: size))
        }
        self.warnings = warnings
    }

    public func readiness(for model: PiModel) -> ModelBootReadiness {
        models.first { $0.model == model }!
    }

    private struct Requirement {
        let purpose: String
        let candidates: [String]
        var namedByConfigTxt = false
    }

    /// The files each model's firmware fetches from the boot directory's root (docs/raspberry-pi-netboot.md).
    private static func requirements(for model: PiModel, kernelOverride: String?) -> [Requirement] {
        let kernel = kernelOverride.map {
            Requirement(purpose: "kernel", candidates: [String($0.drop { $0 == "/" })], namedByConfigTxt: true)
        }
        switch model {
        case .pi3:
            return [
                Requirement(purpose: "second-stage boot loader", candidates: ["bootcode.bin"]),
                Requirement(purpose: "GPU firmware", candidates: ["start.elf"]),
                Requirement(purpose: "GPU firmware memory layout", candidates: ["fixup.dat"]),
                Requirement(purpose: "firmware settings", candidates: ["config.txt"]),
                Requirement(purpose: "kernel command line", candidates: ["cmdline.txt"]),
                kernel ?? Requirement(purpose: "kernel", candidates: ["kernel8.img", "kernel7.img", "kernel.img"]),
                Requirement(purpose: "device tree for the 3B", candidates: ["bcm2710-rpi-3-b.dtb"]),
                Requirement(purpose: "device tree for the 3B+", candidates: ["bcm2710-rpi-3-b-plus.dtb"]),
                Requirement(purpose: "device-tree overlays", candidates: ["overlays/"]),
            ]
        case .pi4, .cm4:
            let deviceTree = model == .pi4
                ? Requirement(purpose: "device tree for the 4B", candidates: ["bcm2711-rpi-4-b.dtb"])
                : Requirement(purpose: "device tree for the CM4", candidates: ["bcm2711-rpi-cm4.dtb"])
            return [
                Requirement(purpose: "GPU firmware", candidates: ["start4.elf"]),
                Requirement(purpose: "GPU firmware memory layout", candidates: ["fixup4.dat"]),
                Requirement(purpose: "firmware settings", candidates: ["config.txt"]),
                Requirement(purpose: "kernel command line", candidates: ["cmdline.txt"]),
                kernel ?? Requirement(purpose: "kernel", candidates: ["kernel8.img", "kernel7l.img"]),
                deviceTree,
                Requirement(purpose: "device-tree overlays", candidates: ["overlays/"]),
            ]
        case .pi5, .cm5:
            // No start*.elf: the bootloader carries the firmware. It reads kernel_2712.img,
            // then kernel8.img (tinkerbell/tinkerbell smee/internal/ipxe/binary/route_rpi.go).
            var files = [
                Requirement(purpose: "firmware settings", candidates: ["config.txt"]),
                Requirement(purpose: "kernel command line", candidates: ["cmdline.txt"]),
                kernel ?? Requirement(purpose: "kernel", candidates: ["kernel_2712.img", "kernel8.img"]),
            ]
            if model == .pi5 {
                files.append(Requirement(purpose: "device tree for the 5B", candidates: ["bcm2712-rpi-5-b.dtb"]))
                // D0-stepping boards (the 2GB and 16GB, later the others) boot the same device
                // tree with the bcm2712d0 overlay applied by the firmware (raspberrypi/firmware
                // #2018; a 16GB Pi 5's boot log in NumberOneGit/rpi5-uefi#8), or a D0 tree.
                files.append(Requirement(purpose: "device tree for D0-stepping 5Bs", candidates: ["overlays/bcm2712d0.dtbo", "bcm2712d0-rpi-5-b.dtb"]))
            } else {
                files.append(Requirement(purpose: "device tree for the CM5 on its IO board", candidates: ["bcm2712-rpi-cm5-cm5io.dtb"]))
                files.append(Requirement(purpose: "device tree for the CM5 Lite on its IO board", candidates: ["bcm2712-rpi-cm5l-cm5io.dtb"]))
            }
            files.append(Requirement(purpose: "device-tree overlays", candidates: ["overlays/"]))
            return files
        }
    }

    private static func isPresent(_ candidate: String, in listing: BootTreeListing) -> Bool {
        candidate.hasSuffix("/")
            ? listing.directories.contains(String(candidate.dropLast()))
            : listing.files[candidate] != nil
    }
}
