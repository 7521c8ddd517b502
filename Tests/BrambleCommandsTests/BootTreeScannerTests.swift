import BrambleCommands
import BrambleTestSupport
import BrambleWire
import Testing

@Suite struct BootTreeScannerTests {
    @Test func listsFilesAndDirectoriesFollowingOnlyLinksInsideTheTree() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.directory("boot")
        try scratch.file("boot/bootcode.bin", size: 512)
        try scratch.file("boot/vmlinuz-6.6", size: 3000)
        try scratch.link("boot/kernel8.img", to: "vmlinuz-6.6")
        try scratch.directory("boot/overlays")
        try scratch.file("boot/overlays/disable-bt.dtbo", size: 100)
        try scratch.file("outside.img", size: 10)
        try scratch.link("boot/escape.img", to: "../outside.img")
        try scratch.link("boot/dangling.img", to: "nothing-here")

        let listing = BootTreeScanner.scan(bootDirectory: scratch.path + "/boot")
        #expect(listing.files == [
            "bootcode.bin": 512, "vmlinuz-6.6": 3000, "kernel8.img": 3000, "overlays/disable-bt.dtbo": 100,
        ])
        #expect(listing.directories == ["overlays"])
        #expect(listing.problems.count == 2)
        #expect(listing.problems.contains(.brokenLink(path: "dangling.img")))
        #expect(listing.problems.contains { problem in
            if case .linkOutsideTree(let path, let target) = problem {
                return path == "escape.img" && target.hasSuffix("/outside.img")
            }
            return false
        })
    }

    @Test func stopsAtTheDepthLimitInsteadOfFollowingALoop() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.directory("boot")
        try scratch.directory("boot/a")
        try scratch.link("boot/a/again", to: ".")
        let listing = BootTreeScanner.scan(bootDirectory: scratch.path + "/boot")
        #expect(listing.problems.count == 1)
        #expect(listing.directories.count == BootTreeScanner.maximumDepth - 1)
    }

    @Test func aMissingBootDirectoryIsAProblemNotACrash() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let missing = scratch.path + "/boot"
        #expect(BootTreeScanner.scan(bootDirectory: missing) == BootTreeListing(problems: [.bootDirectoryMissing(path: missing)]))
        try scratch.file("boot", size: 1)
        #expect(BootTreeScanner.scan(bootDirectory: missing).problems == [.bootDirectoryNotADirectory(path: missing)])
    }

    @Test func inspectionReadsCmdlineAndConfigFromDisk() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.directory("boot")
        try scratch.directory("boot/overlays")
        for (name, size) in BootTreeFixtures.pi4Only { try scratch.file("boot/" + name, size: Int(size)) }
        try scratch.file("boot/vmlinuz", size: 4000)
        try scratch.file("boot/config.txt", text: "[pi4]\nkernel=vmlinuz\n[all]\n")
        try scratch.file("boot/cmdline.txt", text: "root=/dev/nfs nfsroot=10.42.0.9:/pxe/root,vers=3 ip=dhcp\n")

        let report = BootTreeInspection.inspect(
            bootDirectory: scratch.path + "/boot", hubAddress: BootTreeFixtures.hub, nfsRootDirectory: "/pxe/root")
        let pi4 = report.readiness(for: .pi4)
        #expect(pi4.missing.isEmpty)
        #expect(pi4.files.first { $0.purpose == "kernel" }?.found == "vmlinuz")
        #expect(!pi4.canBoot)
        #expect(report.cmdline?.suggestedLine == "root=/dev/nfs nfsroot=10.42.0.250:/pxe/root,vers=3 ip=dhcp")
        #expect(report.scanProblems.isEmpty)
    }
}
