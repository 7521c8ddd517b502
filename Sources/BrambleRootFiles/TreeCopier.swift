import CRootShims
import Glibc

/// What a copy did, for progress and for the report that names the mode actually used.
public struct TreeCopyStatistics: Hashable, Sendable {
    /// Every entry made: directories, files, links, device nodes, fifos, hard links.
    public var entries: UInt64 = 0
    /// Bytes of file data cloned or copied (a file's length, holes included).
    public var bytes: UInt64 = 0
    /// Regular files whose data is shared with the source (FICLONE).
    public var clonedFiles: UInt64 = 0
    /// Regular files whose data was copied (holes kept); empty files count as neither.
    public var copiedFiles: UInt64 = 0
    /// Names made as hard links to a file already copied, as in the source.
    public var hardLinks: UInt64 = 0
    public var symbolicLinks: UInt64 = 0
    /// Device nodes, fifos and sockets, made with mknod.
    public var specialFiles: UInt64 = 0
    /// Directories (relative to the top) where another file system is mounted in the
    /// source (a chroot's /proc, /dev or /sys): made empty, their contents not copied.
    public var otherFileSystems: [String] = []

    public init() {}
}

/// Copies a directory tree into a new directory, keeping what a root file system needs:
/// owners, modes (set-id bits included), timestamps, extended attributes (and so POSIX ACLs
/// and file capabilities), device nodes and fifos, hard links and holes.
///
/// Safety: every name is opened relative to its parent's descriptor with O_NOFOLLOW and
/// stat'ed with AT_SYMLINK_NOFOLLOW, so a symbolic link in the source, even an absolute
/// one like `/etc/alternatives/x -> /usr/bin/x` or a hostile `evil -> /`, is copied as a
/// link and never followed: nothing outside the source tree is read and nothing outside
/// the destination is written.
public final class TreeCopier {
    public enum DataMode: Sendable {
        /// Share each file's data with FICLONE; files the file system refuses are copied.
        case reflink
        /// Copy every data range (SEEK_DATA/SEEK_HOLE), leaving holes as holes.
        case copy
    }

    public let mode: DataMode
    public private(set) var statistics = TreeCopyStatistics()
    /// Called every `progressInterval` entries and once at the end.
    public var progress: ((TreeCopyStatistics) -> Void)?
    public var progressInterval: UInt64 = 512

    /// Files with more than one link, by (device, inode), to the destination path (relative
    /// to the destination root) of the first name copied.
    private var firstCopies: [FileKey: FileName] = [:]
    private var destinationRoot: Int32 = -1
    private var sourcePath = ""
    /// The source top's device: a directory on another one is a mount point, not descended
    /// into (like `cp -x`), so a base image with /proc mounted for a chroot copies as an
    /// image and not as the hub's processes.
    private var sourceDevice: UInt64 = 0

    private struct FileKey: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    public init(mode: DataMode) {
        self.mode = mode
    }

    /// Copies the tree at `source` into the new directory `name` inside the open directory
    /// `parent`. The new directory must not exist; it gets the source root's owner, mode,
    /// attributes and times.
    public func copy(source: String, into parent: Int32, name: String, destinationPath: String) throws(RootFileError) {
        sourcePath = source
        let sourceDirectory = try Directory.open(path: source)
        var rootInfo = stat()
        guard fstat(sourceDirectory.fd, &rootInfo) == 0 else { throw RootFileError(path: source, operation: "stat", errno: errno) }
        let newName = FileName(name)
        guard newName.withCString({ mkdirat(parent, $0, 0o700) }) == 0 else {
            throw RootFileError(path: destinationPath, operation: "create directory", errno: errno)
        }
        let destination = try Directory.open(newName, in: parent, path: destinationPath)
        destinationRoot = destination.fd
        sourceDevice = UInt64(rootInfo.st_dev)
        defer { destinationRoot = -1 }
        try copyContents(of: sourceDirectory.fd, into: destination.fd, relative: FileName([]), path: destinationPath)
        try Metadata.apply(rootInfo, from: sourceDirectory.fd, to: destination.fd, path: destinationPath)
        progress?(statistics)
    }

    /// Copies the entry at `relativePath` (with everything under it, for a directory) from
    /// the tree open as `sourceRoot` to the same path in the tree open as `destinationRoot`,
    /// replacing what the destination has there and making missing parent directories.
    /// Returns false when the source has nothing at that path. Every component is opened
    /// with O_NOFOLLOW on both sides. This is how an update carries a node's own files over.
    @discardableResult
    public func copyEntry(
        _ relativePath: String, fromRoot sourceRoot: Int32, sourcePath: String, toRoot destinationRoot: Int32, destinationPath: String
    ) throws(RootFileError) -> Bool {
        var components = relativePath.split(separator: "/").map(String.init)
        guard let last = components.popLast() else { return false }
        guard let sourceParent = try RelativePath.directory(components, from: sourceRoot, rootPath: sourcePath, creating: false) else { return false }
        let name = FileName(last)
        var info = stat()
        guard name.withCString({ fstatat(sourceParent.fd, $0, &info, AT_SYMLINK_NOFOLLOW) }) == 0 else { return false }
        let destinationParent = try RelativePath.directory(components, from: destinationRoot, rootPath: destinationPath, creating: true)!
        let path = destinationPath + "/" + relativePath
        var existing = stat()
        if name.withCString({ fstatat(destinationParent.fd, $0, &existing, AT_SYMLINK_NOFOLLOW) }) == 0 {
            try TreeRemover.remove(name, in: destinationParent.fd, path: path)
        }
        self.sourcePath = sourcePath
        self.destinationRoot = destinationRoot
        var top = stat()
        guard fstat(sourceRoot, &top) == 0 else { throw RootFileError(path: sourcePath, operation: "stat", errno: errno) }
        sourceDevice = UInt64(top.st_dev)
        defer { self.destinationRoot = -1 }
        try copyEntry(name, info, from: sourceParent.fd, to: destinationParent.fd, relative: FileName(relativePath), path: path)
        return true
    }

    private func copyContents(of source: Int32, into destination: Int32, relative: FileName, path: String) throws(RootFileError) {
        for name in try Directory.names(source, path: relative.bytes.isEmpty ? sourcePath : sourcePath + "/" + relative.display) {
            let childRelative = FileName(relative.bytes.isEmpty ? name.bytes : relative.bytes + [0x2f] + name.bytes)
            let info = try Directory.status(of: name, in: source, path: sourcePath + "/" + childRelative.display)
            try copyEntry(name, info, from: source, to: destination, relative: childRelative, path: path + "/" + name.display)
        }
    }

    /// Copies one entry `name` of `source` into `destination`; `relative` is its path from the
    /// destination root (for hard links), `path` the destination path for messages.
    private func copyEntry(_ name: FileName, _ info: stat, from source: Int32, to destination: Int32, relative childRelative: FileName, path childPath: String) throws(RootFileError) {
        if !info.isDirectory, info.st_nlink > 1 {
            let key = FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            if let first = firstCopies[key] {
                try link(first, as: name, in: destination, path: childPath)
                statistics.hardLinks += 1
                count()
                return
            }
            firstCopies[key] = childRelative
        }
        switch info.fileType {
        case S_IFDIR:
            guard name.withCString({ mkdirat(destination, $0, 0o700) }) == 0 else {
                throw RootFileError(path: childPath, operation: "create directory", errno: errno)
            }
            let sourceChild = try Directory.open(name, in: source, path: sourcePath + "/" + childRelative.display)
            let destinationChild = try Directory.open(name, in: destination, path: childPath)
            if UInt64(info.st_dev) == sourceDevice {
                try copyContents(of: sourceChild.fd, into: destinationChild.fd, relative: childRelative, path: childPath)
            } else {
                statistics.otherFileSystems.append(childRelative.display)
            }
            try Metadata.apply(info, from: sourceChild.fd, to: destinationChild.fd, path: childPath)
        case S_IFREG:
            try copyFile(name, info, from: source, to: destination, path: childPath)
        case S_IFLNK:
            try copyLink(name, info, from: source, to: destination, path: childPath)
            statistics.symbolicLinks += 1
        default:
            try copySpecial(name, info, from: source, to: destination, path: childPath)
            statistics.specialFiles += 1
        }
        count()
    }

    private func count() {
        statistics.entries += 1
        if statistics.entries % progressInterval == 0 { progress?(statistics) }
    }

    /// A further name for a file already copied: linkat from the destination root, whose
    /// every directory this copy made itself (no links among them to follow).
    private func link(_ first: FileName, as name: FileName, in destination: Int32, path: String) throws(RootFileError) {
        let result = first.withCString { old in name.withCString { new in linkat(destinationRoot, old, destination, new, 0) } }
        guard result == 0 else { throw RootFileError(path: path, operation: "hard-link to \(first.display)", errno: errno) }
    }

    private func copyFile(_ name: FileName, _ info: stat, from source: Int32, to destination: Int32, path: String) throws(RootFileError) {
        let input = name.withCString { openat(source, $0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        guard input >= 0 else { throw RootFileError(path: sourcePath + "/" + name.display, operation: "open", errno: errno) }
        let sourceFile = Descriptor(input)
        let output = name.withCString { openat(destination, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
        guard output >= 0 else { throw RootFileError(path: path, operation: "create", errno: errno) }
        let destinationFile = Descriptor(output)
        var cloned = false
        if mode == .reflink, info.st_size > 0 {
            if bramble_ficlone(destinationFile.fd, sourceFile.fd) == 0 {
                cloned = true
            } else if ![EOPNOTSUPP, EXDEV, EINVAL, ENOTTY, ENOSYS].contains(errno) {
                throw RootFileError(path: path, operation: "reflink", errno: errno)
            }
        }
        if !cloned {
            try SparseCopy.copy(from: sourceFile.fd, to: destinationFile.fd, length: Int64(info.st_size), path: path)
        }
        if cloned { statistics.clonedFiles += 1 } else if info.st_size > 0 { statistics.copiedFiles += 1 }
        statistics.bytes += UInt64(info.st_size)
        try Metadata.apply(info, from: sourceFile.fd, to: destinationFile.fd, path: path)
    }

    private func copyLink(_ name: FileName, _ info: stat, from source: Int32, to destination: Int32, path: String) throws(RootFileError) {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = name.withCString { readlinkat(source, $0, &buffer, buffer.count - 1) }
        guard length >= 0 else { throw RootFileError(path: sourcePath + "/" + name.display, operation: "read link", errno: errno) }
        buffer[length] = 0
        guard name.withCString({ symlinkat(buffer, destination, $0) }) == 0 else {
            throw RootFileError(path: path, operation: "create symbolic link", errno: errno)
        }
        try Metadata.applyWithoutOpening(info, name: name, from: source, to: destination, path: path)
    }

    private func copySpecial(_ name: FileName, _ info: stat, from source: Int32, to destination: Int32, path: String) throws(RootFileError) {
        guard name.withCString({ mknodat(destination, $0, info.fileType | 0o600, info.st_rdev) }) == 0 else {
            throw RootFileError(path: path, operation: "create device node or fifo", errno: errno)
        }
        try Metadata.applyWithoutOpening(info, name: name, from: source, to: destination, path: path)
    }
}

/// Copying a file's data range by range, so a sparse file (a VM image, a preallocated
/// journal) stays sparse: SEEK_DATA/SEEK_HOLE find the ranges that hold data, lseek(2).
enum SparseCopy {
    static let chunk = 1 << 20

    static func copy(from input: Int32, to output: Int32, length: Int64, path: String) throws(RootFileError) {
        var offset: Int64 = 0
        while offset < length {
            var dataStart = lseek(input, off_t(offset), bramble_seek_data())
            if dataStart < 0 {
                if errno == ENXIO { break }  // only a hole remains
                guard errno == EINVAL else { throw RootFileError(path: path, operation: "find data (SEEK_DATA)", errno: errno) }
                dataStart = off_t(offset)  // no SEEK_DATA here: treat the rest as data
            }
            var dataEnd = lseek(input, dataStart, bramble_seek_hole())
            if dataEnd < 0 { dataEnd = off_t(length) }
            try copyRange(from: input, to: output, start: Int64(dataStart), end: min(Int64(dataEnd), length), path: path)
            offset = Int64(dataEnd)
        }
        guard ftruncate(output, off_t(length)) == 0 else { throw RootFileError(path: path, operation: "set length", errno: errno) }
    }

    private static func copyRange(from input: Int32, to output: Int32, start: Int64, end: Int64, path: String) throws(RootFileError) {
        var inputOffset = off_t(start)
        var outputOffset = off_t(start)
        var useKernelCopy = true
        var buffer: [UInt8] = []
        while Int64(inputOffset) < end {
            let want = Int(min(Int64(chunk), end - Int64(inputOffset)))
            if useKernelCopy {
                let copied = bramble_copy_file_range(input, &inputOffset, output, &outputOffset, want)
                if copied > 0 { continue }
                if copied == 0 { break }  // the file shrank while being copied
                if errno == EINTR { continue }
                guard [EXDEV, ENOSYS, EINVAL, EOPNOTSUPP].contains(errno) else {
                    throw RootFileError(path: path, operation: "copy data", errno: errno)
                }
                useKernelCopy = false
                buffer = [UInt8](repeating: 0, count: chunk)
            }
            let read = buffer.withUnsafeMutableBytes { pread(input, $0.baseAddress, want, inputOffset) }
            if read < 0 {
                if errno == EINTR { continue }
                throw RootFileError(path: path, operation: "read", errno: errno)
            }
            if read == 0 { break }
            var written = 0
            while written < read {
                let n = buffer.withUnsafeBytes { pwrite(output, $0.baseAddress! + written, read - written, outputOffset + off_t(written)) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw RootFileError(path: path, operation: "write", errno: errno)
                }
                written += n
            }
            inputOffset += off_t(read)
            outputOffset += off_t(read)
        }
    }
}
