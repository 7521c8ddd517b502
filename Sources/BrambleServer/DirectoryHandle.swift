import Glibc

/// A directory opened once, by descriptor, that every file bramble keeps in it is opened
/// relative to, never by path.
///
/// The state directory belongs to the account the daemon drops to, yet the daemon opens
/// and hands over its contents while still root. Everything in here is therefore reached
/// with `openat`/`mkdirat`/`unlinkat`/`renameat` on this descriptor with `O_NOFOLLOW`, so
/// no path component can be swapped for a link between a check and a use, and changed with
/// `fchown`/`fchmod` on the opened descriptor, never `chown(path)`. A symbolic link, a
/// regular file with more than one hard link (another name for a file outside), a file
/// of the wrong type or a stranger's file where bramble's own should be is refused
/// (``UnsafeFileError``): a file with one link, found here and owned by root or the
/// account, is reachable only through this directory, so giving it to the account
/// touches nothing else.
///
/// The state directory's own path: its last component must not be a symbolic link (set
/// `state-dir` to the real directory) and it must belong to root, the account the daemon
/// drops to or the user running it. The components above it are the operator's (usually
/// root's `/var/lib`) and are resolved as usual.
final class DirectoryHandle {
    let path: String
    let fd: Int32
    let place: UnsafeFileError.Place
    /// Who may own what is in here: root, the account the daemon drops to, the user running it.
    let allowedOwners: Set<uid_t>

    /// The state directory's permission: the account and its group (which `bramble`
    /// commands run by operators in that group need for the control socket).
    static let stateMode: mode_t = 0o750

    private init(path: String, fd: Int32, place: UnsafeFileError.Place, allowedOwners: Set<uid_t>) {
        self.path = path
        self.fd = fd
        self.place = place
        self.allowedOwners = allowedOwners
    }

    deinit { close(fd) }

    /// Opens (creating) the state directory and, given an account, hands it over with mode
    /// ``stateMode``.
    static func openState(_ path: String, owner: PrivilegeDrop.Account?) throws(UnsafeFileError) -> DirectoryHandle {
        if mkdir(path, stateMode) != 0 && errno != EEXIST { throw .system(SystemCallError("mkdir(\(path))")) }
        let allowed = owners(owner)
        let fd: Int32
        do throws(UnsafeFileError) {
            fd = try openDirectory(at: AT_FDCWD, name: path, shownAs: path, place: .stateDirectory, allowed: allowed)
        } catch .symbolicLink {
            throw .linkedStateDirectory(path: path)
        }
        let directory = DirectoryHandle(path: path, fd: fd, place: .stateDirectory, allowedOwners: allowed)
        try directory.handOver(fd, name: path, to: owner, mode: stateMode)
        return directory
    }

    /// The directory holding a file the operator named (`log-file`, `--capture`): the path
    /// is theirs, followed as usual; the file in it is then opened with the same care, and
    /// may belong to root, the user running bramble or `account` (a capture an earlier run
    /// handed over).
    static func openParent(of path: String, account: PrivilegeDrop.Account? = nil) throws(UnsafeFileError) -> (directory: DirectoryHandle, name: String) {
        let slash = path.lastIndex(of: "/")
        let parent = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty, name != ".", name != ".." else {
            throw .wrongType(path: path, expected: "a file", found: "a directory", place: .namedFile)
        }
        let fd = Glibc.open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(SystemCallError("open(\(parent))")) }
        return (DirectoryHandle(path: parent == "." ? "" : parent, fd: fd, place: .namedFile, allowedOwners: owners(account)), name)
    }

    /// `name` inside this directory, for messages.
    func pathOf(_ name: String) -> String { path.isEmpty ? name : path.hasSuffix("/") ? path + name : "\(path)/\(name)" }

    /// Opens (creating) the subdirectory `name`, refusing anything but a real directory, and
    /// hands it over like the state directory.
    func subdirectory(_ name: String, owner: PrivilegeDrop.Account?) throws(UnsafeFileError) -> DirectoryHandle {
        if mkdirat(fd, name, Self.stateMode) != 0 && errno != EEXIST { throw .system(SystemCallError("mkdir(\(pathOf(name)))")) }
        let child = try Self.openDirectory(at: fd, name: name, shownAs: pathOf(name), place: place, allowed: allowedOwners)
        let directory = DirectoryHandle(path: pathOf(name), fd: child, place: place, allowedOwners: allowedOwners)
        try directory.handOver(child, name: directory.path, to: owner, mode: Self.stateMode)
        return directory
    }

    /// Opens the regular file `name` with `flags` (creating it with `mode` when `create`),
    /// never through a link, and hands it over to `owner` with `mode`. The returned
    /// descriptor is the caller's to close. Truncation is the caller's too (`ftruncate` on
    /// the descriptor), after the checks: `O_TRUNC` would empty a stranger's file first.
    func openFile(_ name: String, flags: Int32, mode: mode_t = 0o640, create: Bool, owner: PrivilegeDrop.Account? = nil) throws(UnsafeFileError) -> Int32 {
        var before = stat()
        let exists: Bool
        if fstatat(fd, name, &before, AT_SYMLINK_NOFOLLOW) == 0 {
            try check(before, name: name, expected: S_IFREG)
            exists = true
        } else if errno == ENOENT && create {
            exists = false
        } else {
            throw .system(SystemCallError("stat(\(pathOf(name)))"))
        }
        let creation = exists ? 0 : O_CREAT | O_EXCL
        let file = openat(fd, name, flags | creation | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, mode)
        guard file >= 0 else {
            if errno == ELOOP { throw .symbolicLink(path: pathOf(name), place: place) }
            throw .system(SystemCallError("open(\(pathOf(name)))"))
        }
        do throws(UnsafeFileError) {
            var after = stat()
            guard fstat(file, &after) == 0 else { throw .system(SystemCallError("fstat(\(pathOf(name)))")) }
            try check(after, name: name, expected: S_IFREG)
            if exists && (after.st_dev != before.st_dev || after.st_ino != before.st_ino) {
                throw .system(SystemCallError("open(\(pathOf(name))): replaced while being opened", errno: EAGAIN))
            }
            try handOver(file, name: pathOf(name), to: owner, mode: mode)
        } catch {
            close(file)
            throw error
        }
        return file
    }

    /// Removes the socket a previous run left at `name`; refuses anything else there.
    func removeStaleSocket(_ name: String) throws(UnsafeFileError) {
        var status = stat()
        guard fstatat(fd, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return }
            throw .system(SystemCallError("stat(\(pathOf(name)))"))
        }
        try check(status, name: name, expected: S_IFSOCK)
        guard unlinkat(fd, name, 0) == 0 || errno == ENOENT else { throw .system(SystemCallError("unlink(\(pathOf(name)))")) }
    }

    /// The names in this directory.
    func names() throws(UnsafeFileError) -> [String] {
        let copy = dup(fd)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw .system(SystemCallError("opendir(\(path))"))
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Refuses a link, a hard link, a type other than `expected` or a stranger's file.
    /// The path in a refusal is only built when there is one: every boot log open checks.
    func check(_ status: stat, name: String, expected: mode_t) throws(UnsafeFileError) {
        try Self.check(status, path: pathOf(name), expected: expected, place: place, allowed: allowedOwners)
    }

    private static func check(_ status: stat, path: @autoclosure () -> String, expected: mode_t, place: UnsafeFileError.Place, allowed: Set<uid_t>) throws(UnsafeFileError) {
        let type = status.st_mode & S_IFMT
        if type == S_IFLNK { throw .symbolicLink(path: path(), place: place) }
        guard type == expected else {
            throw .wrongType(path: path(), expected: UnsafeFileError.kind(expected), found: UnsafeFileError.kind(type), place: place)
        }
        if type == S_IFREG && status.st_nlink > 1 { throw .hardLink(path: path(), links: Int(status.st_nlink), place: place) }
        guard allowed.contains(status.st_uid) else {
            throw .foreignOwner(path: path(), uid: status.st_uid, allowed: ownerNames(allowed))
        }
    }

    /// Gives the open file or directory to `owner` (group too) with `mode`, on its descriptor.
    private func handOver(_ descriptor: Int32, name: @autoclosure () -> String, to owner: PrivilegeDrop.Account?, mode: mode_t) throws(UnsafeFileError) {
        guard let owner else { return }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .system(SystemCallError("fstat(\(name()))")) }
        if status.st_uid != owner.uid || status.st_gid != owner.gid {
            guard fchown(descriptor, owner.uid, owner.gid) == 0 else { throw .system(SystemCallError("chown(\(name()))")) }
        }
        if status.st_mode & 0o7777 != mode {
            guard fchmod(descriptor, mode) == 0 else { throw .system(SystemCallError("chmod(\(name()))")) }
        }
    }

    private static func openDirectory(at base: Int32, name: String, shownAs path: String, place: UnsafeFileError.Place, allowed: Set<uid_t>) throws(UnsafeFileError) -> Int32 {
        var before = stat()
        guard fstatat(base, name, &before, AT_SYMLINK_NOFOLLOW) == 0 else { throw .system(SystemCallError("stat(\(path))")) }
        try check(before, path: path, expected: S_IFDIR, place: place, allowed: allowed)
        let fd = openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP || errno == ENOTDIR { throw .symbolicLink(path: path, place: place) }
            throw .system(SystemCallError("open(\(path))"))
        }
        var after = stat()
        guard fstat(fd, &after) == 0, after.st_dev == before.st_dev, after.st_ino == before.st_ino else {
            close(fd)
            throw .system(SystemCallError("open(\(path)): replaced while being opened", errno: EAGAIN))
        }
        return fd
    }

    private static func owners(_ account: PrivilegeDrop.Account?) -> Set<uid_t> {
        var owners: Set<uid_t> = [0, geteuid()]
        if let account { owners.insert(account.uid) }
        return owners
    }

    private static func ownerNames(_ owners: Set<uid_t>) -> String {
        owners.sorted().map { uid -> String in
            if uid == 0 { return "root" }
            guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
            return String(cString: name)
        }.joined(separator: " or ")
    }
}
