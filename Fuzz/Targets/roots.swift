import BrambleNodeMap
import BrambleRoots
import BrambleWire

/// `roots`: the text `bramble roots` reads from places it does not control: a base image's
/// `/etc/hosts` and `/etc/fstab` (an image is whatever was copied to `<pxe>/root`), the
/// `<roots>/.NAME.made` record, and a `roots-keep` value matched against the names a node
/// created in its own root.
///
/// Invariants: everything is total (a value or nil/an error, never a trap); the identity's
/// hosts and fstab are idempotent (rewriting a rewritten file changes nothing), end in a
/// newline, and hold exactly one bramble block and exactly one entry for `/`; a record that
/// parses reads back from its own text; keep paths are relative and free of `.` and `..`,
/// and the update plan over names made of the input puts every root path in exactly one of
/// kept (or under a kept path), removed or the base's side.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRoots(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    let identity = NodeIdentity(
        nodeName: "node05", domain: "cluster", address: IPv4Address(10, 42, 0, 5), hubAddress: IPv4Address(10, 42, 0, 250),
        nfsRoot: "10.42.0.250:/pxe/roots/node05")

    let hosts = identity.hosts(from: text)
    invariant(identity.hosts(from: hosts) == hosts, "hosts is not idempotent for \(hexText(bytes))")
    invariant(hosts.hasSuffix("\n"), "hosts does not end in a newline")
    invariant(hosts.split(separator: "\n").filter { $0 == NodeIdentity.hostsMarker[...] }.count == 1, "hosts has not exactly one bramble block")

    let fstab = identity.fstab(from: text)
    invariant(identity.fstab(from: fstab) == fstab, "fstab is not idempotent for \(hexText(bytes))")
    let rootEntries = fstab.split(separator: "\n").filter { line in
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        return fields.count >= 2 && !fields[0].hasPrefix("#") && fields[1] == "/"
    }
    invariant(rootEntries == ["10.42.0.250:/pxe/roots/node05\t/\tnfs\tdefaults,noatime\t0\t0"], "fstab's / entries: \(rootEntries)")

    if let record = RootRecord(parsing: text) {
        invariant(RootRecord(parsing: record.text) == record, "record \(record) does not read back")
    }

    guard let keep = try? RootsKeepList(parsing: text) else { return 0 }
    for path in keep.paths {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        invariant(!path.hasPrefix("/") && !components.contains("..") && !components.contains(".") && !components.contains(""), "keep path '\(path)'")
    }
    // The input's words as names in a node's root, against the keep list made of them.
    let names = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(64).map { String($0.filter { $0 != "/" }) }.filter { !$0.isEmpty && $0 != "." && $0 != ".." }
    let root = names.map { TreeEntry(path: "srv/" + $0, kind: .file) } + [TreeEntry(path: "srv", kind: .directory)]
    let plan = RootUpdatePlan(root: root, base: [TreeEntry(path: "srv", kind: .directory)], keep: keep.paths)
    for entry in root where entry.path != "srv" {
        let kept = plan.kept.contains { entry.path == $0 || entry.path.hasPrefix($0 + "/") }
        let removed = plan.removed.contains(entry.path)
        invariant(kept != removed, "\(entry.path) is kept: \(kept), removed: \(removed)")
    }
    return 0
}
