import BrambleNodeMap

/// What `bramble roots update` does to one node's root: the new base image replaces the
/// root, except for what is the node's own (its identity and the operator's `roots-keep`
/// paths), which is carried over from the old root. Pure: two tree listings in, the
/// differences out; the dry run prints them and the update acts on `kept`.
public struct RootUpdatePlan: Hashable, Sendable {
    /// In the new base, not in the root: appear.
    public var added: [String] = []
    /// In the root, not in the new base and not kept: disappear.
    public var removed: [String] = []
    /// In both but different (kind, owner, mode, size or time): replaced by the base's.
    public var changed: [String] = []
    /// The node's own, carried over from the old root: the top-most matching paths (a kept
    /// directory's contents are not listed separately).
    public var kept: [String] = []
    /// Paths present and equal in both.
    public var unchangedCount = 0

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    /// - Parameters:
    ///   - root: the node's current root.
    ///   - base: the new base image.
    ///   - keep: patterns relative to the root (``NodeIdentity/ownPaths`` plus `roots-keep`).
    public init(root: [TreeEntry], base: [TreeEntry], keep: [String]) {
        let patterns = keep.map(KeepPattern.init)
        let rootByPath = Dictionary(root.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let baseByPath = Dictionary(base.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        func isKept(_ path: String) -> Bool { patterns.contains { $0.covers(path) } }
        for entry in root.sorted(by: { $0.path < $1.path }) where isKept(entry.path) {
            if !patterns.contains(where: { $0.coversAncestor(of: entry.path) }) { kept.append(entry.path) }
        }
        // The base's entries at or under a kept path the root has are replaced by the
        // root's own; a kept path the root lacks comes from the base like any other.
        let keptTops = kept.map { $0.split(separator: "/") }
        func isShadowed(_ path: String) -> Bool {
            let components = path.split(separator: "/")
            return keptTops.contains { components.count >= $0.count && Array(components.prefix($0.count)) == $0 }
        }
        for entry in base.sorted(by: { $0.path < $1.path }) where !isShadowed(entry.path) {
            if let current = rootByPath[entry.path] {
                if current.differs(from: entry) { changed.append(entry.path) } else { unchangedCount += 1 }
            } else {
                added.append(entry.path)
            }
        }
        for entry in root.sorted(by: { $0.path < $1.path }) where baseByPath[entry.path] == nil && !isKept(entry.path) {
            removed.append(entry.path)
        }
    }

    /// The dry run's lines: `+ path` added, `- path` removed, `~ path` changed, `= path` kept.
    public var lines: [String] {
        added.map { "+ /\($0)" } + removed.map { "- /\($0)" } + changed.map { "~ /\($0)" } + kept.map { "= /\($0) (the node's own, kept)" }
    }
}

/// A keep path: `var/lib/docker` covers itself and everything below it; a `*` in the last
/// component matches any run of characters in that component (`etc/ssh/ssh_host_*`).
struct KeepPattern: Hashable, Sendable {
    var parent: [Substring]
    var last: Substring

    init(_ text: String) {
        var components = text.split(separator: "/")
        last = components.popLast() ?? ""
        parent = components
    }

    /// `path` is this pattern's match or lies under it.
    func covers(_ path: String) -> Bool {
        let components = path.split(separator: "/")
        guard components.count > parent.count, Array(components.prefix(parent.count)) == parent else { return false }
        return Self.matches(last, components[parent.count])
    }

    /// A proper ancestor of `path` is this pattern's match (so `path` is inside a kept tree).
    func coversAncestor(of path: String) -> Bool {
        let components = path.split(separator: "/")
        return components.count > parent.count + 1 && covers(components.dropLast().joined(separator: "/"))
    }

    /// Glob with `*` only (fnmatch(3) without classes): enough for `ssh_host_*` and `*.conf`.
    static func matches(_ pattern: Substring, _ name: Substring) -> Bool {
        guard let star = pattern.firstIndex(of: "*") else { return pattern == name }
        let prefix = pattern[..<star]
        let rest = pattern[pattern.index(after: star)...]
        guard name.hasPrefix(prefix) else { return false }
        var remainder = name.dropFirst(prefix.count)
        while true {
            if matches(rest, remainder) { return true }
            if remainder.isEmpty { return false }
            remainder = remainder.dropFirst()
        }
    }
}

extension RootsKeepList {
    /// Everything an update keeps: the node's identity files, then the operator's paths.
    public var withIdentity: [String] { NodeIdentity.ownPaths + paths }
}
