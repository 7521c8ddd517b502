import Glibc

/// Watches files (the node map, the config) for saves, by watching their directories with
/// inotify: editors and `bramble nodes` replace files by rename, which a watch on the file
/// itself would lose after the first save.
///
/// Bursts of events (an editor's write, chmod, rename) are folded into one callback after
/// `settleMilliseconds` of quiet, so a reload never reads a half-written file twice.
public final class FileWatcher {
    private let fd: Int32
    private let loop: EventLoop
    private var watchedNames: [Int32: Set<String>] = [:]
    private var changed: Set<String> = []
    private var settleTimer: EventLoop.TimerID?

    /// - Parameter onChange: called with the watched paths (as given) that changed.
    public init(paths: [String], loop: EventLoop, settleMilliseconds: Int = 150, onChange: @escaping (Set<String>) -> Void) throws(SystemCallError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw SystemCallError("inotify_init1") }
        self.fd = fd
        self.loop = loop
        var pathsByDirectoryAndName: [String: [String: String]] = [:]
        for path in paths {
            // A symlinked file changes where its target lives: watch both places.
            for candidate in Set([path, Self.resolved(path)]) {
                let (directory, name) = Self.split(candidate)
                pathsByDirectoryAndName[directory, default: [:]][name] = path
            }
        }
        var originalPath: [Int32: [String: String]] = [:]
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_ATTRIB)
        for (directory, names) in pathsByDirectoryAndName {
            let watch = inotify_add_watch(fd, directory, mask)
            guard watch >= 0 else {
                let error = SystemCallError("inotify_add_watch(\(directory))")
                close(fd)
                throw error
            }
            watchedNames[watch, default: []].formUnion(names.keys)
            originalPath[watch, default: [:]].merge(names) { first, _ in first }
        }
        try loop.register(fd) { [unowned self] _ in
            self.drain(originalPath: originalPath, settleMilliseconds: settleMilliseconds, onChange: onChange)
        }
    }

    deinit {
        if let settleTimer { loop.cancel(settleTimer) }
        loop.deregister(fd)
        close(fd)
    }

    private func drain(originalPath: [Int32: [String: String]], settleMilliseconds: Int, onChange: @escaping (Set<String>) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            var offset = 0
            let headerSize = MemoryLayout<inotify_event>.size
            while offset + headerSize <= count {
                let (watch, nameLength) = buffer.withUnsafeBytes { raw in
                    (raw.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                     Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
                }
                let nameStart = offset + headerSize
                let nameEnd = min(nameStart + nameLength, count)
                let name = String(decoding: buffer[nameStart..<nameEnd].prefix { $0 != 0 }, as: UTF8.self)
                if let path = originalPath[watch]?[name] { changed.insert(path) }
                offset = nameEnd
            }
        }
        guard !changed.isEmpty else { return }
        if let settleTimer { loop.cancel(settleTimer) }
        settleTimer = loop.schedule(afterMilliseconds: settleMilliseconds) { [unowned self] in
            let paths = self.changed
            self.changed = []
            self.settleTimer = nil
            onChange(paths)
        }
    }

    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return (directory, String(path[path.index(after: slash)...]))
    }

    private static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }
}
