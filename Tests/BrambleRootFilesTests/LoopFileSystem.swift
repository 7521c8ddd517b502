import Foundation
import Testing

/// A small xfs or btrfs file system for one test: a sparse image file in /tmp, formatted and
/// loop-mounted, unmounted and removed again when the value is dropped (the loop device goes
/// with the umount). For the reflink and snapshot paths, which this machine's ext4 lacks.
///
/// Needs root, mkfs.xfs (xfsprogs) and mkfs.btrfs/btrfs (btrfs-progs). Without them the tests
/// skip with a message; with `BRAMBLE_REQUIRE_NETNS=1` (CI, as root) they fail instead.
final class LoopFileSystem {
    static let required = ProcessInfo.processInfo.environment["BRAMBLE_REQUIRE_NETNS"] == "1"
    static let available = geteuid() == 0 && ["/usr/sbin/mkfs.xfs", "/usr/bin/btrfs", "/usr/bin/mkfs.btrfs", "/usr/sbin/mkfs.btrfs"].filter { FileManager.default.isExecutableFile(atPath: $0) }.count >= 2
    static let shouldRun = available || required
    static let skipReason: Comment = "needs root, xfsprogs and btrfs-progs to loop-mount xfs and btrfs (CI installs them and sets BRAMBLE_REQUIRE_NETNS=1)"

    enum Kind: String { case xfs, btrfs }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let scratch = ScratchTree()
    let mountPoint: String
    private var mounted = false

    init(_ kind: Kind) throws {
        guard geteuid() == 0 else { throw Failure(description: "loop file systems need root; running as uid \(geteuid())") }
        let image = scratch.at("\(kind.rawValue).img")
        mountPoint = scratch.at("mnt")
        scratch.directory("mnt")
        try Self.run("truncate", "-s", "512M", image)
        switch kind {
        case .xfs: try Self.run("mkfs.xfs", "-q", "-m", "reflink=1", image)
        case .btrfs: try Self.run("mkfs.btrfs", "-q", image)
        }
        try Self.run("mount", "-o", "loop", image, mountPoint)
        mounted = true
    }

    deinit {
        if mounted { try? Self.run("umount", mountPoint) }
    }

    /// `mountPoint/relative`.
    func at(_ relative: String) -> String { mountPoint + "/" + relative }

    static func run(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Failure(description: "\(arguments.joined(separator: " ")): exit \(process.terminationStatus): \(text)")
        }
    }
}
