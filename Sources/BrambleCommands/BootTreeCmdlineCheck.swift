import BrambleWire

/// One verdict on a `cmdline.txt` parameter: what was found and, when it is wrong, what to write.
public struct CmdlineFinding: Hashable, Sendable {
    /// The parameter checked (`root=`, `nfsroot=`, `ip=`), or `one line` for the file's shape.
    public let parameter: String
    public let isOK: Bool
    public let explanation: String
}

/// Checks the kernel command line a netbooted Pi gets from `cmdline.txt`: the kernel must mount
/// its root over NFS from the hub, after taking its address from bramble's DHCP.
/// (docs/raspberry-pi-netboot.md "After the firmware"; the kernel's Documentation/admin-guide/nfs/nfsroot.rst.)
public struct CmdlineCheck: Hashable, Sendable {
    public let findings: [CmdlineFinding]
    /// The whole command line with every problem fixed, ready to paste into `cmdline.txt`;
    /// nil when nothing needs fixing.
    public let suggestedLine: String?

    public var isUsable: Bool { findings.allSatisfy(\.isOK) }

    /// Autoconfiguration values of `ip=` that make the kernel ask DHCP (`on`/`any` try it too).
    static let dhcpAutoconf: Set<Substring> = ["dhcp", "on", "any"]

    /// - Parameters:
    ///   - hub: the address `nfsroot=` must name, if it names a server at all.
    ///   - nfsRootDirectory: the export to suggest when `nfsroot=` is missing.
    public init(text: String, hub: IPv4Address, nfsRootDirectory: String) {
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        let parameters = lines.flatMap { $0.split(whereSeparator: \.isWhitespace) }
        var findings: [CmdlineFinding] = []
        var fixes: [String: String] = [:]

        if lines.count > 1 {
            findings.append(CmdlineFinding(
                parameter: "one line", isOK: false,
                explanation: "cmdline.txt has \(lines.count) lines, but the kernel command line must be a single line: join them"))
            // The parameter checks below read all lines, so the suggested line is simply the joined one.
        }

        let root = Self.lastValue(of: "root", in: parameters)
        if root == "/dev/nfs" {
            findings.append(CmdlineFinding(parameter: "root=", isOK: true, explanation: "root=/dev/nfs: the root file system comes over NFS"))
        } else {
            let found = root.map { "root=\($0) does not mount the NFS root" } ?? "root= is missing"
            findings.append(CmdlineFinding(parameter: "root=", isOK: false, explanation: "\(found): write root=/dev/nfs"))
            fixes["root"] = "root=/dev/nfs"
        }

        let nfsroot = Self.checkNFSRoot(Self.lastValue(of: "nfsroot", in: parameters), hub: hub, defaultDirectory: nfsRootDirectory)
        findings.append(nfsroot.finding)
        if let fix = nfsroot.fix { fixes["nfsroot"] = fix }

        let ip = Self.lastValue(of: "ip", in: parameters)
        if let ip, Self.asksDHCP(ip) {
            findings.append(CmdlineFinding(parameter: "ip=", isOK: true, explanation: "ip=\(ip): the kernel takes its address from DHCP"))
        } else {
            let found = ip.map { "ip=\($0) does not ask DHCP for the node's address" } ?? "ip= is missing, so the kernel has no address to mount its root with"
            findings.append(CmdlineFinding(parameter: "ip=", isOK: false, explanation: "\(found): write ip=dhcp"))
            fixes["ip"] = "ip=dhcp"
        }

        self.findings = findings
        suggestedLine = findings.allSatisfy(\.isOK) ? nil : Self.applying(fixes, to: parameters)
    }

    /// The value of the last `name=` parameter: the kernel lets a later one win.
    private static func lastValue(of name: String, in parameters: [Substring]) -> Substring? {
        parameters.last { $0.hasPrefix(name + "=") }.map { $0.dropFirst(name.count + 1) }
    }

    /// `ip=dhcp`, or the long form `ip=client:server:gw:mask:host:dev:autoconf...` ending in dhcp.
    private static func asksDHCP(_ value: Substring) -> Bool {
        if dhcpAutoconf.contains(value) { return true }
        let fields = value.split(separator: ":", omittingEmptySubsequences: false)
        return fields.count >= 7 && dhcpAutoconf.contains(fields[6])
    }

    /// `nfsroot=[SERVER:]PATH[,OPTIONS]`: a named server must be the hub; without one the kernel
    /// uses the DHCP reply's siaddr (and option 17), which bramble sets to the hub.
    private static func checkNFSRoot(_ value: Substring?, hub: IPv4Address, defaultDirectory: String)
        -> (finding: CmdlineFinding, fix: String?)
    {
        guard let value else {
            let fix = "nfsroot=\(hub):\(defaultDirectory),vers=3"
            return (CmdlineFinding(parameter: "nfsroot=", isOK: false, explanation: "nfsroot= is missing: write \(fix)"), fix)
        }
        let comma = value.firstIndex(of: ",") ?? value.endIndex
        let target = value[..<comma]
        let options = value[comma...]
        let colon = target.firstIndex(of: ":")
        let server = colon.map { target[..<$0] }
        let path = colon.map { target[target.index(after: $0)...] } ?? target
        let fixedPath = path.hasPrefix("/") ? String(path) : defaultDirectory
        let fix = "nfsroot=\(hub):\(fixedPath)\(options)"
        guard path.hasPrefix("/") else {
            return (CmdlineFinding(
                parameter: "nfsroot=", isOK: false,
                explanation: "nfsroot=\(value) has no absolute path to mount: write \(fix)"), fix)
        }
        guard let server else {
            return (CmdlineFinding(
                parameter: "nfsroot=", isOK: true,
                explanation: "nfsroot=\(value) names no server: the kernel mounts \(path) from the DHCP server, the hub"), nil)
        }
        guard let serverAddress = IPv4Address(server) else {
            return (CmdlineFinding(
                parameter: "nfsroot=", isOK: false,
                explanation: "nfsroot=\(value) names '\(server)', but the kernel cannot look up names this early: write \(fix)"), fix)
        }
        guard serverAddress == hub else {
            return (CmdlineFinding(
                parameter: "nfsroot=", isOK: false,
                explanation: "nfsroot=\(value) mounts from \(serverAddress), but the hub is \(hub): write \(fix)"), fix)
        }
        return (CmdlineFinding(parameter: "nfsroot=", isOK: true, explanation: "nfsroot=\(value): the root comes from the hub"), nil)
    }

    /// The parameters with each fixed one written once, where it first appeared (or at the end).
    private static func applying(_ fixes: [String: String], to parameters: [Substring]) -> String {
        var written: Set<String> = []
        var result: [String] = []
        for parameter in parameters {
            let name = String(parameter.prefix { $0 != "=" })
            guard parameter.contains("="), let fix = fixes[name] else {
                result.append(String(parameter))
                continue
            }
            if written.insert(name).inserted { result.append(fix) }
        }
        for name in ["root", "nfsroot", "ip"] where !written.contains(name) {
            if let fix = fixes[name] { result.append(fix) }
        }
        return result.joined(separator: " ")
    }
}
