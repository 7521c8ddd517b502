import BrambleRoots
import Glibc

/// Writing a node's identity into its root (``NodeIdentity`` decides the text).
///
/// Every path is walked one component at a time from the root's descriptor with O_NOFOLLOW,
/// and files are replaced by rename rather than written through: an image whose
/// `/etc/hostname` is a link to `/etc/hostname` of the hub (or whose `etc` is a link to `/etc`)
/// can never make this write the hub's files.
public enum RootIdentityWriter {
    /// Applies `identity` to the root open as `root`; returns what was done, one line each,
    /// relative to the root (for the command to print).
    @discardableResult
    public static func apply(_ identity: NodeIdentity, root: Int32, rootPath: String) throws(RootFileError) -> [String] {
        var done: [String] = []
        let etc = try RelativePath.directory(["etc"], from: root, rootPath: rootPath, creating: true)!
        let etcPath = rootPath + "/etc"
        try SmallFile.replace("hostname", in: etc.fd, with: Array(identity.hostname.utf8), mode: 0o644, path: etcPath + "/hostname")
        done.append("etc/hostname: \(identity.nodeName)")
        let hosts = identity.hosts(from: try existingText("hosts", in: etc.fd, path: etcPath + "/hosts"))
        try SmallFile.replace("hosts", in: etc.fd, with: Array(hosts.utf8), mode: 0o644, path: etcPath + "/hosts")
        done.append("etc/hosts: \(identity.address) \(identity.fullName), hub \(identity.hubAddress)")
        if try existingText("mailname", in: etc.fd, path: etcPath + "/mailname") != nil {
            try SmallFile.replace("mailname", in: etc.fd, with: Array(identity.mailname.utf8), mode: 0o644, path: etcPath + "/mailname")
            done.append("etc/mailname: \(identity.fullName)")
        }
        let fstab = identity.fstab(from: try existingText("fstab", in: etc.fd, path: etcPath + "/fstab"))
        try SmallFile.replace("fstab", in: etc.fd, with: Array(fstab.utf8), mode: 0o644, path: etcPath + "/fstab")
        done.append("etc/fstab: / is \(identity.nfsRoot) (nfs)")
        // machine-id(5): an empty file makes systemd generate a new ID on first boot and
        // write it once the root is writable (systemd-machine-id-commit.service).
        try SmallFile.replace("machine-id", in: etc.fd, with: [], mode: 0o444, path: etcPath + "/machine-id")
        done.append("etc/machine-id: emptied (the node makes its own on first boot)")
        if let dbus = try RelativePath.directory(["var", "lib", "dbus"], from: root, rootPath: rootPath, creating: false) {
            let name = FileName("machine-id")
            var info = stat()
            if name.withCString({ fstatat(dbus.fd, $0, &info, AT_SYMLINK_NOFOLLOW) }) == 0, info.fileType != S_IFLNK {
                try replaceWithLink("machine-id", to: "/etc/machine-id", in: dbus.fd, path: rootPath + "/var/lib/dbus/machine-id")
                done.append("var/lib/dbus/machine-id: now a link to /etc/machine-id (one ID, the node's)")
            }
        }
        if let ssh = try RelativePath.directory(["etc", "ssh"], from: root, rootPath: rootPath, creating: false) {
            for name in try Directory.names(ssh.fd, path: etcPath + "/ssh") where name.display.hasPrefix(NodeIdentity.sshHostKeyPrefix) {
                try removeFile(name, in: ssh.fd, path: etcPath + "/ssh/" + name.display)
                done.append("etc/ssh/\(name.display): removed (the node makes its own host keys)")
            }
        }
        for relative in NodeIdentity.removedFiles {
            var components = relative.split(separator: "/").map(String.init)
            let name = FileName(components.removeLast())
            guard let parent = try RelativePath.directory(components, from: root, rootPath: rootPath, creating: false) else { continue }
            var info = stat()
            guard name.withCString({ fstatat(parent.fd, $0, &info, AT_SYMLINK_NOFOLLOW) }) == 0 else { continue }
            try removeFile(name, in: parent.fd, path: rootPath + "/" + relative)
            done.append("\(relative): removed")
        }
        return done
    }

    /// A regular file's text; nil when there is none (missing, or a link, which is replaced).
    private static func existingText(_ name: String, in directory: Int32, path: String) throws(RootFileError) -> String? {
        var info = stat()
        guard FileName(name).withCString({ fstatat(directory, $0, &info, AT_SYMLINK_NOFOLLOW) }) == 0, info.fileType == S_IFREG else { return nil }
        return String(decoding: try SmallFile.read(FileName(name), in: directory, path: path), as: UTF8.self)
    }

    private static func removeFile(_ name: FileName, in directory: Int32, path: String) throws(RootFileError) {
        guard name.withCString({ unlinkat(directory, $0, 0) }) == 0 else { throw RootFileError(path: path, operation: "remove", errno: errno) }
    }

    private static func replaceWithLink(_ name: String, to target: String, in directory: Int32, path: String) throws(RootFileError) {
        let temporary = "." + name + ".bramble-new"
        _ = unlinkat(directory, temporary, 0)
        guard symlinkat(target, directory, temporary) == 0 else { throw RootFileError(path: path, operation: "create link", errno: errno) }
        guard renameat(directory, temporary, directory, name) == 0 else {
            let error = errno
            _ = unlinkat(directory, temporary, 0)
            throw RootFileError(path: path, operation: "replace with a link", errno: error)
        }
    }
}

/// Walking a relative path inside a root one directory at a time, never through a link.
enum RelativePath {
    /// The directory `components` below `root`; nil when a component is missing (unless
    /// `creating`, which makes it 0755). A component that is a link or not a directory is an
    /// error (ELOOP, ENOTDIR): the root is not what an image should look like.
    static func directory(_ components: [String], from root: Int32, rootPath: String, creating: Bool) throws(RootFileError) -> Descriptor? {
        var current = Descriptor(dup(root))
        var path = rootPath
        for component in components {
            let name = FileName(component)
            path += "/" + component
            var fd = name.withCString { openat(current.fd, $0, Directory.openFlags) }
            if fd < 0, errno == ENOENT {
                guard creating else { return nil }
                guard name.withCString({ mkdirat(current.fd, $0, 0o755) }) == 0 else {
                    throw RootFileError(path: path, operation: "create directory", errno: errno)
                }
                fd = name.withCString { openat(current.fd, $0, Directory.openFlags) }
            }
            guard fd >= 0 else { throw RootFileError(path: path, operation: "open directory (without following links)", errno: errno) }
            current = Descriptor(fd)
        }
        return current
    }
}
