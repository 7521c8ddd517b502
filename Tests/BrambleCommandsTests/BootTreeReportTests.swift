import BrambleCommands
import BrambleWire
import Testing

@Suite struct BootTreeReportTests {
    typealias F = BootTreeFixtures

    @Test func aCompletePi3TreeBootsPi3sOnly() {
        let report = F.report(F.listing(F.common, F.pi3Only))
        let pi3 = report.readiness(for: .pi3)
        #expect(pi3.canBoot)
        #expect(pi3.missing.isEmpty)
        #expect(pi3.files.first { $0.purpose == "kernel" }?.found == "kernel8.img")
        let pi4 = report.readiness(for: .pi4)
        #expect(!pi4.canBoot)
        #expect(pi4.missing.flatMap(\.candidates) == ["start4.elf", "fixup4.dat", "bcm2711-rpi-4-b.dtb"])
        #expect(report.warnings.isEmpty)
        #expect(report.cmdline?.isUsable == true)
    }

    @Test func aCompletePi4TreeBootsPi4sOnly() {
        let report = F.report(F.listing(F.common, F.pi4Only))
        #expect(report.readiness(for: .pi4).canBoot)
        #expect(!report.readiness(for: .pi3).canBoot)
        #expect(report.readiness(for: .pi3).missing.map(\.candidates.first) == [
            "bootcode.bin", "start.elf", "fixup.dat", "bcm2710-rpi-3-b.dtb", "bcm2710-rpi-3-b-plus.dtb",
        ])
    }

    @Test func kernelAlternativesAreAcceptedPerModel() {
        var files = F.common
        files["kernel8.img"] = nil
        files["kernel7.img"] = 6_000_000
        let report = F.report(F.listing(files, F.pi3Only, F.pi4Only))
        #expect(report.readiness(for: .pi3).canBoot)
        #expect(!report.readiness(for: .pi4).canBoot)
        #expect(report.readiness(for: .pi4).missing.map(\.candidates) == [["kernel8.img", "kernel7l.img"]])
    }

    @Test func overlaysDirectoryIsRequired() {
        let report = F.report(F.listing(F.everyModel, overlays: false))
        #expect(report.models.allSatisfy { $0.missing.map(\.candidates) == [["overlays/"]] })
    }

    @Test func anEmptyTreeMissesEverything() {
        let listing = BootTreeListing(problems: [.bootDirectoryMissing(path: "/pxe/boot")])
        let report = F.report(listing, cmdline: nil, config: nil)
        #expect(report.models.allSatisfy { !$0.canBoot && $0.files.allSatisfy { !$0.isPresent } })
        #expect(report.readiness(for: .pi3).missing.count == 9)
        #expect(report.readiness(for: .pi4).missing.count == 7)
        #expect(report.readiness(for: .cm4).missing.count == 7)
        #expect(report.readiness(for: .pi5).missing.count == 6)
        #expect(report.readiness(for: .cm5).missing.count == 6)
        #expect(report.cmdline == nil)
        #expect(report.scanProblems == [.bootDirectoryMissing(path: "/pxe/boot")])
        let text = BootTreeReportText.render(report)
        #expect(text.contains("✗ /pxe/boot does not exist"))
        #expect(text.contains("cmdline.txt: not checked (missing or unreadable)"))
        #expect(text.contains("Pi 4: cannot boot, missing start4.elf, fixup4.dat, config.txt, cmdline.txt, kernel8.img or kernel7l.img, bcm2711-rpi-4-b.dtb, overlays/"))
        #expect(text.contains("Pi 5: cannot boot, missing config.txt, cmdline.txt, kernel_2712.img or kernel8.img, bcm2712-rpi-5-b.dtb, overlays/bcm2712d0.dtbo or bcm2712d0-rpi-5-b.dtb, overlays/"))
    }

    @Test func aWrongNFSServerIsReportedWithTheLineToWrite() throws {
        let cmdline = "console=tty1 root=/dev/nfs nfsroot=10.42.0.1:/srv/root,vers=3,tcp rw ip=dhcp rootwait"
        let report = F.report(F.listing(F.common, F.pi3Only, F.pi4Only), cmdline: cmdline)
        let check = try #require(report.cmdline)
        #expect(!check.isUsable)
        #expect(check.findings.filter { !$0.isOK }.map(\.explanation) == [
            "nfsroot=10.42.0.1:/srv/root,vers=3,tcp mounts from 10.42.0.1, but the hub is 10.42.0.250: write nfsroot=10.42.0.250:/srv/root,vers=3,tcp",
        ])
        #expect(check.suggestedLine == "console=tty1 root=/dev/nfs nfsroot=10.42.0.250:/srv/root,vers=3,tcp rw ip=dhcp rootwait")
        #expect(report.models.allSatisfy { !$0.canBoot })
        #expect(BootTreeReportText.render(report).contains("Pi 3: cannot boot: cmdline.txt needs fixing (below)"))
    }

    @Test func nfsrootWithoutAServerComesFromDHCP() throws {
        let report = F.report(F.listing(F.common, F.pi3Only), cmdline: "root=/dev/nfs nfsroot=/pxe/root,vers=3 ip=dhcp")
        #expect(try #require(report.cmdline).isUsable)
        #expect(report.readiness(for: .pi3).canBoot)
    }

    @Test(arguments: [
        ("root=/dev/mmcblk0p2 rootwait", "root=/dev/nfs rootwait nfsroot=10.42.0.250:/pxe/root,vers=3 ip=dhcp",
         ["root=/dev/mmcblk0p2 does not mount the NFS root: write root=/dev/nfs",
          "nfsroot= is missing: write nfsroot=10.42.0.250:/pxe/root,vers=3",
          "ip= is missing, so the kernel has no address to mount its root with: write ip=dhcp"]),
        ("root=/dev/nfs nfsroot=hub:/pxe/root ip=dhcp", "root=/dev/nfs nfsroot=10.42.0.250:/pxe/root ip=dhcp",
         ["nfsroot=hub:/pxe/root names 'hub', but the kernel cannot look up names this early: write nfsroot=10.42.0.250:/pxe/root"]),
        ("root=/dev/nfs nfsroot=10.42.0.250:pxe ip=dhcp", "root=/dev/nfs nfsroot=10.42.0.250:/pxe/root ip=dhcp",
         ["nfsroot=10.42.0.250:pxe has no absolute path to mount: write nfsroot=10.42.0.250:/pxe/root"]),
        ("root=/dev/nfs nfsroot=10.42.0.250:/r ip=10.42.0.5::10.42.0.250:255.255.255.0::eth0:off",
         "root=/dev/nfs nfsroot=10.42.0.250:/r ip=dhcp",
         ["ip=10.42.0.5::10.42.0.250:255.255.255.0::eth0:off does not ask DHCP for the node's address: write ip=dhcp"]),
        ("root=/dev/nfs ip=dhcp\nnfsroot=10.42.0.250:/r", "root=/dev/nfs ip=dhcp nfsroot=10.42.0.250:/r",
         ["cmdline.txt has 2 lines, but the kernel command line must be a single line: join them"]),
    ])
    func cmdlineProblems(cmdline: String, suggestion: String, problems: [String]) throws {
        let check = try #require(F.report(F.listing(F.common), cmdline: cmdline).cmdline)
        #expect(check.findings.filter { !$0.isOK }.map(\.explanation) == problems)
        #expect(check.suggestedLine == suggestion)
    }

    @Test func theLongIPFormWithDHCPAndTheLastRootWinRule() throws {
        let check = try #require(
            F.report(F.listing(F.common), cmdline: "root=/dev/mmcblk0p2 root=/dev/nfs nfsroot=10.42.0.250:/r ip=:::::eth0:dhcp").cmdline)
        #expect(check.isUsable)
        #expect(check.suggestedLine == nil)
    }

    @Test func kernelFromConfigTxtReplacesTheDefaultNames() {
        let tree = F.listing(F.everyModel)
        let named = F.report(tree, config: "arm_64bit=1\nkernel=vmlinuz-6.6\n")
        for readiness in named.models {
            let kernel = readiness.files.first { $0.purpose == "kernel" }
            #expect(kernel?.candidates == ["vmlinuz-6.6"])
            #expect(kernel?.namedByConfigTxt == true)
            #expect(!readiness.canBoot)
        }
        #expect(BootTreeReportText.render(named).contains("✗ vmlinuz-6.6 missing (kernel, named by kernel= in config.txt)"))

        var files = tree.files
        files["vmlinuz-6.6"] = 9_000_000
        let present = F.report(BootTreeListing(files: files, directories: tree.directories), config: "kernel = vmlinuz-6.6\n")
        #expect(present.models.allSatisfy { $0.canBoot })
    }

    @Test func kernelUnderAModelFilterOnlyAppliesToThatModel() {
        let tree = F.listing(F.everyModel)
        let config = "[pi4]\nkernel=kernel-pi4.img\n[all]\n[pi5]\nkernel=kernel_2712.img\n[none]\nkernel=unused.img\n"
        let report = F.report(tree, config: config)
        #expect(report.readiness(for: .pi3).canBoot)
        #expect(report.readiness(for: .pi4).missing.map(\.candidates) == [["kernel-pi4.img"]])
        #expect(report.readiness(for: .cm4).missing.map(\.candidates) == [["kernel-pi4.img"]], "[pi4] is the CM4's too")
        for model in [PiModel.pi5, .cm5] {
            #expect(report.readiness(for: model).missing.map(\.candidates) == [["kernel_2712.img"]], "[pi5]'s kernel=, not [none]'s")
        }

        let byBoardType = F.report(tree, config: "[board-type=0x08]\nkernel=kernel-3b.img\n")
        #expect(byBoardType.readiness(for: .pi3).missing.map(\.candidates) == [["kernel-3b.img"]])
        #expect(byBoardType.readiness(for: .pi4).canBoot)
        #expect(byBoardType.readiness(for: .cm4).canBoot && byBoardType.readiness(for: .pi5).canBoot)

        let serialFilter = F.report(tree, config: "[0x12345678]\nkernel=special.img\n")
        #expect(serialFilter.models.allSatisfy { $0.missing.map(\.candidates) == [["special.img"]] })
    }

    /// A Pi 5 tree holds no start*.elf; the Pi 5 takes kernel_2712.img before kernel8.img,
    /// and a D0 board needs the bcm2712d0 overlay or its own device tree.
    @Test func aPi5TreeNeedsNoGPUFirmware() {
        let report = F.report(F.listing(F.common, F.pi5Only))
        let pi5 = report.readiness(for: .pi5)
        #expect(pi5.canBoot)
        #expect(!pi5.files.contains { $0.candidates.contains { $0.hasPrefix("start") || $0.hasPrefix("fixup") } })
        #expect(pi5.files.first { $0.purpose == "kernel" }?.found == "kernel8.img")
        #expect(!report.readiness(for: .pi4).canBoot && !report.readiness(for: .pi3).canBoot)
        #expect(report.readiness(for: .cm5).missing.flatMap(\.candidates) == ["bcm2712-rpi-cm5-cm5io.dtb", "bcm2712-rpi-cm5l-cm5io.dtb"])

        var files = F.common.merging(F.pi5Only) { $1 }
        files["kernel_2712.img"] = 9_400_000
        #expect(F.report(F.listing(files)).readiness(for: .pi5).files.first { $0.purpose == "kernel" }?.found == "kernel_2712.img")

        files["bcm2712d0-rpi-5-b.dtb"] = nil
        let withoutD0 = F.report(F.listing(files))
        #expect(withoutD0.readiness(for: .pi5).missing.map(\.candidates) == [["overlays/bcm2712d0.dtbo", "bcm2712d0-rpi-5-b.dtb"]])
        #expect(BootTreeReportText.render(withoutD0).contains(
            "Pi 5: cannot boot, missing overlays/bcm2712d0.dtbo or bcm2712d0-rpi-5-b.dtb"))
        #expect(BootTreeReportText.render(withoutD0).contains(
            "✗ device tree for D0-stepping 5Bs missing: none of overlays/bcm2712d0.dtbo, bcm2712d0-rpi-5-b.dtb"))
        files["overlays/bcm2712d0.dtbo"] = 1_400
        #expect(F.report(F.listing(files)).readiness(for: .pi5).canBoot, "the firmware's overlay is enough")

        files["kernel8.img"] = nil
        files["kernel_2712.img"] = nil
        let noKernel = F.report(F.listing(files))
        #expect(noKernel.readiness(for: .pi5).missing.map(\.candidates) == [["kernel_2712.img", "kernel8.img"]])
    }

    @Test func theCM4AndCM5NeedTheirOwnDeviceTrees() {
        let pi4Tree = F.report(F.listing(F.common, F.pi4Only))
        #expect(pi4Tree.readiness(for: .pi4).canBoot)
        #expect(pi4Tree.readiness(for: .cm4).missing.map(\.candidates) == [["bcm2711-rpi-cm4.dtb"]])
        #expect(BootTreeReportText.render(pi4Tree).contains("CM4: cannot boot, missing bcm2711-rpi-cm4.dtb\n"))
        let cm4Tree = F.report(F.listing(F.common, F.cm4Only))
        #expect(cm4Tree.readiness(for: .cm4).canBoot && !cm4Tree.readiness(for: .pi4).canBoot)

        let cm5Tree = F.report(F.listing(F.common, F.cm5Only))
        #expect(cm5Tree.readiness(for: .cm5).canBoot)
        #expect(cm5Tree.readiness(for: .pi5).missing.map(\.candidates) == [["bcm2712-rpi-5-b.dtb"], ["overlays/bcm2712d0.dtbo", "bcm2712d0-rpi-5-b.dtb"]])
        let liteMissing = F.report(F.listing(F.common, ["bcm2712-rpi-cm5-cm5io.dtb": 79_000]))
        #expect(BootTreeReportText.render(liteMissing).contains("CM5: cannot boot, missing bcm2712-rpi-cm5l-cm5io.dtb\n"))
    }

    /// `[pi4]` is the Pi 4B's, the Pi 400's and the CM4's; `[cm4]` the CM4's alone; `[pi5]`
    /// the Pi 5's and the CM5's; `[cm5]` the CM5's alone (conditional.adoc).
    @Test(arguments: [
        ("[cm4]\nkernel=k.img\n", [PiModel.cm4]),
        ("[pi4]\nkernel=k.img\n", [.pi4, .cm4]),
        ("[pi5]\nkernel=k.img\n", [.pi5, .cm5]),
        ("[cm5]\nkernel=k.img\n", [.cm5]),
        ("[pi5]\n[cm5]\nkernel=k.img\n[all]\n", [.cm5]),
        ("[board-type=0x17]\nkernel=k.img\n", [.pi5]),
        ("[board-type=0x1a]\nkernel=k.img\n", [.cm5]),
        ("[board-type=0x14]\nkernel=k.img\n", [.cm4]),
        ("[pi500]\nkernel=k.img\n", []),
    ])
    func modelFiltersOfTheNewerBoards(config: String, models: [PiModel]) {
        let report = F.report(F.listing(F.everyModel), config: config)
        let overridden = report.models.filter { $0.files.contains { $0.namedByConfigTxt } }.map(\.model)
        #expect(overridden == models, "\(config)")
    }

    @Test func aConfigTxtOver4KiBIsWarnedAbout() {
        var files = F.common
        files["config.txt"] = 4096
        #expect(F.report(F.listing(files, F.pi4Only)).warnings.isEmpty)
        files["config.txt"] = 5000
        let report = F.report(F.listing(files, F.pi4Only))
        #expect(report.warnings == [.configTxtTooLargeForPi4(size: 5000)])
        #expect(report.readiness(for: .pi4).canBoot)
        #expect(BootTreeReportText.render(report).contains(
            "! config.txt is 5000 bytes: a Pi 4 ignores a config.txt over 4096 bytes; move comments and unused sections out"))
    }

    @Test func filesBeyond65535BlocksAreWarnedAbout() {
        var files = F.common
        files["initramfs8"] = 65535 * 1468
        files["kernel8.img"] = 65535 * 1468 + 1
        #expect(F.report(F.listing(files)).warnings == [.tooManyBlocksForOlderPi5(path: "kernel8.img", size: 96_205_381)])
    }

    @Test func theTextReportForACompleteTree() {
        let report = F.report(F.listing(F.everyModel))
        #expect(BootTreeReportText.render(report) == """
            Boot tree /pxe/boot (hub 10.42.0.250)

            Pi 3: can boot
              ✓ bootcode.bin (second-stage boot loader)
              ✓ start.elf (GPU firmware)
              ✓ fixup.dat (GPU firmware memory layout)
              ✓ config.txt (firmware settings)
              ✓ cmdline.txt (kernel command line)
              ✓ kernel8.img (kernel)
              ✓ bcm2710-rpi-3-b.dtb (device tree for the 3B)
              ✓ bcm2710-rpi-3-b-plus.dtb (device tree for the 3B+)
              ✓ overlays/ (device-tree overlays)

            Pi 4: can boot
              ✓ start4.elf (GPU firmware)
              ✓ fixup4.dat (GPU firmware memory layout)
              ✓ config.txt (firmware settings)
              ✓ cmdline.txt (kernel command line)
              ✓ kernel8.img (kernel)
              ✓ bcm2711-rpi-4-b.dtb (device tree for the 4B)
              ✓ overlays/ (device-tree overlays)

            CM4: can boot
              ✓ start4.elf (GPU firmware)
              ✓ fixup4.dat (GPU firmware memory layout)
              ✓ config.txt (firmware settings)
              ✓ cmdline.txt (kernel command line)
              ✓ kernel8.img (kernel)
              ✓ bcm2711-rpi-cm4.dtb (device tree for the CM4)
              ✓ overlays/ (device-tree overlays)

            Pi 5: can boot
              ✓ config.txt (firmware settings)
              ✓ cmdline.txt (kernel command line)
              ✓ kernel8.img (kernel)
              ✓ bcm2712-rpi-5-b.dtb (device tree for the 5B)
              ✓ bcm2712d0-rpi-5-b.dtb (device tree for D0-stepping 5Bs)
              ✓ overlays/ (device-tree overlays)

            CM5: can boot
              ✓ config.txt (firmware settings)
              ✓ cmdline.txt (kernel command line)
              ✓ kernel8.img (kernel)
              ✓ bcm2712-rpi-cm5-cm5io.dtb (device tree for the CM5 on its IO board)
              ✓ bcm2712-rpi-cm5l-cm5io.dtb (device tree for the CM5 Lite on its IO board)
              ✓ overlays/ (device-tree overlays)

            cmdline.txt:
              ✓ root=/dev/nfs: the root file system comes over NFS
              ✓ nfsroot=10.42.0.250:/pxe/root,vers=3: the root comes from the hub
              ✓ ip=dhcp: the kernel takes its address from DHCP

            """)
    }
}
