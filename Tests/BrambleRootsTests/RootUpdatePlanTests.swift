import BrambleNodeMap
import BrambleRoots
import Testing

/// The update plan on synthetic trees: which paths appear, go, change and stay the node's.
@Suite struct RootUpdatePlanTests {
    func directory(_ path: String) -> TreeEntry { TreeEntry(path: path, kind: .directory, mode: 0o755) }
    func file(_ path: String, size: Int64 = 10, modified: Int64 = 1) -> TreeEntry { TreeEntry(path: path, kind: .file, size: size, modified: modified) }

    var root: [TreeEntry] {
        [
            directory("etc"), file("etc/hostname", size: 7), file("etc/machine-id", size: 33), file("etc/os-release"),
            directory("etc/ssh"), file("etc/ssh/ssh_host_ed25519_key"), file("etc/ssh/sshd_config"),
            directory("usr"), directory("usr/bin"), file("usr/bin/old-tool"), file("usr/bin/bash"),
            directory("var"), directory("var/lib"), directory("var/lib/docker"), file("var/lib/docker/layer"),
            file("var/log.txt"),
        ]
    }

    var base: [TreeEntry] {
        [
            directory("etc"), file("etc/hostname", size: 12), file("etc/machine-id", size: 0), file("etc/os-release", size: 11, modified: 2),
            directory("etc/ssh"), file("etc/ssh/sshd_config"), file("etc/ssh/ssh_host_rsa_key"),
            directory("usr"), directory("usr/bin"), file("usr/bin/bash"), file("usr/bin/new-tool"),
            directory("var"), directory("var/lib"), directory("var/lib/docker"), file("var/lib/docker/from-base"),
            directory("srv"), file("srv/data"),
        ]
    }

    @Test func theNewBaseReplacesEverythingButTheNodesOwn() {
        let plan = RootUpdatePlan(root: root, base: base, keep: RootsKeepList(paths: ["var/lib/docker", "srv"]).withIdentity)
        #expect(plan.added == ["etc/ssh/ssh_host_rsa_key", "srv", "srv/data", "usr/bin/new-tool"])
        #expect(plan.removed == ["usr/bin/old-tool", "var/log.txt"])
        #expect(plan.changed == ["etc/os-release"])
        #expect(plan.kept == ["etc/hostname", "etc/machine-id", "etc/ssh/ssh_host_ed25519_key", "var/lib/docker"])
        #expect(plan.unchangedCount == 8)
    }

    @Test func withoutKeepPathsTheRootBecomesTheBase() {
        let plan = RootUpdatePlan(root: root, base: base, keep: [])
        #expect(plan.kept.isEmpty)
        #expect(plan.changed == ["etc/hostname", "etc/machine-id", "etc/os-release"])
        #expect(plan.removed.contains("var/lib/docker/layer") && plan.removed.contains("etc/ssh/ssh_host_ed25519_key"))
    }

    @Test func aRootAlreadyOnTheBaseHasNothingToChange() {
        let plan = RootUpdatePlan(root: base, base: base, keep: NodeIdentity.ownPaths)
        #expect(plan.isEmpty)
        #expect(plan.lines == ["= /etc/hostname (the node's own, kept)", "= /etc/machine-id (the node's own, kept)", "= /etc/ssh/ssh_host_rsa_key (the node's own, kept)"])
    }

    @Test func ownerModeAndLinkTargetChangesCount() {
        let old = [TreeEntry(path: "bin", kind: .symbolicLink(target: "usr/bin")), TreeEntry(path: "f", kind: .file, mode: 0o644)]
        let new = [TreeEntry(path: "bin", kind: .symbolicLink(target: "usr/sbin")), TreeEntry(path: "f", kind: .file, mode: 0o4755)]
        #expect(RootUpdatePlan(root: old, base: new, keep: []).changed == ["bin", "f"])
    }
}
