import BrambleNodeMap
import BrambleRoots
import BrambleWire
import Testing

@Suite struct NodeIdentityTests {
    let identity = NodeIdentity(
        nodeName: "node05", domain: "cluster", address: IPv4Address("10.42.0.5")!, hubAddress: IPv4Address("10.42.0.250")!,
        hubName: "hub", nfsRoot: "10.42.0.250:/pxe/roots/node05")

    @Test func hostsKeepsLocalhostAndReplacesTheImagesOwnName() {
        let image = """
            127.0.0.1\tlocalhost
            ::1\t\tlocalhost ip6-localhost ip6-loopback
            127.0.1.1\traspberrypi
            10.42.0.250 oldhub

            """
        #expect(identity.hosts(from: image) == """
            127.0.0.1\tlocalhost
            ::1\t\tlocalhost ip6-localhost ip6-loopback
            \(NodeIdentity.hostsMarker)
            10.42.0.5\tnode05.cluster\tnode05
            10.42.0.250\thub.cluster\thub

            """)
    }

    @Test func hostsRewrittenTwiceIsTheSame() {
        let once = identity.hosts(from: nil)
        #expect(identity.hosts(from: once) == once)
        #expect(once.hasPrefix("127.0.0.1\tlocalhost\n"))
    }

    @Test func fstabsRootBecomesTheNodesNFSRootTheSDCardsBootGoesAndOtherLinesStay() {
        let image = """
            proc            /proc           proc    defaults          0       0
            PARTUUID=abc-01  /boot/firmware  vfat    defaults          0       2
            PARTUUID=abc-02  /               ext4    defaults,noatime  0       1
            /dev/sda1       /srv            ext4    defaults,nofail   0       2
            # a comment naming / stays

            """
        let rewritten = identity.fstab(from: image)
        #expect(rewritten == """
            proc            /proc           proc    defaults          0       0
            \(NodeIdentity.bootPartitionNote)PARTUUID=abc-01  /boot/firmware  vfat    defaults          0       2
            10.42.0.250:/pxe/roots/node05\t/\tnfs\tdefaults,noatime\t0\t0
            /dev/sda1       /srv            ext4    defaults,nofail   0       2
            # a comment naming / stays

            """)
        #expect(identity.fstab(from: rewritten) == rewritten)
    }

    @Test func anFstabWithoutARootLineGetsOne() {
        #expect(identity.fstab(from: "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n") == "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n10.42.0.250:/pxe/roots/node05\t/\tnfs\tdefaults,noatime\t0\t0\n")
    }

    @Test func hostnameIsTheShortName() {
        #expect(identity.hostname == "node05\n")
        #expect(identity.mailname == "node05.cluster\n")
    }
}

@Suite struct SpaceEstimateTests {
    let base = BaseImageSize(entries: 10_000, allocatedBytes: 300 << 20, directoryBytes: 4 << 20)

    @Test func aCopyNeedsTheWholeImagePerRootAReflinkOnlyItsMetadata() {
        #expect(SpaceEstimate(mode: .copy, base: base, roots: 48) == SpaceEstimate(bytes: (300 << 20) * 48, inodes: 480_000))
        #expect(SpaceEstimate(mode: .reflink, base: base, roots: 2) == SpaceEstimate(bytes: ((4 << 20) + 10_000 * 1024) * 2, inodes: 20_000))
        #expect(SpaceEstimate(mode: .snapshot, base: base, roots: 3).inodes == 0)
    }

    @Test func aShortageIsReportedForBytesOrInodesAndNotOtherwise() {
        let needed = SpaceEstimate(mode: .copy, base: base, roots: 48)
        #expect(SpaceShortage(needed: needed, free: FreeSpace(bytes: 20 << 30, inodes: 1_000_000), directory: "/pxe/roots") == nil)
        let bytes = SpaceShortage(needed: needed, free: FreeSpace(bytes: 10 << 30, inodes: 1_000_000), directory: "/pxe/roots")
        #expect(bytes?.description.contains("needs about 14.1 GiB but 10.0 GiB is free") == true)
        let inodes = SpaceShortage(needed: needed, free: FreeSpace(bytes: 20 << 30, inodes: 1000), directory: "/pxe/roots")
        #expect(inodes?.description.contains("needs 480000 inodes but 1000 are free") == true)
        #expect(SpaceShortage(needed: needed, free: FreeSpace(bytes: 20 << 30, inodes: nil), directory: "/pxe/roots") == nil)
    }

    @Test func byteCountsReadLikeDf() {
        #expect(ByteCount(512).description == "512 B")
        #expect(ByteCount(1536).description == "1.5 KiB")
        #expect(ByteCount(3 << 30).description == "3.0 GiB")
    }
}

@Suite struct RootsKeepListTests {
    @Test func keepPathsAreAbsoluteAsTheNodeSeesThemAndStoredRelative() throws {
        let list = try RootsKeepList(parsing: "/var/lib/docker  /home,/etc/ssh/ssh_host_*")
        #expect(list.paths == ["var/lib/docker", "home", "etc/ssh/ssh_host_*"])
        let parsed = ConfigParser.parse("roots-keep = /srv/data /var/lib/postgresql\n", file: "/etc/bramble/bramble.conf")
        #expect(try parsed.validated().rootsKeep.paths == ["srv/data", "var/lib/postgresql"])
    }

    @Test func pathsThatCouldLeaveOrSwallowTheRootAreRefused() {
        for text in ["var/lib", "/", "/var/../etc", "/var/*/x"] {
            #expect(throws: InvalidConfigValue.self, "\(text)") { try RootsKeepList(parsing: text) }
        }
    }
}

@Suite struct NodeIdentityLineEndingTests {
    let identity = NodeIdentity(
        nodeName: "node05", domain: "cluster", address: IPv4Address("10.42.0.5")!, hubAddress: IPv4Address("10.42.0.250")!,
        hubName: "hub", nfsRoot: "10.42.0.250:/pxe/roots/node05")

    /// Found by the roots fuzzer: a last line ending in CR became CRLF when bramble's lines
    /// were appended with LF, so a second rewrite read a different file.
    @Test func crlfFilesAndALoneFinalCRAreRewrittenOnceAndStay() {
        for text in ["127.0.0.1\tlocalhost\r\n127.0.1.1\tpi\r\n", "127.0.0.1\tlocalhost\r", "a / ext4 x 0 1\r\nb /boot vfat x 0 2\r"] {
            let hosts = identity.hosts(from: text)
            #expect(identity.hosts(from: hosts) == hosts)
            #expect(!hosts.contains("\r"))
            let fstab = identity.fstab(from: text)
            #expect(identity.fstab(from: fstab) == fstab)
        }
        #expect(identity.fstab(from: "a / ext4 x 0 1\r\nb /boot vfat x 0 2\r\n") == "10.42.0.250:/pxe/roots/node05\t/\tnfs\tdefaults,noatime\t0\t0\nb /boot vfat x 0 2\n")
    }
}

extension NodeIdentityLineEndingTests {
    /// Found by the roots fuzzer too: CRs before a CRLF.
    @Test func severalCRsBeforeTheLineEndAreDropped() {
        let text = "proc /proc proc x 0 0\r\r\r\r\n127.0.0.1 localhost\r\r\n"
        #expect(identity.hosts(from: identity.hosts(from: text)) == identity.hosts(from: text))
        #expect(identity.fstab(from: identity.fstab(from: text)) == identity.fstab(from: text))
        #expect(identity.fstab(from: text).hasPrefix("proc /proc proc x 0 0\n127.0.0.1 localhost\n"))
    }
}
