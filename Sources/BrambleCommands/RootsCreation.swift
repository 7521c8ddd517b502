import BrambleFiles
import BrambleNodeMap
import BrambleRootFiles
import BrambleRoots
import BrambleWire
import Glibc

/// `bramble roots create` as a value: the configuration, which nodes, which mode, and the
/// two things tests replace: where output goes and how much room the disk reports.
struct RootsCreation {
    var configuration: BrambleConfig
    /// Node IDs, names or MACs; empty means every node of the map.
    var references: [String]
    /// nil: the cheapest the file systems allow.
    var forcedMode: RootCopyMode?
    var layout: NodeRootLayout
    var say: (String) -> Void = { print($0) }
    /// A progress line rewritten in place; nil when standard output is not a terminal.
    var progressLine: ((String) -> Void)? = nil
    var freeSpace: (Int32, String) throws -> FreeSpace = { try FreeSpaceReading.of($0, path: $1) }

    init(configuration: BrambleConfig, references: [String], forcedMode: RootCopyMode?, base: String?) {
        self.configuration = configuration
        self.references = references
        self.forcedMode = forcedMode
        var layout = NodeRootLayout(configuration)
        if let base { layout.baseImage = base }
        self.layout = layout
    }

    /// What the run did, for the summary and the tests.
    struct Outcome {
        var made: [String] = []
        var mode: RootCopyMode?
        var seconds: Double = 0
        var bytesUsed: UInt64 = 0
    }

    @discardableResult
    func run() throws -> Outcome {
        let file = NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet)
        let map = try file.load()
        let nodes = try RootsSelection.nodes(references, in: map, path: file.path)
        guard TextFile.isDirectory(layout.baseImage) else { throw RootsRefusal.noBaseImage(layout.baseImage) }
        if !TextFile.exists(layout.rootsDirectory) {
            say("creating \(layout.rootsDirectory) (the directory holding one root per node)")
            guard mkdir(layout.rootsDirectory, 0o755) == 0 else {
                throw FileAccessError(path: layout.rootsDirectory, operation: "create directory", errno: errno)
            }
        }
        try RootsRefusal.checkApart(base: layout.baseImage, roots: layout.rootsDirectory)
        let roots = try RootsFileSystem.open(layout.rootsDirectory)
        try roots.lock(layout.rootsDirectory)
        defer { withExtendedLifetime(roots) {} }
        let plan = RootsCreatePlan(nodes: nodes, entries: RootsDirectory.entries(layout.rootsDirectory))
        for step in plan.steps {
            switch step.decision {
            case .exists: say("\(step.node.name): \(layout.rootPath(for: step.node)) exists; left as it is (`bramble roots update` refreshes it)")
            case .blocked: say("\(step.node.name): \(layout.rootPath(for: step.node)) is not a directory; skipped (move it away first)")
            case .make: break
            }
        }
        var outcome = Outcome()
        let toMake = plan.nodesToMake
        guard !toMake.isEmpty else {
            say("nothing to create")
            return outcome
        }
        let survey = try BaseImageSurvey(base: layout.baseImage)
        let mode = try RootsModeChoice.choose(forced: forcedMode, base: layout.baseImage, roots: roots, rootsPath: layout.rootsDirectory, sampleFile: survey.sampleFile)
        outcome.mode = mode
        say("base image \(layout.baseImage): \(survey.size.entries) entries, \(ByteCount(survey.size.allocatedBytes)) on disk")
        say("mode: \(mode.rawValue): \(mode.explanation)")
        let needed = SpaceEstimate(mode: mode, base: survey.size, roots: toMake.count)
        let free = try freeSpace(roots.fd, layout.rootsDirectory)
        say("space: \(toMake.count) root\(toMake.count == 1 ? "" : "s") need about \(ByteCount(needed.bytes))\(needed.inodes > 0 ? " and \(needed.inodes) inodes" : ""); \(ByteCount(free.bytes)) free in \(layout.rootsDirectory)")
        if let shortage = SpaceShortage(needed: needed, free: free, directory: layout.rootsDirectory) { throw shortage }

        for step in plan.steps where step.decision == .make(clearingPartial: true) {
            let partial = NodeRootLayout.partialName(forNodeNamed: step.node.name)
            say("\(step.node.name): removing \(layout.partialPath(forNodeNamed: step.node.name)), left by an interrupted create")
            try TreeRemover.remove(partial, in: roots.fd, path: layout.partialPath(forNodeNamed: step.node.name))
        }

        let started = MonotonicClock.seconds()
        var maker = RootMaker(base: layout.baseImage, rootsDirectory: layout.rootsDirectory, mode: mode)
        var failure: (any Error)?
        for node in toMake {
            let path = layout.rootPath(for: node)
            let identity = NodeIdentity(node: node, in: map, hub: configuration.address.address, domain: configuration.domain.name, rootPath: path)
            say("\(node.name): making \(path) (\(mode.rawValue)), built as \(layout.partialPath(forNodeNamed: node.name)) and renamed into place when complete")
            if let progressLine {
                maker.progress = { progressLine("\(node.name): \($0.entries) entries, \(ByteCount($0.bytes))") }
            }
            let nodeStarted = MonotonicClock.seconds()
            do {
                var changes: [String] = []
                let statistics = try maker.make(nodeName: node.name) { root, rootPath in
                    changes = try RootIdentityWriter.apply(identity, root: root, rootPath: rootPath)
                }
                progressLine?("")
                for change in changes { say("  \(change)") }
                for mount in statistics?.otherFileSystems ?? [] {
                    say("  /\(mount): another file system is mounted there in the base; made empty, its contents not copied")
                }
                let took = MonotonicClock.seconds() - nodeStarted
                say("\(node.name): done in \(Self.format(took)) s" + (statistics.map { ", \(Self.describe($0))" } ?? ""))
                outcome.made.append(node.name)
            } catch {
                failure = error
                say("\(node.name): failed; \(layout.partialPath(forNodeNamed: node.name)) (if any) is not a root and the next create removes it")
                break
            }
        }
        outcome.seconds = MonotonicClock.seconds() - started
        FreeSpaceReading.flush(roots.fd)
        if let after = try? freeSpace(roots.fd, layout.rootsDirectory), after.bytes < free.bytes { outcome.bytesUsed = free.bytes - after.bytes }
        if !outcome.made.isEmpty {
            try RootsNodeMap.pointRoots(of: outcome.made, file: file, rootFor: { "\(configuration.address.address):\(layout.rootsDirectory)/\($0)" }, say: say)
            say("made \(outcome.made.count) root\(outcome.made.count == 1 ? "" : "s") (\(mode.rawValue)) in \(Self.format(outcome.seconds)) s; about \(ByteCount(outcome.bytesUsed)) of disk used")
        }
        if let failure { throw failure }
        return outcome
    }

    static func describe(_ statistics: TreeCopyStatistics) -> String {
        var parts = ["\(statistics.entries) entries", "\(ByteCount(statistics.bytes)) of file data"]
        if statistics.clonedFiles > 0 { parts.append("\(statistics.clonedFiles) files reflinked") }
        if statistics.copiedFiles > 0 { parts.append("\(statistics.copiedFiles) files copied") }
        if statistics.hardLinks > 0 { parts.append("\(statistics.hardLinks) hard links") }
        return parts.joined(separator: ", ")
    }

    static func format(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// Which nodes a roots command acts on: the ones named, in the order given, or all.
enum RootsSelection {
    static func nodes(_ references: [String], in map: NodeMap, path: String) throws -> [NodeEntry] {
        guard !references.isEmpty else { return map.nodes }
        var chosen: [NodeEntry] = []
        for reference in references {
            guard let node = map.node(matching: reference) else { throw NoSuchNode(path: path, reference: reference) }
            if !chosen.contains(where: { $0.id == node.id }) { chosen.append(node) }
        }
        return chosen
    }
}

/// The mode a create uses: the cheapest the file systems allow, or the one asked for if
/// they allow it (asking for what cannot work is refused before anything is written).
enum RootsModeChoice {
    static func choose(forced: RootCopyMode?, base: String, roots: RootsFileSystem, rootsPath: String, sampleFile: String?) throws -> RootCopyMode {
        let cheapest = try CopyModeProbe.cheapest(base: base, rootsDirectory: roots.fd, sampleFile: sampleFile)
        guard let forced else { return cheapest }
        switch forced {
        case .copy:
            return .copy
        case .reflink:
            if cheapest == .snapshot || CopyModeProbe.canReflink(base: base, sampleFile: sampleFile, into: roots.fd) { return .reflink }
            throw RootsRefusal.modeUnavailable(forced, base: base, roots: rootsPath, reason: "FICLONE from the base into the roots directory is refused (not one reflink-capable file system)")
        case .snapshot:
            if cheapest == .snapshot { return .snapshot }
            throw RootsRefusal.modeUnavailable(forced, base: base, roots: rootsPath, reason: "the base is not a btrfs subvolume on the same file system as the roots (btrfs subvolume create, then copy the image into it)")
        }
    }
}

/// The roots directory, open for the *at calls.
struct RootsFileSystem {
    let fd: Int32
    private let owner: DescriptorOwner

    /// - Parameter following: whether the last component may be a link (the roots directory
    ///   may be `/pxe/roots -> /srv/roots`; a node's root may not).
    static func open(_ path: String, following: Bool = true) throws -> RootsFileSystem {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (following ? 0 : O_NOFOLLOW))
        guard fd >= 0 else { throw FileAccessError(path: path, operation: "open directory", errno: errno) }
        return RootsFileSystem(fd: fd, owner: DescriptorOwner(fd))
    }

    /// Holds an exclusive flock on the directory for as long as this value lives, so two
    /// roots commands never work on one roots directory at once (one clearing the partial
    /// the other is building). Refused at once rather than waited for.
    func lock(_ path: String) throws {
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK { throw RootsRefusal.busy(path) }
            throw FileAccessError(path: path, operation: "lock", errno: errno)
        }
    }

    private final class DescriptorOwner {
        let fd: Int32
        init(_ fd: Int32) { self.fd = fd }
        deinit { close(fd) }
    }
}

/// Setting `root=` in the node map for nodes whose roots were made: one edit, through the
/// map's editor, so the server reloads once and DHCP option 17, `{{root}}` and `check` follow.
enum RootsNodeMap {
    static func pointRoots(of names: [String], file: NodeMapFile, rootFor: (String) -> String, say: (String) -> Void) throws {
        var changes: [String] = []
        try file.edit { document, current in
            var text = document.text
            for name in names {
                let working = NodeMapDocument(parsing: text, fileName: file.path)
                let entry = try findNode(name, in: current, document: working, path: file.path)
                let root = rootFor(entry.name)
                guard entry.settings.root != root else { continue }
                var settings = entry.settings
                _ = settings.unset(NodeSettingKey.root.rawValue)
                if let problem = settings.apply(token: "root=\(root)"[...]) { throw RootsRefusal.unusableRoot(root, reason: problem.description) }
                changes.append("\(entry.name): root=\(root)" + (entry.settings.root.map { " (was \($0))" } ?? ""))
                text = working.replacing(nodeID: entry.id, with: NodeEntry(id: entry.id, hardwareAddress: entry.hardwareAddress, explicitName: entry.explicitName, settings: settings, line: entry.line))!
            }
            return text
        }
        if !changes.isEmpty { say("node map \(file.path):") }
        for change in changes { say("  \(change)") }
    }
}

/// Refusals before anything is written.
enum RootsRefusal: UserFacingError, Equatable {
    case noBaseImage(String)
    case modeUnavailable(RootCopyMode, base: String, roots: String, reason: String)
    case unusableRoot(String, reason: String)
    case busy(String)
    case nested(base: String, roots: String)

    /// Refuses a base and a roots directory of which one holds the other (`--base /pxe`):
    /// the copy would walk into the root it is building.
    static func checkApart(base: String, roots: String) throws {
        let resolvedBase = AtomicFile.resolvedPath(base)
        let resolvedRoots = AtomicFile.resolvedPath(roots)
        if resolvedBase == resolvedRoots || resolvedRoots.hasPrefix(resolvedBase + "/") || resolvedBase.hasPrefix(resolvedRoots + "/") {
            throw RootsRefusal.nested(base: base, roots: roots)
        }
    }

    var message: String {
        switch self {
        case .noBaseImage(let path):
            "\(path): no base image (a directory holding the root file system every node's root is made from); give --base DIR or put the image there"
        case .modeUnavailable(let mode, let base, let roots, let reason):
            "--mode \(mode.rawValue): not possible from \(base) to \(roots): \(reason); leave --mode out to use the cheapest mode that works"
        case .unusableRoot(let root, let reason):
            "root=\(root): \(reason)"
        case .nested(let base, let roots):
            "\(base) and \(roots): one is inside the other, so a copy would copy itself; keep the roots beside the base (<pxe>/root and <pxe>/roots)"
        case .busy(let path):
            "\(path): another `bramble roots` command is working here; nothing was changed. Run this again when it has finished"
        }
    }
}

extension SpaceShortage: UserFacingError {
    public var message: String { description }
}

extension RootFileError: UserFacingError {
    public var message: String { description }
}

/// Seconds from CLOCK_MONOTONIC, for durations only.
enum MonotonicClock {
    static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
