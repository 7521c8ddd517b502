import BrambleLab
import BrambleRoots
import Foundation
import Testing

/// A simulated module on per-node roots, end to end: `bramble roots create` makes each
/// node's root from a base image; every model fakepi plays boots from `bramble serve`; the `cmdline.txt` each gets over TFTP (one shared `cmdline.txt.tmpl`)
/// and the root path in its kernel's DHCPACK (option 17) name its own root; then, from the
/// address it booted with, it reads its own `/etc/hostname` over NFSv4 from ganesha serving
/// what `bramble roots export` wrote; and `bramble roots check` passes.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct SimulatedModuleRootsTests {
    static let pis = SimulatedPiBootTests.pis + [SimulatedPiBootTests.cm4, SimulatedPiBootTests.pi5, SimulatedPiBootTests.cm5]

    @Test("a Pi 3B, 3B+, 4, CM4, 5 and CM5 each get a cmdline.txt and option 17 naming their own root, and read their own hostname over NFS")
    func everyNodeBootsItsOwnRoot() throws {
        try GaneshaServer.checkInstalled()
        let cluster = try SimulatedPiBootTests.Cluster(nodes: SimulatedPiBootTests.nodes + SimulatedPiBootTests.newerNodes, pis: Self.pis)
        let server = cluster.server
        let pxe = server.file("pxe").path
        // The roots commands' config: serve's, with the exports file in the test's directory.
        let rootsConfig = server.file("roots.conf").path
        let config = try String(contentsOf: server.file("bramble.conf"), encoding: .utf8) + "exports-file = bramble.exports\n"
        try config.write(toFile: rootsConfig, atomically: false, encoding: .utf8)

        // A base image, and each node's own root made from it by `bramble roots create`,
        // which points the node map's root= at it; `serve` reloads the edited map itself.
        let ids = [1, 17, 33, 37, 41, 45]
        let names = ids.map { String(format: "node%02d", $0) }
        let etc = server.file("pxe/root/etc")
        try FileManager.default.createDirectory(at: etc, withIntermediateDirectories: true)
        try "base\n".write(to: etc.appendingPathComponent("hostname"), atomically: false, encoding: .utf8)
        let logged = server.log.count
        let created = try server.bramble(["roots", "create", "--config", rootsConfig])
        #expect(created.status == 0, "\(created.output)")
        try server.waitForLog("reloaded: 6 of 6 nodes enrolled", after: logged, timeout: 10)
        try "console=serial0,115200 root=/dev/nfs nfsroot={{root}},vers=3 rw ip=dhcp rootwait\n"
            .write(to: cluster.boot.appendingPathComponent("cmdline.txt.tmpl"), atomically: false, encoding: .utf8)

        let results = try cluster.boot(Self.pis)
        var served: [String: String] = [:]
        for (pi, name) in zip(Self.pis, names) {
            let (status, lines) = try #require(results[pi.name])
            #expect(status == 0 && lines.last?["ok"] as? Bool == true, "\(pi.name) exited \(status): \(lines.last ?? [:])")
            let root = "10.42.0.250:\(pxe)/roots/\(name)"
            let cmdline = lines.first { ($0["file"] as? String)?.hasSuffix("cmdline.txt") == true && $0["result"] as? String == "ok" }?["cmdline"] as? String
            #expect(cmdline == "console=serial0,115200 root=/dev/nfs nfsroot=\(root),vers=3 rw ip=dhcp rootwait", "\(pi.name): \(cmdline ?? "no cmdline.txt read")")
            served[name] = cmdline
            let kernel = lines.first { $0["step"] as? String == "kernel-dhcp" && $0["ip"] != nil }
            #expect(kernel?["rootPath"] as? String == root, "\(pi.name)'s DHCPACK option 17: \(kernel ?? [:])")
        }
        #expect(Set(served.values).count == names.count, "every node its own command line: \(served)")

        let export = try server.bramble(["roots", "export", "--config", rootsConfig, "--no-reload"])
        #expect(export.status == 0, "\(export.output)")
        let exports = ExportsFile(parsing: try String(contentsOf: server.file("bramble.exports"), encoding: .utf8), fileName: "bramble.exports")
        #expect(exports.exports.count == names.count)
        let ganesha = try GaneshaServer(lab: cluster.lab, namespace: server.hub, address: "10.42.0.250", exports: exports.exports, directory: server.file("ganesha"))
        defer { ganesha.kill() }
        for (pi, name) in zip(Self.pis, names) {
            // The path the kernel would mount: nfsroot= of the cmdline.txt it was served.
            let nfsroot = try #require(served[name]?.split(separator: " ").first { $0.hasPrefix("nfsroot=") })
            let path = nfsroot.dropFirst("nfsroot=10.42.0.250:".count).prefix { $0 != "," }
            let read = try GaneshaServer.read("\(path)/etc/hostname", from: "10.42.0.250", in: "\(cluster.lab.prefix)-\(pi.name)", lab: cluster.lab)
            #expect(read.status == 0 && read.output == "\(name)\n", "\(pi.name) reading \(path): \(read.output)\n\(ganesha.log)")
        }
        let check = try server.bramble(["roots", "check", "--config", rootsConfig])
        #expect(check.status == 0 && check.output.contains("✓ \(names.joined(separator: ", ")): root there"), "\(check.output)")
    }
}
