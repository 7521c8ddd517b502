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
}
