import BrambleFiles
import BrambleNodeMap
import BrambleRoots
import BrambleWire
import Glibc

/// What `bramble roots export` is about to do to `exports-file`: the plan, the file's
/// current exports, and the lines that go and come. Refuses, before anything is written, a
/// file bramble did not write, so an operator's own exports are never replaced.
struct ExportsFileUpdate {
    let path: String
    let plan: NFSExportPlan
    /// Nil when the file does not exist yet.
    let existing: ExportsFile?
    let removed: [String]
    let added: [String]

    var changesFile: Bool { existing == nil || !removed.isEmpty || !added.isEmpty }

    init(config: BrambleConfig, nodeMap: NodeMap) throws {
        path = config.exportsFile
        plan = NFSExportPlan(nodeMap: nodeMap, layout: NodeRootLayout(pxe: config.pxeDirectory), hub: config.address.address)
        if TextFile.exists(path) {
            let file = ExportsFile(parsing: try TextFile.read(path), fileName: path)
            guard file.isGeneratedByBramble else { throw ExportsFileNotBrambles(path: path) }
            existing = file
        } else {
            existing = nil
        }
        let old = existing?.exports.map(\.line) ?? []
        let new = plan.exports.map(\.line)
        removed = old.filter { !new.contains($0) }
        added = new.filter { !old.contains($0) }
    }

    /// What will change, said before it is done.
    var summary: [String] {
        var lines = plan.notes.map { "note: \($0)" }
        if !Self.isReadByExportfs(path) {
            lines.append("note: exportfs reads /etc/exports and /etc/exports.d/*.exports only, so the NFS server will not see \(path)")
        }
        if existing == nil {
            lines.append("\(path) does not exist yet: it will hold \(plan.exports.count) export line(s):")
            lines += plan.exports.map { "+ \($0.line)" }
        } else if changesFile {
            lines.append("\(path) will change:")
            lines += removed.map { "- \($0)" } + added.map { "+ \($0)" }
        } else {
            lines.append("\(path) is up to date (\(plan.exports.count) export line(s))")
        }
        return lines
    }

    /// exports(5): "/etc/exports.d/*.exports" besides /etc/exports.
    static func isReadByExportfs(_ path: String) -> Bool {
        path == "/etc/exports" || (path.hasPrefix("/etc/exports.d/") && path.hasSuffix(".exports") && !path.dropFirst(15).contains("/"))
    }

    /// Writes the file atomically (a temporary file renamed over it), making its directory
    /// (`/etc/exports.d`) first when it is missing.
    func write() throws {
        let directory = AtomicFile.parentDirectory(of: path)
        if !TextFile.isDirectory(directory), mkdir(directory, 0o755) != 0 {
            throw FileAccessError(path: directory, operation: "create directory", errno: errno)
        }
        try AtomicFile.replace(path, with: plan.fileText)
    }
}

/// `exports-file` exists and does not start with bramble's header: it is somebody else's.
struct ExportsFileNotBrambles: UserFacingError {
    let path: String
    var message: String {
        "\(path) was not written by bramble (its first line is not '\(ExportsFile.generatedHeader)'): "
            + "bramble does not overwrite it. Move your exports to /etc/exports or another file, or set exports-file to a new file"
    }
}

/// `exportfs -ra`: makes the kernel NFS server's export table match the exports files
/// (exportfs(8), https://man7.org/linux/man-pages/man8/exportfs.8.html).
enum ExportfsReload {
    enum Outcome: Equatable {
        case reloaded(output: String)
        case notInstalled
        case failed(status: Int32, output: String)
    }

    /// The directories searched besides PATH: exportfs lives in /usr/sbin, which a
    /// non-login root shell's PATH may lack.
    static let systemDirectories = ["/usr/sbin", "/sbin"]

    /// The program to run: `program` itself when it is a path, else the first executable of
    /// that name on PATH or in the system directories.
    static func locate(_ program: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        let path = getenv("PATH").map { String(cString: $0) } ?? ""
        let directories = path.split(separator: ":").map(String.init) + systemDirectories
        return directories.map { "\($0)/\(program)" }.first { access($0, X_OK) == 0 }
    }

    static func run(_ program: String) -> Outcome {
        guard let executable = locate(program) else { return .notInstalled }
        let result = ExternalCommand.run([executable, "-ra"])
        return result.status == 0 ? .reloaded(output: result.output) : .failed(status: result.status, output: result.output)
    }
}

struct ExportfsFailed: UserFacingError {
    let status: Int32
    let output: String
    var message: String {
        "exportfs -ra failed (exit status \(status)); the file is written, but the NFS server still serves the old exports:\n\(output)"
    }
}
