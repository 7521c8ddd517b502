import BrambleFiles
import Glibc

/// Writing the files `bramble migrate` produces without ever losing the operator's: an
/// existing file is kept as `FILE.bramble-backup-TIMESTAMP` (a hard link to the old
/// contents, made before the atomic replace), a file that did not exist gets an empty
/// `FILE.bramble-created-TIMESTAMP` marker. `--undo` finds the newest of these for each
/// file and steps back: the backup returns, a created file is moved aside. The current file
/// is never deleted: what undo replaces is kept as `FILE.bramble-undone-TIMESTAMP`.
///
/// The names carry everything undo needs, so no record file has to be parsed.
enum MigrationFiles {
    static let backupInfix = ".bramble-backup-"
    static let createdInfix = ".bramble-created-"
    static let undoneInfix = ".bramble-undone-"

    /// What writing one file did, for the plan and the tests.
    enum Outcome: Equatable {
        case unchanged
        case created(marker: String)
        case replaced(backup: String)
    }

    /// `20261207T131500Z`: sorts as it happened, and a second apart is enough for a command
    /// an operator runs by hand.
    static func timestamp(_ seconds: time_t = time(nil)) -> String {
        var value = seconds
        var parts = tm()
        gmtime_r(&value, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    /// Writes `contents` to `path` (a path on this machine), keeping what was there.
    static func write(_ contents: String, to path: String, stamp: String) throws(FileAccessError) -> Outcome {
        let directory = AtomicFile.parentDirectory(of: path)
        try makeDirectories(directory)
        if TextFile.exists(path) {
            if (try? TextFile.read(path)) == contents { return .unchanged }
            let backup = path + backupInfix + stamp
            guard link(path, backup) == 0 else { throw FileAccessError(path: backup, operation: "keep a backup of \(path) as", errno: errno) }
            try AtomicFile.replace(path, with: contents)
            return .replaced(backup: backup)
        }
        let marker = path + createdInfix + stamp
        try AtomicFile.replace(marker, with: "")
        try AtomicFile.replace(path, with: contents)
        return .created(marker: marker)
    }

    /// What undo did to one file.
    enum Undone: Equatable {
        case restored(from: String, keptAs: String?)
        case removed(keptAs: String)
        case nothingToUndo
    }

    /// Steps `path` back over the newest migration of it.
    static func undo(_ path: String, stamp: String) throws(FileAccessError) -> Undone {
        let directory = AtomicFile.parentDirectory(of: path)
        let base = String(AtomicFile.baseName(of: path))
        let candidates = (TextFile.directoryNames(directory) ?? []).compactMap { name -> (stamp: Substring, name: String, created: Bool)? in
            for (infix, created) in [(backupInfix, false), (createdInfix, true)] where name.hasPrefix(base + infix) {
                return (name.dropFirst(base.count + infix.count), name, created)
            }
            return nil
        }
        guard let newest = candidates.max(by: { $0.stamp < $1.stamp }) else { return .nothingToUndo }
        let kept = path + undoneInfix + stamp
        let hadFile = TextFile.exists(path)
        if hadFile { guard rename(path, kept) == 0 else { throw FileAccessError(path: path, operation: "move aside to \(kept)", errno: errno) } }
        let marker = "\(directory)/\(newest.name)"
        if newest.created {
            unlink(marker)
            return hadFile ? .removed(keptAs: kept) : .nothingToUndo
        }
        guard rename(marker, path) == 0 else { throw FileAccessError(path: marker, operation: "restore as \(path)", errno: errno) }
        return .restored(from: marker, keptAs: hadFile ? kept : nil)
    }

    private static func makeDirectories(_ path: String) throws(FileAccessError) {
        guard !path.isEmpty, !TextFile.exists(path) else { return }
        try makeDirectories(AtomicFile.parentDirectory(of: path))
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw FileAccessError(path: path, operation: "create the directory", errno: errno) }
    }
}
