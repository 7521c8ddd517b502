import BrambleNodeMap
import BrambleWire

/// Maps a requested file name to a file of the boot tree, per client.
///
/// Precedence, first match wins:
/// 1. **Refusals.** NUL bytes and backslashes are refused outright. One leading `/` is
///    stripped (clients send both `/bootcode.bin` and `bootcode.bin`); what is still
///    absolute after that, `..` components, and empty or `.` components are refused: a
///    canonical path is the only kind looked up, so a log line names exactly one file.
///    `%2e%2e` is no escape: nothing is URL-decoded, it is a plain name. One exception to
///    the empty-component refusal: a single doubled slash right after a Pi prefix
///    (`9ffefdef//config.txt`) is read as one slash, because the Pi 5 bootloader asks for
///    `config.txt` that way and acts on that answer (docs/raspberry-pi-netboot.md). It only
///    removes that one empty component; every other check runs on what remains.
/// 2. **Pi prefix** (`<serial>/FILE` or `<dc-a6-32-..>/FILE`):
///    - The prefix probes when the directory `<prefix>/` does not exist: *not found*. The
///      firmware probes these to decide whether to keep its prefix: `start.elf` or
///      `start4.elf` up to the Pi 4; on a client whose option 97 named a Pi 5 or later
///      bootloader, also `config.txt` and a top-level device tree
///      (docs/raspberry-pi-netboot.md). Not found makes it clear the prefix and ask for
///      plain names, which step 3 then maps to the node by its address. For other
///      clients a prefixed `config.txt` keeps falling back as below.
///    - The node: the one whose `serial=` or MAC the prefix is, else the client's node.
///    - Look for FILE in `<prefix>/`, then `nodes/NAME/` (with a node), then the root.
/// 3. **Plain names**: FILE in `nodes/NAME/` (with a node), then the root.
///
/// In each directory, for a known node, `FILE.tmpl` wins over `FILE`: a template next to
/// the shared file serves the nodes, the plain file serves unknown clients. A directory,
/// or a path whose symbolic link leads outside the root, at the first match is refused
/// rather than skipped. Names are case-sensitive throughout.
public struct TFTPPathResolver: Sendable {
    public static let templateSuffix = ".tmpl"
    /// Where per-node overrides live: `nodes/NAME/`.
    public static let nodeOverrideDirectory = "nodes"
    /// Files the Pi firmware asks for and is content to miss (boot-net.adoc; the Pi 4
    /// field log): their absence is logged at debug level only.
    public static let routinelyMissingFiles: Set<String> = [
        "bootsig.bin", "autoboot.txt", "recovery.elf", "recover4.elf", "pieeprom.sig", "pieeprom.upd",
        "dt-blob.bin", "bootcfg.txt",
        // The Pi 5 bootloader's own probes: EEPROM self-update (pieeprom.sig/.upd), the
        // overlay map, its armstub, the recovery image (tinkerbell/tinkerbell
        // docs/technical/RASPBERRY_PI5.md; docs/raspberry-pi-netboot.md).
        "overlay_map.dtb", "armstub8-2712.bin", "recovery.bin",
    ]
    /// Files only a generation 5 or later bootloader is content to miss: it asks for
    /// `kernel_2712.img` first and falls back to `kernel8.img` (observed on real Pi 5s,
    /// tinkerbell/tinkerbell `smee/internal/ipxe/binary/route_rpi.go`: it "probes the default
    /// kernel names (kernel_2712.img, kernel8.img, kernel8_rt.img)"; raspberrypi/firmware's
    /// `boot/` ships kernel_2712.img as the Pi 5 kernel). Network-boot trees built for
    /// several models often hold only kernel8.img, so that miss is routine and must not
    /// become the node's last error; for a Pi 4 the same name is one somebody configured.
    public static let routinelyMissingOnGeneration5: Set<String> = ["kernel_2712.img"]

    /// Whether the firmware of `client` asks for `name` knowing it is usually absent.
    static func isRoutinelyMissing(_ name: String, for client: TFTPClient) -> Bool {
        if routinelyMissingFiles.contains(name) { return true }
        guard let generation = client.bootloaderGeneration, generation >= 5 else { return false }
        return routinelyMissingOnGeneration5.contains(name)
    }

    /// The files whose presence under a prefix tells the firmware to keep the prefix, up
    /// to the Pi 4 (`eeprom-bootloader.adoc`, `TFTP_PREFIX`).
    public static let prefixProbeFiles: Set<String> = ["start.elf", "start4.elf"]

    /// Whether a file under a prefix is one whose presence keeps the prefix: the Pi 4
    /// family's `start*.elf`, and on the Pi 5 `config.txt` and a device tree (the Pi 5
    /// loads no `start*.elf`; `eeprom-bootloader.adoc` counts a Pi 5 boot location as
    /// bootable when it holds "config.txt and a suitable device-tree", and
    /// tinkerbell/tinkerbell docs/technical/RASPBERRY_PI5.md sees the Pi 5 drop its TFTP
    /// prefix by that test).
    static func isPrefixProbe(_ file: String, for client: TFTPClient) -> Bool {
        if prefixProbeFiles.contains(file) { return true }
        guard let generation = client.bootloaderGeneration, generation >= 5 else { return false }
        return file == "config.txt" || (file.hasSuffix(".dtb") && !file.contains("/"))
    }

    /// For finding a prefix's owner by its `serial=` setting or MAC; nil serves without one.
    public var nodeMap: NodeMap?

    public init(nodeMap: NodeMap?) { self.nodeMap = nodeMap }

    public func resolve(_ fileName: String, for client: TFTPClient, in tree: some TFTPBootTree) throws(TFTPPathRefusal) -> TFTPResolvedPath {
        let components = try Self.checkedComponents(fileName)
        if components.count > 1, let prefix = RaspberryPiBootPrefix(components[0]) {
            let file = components.dropFirst().joined(separator: "/")
            let prefixDirectory = String(components[0])
            if Self.isPrefixProbe(file, for: client), tree.entry(at: prefixDirectory) != .directory {
                throw .notFound(isRoutine: true)
            }
            let node = owner(of: prefix, client: client) ?? client.node
            var serial = client.serial ?? node?.settings.serial
            if case .serial(let prefixSerial) = prefix { serial = prefixSerial }
            return try lookUp(
                file, in: [prefixDirectory] + Self.overrideDirectories(for: node), node: node, serial: serial, client: client, tree: tree)
        }
        let file = components.joined(separator: "/")
        let serial = client.serial ?? client.node?.settings.serial
        return try lookUp(file, in: Self.overrideDirectories(for: client.node), node: client.node, serial: serial, client: client, tree: tree)
    }

    /// The boot-tree paths a request looks at, in order (templates aside), so a boot log's
    /// "not found" says where the file was expected; empty for names that are refused.
    public func searchedPaths(_ fileName: String, for client: TFTPClient) -> [String] {
        guard let components = try? Self.checkedComponents(fileName) else { return [] }
        var file = components.joined(separator: "/")
        var directories = Self.overrideDirectories(for: client.node)
        if components.count > 1, let prefix = RaspberryPiBootPrefix(components[0]) {
            file = components.dropFirst().joined(separator: "/")
            directories = [String(components[0])] + Self.overrideDirectories(for: owner(of: prefix, client: client) ?? client.node)
        }
        return directories.map { $0.isEmpty ? file : "\($0)/\(file)" }
    }

    /// The node the prefix names: by the node map's `serial=` or MAC, or the client's own
    /// node when the prefix is the serial it reported in DHCP.
    private func owner(of prefix: RaspberryPiBootPrefix, client: TFTPClient) -> NodeEntry? {
        switch prefix {
        case .serial(let serial):
            if let pinned = nodeMap?.nodes.first(where: { $0.settings.serial == serial }) { return pinned }
            return client.serial == serial ? client.node : nil
        case .mac(let mac):
            return nodeMap?.node(mac: mac)
        }
    }

    /// `nodes/NAME` for a node; the root (the empty directory) is always last.
    private static func overrideDirectories(for node: NodeEntry?) -> [String] {
        (node.map { ["\(nodeOverrideDirectory)/\($0.name)"] } ?? []) + [""]
    }

    private func lookUp(
        _ file: String, in directories: [String], node: NodeEntry?, serial: String?, client: TFTPClient, tree: some TFTPBootTree
    ) throws(TFTPPathRefusal) -> TFTPResolvedPath {
        var unrenderableTemplate: String?
        for directory in directories {
            let path = directory.isEmpty ? file : "\(directory)/\(file)"
            let templatePath = path + Self.templateSuffix
            switch try Self.servable(templatePath, in: tree) {
            case true where node != nil:
                return TFTPResolvedPath(path: templatePath, isTemplate: true, node: node, serial: serial)
            case true:
                unrenderableTemplate = unrenderableTemplate ?? templatePath
            case false:
                break
            }
            if try Self.servable(path, in: tree) {
                return TFTPResolvedPath(path: path, isTemplate: false, node: node, serial: serial)
            }
        }
        if let unrenderableTemplate { throw .templateNeedsKnownNode(templatePath: unrenderableTemplate) }
        let name = file.split(separator: "/").last.map(String.init) ?? file
        throw .notFound(isRoutine: Self.isRoutinelyMissing(name, for: client))
    }

    /// Whether the path is a file to send; throws for what must not be sent.
    private static func servable(_ path: String, in tree: some TFTPBootTree) throws(TFTPPathRefusal) -> Bool {
        switch tree.entry(at: path) {
        case .missing: false
        case .file: true
        case .directory: throw .isDirectory
        case .outsideRoot: throw .accessViolation(reason: "\(path) leads outside the boot root through a symbolic link")
        }
    }

    /// The name's components once it is known to stay inside the root.
    static func checkedComponents(_ fileName: String) throws(TFTPPathRefusal) -> [Substring] {
        if fileName.utf8.contains(0) { throw .accessViolation(reason: "the name contains a NUL byte") }
        if fileName.utf8.contains(UInt8(ascii: "\\")) { throw .accessViolation(reason: "the name contains a backslash") }
        let relative = fileName.hasPrefix("/") ? fileName.dropFirst() : fileName[...]
        guard !relative.isEmpty else { throw .isDirectory }
        if relative.hasPrefix("/") { throw .accessViolation(reason: "the name is an absolute path") }
        var components = relative.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 2, components[1].isEmpty, RaspberryPiBootPrefix(components[0]) != nil {
            components.remove(at: 1)
        }
        if components.contains("..") { throw .accessViolation(reason: "the name contains a '..' component") }
        if components.contains(where: { $0.isEmpty || $0 == "." }) {
            throw .accessViolation(reason: "the name contains an empty or '.' component")
        }
        return components
    }
}

/// What a path under the boot root is, as far as serving it goes.
public enum TFTPBootTreeEntry: Hashable, Sendable {
    case missing
    case file
    case directory
    /// It exists, but a symbolic link on the way leads outside the boot root.
    case outsideRoot
}

/// A file the resolver chose, opened for sending, or why it could not be.
public enum TFTPBootFileOpening {
    public enum Failure: Hashable, Sendable, CustomStringConvertible {
        /// Gone since the resolver looked (removed, or its link now leads nowhere):
        /// answered "file not found".
        case missing(reason: String)
        /// There, and not to be read (permissions, not a regular file any more): answered
        /// "access violation", the daemon's answer since its first release.
        case denied(reason: String)

        public var description: String {
            switch self {
            case .missing(let reason), .denied(let reason): reason
            }
        }
    }

    case opened(any TFTPFileContents)
    case missing(reason: String)
    case denied(reason: String)
}

/// A read-only view of the boot tree (`<pxe>/boot`), by path relative to its root.
///
/// The resolver asks only this, so it is tested against an in-memory tree and the server
/// answers from the real file system (`lstat`/`realpath`, or a cached listing). Paths
/// handed in are already checked: no `..`, no leading `/`, no empty components.
public protocol TFTPBootTree {
    func entry(at relativePath: String) -> TFTPBootTreeEntry
}

/// A boot tree that also opens the one file the resolver chose: what ``TFTPServer`` reads
/// from. The daemon opens files on disk once per version, replay hands a capture's boot
/// files over as bytes, tests use memory; the server itself does no file I/O, and every
/// way an open can fail is a value it answers the same way on the wire and in replay.
public protocol TFTPServedTree: TFTPBootTree {
    func open(_ relativePath: String) -> TFTPBootFileOpening
}

/// Why a request gets no file. Each case knows the ERROR to answer with; the message names
/// only what the client asked for, never the server's own paths (dnsmasq sends its full
/// path to every Pi that probes bootsig.bin).
public enum TFTPPathRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// An attempt to leave the boot root or a name no client legitimately sends: log it
    /// with the client's address.
    case accessViolation(reason: String)
    /// `isRoutine`: the firmware asks for this file knowing it is usually absent
    /// (`bootsig.bin`, the `<serial>/start4.elf` prefix probe, ...); log at debug level.
    case notFound(isRoutine: Bool)
    /// Directories are never listed or sent.
    case isDirectory
    /// Only a `.tmpl` exists, and the client is no node of the map to render it for.
    case templateNeedsKnownNode(templatePath: String)

    public var errorCode: TFTPErrorCode {
        switch self {
        case .accessViolation, .isDirectory: .accessViolation
        case .notFound, .templateNeedsKnownNode: .fileNotFound
        }
    }

    /// The ERROR packet's text, given the name the client sent.
    public func clientMessage(for fileName: String) -> String {
        switch self {
        case .accessViolation: "access violation: \(fileName)"
        case .notFound, .templateNeedsKnownNode: "file not found: \(fileName)"
        case .isDirectory: "is a directory: \(fileName)"
        }
    }

    public var description: String {
        switch self {
        case .accessViolation(let reason): "access violation: \(reason)"
        case .notFound(let isRoutine): isRoutine ? "not found (expected)" : "not found"
        case .isDirectory: "is a directory"
        case .templateNeedsKnownNode(let path): "\(path) is a template and the client is no node of the map"
        }
    }
}

/// The file to serve for a request, and for whom.
public struct TFTPResolvedPath: Hashable, Sendable, CustomStringConvertible {
    /// Relative to the boot root, e.g. `nodes/node05/cmdline.txt.tmpl`.
    public var path: String
    /// The file is a `.tmpl`: render it for ``node`` (``BootFileTemplate``) and send the
    /// result instead of the file.
    public var isTemplate: Bool
    /// The node the file is for; always set when ``isTemplate`` is.
    public var node: NodeEntry?
    /// The best-known serial for `{{serial}}`: the request's prefix, else what DHCP
    /// reported, else the node map's `serial=`.
    public var serial: String?

    public init(path: String, isTemplate: Bool, node: NodeEntry?, serial: String?) {
        self.path = path
        self.isTemplate = isTemplate
        self.node = node
        self.serial = serial
    }

    public var description: String { isTemplate ? "\(path) (template)" : path }
}

/// The directory prefix the Pi firmware puts before every file name it asks for: its serial
/// number (`9ffefdef/start4.elf`, the default) or, with the Pi 4 `TFTP_PREFIX=2` setting,
/// its MAC address written with dashes (`dc-a6-32-01-36-c2/start4.elf`).
///
/// Matched exactly as the firmware writes them, lowercase: the tree is case-sensitive and
/// an uppercase directory is the operator's own name, not a prefix.
public enum RaspberryPiBootPrefix: Hashable, Sendable, CustomStringConvertible {
    case serial(String)
    case mac(MACAddress)

    public init?(_ component: Substring) {
        let utf8 = component.utf8
        if utf8.count == 8, utf8.allSatisfy(Self.isLowercaseHexDigit) {
            self = .serial(String(component))
            return
        }
        let isMACStyle = utf8.count == 17 && utf8.enumerated().allSatisfy { index, byte in
            index % 3 == 2 ? byte == UInt8(ascii: "-") : Self.isLowercaseHexDigit(byte)
        }
        guard isMACStyle, let mac = MACAddress(String(component)) else { return nil }
        self = .mac(mac)
    }

    public var description: String {
        switch self {
        case .serial(let serial): serial
        case .mac(let mac): mac.formatted(separator: "-")
        }
    }

    private static func isLowercaseHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
