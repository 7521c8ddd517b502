import BrambleRoots

/// Renders a `NodeRootCheck` as `bramble roots check` and `bramble check` print it: the
/// nodes whose root is in order on one line, then each node with a problem and what to do,
/// then bad lines of the exports files.
enum NodeRootCheckText {
    static func render(_ check: NodeRootCheck, exportFiles: [String]) -> String {
        var lines = ["Node roots (exports read from \(exportFiles.isEmpty ? "no file" : exportFiles.joined(separator: ", ")))"]
        let good = check.nodes.filter { $0.isServedByHub && $0.problems.isEmpty }
        if check.nodes.isEmpty {
            lines.append("  (no nodes in the node map)")
        }
        if !good.isEmpty {
            lines.append("  ✓ \(names(good)): root there, exported to the node, cmdline.txt mounts it")
        }
        // Nodes on one root with the same problems (a module still on the base image) are
        // one entry, so 48 nodes do not repeat one message 48 times.
        var groups: [(root: String, problems: [NodeRootProblem], nodes: [NodeRootStatus])] = []
        for status in check.nodes where !status.problems.isEmpty {
            if let index = groups.firstIndex(where: { $0.root == status.root.text && $0.problems == status.problems }) {
                groups[index].nodes.append(status)
            } else {
                groups.append((status.root.text, status.problems, [status]))
            }
        }
        for group in groups {
            let who = group.nodes.count == 1
                ? "\(group.nodes[0].node) (\(group.nodes[0].address.map { "\($0)" } ?? "address unknown"), root \(group.root))"
                : "\(names(group.nodes)) (root \(group.root))"
            lines.append("  ✗ \(who):")
            for problem in group.problems { lines.append("      \(problem)") }
        }
        let elsewhere = check.nodes.filter { !$0.isServedByHub }
        if !elsewhere.isEmpty {
            lines.append("  - \(names(elsewhere)): root on another NFS server (root=), not checked here")
        }
        let unknown = check.nodes.filter { $0.isServedByHub && $0.address == nil }
        if !unknown.isEmpty {
            lines.append("  - \(names(unknown)): no address known yet (proxy mode), exports not checked")
        }
        for diagnostic in check.exportDiagnostics { lines.append("  ! \(diagnostic)") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func names(_ statuses: [NodeRootStatus]) -> String {
        statuses.map(\.node).joined(separator: ", ")
    }
}
