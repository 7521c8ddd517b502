import BrambleFiles
import BrambleNodeMap
import BrambleWire
import Glibc

/// A hub's whole dnsmasq configuration as dnsmasq itself would read it: the main file, the
/// files it includes (`conf-file`, `conf-dir`), Debian's /etc/dnsmasq.d (which Debian's
/// service passes with `-7 /etc/dnsmasq.d,.dpkg-dist,.dpkg-old,.dpkg-new` even when the
/// main file does not name it), and the host files (`dhcp-hostsfile`, `dhcp-hostsdir`,
/// `addn-hosts`, /etc/ethers with `read-ethers`), each run through the importer.
///
/// Paths are the hub's (`/etc/dnsmasq.conf`); `root` is prefixed to read them, so a test or
/// an operator inspecting a mounted image reads `ROOT/etc/dnsmasq.conf`. Include options are
/// documented in dnsmasq(8): https://thekelleys.org.uk/dnsmasq/docs/dnsmasq-man.html
struct DnsmasqSetup {
    /// One file read: its hub path, why it was read, and what the importer made of it.
    struct Source {
        enum Role: Equatable {
            case configuration
            case hosts
            case ethers
            case extraHosts
        }

        let path: String
        let role: Role
        let result: DnsmasqImportResult
        /// The file's physical lines, to quote each one in the plan.
        let lines: [Substring]

        func text(ofLine number: Int) -> String {
            lines.indices.contains(number - 1) ? String(lines[number - 1].trimmingSpaces) : ""
        }
    }

    let root: String
    private(set) var sources: [Source] = []
    /// Includes that could not be read, as `FILE:LINE: option: reason`.
    private(set) var problems: [String] = []

    /// dnsmasq skips these in a configuration directory (dnsmasq(8), `--conf-dir`), and
    /// Debian's service adds the package manager's leftovers.
    static let debianExcludedSuffixes = [".dpkg-dist", ".dpkg-old", ".dpkg-new"]
    /// More files than any hub has; bounds a directory of thousands or an include loop.
    static let maximumFiles = 256

    init(root: String, mainConfiguration: String, subnet: IPv4Subnet, domain: String) throws(FileAccessError) {
        self.root = root
        var visited: Set<String> = []
        let main = try TextFile.read(onDisk(mainConfiguration))
        read(text: main, path: mainConfiguration, role: .configuration, subnet: subnet, domain: domain, visited: &visited)
        let debianDirectory = "/etc/dnsmasq.d"
        if !visited.contains(debianDirectory + "/"), TextFile.isDirectory(onDisk(debianDirectory)) {
            readDirectory(debianDirectory, include: [], exclude: Self.debianExcludedSuffixes, role: .configuration,
                          subnet: subnet, domain: domain, visited: &visited)
        }
    }

    /// The file's path on this machine.
    func onDisk(_ path: String) -> String { MigrationLocations.onDisk(path, under: root) }

    private mutating func read(text: String, path: String, role: Source.Role, subnet: IPv4Subnet, domain: String, visited: inout Set<String>) {
        guard visited.insert(path).inserted, sources.count < Self.maximumFiles else { return }
        let result = DnsmasqImport.convert(text: text, fileName: path, subnet: subnet, domain: domain)
        sources.append(Source(path: path, role: role, result: result, lines: text.split(separator: "\n", omittingEmptySubsequences: false)))
        guard role == .configuration else { return }
        for hint in result.configHints {
            guard case .importAlso(let target) = hint.kind else { continue }
            let option = Self.optionName(of: hint.text)
            let fields = Self.values(of: hint.text)
            let absolute = target.hasPrefix("/") ? target : "/" + target
            switch option {
            case "conf-dir":
                let patterns = fields.dropFirst()
                readDirectory(absolute, include: patterns.filter { $0.hasPrefix("*") }.map { String($0.dropFirst()) },
                              exclude: patterns.filter { !$0.hasPrefix("*") }, role: .configuration, subnet: subnet, domain: domain, visited: &visited)
            case "dhcp-hostsdir":
                readDirectory(absolute, include: [], exclude: [], role: .hosts, subnet: subnet, domain: domain, visited: &visited)
            default:
                let role: Source.Role = switch option {
                case "dhcp-hostsfile": .hosts
                case "read-ethers": .ethers
                case "addn-hosts": .extraHosts
                default: .configuration
                }
                readFile(absolute, role: role, from: "\(path):\(hint.line): \(option)", subnet: subnet, domain: domain, visited: &visited)
            }
        }
    }

    private mutating func readFile(_ path: String, role: Source.Role, from reference: String, subnet: IPv4Subnet, domain: String, visited: inout Set<String>) {
        do {
            read(text: try TextFile.read(onDisk(path)), path: path, role: role, subnet: subnet, domain: domain, visited: &visited)
        } catch {
            problems.append("\(reference): \(error.message)")
        }
    }

    /// A configuration directory as dnsmasq reads it: files in name order, without hidden
    /// ones, editor backups (`~`, `#...#`), excluded suffixes and, when `include` is given,
    /// anything not ending in one of its suffixes.
    private mutating func readDirectory(_ path: String, include: [String], exclude: [String], role: Source.Role, subnet: IPv4Subnet, domain: String, visited: inout Set<String>) {
        let directory = path.hasSuffix("/") ? String(path.dropLast()) : path
        guard visited.insert(directory + "/").inserted else { return }
        guard let names = TextFile.directoryNames(onDisk(directory)) else {
            problems.append("\(directory): cannot read the directory: \(String(cString: strerror(errno)))")
            return
        }
        for name in names.sorted() {
            guard !name.hasPrefix("."), !name.hasSuffix("~"), !(name.hasPrefix("#") && name.hasSuffix("#")),
                  !exclude.contains(where: { name.hasSuffix($0) }), include.isEmpty || include.contains(where: { name.hasSuffix($0) }),
                  !TextFile.isDirectory(onDisk("\(directory)/\(name)")) else { continue }
            readFile("\(directory)/\(name)", role: role, from: directory, subnet: subnet, domain: domain, visited: &visited)
        }
    }

    /// `conf-dir` in `  --conf-dir = /etc/dnsmasq.d,*.conf # note`.
    static func optionName(of line: String) -> String {
        var text = line.drop { $0 == " " || $0 == "\t" }
        if text.hasPrefix("--") { text = text.dropFirst(2) }
        return String(text.prefix { $0 != "=" && $0 != " " && $0 != "\t" && $0 != "#" })
    }

    /// The comma-separated values after `=`, trimmed, without a trailing comment.
    static func values(of line: String) -> [String] {
        guard let equals = line.firstIndex(of: "=") else { return [] }
        let value = line[line.index(after: equals)...].prefix { $0 != "#" }
        return value.split(separator: ",", omittingEmptySubsequences: false).map { String($0.trimmingSpaces) }
    }
}
