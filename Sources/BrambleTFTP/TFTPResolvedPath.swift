import BrambleNodeMap

/// The file to serve for a request, and for whom.
public struct TFTPResolvedPath: Hashable, Sendable, CustomStringConvertible {
    /// Relative to the boot root, e.g. `nodes/node05/cmdline.txt.tmpl`.
    public var path: String
    /// The file is a `.tmpl`: render it for ``node`` (``BootFileTemplate``) and send the
    /// result instead of the file.
    public var isTemplate: Bool
    /// The node the file is for; always set when ``isTemplate`` is.
    public var node: NodeEntry?
    /// The best-known serial for `{{serial}}`: the request's prefix, else what DHCP
    /// reported, else the node map's `serial=`.
    public var serial: String?

    public init(path: String, isTemplate: Bool, node: NodeEntry?, serial: String?) {
        self.path = path
        self.isTemplate = isTemplate
        self.node = node
        self.serial = serial
    }

    public var description: String { isTemplate ? "\(path) (template)" : path }
}
