@testable import BrambleCommands
import BrambleNodeMap
import BrambleRoots
import BrambleTestSupport
import Glibc
import Testing

/// `bramble roots update` on a temporary cluster: a new base replaces the root except for
/// what is the node's own.
@Suite struct RootsUpdateTests {
    func updatedBase() throws -> (TemporaryDirectory, BrambleConfig) {
        let (directory, _) = try RootsCreateTests().cluster()
        try directory.file("bramble.conf", text: "nodes = nodes\npxe = pxe\nroots-keep = /var/lib/app\n")
        let configuration = try ConfigOptions.loadConfiguration(configFile: directory.file("bramble.conf"), overrides: ConfigOverrides())
        try directory.file("pxe/root/etc/os-release", text: "bookworm\n")
        var creation = RootsCreation(configuration: configuration, references: ["5"], forcedMode: nil, base: nil)
        creation.say = { _ in }
        try creation.run()
        // The node boots and makes itself at home.
        try directory.file("pxe/roots/node05/etc/machine-id", text: "55555555555555555555555555555555\n")
        try directory.directory("pxe/roots/node05/etc/ssh")
        try directory.file("pxe/roots/node05/etc/ssh/ssh_host_ed25519_key", text: "node05's key")
        try directory.directory("pxe/roots/node05/var")
        try directory.directory("pxe/roots/node05/var/lib")
        try directory.directory("pxe/roots/node05/var/lib/app")
        try directory.file("pxe/roots/node05/var/lib/app/state", text: "node05's data")
        try directory.file("pxe/roots/node05/tmpfile", text: "scratch")
        // A new base: a changed file, a new one.
        try directory.file("pxe/root/etc/os-release", text: "trixie, a longer text\n")
        try directory.file("pxe/root/etc/new.conf", text: "new")
        return (directory, configuration)
    }

    @Test func aDryRunListsTheChangesAndChangesNothing() throws {
        let (directory, configuration) = try updatedBase()
        var said: [String] = []
        var update = RootsUpdate(configuration: configuration, references: [], dryRun: true, base: nil)
        update.say = { said.append($0) }
        #expect(try update.run() == ["node05"])
        #expect(said.contains("  + /etc/new.conf"))
        #expect(said.contains("  ~ /etc/os-release"))
        #expect(said.contains("  - /tmpfile"))
        #expect(!said.contains("  - /var") && !said.contains("  - /var/lib"), "parents of a kept path stay")
        #expect(said.contains("  = /var/lib/app (the node's own, kept)"))
        #expect(said.contains("  = /etc/machine-id (the node's own, kept)"))
        #expect(said.last == "dry run: nothing was changed")
        #expect(directory.read("pxe/roots/node05/etc/os-release") == "bookworm\n")
        #expect(directory.read("pxe/roots/node05/tmpfile") == "scratch")
        #expect(!TextFile.exists(directory.file("pxe/roots/.removed")))
    }

    @Test func anUpdateTakesTheNewBaseAndKeepsTheNodesOwn() throws {
        let (directory, configuration) = try updatedBase()
        var update = RootsUpdate(configuration: configuration, references: ["node05"], dryRun: false, base: nil)
        update.now = { 1_796_655_845 }
        #expect(try update.run() == ["node05"])
        #expect(directory.read("pxe/roots/node05/etc/os-release") == "trixie, a longer text\n")
        #expect(directory.read("pxe/roots/node05/etc/new.conf") == "new")
        #expect(directory.read("pxe/roots/node05/tmpfile") == nil)
        #expect(directory.read("pxe/roots/node05/etc/machine-id") == "55555555555555555555555555555555\n")
        #expect(directory.read("pxe/roots/node05/etc/ssh/ssh_host_ed25519_key") == "node05's key")
        #expect(directory.read("pxe/roots/node05/var/lib/app/state") == "node05's data")
        #expect(directory.read("pxe/roots/node05/etc/hostname") == "node05\n")
        #expect(directory.read("pxe/roots/.removed/node05-20261207T150405Z/tmpfile") == "scratch", "the old root is kept aside")
        #expect(TextFile.directoryNames(directory.file("pxe/roots"))?.sorted() == [".node05.made", ".removed", "node05"])
        // A second update finds nothing to do.
        var again = RootsUpdate(configuration: configuration, references: [], dryRun: true, base: nil)
        var said: [String] = []
        again.say = { said.append($0) }
        #expect(try again.run() == [])
        #expect(said.first?.contains("already matches") == true, "\(said)")
    }
}
