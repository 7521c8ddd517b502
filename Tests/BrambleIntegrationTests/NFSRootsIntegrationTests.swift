import BrambleLab
import BrambleRoots
import Foundation
import Testing

/// The node roots bramble exports, served by a real NFS server and read by a real NFS client:
/// Debian's nfs-ganesha (user space, FSAL VFS) in the hub's namespace, configured from the
/// lines `bramble roots export` wrote, and libnfs-utils' `nfs-cat`/`nfs-cp`/`nfs-ls` (NFSv4)
/// in the nodes' namespaces. The kernel NFS server is what a hub runs (docs/nfs.md); it is
/// not available here, and ganesha applies the same per-client rules.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct NFSRootsIntegrationTests {
    /// A hub with node 5 and node 6 on their own roots (made by `bramble roots create`) and
    /// node 7 on the shared base image, the exports written by `bramble roots export`, and
    /// ganesha serving them.
    final class Setup {
        let lab: NetworkLab
        let hub: String
        let server: ServerUnderTest
        var nodes: [Int: String] = [:]
        private(set) var ganesha: GaneshaServer?

        init() throws {
            try GaneshaServer.checkInstalled()
            lab = try NetworkLab()
            hub = try lab.addHost("hub", address: "10.42.0.250/24")
            for id in [5, 6, 7] { nodes[id] = try lab.addHost("node0\(id)", address: "10.42.0.\(id)/24") }
            server = try ServerUnderTest(lab: lab, hub: hub, nodes: "", config: "exports-file = bramble.exports\n")
            try """
                5 b8:27:eb:00:00:05
                6 b8:27:eb:00:00:06
                7 b8:27:eb:00:00:07

                """.write(to: server.file("nodes"), atomically: false, encoding: .utf8)
            try makeRoot("pxe/root", hostname: "base")
            // Node 5's and node 6's own roots, as an operator makes them: copies of the base
            // with their own identity, and root= in the node map pointing at them.
            let created = try server.bramble(["roots", "create", "--config", server.configPath, "5", "6"])
            guard created.status == 0 else { throw NetworkLab.Unavailable(description: "bramble roots create failed: \(created.output)") }
        }

        func makeRoot(_ path: String, hostname: String) throws {
            let etc = server.file(path + "/etc")
            try FileManager.default.createDirectory(at: etc, withIntermediateDirectories: true)
            try "\(hostname)\n".write(to: etc.appendingPathComponent("hostname"), atomically: false, encoding: .utf8)
        }

        /// Runs `bramble roots export` (no exportfs here) and returns the exports it wrote.
        func export() throws -> ExportsFile {
            let result = try server.bramble(["roots", "export", "--config", server.configPath, "--no-reload"])
            #expect(result.status == 0, "\(result.output)")
            let text = try String(contentsOf: server.file("bramble.exports"), encoding: .utf8)
            return ExportsFile(parsing: text, fileName: "bramble.exports")
        }

        func startGanesha(exports: ExportsFile) throws {
            ganesha = try GaneshaServer(lab: lab, namespace: hub, address: "10.42.0.250", exports: exports.exports, directory: server.file("ganesha"))
        }

        var ganeshaLog: String { ganesha?.log ?? "" }

        func read(_ path: String, from node: Int) throws -> NetworkLab.CommandResult {
            try GaneshaServer.read(path, from: "10.42.0.250", in: nodes[node]!, lab: lab)
        }

        /// `nfs-cp` of a small local file to `path` on the server, from a node's namespace.
        func write(_ path: String, from node: Int) throws -> NetworkLab.CommandResult {
            let local = server.file("upload-\(node)")
            try "from node \(node)\n".write(to: local, atomically: false, encoding: .utf8)
            return try lab.run(in: nodes[node]!, ["nfs-cp", local.path, "nfs://10.42.0.250\(path)?version=4"], timeout: 20)
        }
    }

    @Test("ganesha serving bramble's exports: node 5 reads its own /etc/hostname over NFSv4 and cannot read node 6's root; node 7 reads the base read-only")
    func eachNodeReadsItsOwnRootOnly() throws {
        let setup = try Setup()
        let pxe = setup.server.file("pxe").path
        let exports = try setup.export()
        #expect(exports.isGeneratedByBramble && exports.diagnostics.isEmpty)
        #expect(exports.exports.map(\.line) == [
            "\(pxe)/root 10.42.0.7(ro,no_subtree_check,no_root_squash)",
            "\(pxe)/roots/node05 10.42.0.5(rw,sync,no_subtree_check,no_root_squash)",
            "\(pxe)/roots/node06 10.42.0.6(rw,sync,no_subtree_check,no_root_squash)",
        ])
        try setup.startGanesha(exports: exports)
        defer { setup.ganesha?.kill() }

        let own = try setup.read("\(pxe)/roots/node05/etc/hostname", from: 5)
        #expect(own.status == 0 && own.output == "node05\n", "node 5 reading its own root: \(own.output)\n\(setup.ganeshaLog)")
        let neighbour = try setup.read("\(pxe)/roots/node06/etc/hostname", from: 5)
        #expect(neighbour.status != 0 && !neighbour.output.contains("node06\n"), "node 5 read node 6's root: \(neighbour.output)")
        let base = try setup.read("\(pxe)/root/etc/hostname", from: 5)
        #expect(base.status != 0 && !base.output.contains("base\n"), "node 5 has its own root, not the base: \(base.output)")
        let six = try setup.read("\(pxe)/roots/node06/etc/hostname", from: 6)
        #expect(six.status == 0 && six.output == "node06\n", "\(six.output)")
        let seven = try setup.read("\(pxe)/root/etc/hostname", from: 7)
        #expect(seven.status == 0 && seven.output == "base\n", "\(seven.output)")
        let sevenIntoFive = try setup.read("\(pxe)/roots/node05/etc/hostname", from: 7)
        #expect(sevenIntoFive.status != 0, "node 7 read node 5's root: \(sevenIntoFive.output)")

        // rw and no_root_squash: node 5's root writes its own root as root (uid 0).
        let written = try setup.write("\(pxe)/roots/node05/var-written", from: 5)
        #expect(written.status == 0, "\(written.output)")
        var info = stat()
        #expect(stat(setup.server.file("pxe/roots/node05/var-written").path, &info) == 0 && info.st_uid == 0, "owner \(info.st_uid)")
        // ro: the base takes no writes from the nodes still on it.
        let intoBase = try setup.write("\(pxe)/root/var-written", from: 7)
        #expect(intoBase.status != 0, "node 7 wrote into the read-only base: \(intoBase.output)")
        #expect(!FileManager.default.fileExists(atPath: setup.server.file("pxe/root/var-written").path))

        // ganesha listens on the hub's address in the hub's namespace and nowhere else.
        let listeners = try setup.lab.run(in: setup.hub, ["ss", "-Hltnup"]).output.split(separator: "\n").filter { $0.contains("ganesha") }
        #expect(!listeners.isEmpty && listeners.allSatisfy { $0.contains("10.42.0.250]:2049") || $0.contains("10.42.0.250:2049") }, "\(listeners)")
        let outside = try NetworkLab.execute(["ss", "-Hltnup"], timeout: 10).output
        #expect(!outside.contains("ganesha"), "ganesha listens outside the lab: \(outside)")

        let ganesha = try #require(setup.ganesha)
        let pid = ganesha.process.processIdentifier
        let comm = try String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)
        #expect(comm == "ganesha.nfsd\n", "the process the lab holds is ganesha itself: \(comm)")
        ganesha.kill()
        #expect(ganesha.process.terminationReason == .uncaughtSignal && ganesha.process.terminationStatus == SIGKILL)
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"), "ganesha (pid \(pid)) outlived SIGKILL")
    }
}
