import BrambleFiles
import Glibc

/// Reading the operator's text files, with errors that name the file and say why.
enum TextFile {
    /// Reads a whole file as UTF-8 (invalid sequences become U+FFFD, so a stray byte is
    /// reported by the parser at its line instead of failing the whole read).
    static func read(_ path: String) throws(FileAccessError) -> String {
        String(decoding: try FileContents.read(path), as: UTF8.self)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Whether `path` is a directory (following links, as opening it would).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// The names in a directory, without `.` and `..`, in the order readdir(3) gives them;
    /// nil when it cannot be opened (errno says why).
    static func directoryNames(_ path: String) -> [String]? {
        guard let stream = opendir(path) else { return nil }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

extension FileAccessError: UserFacingError {}
