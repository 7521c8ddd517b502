import BrambleNodeMap
import BrambleWire

/// What makes one node's root that node's and no other's: the text of its identity files,
/// and the files that must not be shared by two nodes at all.
///
/// A copied image carries the identity of the machine it was made on: its host name, its
/// machine ID (which systemd derives the DHCP client ID, the journal's directory and
/// networkd's DUID from), its SSH host keys (every node would answer as the same host, and
/// `ssh` could not tell them apart) and its random seed. Each is either rewritten for the
/// node or removed so the node makes its own on first boot.
public struct NodeIdentity: Hashable, Sendable {
    public var nodeName: String
    public var domain: String
    public var address: IPv4Address
    public var hubAddress: IPv4Address
    /// The hub's name in the cluster zone (bramble's DNS answers `node250.DOMAIN` for it).
    public var hubName: String
    /// `HUB:/pxe/roots/<name>`: what the node's root= says, DHCP option 17 carries and the
    /// kernel mounts, so the root's fstab names the same.
    public var nfsRoot: String

    public init(nodeName: String, domain: String, address: IPv4Address, hubAddress: IPv4Address, hubName: String = NodeName.defaultName(forID: 250), nfsRoot: String) {
        self.nodeName = nodeName
        self.domain = domain
        self.address = address
        self.hubAddress = hubAddress
        self.hubName = hubName
        self.nfsRoot = nfsRoot
    }

    /// The identity of `node` in `map`, its root at `rootPath` on the hub `hub`.
    public init(node: NodeEntry, in map: NodeMap, hub: IPv4Address, domain: String, rootPath: String) {
        self.init(nodeName: node.name, domain: domain, address: map.address(of: node), hubAddress: hub, nfsRoot: "\(hub):\(rootPath)")
    }

    public var fullName: String { nodeName + "." + domain }

    /// /etc/hostname: the short name, as hostname(5) asks.
    public var hostname: String { nodeName + "\n" }

    /// /etc/mailname (Debian: the name mail from this host is sent as), when the image has one.
    public var mailname: String { fullName + "\n" }

    /// The marker line bramble writes above its own /etc/hosts lines.
    public static let hostsMarker = "# bramble: this node and its hub (written by bramble roots)"

    /// /etc/hosts from the image's: every line kept except the ones naming an address this
    /// identity writes (127.0.1.1, where Debian puts the host's own name, the node's address
    /// and the hub's) and an earlier bramble block, then this node and the hub, so the node
    /// resolves its own name and the hub's without the network (hosts(5)).
    public func hosts(from existing: String?) -> String {
        let replaced: Set<String> = ["127.0.1.1", address.description, hubAddress.description]
        var lines: [Substring] = []
        let original = existing ?? "127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n"
        for line in Self.lines(original) {
            let first = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            if line == Self.hostsMarker[...] { continue }
            if let first, replaced.contains(String(first)) { continue }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        lines.append(Substring(Self.hostsMarker))
        lines.append(Substring("\(address)\t\(fullName)\t\(nodeName)"))
        lines.append(Substring("\(hubAddress)\t\(hubName).\(domain)\t\(hubName)"))
        return lines.joined(separator: "\n") + "\n"
    }

    /// /etc/fstab from the image's: the entry for `/` (an SD card's partition in a Pi image)
    /// becomes the node's NFS root, so a remount and `findmnt` agree with what the kernel
    /// mounted from cmdline.txt. NFS is never fsck'ed: pass 0. An entry mounting the SD
    /// card's boot partition at /boot or /boot/firmware is commented out, as Pi NFS-root
    /// set-ups do (https://www.joel-hatsch.net/techblog/2021/08/rpi-network-boot-2nd-edition/):
    /// a netbooted node has no such partition, and systemd would stop the boot waiting for
    /// it. Every other line stays.
    public func fstab(from existing: String?) -> String {
        let rootEntry = "\(nfsRoot)\t/\tnfs\tdefaults,noatime\t0\t0"
        var lines: [String] = []
        var replaced = false
        for line in Self.lines(existing ?? "") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count >= 2, !fields[0].hasPrefix("#"), fields[1] == "/" {
                if !replaced { lines.append(rootEntry) }
                replaced = true
            } else if fields.count >= 2, !fields[0].hasPrefix("#"), Self.isBootPartition(source: fields[0], mountPoint: fields[1]) {
                lines.append(Self.bootPartitionNote + line)
            } else {
                lines.append(String(line))
            }
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        if !replaced { lines.append(rootEntry) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What a commented-out boot partition line starts with.
    public static let bootPartitionNote = "# bramble: no SD card when netbooted: "

    /// An SD card's boot partition (`PARTUUID=`, `UUID=`, `LABEL=` or `/dev/mmcblk...`) at
    /// /boot or /boot/firmware.
    static func isBootPartition(source: Substring, mountPoint: Substring) -> Bool {
        guard mountPoint == "/boot" || mountPoint == "/boot/firmware" else { return false }
        return ["PARTUUID=", "UUID=", "LABEL=", "/dev/mmcblk"].contains { source.hasPrefix($0) }
    }

    /// A file's lines, whether it ends them with LF or CRLF (a Swift Character holds "\r\n"
    /// as one, so splitting on "\n" alone would miss them), each without trailing CRs: a
    /// line kept with a CR at its end would fuse with the LF it is written back with into a
    /// CRLF, and read back as a different line. Rewritten files use LF, and rewriting one
    /// again changes nothing.
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { line in
            var line = line
            while line.last == "\r" { line = line.dropLast() }
            return line
        }
    }

    /// Files removed from the root so the node makes its own, relative to the root. SSH
    /// host keys are matched by prefix in `etc/ssh` (see ``sshHostKeyPrefix``).
    public static let removedFiles = [
        // systemd's seed for the kernel's random pool: two nodes must not start from the same one.
        "var/lib/systemd/random-seed",
        // The key systemd-creds encrypts host credentials with.
        "var/lib/systemd/credential.secret",
    ]

    /// `etc/ssh/ssh_host_*`: the host's keys, which every node must make for itself.
    public static let sshHostKeyPrefix = "ssh_host_"

    /// Where the drop-in goes that makes sshd generate the host keys this root lacks, and
    /// what it says: Debian's ssh.service only checks its configuration (`sshd -t`) and
    /// fails without keys; `ssh-keygen -A` makes each missing key type and leaves existing
    /// ones alone, so it runs on every start at no cost (ssh-keygen(1)).
    public static let sshKeysDropIn = (directory: ["etc", "systemd", "system", "ssh.service.d"], name: "bramble-host-keys.conf")
    public static let sshKeysDropInText = """
        # Written by bramble roots: this root's SSH host keys were removed so that the node
        # makes its own; generate any that are missing before sshd starts.
        [Service]
        ExecStartPre=/usr/bin/ssh-keygen -A

        """

    /// What is the node's own in a root (kept by `update`, never replaced by the new base).
    public static let ownPaths = [
        "etc/hostname", "etc/hosts", "etc/mailname", "etc/fstab", "etc/machine-id", "var/lib/dbus/machine-id",
        "etc/ssh/ssh_host_*", "var/lib/systemd/random-seed", "var/lib/systemd/credential.secret",
        "etc/systemd/system/ssh.service.d/bramble-host-keys.conf",
    ]
}
