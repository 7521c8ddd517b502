import BrambleRootFiles
import BrambleRoots
import BrambleWire
import Glibc
import Testing

@Suite struct RootIdentityWriterTests {
    let identity = NodeIdentity(
        nodeName: "node05", domain: "cluster", address: IPv4Address("10.42.0.5")!, hubAddress: IPv4Address("10.42.0.250")!,
        nfsRoot: "10.42.0.250:/pxe/roots/node05")

    func apply(_ scratch: ScratchTree) throws -> [String] {
        let root = scratch.open(directory: "root")
        defer { close(root) }
        return try RootIdentityWriter.apply(identity, root: root, rootPath: scratch.at("root"))
    }

    @Test func aCopiedImageGetsTheNodesNameAndLosesTheImagesIdentity() throws {
        let scratch = ScratchTree()
        scratch.directory("root")
        scratch.directory("root/etc")
        scratch.directory("root/etc/ssh")
        scratch.file("root/etc/hostname", "raspberrypi\n")
        scratch.file("root/etc/machine-id", "0123456789abcdef0123456789abcdef\n", mode: 0o444)
        scratch.file("root/etc/mailname", "raspberrypi\n")
        scratch.file("root/etc/ssh/ssh_host_ed25519_key", "private", mode: 0o600)
        scratch.file("root/etc/ssh/ssh_host_ed25519_key.pub", "public")
        scratch.file("root/etc/ssh/sshd_config", "Port 22\n")
        for directory in ["root/var", "root/var/lib", "root/var/lib/dbus", "root/var/lib/systemd"] { scratch.directory(directory) }
        scratch.file("root/var/lib/dbus/machine-id", "0123456789abcdef0123456789abcdef\n")
        scratch.file("root/var/lib/systemd/random-seed", "seed")
        let done = try apply(scratch)
        #expect(scratch.read("root/etc/hostname") == "node05\n")
        #expect(scratch.read("root/etc/mailname") == "node05.cluster\n")
        #expect(scratch.read("root/etc/machine-id") == "")
        #expect(scratch.status("root/etc/machine-id")!.st_mode & 0o777 == 0o444)
        #expect(scratch.linkTarget("root/var/lib/dbus/machine-id") == "/etc/machine-id")
        #expect(scratch.names("root/etc/ssh") == ["sshd_config"])
        #expect(!scratch.exists("root/var/lib/systemd/random-seed"))
        #expect(scratch.read("root/etc/fstab") == "10.42.0.250:/pxe/roots/node05\t/\tnfs\tdefaults,noatime\t0\t0\n")
        #expect(scratch.read("root/etc/hosts")?.contains("10.42.0.5\tnode05.cluster\tnode05\n") == true)
        #expect(done.count == 9)
        #expect(scratch.names("root/etc").allSatisfy { !$0.hasSuffix(".bramble-new") })
    }

    @Test func aLinkInTheImageIsReplacedNeverWrittenThrough() throws {
        let scratch = ScratchTree()
        scratch.directory("outside")
        scratch.file("outside/hostname", "the hub\n")
        scratch.directory("root")
        scratch.directory("root/etc")
        scratch.link("root/etc/hostname", to: scratch.at("outside/hostname"))
        scratch.link("root/etc/hosts", to: "../../outside/hostname")
        _ = try apply(scratch)
        #expect(scratch.read("outside/hostname") == "the hub\n")
        #expect(scratch.read("root/etc/hostname") == "node05\n")
        #expect(scratch.status("root/etc/hostname")!.st_mode & S_IFMT == S_IFREG)
    }

    @Test func anEtcThatIsALinkOutOfTheRootIsRefused() throws {
        let scratch = ScratchTree()
        scratch.directory("outside")
        scratch.file("outside/hostname", "the hub\n")
        scratch.directory("root")
        scratch.link("root/etc", to: scratch.at("outside"))
        #expect(throws: RootFileError.self) { _ = try apply(scratch) }
        #expect(scratch.names("outside") == ["hostname"])
        #expect(scratch.read("outside/hostname") == "the hub\n")
    }
}
