import BrambleNodeMap
import BrambleTFTP
import Testing

@Suite struct TFTPPathResolverTests {
    static let tree = InMemoryBootTree(files: [
        "bootcode.bin", "start.elf", "start4.elf", "config.txt", "cmdline.txt", "cmdline.txt.tmpl", "kernel8.img",
        "overlays/vc4-kms-v3d.dtbo", "%2e%2e",
        "nodes/node05/config.txt",
        "nodes/node07/cmdline.txt.tmpl",
        "9ffefdef/start4.elf", "9ffefdef/config.txt",
        "issue.tmpl",
    ])
    static let map = try! nodeMap("""
        5 dc:a6:32:01:36:c2
        7 dc:a6:32:00:00:07 serial=f34fdaa9
        9 b8:27:eb:00:00:09
        """)
    static let resolver = TFTPPathResolver(nodeMap: map)
    static let node5 = TFTPClient(node: map.node(id: 5))
    static let node9 = TFTPClient(node: map.node(id: 9), serial: "0a0b0c0d")
    static let stranger = TFTPClient()

    func resolve(_ name: String, for client: TFTPClient = stranger, in tree: InMemoryBootTree = tree) throws(TFTPPathRefusal) -> TFTPResolvedPath {
        try Self.resolver.resolve(name, for: client, in: tree)
    }

    func refusal(_ name: String, for client: TFTPClient = stranger) -> TFTPPathRefusal? {
        do {
            let resolved = try resolve(name, for: client)
            Issue.record("\(name) resolved to \(resolved)")
            return nil
        } catch {
            return error
        }
    }

    @Test func plainNamesWithOrWithoutALeadingSlash() throws {
        #expect(try resolve("bootcode.bin").path == "bootcode.bin")
        #expect(try resolve("/bootcode.bin").path == "bootcode.bin")
        #expect(try resolve("overlays/vc4-kms-v3d.dtbo").path == "overlays/vc4-kms-v3d.dtbo")
    }

    @Test(arguments: [
        "../etc/passwd", "/../x", "a/../../x", "overlays/..", "..", "//etc/passwd", "\\..\\x", "a\\b",
        "a/./b", "a//b", "overlays/", "bad\0name",
    ])
    func traversalAttemptsAreAccessViolations(name: String) {
        guard case .accessViolation(let reason) = refusal(name) else {
            Issue.record("\(name) was not refused as an access violation")
            return
        }
        #expect(!reason.isEmpty)
        #expect(TFTPPathRefusal.accessViolation(reason: reason).errorCode == .accessViolation)
    }

    @Test func percentEncodingIsJustAName() throws {
        #expect(try resolve("%2e%2e").path == "%2e%2e")
        #expect(refusal("%2e%2e/etc/passwd") == .notFound(isRoutine: false))
    }

    @Test func namesAreCaseSensitive() {
        #expect(refusal("BOOTCODE.BIN") == .notFound(isRoutine: false))
    }

    @Test func directoriesAreNotServed() {
        #expect(refusal("overlays") == .isDirectory)
        #expect(refusal("/") == .isDirectory)
        #expect(TFTPPathRefusal.isDirectory.errorCode == .accessViolation)
    }

    @Test func symbolicLinkOutOfTheRootIsRefused() {
        let tree = InMemoryBootTree(files: ["kernel8.img"], escaping: ["kernel8.img"])
        #expect(throws: TFTPPathRefusal.accessViolation(reason: "kernel8.img leads outside the boot root through a symbolic link")) {
            try resolve("kernel8.img", in: tree)
        }
    }

    @Test func bootsigIsARoutineMiss() {
        #expect(refusal("bootsig.bin") == .notFound(isRoutine: true))
        #expect(refusal("recovery.elf") == .notFound(isRoutine: true))
        #expect(refusal("kernel7.img") == .notFound(isRoutine: false))
        #expect(TFTPPathRefusal.notFound(isRoutine: true).errorCode == .fileNotFound)
        #expect(TFTPPathRefusal.notFound(isRoutine: true).clientMessage(for: "bootsig.bin") == "file not found: bootsig.bin")
    }

    /// Without a per-serial directory the start.elf probes must miss, so the firmware
    /// drops its prefix, even for a known node.
    @Test(arguments: ["f34fdaa9/start4.elf", "f34fdaa9/start.elf", "dc-a6-32-01-36-c2/start4.elf", "0a0b0c0d/start.elf"])
    func startProbeWithoutASerialTreeIsNotFound(name: String) {
        #expect(refusal(name, for: Self.node5) == .notFound(isRoutine: true))
        #expect(refusal(name) == .notFound(isRoutine: true))
    }

    @Test func serialTreeServesItsOwnFilesAndFallsBackToTheRoot() throws {
        #expect(try resolve("9ffefdef/start4.elf").path == "9ffefdef/start4.elf")
        #expect(try resolve("9ffefdef/config.txt").path == "9ffefdef/config.txt")
        #expect(try resolve("9ffefdef/kernel8.img").path == "kernel8.img")
        #expect(try resolve("9ffefdef/kernel8.img").serial == "9ffefdef")
    }

    /// A serial tree without start4.elf keeps the prefix rule's fallback instead of the
    /// probe rule: the directory exists.
    @Test func serialTreeWithoutStartFallsBackToTheSharedStart() throws {
        let tree = InMemoryBootTree(files: ["start4.elf", "12345678/config.txt"])
        #expect(try resolve("12345678/start4.elf", in: tree).path == "start4.elf")
    }

    @Test func unknownPrefixFallsBackToTheRoot() throws {
        #expect(try resolve("deadbeef/config.txt").path == "config.txt")
        #expect(try resolve("dc-a6-32-99-99-99/bootcode.bin").path == "bootcode.bin")
    }

    /// Uppercase is no firmware prefix: the name is looked up as it is, and misses.
    @Test func uppercasePrefixIsAPlainDirectoryName() {
        #expect(refusal("9FFEFDEF/kernel8.img") == .notFound(isRoutine: false))
    }

    @Test func nodeOverrideWinsOverTheSharedFile() throws {
        #expect(try resolve("config.txt", for: Self.node5).path == "nodes/node05/config.txt")
        #expect(try resolve("config.txt", for: Self.node9).path == "config.txt")
        #expect(try resolve("config.txt").path == "config.txt")
    }

    @Test func templateNextToTheSharedFileServesNodesOnly() throws {
        let forNode = try resolve("cmdline.txt", for: Self.node9)
        #expect(forNode == TFTPResolvedPath(path: "cmdline.txt.tmpl", isTemplate: true, node: Self.map.node(id: 9), serial: "0a0b0c0d"))
        #expect(try resolve("cmdline.txt") == TFTPResolvedPath(path: "cmdline.txt", isTemplate: false, node: nil, serial: nil))
    }

    @Test func nodeOverrideTemplate() throws {
        let resolved = try resolve("cmdline.txt", for: TFTPClient(node: Self.map.node(id: 7)))
        #expect(resolved.path == "nodes/node07/cmdline.txt.tmpl")
        #expect(resolved.isTemplate)
        #expect(resolved.serial == "f34fdaa9")
    }

    @Test func templateOnlyFileNeedsAKnownNode() throws {
        #expect(refusal("issue") == .templateNeedsKnownNode(templatePath: "issue.tmpl"))
        #expect(try resolve("issue", for: Self.node5).path == "issue.tmpl")
        #expect(TFTPPathRefusal.templateNeedsKnownNode(templatePath: "issue.tmpl").errorCode == .fileNotFound)
    }

    /// The prefix names the node even when the address does not: the serial pinned in the
    /// node map, or the MAC.
    @Test func prefixOwnerGetsItsNodeFiles() throws {
        let bySerial = try resolve("f34fdaa9/cmdline.txt")
        #expect(bySerial.path == "nodes/node07/cmdline.txt.tmpl")
        #expect(bySerial.node?.id == 7)
        let byMAC = try resolve("dc-a6-32-01-36-c2/config.txt")
        #expect(byMAC.path == "nodes/node05/config.txt")
        #expect(byMAC.node?.id == 5)
    }

    /// The serial the client reported in DHCP ties the prefix to the client's node.
    @Test func reportedSerialPrefixUsesTheClientsNode() throws {
        let resolved = try resolve("0a0b0c0d/cmdline.txt", for: Self.node9)
        #expect(resolved.path == "cmdline.txt.tmpl")
        #expect(resolved.node?.id == 9)
    }

    @Test func prefixAloneIsNotAPrefix() {
        #expect(refusal("9ffefdef") == .isDirectory)
    }

    // MARK: The Pi 5 family (docs/raspberry-pi-netboot.md)

    static let pi5 = TFTPClient(node: map.node(id: 9), serial: "0a0b0c0d", bootloaderGeneration: 5)
    static let pi4 = TFTPClient(node: map.node(id: 5), bootloaderGeneration: 4)

    /// The Pi 5 asks for `<serial>//config.txt` and acts on that answer: it is the same file.
    @Test(arguments: [TFTPPathResolverTests.stranger, TFTPPathResolverTests.pi5])
    func doubledSlashAfterAPrefixIsTheSameFile(client: TFTPClient) throws {
        #expect(try resolve("9ffefdef//config.txt", for: client).path == "9ffefdef/config.txt")
        #expect(try resolve("/9ffefdef//config.txt", for: client).path == "9ffefdef/config.txt")
        #expect(try resolve("9ffefdef//kernel8.img", for: client).path == "kernel8.img")
        #expect(try resolve("dc-a6-32-01-36-c2//kernel8.img", for: client).path == "kernel8.img")
        #expect(Self.resolver.searchedPaths("9ffefdef//kernel8.img", for: client).first == "9ffefdef/kernel8.img")
    }

    /// The doubled slash is forgiven once, right after a prefix, and nothing else is: every
    /// way out of the tree through it is still refused.
    @Test(arguments: [
        "9ffefdef//../config.txt", "9ffefdef//..", "9ffefdef//../../etc/passwd", "9ffefdef///config.txt",
        "9ffefdef/.//config.txt", "9ffefdef//./config.txt", "9ffefdef//", "//9ffefdef/config.txt",
        "9ffefdef//overlays//x.dtbo", "9ffefdef/config.txt//", "overlays//vc4-kms-v3d.dtbo", "9FFEFDEF//config.txt",
        "9ffefdef//\\..\\x", "9ffefdef//a/../../x", "kernel8.img//", "..//9ffefdef/config.txt",
    ])
    func traversalThroughTheDoubledSlashIsRefused(name: String) {
        guard case .accessViolation = refusal(name, for: Self.pi5) else {
            Issue.record("\(name) was not refused as an access violation")
            return
        }
        #expect(Self.resolver.searchedPaths(name, for: Self.pi5).isEmpty)
    }

    @Test func encodedNamesAfterTheDoubledSlashStayPlainNames() {
        #expect(refusal("9ffefdef//%2e%2e/etc/passwd", for: Self.pi5) == .notFound(isRoutine: false))
        #expect(refusal("9ffefdef//%2f..%2fx", for: Self.pi5) == .notFound(isRoutine: false))
    }

    /// On a Pi 5, `config.txt` and a device tree are the prefix probes (it loads no
    /// start4.elf): without a serial directory they miss, so the Pi drops its prefix.
    @Test(arguments: ["12345678/config.txt", "12345678//config.txt", "12345678/bcm2712-rpi-5-b.dtb", "12345678/bcm2712d0-rpi-5-b.dtb",
                      "0a0b0c0d/config.txt", "2c-cf-67-00-00-01/bcm2712-rpi-cm5-cm5io.dtb"])
    func pi5ProbesWithoutASerialTreeAreRoutineMisses(name: String) {
        #expect(refusal(name, for: Self.pi5) == .notFound(isRoutine: true))
    }

    @Test func pi5KeepsAnExistingSerialTreeAndItsFallback() throws {
        #expect(try resolve("9ffefdef/config.txt", for: Self.pi5).path == "9ffefdef/config.txt")
        #expect(try resolve("9ffefdef/kernel8.img", for: Self.pi5).path == "kernel8.img")
        #expect(try resolve("12345678/overlays/vc4-kms-v3d.dtbo", for: Self.pi5).path == "overlays/vc4-kms-v3d.dtbo", "overlays are no probe")
    }

    /// The Pi 4 probes start4.elf only: its prefixed config.txt still falls back.
    @Test func pi4AndUnknownClientsKeepTheStartProbeRule() throws {
        #expect(try resolve("deadbeef/config.txt", for: Self.pi4).path == "nodes/node05/config.txt")
        #expect(try resolve("deadbeef/config.txt", for: Self.stranger).path == "config.txt")
        #expect(refusal("deadbeef/start4.elf", for: Self.pi4) == .notFound(isRoutine: true))
    }

    /// A Pi 5 asks for kernel_2712.img before kernel8.img: in a tree with only kernel8.img
    /// that miss is routine (no lastError), but only for a Pi 5; kernel8.img itself never is.
    @Test func pi5KernelProbeMissIsRoutineForAPi5Only() throws {
        #expect(refusal("kernel_2712.img", for: Self.pi5) == .notFound(isRoutine: true))
        #expect(refusal("9ffefdef/kernel_2712.img", for: Self.pi5) == .notFound(isRoutine: true))
        #expect(refusal("9ffefdef//kernel_2712.img", for: Self.pi5) == .notFound(isRoutine: true))
        #expect(refusal("kernel_2712.img", for: Self.pi4) == .notFound(isRoutine: false))
        #expect(refusal("kernel_2712.img", for: Self.stranger) == .notFound(isRoutine: false))
        #expect(refusal("overlays/kernel_2712.img.x", for: Self.pi5) == .notFound(isRoutine: false))
        let onlyKernel8 = InMemoryBootTree(files: ["config.txt", "kernel8.img"])
        #expect(try resolve("kernel8.img", for: Self.pi5, in: onlyKernel8).path == "kernel8.img")
        #expect(throws: TFTPPathRefusal.notFound(isRoutine: false)) {
            try resolve("kernel8.img", for: Self.pi5, in: InMemoryBootTree(files: ["config.txt"]))
        }
    }

    @Test(arguments: ["pieeprom.sig", "pieeprom.upd", "overlay_map.dtb", "armstub8-2712.bin", "recovery.bin",
                      "9ffefdef/pieeprom.sig", "9ffefdef//overlay_map.dtb", "overlays/overlay_map.dtb"])
    func pi5RoutineProbesAreRoutineMisses(name: String) {
        #expect(refusal(name, for: Self.pi5) == .notFound(isRoutine: true))
    }
}
