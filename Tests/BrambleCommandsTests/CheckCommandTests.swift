@testable import BrambleCommands
import BrambleNodeMap
import BrambleTestSupport
import Testing

@Suite struct CheckCommandTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    /// The repository's sample hub: etc/bramble.conf names etc/nodes and pxe/.
    var sampleConfig: String { fixturePath("../etc/bramble.conf") }

    @Test func theSamplesCheckClean() throws {
        try runBramble(["check", "--config", sampleConfig])
    }

    @Test func strictFailsWhenNoModelCanBoot() {
        #expect(throws: NoModelCanBoot.self) { try runBramble(["check", "--strict", "--config", sampleConfig]) }
    }

    @Test func aCompleteTreePassesStrict() throws {
        try directory.directory("pxe")
        try directory.directory("pxe/boot")
        try directory.directory("pxe/boot/overlays")
        for name in ["start4.elf", "fixup4.dat", "kernel8.img", "bcm2711-rpi-4-b.dtb", "config.txt"] {
            try directory.file("pxe/boot/\(name)", size: 100)
        }
        try directory.file("pxe/boot/cmdline.txt", text: "root=/dev/nfs nfsroot=10.42.0.250:/pxe/root,vers=3 rw ip=dhcp rootwait\n")
        directory.write("nodes", "1 dc:a6:32:00:00:01\n")
        directory.write("bramble.conf", "nodes = nodes\npxe = pxe\n")
        try runBramble(["check", "--strict", "--config", directory.file("bramble.conf")])
    }

    @Test func anInvalidNodeMapFailsWithItsLine() {
        directory.write("nodes", "1 b8:27:eb:00:00:01\n2 b8:27:eb:00:00:01\n")
        directory.write("bramble.conf", "nodes = nodes\n")
        let error = #expect(throws: NodeMapInvalid.self) { try runBramble(["check", "--config", directory.file("bramble.conf")]) }
        #expect(error?.message.hasPrefix("\(directory.file("nodes")):2: MAC b8:27:eb:00:00:01 is already node 1's") == true)
    }

    @Test func anInvalidConfigFailsWithItsLine() {
        directory.write("bramble.conf", "# hub\ninterfce = eth0\n")
        let error = #expect(throws: ConfigLoadError.self) { try runBramble(["check", "--config", directory.file("bramble.conf")]) }
        #expect(error?.message.contains("bramble.conf:2: unknown key 'interfce'") == true, "\(error?.message ?? "")")
    }

    @Test func nodesCommandsFindTheMapThroughTheConfig() throws {
        try directory.directory("etc")
        directory.write("etc/bramble.conf", "nodes = cluster-nodes\naddress = 10.42.0.62/26\n")
        directory.write("etc/cluster-nodes", "1 b8:27:eb:00:00:01\n")
        try runBramble(["nodes", "add", "--config", directory.file("etc/bramble.conf"), "2", "b8:27:eb:00:00:02"])
        #expect(directory.read("etc/cluster-nodes") == "1 b8:27:eb:00:00:01\n2 b8:27:eb:00:00:02\n")
        #expect(throws: EditRefused.self, "ID 63 is outside the config's /26") {
            try runBramble(["nodes", "add", "--config", directory.file("etc/bramble.conf"), "63", "b8:27:eb:00:00:03"])
        }
    }
}
