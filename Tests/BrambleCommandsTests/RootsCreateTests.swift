@testable import BrambleCommands
import BrambleNodeMap
import BrambleRoots
import BrambleTestSupport
import Glibc
import Testing

/// `bramble roots create` end to end on a temporary pxe directory and node map.
@Suite struct RootsCreateTests {
    func cluster() throws -> (TemporaryDirectory, BrambleConfig) {
        let directory = try TemporaryDirectory()
        try directory.directory("pxe")
        try directory.directory("pxe/root")
        try directory.directory("pxe/root/etc")
        try directory.file("pxe/root/etc/hostname", text: "raspberrypi\n")
        try directory.file("pxe/root/etc/machine-id", text: "0123456789abcdef0123456789abcdef\n")
        try directory.file("pxe/root/etc/fstab", text: "PARTUUID=abc-02  /  ext4  defaults  0  1\n")
        try directory.file("nodes", text: "5 b8:27:eb:00:00:05\n6 b8:27:eb:00:00:06 web06 # rack 2\n7 b8:27:eb:00:00:07\n")
        try directory.file("bramble.conf", text: "nodes = nodes\npxe = pxe\n")
        let configuration = try ConfigOptions.loadConfiguration(configFile: directory.file("bramble.conf"), overrides: ConfigOverrides())
        return (directory, configuration)
    }

    func creation(_ configuration: BrambleConfig, _ nodes: [String] = [], output: Output) -> RootsCreation {
        var creation = RootsCreation(configuration: configuration, references: nodes, forcedMode: nil, base: nil)
        creation.say = { output.lines.append($0) }
        return creation
    }

    final class Output {
        var lines: [String] = []
    }

    @Test func namedNodesGetTheirOwnRootIdentityAndRootSetting() throws {
        let (directory, configuration) = try cluster()
        let output = Output()
        let outcome = try creation(configuration, ["5", "web06"], output: output).run()
        #expect(outcome.made == ["node05", "web06"])
        #expect(outcome.mode == .copy)
        #expect(directory.read("pxe/roots/node05/etc/hostname") == "node05\n")
        #expect(directory.read("pxe/roots/web06/etc/hostname") == "web06\n")
        #expect(directory.read("pxe/roots/web06/etc/machine-id") == "")
        #expect(directory.read("pxe/roots/web06/etc/fstab") == "10.42.0.250:\(directory.path)/pxe/roots/web06\t/\tnfs\tdefaults,noatime\t0\t0\n")
        #expect(directory.read("pxe/root/etc/hostname") == "raspberrypi\n", "the base is never written")
        #expect(directory.read("pxe/roots/node07/etc/hostname") == nil)
        #expect(directory.read("nodes") == """
            5 b8:27:eb:00:00:05 root=10.42.0.250:\(directory.path)/pxe/roots/node05
            6 b8:27:eb:00:00:06 web06 root=10.42.0.250:\(directory.path)/pxe/roots/web06 # rack 2
            7 b8:27:eb:00:00:07

            """)
        #expect(output.lines.contains { $0.hasPrefix("mode: copy") })
        #expect(output.lines.contains { $0.hasPrefix("space: 2 roots need about") })
    }

    @Test func aSecondCreateLeavesExistingRootsAndFinishesTheRest() throws {
        let (directory, configuration) = try cluster()
        try creation(configuration, ["5"], output: Output()).run()
        try directory.file("pxe/roots/node05/etc/own", text: "the node's")
        let output = Output()
        let outcome = try creation(configuration, output: output).run()
        #expect(outcome.made == ["web06", "node07"])
        #expect(directory.read("pxe/roots/node05/etc/own") == "the node's")
        #expect(output.lines.contains { $0.hasPrefix("node05: ") && $0.contains("exists; left as it is") })
    }

    @Test func aShortDiskIsRefusedBeforeAnythingIsWritten() throws {
        let (directory, configuration) = try cluster()
        var refused = creation(configuration, output: Output())
        refused.freeSpace = { _, _ in FreeSpace(bytes: 4096, inodes: 1_000_000) }
        #expect(throws: SpaceShortage.self) { try refused.run() }
        #expect(directory.entries().contains("pxe"))
        #expect(TextFile.directoryNames(directory.file("pxe/roots")) == [])
        #expect(directory.read("nodes")?.contains("root=") == false)
        var noInodes = creation(configuration, output: Output())
        noInodes.freeSpace = { _, _ in FreeSpace(bytes: 1 << 40, inodes: 10) }
        #expect(throws: SpaceShortage.self) { try noInodes.run() }
    }

    @Test func aPartialLeftByAnInterruptedCreateIsRemovedAndRemade() throws {
        let (directory, configuration) = try cluster()
        try directory.directory("pxe/roots")
        try directory.directory("pxe/roots/.node05.partial")
        try directory.file("pxe/roots/.node05.partial/half", text: "x")
        let output = Output()
        try creation(configuration, ["5"], output: output).run()
        #expect(TextFile.directoryNames(directory.file("pxe/roots"))?.sorted() == [".node05.made", "node05"])
        #expect(directory.read("pxe/roots/node05/half") == nil)
        #expect(output.lines.contains { $0.contains("removing \(directory.path)/pxe/roots/.node05.partial, left by an interrupted create") })
    }

    @Test func aBaseHoldingTheRootsIsRefusedBeforeItCopiesItself() throws {
        let (directory, configuration) = try cluster()
        let nested = RootsCreation(configuration: configuration, references: [], forcedMode: nil, base: directory.file("pxe"))
        #expect(throws: RootsRefusal.nested(base: directory.file("pxe"), roots: directory.file("pxe/roots"))) { try nested.run() }
        #expect(TextFile.directoryNames(directory.file("pxe/roots")) == [])
    }

    @Test func askingForAModeTheFileSystemCannotDoIsRefused() throws {
        let (directory, configuration) = try cluster()
        var snapshot = creation(configuration, output: Output())
        snapshot.forcedMode = .snapshot
        #expect(throws: RootsRefusal.self) { try snapshot.run() }
        #expect(TextFile.directoryNames(directory.file("pxe/roots")) == [])
    }
}

@Suite struct RootsLockTests {
    @Test func aSecondRootsCommandOnTheSameDirectoryIsRefusedNotInterleaved() throws {
        let (directory, configuration) = try RootsCreateTests().cluster()
        try directory.directory("pxe/roots")
        let held = open(directory.file("pxe/roots"), O_RDONLY | O_DIRECTORY)
        defer { close(held) }
        #expect(flock(held, LOCK_EX | LOCK_NB) == 0)
        var creation = RootsCreation(configuration: configuration, references: [], forcedMode: nil, base: nil)
        creation.say = { _ in }
        #expect(throws: RootsRefusal.busy(directory.file("pxe/roots"))) { try creation.run() }
        #expect(throws: RootsRefusal.self) { try RootsRemoval(configuration: configuration, references: ["5"], delete: false).run() }
        #expect(throws: RootsRefusal.self) { try RootsUpdate(configuration: configuration, references: [], dryRun: true, base: nil).run() }
        #expect(TextFile.directoryNames(directory.file("pxe/roots")) == [])
        flock(held, LOCK_UN)
        #expect(try creation.run().made.count == 3)
    }
}
